"""Excel workbooks (.xlsx): one worksheet, header in the first row, saved values only."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
from openpyxl import load_workbook  # type: ignore[import-untyped]

from jsna.content.sources import Source
from jsna.errors import InputFileError

from ..problems import Limits
from .base import RawTable, text_frame

__all__ = ["read_xlsx"]


def read_xlsx(path: Path, source: Source, limits: Limits) -> RawTable:
    """Read the declared sheet (default the first); rows keep their sheet row numbers.

    Formulas are never computed: a formula cell gives the value Excel saved
    with it, and text cells are kept as text (checked like any other cell).
    """
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputFileError(path, f"not a readable xlsx workbook ({error})") from error
    try:
        if source.sheet is not None:
            if source.sheet not in workbook.sheetnames:
                raise InputFileError(
                    path,
                    f"no sheet {source.sheet!r}; sheets: {', '.join(workbook.sheetnames)}",
                )
            sheet = workbook[source.sheet]
        else:
            sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None:
            raise InputFileError(path, f"sheet {sheet.title!r} is empty")
        header = [str(cell).strip() if cell is not None else "" for cell in header_cells]
        records: list[list[object]] = []
        numbers: list[int] = []
        for number, cells in enumerate(rows, start=2):
            if all(cell is None or cell == "" for cell in cells):
                continue
            records.append(list(cells))
            numbers.append(number)
    finally:
        workbook.close()
    frame = text_frame(records, header)
    return RawTable(frame=frame, rows=np.asarray(numbers, dtype=np.int64))
