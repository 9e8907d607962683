"""Linear growth model and projection of a count over its periods (``Indicator.projection``).

For each series (an area and breakdown over periods) of an indicator with
``projection: {to: YEAR}``, an ordinary least-squares line of the value on the
period's decimal year is fitted, for every series at once from grouped sums
(no loop over areas). Each series with at least two periods gets one
projected row at the middle of ``to`` (period ``"2030 (projected)"``,
``period_start`` = ``to``) with:

- ``value`` = the line at ``to + 0.5``; ``numerator`` = that modelled count
  rounded to a whole number (so a small projection is suppressed like a
  small count);
- ``statistic`` ``"linear projection"`` and ``method`` naming the number of
  periods, the annual growth (slope) and the growth as a percentage a year of
  the line's value at the first period;
- with three or more periods, a 95% prediction interval
  ``yhat +/- t(0.975, n-2) * s * sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx)`` in
  ``lower_95``/``upper_95``; with two points the line passes through both,
  there is no residual variance and no interval (the method says so).

Decimal years: a month ``"2026-01"`` is the first of that month (2026.0); any
other period (``"2019/20"``, ``"2021"``) is its ``period_start`` + 0.5, about
the middle of a financial or calendar year.

Projected rows are added after comparisons, trends and quintiles are
computed, so they never feed them; they carry no comparison or trend, and
:func:`is_projected` tells them apart (findings skip count indicators).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jsna.content.indicators import Indicator
from jsna.stats.regression import decimal_years, linear_fits, predict_linear

__all__ = ["PROJECTED", "STATISTIC", "decimal_years", "is_projected", "project_rows"]

PROJECTED = " (projected)"
"""Suffix of the period label of a projected row: ``2030 (projected)``."""
STATISTIC = "linear projection"
"""``statistic`` of every projected row."""

_SERIES = ["area_type", "area_id", "sex", "age", "breakdown_type", "breakdown"]
_FIT_RANK = {"exact": 0, "best_fit": 1, "apportioned": 2}


def is_projected(frame: pd.DataFrame) -> pd.Series:
    """Whether each row of ``frame`` (results) is a projection rather than an observed period."""
    return frame["period"].astype(str).str.endswith(PROJECTED)


def _number(value: float) -> str:
    return f"{value:+,.0f}" if abs(value) >= 10 else f"{value:+.2g}"


def project_rows(rows: pd.DataFrame, indicator: Indicator) -> tuple[pd.DataFrame, str | None]:
    """One projected row per series of ``rows`` with two or more periods, and a warning if none.

    ``rows`` are the indicator's computed results (columns of the ``result``
    table before publishing); the projected rows have the same columns.
    """
    projection = indicator.projection
    if projection is None or rows.empty:
        return rows.iloc[:0].copy(), None
    data = rows[np.isfinite(rows["value"].to_numpy(dtype=np.float64))].copy()
    data["_x"] = decimal_years(data["period"], data["period_start"])
    data["_fit"] = data["fit"].map(_FIT_RANK).fillna(0)
    fits = linear_fits(data, "_x", "value", by=_SERIES)
    extra = data.groupby(_SERIES, dropna=False, sort=False).agg(
        first=("_x", "min"), fit=("_fit", "max")
    )
    fits = fits.join(extra)
    fits = fits[(fits["n"] >= 2) & np.isfinite(fits["slope"])]
    if fits.empty:
        return rows.iloc[:0].copy(), (
            f"{indicator.id}: no projection: no area has two or more periods with a value"
        )
    x0 = projection.to + 0.5
    n = fits["n"].to_numpy(dtype=np.float64)
    slope = fits["slope"].to_numpy(dtype=np.float64)
    line = predict_linear(fits, x0)
    predicted = line["value"].to_numpy(dtype=np.float64)
    half = predicted - line["lower_95"].to_numpy(dtype=np.float64)
    at_first = predict_linear(fits, fits["first"].to_numpy(dtype=np.float64))["value"].to_numpy(
        dtype=np.float64
    )
    degrees = n - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = 100 * slope / at_first
    out = fits.index.to_frame(index=False)
    first_rows = data.drop_duplicates(_SERIES)[[*_SERIES, "area_code", "indicator_id"]]
    out = out.merge(first_rows, on=_SERIES, how="left")
    out["period"] = f"{projection.to}{PROJECTED}"
    out["period_start"] = projection.to
    out["value"] = predicted
    # the modelled count, whole (small ones are suppressed like observed counts)
    out["numerator"] = np.round(predicted / indicator.multiplier)
    out["denominator"] = np.nan
    out["lower_95"] = predicted - half
    out["upper_95"] = predicted + half
    for name in rows.columns:
        if name.startswith(("lower_99", "upper_99")):
            out[name] = np.nan
    out["confidence"] = np.where(degrees > 0, "0.95", "")
    out["statistic"] = STATISTIC
    unit = f" {indicator.unit}" if indicator.unit else ""
    growth_text = [
        f"{_number(s)}{unit} a year ({g:+.1f}% a year)"
        if np.isfinite(g)
        else f"{_number(s)} a year"
        for s, g in zip(slope, growth, strict=True)
    ]
    interval = np.where(degrees > 0, "; 95% prediction interval", "; 2 points: no interval")
    method = [
        f"from {int(k)} periods, {g}{i}"[:100]
        for k, g, i in zip(n, growth_text, interval, strict=True)
    ]
    out["method"] = method
    out["comparison"] = "{}"
    out["benchmarks"] = "{}"
    out["trend"] = None
    out["quintile"] = pd.NA
    names = {rank: name for name, rank in _FIT_RANK.items()}
    out["fit"] = [names[int(rank)] for rank in fits["fit"]]
    out["area_id"] = out["area_id"].astype(rows["area_id"].dtype)
    return out[[c for c in rows.columns if c in out.columns]], None
