"""Readers for the ONS lookup file layouts, one per ``reader:`` a project may declare.

Each reader checks every code against its area type and returns a
:class:`~jsna.geography.frames.Geography`. Files and their columns are those
described in ``SOURCES.md`` of the data mirror. Which files a project reads is
declared in its ``jsna.yml`` (``geographies: lookups:``), never built in here:
:func:`read_lookup` reads one by reader name. ``only`` keeps the rows of some
local authorities (a JSNA for one authority loads its own LSOAs and wards) while
every local authority of the file is still loaded as an area.

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

from collections.abc import Callable, Collection
from pathlib import Path

import pandas as pd

from jsna.errors import InputFileError

from .codes import check_codes, read_table
from .frames import Geography, areas_of, edges

__all__ = [
    "READERS",
    "read_gp_practices",
    "read_lookup",
    "read_lsoa11_hierarchy",
    "read_lsoa11_to_lsoa21",
    "read_lsoa21_to_ward",
    "read_lsoa21_to_ward22_bestfit",
    "read_ltla_to_utla",
    "read_oa_lsoa_msoa",
    "read_regions",
]

Only = Collection[str]
"""Local-authority codes whose rows a reader keeps (empty: every row)."""


def _only(path: Path, frame: pd.DataFrame, column: str, only: Only) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is one of ``only`` (all rows if ``only`` is empty)."""
    if not only:
        return frame
    absent = sorted(set(only) - set(frame[column]))
    if absent:
        raise InputFileError(
            path,
            f"no rows for {', '.join(absent)} (only) in this file",
            column=column,
        )
    return frame[frame[column].isin(set(only))]


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


def read_lsoa11_to_lsoa21(path: Path | str, *, only: Only = ()) -> Geography:
    """LSOA 2011 -> LSOA 2021 (weights by change code) and LSOA 2021 -> LTLA 2022."""
    path = Path(path)
    cols = ["lsoa11_code", "lsoa11_name", "change_code", "lsoa21_code", "lsoa21_name"]
    whole = read_table(path, [*cols, "ltla22_code", "ltla22_name"])
    check_codes(
        path, whole, {"lsoa11_code": "lsoa11", "lsoa21_code": "lsoa21", "ltla22_code": "ltla22"}
    )
    bad = ~whole["change_code"].isin(["U", "S", "M", "X"])
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputFileError(
            path,
            f"{whole['change_code'].iloc[row]!r} is not a change code (U, S, M or X)",
            row=row + 2,
            column="change_code",
        )
    _nested(path, whole, "lsoa21_code", "ltla22_code")
    count = whole.groupby("lsoa11_code")["lsoa11_code"].transform("size")
    weight = 1.0 / count
    method = pd.Series("lookup", index=whole.index)
    method[(count > 1) & whole["change_code"].isin(["S", "X"])] = "apportioned"
    method[(count == 1) & (whole["change_code"] == "X")] = "best_fit"
    frame = _only(path, whole.assign(_w=weight, _m=method), "ltla22_code", only)
    links = []
    for name, part in frame.groupby("_m", sort=True):
        links.append(
            edges(part, ("lsoa11", "lsoa11_code"), ("lsoa21", "lsoa21_code"), str(name), part["_w"])
        )
    links.append(edges(frame, ("lsoa21", "lsoa21_code"), ("ltla22", "ltla22_code"), "lookup"))
    areas = [
        areas_of(frame, "lsoa11", "lsoa11_code", "lsoa11_name"),
        areas_of(frame, "lsoa21", "lsoa21_code", "lsoa21_name"),
        areas_of(whole, "ltla22", "ltla22_code", "ltla22_name"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_lsoa11_hierarchy(path: Path | str, *, only: Only = ()) -> Geography:
    """LSOA 2011 -> MSOA 2011 (exact), -> ward 2017 (best fit) and -> LTLA 2022 (exact).

    MSOA 2011 are not linked to LTLA 2022: three of them (e.g. E02004993, Welwyn
    Hatfield 014) straddle the 2021 St Albans / Welwyn Hatfield boundary change.
    """
    path = Path(path)
    columns = ["lsoa11_code", "lsoa11_name", "msoa11_code", "msoa11_name", "ward17_code"]
    whole = read_table(path, [*columns, "ltla22_code", "ltla22_name"])
    check_codes(
        path,
        whole,
        {
            "lsoa11_code": "lsoa11",
            "msoa11_code": "msoa11",
            "ward17_code": "ward17",
            "ltla22_code": "ltla22",
        },
    )
    _nested(path, whole, "lsoa11_code", "msoa11_code")
    _nested(path, whole, "lsoa11_code", "ltla22_code")
    frame = _only(path, whole, "ltla22_code", only)
    links = [
        edges(frame, ("lsoa11", "lsoa11_code"), ("msoa11", "msoa11_code"), "lookup"),
        edges(frame, ("lsoa11", "lsoa11_code"), ("ward17", "ward17_code"), "best_fit"),
        edges(frame, ("lsoa11", "lsoa11_code"), ("ltla22", "ltla22_code"), "lookup"),
    ]
    areas = [
        areas_of(frame, "lsoa11", "lsoa11_code", "lsoa11_name"),
        areas_of(frame, "msoa11", "msoa11_code", "msoa11_name"),
        areas_of(frame, "ward17", "ward17_code", None),
        areas_of(whole, "ltla22", "ltla22_code", "ltla22_name"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_lsoa21_to_ward(
    path: Path | str, ward_type: str = "ward24", ltla_type: str = "ltla24", *, only: Only = ()
) -> Geography:
    """LSOA 2021 -> ward (best fit) -> LTLA (exact), and LSOA 2021 -> LTLA (exact).

    The ONS layout (``lsoa21_code``, ``ward24_code``, ``ltla24_code`` with names)
    serves the England 2024 file and local extracts of other vintages
    (``ward_type="ward23"``, ``ltla_type="ltla23"``).
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
    whole = read_table(path, columns)
    check_codes(
        path, whole, {"lsoa21_code": "lsoa21", "ward24_code": ward_type, "ltla24_code": ltla_type}
    )
    _nested(path, whole, "lsoa21_code", "ward24_code")
    _nested(path, whole, "ward24_code", "ltla24_code")
    frame = _only(path, whole, "ltla24_code", only)
    links = [
        edges(frame, ("lsoa21", "lsoa21_code"), (ward_type, "ward24_code"), "best_fit"),
        edges(frame, (ward_type, "ward24_code"), (ltla_type, "ltla24_code"), "lookup"),
        edges(frame, ("lsoa21", "lsoa21_code"), (ltla_type, "ltla24_code"), "lookup"),
    ]
    areas = [
        areas_of(frame, "lsoa21", "lsoa21_code", "lsoa21_name"),
        areas_of(frame, ward_type, "ward24_code", "ward24_name"),
        areas_of(whole, ltla_type, "ltla24_code", "ltla24_name"),
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


def read_oa_lsoa_msoa(path: Path | str, *, only: Only = ()) -> Geography:
    """Output area 2021 -> LSOA 2021 -> MSOA 2021 -> LTLA 2022, all exact (ONS ``*cd`` layout)."""
    path = Path(path)
    columns = ["oa21cd", "lsoa21cd", "lsoa21nm", "msoa21cd", "msoa21nm", "lad22cd", "lad22nm"]
    whole = read_table(path, columns)
    check_codes(
        path,
        whole,
        {"oa21cd": "oa21", "lsoa21cd": "lsoa21", "msoa21cd": "msoa21", "lad22cd": "ltla22"},
    )
    _nested(path, whole, "lsoa21cd", "msoa21cd")
    _nested(path, whole, "msoa21cd", "lad22cd")
    frame = _only(path, whole, "lad22cd", only)
    links = [
        edges(frame, ("oa21", "oa21cd"), ("lsoa21", "lsoa21cd"), "lookup"),
        edges(frame, ("lsoa21", "lsoa21cd"), ("msoa21", "msoa21cd"), "lookup"),
        edges(frame, ("msoa21", "msoa21cd"), ("ltla22", "lad22cd"), "lookup"),
    ]
    areas = [
        areas_of(frame, "oa21", "oa21cd", None),
        areas_of(frame, "lsoa21", "lsoa21cd", "lsoa21nm"),
        areas_of(frame, "msoa21", "msoa21cd", "msoa21nm"),
        areas_of(whole, "ltla22", "lad22cd", "lad22nm"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_lsoa21_to_ward22_bestfit(path: Path | str, *, only: Only = ()) -> Geography:
    """LSOA 2021 -> pre-May-2023 ward (best fit) -> LTLA 2022 (exact), ONS ``*cd`` layout."""
    path = Path(path)
    columns = ["lsoa21cd", "lsoa21nm", "wd22cd", "wd22nm", "lad22cd", "lad22nm"]
    whole = read_table(path, columns)
    check_codes(path, whole, {"lsoa21cd": "lsoa21", "wd22cd": "ward22", "lad22cd": "ltla22"})
    _nested(path, whole, "lsoa21cd", "wd22cd")
    _nested(path, whole, "wd22cd", "lad22cd")
    frame = _only(path, whole, "lad22cd", only)
    links = [
        edges(frame, ("lsoa21", "lsoa21cd"), ("ward22", "wd22cd"), "best_fit"),
        edges(frame, ("ward22", "wd22cd"), ("ltla22", "lad22cd"), "lookup"),
    ]
    areas = [
        areas_of(frame, "lsoa21", "lsoa21cd", "lsoa21nm"),
        areas_of(frame, "ward22", "wd22cd", "wd22nm"),
        areas_of(whole, "ltla22", "lad22cd", "lad22nm"),
    ]
    return Geography(pd.concat(areas, ignore_index=True), pd.concat(links, ignore_index=True))


def read_gp_practices(path: Path | str, *, only: Only = ()) -> Geography:
    """GP practice -> PCN and GP practice -> sub-ICB (the England QOF 2023/24 practice list).

    A PCN code of ``U`` alone means "no PCN" upstream: that practice gets no PCN
    link. ``only`` keeps the practices whose ``lad25_code`` is one of these LAs.
    """
    path = Path(path)
    columns = ["practice_code", "practice_name", "pcn_ods_code", "pcn_name"]
    columns += ["sub_icb_ons_code", "sub_icb_name"] + (["lad25_code"] if only else [])
    whole = read_table(path, columns)
    check_codes(path, whole, {"practice_code": "gp_practice", "sub_icb_ons_code": "sub_icb"})
    check_codes(path, whole[whole["pcn_ods_code"] != "U"], {"pcn_ods_code": "pcn"})
    _nested(path, whole, "practice_code", "sub_icb_ons_code")
    frame = _only(path, whole, "lad25_code", only) if only else whole
    in_pcn = frame[frame["pcn_ods_code"] != "U"]
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


def _lsoa21_to_ward(
    path: Path, only: Only, ward_type: str | None, ltla_type: str | None
) -> Geography:
    return read_lsoa21_to_ward(path, ward_type or "ward24", ltla_type or "ltla24", only=only)


def _plain(
    reader: Callable[..., Geography],
) -> Callable[[Path, Only, str | None, str | None], Geography]:
    def read(path: Path, only: Only, _ward: str | None, _ltla: str | None) -> Geography:
        return reader(path, only=only) if only else reader(path)

    return read


READERS: dict[str, Callable[[Path, Only, str | None, str | None], Geography]] = {
    "lsoa21_to_ward": _lsoa21_to_ward,
    "lsoa11_to_lsoa21": _plain(read_lsoa11_to_lsoa21),
    "lsoa11_hierarchy": _plain(read_lsoa11_hierarchy),
    "ltla_to_utla": _plain(read_ltla_to_utla),
    "regions": _plain(read_regions),
    "oa_lsoa_msoa": _plain(read_oa_lsoa_msoa),
    "lsoa21_to_ward22_bestfit": _plain(read_lsoa21_to_ward22_bestfit),
    "gp_practices": _plain(read_gp_practices),
}
"""Each lookup layout by the name a project declares it with (``reader:`` in ``jsna.yml``)."""


def read_lookup(
    reader: str,
    path: Path | str,
    *,
    only: Only = (),
    ward_type: str | None = None,
    ltla_type: str | None = None,
) -> Geography:
    """Read one lookup file with the reader named ``reader`` (a key of :data:`READERS`).

    ``only`` keeps the rows of these local authorities (every LA is still an
    area); ``ward_type``/``ltla_type`` give the vintage of an ``lsoa21_to_ward`` file.
    """
    try:
        read = READERS[reader]
    except KeyError:
        raise ValueError(f"unknown reader {reader!r}; known: {', '.join(READERS)}") from None
    if (ward_type or ltla_type) and reader != "lsoa21_to_ward":
        raise ValueError("ward_type and ltla_type are only for reader lsoa21_to_ward")
    if only and reader in ("ltla_to_utla", "regions"):
        raise ValueError(f"reader {reader} has no local-authority column to keep only some")
    return read(Path(path), tuple(only), ward_type, ltla_type)
