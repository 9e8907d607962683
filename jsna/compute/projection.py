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

import re

import numpy as np
import pandas as pd
from scipy import stats

from jsna.content.indicators import Indicator

__all__ = ["PROJECTED", "STATISTIC", "decimal_years", "is_projected", "project_rows"]

PROJECTED = " (projected)"
"""Suffix of the period label of a projected row: ``2030 (projected)``."""
STATISTIC = "linear projection"
"""``statistic`` of every projected row."""

_SERIES = ["area_type", "area_id", "sex", "age", "breakdown_type", "breakdown"]
_FIT_RANK = {"exact": 0, "best_fit": 1, "apportioned": 2}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def decimal_years(periods: pd.Series, starts: pd.Series) -> np.ndarray:
    """The decimal year of each period label (see the module docstring), per distinct label."""
    pairs = pd.DataFrame({"period": periods.astype(str), "start": starts.astype(np.int64)})
    distinct = pairs.drop_duplicates().reset_index(drop=True)
    years = []
    for period, start in zip(distinct["period"], distinct["start"], strict=True):
        month = _MONTH.match(period)
        # "2011-12" is a financial year (the second part is the next year), not December
        if month and int(month.group(2)) != (int(month.group(1)) + 1) % 100:
            years.append(int(month.group(1)) + (int(month.group(2)) - 1) / 12)
        else:
            years.append(start + 0.5)
    distinct["year"] = years
    merged = pairs.merge(distinct, on=["period", "start"], how="left")
    return merged["year"].to_numpy(dtype=np.float64)


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
    data["_y"] = data["value"].to_numpy(dtype=np.float64)
    group = data.groupby(_SERIES, dropna=False, sort=False)
    data["_n"] = group["_x"].transform("size")
    data["_dx"] = data["_x"] - group["_x"].transform("mean")
    data["_dy"] = data["_y"] - group["_y"].transform("mean")
    data["_dxx"] = data["_dx"] ** 2
    data["_dxy"] = data["_dx"] * data["_dy"]
    sums = data.groupby(_SERIES, dropna=False, sort=False)[["_dxx", "_dxy"]].transform("sum")
    data["_slope"] = sums["_dxy"] / sums["_dxx"].where(sums["_dxx"] > 0)
    data["_resid2"] = (data["_dy"] - data["_slope"] * data["_dx"]) ** 2
    first_x = data.groupby(_SERIES, dropna=False, sort=False)["_x"].transform("min")
    data["_first"] = first_x
    data["_sxx"] = sums["_dxx"]
    data["_fit"] = data["fit"].map(_FIT_RANK).fillna(0)
    fits = data.groupby(_SERIES, dropna=False, sort=False).agg(
        n=("_n", "first"),
        xbar=("_x", "mean"),
        ybar=("_y", "mean"),
        slope=("_slope", "first"),
        sxx=("_sxx", "first"),
        sse=("_resid2", "sum"),
        first=("_first", "first"),
        fit=("_fit", "max"),
    )
    fits = fits[(fits["n"] >= 2) & np.isfinite(fits["slope"])]
    if fits.empty:
        return rows.iloc[:0].copy(), (
            f"{indicator.id}: no projection: no area has two or more periods with a value"
        )
    x0 = projection.to + 0.5
    n = fits["n"].to_numpy(dtype=np.float64)
    slope = fits["slope"].to_numpy(dtype=np.float64)
    xbar = fits["xbar"].to_numpy(dtype=np.float64)
    predicted = fits["ybar"].to_numpy(dtype=np.float64) + slope * (x0 - xbar)
    at_first = fits["ybar"].to_numpy(dtype=np.float64) + slope * (
        fits["first"].to_numpy(dtype=np.float64) - xbar
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        degrees = n - 2
        spread = np.sqrt(fits["sse"].to_numpy(dtype=np.float64) / degrees)
        half = (
            stats.t.ppf(0.975, np.where(degrees > 0, degrees, 1))
            * spread
            * np.sqrt(1 + 1 / n + (x0 - xbar) ** 2 / fits["sxx"].to_numpy(dtype=np.float64))
        )
        growth = 100 * slope / at_first
    half = np.where(degrees > 0, half, np.nan)
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
