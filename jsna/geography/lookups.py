"""Readers for the ONS lookup files (England) and Trafford's own lookups.

Each reader checks every code against its area type and returns a
:class:`~jsna.geography.frames.Geography`. Files and their columns are those
described in ``SOURCES.md`` of the data mirror.

LSOA 2011 -> LSOA 2021 (``change_code``), with ``n`` = number of rows of the 2011 LSOA:

- ``U`` unchanged and ``M`` merged: the 2011 LSOA lies wholly in one 2021 LSOA:
  weight 1, method ``lookup`` (exact);
- ``S`` split: the 2011 LSOA is shared between its ``n`` 2021 LSOAs: weight 1/n,
  method ``apportioned`` (equal shares; :func:`jsna.geography.custom.reweight`
  replaces them by population shares when the 2021 LSOA populations are known);
- ``X`` irregular: weight 1/n, method ``apportioned`` when n > 1, else ``best_fit``
  (the whole 2011 LSOA is given to the 2021 LSOA it mostly falls in).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jsna.errors import InputFileError

from .codes import check_codes, read_table
from .frames import Geography, areas_of, edges

__all__ = [
    "ENGLAND_FILES",
    "TRAFFORD_FILES",
    "read_england",
    "read_gp_practices",
    "read_lsoa11_hierarchy",
    "read_lsoa11_to_lsoa21",
    "read_lsoa21_to_ward",
    "read_ltla_to_utla",
    "read_oa_lsoa_msoa",
    "read_regions",
    "read_trafford",
    "read_trafford_lsoa21_to_ward22",
]

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


def _nested(path: Path, frame: pd.DataFrame, child: str, parent: str) -> None:
    """Raise if a child code has more than one parent in a lookup that must nest."""
    pairs = frame[[child, parent]].drop_duplicates()
    repeated = pairs[child].duplicated(keep=False)
    if repeated.any():
        position = int(repeated.to_numpy().nonzero()[0][0])
        code = pairs[child].iloc[position]
        found = sorted(pairs.loc[pairs[child] == code, parent])
        raise InputFileError(
            path,
            f"{code} lies in {len(found)} different {parent} ({', '.join(found)}): "
            f"each {child} must lie in exactly one",
            row=int(pairs.index[position]) + 2,
            column=parent,
        )


def read_lsoa11_to_lsoa21(path: Path | str) -> Geography:
    """LSOA 2011 -> LSOA 2021 (weights by change code) and LSOA 2021 -> LTLA 2022."""
    path = Path(path)
    cols = ["lsoa11_code", "lsoa11_name", "change_code", "lsoa21_code", "lsoa21_name"]
    frame = read_table(path, [*cols, "ltla22_code", "ltla22_name"])
    check_codes(
        path, frame, {"lsoa11_code": "lsoa11", "lsoa21_code": "lsoa21", "ltla22_code": "ltla22"}
    )
    bad = ~frame["change_code"].isin(["U", "S", "M", "X"])
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputFileError(
            path,
            f"{frame['change_code'].iloc[row]!r} is not a change code (U, S, M or X)",
            row=row + 2,
            column="change_code",
        )
    count = frame.groupby("lsoa11_code")["lsoa11_code"].transform("size")
    weight = 1.0 / count
    method = pd.Series("lookup", index=frame.index)
    method[(count > 1) & frame["change_code"].isin(["S", "X"])] = "apportioned"
    method[(count == 1) & (frame["change_code"] == "X")] = "best_fit"
    links = []
    for name, part in frame.assign(_w=weight, _m=method).groupby("_m", sort=True):
        links.append(
            edges(part, ("lsoa11", "lsoa11_code"), ("lsoa21", "lsoa21_code"), str(name), part["_w"])
        )
    _nested(path, frame, "lsoa21_code", "ltla22_code")
    links.append(edges(frame, ("lsoa21", "lsoa21_code"), ("ltla22", "ltla22_code"), "lookup"))
    areas = [
        areas_of(frame, "lsoa11", "lsoa11_code", "lsoa11_name"),
        areas_of(frame, "lsoa21", "lsoa21_code", "lsoa21_name"),
        areas_of(frame, "ltla22", "ltla22_code", "ltla22_name"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_lsoa11_hierarchy(path: Path | str) -> Geography:
    """LSOA 2011 -> MSOA 2011 (exact), -> ward 2017 (best fit) and -> LTLA 2022 (exact).

    MSOA 2011 are not linked to LTLA 2022: three of them (e.g. E02004993, Welwyn
    Hatfield 014) straddle the 2021 St Albans / Welwyn Hatfield boundary change.
    """
    path = Path(path)
    columns = ["lsoa11_code", "lsoa11_name", "msoa11_code", "msoa11_name", "ward17_code"]
    frame = read_table(path, [*columns, "ltla22_code", "ltla22_name"])
    check_codes(
        path,
        frame,
        {
            "lsoa11_code": "lsoa11",
            "msoa11_code": "msoa11",
            "ward17_code": "ward17",
            "ltla22_code": "ltla22",
        },
    )
    _nested(path, frame, "lsoa11_code", "msoa11_code")
    _nested(path, frame, "lsoa11_code", "ltla22_code")
    links = [
        edges(frame, ("lsoa11", "lsoa11_code"), ("msoa11", "msoa11_code"), "lookup"),
        edges(frame, ("lsoa11", "lsoa11_code"), ("ward17", "ward17_code"), "best_fit"),
        edges(frame, ("lsoa11", "lsoa11_code"), ("ltla22", "ltla22_code"), "lookup"),
    ]
    areas = [
        areas_of(frame, "lsoa11", "lsoa11_code", "lsoa11_name"),
        areas_of(frame, "msoa11", "msoa11_code", "msoa11_name"),
        areas_of(frame, "ward17", "ward17_code", None),
        areas_of(frame, "ltla22", "ltla22_code", "ltla22_name"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_lsoa21_to_ward(
    path: Path | str, ward_type: str = "ward24", ltla_type: str = "ltla24"
) -> Geography:
    """LSOA 2021 -> ward (best fit) -> LTLA (exact), and LSOA 2021 -> LTLA (exact).

    The same file layout serves the England 2024 file and Trafford's 2023 extract
    (``ward_type="ward23"``, ``ltla_type="ltla23"``: Trafford's 2023 and 2024 codes agree).
    """
    path = Path(path)
    columns = [
        "lsoa21_code",
        "lsoa21_name",
        "ward24_code",
        "ward24_name",
        "ltla24_code",
        "ltla24_name",
    ]
    frame = read_table(path, columns)
    check_codes(
        path, frame, {"lsoa21_code": "lsoa21", "ward24_code": ward_type, "ltla24_code": ltla_type}
    )
    _nested(path, frame, "lsoa21_code", "ward24_code")
    _nested(path, frame, "ward24_code", "ltla24_code")
    links = [
        edges(frame, ("lsoa21", "lsoa21_code"), (ward_type, "ward24_code"), "best_fit"),
        edges(frame, (ward_type, "ward24_code"), (ltla_type, "ltla24_code"), "lookup"),
        edges(frame, ("lsoa21", "lsoa21_code"), (ltla_type, "ltla24_code"), "lookup"),
    ]
    areas = [
        areas_of(frame, "lsoa21", "lsoa21_code", "lsoa21_name"),
        areas_of(frame, ward_type, "ward24_code", "ward24_name"),
        areas_of(frame, ltla_type, "ltla24_code", "ltla24_name"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_ltla_to_utla(path: Path | str) -> Geography:
    """Lower-tier LA 2023 -> upper-tier LA 2023 (exact)."""
    path = Path(path)
    frame = read_table(path, ["ltla23_code", "ltla23_name", "utla23_code", "utla23_name"])
    check_codes(path, frame, {"ltla23_code": "ltla23", "utla23_code": "utla23"})
    _nested(path, frame, "ltla23_code", "utla23_code")
    areas = [
        areas_of(frame, "ltla23", "ltla23_code", "ltla23_name"),
        areas_of(frame, "utla23", "utla23_code", "utla23_name"),
    ]
    links = edges(frame, ("ltla23", "ltla23_code"), ("utla23", "utla23_code"), "lookup")
    return Geography(pd.concat(areas, ignore_index=True), links)


REGION_NAMES = {"EAST": "East of England", "YORKSHIRE AND THE HUMBER": "Yorkshire and The Humber"}


def read_regions(path: Path | str) -> Geography:
    """The 9 English regions and England (from the ONS MYE area list), region -> England.

    The mirror has no LA -> region lookup, so regions are not linked to LAs here.
    """
    path = Path(path)
    frame = read_table(path, ["year", "area_code", "area_name", "geography"])
    frame = frame[frame["geography"].isin(["Region", "Country"])]
    frame = frame[frame["year"] == frame["year"].max()].reset_index(drop=True)
    regions = frame[frame["geography"] == "Region"]
    check_codes(path, regions, {"area_code": "region"})
    country = frame[frame["geography"] == "Country"]
    check_codes(path, country, {"area_code": "country"})
    names = frame["area_name"].map(lambda n: REGION_NAMES.get(n, n.title()))
    areas = pd.DataFrame(
        {
            "area_type": frame["geography"].map({"Region": "region", "Country": "country"}),
            "code": frame["area_code"],
            "name": names.str.replace(" Of ", " of ").str.replace(" And ", " and "),
        }
    )
    links = pd.DataFrame(
        {
            "child_type": "region",
            "child_code": regions["area_code"],
            "parent_type": "country",
            "parent_code": country["area_code"].iloc[0],
            "weight": 1.0,
            "method": "lookup",
        }
    )
    return Geography(areas.reset_index(drop=True), links.reset_index(drop=True))


def read_oa_lsoa_msoa(path: Path | str) -> Geography:
    """Output area 2021 -> LSOA 2021 -> MSOA 2021 -> LTLA 2022, all exact (Trafford)."""
    path = Path(path)
    columns = ["oa21cd", "lsoa21cd", "lsoa21nm", "msoa21cd", "msoa21nm", "lad22cd", "lad22nm"]
    frame = read_table(path, columns)
    check_codes(
        path,
        frame,
        {"oa21cd": "oa21", "lsoa21cd": "lsoa21", "msoa21cd": "msoa21", "lad22cd": "ltla22"},
    )
    _nested(path, frame, "lsoa21cd", "msoa21cd")
    _nested(path, frame, "msoa21cd", "lad22cd")
    links = [
        edges(frame, ("oa21", "oa21cd"), ("lsoa21", "lsoa21cd"), "lookup"),
        edges(frame, ("lsoa21", "lsoa21cd"), ("msoa21", "msoa21cd"), "lookup"),
        edges(frame, ("msoa21", "msoa21cd"), ("ltla22", "lad22cd"), "lookup"),
    ]
    areas = [
        areas_of(frame, "oa21", "oa21cd", None),
        areas_of(frame, "lsoa21", "lsoa21cd", "lsoa21nm"),
        areas_of(frame, "msoa21", "msoa21cd", "msoa21nm"),
        areas_of(frame, "ltla22", "lad22cd", "lad22nm"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_trafford_lsoa21_to_ward22(path: Path | str) -> Geography:
    """Trafford LSOA 2021 -> pre-May-2023 ward (best fit) -> LTLA 2022 (exact)."""
    path = Path(path)
    columns = ["lsoa21cd", "lsoa21nm", "wd22cd", "wd22nm", "lad22cd", "lad22nm"]
    frame = read_table(path, columns)
    check_codes(path, frame, {"lsoa21cd": "lsoa21", "wd22cd": "ward22", "lad22cd": "ltla22"})
    _nested(path, frame, "lsoa21cd", "wd22cd")
    _nested(path, frame, "wd22cd", "lad22cd")
    links = [
        edges(frame, ("lsoa21", "lsoa21cd"), ("ward22", "wd22cd"), "best_fit"),
        edges(frame, ("ward22", "wd22cd"), ("ltla22", "lad22cd"), "lookup"),
    ]
    areas = [
        areas_of(frame, "lsoa21", "lsoa21cd", "lsoa21nm"),
        areas_of(frame, "ward22", "wd22cd", "wd22nm"),
        areas_of(frame, "ltla22", "lad22cd", "lad22nm"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_gp_practices(path: Path | str) -> Geography:
    """GP practice -> PCN and GP practice -> sub-ICB (the England QOF 2023/24 practice list).

    A PCN code of ``U`` alone means "no PCN" upstream: that practice gets no PCN link.
    """
    path = Path(path)
    columns = ["practice_code", "practice_name", "pcn_ods_code", "pcn_name"]
    frame = read_table(path, [*columns, "sub_icb_ons_code", "sub_icb_name"])
    check_codes(path, frame, {"practice_code": "gp_practice", "sub_icb_ons_code": "sub_icb"})
    in_pcn = frame[frame["pcn_ods_code"] != "U"]
    check_codes(path, in_pcn, {"pcn_ods_code": "pcn"})
    _nested(path, frame, "practice_code", "sub_icb_ons_code")
    links = [
        edges(in_pcn, ("gp_practice", "practice_code"), ("pcn", "pcn_ods_code"), "lookup"),
        edges(frame, ("gp_practice", "practice_code"), ("sub_icb", "sub_icb_ons_code"), "lookup"),
    ]
    areas = [
        areas_of(frame, "gp_practice", "practice_code", "practice_name"),
        areas_of(in_pcn, "pcn", "pcn_ods_code", "pcn_name"),
        areas_of(frame, "sub_icb", "sub_icb_ons_code", "sub_icb_name"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_england(folder: Path | str) -> Geography:
    """Every England lookup under ``folder`` (the mirror's ``england`` folder)."""
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
        read_trafford_lsoa21_to_ward22(folder / TRAFFORD_FILES["lsoa21_to_ward22"]),
    )
