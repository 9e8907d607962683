"""OHID Fingertips API data files: the CSV of ``/api/all_data/csv/...`` and the site downloads.

Columns ``Indicator ID, Indicator Name, Parent Code, Area Code, Area Name,
Area Type, Sex, Age, Category Type, Category, Time period, Value, Lower CI
95.0 limit, Upper CI 95.0 limit, Lower CI 99.8 limit, Upper CI 99.8 limit,
Count, Denominator, Value note, ...``. The declaration's column mapping may
override any of them; the four below must be present.
"""

from __future__ import annotations

from pathlib import Path

from jsna.content.sources import Source
from jsna.errors import InputFileError

from ..problems import Limits
from .base import RawTable
from .csv import read_csv

__all__ = ["REQUIRED", "read_fingertips"]

REQUIRED = ("Indicator ID", "Area Code", "Time period", "Value")
"""Columns without which a file is not Fingertips data."""


def read_fingertips(path: Path, source: Source, limits: Limits) -> RawTable:
    """Read a Fingertips data CSV; a file without its key columns is refused as not Fingertips."""
    table = read_csv(path, source, limits)
    missing = [name for name in REQUIRED if name not in table.frame.columns]
    overridden = set(source.columns.used().values())
    if missing and not overridden:
        raise InputFileError(
            path,
            "not a Fingertips data file: no column " + ", ".join(repr(m) for m in missing),
            row=1,
        )
    return table
