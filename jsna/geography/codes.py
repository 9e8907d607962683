"""Reading lookup CSVs and checking their area codes against the rules of each type.

Every problem is reported with the file, the row (as a spreadsheet shows it:
the header is row 1), the column and the rule broken; the first problem is
raised as :class:`jsna.errors.InputFileError` with a count of the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from jsna.errors import InputFileError

from .registry import area_type

__all__ = ["check_codes", "read_table"]

MAX_LISTED = 5


def read_table(path: Path | str, columns: list[str]) -> pd.DataFrame:
    """The CSV at ``path`` as text columns, stripped; a missing column is an InputFileError."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputFileError(path, f"cannot read as CSV: {error}") from error
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputFileError(
            path,
            f"missing column(s) {', '.join(map(repr, missing))}; "
            f"found {', '.join(map(repr, frame.columns))}",
            row=1,
            column=missing[0],
        )
    return pd.DataFrame({column: frame[column].str.strip() for column in columns})


def check_codes(path: Path | str, frame: pd.DataFrame, columns: Mapping[str, str]) -> None:
    """Check each column named in ``columns`` (column -> area type) holds valid codes.

    Raises InputFileError at the first bad cell, saying how many others there are.
    """
    problems: list[tuple[int, str, str, str]] = []
    for column, type_code in columns.items():
        kind = area_type(type_code)
        values = frame[column]
        good = values.map(kind.accepts).astype(bool)
        for position in (~good).to_numpy().nonzero()[0]:
            problems.append((int(position) + 2, column, str(values.iloc[position]), kind.rule()))
    if not problems:
        return
    problems.sort()
    row, column, value, rule = problems[0]
    others = ""
    if len(problems) > 1:
        listed = ", ".join(f"row {r} {c!r}" for r, c, _, _ in problems[1:MAX_LISTED])
        more = len(problems) - MAX_LISTED
        others = f" ({len(problems) - 1} more: {listed}{f' and {more} others' if more > 0 else ''})"
    shown = repr(value) if value else "empty"
    raise InputFileError(
        path,
        f"{shown} is not {rule} (area type {columns[column]}){others}",
        row=row,
        column=column,
    )
