"""Straight-line (ordinary least squares) growth models, fitted for many series at once.

:func:`linear_fits` fits ``y = intercept + slope * x`` to every group of a
frame from grouped sums (no loop over groups) and reports, per group:

- ``n``, ``xbar``, ``ybar``, ``sxx`` (sum of squared deviations of x), ``sse``
  (residual sum of squares);
- ``slope`` and ``intercept``;
- ``slope_lower_95`` / ``slope_upper_95``: ``slope +/- t(0.975, n-2) * s / sqrt(Sxx)``
  with ``s = sqrt(sse / (n-2))`` (NaN with two points: the line passes
  through both and there is no residual variance);
- ``r_squared`` = ``1 - sse / Syy`` (NaN when y does not vary).

:func:`predict_linear` gives the line at any ``x0`` with a prediction
interval for one new observation,
``yhat +/- t(0.975, n-2) * s * sqrt(1 + 1/n + (x0 - xbar)^2 / Sxx)``.

:func:`decimal_years` turns period labels into the decimal years the models
are fitted on. These are the maths of ``Indicator.projection`` (see
``jsna.compute.projection``) and of the growth models of future need.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import FloatArray, StatsInputError

__all__ = ["FIT_COLUMNS", "decimal_years", "linear_fits", "predict_linear"]

FIT_COLUMNS = (
    "n",
    "xbar",
    "ybar",
    "sxx",
    "sse",
    "slope",
    "intercept",
    "slope_lower_95",
    "slope_upper_95",
    "r_squared",
)
"""Columns of :func:`linear_fits`, in this order."""

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def decimal_years(periods: pd.Series, starts: pd.Series) -> FloatArray:
    """The decimal year of each period label, computed once per distinct label.

    A month ``"2026-01"`` is the first of that month (2026.0); any other
    period (``"2019/20"``, ``"2021"``, a financial year ``"2011-12"``) is its
    start year + 0.5, about the middle of a financial or calendar year.
    """
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


def _numbers(data: pd.DataFrame, column: Hashable) -> FloatArray:
    if column not in data.columns:
        raise StatsInputError(f"{column}: column not found in data (columns: {list(data.columns)})")
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=np.float64)
    return values


def linear_fits(
    data: pd.DataFrame, x: Hashable, y: Hashable, by: Sequence[Hashable] = ()
) -> pd.DataFrame:
    """One least-squares line per group of ``by`` (all rows when empty); see the module docstring.

    Rows whose ``x`` or ``y`` is missing are left out. A group with fewer than
    two distinct ``x`` has no slope (NaN). The result is indexed by the
    groups (a one-row frame with index ``0`` when ``by`` is empty) and has
    :data:`FIT_COLUMNS`.
    """
    if not isinstance(data, pd.DataFrame):
        raise StatsInputError(f"data: must be a pandas DataFrame, got {type(data).__name__}")
    keys = list(by)
    for key in keys:
        if key not in data.columns:
            raise StatsInputError(f"by: column {key!r} not found in data")
    frame = pd.DataFrame({"_x": _numbers(data, x), "_y": _numbers(data, y)}, index=data.index)
    for key in keys:
        frame[key] = data[key]
    frame = frame[np.isfinite(frame["_x"]) & np.isfinite(frame["_y"])]
    if not keys:
        frame["_all"] = 0
        keys = ["_all"]
    group = frame.groupby(keys, dropna=False, sort=False)
    frame["_dx"] = frame["_x"] - group["_x"].transform("mean")
    frame["_dy"] = frame["_y"] - group["_y"].transform("mean")
    frame["_dxx"] = frame["_dx"] ** 2
    frame["_dyy"] = frame["_dy"] ** 2
    frame["_dxy"] = frame["_dx"] * frame["_dy"]
    sums = frame.groupby(keys, dropna=False, sort=False).agg(
        n=("_x", "size"),
        xbar=("_x", "mean"),
        ybar=("_y", "mean"),
        sxx=("_dxx", "sum"),
        syy=("_dyy", "sum"),
        sxy=("_dxy", "sum"),
    )
    n = sums["n"].to_numpy(dtype=np.float64)
    sxx = sums["sxx"].to_numpy(dtype=np.float64)
    syy = sums["syy"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(sxx > 0, sums["sxy"].to_numpy(dtype=np.float64) / sxx, np.nan)
        sse = np.clip(syy - slope * sums["sxy"].to_numpy(dtype=np.float64), 0.0, None)
        degrees = n - 2
        spread = np.sqrt(sse / degrees)
        half = _t(degrees) * spread / np.sqrt(sxx)
        r_squared = np.where(syy > 0, 1 - sse / syy, np.nan)
    half = np.where(degrees > 0, half, np.nan)
    out = pd.DataFrame(index=sums.index)
    out["n"] = sums["n"].astype(np.int64)
    out["xbar"] = sums["xbar"]
    out["ybar"] = sums["ybar"]
    out["sxx"] = sxx
    out["sse"] = np.where(np.isfinite(slope), sse, np.nan)
    out["slope"] = slope
    out["intercept"] = sums["ybar"].to_numpy(dtype=np.float64) - slope * sums["xbar"].to_numpy(
        dtype=np.float64
    )
    out["slope_lower_95"] = slope - half
    out["slope_upper_95"] = slope + half
    out["r_squared"] = np.where(np.isfinite(slope) & (n > 2), r_squared, np.nan)
    if keys == ["_all"]:
        out.index = pd.RangeIndex(len(out))
    return out


def _t(degrees: FloatArray) -> FloatArray:
    """t(0.975, degrees), NaN where degrees < 1."""
    safe = np.where(degrees > 0, degrees, 1.0)
    return np.where(degrees > 0, stats.t.ppf(0.975, safe), np.nan)


def predict_linear(fits: pd.DataFrame, x0: float | FloatArray) -> pd.DataFrame:
    """The line of each fit at ``x0`` with a 95% prediction interval for a new observation.

    ``x0`` is one number or one per fit. Columns ``value``, ``lower_95``,
    ``upper_95`` (limits NaN with fewer than three points), same index as
    ``fits``.
    """
    missing = [c for c in ("n", "xbar", "ybar", "sxx", "sse", "slope") if c not in fits.columns]
    if missing:
        raise StatsInputError(f"fits: columns {missing} missing: pass a frame from linear_fits")
    n = fits["n"].to_numpy(dtype=np.float64)
    xbar = fits["xbar"].to_numpy(dtype=np.float64)
    at = np.broadcast_to(np.asarray(x0, dtype=np.float64), n.shape)
    value = fits["ybar"].to_numpy(dtype=np.float64) + fits["slope"].to_numpy(dtype=np.float64) * (
        at - xbar
    )
    degrees = n - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(fits["sse"].to_numpy(dtype=np.float64) / degrees)
        half = (
            _t(degrees)
            * spread
            * np.sqrt(1 + 1 / n + (at - xbar) ** 2 / fits["sxx"].to_numpy(dtype=np.float64))
        )
    half = np.where(degrees > 0, half, np.nan)
    return pd.DataFrame(
        {"value": value, "lower_95": value - half, "upper_95": value + half}, index=fits.index
    )
