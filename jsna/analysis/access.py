"""Access to pharmacies for a pharmaceutical needs assessment (PNA).

For every LSOA of the JSNA area: the distance from its centre to the nearest
pharmacy, how many pharmacies lie within each limit (1 km and 1.6 km, about
20 minutes' walk, by default) and, when the pharmacy list has opening hours,
the same for the pharmacies open on weekday evenings, on Saturday and on
Sunday. The residents of each LSOA (mid-year estimates) then give the share
of the population within reach, by ward and by deprivation decile (or any
area type the LSOAs belong to in the store).

Choices, said on every page that shows the results:

- **Centres.** There is no official population-weighted centre file in the
  open data, so an LSOA's centre is the mean of its postcode centroids (each
  postcode counts once, residential or not); an LSOA without postcodes falls
  back to a point inside its boundary (shapely's representative point).
- **Travel.** Straight-line distance on the British National Grid by default
  (:class:`jsna.analysis.travel.StraightLine`); a routing engine can supply
  travel times through the same :class:`~jsna.analysis.travel.TravelCosts`
  interface.
- **Edge effect.** Only the pharmacies on the area's own list are counted:
  people near the boundary may have a nearer pharmacy in a neighbouring
  area, so distances at the edges are upper bounds and shares lower bounds.

:func:`pharmacy_access` does it all from the store and the project's files;
:func:`access_by_origin` and :func:`summarise` are the vectorised maths
(hand-checkable on small frames).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, and_, select
from sqlalchemy.orm import aliased

from jsna.content.mirror import resolve_path
from jsna.content.project_files import Project
from jsna.errors import ContentError, InputFileError
from jsna.store.areas import areas_within
from jsna.store.results import published_results
from jsna.store.schema import area, area_membership, boundary

from .travel import Places, StraightLine, TravelCosts, places

__all__ = [
    "DAYS",
    "EDGE_NOTE",
    "AccessResult",
    "Scenario",
    "access_by_origin",
    "closing_minutes",
    "limit_key",
    "lsoa_centres",
    "opening_scenarios",
    "pharmacy_access",
    "read_pharmacies",
    "summarise",
]

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = DAYS[:5]
HOURS_PREFIX = "opening_hours_"
CLOSED = "CLOSED"
EDGE_NOTE = (
    "Only pharmacies on the area's own list are counted: people living near the boundary may "
    "have a nearer pharmacy just outside it, so their distances are upper bounds and the shares "
    "within reach lower bounds."
)
CENTRE_POSTCODES = "mean of postcode centroids"
CENTRE_POLYGON = "point inside the boundary"
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def limit_key(limit: float) -> str:
    """Column suffix of a limit: ``1.6`` -> ``1_6``, ``1`` -> ``1_0``."""
    return f"{limit:.1f}".replace(".", "_")


# --- pharmacies and their opening hours ------------------------------------------------------


def read_pharmacies(path: Path) -> pd.DataFrame:
    """The pharmacy list: ``name``, ``postcode``, ``lon``, ``lat`` and any ``opening_hours_<day>``.

    Every row needs a longitude and latitude inside Great Britain's box;
    the error names the file, row (as in a spreadsheet, header = row 1) and
    column of the first bad one.
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputFileError(path, f"cannot be read as CSV ({error})") from error
    for column in ("lon", "lat"):
        if column not in raw.columns:
            raise InputFileError(path, f"has no {column!r} column (pharmacy locations)")
    name = next((c for c in ("pharmacy_name", "name") if c in raw.columns), raw.columns[0])
    frame = pd.DataFrame({"name": raw[name], "postcode": raw.get("postcode", "")})
    for column, low, high in (("lon", -9.0, 2.5), ("lat", 49.0, 61.5)):
        values = pd.to_numeric(raw[column].str.strip(), errors="coerce")
        bad = values.isna() | ~values.between(low, high)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputFileError(
                path,
                f"must be a number from {low} to {high} (Great Britain); got {raw[column].iloc[row]!r}",
                row=row + 2,
                column=column,
            )
        frame[column] = values.to_numpy(dtype=float)
    for day in DAYS:
        column = HOURS_PREFIX + day
        if column in raw.columns:
            frame[column] = raw[column].str.strip()
    return frame


def closing_minutes(hours: pd.Series, *, path: Path | str = "", column: str = "") -> pd.Series:
    """Latest closing time of each day's hours in minutes after midnight (NaN when closed).

    Hours read ``09:00-18:00``, several spans separated by commas
    (``09:00-12:30,13:00-17:30``), or ``CLOSED`` (blank counts as closed).
    A span closing at or before it opens runs past midnight (``18:00-00:00``
    closes at 24:00).
    """
    text = hours.fillna("").astype(str).str.strip()
    closed = text.eq("") | text.str.upper().eq(CLOSED)
    spans = text[~closed].str.split(",").explode()
    parts = spans.str.extract(_SPAN).astype(float)
    bad = (
        parts.isna().any(axis=1)
        | (parts[[0, 2]] > 24).any(axis=1)
        | (parts[[1, 3]] > 59).any(axis=1)
    )
    if bad.any():
        label = bad[bad].index[0]
        row = int(hours.index.get_loc(label)) + 2
        raise InputFileError(
            path,
            f"opening hours must read like 09:00-18:00 (spans separated by commas) or CLOSED; "
            f"got {hours.loc[label]!r}",
            row=row,
            column=column or None,
        )
    opens = parts[0] * 60 + parts[1]
    closes = parts[2] * 60 + parts[3]
    closes = closes.where(closes > opens, closes + 24 * 60)
    latest = closes.groupby(level=0).max()
    return latest.reindex(hours.index)


@dataclass(frozen=True)
class Scenario:
    """A set of pharmacies (all, open on Sunday ...) whose reach is measured."""

    key: str
    """Column suffix (``all``, ``evening``, ``saturday``, ``sunday``)."""
    label: str
    """Words for readers ("open on Sunday")."""
    open: np.ndarray = field(repr=False)
    """Boolean mask over the pharmacies."""


def opening_scenarios(
    pharmacies: pd.DataFrame, evening_after: str, *, path: Path | str = ""
) -> list[Scenario]:
    """All pharmacies, then (when the list has their hours) those open on weekday evenings
    (closing after ``evening_after`` Monday to Friday), on Saturday and on Sunday."""
    scenarios = [Scenario("all", "any pharmacy", np.ones(len(pharmacies), dtype=bool))]
    columns = [HOURS_PREFIX + d for d in DAYS]
    if not all(c in pharmacies.columns for c in columns):
        return scenarios
    closing = {
        day: closing_minutes(pharmacies[HOURS_PREFIX + day], path=path, column=HOURS_PREFIX + day)
        for day in DAYS
    }
    hour, minute = (int(p) for p in evening_after.split(":"))
    cutoff = hour * 60 + minute
    evening = np.logical_and.reduce([(closing[d] > cutoff).to_numpy() for d in WEEKDAYS])
    scenarios.append(Scenario("evening", f"open after {evening_after} Monday to Friday", evening))
    for day in ("saturday", "sunday"):
        scenarios.append(Scenario(day, f"open on {day.title()}", closing[day].notna().to_numpy()))
    return scenarios


# --- the maths ----------------------------------------------------------------------------


def access_by_origin(
    origins: Places,
    pharmacies: Places,
    scenarios: Sequence[Scenario],
    limits: Sequence[float],
    travel: TravelCosts | None = None,
) -> pd.DataFrame:
    """For each origin: nearest cost, nearest position and counts within each limit, per scenario.

    Columns (``s`` a scenario key, ``L`` a :func:`limit_key`): ``cost_s``
    (``inf`` when the scenario has no pharmacy), ``nearest_s`` (position in
    ``pharmacies``, -1 for none) and ``count_s_L``. Positions are into the
    whole pharmacy list, whatever the scenario.
    """
    travel = travel or StraightLine()
    columns: dict[str, np.ndarray] = {}
    for scenario in scenarios:
        mask = np.asarray(scenario.open, dtype=bool)
        chosen = np.flatnonzero(mask)
        subset = Places(
            pharmacies.lon[chosen],
            pharmacies.lat[chosen],
            pharmacies.x[chosen],
            pharmacies.y[chosen],
        )
        cost, position = travel.nearest(origins, subset)
        columns[f"cost_{scenario.key}"] = cost
        columns[f"nearest_{scenario.key}"] = np.where(
            position >= 0, chosen[np.clip(position, 0, None)] if len(chosen) else -1, -1
        )
        for limit in limits:
            columns[f"count_{scenario.key}_{limit_key(limit)}"] = travel.count_within(
                origins, subset, limit
            )
    return pd.DataFrame(columns)


def summarise(
    frame: pd.DataFrame,
    by: str | None,
    scenarios: Sequence[str],
    limits: Sequence[float],
    *,
    weight: str = "population",
) -> pd.DataFrame:
    """Population reach by group (``by`` a column of group codes; None for one total row).

    Per group: ``lsoas`` (origins), ``population`` (summed ``weight``; origins
    without a population are left out of every share), and for each scenario
    ``s``: ``mean_cost_s`` (population-weighted mean cost to the nearest
    pharmacy of the scenario; NaN when none can be reached), ``max_cost_s``
    (the furthest origin), and for each limit ``L``: ``population_s_L`` and
    ``share_s_L`` (percent of the population whose origin is within ``L``).
    Grouped once (no loop over groups).
    """
    data = frame.copy()
    people = pd.to_numeric(data[weight], errors="coerce")
    data["_weight"] = people.fillna(0.0)
    data["_known"] = people.notna()
    key = data[by].astype(str) if by is not None else pd.Series("all", index=data.index)
    columns: dict[str, pd.Series] = {"_weight": data["_weight"]}
    costs = {s: data[f"cost_{s}"].replace(np.inf, np.nan) for s in scenarios}
    for scenario, cost in costs.items():
        columns[f"_weighted_{scenario}"] = cost * data["_weight"]
        columns[f"_costed_{scenario}"] = data["_weight"].where(cost.notna(), 0.0)
        for limit in limits:
            within = data[f"cost_{scenario}"] <= limit + 1e-9
            columns[f"population_{scenario}_{limit_key(limit)}"] = data["_weight"].where(
                within, 0.0
            )
    parts = pd.DataFrame(columns).groupby(key.to_numpy(), sort=True)
    sums = parts.sum()
    out = pd.DataFrame(index=sums.index)
    out["lsoas"] = key.groupby(key.to_numpy()).size().reindex(sums.index)
    out["population"] = sums["_weight"]
    for scenario, cost in costs.items():
        costed = sums[f"_costed_{scenario}"].replace(0, np.nan)
        out[f"mean_cost_{scenario}"] = sums[f"_weighted_{scenario}"] / costed
        out[f"max_cost_{scenario}"] = cost.groupby(key.to_numpy()).max().reindex(sums.index)
    for scenario in scenarios:
        for limit in limits:
            name = f"{scenario}_{limit_key(limit)}"
            out[f"population_{name}"] = sums[f"population_{name}"]
            out[f"share_{name}"] = (
                100 * sums[f"population_{name}"] / sums["_weight"].replace(0, np.nan)
            )
    out.index.name = by or "group"
    return out.reset_index()


# --- from the store and the project's files -------------------------------------------------


def lsoa_centres(shapes: pd.DataFrame, postcodes: pd.DataFrame | None) -> pd.DataFrame:
    """Centre of each area of ``shapes`` (``area_code``, ``geometry`` in WGS84).

    The mean longitude and latitude of the area's postcode centroids
    (``postcodes``: ``area_code``, ``lon``, ``lat``), else a point inside
    the area's boundary. Columns: ``area_code``, ``lon``, ``lat``,
    ``centre`` (how it was found), ``postcodes`` (how many were averaged).
    """
    out = pd.DataFrame({"area_code": shapes["area_code"].to_numpy()})
    inside = shapely.point_on_surface(np.asarray(shapes["geometry"]))
    out["lon"] = shapely.get_x(inside)
    out["lat"] = shapely.get_y(inside)
    out["centre"] = CENTRE_POLYGON
    out["postcodes"] = 0
    if postcodes is not None and not postcodes.empty:
        means = postcodes.groupby("area_code")[["lon", "lat"]].agg(["mean", "size"])
        found = out["area_code"].isin(means.index)
        codes = out.loc[found, "area_code"]
        out.loc[found, "lon"] = means.loc[codes, ("lon", "mean")].to_numpy()
        out.loc[found, "lat"] = means.loc[codes, ("lat", "mean")].to_numpy()
        out.loc[found, "centre"] = CENTRE_POSTCODES
        out.loc[found, "postcodes"] = means.loc[codes, ("lon", "size")].to_numpy()
    return out


@dataclass(frozen=True)
class AccessResult:
    """Everything the pages show: per LSOA, per pharmacy, and how it was measured."""

    origins: pd.DataFrame
    """One row per LSOA: ``area_code``, ``area_name``, ``population``, ``lon``, ``lat``,
    ``centre``, ``<by>_code``/``<by>_name`` per grouping area type, then the
    :func:`access_by_origin` columns."""
    pharmacies: pd.DataFrame
    """The pharmacy list with an ``open_<scenario>`` column per scenario."""
    scenarios: tuple[Scenario, ...]
    limits: tuple[float, ...]
    unit: str
    travel: str
    population_period: str


def _lsoas(connection: Connection, project: Project, area_type: str) -> pd.DataFrame:
    """The JSNA area's areas of ``area_type`` with names and boundaries (WGS84 geometry)."""
    config = project.config.area
    inside = areas_within(connection, config.code, config.area_type)
    query = (
        select(area.c.code, area.c.name, boundary.c.geojson)
        .join(boundary, boundary.c.area_id == area.c.id, isouter=True)
        .where(area.c.area_type == area_type)
        .order_by(area.c.code)
    )
    rows = [r for r in connection.execute(query) if r[0] in inside]
    return pd.DataFrame(
        {
            "area_code": [r[0] for r in rows],
            "area_name": [r[1] for r in rows],
            "geometry": shapely.from_geojson([r[2] for r in rows]) if rows else [],
        }
    )


def _parents(connection: Connection, area_type: str, parent_type: str) -> pd.DataFrame:
    """Each area of ``area_type``'s parent of ``parent_type`` (heaviest weight if several)."""
    child, parent = aliased(area), aliased(area)
    query = (
        select(child.c.code, parent.c.code, parent.c.name, area_membership.c.weight)
        .select_from(area_membership)
        .join(child, and_(child.c.id == area_membership.c.child_id, child.c.area_type == area_type))
        .join(
            parent,
            and_(parent.c.id == area_membership.c.parent_id, parent.c.area_type == parent_type),
        )
    )
    frame = pd.DataFrame(
        connection.execute(query).all(), columns=["area_code", "code", "name", "weight"]
    )
    frame = frame.sort_values(["area_code", "weight"], ascending=[True, False])
    frame = frame.drop_duplicates("area_code")
    return frame.rename(
        columns={"code": f"{parent_type}_code", "name": f"{parent_type}_name"}
    ).drop(columns="weight")


def _population(connection: Connection, indicator_id: str, area_type: str) -> tuple[pd.Series, str]:
    """Latest published all-age persons count of each area, and its period."""
    rows = published_results(connection, indicator_id=indicator_id, area_type=area_type)
    if rows.empty:
        return pd.Series(dtype=float), ""
    rows = rows[
        rows["sex"].fillna("").isin(["persons", ""])
        & rows["age"].fillna("").isin(["all ages", ""])
        & rows["breakdown_type"].fillna("").eq("")
    ]
    if rows.empty:
        return pd.Series(dtype=float), ""
    # rows come ordered by area, then period start: the first area's last row is the latest
    first = rows[rows["area_code"] == rows["area_code"].iloc[0]]
    latest = first["period"].iloc[-1]
    rows = rows[rows["period"] == latest]
    values = pd.to_numeric(rows["value"], errors="coerce")
    return pd.Series(values.to_numpy(), index=rows["area_code"].to_numpy()), str(latest)


def _postcodes(project: Project, file: str | None, column: str) -> pd.DataFrame | None:
    if file is None:
        return None
    path = resolve_path(project.root, file)
    try:
        raw = pd.read_csv(path, dtype={column: str}, usecols=[column, "lon", "lat"])
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise InputFileError(
            path, f"needs columns {column!r}, 'lon' and 'lat' (postcode centroids): {error}"
        ) from error
    raw = raw.rename(columns={column: "area_code"})
    raw["lon"] = pd.to_numeric(raw["lon"], errors="coerce")
    raw["lat"] = pd.to_numeric(raw["lat"], errors="coerce")
    return raw.dropna(subset=["lon", "lat"])


def pharmacy_access(
    connection: Connection,
    project: Project,
    *,
    pharmacies: str,
    population: str,
    area_type: str = "lsoa21",
    by: Sequence[str] = ("ward23", "imd25_decile"),
    limits: Sequence[float] = (1.0, 1.6),
    centres_file: str | None = None,
    centres_column: str = "lsoa_code",
    evening_after: str = "18:00",
    travel: TravelCosts | None = None,
) -> AccessResult:
    """Reach of the pharmacies of source ``pharmacies`` from every area of ``area_type`` in the
    JSNA area, weighted by indicator ``population`` (see the module docstring)."""
    travel = travel or StraightLine()
    source = project.sources.get(pharmacies)
    if source is None or source.file is None:
        raise ContentError([f"pharmacy_access: source {pharmacies!r} has no file of locations"])
    path = resolve_path(project.root, source.file)
    listed = read_pharmacies(path)
    scenarios = tuple(opening_scenarios(listed, evening_after, path=path))
    for scenario in scenarios:
        listed[f"open_{scenario.key}"] = scenario.open
    shapes = _lsoas(connection, project, area_type)
    centres = lsoa_centres(shapes, _postcodes(project, centres_file, centres_column))
    people, period = _population(connection, population, area_type)
    origins = shapes[["area_code", "area_name"]].merge(centres, on="area_code")
    origins["population"] = origins["area_code"].map(people)
    for parent_type in by:
        origins = origins.merge(_parents(connection, area_type, parent_type), how="left")
    costs = access_by_origin(
        places(origins["lon"], origins["lat"]),
        places(listed["lon"], listed["lat"]),
        scenarios,
        limits,
        travel,
    )
    origins = pd.concat([origins.reset_index(drop=True), costs], axis=1)
    return AccessResult(
        origins=origins,
        pharmacies=listed,
        scenarios=scenarios,
        limits=tuple(limits),
        unit=travel.unit,
        travel=travel.description,
        population_period=period,
    )
