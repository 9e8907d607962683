"""Custom areas: groups of standard areas, points in polygons, and population apportioning.

Three ways to define an area the ONS does not publish, each giving membership
rows (see :mod:`jsna.geography.frames`) that :func:`jsna.geography.aggregate.aggregate_counts`
uses to sum counts:

- :class:`AreaList`: each custom area is a list of standard area codes (Trafford's
  four localities as lists of 2023 wards): method ``custom``, weight 1, exact
  when the members are the units the data are published for;
- :class:`PointsInPolygons`: points (GP practices, postcodes) given to the polygon
  they fall in (geopandas ``sjoin``, predicate ``within``): method ``point_in_polygon``;
- :class:`Apportion`: areas that do not nest (a catchment, old wards from new
  LSOAs) are built from the smallest units. A unit's weight is the share of its
  residents inside the target, estimated by the share of its residential
  postcodes (points) that fall inside; with ``best_fit=True`` each unit instead
  goes whole to the target holding most of it (method ``best_fit``). A unit
  wholly inside one target gets weight 1 and method ``point_in_polygon``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from .frames import MEMBERSHIP_COLUMNS
from .registry import AREA_TYPES, area_type

__all__ = [
    "Apportion",
    "AreaList",
    "PointsInPolygons",
    "chain",
    "custom_area_memberships",
    "reweight",
]

EXACT_METHODS = ("lookup", "custom", "point_in_polygon")
"""Membership methods after which a sum is exact (for the data's own units)."""
_RANK = {"lookup": 0, "custom": 0, "point_in_polygon": 0, "best_fit": 1, "apportioned": 2}


@dataclass(frozen=True)
class AreaList:
    """Custom areas as lists of standard areas: ``{"North": ["E05015247", ...], ...}``."""

    area_type: str
    """Type code of the custom areas, e.g. ``locality``."""
    member_type: str
    """Standard type of the members, e.g. ``ward23``."""
    members: Mapping[str, Sequence[str]]
    """Custom area code -> member codes."""
    known: Sequence[str] | None = None
    """If given, every member must be one of these codes (e.g. the wards loaded)."""


@dataclass(frozen=True)
class PointsInPolygons:
    """Points (code, lon, lat) assigned to the polygon (code, geometry) they fall in."""

    point_type: str
    points: pd.DataFrame
    """Columns ``code``, ``lon``, ``lat`` (WGS84)."""
    polygon_type: str
    polygons: gpd.GeoDataFrame
    """Columns ``code`` and geometry (any CRS; set)."""


@dataclass(frozen=True)
class Apportion:
    """Targets built from smallest units (e.g. LSOA 2021) by the share of residents inside."""

    unit_type: str
    target_type: str
    targets: gpd.GeoDataFrame
    """Columns ``code`` and geometry of the target areas."""
    residents: pd.DataFrame
    """Points standing for residents: ``unit_code``, ``lon``, ``lat`` (e.g. postcodes with their LSOA)."""
    best_fit: bool = False
    """Give each unit whole to the target holding most of its residents."""
    min_share: float = field(default=0.0)
    """Shares at or below this are dropped (and the rest rescaled to the unit's covered share)."""


def _check_codes(type_code: str, codes: Sequence[str], what: str) -> None:
    kind = area_type(type_code)
    bad = [code for code in codes if not kind.accepts(code)]
    if bad:
        raise ValueError(f"{what}: {', '.join(map(repr, bad[:5]))} not {kind.rule()} ({type_code})")


def _from_list(definition: AreaList) -> pd.DataFrame:
    if definition.area_type in AREA_TYPES:
        raise ValueError(f"custom area type {definition.area_type!r} is a standard type")
    rows = [
        (definition.member_type, member, definition.area_type, code, 1.0, "custom")
        for code, members in definition.members.items()
        for member in members
    ]
    out = pd.DataFrame(rows, columns=MEMBERSHIP_COLUMNS)
    _check_codes(definition.member_type, list(out["child_code"]), "members")
    if definition.known is not None:
        unknown = sorted(set(out["child_code"]) - set(definition.known))
        if unknown:
            raise ValueError(
                f"members not among the known {definition.member_type}: {', '.join(unknown)}"
            )
    twice = out[out.duplicated(["child_code"], keep=False)]
    if not twice.empty:
        pairs = twice.groupby("child_code")["parent_code"].agg(", ".join)
        listed = "; ".join(f"{child} in {parents}" for child, parents in pairs.items())
        raise ValueError(f"a member may belong to one custom area only: {listed}")
    return out


def _points_frame(points: pd.DataFrame, code: str) -> gpd.GeoDataFrame:
    usable = points.dropna(subset=["lon", "lat"])
    return gpd.GeoDataFrame(
        {code: usable[code].to_numpy()},
        geometry=gpd.points_from_xy(usable["lon"].astype(float), usable["lat"].astype(float)),
        crs="EPSG:4326",
    )


def _within(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.DataFrame:
    shapes = gpd.GeoDataFrame(
        {"target": polygons["code"].to_numpy()}, geometry=polygons.geometry.values, crs=polygons.crs
    ).to_crs("EPSG:4326")
    joined = gpd.sjoin(points, shapes, how="left", predicate="within")
    # a point on a shared edge can match two polygons: keep the first
    return pd.DataFrame(joined.drop(columns="geometry")).loc[lambda f: ~f.index.duplicated()]


def _from_points(definition: PointsInPolygons) -> pd.DataFrame:
    joined = _within(_points_frame(definition.points, "code"), definition.polygons).dropna(
        subset=["target"]
    )
    return pd.DataFrame(
        {
            "child_type": definition.point_type,
            "child_code": joined["code"].to_numpy(),
            "parent_type": definition.polygon_type,
            "parent_code": joined["target"].to_numpy(),
            "weight": 1.0,
            "method": "point_in_polygon",
        }
    )


def _apportioned(definition: Apportion) -> pd.DataFrame:
    points = _points_frame(definition.residents, "unit_code")
    joined = _within(points, definition.targets)
    totals = joined.groupby("unit_code").size()
    inside = joined.dropna(subset=["target"]).groupby(["unit_code", "target"]).size()
    share = (inside / totals.reindex(inside.index.get_level_values(0)).to_numpy()).rename("weight")
    out = share.reset_index()
    out = out[out["weight"] > definition.min_share]
    if definition.best_fit:
        top = out.sort_values(["unit_code", "weight", "target"], ascending=[True, False, True])
        out = top.drop_duplicates("unit_code").assign(weight=1.0, method="best_fit")
    else:
        out = out.assign(
            method=out["weight"].map(lambda w: "point_in_polygon" if w >= 1.0 else "apportioned")
        )
    return pd.DataFrame(
        {
            "child_type": definition.unit_type,
            "child_code": out["unit_code"].to_numpy(),
            "parent_type": definition.target_type,
            "parent_code": out["target"].to_numpy(),
            "weight": out["weight"].astype(float).to_numpy(),
            "method": out["method"].to_numpy(),
        }
    )


def custom_area_memberships(definition: AreaList | PointsInPolygons | Apportion) -> pd.DataFrame:
    """Membership rows (child -> custom or target area) for one custom-area definition."""
    if isinstance(definition, AreaList):
        return _from_list(definition)
    if isinstance(definition, PointsInPolygons):
        return _from_points(definition)
    if isinstance(definition, Apportion):
        return _apportioned(definition)
    raise TypeError(f"not a custom area definition: {type(definition).__name__}")


def chain(lower: pd.DataFrame, upper: pd.DataFrame) -> pd.DataFrame:
    """Memberships of ``lower``'s children in ``upper``'s parents (e.g. LSOA -> ward -> locality).

    Weights multiply (and add up over routes); the method is the least exact of the two
    steps (apportioned > best_fit > exact), and ``upper``'s method when both are exact.
    """
    merged = lower.merge(
        upper,
        left_on=["parent_type", "parent_code"],
        right_on=["child_type", "child_code"],
        suffixes=("", "_up"),
    )
    rank = merged["method"].map(_RANK).combine(merged["method_up"].map(_RANK), max)
    method = rank.map({1: "best_fit", 2: "apportioned"}).fillna(merged["method_up"])
    out = pd.DataFrame(
        {
            "child_type": merged["child_type"],
            "child_code": merged["child_code"],
            "parent_type": merged["parent_type_up"],
            "parent_code": merged["parent_code_up"],
            "weight": merged["weight"] * merged["weight_up"],
            "method": method,
        }
    )
    keys = ["child_type", "child_code", "parent_type", "parent_code"]
    return out.groupby(keys, as_index=False, sort=False).agg(
        weight=("weight", "sum"), method=("method", lambda m: max(m, key=_RANK.__getitem__))
    )[MEMBERSHIP_COLUMNS]


def reweight(memberships: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Apportioned weights replaced by the parents' population shares (e.g. LSOA 2011 splits).

    For each child with ``apportioned`` rows, weight = population of the parent
    / population of all the child's apportioned parents. This is right when the
    parents lie wholly inside the child (an ONS split, change code S). Children
    with a parent missing from ``population`` (indexed by code) keep their weights.
    """
    out = memberships.copy()
    shared = out["method"] == "apportioned"
    people = out["parent_code"].map(population).where(shared)
    group = out["child_type"] + "\x1f" + out["child_code"]
    complete = people.notna().groupby(group).transform("all") & shared
    totals = people.groupby(group).transform("sum")
    usable = complete & (totals > 0)
    out.loc[usable, "weight"] = (people[usable] / totals[usable]).astype(float)
    return out
