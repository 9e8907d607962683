"""Funnel plots: each area's value against its size, inside 95% and 99.8% control limits.

A league table flags small areas for being noisy; a funnel plot does not.
Each area (e.g. a GP practice in the JSNA area) is a point at its size
(population for proportions, derived population for rates, expected events
for ratios) and its value; around the average of all the areas together
(the JSNA-area average) two pairs of lines show where chance alone would put
95% and 99.8% of areas. The limits and each area's position come from
:func:`jsna.stats.funnel_limits` and :func:`jsna.stats.funnel_significance`
(OHID Fingertips' method; ``docs/methods/funnels.md``).

Position is said in words everywhere ("above the 99.8% limit", "within
the limits"), and points differ in shape as well as colour: triangles up
above the funnel, down below it, circles within.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator
from jsna.stats import StatsInputError, funnel_limits, funnel_significance

from .context import FigureContext
from .format import format_number, format_value, value_format
from .maps import areas_in_jsna
from .model import Column, Figure
from .palette import COMPARISON_COLOURS, INK, MUTED, add_highlight, emphasis_encoding
from .summary import area_noun, join_words, no_data_summary
from .tables import area_table, empty_table, figure_data, main_slice

__all__ = ["POSITIONS", "build", "funnel_frames"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
MIN_AREAS = 3
"""Fewer areas than this make no funnel (the limits would be drawn around one or two)."""
WIDTH, HEIGHT = 640, 400

POSITIONS: dict[str, str] = {
    "High (0.001)": "above the 99.8% limit",
    "High (0.025)": "above the 95% limit",
    "Not significant": "within the limits",
    "Low (0.025)": "below the 95% limit",
    "Low (0.001)": "below the 99.8% limit",
    "Not applicable for events less than 10 for dsrs": "not assessed (fewer than 10 events)",
}
"""jsna.stats significance labels -> the words readers see."""

_SHAPES = {
    "above the 99.8% limit": "triangle-up",
    "above the 95% limit": "triangle-up",
    "within the limits": "circle",
    "below the 95% limit": "triangle-down",
    "below the 99.8% limit": "triangle-down",
    "not assessed (fewer than 10 events)": "square",
}


@dataclass(frozen=True)
class _Kind:
    """How an indicator's rows feed the funnel functions."""

    statistic: str
    x_label: str
    options: dict[str, Any]


def _kind(indicator: Indicator) -> _Kind | None:
    method = indicator.method
    if method == "proportion":
        return _Kind("proportion", "Denominator (people)", {"multiplier": indicator.multiplier})
    if method in ("crude_rate", "dsr"):
        rate_type = "crude" if method == "crude_rate" else "dsr"
        options = {"rate": "value", "rate_type": rate_type, "multiplier": indicator.multiplier}
        return _Kind("rate", "Population (per year)", options)
    if method == "isr":
        return _Kind("ratio", "Expected events", {"ratio_type": "isr"})
    return None


def _size(position: str) -> int:
    """Points beyond the 99.8% limits are drawn larger than those beyond the 95% ones."""
    return 120 if "99.8%" in position else 60


def _judgement(position: str, polarity: str) -> str:
    """The comparison word whose colour a position takes (higher/lower without polarity)."""
    if position.startswith("within"):
        return "similar"
    if position.startswith("not assessed"):
        return "not compared"
    high = position.startswith("above")
    extreme = "99.8%" in position
    if polarity == "low_is_good":
        word = "worse" if high else "better"
    elif polarity == "high_is_good":
        word = "better" if high else "worse"
    else:
        return "higher" if high else "lower"
    if extreme:
        return {"worse": "worst", "better": "best"}[word]
    return word


def funnel_frames(
    rows: pd.DataFrame, indicator: Indicator
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(points with ``x`` and ``position``, limit lines long: ``line``, ``level``, ``x``, ``y``).

    None when the indicator's method has no funnel. Raises
    :class:`jsna.stats.StatsInputError` when the rows break the funnel rules.
    """
    kind = _kind(indicator)
    if kind is None:
        return None
    data = rows.copy()
    data["numerator"] = data["numerator"].astype(float)
    data["denominator"] = data["denominator"].astype(float)
    if kind.statistic == "ratio":
        data["expected"] = data["numerator"] / (data["value"].astype(float) / 100)
        denominator = "expected"
    else:
        denominator = "denominator"
    options = dict(kind.options)
    limits = funnel_limits(data, "numerator", denominator, statistic=kind.statistic, **options)
    options.pop("ratio_type", None)
    if kind.statistic == "proportion":
        options.pop("multiplier", None)
    judged = funnel_significance(
        data, "numerator", denominator, statistic=kind.statistic, **options
    )
    data["position"] = judged["significance"].astype(str).map(POSITIONS).to_numpy()
    if kind.statistic == "proportion":
        data["x"] = data["denominator"]
    elif kind.statistic == "ratio":
        data["x"] = data["expected"]
    else:
        data["x"] = indicator.multiplier * data["numerator"] / data["value"].astype(float)
    return data, _lines(limits, kind.statistic)


def _lines(limits: pd.DataFrame, statistic: str) -> pd.DataFrame:
    parts = []
    for level, label in (("2s", "95%"), ("3s", "99.8%")):
        for side in ("lower", "upper"):
            column = f"{side}_{level}_limit"
            if statistic == "proportion":
                x = limits["Population"]
            elif statistic == "ratio":
                x = limits[f"{side}_{level}_exp_events"]
            else:
                x = limits[f"{side}_{level}_population_1_year"]
            parts.append(
                pd.DataFrame(
                    {
                        "line": f"{side} {label}",
                        "level": f"{label} limits",
                        "x": x.astype(float),
                        "y": limits[column].astype(float),
                    }
                )
            )
    lines = pd.concat(parts, ignore_index=True)
    lines["baseline"] = float(limits["baseline"].iloc[0])
    return lines


def _rows(
    ctx: FigureContext, indicator: Indicator, area_type: str, period: str | None
) -> pd.DataFrame:
    frame = ctx.results(indicator.id)
    frame = main_slice(frame[frame["area_type"] == area_type])
    if period is not None:
        frame = frame[frame["period"] == period]
    frame = frame[frame["area_code"].isin(areas_in_jsna(ctx, area_type))]
    return frame.drop_duplicates("area_code").reset_index(drop=True)


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """A funnel plot of ``block.indicator`` across the areas of ``block.area_type``."""
    indicator = ctx.indicator(block.indicator or block.indicators[0])
    area_type = block.area_type or "gp_practice"
    period = block.period or ctx.latest_period(indicator.id, area_type)
    type_name = ctx.area_type_names.get(area_type, area_type)
    nouns = area_noun(type_name, 2)
    title = f"{indicator.title}: {nouns} of {ctx.area_name}" + (f", {period}" if period else "")
    rows = _rows(ctx, indicator, area_type, period)
    base = {
        "id": f"funnel-{indicator.id}-{area_type}",
        "kind": "funnel",
        "title": title,
        "caption": block.caption,
        "indicators": (indicator.id,),
        "area_type": area_type,
        "period": period,
        "sources": tuple(sorted(set(rows.get("dataset_versions", pd.Series()).dropna()))),
    }
    shown = rows[~rows["suppressed"].fillna(False).astype(bool) & rows["value"].notna()]
    if shown.empty:
        summary = no_data_summary(indicator.title, f"for the {nouns} of {ctx.area_name}")
        return Figure(summary=summary, table=empty_table(title), data=figure_data(rows), **base)
    table = area_table(rows, indicator, caption=title)
    reason = f" A funnel plot needs counts; {indicator.title} is not computed from counts."
    frames = None
    if len(shown) < MIN_AREAS:
        reason = f" A funnel plot needs at least {MIN_AREAS} areas."
    elif _kind(indicator) is not None and shown["numerator"].notna().all():
        try:
            frames = funnel_frames(shown, indicator)
        except StatsInputError as error:
            reason = f" A funnel cannot be drawn: {error}."
    if frames is None:
        return Figure(
            summary=_plain_summary(indicator, shown, nouns, ctx.area_name) + reason,
            table=table,
            data=figure_data(rows),
            **base,
        )
    points, lines = frames
    positions = rows["area_code"].map(points.set_index("area_code")["position"]).fillna("not shown")
    table = replace(
        table,
        columns=(*table.columns, Column("Position in the funnel")),
        rows=tuple((*r, p) for r, p in zip(table.rows, positions, strict=True)),
        judgements=tuple((*j, "") for j in table.judgements),
    )
    data = figure_data(
        rows.assign(funnel_position=positions.to_numpy()), extra=("funnel_position",)
    )
    spec = _spec(base["id"], indicator, points, lines, _kind(indicator), area_code, ctx.area_name)
    return Figure(
        summary=_summary(indicator, points, lines, nouns, _average_of(ctx, area_type, nouns)),
        table=table,
        data=data,
        spec=spec,
        **base,
    )


def _plain_summary(indicator: Indicator, rows: pd.DataFrame, nouns: str, place: str) -> str:
    return f"{len(rows)} {nouns} of {place} have a published figure of {indicator.title}."


def _average_of(ctx: FigureContext, area_type: str, nouns: str) -> str:
    """``the Trafford average`` for areas inside the JSNA area; at its own area type the
    funnel's areas are the JSNA area and its comparators, so ``the average of these ...``."""
    if area_type == ctx.project.config.area.area_type:
        return f"the average of these {nouns}"
    return f"the {ctx.area_name} average"


def _summary(
    indicator: Indicator, points: pd.DataFrame, lines: pd.DataFrame, nouns: str, average_of: str
) -> str:
    average = format_value(indicator, lines["baseline"].iloc[0])
    counts = points["position"].value_counts()
    outside = [
        f"{counts[p]} {p}" for p in POSITIONS.values() if p in counts and not p.startswith("within")
    ]
    within = int(counts.get("within the limits", 0))
    text = (
        f"The funnel compares {len(points)} {nouns} with {average_of} of {average} "
        f"(all of them together): {within} lie within the 95% limits"
    )
    text += f"; {join_words(outside)}." if outside else ", none outside them."
    return text


def _spec(
    figure_id: str,
    indicator: Indicator,
    points: pd.DataFrame,
    lines: pd.DataFrame,
    kind: _Kind | None,
    focus: str | None,
    place: str,
) -> dict[str, Any]:
    fmt = value_format(indicator)
    unit = f" ({indicator.unit})" if indicator.unit else ""
    x_title = kind.x_label if kind else "Size"
    present = [p for p in POSITIONS.values() if p in set(points["position"])]
    colours = [COMPARISON_COLOURS[_judgement(p, indicator.polarity)] for p in present]
    values = pd.DataFrame(
        {
            "area_code": points["area_code"],
            "area_name": points["area_name"],
            "x": points["x"].round(3),
            "value": points["value"].astype(float).round(6),
            "value_text": [format_value(indicator, v) for v in points["value"]],
            "size_text": [format_number(v, 0) for v in points["x"]],
            "position": points["position"],
        }
    )
    baseline = float(lines["baseline"].iloc[0])
    y_domain = _y_domain(values, lines)
    layers = [
        {
            "data": {"values": _records(lines[["line", "level", "x", "y"]].round(6))},
            "mark": {"type": "line", "color": MUTED, "strokeWidth": 1.2, "clip": True},
            "encoding": {
                "x": {"field": "x", "type": "quantitative"},
                "y": {"field": "y", "type": "quantitative"},
                "detail": {"field": "line"},
                "strokeDash": {
                    "field": "level",
                    "type": "nominal",
                    "title": "Control limits",
                    "scale": {"domain": ["95% limits", "99.8% limits"], "range": [[4, 3], [1, 0]]},
                },
            },
        },
        {
            "data": {"values": [{"baseline": round(baseline, 6), "label": f"{place} average"}]},
            "mark": {"type": "rule", "color": INK, "strokeWidth": 1},
            "encoding": {
                "y": {"field": "baseline", "type": "quantitative"},
                "tooltip": [
                    {"field": "label", "type": "nominal", "title": "Line"},
                    {"field": "baseline", "type": "quantitative", "format": fmt, "title": "Value"},
                ],
            },
        },
        {
            "data": {"values": _records(values)},
            "mark": {"type": "point", "filled": True, "size": 70, "opacity": 0.9},
            "encoding": {
                "x": {
                    "field": "x",
                    "type": "quantitative",
                    "title": x_title,
                    "axis": {"format": ",.0f"},
                },
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": f"{indicator.title}{unit}",
                    "axis": {"format": fmt},
                    "scale": {"zero": False, "domain": y_domain, "nice": False},
                },
                "color": {
                    "field": "position",
                    "type": "nominal",
                    "title": "Position",
                    "scale": {"domain": present, "range": colours},
                },
                "shape": {
                    "field": "position",
                    "type": "nominal",
                    "title": "Position",
                    "scale": {"domain": present, "range": [_SHAPES[p] for p in present]},
                },
                "size": {
                    "field": "position",
                    "type": "nominal",
                    "title": "Position",
                    "scale": {"domain": present, "range": [_size(p) for p in present]},
                },
                **emphasis_encoding(focus, base_stroke=MUTED),
                "tooltip": [
                    {"field": "area_name", "type": "nominal", "title": "Area"},
                    {"field": "value_text", "type": "nominal", "title": indicator.title},
                    {"field": "size_text", "type": "nominal", "title": x_title},
                    {"field": "position", "type": "nominal", "title": "Position in the funnel"},
                ],
            },
        },
    ]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": layers,
        "resolve": {"scale": {"y": "shared", "x": "shared"}},
        "config": {"legend": {"labelLimit": 300}},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "funnel"}},
    }
    return add_highlight(spec)


def _y_domain(values: pd.DataFrame, lines: pd.DataFrame) -> list[float]:
    """The value axis: the points and the limits from half the smallest area's size on, padded
    (the limits at very small sizes would flatten every point)."""
    near = lines[lines["x"] >= values["x"].min() / 2]["y"]
    low = min(values["value"].min(), near.min() if not near.empty else values["value"].min())
    high = max(values["value"].max(), near.max() if not near.empty else values["value"].max())
    pad = (high - low) * 0.05 or abs(high) * 0.05 or 1.0
    return [round(float(low - pad), 6), round(float(high + pad), 6)]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]
