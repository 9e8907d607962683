"""Adapters: one module per file format, each turning a file into a :class:`RawTable` of texts.

Every adapter checks the size limit first and never evaluates anything in
the file (xlsx formulas are read as their saved values, never computed).
"""

from __future__ import annotations

from pathlib import Path

from jsna.content.sources import Source

from ..problems import Limits
from .base import RawTable, check_size
from .csv import read_csv
from .fingertips import read_fingertips
from .geojson import read_geojson
from .xlsx import read_xlsx

__all__ = ["RawTable", "read_table"]

_READERS = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "geojson": read_geojson,
    "fingertips": read_fingertips,
}


def read_table(path: Path, source: Source, limits: Limits) -> RawTable:
    """Read ``path`` in the declared format of ``source`` into a table of texts."""
    check_size(path, limits)
    return _READERS[source.format](path, source, limits)
