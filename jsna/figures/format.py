"""Numbers as readers see them: an indicator's decimals and unit, thousands separators.

Every figure, table, headline and summary sentence formats values here, so
``7.1%`` in a chart tooltip is ``7.1%`` in its table and in the sentence under
it. Units are written the way the indicator declares them: a percentage sign
sticks to the number (``7.1%``), any other unit follows after a space
(``542.3 per 100,000``, ``81.2 years``).

A suppressed figure is never shown as a number: it reads ``suppressed`` (the
reason goes in a table note), and a missing one reads ``no data``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from jsna.content.indicators import Indicator

__all__ = [
    "MISSING",
    "SUPPRESSED",
    "format_count",
    "format_interval",
    "format_limits",
    "format_number",
    "format_short",
    "format_value",
    "is_missing",
    "value_format",
]

SUPPRESSED = "suppressed"
"""What a suppressed figure reads (never a number, never blank)."""

MISSING = "no data"
"""What a figure that was not published reads."""


def is_missing(value: Any) -> bool:
    """Whether ``value`` is None, NaN or pandas' NA (not a number to show)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return True


def format_number(value: Any, decimals: int = 1) -> str:
    """``value`` with ``decimals`` places and thousands separators (``12,345.6``).

    Negative zero after rounding reads ``0`` (``-0.0`` is noise to a reader).
    """
    if is_missing(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text


def _decimals(indicator: Indicator | None) -> int:
    return 1 if indicator is None else indicator.decimals


def _with_unit(number: str, unit: str) -> str:
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}"


def format_value(indicator: Indicator | None, value: Any, *, suppressed: bool = False) -> str:
    """An indicator's value with its decimals and unit: ``7.1%``, ``542.3 per 100,000``.

    ``suppressed`` (or a value of a suppressed row) reads ``suppressed``; a
    missing value reads ``no data``.
    """
    if suppressed:
        return SUPPRESSED
    if is_missing(value):
        return MISSING
    unit = "" if indicator is None else indicator.unit
    return _with_unit(format_number(value, _decimals(indicator)), unit)


def format_interval(
    indicator: Indicator | None, lower: Any, upper: Any, *, level: str = "95%"
) -> str:
    """``95% CI 6.9% to 7.3%``, or ``""`` when either limit is missing."""
    if is_missing(lower) or is_missing(upper):
        return ""
    low = format_value(indicator, lower)
    high = format_value(indicator, upper)
    return f"{level} CI {low} to {high}"


def format_limits(indicator: Indicator | None, lower: Any, upper: Any) -> str:
    """``6.9% to 7.3%`` (a table's CI cell), or ``""`` when either limit is missing."""
    if is_missing(lower) or is_missing(upper):
        return ""
    return f"{format_value(indicator, lower)} to {format_value(indicator, upper)}"


def format_count(value: Any, *, suppressed: bool = False) -> str:
    """A count or denominator: whole numbers as ``12,345``, apportioned ones to 1 decimal.

    A missing count reads ``""`` when the row is not suppressed (many
    indicators have no count) and ``suppressed`` when it is.
    """
    if is_missing(value):
        return SUPPRESSED if suppressed else ""
    number = float(value)
    decimals = 0 if number == round(number) else 1
    return format_number(number, decimals)


def value_format(indicator: Indicator | None) -> str:
    """A d3-format string for a chart axis or tooltip of the indicator (``,.1f``).

    The unit is not in it: axes carry it in their title and tooltips in a
    pre-formatted text field.
    """
    return f",.{_decimals(indicator)}f"


def format_short(indicator: Indicator | None, value: Any, *, suppressed: bool = False) -> str:
    """A value for a small space (a heatmap cell): the number, with ``%`` but no other unit."""
    if suppressed:
        return SUPPRESSED
    if is_missing(value):
        return MISSING
    number = format_number(value, _decimals(indicator))
    return f"{number}%" if indicator is not None and indicator.unit == "%" else number
