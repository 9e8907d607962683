"""Inequality charts: an indicator by deprivation decile, with the slope index of inequality.

The block's area type is a deprivation grouping of the JSNA area's
neighbourhoods (``imd25_decile``: the residents of Trafford's LSOAs in each
national IMD 2025 decile, 1 the most deprived). Bars show each decile's
value with its 95% interval; the summary states the slope index of
inequality (SII) with its 95% interval, computed by :func:`jsna.stats.sii`
(Low & Low 2004, as PHEindicatormethods ``phe_sii``), weighting each decile by
its population (the denominator).

The SII is the modelled difference between the least and the most deprived
ends of the gradient (rank 0 = most deprived, 1 = least), in the
indicator's units (percentage points for percentages): negative when the
value falls as deprivation falls. Proportions are fitted on the logit
scale's limits (value type 2), rates on the log scale's (1), other values
as normal (0); the simulation uses a fixed seed so every build gives the
same interval.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator
from jsna.stats import StatsInputError
from jsna.stats.sii import sii

from .context import FigureContext
from .format import format_interval, format_number, format_value, value_format
from .model import Column, Figure
from .palette import CATEGORICAL, INK, add_highlight, emphasis_encoding
from .summary import no_data_summary
from .tables import area_table, empty_table, figure_data, main_slice

__all__ = ["SEED", "build", "sii_inputs", "slope_index"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH, HEIGHT = 640, 360
SEED = 20_250_101
"""Seed of the SII simulation: the same interval on every build."""

_VALUE_TYPES = {"proportion": 2, "crude_rate": 1, "dsr": 1, "isr": 1}


def _value_type(indicator: Indicator) -> int:
    return _VALUE_TYPES.get(indicator.method, 0)


def sii_inputs(rows: pd.DataFrame, indicator: Indicator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The frame and keyword arguments :func:`jsna.stats.sii` is called with.

    Columns ``quantile`` (the decile number), ``population`` (denominator),
    ``value``, ``lower`` and ``upper``; proportions as fractions (value /
    multiplier) with the multiplier applied to the SII instead.
    """
    value_type = _value_type(indicator)
    scale = float(indicator.multiplier) if value_type == 2 else 1.0
    frame = pd.DataFrame(
        {
            "quantile": pd.to_numeric(rows["area_code"], errors="coerce"),
            "population": pd.to_numeric(rows["denominator"], errors="coerce"),
            "value": rows["value"].astype(float) / scale,
            "lower": rows["lower_95"].astype(float) / scale,
            "upper": rows["upper_95"].astype(float) / scale,
        }
    ).reset_index(drop=True)
    options: dict[str, Any] = {
        "value": "value",
        "lower_cl": "lower",
        "upper_cl": "upper",
        "value_type": value_type,
        "multiplier": scale,
        "seed": SEED,
    }
    return frame, options


def slope_index(rows: pd.DataFrame, indicator: Indicator) -> pd.Series | None:
    """The SII row (``sii``, ``sii_lower_95``, ``sii_upper_95``, ``note``), or None if it
    cannot be computed (fewer than 5 quantiles, no populations or no intervals)."""
    frame, options = sii_inputs(rows, indicator)
    if frame["quantile"].isna().any() or frame["population"].isna().any() or len(frame) < 5:
        return None
    try:
        result = sii(frame, "quantile", "population", **options)
    except StatsInputError:
        return None
    row = result.iloc[0]
    return None if np.isnan(row["sii"]) else row


def _rows(
    ctx: FigureContext, indicator: Indicator, area_type: str, period: str | None
) -> pd.DataFrame:
    frame = ctx.results(indicator.id)
    frame = main_slice(frame[frame["area_type"] == area_type])
    if period is not None:
        frame = frame[frame["period"] == period]
    frame = frame.drop_duplicates("area_code")
    order = pd.to_numeric(frame["area_code"], errors="coerce")
    return frame.assign(_order=order).sort_values(["_order", "area_code"]).drop(columns="_order")


MAX_GROUPS = 20
"""More groups than this is not a deprivation grouping (deciles, quintiles, vigintiles)."""


def _is_grouping(rows: pd.DataFrame) -> bool:
    """Whether the rows' area codes are the numbers 1..k of at most :data:`MAX_GROUPS` groups."""
    codes = pd.to_numeric(rows["area_code"], errors="coerce")
    if codes.isna().any() or len(codes) > MAX_GROUPS:
        return False
    return bool(codes.min() == 1 and (codes == codes.round()).all())


def _noun(type_name: str) -> str:
    return "quintile" if "quintile" in type_name.lower() else "decile"


def _labels(rows: pd.DataFrame, noun: str) -> list[str]:
    codes = pd.to_numeric(rows["area_code"], errors="coerce")
    last = codes.max()
    labels = []
    for code, name in zip(codes, rows["area_name"], strict=True):
        if np.isnan(code):
            labels.append(str(name))
            continue
        extra = " (most deprived)" if code == 1 else " (least deprived)" if code == last else ""
        labels.append(f"{noun.capitalize()} {int(code)}{extra}")
    return labels


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """Bars of ``block.indicator`` by deprivation decile, with the SII in the summary."""
    indicator = ctx.indicator(block.indicator or block.indicators[0])
    area_type = block.area_type or "imd25_decile"
    period = block.period or ctx.latest_period(indicator.id, area_type)
    type_name = ctx.area_type_names.get(area_type, area_type)
    noun = _noun(type_name)
    title = f"{indicator.title} by deprivation {noun}" + (f", {period}" if period else "")
    rows = _rows(ctx, indicator, area_type, period)
    base = {
        "id": f"inequality-{indicator.id}-{area_type}",
        "kind": "inequality",
        "title": title,
        "caption": block.caption,
        "indicators": (indicator.id,),
        "area_type": area_type,
        "period": period,
        "sources": tuple(sorted(set(rows.get("dataset_versions", pd.Series()).dropna()))),
    }
    if rows.empty:
        summary = no_data_summary(indicator.title, f"by {type_name}")
        return Figure(
            summary=summary,
            table=empty_table(title, noun.capitalize()),
            data=figure_data(rows),
            **base,
        )
    if not _is_grouping(rows):
        summary = (
            f"An inequality chart needs a deprivation grouping (deciles or quintiles numbered "
            f"from 1, the most deprived); {type_name} is not one."
        )
        return Figure(
            summary=summary,
            table=empty_table(title, noun.capitalize()),
            data=figure_data(rows),
            **base,
        )
    rows = rows.assign(label=_labels(rows, noun))
    suppressed = rows["suppressed"].fillna(False).astype(bool)
    shown = rows[~suppressed & rows["value"].notna()]
    result = slope_index(shown, indicator) if len(shown) == len(rows) else None
    table = area_table(rows, indicator, caption=title, first=noun.capitalize(), label="label")
    data = figure_data(rows)
    if result is not None:
        table = replace(table, notes=(*table.notes, _sii_sentence(indicator, result, noun)))
        data = data.assign(
            sii=float(result["sii"]),
            sii_lower_95=float(result["sii_lower_95"]),
            sii_upper_95=float(result["sii_upper_95"]),
        )
    spec = _spec(base["id"], indicator, shown, _benchmark(ctx, indicator, period), area_code, ctx)
    return Figure(
        summary=_summary(ctx, indicator, shown, result, noun),
        table=replace(table, columns=(Column(noun.capitalize()), *table.columns[1:])),
        data=data,
        spec=spec if not shown.empty else None,
        **base,
    )


def _benchmark(ctx: FigureContext, indicator: Indicator, period: str | None) -> float | None:
    frame = ctx.results(indicator.id)
    frame = main_slice(frame[frame["area_code"] == ctx.area_code])
    if period is not None:
        frame = frame[frame["period"] == period]
    values = frame["value"].dropna()
    return None if values.empty else float(values.iloc[0])


def _units(indicator: Indicator) -> str:
    return "percentage points" if indicator.unit == "%" else indicator.unit


def _sii_sentence(indicator: Indicator, result: pd.Series, noun: str) -> str:
    decimals = indicator.decimals
    value = float(result["sii"])
    interval = (
        f"{format_number(result['sii_lower_95'], decimals)} to "
        f"{format_number(result['sii_upper_95'], decimals)}"
    )
    units = _units(indicator)
    direction = "lower" if value < 0 else "higher"
    return (
        f"The slope index of inequality is {format_number(value, decimals)} {units} "
        f"(95% CI {interval}): the modelled value is {format_number(abs(value), decimals)} "
        f"{units} {direction} at the least deprived end of the gradient than at the most "
        f"deprived end ({noun}s weighted by population)."
    ).replace("  ", " ")


def _summary(
    ctx: FigureContext,
    indicator: Indicator,
    shown: pd.DataFrame,
    result: pd.Series | None,
    noun: str,
) -> str:
    if shown.empty:
        return no_data_summary(indicator.title, f"by deprivation {noun}")
    first, last = shown.iloc[0], shown.iloc[-1]
    text = (
        f"In {first['label'].lower()}, {indicator.title} is "
        f"{format_value(indicator, first['value'])} "
        f"({format_interval(indicator, first['lower_95'], first['upper_95']) or 'no interval'}); "
        f"in {last['label'].lower()} it is {format_value(indicator, last['value'])}."
    )
    if result is not None:
        text += " " + _sii_sentence(indicator, result, noun)
    else:
        text += (
            " The slope index of inequality is not computed: it needs every "
            f"{noun}'s population and 95% interval."
        )
    return text


def _spec(
    figure_id: str,
    indicator: Indicator,
    rows: pd.DataFrame,
    benchmark: float | None,
    focus: str | None,
    ctx: FigureContext,
) -> dict[str, Any]:
    fmt = value_format(indicator)
    unit = f" ({indicator.unit})" if indicator.unit else ""
    order = rows["label"].tolist()
    values = [
        {
            "area_code": str(r["area_code"]),
            "area_name": str(r["label"]),
            "label": str(r["label"]),
            "value": round(float(r["value"]), 6),
            "lower_95": None if pd.isna(r["lower_95"]) else round(float(r["lower_95"]), 6),
            "upper_95": None if pd.isna(r["upper_95"]) else round(float(r["upper_95"]), 6),
            "value_text": format_value(indicator, r["value"]),
            "interval_text": format_interval(indicator, r["lower_95"], r["upper_95"]) or "none",
        }
        for _, r in rows.iterrows()
    ]
    x = {
        "field": "label",
        "type": "ordinal",
        "sort": order,
        "title": "Deprivation (national IMD)",
        "axis": {"labelAngle": -40, "labelLimit": 160},
    }
    tooltip = [
        {"field": "label", "type": "nominal", "title": "Group"},
        {"field": "value_text", "type": "nominal", "title": indicator.title},
        {"field": "interval_text", "type": "nominal", "title": "95% confidence interval"},
    ]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar", "color": CATEGORICAL[0]},
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": f"{indicator.title}{unit}",
                    "axis": {"format": fmt},
                },
                **emphasis_encoding(focus),
                "tooltip": tooltip,
            },
        },
        {
            "mark": {"type": "rule", "color": INK, "strokeWidth": 1.5},
            "encoding": {
                "x": x,
                "y": {"field": "lower_95", "type": "quantitative"},
                "y2": {"field": "upper_95"},
                "tooltip": tooltip,
            },
        },
    ]
    if benchmark is not None:
        layers.append(
            {
                "data": {
                    "values": [
                        {
                            "benchmark": round(benchmark, 6),
                            "label": f"{ctx.area_name}: {format_value(indicator, benchmark)}",
                        }
                    ]
                },
                "layer": [
                    {
                        "mark": {"type": "rule", "color": INK, "strokeDash": [6, 4]},
                        "encoding": {
                            "y": {"field": "benchmark", "type": "quantitative"},
                            "tooltip": [{"field": "label", "type": "nominal", "title": "Average"}],
                        },
                    },
                    {
                        "mark": {"type": "text", "align": "right", "dy": -6, "color": INK},
                        "encoding": {
                            "y": {"field": "benchmark", "type": "quantitative"},
                            "x": {"value": WIDTH},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }
        )
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "layer": layers,
        "usermeta": {"jsna": {"figure": figure_id, "kind": "inequality"}},
    }
    return add_highlight(spec)
