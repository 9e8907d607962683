"""Spine chart: many indicators of one area at a glance, after Fingertips' area profiles.

Each indicator is one row. Across the areas of the same area type with
results for its latest period, a light bar spans the lowest to the highest
value and a darker bar the 25th to 75th percentiles; a vertical line marks
the benchmark (England's value, or the JSNA area's for areas inside it, or
the median area for counts); a circle marks the area's own value, coloured by
its comparison word (the word is in the tooltip and the table too).

Rows are put on one scale as Fingertips does: the benchmark in the middle,
the farthest extreme at the edge, and, when the indicator has a polarity,
the worst end on the left and the best on the right (otherwise the lowest on
the left). The table lists indicator, period, the area's value, the
benchmark's, the worst (lowest) and best (highest) values and the comparison
word.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator

from ._select import area_benchmark, latest_rows, observed, positions_by_area, sources_for
from .context import FigureContext
from .format import format_value
from .model import Column, Figure, Table
from .palette import INK, add_highlight, comparison_scale
from .summary import comparison_phrase, join_words, no_data_summary
from .tables import compare_with_area, suppression_notes

__all__ = ["SpineRow", "build", "spine_figure", "spine_rows"]

KIND = "spine"
WIDTH = 420
ROW = 26
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


@dataclass(frozen=True)
class SpineRow:
    """One indicator of the spine: the area's row and the spread it sits in."""

    indicator: Indicator
    row: pd.Series
    benchmark: str
    benchmark_value: float
    lowest: float
    q25: float
    q75: float
    highest: float
    areas: int
    word: str


def _area_type_of(ctx: FigureContext, indicator_id: str, area_code: str) -> str | None:
    """The area type of the area's last observed row (None without one)."""

    def last_types() -> dict[str, str]:
        frame = observed(ctx, indicator_id)
        # later rows overwrite earlier ones: each code keeps its last row's type
        return dict(zip(frame["area_code"], frame["area_type"].astype(str), strict=True))

    return ctx.memo(("last_area_type", indicator_id), last_types).get(area_code)


@dataclass(frozen=True)
class _Spread:
    """What every area of one type shares for an indicator: its peers and their spread."""

    peers: pd.DataFrame
    where: dict[str, list[int]]
    """Area code -> positions of its rows in ``peers``."""
    period: str
    values: pd.Series
    median: float
    lowest: float
    q25: float
    q75: float
    highest: float
    benchmark: tuple[str, float] | None
    """The JSNA area's benchmark (:func:`area_benchmark`) for areas without England's value."""
    words: list[str] | None
    """Each peer's comparison word with ``benchmark`` (None without one)."""


def _spread(ctx: FigureContext, indicator_id: str, kind: str) -> _Spread | None:
    """The :class:`_Spread` of an indicator at an area type (computed once per context)."""
    return ctx.memo(
        ("spine_spread", indicator_id, kind), lambda: _make_spread(ctx, indicator_id, kind)
    )


def _make_spread(ctx: FigureContext, indicator_id: str, kind: str) -> _Spread | None:
    peers = latest_rows(ctx, kind).get(indicator_id)
    if peers is None:
        return None
    indicator = ctx.indicator(indicator_id)
    period = str(peers["period"].iloc[0])
    values = peers["value"].dropna().astype(float)
    if values.empty:
        return None
    found = (
        None if indicator.method == "count" else area_benchmark(ctx, indicator_id, peers, period)
    )
    words = None
    if found is not None:
        # judging is row by row: all peers at once give each area its own word
        judged = compare_with_area(peers, found[1], indicator.polarity, "word")
        words = [str(w) for w in judged["word"]]
    q25, q75 = np.percentile(values, [25, 75])
    return _Spread(
        peers=peers,
        where=positions_by_area(peers),
        period=period,
        values=values,
        median=float(values.median()),
        lowest=float(values.min()),
        q25=float(q25),
        q75=float(q75),
        highest=float(values.max()),
        benchmark=found,
        words=words,
    )


def _spine_row(
    ctx: FigureContext, indicator_id: str, area_code: str, area_type: str | None
) -> SpineRow | None:
    """The area's latest headline row and the spread of its area type, or None without one."""
    indicator = ctx.indicator(indicator_id)
    kind = area_type or _area_type_of(ctx, indicator_id, area_code)
    if kind is None:
        return None
    spread = _spread(ctx, indicator_id, kind)
    if spread is None or area_code not in spread.where:
        return None
    position = spread.where[area_code][0]
    row = spread.peers.iloc[position]
    benchmark, value, word = "England", row.get("england_value"), row.get("compared_with_england")
    if indicator.method == "count":
        benchmark, value, word = "the median", spread.median, ""
    elif value is None or pd.isna(value):
        found = spread.benchmark
        if found is None or area_code == ctx.area_code or spread.words is None:
            benchmark, value, word = "the median", spread.median, ""
        else:
            benchmark, value = found
            word = spread.words[position]
    return SpineRow(
        indicator=indicator,
        row=row,
        benchmark=benchmark,
        benchmark_value=float(value),
        lowest=spread.lowest,
        q25=spread.q25,
        q75=spread.q75,
        highest=spread.highest,
        areas=len(spread.values),
        word=str(word or "") or "not compared",
    )


def spine_rows(
    ctx: FigureContext,
    indicator_ids: Sequence[str],
    area_code: str,
    area_type: str | None = None,
) -> list[SpineRow]:
    """Spine rows of the indicators that have a value for the area (others are left out).

    ``area_type``: the area's type when known (profiles), else found per indicator.
    """
    rows = [_spine_row(ctx, i, area_code, area_type) for i in indicator_ids]
    return [r for r in rows if r is not None]


def _position(row: SpineRow, value: float) -> float:
    """Value on the -1..1 scale: benchmark 0, farthest extreme 1, best to the right."""
    half = max(abs(row.lowest - row.benchmark_value), abs(row.highest - row.benchmark_value))
    if half == 0 or pd.isna(value):
        return 0.0
    sign = -1.0 if row.indicator.polarity == "low_is_good" else 1.0
    return float(np.clip(sign * (value - row.benchmark_value) / half, -1, 1))


def _ends(row: SpineRow) -> tuple[float, float]:
    """(worst, best) values; (lowest, highest) without polarity."""
    if row.indicator.polarity == "low_is_good":
        return row.highest, row.lowest
    return row.lowest, row.highest


def _record(row: SpineRow) -> dict[str, Any]:
    indicator = row.indicator
    worst, best = _ends(row)
    value = row.row["value"]
    suppressed = bool(row.row.get("suppressed", False)) or pd.isna(value)
    return {
        "indicator": indicator.title,
        "area_code": str(row.row["area_code"]),
        "period": str(row.row["period"]),
        "comparison": row.word,
        "marker": None if suppressed else _position(row, float(value)),
        "low": _position(row, worst),
        "high": _position(row, best),
        "q_low": min(_position(row, row.q25), _position(row, row.q75)),
        "q_high": max(_position(row, row.q25), _position(row, row.q75)),
        "value_text": format_value(indicator, value, suppressed=suppressed),
        "benchmark_text": f"{row.benchmark}: {format_value(indicator, row.benchmark_value)}",
        "worst_text": format_value(indicator, worst),
        "best_text": format_value(indicator, best),
        "comparison_text": _comparison_text(row),
    }


def _comparison_text(row: SpineRow) -> str:
    return comparison_phrase(row.word, row.benchmark)


def _spec(figure_id: str, title: str, rows: list[SpineRow], name: str) -> dict[str, Any]:
    records = [_record(r) for r in rows]
    order = [r["indicator"] for r in records]
    y = {"field": "indicator", "type": "nominal", "sort": order, "title": None}
    y["axis"] = {"labelLimit": 260}
    x_scale = {"domain": [-1.05, 1.05]}
    tooltip = [
        {"field": "indicator", "title": "Indicator"},
        {"field": "period", "title": "Period"},
        {"field": "value_text", "title": name},
        {"field": "benchmark_text", "title": "Benchmark"},
        {"field": "worst_text", "title": "Worst or lowest"},
        {"field": "best_text", "title": "Best or highest"},
        {"field": "comparison_text", "title": "Comparison"},
    ]
    hidden_axis = {
        "title": "Worst or lowest ← benchmark → best or highest",
        "labels": False,
        "ticks": False,
        "grid": False,
        "domain": False,
    }
    words = sorted({r["comparison"] for r in records})
    layers = [
        {
            "mark": {"type": "bar", "color": "#dcdcdc", "height": {"band": 0.6}},
            "encoding": {
                "y": y,
                "x": {
                    "field": "low",
                    "type": "quantitative",
                    "scale": x_scale,
                    "axis": hidden_axis,
                },
                "x2": {"field": "high"},
                "tooltip": tooltip,
            },
        },
        {
            "mark": {"type": "bar", "color": "#a0a0a0", "height": {"band": 0.6}},
            "encoding": {
                "y": y,
                "x": {"field": "q_low", "type": "quantitative"},
                "x2": {"field": "q_high"},
                "tooltip": tooltip,
            },
        },
        {
            "mark": {"type": "rule", "color": INK, "strokeWidth": 2},
            "encoding": {"x": {"datum": 0}},
        },
        {
            "transform": [{"filter": "datum.marker != null"}],
            "mark": {"type": "point", "filled": True, "size": 120, "stroke": INK, "strokeWidth": 1},
            "encoding": {
                "y": y,
                "x": {"field": "marker", "type": "quantitative"},
                "color": {
                    "field": "comparison",
                    "type": "nominal",
                    "scale": comparison_scale(words),
                    "legend": {"title": "Compared with the benchmark", "orient": "bottom"},
                },
                "tooltip": tooltip,
            },
        },
    ]
    return add_highlight(
        {
            "$schema": SCHEMA,
            "title": {"text": title, "anchor": "start", "subtitle": "Benchmark line in the middle"},
            "data": {"values": records},
            "width": WIDTH,
            "height": max(ROW * 2, ROW * len(records)),
            "layer": layers,
            "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11}},
            "usermeta": {"jsna": {"figure": figure_id, "kind": KIND}},
        }
    )


def _table(rows: list[SpineRow], name: str, caption: str) -> Table:
    columns = (
        Column("Indicator"),
        Column("Period"),
        Column(f"{name} value", numeric=True),
        Column("Benchmark", numeric=True),
        Column("Worst or lowest", numeric=True),
        Column("Best or highest", numeric=True),
        Column("Comparison"),
    )
    body = []
    judgements = []
    for row in rows:
        indicator = row.indicator
        worst, best = _ends(row)
        suppressed = bool(row.row.get("suppressed", False))
        body.append(
            (
                indicator.title,
                str(row.row["period"]),
                format_value(indicator, row.row["value"], suppressed=suppressed),
                f"{row.benchmark}: {format_value(indicator, row.benchmark_value)}",
                format_value(indicator, worst),
                format_value(indicator, best),
                _comparison_text(row),
            )
        )
        judgements.append(("", "", "", "", "", "", row.word))
    frame = pd.DataFrame([r.row for r in rows])
    return Table(caption, columns, tuple(body), tuple(judgements), suppression_notes(frame))


def _data(rows: list[SpineRow]) -> pd.DataFrame:
    records = []
    for row in rows:
        worst, best = _ends(row)
        base = row.row
        records.append(
            {
                "indicator_id": row.indicator.id,
                "indicator": row.indicator.title,
                "area_code": base["area_code"],
                "area_name": base["area_name"],
                "area_type": base["area_type"],
                "period": base["period"],
                "value": base["value"],
                "lower_95": base.get("lower_95"),
                "upper_95": base.get("upper_95"),
                "numerator": base.get("numerator"),
                "denominator": base.get("denominator"),
                "benchmark": row.benchmark,
                "benchmark_value": row.benchmark_value,
                "compared_with_benchmark": row.word,
                "worst_or_lowest": worst,
                "percentile_25": row.q25,
                "percentile_75": row.q75,
                "best_or_highest": best,
                "areas_in_range": row.areas,
                "suppressed": bool(base.get("suppressed", False)),
            }
        )
    return pd.DataFrame.from_records(records)


def _summary(rows: list[SpineRow], name: str) -> str:
    counts = pd.Series([r.word for r in rows]).value_counts()
    parts = [
        f"{counts[w]} {w}" for w in ("better", "similar", "worse", "higher", "lower") if w in counts
    ]
    benchmarks = join_words(list(dict.fromkeys(r.benchmark for r in rows)))
    text = f"{len(rows)} indicators of {name} against {benchmarks}"
    text += f": {join_words(parts)}." if parts else "."
    worse = [r.indicator.title for r in rows if r.word in ("worse", "worst")]
    if worse:
        text += f" Worse than the benchmark: {join_words(worse)}."
    return text


def spine_figure(
    ctx: FigureContext,
    indicator_ids: Sequence[str],
    area_code: str,
    *,
    figure_id: str,
    caption: str = "",
    title: str | None = None,
    area_type: str | None = None,
) -> Figure:
    """The spine of ``indicator_ids`` for one area (a chapter block or an area profile)."""
    rows = spine_rows(ctx, indicator_ids, area_code, area_type)
    name = str(rows[0].row["area_name"]) if rows else area_code
    title = title or f"{name} compared with the range of areas"
    if not rows:
        return Figure(
            id=figure_id,
            kind=KIND,
            title=title,
            caption=caption,
            summary=no_data_summary("these indicators", f"in {name}"),
            table=Table(caption or title, (Column("Indicator"), Column("Value", True)), ()),
            data=pd.DataFrame(),
            spec=None,
            indicators=tuple(indicator_ids),
        )
    frame = pd.DataFrame([r.row for r in rows])
    return Figure(
        id=figure_id,
        kind=KIND,
        title=title,
        caption=caption,
        summary=_summary(rows, name),
        table=_table(rows, name, caption or title),
        data=_data(rows),
        spec=_spec(figure_id, title, rows, name),
        indicators=tuple(r.indicator.id for r in rows),
        area_type=str(rows[0].row["area_type"]),
        period=str(rows[0].row["period"]),
        sources=sources_for(ctx, [r.indicator.id for r in rows], frame),
    )


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """The spine chart of a chart block's indicators for the JSNA area (or ``area_code``)."""
    ids = list(block.indicators) or ([block.indicator] if block.indicator else [])
    focus = area_code or ctx.area_code
    digest = hashlib.sha1(",".join(ids).encode()).hexdigest()[:6]
    figure_id = f"{KIND}-{ids[0] if ids else 'none'}-{digest}" + (
        f"-{area_code}" if area_code else ""
    )
    return spine_figure(ctx, ids, focus, figure_id=figure_id, caption=block.caption)
