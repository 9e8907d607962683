"""Headline figure of an ``indicator`` block: one area's latest value, interval and judgements.

The area is the JSNA area (or the area of a profile page) at the block's
area type; an indicator published only for one area of another type (GP
registers for the sub-ICB location) is read there. The latest observed
period is used (never a projection). Comparisons list every comparator that
judged the row, with its word and value; the trend is in words when the
store has one.
"""

from __future__ import annotations

import pandas as pd

from jsna.content.chapters import IndicatorBlock

from .context import FigureContext
from .format import MISSING, format_interval, format_value, is_missing
from .model import Headline
from .summary import no_data_summary, value_sentence
from .tables import comparators_of, figure_data
from .trend import series_rows

__all__ = ["headline"]

_NO_TREND = ("", "cannot be calculated")


def headline(
    ctx: FigureContext, block: IndicatorBlock, *, area_code: str | None = None
) -> Headline:
    """The headline of an indicator block for the JSNA area (or ``area_code``)."""
    indicator = ctx.indicator(block.indicator)
    rows = series_rows(ctx, block.indicator, block.area_type, area_code or ctx.area_code)
    rows = rows[~rows["projected"].astype(bool)] if not rows.empty else rows
    if rows.empty:
        name = ctx.area_name
        return Headline(
            indicator_id=indicator.id,
            title=indicator.title,
            area_code=area_code or ctx.area_code,
            area_name=name,
            period="",
            value=MISSING,
            interval="",
            comparisons=(),
            trend="",
            summary=no_data_summary(indicator.title, f"in {name}"),
            data=figure_data(rows),
        )
    row = rows.iloc[-1]
    suppressed = bool(row.get("suppressed", False))
    frame = rows.iloc[[-1]]
    comparisons = []
    judged = []
    for ref in comparators_of(ctx.project, indicator, frame):
        word = str(row.get(ref.word_column, "") or "") or "not compared"
        value = row.get(ref.value_column)
        shown = "" if value is None or is_missing(value) else format_value(indicator, value)
        if word == "not compared" and not shown:
            continue
        comparisons.append((ref.name, word, shown))
        if word != "not compared":
            judged.append((word, ref.name))
    trend = str(row.get("trend", "") or "")
    trend = "" if trend in _NO_TREND else trend
    summary = f"{indicator.title}: " + value_sentence(indicator, row, comparisons=judged)
    if trend:
        summary += f" The recent trend is {trend}."
    unjudged = [
        (name, shown) for name, word, shown in comparisons if word == "not compared" and shown
    ]
    if unjudged and not suppressed:
        summary += " " + "; ".join(f"{name}: {shown}" for name, shown in unjudged) + "."
    return Headline(
        indicator_id=indicator.id,
        title=indicator.title,
        area_code=str(row["area_code"]),
        area_name=str(row["area_name"]),
        period=str(row["period"]),
        value=format_value(indicator, row["value"], suppressed=suppressed),
        interval=""
        if suppressed
        else format_interval(indicator, row.get("lower_95"), row.get("upper_95")),
        comparisons=tuple(comparisons),
        trend=trend,
        summary=summary,
        data=figure_data(pd.DataFrame([row])),
    )
