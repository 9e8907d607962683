"""The data mirror's file layout, for tests only (the package knows no place or folder).

Moved out of ``jsna.geography`` when projects began to declare their geography
in ``jsna.yml``: these helpers read the England-wide and Trafford files the way
the Trafford fixture project declares them, so the reader tests stay short.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jsna.geography import BoundaryFile, Geography, read_boundary_files
from jsna.geography.lookups import (
    read_gp_practices,
    read_lsoa11_hierarchy,
    read_lsoa11_to_lsoa21,
    read_lsoa21_to_ward,
    read_lsoa21_to_ward22_bestfit,
    read_ltla_to_utla,
    read_oa_lsoa_msoa,
    read_regions,
)

ENGLAND_FILES = {
    "lsoa11_to_lsoa21": "lookups/lsoa11_to_lsoa21_ltla22_england.csv",
    "lsoa11_hierarchy": "lookups/lsoa11_to_msoa11_ward17_ltla22_england.csv",
    "lsoa21_to_ward24": "lookups/lsoa21_to_ward24_ltla24_england.csv",
    "ltla_to_utla": "lookups/ltla23_to_utla23_england.csv",
    "regions": "population/ons_mye_mid2019_mid2020_england_areas.csv",
    "gp_practices": "services/gp_practices_england_qof2023_24.csv",
}
"""England files, relative to ``<mirror>/england``."""

TRAFFORD_FILES = {
    "oa_lsoa_msoa": "lookups/trafford_oa21_lsoa21_msoa21.csv",
    "lsoa21_to_ward22": "lookups/trafford_lsoa21_to_ward2022_bestfit.csv",
    "lsoa21_to_ward23": "lookups/trafford_lsoa21_to_ward2023.csv",
}
"""Trafford files, relative to ``<mirror>/trafford``."""


def _file(path: str, kind: str, code: str, name: str, tolerance: float = 25) -> BoundaryFile:
    return BoundaryFile(path, kind, code, name, tolerance)


BOUNDARY_FILES = (
    _file("trafford/boundaries/trafford_lsoa_2011.geojson", "lsoa11", "lsoa11_code", "lsoa11_name"),
    _file("trafford/boundaries/trafford_lsoa_2021.geojson", "lsoa21", "lsoa21_code", "lsoa21_name"),
    _file("trafford/boundaries/trafford_msoa_2011.geojson", "msoa11", "msoa11_code", "msoa11_name"),
    _file("trafford/boundaries/trafford_msoa_2021.geojson", "msoa21", "msoa21_code", "msoa21_name"),
    _file(
        "trafford/boundaries/trafford_wards_2022_pre2023.geojson",
        "ward22",
        "ward_code",
        "ward_name",
    ),
    _file("trafford/boundaries/trafford_wards_2023.geojson", "ward23", "ward_code", "ward_name"),
    _file(
        "trafford/boundaries/trafford_local_authority_2023.geojson",
        "ltla23",
        "lad_code",
        "lad_name",
    ),
    _file(
        "england/boundaries/ltla_2024_england_buc.geojson",
        "ltla24",
        "ltla24_code",
        "ltla24_name",
        250,
    ),
    _file(
        "england/boundaries/utla_2021_england_buc.geojson",
        "utla21",
        "utla21_code",
        "utla21_name",
        250,
    ),
)
"""The boundary files of the data mirror (paths relative to it)."""


def read_england(folder: Path | str) -> Geography:
    """Every England lookup under ``folder`` (the mirror's ``england`` folder), every row."""
    folder = Path(folder)
    return Geography.combine(
        read_lsoa21_to_ward(folder / ENGLAND_FILES["lsoa21_to_ward24"]),
        read_lsoa11_to_lsoa21(folder / ENGLAND_FILES["lsoa11_to_lsoa21"]),
        read_lsoa11_hierarchy(folder / ENGLAND_FILES["lsoa11_hierarchy"]),
        read_ltla_to_utla(folder / ENGLAND_FILES["ltla_to_utla"]),
        read_regions(folder / ENGLAND_FILES["regions"]),
        read_gp_practices(folder / ENGLAND_FILES["gp_practices"]),
    )


def read_trafford(folder: Path | str) -> Geography:
    """Trafford's own lookups under ``folder`` (the mirror's ``trafford`` folder)."""
    folder = Path(folder)
    return Geography.combine(
        read_oa_lsoa_msoa(folder / TRAFFORD_FILES["oa_lsoa_msoa"]),
        read_lsoa21_to_ward(folder / TRAFFORD_FILES["lsoa21_to_ward23"], "ward23", "ltla23"),
        read_lsoa21_to_ward22_bestfit(folder / TRAFFORD_FILES["lsoa21_to_ward22"]),
    )


def mirror_boundaries(
    mirror: Path | str, files: tuple[BoundaryFile, ...] = BOUNDARY_FILES
) -> pd.DataFrame:
    """Boundary rows for every file of ``files`` under the data mirror."""
    return read_boundary_files(files, mirror)
