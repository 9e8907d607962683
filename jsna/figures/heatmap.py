"""Heatmap ("tartan rug"): areas by indicators, each cell coloured by its comparison.

Rows are the areas of the block's area type within the JSNA area (wards,
MSOAs, practice localities), columns the block's indicators, each at its
latest period. A cell says the area's value as text and is coloured by the
comparison word: the stored judgement against England where there is one,
otherwise a judgement against the JSNA area's value (Fingertips'
overlapping-interval rule; see :func:`jsna.figures._select.area_benchmark`).
Suppressed cells say "suppressed" and are left uncoloured. The summary counts
the cells worse and better than their benchmark.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator

from ._select import (
    area_benchmark,
    area_type_of,
    jsna_areas,
    observed,
    period_of,
    slug,
    sources_for,
)
from .context import FigureContext
from .format import format_short, format_value
from .model import Column, Figure, Table
from .palette import INK, add_highlight, comparison_scale, emphasis_encoding
from .summary import area_noun, comparison_phrase, join_words, no_data_summary
from .tables import compare_with_area, figure_data, main_slice, suppression_notes

__all__ = ["build", "heatmap_rows"]

KIND = "heatmap"
CELL_WIDTH = 78
CELL_HEIGHT = 22
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
_DARK = ("best", "better", "worst", "higher")


def _judged(
    ctx: FigureContext, indicator: Indicator, rows: pd.DataFrame, period: str
) -> pd.DataFrame:
    """``rows`` plus ``comparison`` and ``benchmark`` (whom each cell is judged against)."""
    words = rows.get("compared_with_england", pd.Series("", index=rows.index)).fillna("")
    if (~words.isin(["", "not compared"])).any():
        return rows.assign(comparison=words.replace("", "not compared"), benchmark="England")
    found = area_benchmark(ctx, indicator.id, rows, period)
    if found is None:
        return rows.assign(comparison="not compared", benchmark="")
    name, value = found
    column = f"compared_with_{slug(name)}"
    judged = compare_with_area(rows, value, indicator.polarity, column)
    judged[f"{slug(name)}_value"] = value
    return judged.assign(comparison=judged[column], benchmark=name)


def heatmap_rows(
    ctx: FigureContext, indicator_ids: list[str], area_type: str | None, period: str | None
) -> pd.DataFrame:
    """Long rows (one per area and indicator) with ``comparison`` and ``benchmark``."""
    frames = []
    for indicator_id in indicator_ids:
        indicator = ctx.indicator(indicator_id)
        kind = area_type_of(ctx, indicator_id, area_type)
        when = period_of(ctx, indicator_id, kind, period)
        frame = observed(ctx, indicator_id)
        rows = main_slice(frame[(frame["area_type"] == kind) & (frame["period"] == when)])
        if rows.empty or when is None:
            continue
        chosen = jsna_areas(ctx, indicator_id, str(kind), rows["area_code"])
        if chosen:
            rows = rows[rows["area_code"].isin(chosen)]
        frames.append(_judged(ctx, indicator, rows.copy(), str(when)))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def _records(rows: pd.DataFrame, indicators: dict[str, Indicator]) -> list[dict[str, Any]]:
    records = []
    for _, row in rows.iterrows():
        indicator = indicators[row["indicator_id"]]
        suppressed = bool(row.get("suppressed", False))
        word = "not compared" if suppressed else str(row["comparison"])
        records.append(
            {
                "area_code": str(row["area_code"]),
                "area_name": str(row["area_name"]),
                "indicator": indicator.title,
                "period": str(row["period"]),
                "comparison": word,
                "value_text": format_value(indicator, row["value"], suppressed=suppressed),
                "cell_text": format_short(indicator, row["value"], suppressed=suppressed),
                "comparison_text": comparison_phrase(word, str(row["benchmark"]))
                if row["benchmark"]
                else "not compared",
            }
        )
    return records


def _spec(
    figure_id: str, title: str, records: list[dict[str, Any]], columns: list[str], focus: str | None
) -> dict[str, Any]:
    areas = sorted({r["area_name"] for r in records})
    words = sorted({r["comparison"] for r in records})
    x = {
        "field": "indicator",
        "type": "nominal",
        "sort": columns,
        "title": None,
        "axis": {"orient": "top", "labelAngle": -40, "labelLimit": 260},
    }
    y = {"field": "area_name", "type": "nominal", "sort": areas, "title": None}
    tooltip = [
        {"field": "area_name", "title": "Area"},
        {"field": "indicator", "title": "Indicator"},
        {"field": "period", "title": "Period"},
        {"field": "value_text", "title": "Value"},
        {"field": "comparison_text", "title": "Comparison"},
    ]
    dark = " || ".join(f"datum.comparison === '{w}'" for w in _DARK)
    return add_highlight(
        {
            "$schema": SCHEMA,
            "title": {"text": title, "anchor": "start"},
            "data": {"values": records},
            "width": CELL_WIDTH * len(columns),
            "height": CELL_HEIGHT * len(areas),
            "layer": [
                {
                    "mark": {"type": "rect"},
                    "encoding": {
                        "x": x,
                        "y": y,
                        "color": {
                            "field": "comparison",
                            "type": "nominal",
                            "scale": comparison_scale(words),
                            "legend": {"title": "Compared with the benchmark", "orient": "bottom"},
                        },
                        "tooltip": tooltip,
                        **emphasis_encoding(focus, base_stroke="#ffffff"),
                    },
                },
                {
                    "mark": {"type": "text", "fontSize": 10},
                    "encoding": {
                        "x": x,
                        "y": y,
                        "text": {"field": "cell_text"},
                        "color": {"condition": {"test": dark, "value": "#ffffff"}, "value": INK},
                        "tooltip": tooltip,
                    },
                },
            ],
            "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
            "usermeta": {"jsna": {"figure": figure_id, "kind": KIND}},
        }
    )


def _table(
    rows: pd.DataFrame, indicators: dict[str, Indicator], order: list[str], caption: str
) -> Table:
    columns = (Column("Area"), *(Column(indicators[i].title, numeric=True) for i in order))
    body = []
    judgements = []
    for name, group in rows.groupby("area_name", sort=True):
        cells = [str(name)]
        words = [""]
        by_indicator = {r["indicator_id"]: r for _, r in group.iterrows()}
        for indicator_id in order:
            row = by_indicator.get(indicator_id)
            if row is None:
                cells.append("")
                words.append("")
                continue
            suppressed = bool(row.get("suppressed", False))
            value = format_value(indicators[indicator_id], row["value"], suppressed=suppressed)
            word = "" if suppressed else str(row["comparison"])
            cells.append(f"{value} ({word})" if word and word != "not compared" else value)
            words.append(word)
        body.append(tuple(cells))
        judgements.append(tuple(words))
    benchmarks = sorted({str(b) for b in rows["benchmark"] if b})
    notes = suppression_notes(rows)
    if benchmarks:
        notes = (f"Compared with {join_words(benchmarks)} (95% confidence intervals).", *notes)
    return Table(caption, columns, tuple(body), tuple(judgements), notes)


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """The heatmap of a chart block's indicators by area."""
    ids = list(block.indicators) or ([block.indicator] if block.indicator else [])
    digest = hashlib.sha1(",".join(ids).encode()).hexdigest()[:6]
    figure_id = f"{KIND}-{block.area_type or 'default'}-{digest}" + (
        f"-{area_code}" if area_code else ""
    )
    indicators = {i: ctx.indicator(i) for i in ids}
    rows = heatmap_rows(ctx, ids, block.area_type, block.period)
    title = f"{len(ids)} indicators by area"
    if rows.empty:
        return Figure(
            id=figure_id,
            kind=KIND,
            title=title,
            caption=block.caption,
            summary=no_data_summary(join_words([i.title for i in indicators.values()])),
            table=Table(block.caption or title, (Column("Area"), Column("Value", True)), ()),
            data=pd.DataFrame(),
            spec=None,
            indicators=tuple(ids),
            area_type=block.area_type,
        )
    order = [i for i in ids if i in set(rows["indicator_id"])]
    kind = str(rows["area_type"].iloc[0])
    noun = area_noun(ctx.area_type_names.get(kind, kind), 2)
    title = f"{len(order)} indicators by {area_noun(ctx.area_type_names.get(kind, kind), 1)}"
    cells = rows[~rows["suppressed"].astype(bool)]
    counts = cells["comparison"].value_counts()
    worse = int(counts.get("worse", 0) + counts.get("worst", 0))
    better = int(counts.get("better", 0) + counts.get("best", 0))
    summary = (
        f"{rows['area_code'].nunique()} {noun} of {ctx.area_name} by {len(order)} indicators: "
        f"{worse} of {len(cells)} cells are worse than their benchmark and {better} better"
    )
    worst_area = cells[cells["comparison"].isin(["worse", "worst"])]["area_name"].value_counts()
    if not worst_area.empty:
        summary += f"; {worst_area.index[0]} has the most worse cells ({int(worst_area.iloc[0])})"
    summary += "."
    records = _records(rows, indicators)
    return Figure(
        id=figure_id,
        kind=KIND,
        title=title,
        caption=block.caption,
        summary=summary,
        table=_table(rows, indicators, order, block.caption or title),
        data=figure_data(rows.drop(columns=["comparison"]), extra=("benchmark",)),
        spec=_spec(figure_id, title, records, [indicators[i].title for i in order], area_code),
        indicators=tuple(order),
        area_type=kind,
        period=str(rows["period"].iloc[0]),
        sources=sources_for(ctx, order, rows),
    )
