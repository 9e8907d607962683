"""CSV files (comma-separated, with a header row)."""

from __future__ import annotations

import csv as _csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from jsna.content.sources import Source
from jsna.errors import InputFileError

from ..problems import Limits
from .base import RawTable, check_encoding

__all__ = ["read_csv"]


def read_csv(path: Path, source: Source, limits: Limits) -> RawTable:
    """Every cell as text; rows are numbered as lines of the file (header = 1).

    Only the columns the declaration uses (mapped, filtered or unpivoted) are
    kept, so that wide England-wide files stay lean in memory; when none of
    them is in the file, every column is read (the checks then name the
    missing ones). A quoted cell spanning several lines shifts the numbers of
    the rows after it (rows are counted as records, not lines).
    """
    codec = check_encoding(path, source.encoding)
    frame = _read(path, codec, lambda name: source.wants_column(str(name).strip()))
    if frame.columns.empty:
        frame = _read(path, codec, None)
    frame = frame.astype(object)
    frame.columns = [str(name).strip() for name in frame.columns]
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return RawTable(frame=frame, rows=rows)


def _read(path: Path, codec: str, columns: Callable[[object], bool] | None) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding=codec,
            engine="c",
            skip_blank_lines=True,
            quoting=_csv.QUOTE_MINIMAL,
            usecols=columns,
        )
    except pd.errors.EmptyDataError as error:
        raise InputFileError(path, "no header row: the file has no columns") from error
    except (pd.errors.ParserError, ValueError) as error:
        raise InputFileError(path, f"not a readable CSV file: {error}") from error
