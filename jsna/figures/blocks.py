"""From a chapter block to its figure: dispatch by block and chart kind, and table blocks.

:func:`figure_for_block` is what pages call for every ```` ```jsna ````
block that draws something: a ``chart`` block goes to the builder of its
chart kind (``jsna.figures.<kind>.build``), a ``map`` block to
:mod:`jsna.figures.maps`, and a ``table`` block becomes a table-only figure
(:func:`table_figure`): several indicators by area, with values, 95%
confidence intervals and comparison words. ``indicator`` blocks are
headlines (:func:`jsna.figures.headline.headline`), and ``findings`` and
``area_selector`` blocks are drawn by the page itself.

:func:`headline`, :func:`area_profile` and :func:`format_value` are
re-exported here, as the publishing contract lists them with the dispatch.
"""

from __future__ import annotations

import hashlib
import importlib
from typing import Any

import pandas as pd

from jsna.content.chapters import AnalysisBlock, ChartBlock, MapBlock, TableBlock

from ._select import positions_by_area, sources_for
from .compare import select_panel
from .context import FigureContext
from .format import format_limits, format_value
from .headline import headline
from .heatmap import heatmap_rows
from .model import Column, Figure, Table
from .profile import area_profile
from .summary import area_noun, join_words, no_data_summary
from .tables import figure_data, suppression_notes

__all__ = [
    "ANALYSIS_MODULES",
    "CHART_MODULES",
    "area_profile",
    "figure_for_block",
    "figures_for_block",
    "format_value",
    "headline",
    "table_figure",
]

CHART_MODULES: dict[str, str] = {
    "compare": "jsna.figures.compare",
    "trend": "jsna.figures.trend",
    "spine": "jsna.figures.spine",
    "heatmap": "jsna.figures.heatmap",
    "pyramid": "jsna.figures.pyramid",
    "funnel": "jsna.figures.funnel",
    "scatter": "jsna.figures.scatter",
    "inequality": "jsna.figures.inequality",
}
"""Chart kind -> module with ``build(ctx, block, *, area_code=None) -> Figure``."""

ANALYSIS_MODULES: dict[str, str] = {
    "unmet_need": "jsna.figures.need",
    "diagnosis_gap": "jsna.figures.need",
    "population_projection": "jsna.figures.future",
    "growth": "jsna.figures.future",
    "projected_cases": "jsna.figures.future",
    "pharmacy_access": "jsna.figures.access",
    "uptake": "jsna.figures.uptake",
    "money_flow": "jsna.figures.money",
    "priorities": "jsna.figures.priorities",
    "recommendations": "jsna.figures.tracker",
    "assets": "jsna.figures.assets",
    "voices": "jsna.figures.voices",
}
"""Analysis block kind -> module with
``build(ctx, block, *, area_code=None) -> list[Figure]`` (one or more figures)."""

FigureBlock = ChartBlock | MapBlock | TableBlock | AnalysisBlock
"""Blocks drawn as figures (``indicator`` blocks are headlines)."""


def figure_for_block(
    ctx: FigureContext, block: ChartBlock | MapBlock | TableBlock, *, area_code: str | None = None
) -> Figure:
    """The figure of a chart, map or table block (``area_code``: a profile page's area)."""
    if isinstance(block, ChartBlock):
        module: Any = importlib.import_module(CHART_MODULES[block.chart])
        return module.build(ctx, block, area_code=area_code)
    if isinstance(block, MapBlock):
        maps: Any = importlib.import_module("jsna.figures.maps")
        return maps.build(ctx, block, area_code=area_code)
    if isinstance(block, TableBlock):
        return table_figure(ctx, block, area_code=area_code)
    kind = getattr(block, "block", type(block).__name__)
    raise TypeError(f"a {kind} block has no figure: headline() draws indicator blocks")


def figures_for_block(
    ctx: FigureContext, block: FigureBlock, *, area_code: str | None = None
) -> list[Figure]:
    """The figures of any figure block: one for a chart, map or table, one or more for an
    analysis block."""
    if isinstance(block, AnalysisBlock):
        kind = str(block.block)
        module: Any = importlib.import_module(ANALYSIS_MODULES[kind])
        return list(module.build(ctx, block, area_code=area_code))
    return [figure_for_block(ctx, block, area_code=area_code)]


def _rows(ctx: FigureContext, block: TableBlock, focus: str) -> pd.DataFrame:
    """Headline rows of every indicator at the block's area type, judged (see heatmap)."""
    own = ctx.project.config.area.area_type
    if block.area_type in (None, own):
        panels = [
            select_panel(ctx, i, block.area_type, block.period, focus) for i in block.indicators
        ]
        frames = [
            p.rows.assign(benchmark=p.judged_by.name if p.judged_by is not None else "")
            for p in panels
        ]
        frames = [f for f in frames if not f.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return heatmap_rows(ctx, list(block.indicators), block.area_type, block.period)


def table_figure(ctx: FigureContext, block: TableBlock, *, area_code: str | None = None) -> Figure:
    """A table of several indicators by area: value, 95% CI and comparison word of each."""
    ids = list(block.indicators)
    digest = hashlib.sha1(",".join(ids).encode()).hexdigest()[:6]
    kind = block.area_type or ctx.project.config.area.area_type
    figure_id = f"table-{kind}-{digest}" + (f"-{area_code}" if area_code else "")
    indicators = {i: ctx.indicator(i) for i in ids}
    titles = join_words([i.title for i in indicators.values()])
    rows = _rows(ctx, block, area_code or ctx.area_code)
    caption = block.caption or titles
    if rows.empty:
        return Figure(
            id=figure_id,
            kind="table",
            title=caption,
            caption=block.caption,
            summary=no_data_summary(titles),
            table=Table(caption, (Column("Area"), Column("Value", True)), ()),
            data=pd.DataFrame(),
            spec=None,
            indicators=tuple(ids),
            area_type=kind,
        )
    order = [i for i in ids if i in set(rows["indicator_id"])]
    table = _table(rows, indicators, order, caption)
    areas = rows["area_code"].nunique()
    type_name = ctx.area_type_names.get(str(rows["area_type"].iloc[0]), "area")
    periods = rows.drop_duplicates("indicator_id").set_index("indicator_id")["period"]
    when = join_words([f"{indicators[i].title}, {periods[i]}" for i in order])
    what = "1 indicator" if len(order) == 1 else f"{len(order)} indicators"
    summary = f"{what} for {areas} {area_noun(type_name, areas)} of {ctx.area_name}: {when}."
    return Figure(
        id=figure_id,
        kind="table",
        title=caption,
        caption=block.caption,
        summary=summary,
        table=table,
        data=figure_data(rows.drop(columns=["comparison", "label"], errors="ignore")),
        spec=None,
        indicators=tuple(order),
        area_type=str(rows["area_type"].iloc[0]),
        period=str(rows["period"].iloc[0]),
        sources=sources_for(ctx, order, rows),
    )


def _table(rows: pd.DataFrame, indicators: dict[str, Any], order: list[str], caption: str) -> Table:
    """Rows = areas (in first-seen order); per indicator: value, CI (if any), comparison (if any)."""
    columns: list[Column] = [Column("Area")]
    parts: list[tuple[str, str]] = []
    for indicator_id in order:
        mine = rows[rows["indicator_id"] == indicator_id]
        title = indicators[indicator_id].title
        parts.append((indicator_id, "value"))
        columns.append(Column(title, numeric=True))
        if mine["lower_95"].notna().any():
            parts.append((indicator_id, "ci"))
            columns.append(Column(f"{title}: 95% CI", numeric=True))
        if (~mine["comparison"].isin(["", "not compared"])).any():
            parts.append((indicator_id, "word"))
            columns.append(Column(f"{title}: compared with {_benchmark(mine)}"))
    body, judgements = [], []
    for positions in positions_by_area(rows).values():
        group = rows.iloc[positions]
        by_indicator = {r["indicator_id"]: r for _, r in group.iterrows()}
        cells, words = [str(group["area_name"].iloc[0])], [""]
        for indicator_id, part in parts:
            row = by_indicator.get(indicator_id)
            cell, word = _cell(row, indicators[indicator_id], part)
            cells.append(cell)
            words.append(word)
        body.append(tuple(cells))
        judgements.append(tuple(words))
    notes = suppression_notes(rows)
    return Table(caption, tuple(columns), tuple(body), tuple(judgements), notes)


def _benchmark(rows: pd.DataFrame) -> str:
    names = [str(b) for b in rows.get("benchmark", pd.Series(dtype=str)) if b]
    return names[0] if names else "England"


def _cell(row: pd.Series | None, indicator: Any, part: str) -> tuple[str, str]:
    if row is None:
        return "", ""
    suppressed = bool(row.get("suppressed", False))
    if part == "value":
        return format_value(indicator, row["value"], suppressed=suppressed), ""
    if part == "ci":
        return format_limits(indicator, row["lower_95"], row["upper_95"]), ""
    word = "not compared" if suppressed else str(row.get("comparison", "") or "not compared")
    return word, word
