"""Which published rows a block shows: its area type, its period, its areas, its benchmark.

Shared by the builders of this package (compare, heatmap, spine, table,
profile), so every figure of one indicator picks the same rows:

- :func:`area_type_of`: the block's area type, else the JSNA's own area type
  when the indicator has rows there, else the first of its geographies with
  rows;
- :func:`period_of`: the block's period, else the latest observed one;
- :func:`jsna_areas`: the codes of the areas the JSNA compares with at an area
  type: at its own type, the JSNA area and its comparators' areas; at smaller
  types, the areas within the JSNA area (:func:`jsna.store.areas.areas_within`,
  and failing that the areas within the areas that overlap it: GP practices
  of the practice localities);
- :func:`local_benchmark`: the JSNA area's own row for an indicator and
  period, which sub-areas are judged against;
- :func:`sources_of`: the dataset versions behind rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select

from jsna.store.areas import areas_within
from jsna.store.schema import area

from .context import FigureContext
from .tables import main_slice

__all__ = [
    "area_benchmark",
    "area_rows",
    "area_type_of",
    "headline_at",
    "jsna_areas",
    "latest_rows",
    "local_benchmark",
    "observed",
    "period_of",
    "positions_by_area",
    "rows_at",
    "slug",
    "sources_for",
    "sources_of",
]

_CACHE = "_jsna_figures_within"


def slug(text: str) -> str:
    """``Trafford West PCN`` -> ``trafford_west_pcn`` (column names, figure ids)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "area"


def observed(ctx: FigureContext, indicator_id: str) -> pd.DataFrame:
    """The indicator's published rows without projected ones (cached)."""

    def make() -> pd.DataFrame:
        frame = ctx.results(indicator_id)
        return frame[~frame["projected"]]

    return ctx.memo(("observed", indicator_id), make)


def rows_at(
    ctx: FigureContext, indicator_id: str, area_type: str | None, period: str | None
) -> pd.DataFrame:
    """The indicator's observed rows at one area type and period (cached; do not modify)."""
    return ctx.memo(
        ("rows_at", indicator_id, area_type, period),
        lambda: _rows_at(observed(ctx, indicator_id), area_type, period),
    )


def _rows_at(frame: pd.DataFrame, area_type: str | None, period: str | None) -> pd.DataFrame:
    return frame[(frame["area_type"] == area_type) & (frame["period"] == period)]


def headline_at(ctx: FigureContext, indicator_id: str, area_type: str, period: str) -> pd.DataFrame:
    """:func:`~jsna.figures.tables.main_slice` of :func:`rows_at` (cached; do not modify)."""
    return ctx.memo(
        ("headline_at", indicator_id, area_type, period),
        lambda: main_slice(rows_at(ctx, indicator_id, area_type, period)),
    )


def positions_by_area(frame: pd.DataFrame) -> dict[str, list[int]]:
    """Area code -> positions (for ``iloc``) of its rows in ``frame``, in frame order.

    One pass over the frame instead of one boolean filter per area.
    """
    found: dict[str, list[int]] = {}
    for position, code in enumerate(frame["area_code"].tolist()):
        found.setdefault(code, []).append(position)
    return found


def area_rows(ctx: FigureContext, indicator_id: str, area_code: str) -> pd.DataFrame:
    """All published rows (projected too) of one area, in the store's order.

    Same as filtering ``ctx.results`` by ``area_code``, by a lookup of
    positions made once per indicator.
    """
    every = ctx.results(indicator_id)
    where = ctx.memo(("area_positions", indicator_id), lambda: positions_by_area(every))
    return every.iloc[where.get(area_code, [])]


def area_type_of(ctx: FigureContext, indicator_id: str, area_type: str | None) -> str | None:
    """The block's area type, else the JSNA's own type if it has rows, else the first with rows."""
    if area_type is not None:
        return area_type
    types = list(dict.fromkeys(observed(ctx, indicator_id)["area_type"]))
    own = ctx.project.config.area.area_type
    if own in types or not types:
        return own if own in types else None
    declared = [t for t in ctx.indicator(indicator_id).geographies if t in types]
    return (declared or types)[0]


def period_of(
    ctx: FigureContext, indicator_id: str, area_type: str | None, period: str | None
) -> str | None:
    """The block's period, else the latest observed period at the area type."""
    return period if period is not None else ctx.latest_period(indicator_id, area_type)


def _within(ctx: FigureContext) -> dict[str, Any]:
    cache: dict[str, Any] = ctx.__dict__.setdefault(_CACHE, {})
    if "jsna" not in cache:
        config = ctx.project.config.area
        codes = areas_within(ctx.connection, config.code, config.area_type)
        cache["jsna"] = codes
        rows = ctx.connection.execute(
            select(area.c.code, area.c.area_type).where(area.c.code.in_(sorted(codes)))
        ).fetchall()
        types: dict[str, list[str]] = {}
        for code, kind in rows:
            types.setdefault(kind, []).append(code)
        cache["types"] = types
    return cache


def _second_level(ctx: FigureContext, codes: set[str]) -> set[str]:
    """Codes in ``codes`` within the areas overlapping the JSNA area, by the smallest type first.

    GP practices are members of practice localities, which overlap the JSNA
    area but are not inside its local authority in the store's geography.
    """
    cache = _within(ctx)
    own = ctx.project.config.area.area_type
    groups = sorted(
        ((kind, members) for kind, members in cache["types"].items() if kind != own),
        key=lambda item: len(item[1]),
    )
    for kind, members in groups:
        if len(members) > 40:
            break
        key = f"under:{kind}"
        if key not in cache:
            found: set[str] = set()
            for code in members:
                found |= areas_within(ctx.connection, code, kind)
            cache[key] = found
        if codes & cache[key]:
            return codes & cache[key]
    return set()


def jsna_areas(ctx: FigureContext, indicator_id: str, area_type: str, codes: pd.Series) -> set[str]:
    """Of ``codes`` (an area type's rows), those the JSNA compares with (see module doc).

    Empty when none of them relates to the JSNA area (the caller then shows
    all of them, e.g. England's deprivation deciles).
    """
    present = set(codes)
    config = ctx.project.config
    if area_type == config.area.area_type:
        wanted = ctx.indicator(indicator_id).comparators
        chosen = {config.area.code}
        for comparator in config.comparators:
            if wanted is None or comparator.id in wanted:
                chosen |= set(comparator.codes)
        return present & chosen
    inside = present & set(_within(ctx)["jsna"])
    return inside or _second_level(ctx, present)


def local_benchmark(ctx: FigureContext, indicator_id: str, period: str) -> pd.Series | None:
    """The JSNA area's headline row of the period (or of the one single-area sub-type).

    At the JSNA's own area type when the indicator has that row; otherwise
    the row of an area type with exactly one area that is not a country or
    region (Trafford's sub-ICB location for GP registers). None without one,
    or when its value is missing.
    """
    cache: dict[str, Any] = ctx.__dict__.setdefault(_CACHE, {})
    key = f"local:{indicator_id}:{period}"
    if key not in cache:
        cache[key] = _local_benchmark(ctx, indicator_id, period)
    return cache[key]


def _local_benchmark(ctx: FigureContext, indicator_id: str, period: str) -> pd.Series | None:
    frame = observed(ctx, indicator_id)
    frame = main_slice(frame[frame["period"] == period])
    own = frame[frame["area_code"] == ctx.area_code]
    if own.empty:
        singles = frame.groupby("area_type")["area_code"].transform("nunique") == 1
        own = frame[singles & ~frame["area_type"].isin(["country", "region"])]
    if own.empty or pd.isna(own["value"].iloc[0]):
        return None
    return own.iloc[0]


def sources_of(rows: pd.DataFrame) -> tuple[str, ...]:
    """Distinct dataset versions behind ``rows`` ("census_2021_ts037 v3"), in order."""
    if "dataset_versions" not in rows.columns:
        return ()
    names: list[str] = []
    for text in rows["dataset_versions"].dropna().astype(str):
        names.extend(part.strip() for part in text.split(";") if part.strip())
    return tuple(dict.fromkeys(names))


def area_benchmark(
    ctx: FigureContext, indicator_id: str, rows: pd.DataFrame, period: str
) -> tuple[str, float] | None:
    """What sub-areas' ``rows`` are judged against: (name, value), or None.

    The JSNA area's own published value (:func:`local_benchmark`) when it is
    not itself among ``rows``; else, for a proportion or crude rate whose rows
    all have counts and none is suppressed, the JSNA area's value summed from
    them (the areas tile it); else 100 for a ratio where England is 100.
    None for counts: a ward's count is not comparable with the whole area's.
    """
    indicator = ctx.indicator(indicator_id)
    if indicator.method == "count":
        return None
    local = local_benchmark(ctx, indicator_id, period)
    if local is not None and local["area_code"] not in set(rows["area_code"]):
        return ctx.area_name, float(local["value"])
    complete = (
        not rows.empty
        and indicator.method in ("proportion", "crude_rate")
        and rows["numerator"].notna().all()
        and rows["denominator"].notna().all()
        and not rows.get("suppressed", pd.Series(False, index=rows.index)).astype(bool).any()
        and float(rows["denominator"].sum()) > 0
    )
    if complete:
        value = float(rows["numerator"].sum()) / float(rows["denominator"].sum())
        return ctx.area_name, value * indicator.multiplier
    if "england = 100" in indicator.unit.lower():
        return "England", 100.0
    return None


def latest_rows(ctx: FigureContext, area_type: str) -> dict[str, pd.DataFrame]:
    """Indicator id -> its headline rows of the latest period at ``area_type`` (cached).

    One pass over every indicator per area type, shared by the profiles of
    all areas of that type.
    """
    cache: dict[str, Any] = ctx.__dict__.setdefault(_CACHE, {})
    key = f"latest:{area_type}"
    if key not in cache:
        found: dict[str, pd.DataFrame] = {}
        for indicator_id in ctx.project.indicators:
            period = ctx.latest_period(indicator_id, area_type)
            if period is None:
                continue
            found[indicator_id] = headline_at(ctx, indicator_id, area_type, period)
        cache[key] = found
    return cache[key]


def sources_for(
    ctx: FigureContext, indicator_ids: Sequence[str], rows: pd.DataFrame
) -> tuple[str, ...]:
    """Titles of the indicators' declared sources, then the dataset versions behind ``rows``."""
    titles = []
    for indicator_id in indicator_ids:
        source = ctx.project.sources.get(ctx.indicator(indicator_id).source)
        if source is not None:
            titles.append(source.title)
    return tuple(dict.fromkeys([*titles, *sources_of(rows)]))
