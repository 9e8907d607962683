"""Scatter plots: two indicators by area, with a least-squares line and its R².

A ``scatter`` chart block names two indicators (``indicators: [x, y]``)
and an area type. Each area of that type in the JSNA area with a published,
unsuppressed value of both is a point; an ordinary least-squares line of y
on x is drawn over them, and the summary states its slope and R² (the share
of the variation in y between areas that the line accounts for). Each
indicator is read at its own latest period unless the block names one.
A straight line says nothing about cause: the summary says "goes with".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator

from .context import FigureContext
from .format import format_number, format_value, value_format
from .maps import areas_in_jsna
from .model import Column, Figure, Table
from .palette import CATEGORICAL, INK, MUTED, add_highlight, emphasis_encoding
from .summary import area_noun, no_data_summary
from .tables import main_slice

__all__ = ["build", "fit_line", "paired_values"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH, HEIGHT = 640, 400


def _values(
    ctx: FigureContext, indicator: Indicator, area_type: str, period: str | None
) -> pd.DataFrame:
    frame = ctx.results(indicator.id)
    frame = main_slice(frame[frame["area_type"] == area_type])
    period = period or ctx.latest_period(indicator.id, area_type)
    frame = frame[frame["period"] == period]
    frame = frame[~frame["suppressed"].fillna(False).astype(bool) & frame["value"].notna()]
    frame = frame.drop_duplicates("area_code")
    return frame[["area_code", "area_name", "period", "value"]].assign(
        value=frame["value"].astype(float)
    )


def paired_values(
    ctx: FigureContext, x: Indicator, y: Indicator, area_type: str, period: str | None = None
) -> pd.DataFrame:
    """One row per area of the JSNA area with both values: ``area_code``, ``area_name``,
    ``area_type``, ``x_indicator``, ``x_period``, ``x_value``, ``y_indicator``, ``y_period``,
    ``y_value`` (sorted by area name)."""
    left = _values(ctx, x, area_type, period)
    right = _values(ctx, y, area_type, period).drop(columns="area_name")
    pairs = left.merge(right, on="area_code", suffixes=("_x", "_y"))
    pairs = pairs[pairs["area_code"].isin(areas_in_jsna(ctx, area_type))]
    out = pd.DataFrame(
        {
            "area_code": pairs["area_code"],
            "area_name": pairs["area_name"],
            "area_type": area_type,
            "x_indicator": x.id,
            "x_period": pairs["period_x"],
            "x_value": pairs["value_x"],
            "y_indicator": y.id,
            "y_period": pairs["period_y"],
            "y_value": pairs["value_y"],
        }
    )
    return out.sort_values("area_name", kind="stable").reset_index(drop=True)


def fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(slope, intercept, R²) of the least-squares line of ``y`` on ``x`` (NaN when x is
    constant or there are fewer than 3 points)."""
    if len(x) < 3 or np.ptp(x) == 0:
        return float("nan"), float("nan"), float("nan")
    slope, intercept = np.polyfit(x, y, 1)
    fitted = slope * x + intercept
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float(((y - fitted) ** 2).sum()) / total if total > 0 else float("nan")
    return float(slope), float(intercept), r2


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """A scatter plot of ``block.indicators[1]`` against ``block.indicators[0]`` by area."""
    ids = block.indicators or ((block.indicator,) if block.indicator else ())
    x, y = ctx.indicator(ids[0]), ctx.indicator(ids[1] if len(ids) > 1 else ids[0])
    area_type = block.area_type or ctx.project.config.area.area_type
    type_name = ctx.area_type_names.get(area_type, area_type)
    pairs = paired_values(ctx, x, y, area_type, block.period)
    nouns = area_noun(type_name, len(pairs))
    title = f"{y.title} against {x.title}, {area_noun(type_name, 2)} of {ctx.area_name}"
    columns = (Column("Area"), Column(x.title, numeric=True), Column(y.title, numeric=True))
    rows = tuple(
        (name, format_value(x, xv), format_value(y, yv))
        for name, xv, yv in zip(pairs["area_name"], pairs["x_value"], pairs["y_value"], strict=True)
    )
    slope, intercept, r2 = fit_line(pairs["x_value"].to_numpy(), pairs["y_value"].to_numpy())
    notes = () if np.isnan(r2) else (f"Least-squares line: R² = {r2:.2f}.",)
    table = Table(caption=title, columns=columns, rows=rows, notes=notes)
    periods = sorted({*pairs["x_period"], *pairs["y_period"]})
    base = {
        "id": f"scatter-{x.id}-{y.id}-{area_type}",
        "kind": "scatter",
        "title": title,
        "caption": block.caption,
        "indicators": (x.id, y.id),
        "area_type": area_type,
        "period": ", ".join(periods) or None,
    }
    if pairs.empty:
        summary = no_data_summary(f"both {x.title} and {y.title}", f"by {area_noun(type_name, 1)}")
        return Figure(summary=summary, table=table, data=pairs, **base)
    summary = _summary(ctx, x, y, pairs, nouns, slope, r2)
    spec = _spec(base["id"], x, y, pairs, slope, intercept, area_code)
    return Figure(summary=summary, table=table, data=pairs, spec=spec, **base)


def _summary(
    ctx: FigureContext,
    x: Indicator,
    y: Indicator,
    pairs: pd.DataFrame,
    nouns: str,
    slope: float,
    r2: float,
) -> str:
    text = f"The chart plots {len(pairs)} {nouns} of {ctx.area_name}."
    if np.isnan(r2):
        return text + " There are too few areas (or too little variation) to fit a line."
    direction = "higher" if slope > 0 else "lower"
    unit_step = _unit_step(pairs["x_value"])
    change = abs(slope) * unit_step
    step = (
        f"{format_number(change, y.decimals)} percentage points"
        if y.unit == "%"
        else format_value(y, change)
    )
    per = format_number(unit_step, 0 if unit_step >= 1 else 2) + ("%" if x.unit == "%" else "")
    verb = "rises" if slope > 0 else "falls"
    return (
        f"{text} Areas with a higher {x.title} tend to have a {direction} {y.title}: "
        f"the least-squares line {verb} by {step} for each increase of {per} in {x.title}, "
        f"and R² is {r2:.2f} (the line accounts for {r2 * 100:.0f}% of the variation "
        "between areas). This is an association, not a cause."
    )


def _unit_step(values: pd.Series) -> float:
    """A round step of x to express the slope per (1, 10, 100 ... or 0.1) for readability."""
    spread = float(values.max() - values.min())
    if spread <= 0:
        return 1.0
    return float(10 ** np.floor(np.log10(spread / 2)))


def _spec(
    figure_id: str,
    x: Indicator,
    y: Indicator,
    pairs: pd.DataFrame,
    slope: float,
    intercept: float,
    focus: str | None,
) -> dict[str, Any]:
    x_unit = f" ({x.unit})" if x.unit else ""
    y_unit = f" ({y.unit})" if y.unit else ""
    values = [
        {
            "area_code": code,
            "area_name": name,
            "x": round(float(xv), 6),
            "y": round(float(yv), 6),
            "x_text": format_value(x, xv),
            "y_text": format_value(y, yv),
        }
        for code, name, xv, yv in zip(
            pairs["area_code"], pairs["area_name"], pairs["x_value"], pairs["y_value"], strict=True
        )
    ]
    x_channel = {
        "field": "x",
        "type": "quantitative",
        "title": f"{x.title}{x_unit}",
        "axis": {"format": value_format(x)},
        "scale": {"zero": False},
    }
    y_channel = {
        "field": "y",
        "type": "quantitative",
        "title": f"{y.title}{y_unit}",
        "axis": {"format": value_format(y)},
        "scale": {"zero": False},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {"type": "point", "filled": True, "size": 50, "color": CATEGORICAL[0]},
            "encoding": {
                "x": x_channel,
                "y": y_channel,
                **emphasis_encoding(focus, base_stroke="#ffffff"),
                "tooltip": [
                    {"field": "area_name", "type": "nominal", "title": "Area"},
                    {"field": "x_text", "type": "nominal", "title": x.title},
                    {"field": "y_text", "type": "nominal", "title": y.title},
                ],
            },
        }
    ]
    if not np.isnan(slope):
        low, high = float(pairs["x_value"].min()), float(pairs["x_value"].max())
        line = [
            {"x": round(v, 6), "y": round(slope * v + intercept, 6), "line": "least-squares line"}
            for v in (low, high)
        ]
        layers.append(
            {
                "data": {"values": line},
                "mark": {"type": "line", "color": INK, "strokeWidth": 2},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "tooltip": [{"field": "line", "type": "nominal", "title": "Line"}],
                },
            }
        )
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": layers,
        "config": {"axis": {"titleLimit": 500, "gridColor": "#eeeeee", "domainColor": MUTED}},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "scatter"}},
    }
    return add_highlight(spec)
