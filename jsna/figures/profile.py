"""An area profile: everything published for one small area, against the JSNA area and England.

:func:`area_profile` returns, for a ward, MSOA, locality or GP practice:

1. a spine chart of every indicator published for the area (its latest
   period), against England where England's value is published beside it and
   otherwise against the JSNA area;
2. a table of the same indicators: the area's value and interval, the JSNA
   area's value and the comparison word, England's value;
3. a population pyramid when a population by sex and age exists for that
   area type (:mod:`jsna.figures.pyramid`);
4. a locator map of the area among the others of its type
   (:func:`jsna.figures.maps.locator`).
"""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd

from jsna.content.chapters import ChartBlock

from ._select import (
    area_benchmark,
    latest_rows,
    observed,
    positions_by_area,
    slug,
    sources_for,
)
from .context import FigureContext
from .format import format_limits, format_value, is_missing
from .model import Column, Figure, Headline, Table
from .spine import spine_figure
from .summary import no_data_summary
from .tables import compare_with_area, figure_data, suppression_notes

__all__ = ["area_profile", "profile_indicators"]


def profile_indicators(ctx: FigureContext, area_type: str, area_code: str) -> list[str]:
    """Indicators (project order) with a row for the area in their latest period at its type."""
    cache: dict[str, Any] = ctx.__dict__.setdefault("_jsna_figures_profile_codes", {})
    if area_type not in cache:
        cache[area_type] = {
            i: frozenset(rows["area_code"]) for i, rows in latest_rows(ctx, area_type).items()
        }
    return [i for i, codes in cache[area_type].items() if area_code in codes]


def _latest_rows(
    ctx: FigureContext, ids: list[str], area_type: str, area_code: str
) -> pd.DataFrame:
    """The area's latest headline row per indicator, judged against the JSNA area."""
    frames = []
    for indicator_id in ids:
        judged, where = _judged_peers(ctx, indicator_id, area_type)
        if area_code in where:
            frames.append(judged.iloc[where[area_code]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _judged_peers(
    ctx: FigureContext, indicator_id: str, area_type: str
) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Every area's latest headline rows at the type, judged once, and where each area's are.

    Judging is row by row, so judging all areas at once gives each area the
    word it would get alone; profiles of the type then only pick their rows.
    """

    def judge() -> tuple[pd.DataFrame, dict[str, list[int]]]:
        peers = latest_rows(ctx, area_type)[indicator_id]
        indicator = ctx.indicator(indicator_id)
        found = area_benchmark(ctx, indicator_id, peers, str(peers["period"].iloc[0]))
        if found is None:
            judged = peers.assign(jsna_value=float("nan"), comparison="not compared")
        else:
            judged = compare_with_area(peers, found[1], indicator.polarity, "comparison")
            judged = judged.assign(jsna_value=found[1])
        return judged, positions_by_area(judged)

    return ctx.memo(("profile_peers", indicator_id, area_type), judge)


def _table_figure(
    ctx: FigureContext, rows: pd.DataFrame, area_type: str, area_code: str, name: str
) -> Figure:
    columns = (
        Column("Indicator"),
        Column("Period"),
        Column(f"{name} value", numeric=True),
        Column("95% CI", numeric=True),
        Column(f"{ctx.area_name} value", numeric=True),
        Column(f"Compared with {ctx.area_name}"),
        Column("England value", numeric=True),
    )
    body, judgements = [], []
    for _, row in rows.iterrows():
        indicator = ctx.indicator(row["indicator_id"])
        suppressed = bool(row.get("suppressed", False))
        word = "not compared" if suppressed else str(row["comparison"] or "not compared")
        england = row.get("england_value")
        body.append(
            (
                indicator.title,
                str(row["period"]),
                format_value(indicator, row["value"], suppressed=suppressed),
                format_limits(indicator, row["lower_95"], row["upper_95"]),
                "" if is_missing(row["jsna_value"]) else format_value(indicator, row["jsna_value"]),
                word,
                "" if england is None or is_missing(england) else format_value(indicator, england),
            )
        )
        judgements.append(("", "", "", "", "", word, ""))
    caption = f"Latest published figures for {name}, with {ctx.area_name} and England."
    counts = rows["comparison"].value_counts()
    summary = (
        f"{len(rows)} indicators are published for {name}. Compared with {ctx.area_name}, "
        f"{int(counts.get('worse', 0))} are worse, {int(counts.get('better', 0))} better, "
        f"{int(counts.get('similar', 0))} similar and "
        f"{int(counts.get('higher', 0) + counts.get('lower', 0))} higher or lower (no judgement)."
    )
    data = figure_data(rows.rename(columns={"jsna_value": f"{slug(ctx.area_name)}_value"}))
    return Figure(
        id=f"profile-table-{area_type}-{area_code}",
        kind="table",
        title=f"Indicators for {name}",
        caption=caption,
        summary=summary,
        table=Table(caption, columns, tuple(body), tuple(judgements), suppression_notes(rows)),
        data=data,
        spec=None,
        indicators=tuple(rows["indicator_id"]),
        area_type=area_type,
        sources=sources_for(ctx, list(rows["indicator_id"]), rows),
    )


def _population_indicator(ctx: FigureContext, area_type: str, area_code: str) -> str | None:
    """An indicator giving the area's population by sex and age (for a pyramid), if any."""
    cache: dict[str, Any] = ctx.__dict__.setdefault("_jsna_figures_population", {})
    if area_type not in cache:
        cache[area_type] = [
            indicator_id
            for indicator_id in latest_rows(ctx, area_type)
            if ctx.indicator(indicator_id).method == "count"
            and _by_sex_and_age(observed(ctx, indicator_id), area_type)
        ]
    for indicator_id in cache[area_type]:
        codes = ctx.memo(
            ("observed_codes", indicator_id),
            lambda i=indicator_id: frozenset(observed(ctx, i)["area_code"]),
        )
        if area_code in codes:
            return indicator_id
    return None


def _by_sex_and_age(frame: pd.DataFrame, area_type: str) -> bool:
    mine = frame[frame["area_type"] == area_type]
    return {"male", "female"} <= set(mine["sex"]) and mine["age"].nunique() > 5


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def area_profile(ctx: FigureContext, area_type: str, area_code: str) -> list[Figure | Headline]:
    """Spine, table, pyramid (if any) and locator map of one area (see the module doc)."""
    ids = profile_indicators(ctx, area_type, area_code)
    rows = _latest_rows(ctx, ids, area_type, area_code)
    name = str(rows["area_name"].iloc[0]) if not rows.empty else area_code
    figures: list[Figure | Headline] = [
        spine_figure(
            ctx,
            ids,
            area_code,
            figure_id=f"profile-spine-{area_type}-{area_code}",
            area_type=area_type,
            title=f"{name} compared with the other areas",
        )
    ]
    if rows.empty:
        figures.append(
            Figure(
                id=f"profile-table-{area_type}-{area_code}",
                kind="table",
                title=f"Indicators for {name}",
                caption="",
                summary=no_data_summary("this area"),
                table=Table("", (Column("Indicator"), Column("Value", True)), ()),
                data=pd.DataFrame(),
            )
        )
    else:
        figures.append(_table_figure(ctx, rows, area_type, area_code, name))
    population = _population_indicator(ctx, area_type, area_code)
    pyramid = _optional("jsna.figures.pyramid")
    if population is not None and pyramid is not None:
        block = ChartBlock(
            block="chart", chart="pyramid", indicator=population, area_type=area_type
        )
        figures.append(pyramid.build(ctx, block, area_code=area_code))
    maps = _optional("jsna.figures.maps")
    if maps is not None and hasattr(maps, "locator") and not ctx.boundaries(area_type).empty:
        figures.append(maps.locator(ctx, area_type, area_code))
    return figures
