"""Score sheets of priority setting: a blank template, and reading a filled one (CSV or .xlsx).

A sheet is checked whole before anything is recorded: every problem is
listed as ``file:row:column: rule (value)`` (rows as in a spreadsheet, the
header is row 1), and one problem means no score is recorded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from jsna.content.priorities import CandidateSpec, PrioritiesConfig
from jsna.errors import InputFileError
from jsna.store.priorities import ScoreEntry

__all__ = [
    "MAX_SHEET_BYTES",
    "ScoreSheetError",
    "SheetProblem",
    "read_score_sheet",
    "score_sheet_template",
]


@dataclass(frozen=True)
class SheetProblem:
    """One broken rule in a score sheet: ``file:row:column: rule (value)``."""

    file: str
    row: int
    column: str
    rule: str
    value: str = ""

    def __str__(self) -> str:
        shown = f" ({self.value!r})" if self.value != "" else ""
        return f"{self.file}:{self.row}:{self.column}: {self.rule}{shown}"


class ScoreSheetError(InputFileError):
    """A score sheet broke one or more rules; nothing was recorded. ``problems`` lists all."""

    def __init__(self, path: str, problems: list[SheetProblem]):
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''}, no scores recorded:"
        super().__init__(path, "\n".join([heading, *(str(p) for p in self.problems[:200])]))


MAX_SHEET_BYTES = 2 * 1024 * 1024
"""Largest score sheet accepted."""


def score_sheet_template(candidates: Sequence[CandidateSpec], matrix: PrioritiesConfig) -> str:
    """A blank score sheet (CSV): candidate, title, one column per criterion, comment."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["candidate", "title", *(c.id for c in matrix.criteria), "comment"])
    for candidate in candidates:
        writer.writerow([candidate.id, candidate.title, *([""] * len(matrix.criteria)), ""])
    return buffer.getvalue()


def _sheet_frame(content: bytes, name: str) -> pd.DataFrame:
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".csv":
            text = content.decode("utf-8-sig")
            rows = [line for line in text.splitlines() if not line.startswith("#")]
            return pd.read_csv(io.StringIO("\n".join(rows)), dtype=str, keep_default_na=False)
        if suffix == ".xlsx":
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
            return frame.fillna("")
    except UnicodeDecodeError as error:
        raise InputFileError(name, f"not UTF-8 text (byte {error.start})") from error
    except Exception as error:
        raise InputFileError(name, f"cannot read the score sheet: {error}") from error
    raise InputFileError(name, "a score sheet must be a .csv or .xlsx file")


def read_score_sheet(
    content: bytes,
    name: str,
    matrix: PrioritiesConfig,
    candidate_ids: Sequence[str],
    *,
    scorer: str | None = None,
) -> dict[str, list[ScoreEntry]]:
    """A score sheet (CSV or Excel) checked whole: scorer -> scores, or :class:`ScoreSheetError`.

    Columns: ``candidate`` (id), one per criterion (id or name), and
    optionally ``title`` (ignored), ``comment`` and ``scorer`` (needed when
    ``scorer`` is not given; when given, the column may only repeat it).
    Rules: every criterion has a column; no unknown column; each row names a
    candidate of the round, once per scorer; each score is a whole number on
    its criterion's scale, or blank (not scored). Rows count as in a
    spreadsheet: the header is row 1.
    """
    if len(content) > MAX_SHEET_BYTES:
        raise InputFileError(name, f"the score sheet is larger than {MAX_SHEET_BYTES // 1024} KB")
    frame = _sheet_frame(content, name)
    problems: list[SheetProblem] = []
    by_name = {c.name.strip().lower(): c.id for c in matrix.criteria}
    by_id = {c.id: c for c in matrix.criteria}
    columns: dict[str, str] = {}
    for original in frame.columns:
        key = str(original).strip().lower()
        target = key if key in by_id else by_name.get(key, key)
        if target in columns:
            problems.append(SheetProblem(name, 1, str(original), "column repeated"))
        columns[target] = str(original)
    allowed = {"candidate", "title", "comment", "scorer", *by_id}
    for target, original in columns.items():
        if target not in allowed:
            problems.append(
                SheetProblem(
                    name,
                    1,
                    original,
                    "unknown column (expected candidate, a criterion id, title, comment or scorer)",
                )
            )
    for needed in ["candidate", *by_id]:
        if needed not in columns:
            problems.append(SheetProblem(name, 1, needed, "missing column"))
    if scorer is None and "scorer" not in columns:
        problems.append(SheetProblem(name, 1, "scorer", "missing column (or give the scorer)"))
    if problems:
        raise ScoreSheetError(name, problems)
    known = set(candidate_ids)
    found: dict[str, list[ScoreEntry]] = {}
    seen: dict[tuple[str, str], int] = {}
    cells = frame.rename(columns={v: k for k, v in columns.items()}).astype(str)
    for number, row in enumerate(cells.to_dict("records"), start=2):
        candidate = row["candidate"].strip()
        who = row.get("scorer", "").strip() if "scorer" in row else ""
        if scorer is not None:
            if who and who != scorer:
                problems.append(
                    SheetProblem(name, number, columns["scorer"], f"must be you ({scorer})", who)
                )
            who = scorer
        elif not who:
            problems.append(SheetProblem(name, number, columns["scorer"], "scorer is empty"))
        if not candidate:
            if not any(row[c].strip() for c in by_id):
                continue  # a blank line
            problems.append(SheetProblem(name, number, columns["candidate"], "candidate is empty"))
            continue
        if candidate not in known:
            problems.append(
                SheetProblem(
                    name, number, columns["candidate"], "not a candidate of the round", candidate
                )
            )
            continue
        first = seen.setdefault((who, candidate), number)
        if first != number:
            problems.append(
                SheetProblem(
                    name,
                    number,
                    columns["candidate"],
                    f"listed twice (first on row {first})",
                    candidate,
                )
            )
            continue
        comment = row.get("comment", "").strip()[:2000]
        for criterion_id, criterion in by_id.items():
            text = row[criterion_id].strip()
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                value = float("nan")
            low, high = criterion.scale_min, criterion.scale_max
            if not (value.is_integer() and low <= value <= high):
                problems.append(
                    SheetProblem(
                        name,
                        number,
                        columns[criterion_id],
                        f"score must be a whole number from {low} to {high}",
                        text,
                    )
                )
                continue
            found.setdefault(who, []).append(
                ScoreEntry(candidate, criterion_id, int(value), comment)
            )
    if problems:
        raise ScoreSheetError(name, problems)
    if not found:
        raise ScoreSheetError(
            name, [SheetProblem(name, 2, "candidate", "the sheet holds no scores")]
        )
    return found
