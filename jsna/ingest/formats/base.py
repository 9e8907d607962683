"""What every adapter returns, and the checks every file goes through before it is parsed."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from jsna.errors import InputFileError

from ..problems import Limits

__all__ = ["CHUNK", "RawTable", "check_encoding", "check_size", "text_frame"]

CHUNK = 1 << 20


@dataclass(frozen=True)
class RawTable:
    """The cells of a file as texts ("" when empty), with the row number of each in the file."""

    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    header_row: int = 1


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def check_size(path: Path, limits: Limits) -> None:
    """Refuse missing, empty or too-large files before reading a byte of them."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputFileError(path, f"cannot read the file ({error.strerror})") from error
    if not path.is_file():
        raise InputFileError(path, "not a file")
    if size == 0:
        raise InputFileError(path, "the file is empty")
    if size > limits.max_file_bytes:
        raise InputFileError(
            path,
            f"the file is {_megabytes(size)}, larger than the limit of "
            f"{_megabytes(limits.max_file_bytes)}: split it, or raise the limit "
            "(--max-file-mb)",
        )


def check_encoding(path: Path, encoding: str) -> str:
    """The codec to read ``path`` with; refuses text that is not in ``encoding``.

    The message names the file and the byte offset of the first bad byte.
    A UTF-8 byte-order mark is accepted (and dropped).
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError as error:
        raise InputFileError(path, f"unknown encoding {encoding!r} declared") from error
    name = info.name
    with path.open("rb") as handle:
        start = handle.read(3)
        if name == "utf-8" and start == codecs.BOM_UTF8:
            name = "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(name)(errors="strict")
        offset = 0
        while True:
            chunk = handle.read(CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                raise InputFileError(
                    path,
                    f"not valid {encoding} text: bad byte {error.object[error.start]:#04x} at "
                    f"byte offset {offset + error.start}; save the file as {encoding}, or "
                    "declare its encoding (e.g. encoding: cp1252)",
                ) from error
            if not chunk:
                return name
            offset += len(chunk)


def text_frame(records: list[list[object]], header: list[str]) -> pd.DataFrame:
    """A frame of texts from rows of cells (None becomes "")."""
    width = len(header)
    cells = [[_text(cell) for cell in (row + [None] * width)[:width]] for row in records]
    return pd.DataFrame(cells, columns=header, dtype=object)


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
