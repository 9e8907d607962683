"""Fingertips recent-trend markers on the five most recent periods.

Formulas and rules: ``shared/reference/phe_methods/README.md`` section 6.4,
as in the Fingertips technical guidance "Trend markers", the Fingertips
``TrendMarkerCalculator`` (FingertipsNext, Legacy) and ``assign_trend_markers``
on the ``add_trend_markers`` branch of PHEindicatormethods (dhsc-govuk).

The five most recent points of every group form a (5 x groups) matrix, so
the tests for all groups together are a handful of array operations.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._ci import z_value
from ._frame import make_groups
from ._validate import FloatArray, check_columns, check_frame, fail, numeric_column, require
from .compare import check_polarity, sort_within_groups

__all__ = ["CHI_SQUARED_998", "POINTS", "TREND_REASONS", "period_numbers", "trend_marker"]

POINTS = 5
"""The test uses the five most recent periods of each group."""

CHI_SQUARED_998 = 9.54953570608324
"""The 99.8% point of chi-squared on 1 degree of freedom (Fingertips ``ChiSquareConfidence``)."""

TREND_REASONS = (
    "significant trend and no outliers",
    "no significant trend",
    "outlier found",
    "fewer than 5 periods",
    "missing values",
    "missing confidence limits",
    "confidence interval of zero width",
    "count exceeds denominator",
    "count equals denominator",
    "count is zero",
    "not computable (numbers too large or too small)",
)
"""``trend_reason`` values; from the fourth on the trend cannot be calculated."""

_SIGNIFICANT, _NOT_SIGNIFICANT, _OUTLIER = 0, 1, 2

_PERIOD_PATTERN = r"^\s*(\d{4})\s*(?:(?:/|-|–)\s*(\d{2}|\d{4})\s*)?$"
_PERIOD_RULE = "must be numbers or years such as 2019 or '2019/20'"


def _row(index: pd.Index, position: int) -> str:
    label = index[position]
    return f"row {label}" if isinstance(label, int | np.integer) else f"row {label!r}"


def _show(item: object) -> str:
    """A period for an error message: 2022, 2022.5, '2019/20'."""
    if isinstance(item, np.generic):
        item = item.item()
    if isinstance(item, float):
        return f"{item:g}"
    return repr(item) if isinstance(item, str) else str(item)


def period_numbers(frame: pd.DataFrame, period: Hashable) -> FloatArray:
    """The time value t of each row: the number itself, the year of a date, or
    the first year of "2019", "2019/20", "2019-20" or "2019/2020".

    A text period spanning more than one year (e.g. "2017 - 19") is an error:
    rolling multi-year periods overlap and cannot be tested for trend.
    """
    check_columns(frame, period=period)
    series = frame[period]
    argument = f"period (column {period!r})"
    missing = series.isna().to_numpy()
    if missing.any():
        position = int(np.flatnonzero(missing)[0])
        raise fail(argument, "must not be missing", f"NA at {_row(frame.index, position)}")
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return np.asarray(series.dt.year.to_numpy(dtype=np.float64))
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return numeric_column(frame, period, "period")
    codes, uniques = pd.factorize(series)  # parse each distinct period once
    parts = pd.Series(uniques.astype(str)).str.extract(_PERIOD_PATTERN)
    first = pd.to_numeric(parts[0]).to_numpy(dtype=np.float64, na_value=np.nan)
    second = pd.to_numeric(parts[1]).to_numpy(dtype=np.float64, na_value=np.nan)
    short = second < 100
    end = np.where(short, first - first % 100 + second, second)
    end = np.where(short & (end < first), end + 100, end)
    span = end - first
    for bad, rule in (
        (np.isnan(first), _PERIOD_RULE),
        (
            ~np.isnan(span) & (span != 1),
            "a text period must be one year or a one-year span such as '2019/20' "
            "(overlapping multi-year periods cannot be tested for trend)",
        ),
    ):
        if bad.any():
            position = int(np.flatnonzero(bad[codes])[0])
            raise fail(
                argument, rule, f"{series.iloc[position]!r} at {_row(frame.index, position)}"
            )
    return np.asarray(first[codes], dtype=np.float64)


def _moments(t: FloatArray, y: FloatArray, w: FloatArray) -> FloatArray:
    """w, wt, wy, wty, wt^2 per point: (5 moments x points x groups)."""
    wt = w * t
    return np.stack((w, wt, w * y, wt * y, wt * t))


def _slope_from_sums(sums: FloatArray) -> tuple[FloatArray, FloatArray]:
    sw, swt, swy, swty, swt2 = sums
    denominator = sw * swt2 - swt * swt
    return (sw * swty - swt * swy) / denominator, denominator


def _given(**arguments: Hashable | None) -> str:
    named = [f"{name}={column!r}" for name, column in arguments.items() if column is not None]
    return ", ".join(named) if named else "none of them"


def _chi_squared_for_trend(t: FloatArray, c: FloatArray, d: FloatArray) -> FloatArray:
    """Cochran-Armitage chi-squared for trend in the proportions c/d over t (axis 0)."""
    total_d = d.sum(axis=0)
    total_c = c.sum(axis=0)
    sum_ct = (c * t).sum(axis=0)
    dt = d * t
    sum_dt = dt.sum(axis=0)
    sum_dt2 = (dt * t).sum(axis=0)
    numerator = total_d * (total_d * sum_ct - total_c * sum_dt) ** 2
    return np.asarray(
        numerator / (total_c * (total_d - total_c) * (total_d * sum_dt2 - sum_dt**2)),
        dtype=np.float64,
    )


def trend_marker(
    data: pd.DataFrame,
    period: Hashable,
    *,
    x: Hashable | None = None,
    n: Hashable | None = None,
    value: Hashable | None = None,
    lower: Hashable | None = None,
    upper: Hashable | None = None,
    group_by: Hashable | Sequence[Hashable] | None = None,
    polarity: str = "no_judgement",
) -> pd.DataFrame:
    """Fingertips recent-trend marker of each group from its five most recent periods.

    Rows are sorted by ``period`` within each group and the last five are
    tested, with t the period itself (a number, or the first year of
    "2019/20"), as in the R ``assign_trend_markers``; Fingertips uses t = 1..5
    instead, which only differs when years are missing from the series.

    Proportions (``x`` counts out of ``n``): chi-squared test for trend,
    chi2 = D(D.Sum(c.t) - C.Sum(d.t))^2 / (C(D - C)(D.Sum(d.t^2) - Sum(d.t)^2))
    with D = Sum(d), C = Sum(c); the gradient is the ordinary least-squares
    slope of logit(c/d) = log(c/(d - c)) on t. No confidence limits are needed.

    Other values (``value`` with its 95% limits ``lower`` and ``upper``):
    weighted regression with sigma = (upper - lower) / (2 x 1.959964) and
    w = 1/sigma^2; the gradient is beta = (Sw.Swty - Swt.Swy)/(Sw.Swt2 -
    Swt^2), Var(beta) = Sw/(Sw.Swt2 - Swt^2) and chi2 = beta^2/Var(beta).

    The trend is "increasing" or "decreasing" (sign of the gradient) when
    chi2 > 9.54953570608324 (chi-squared on 1 df at 99.8%) and there are no
    outliers: the slopes of the five leave-one-out fits (four points each)
    share the sign of the full slope. Otherwise "no significant change".

    "cannot be calculated" (``trend_reason`` says why) when the group has
    fewer than 5 periods, a missing value (count, denominator or value) or a
    missing limit among the last five, a zero-width interval, or, for
    proportions, a count equal to its denominator, above it or zero (the logit
    is undefined). Rules (errors): give x and n, or value, lower and upper;
    periods must not repeat within a group or be missing; ``x >= 0``,
    ``n > 0``, ``lower <= upper``.

    ``polarity`` ("high_is_good", "low_is_good", "no_judgement") turns the
    direction into an assessment.

    Returns one row per group: the group columns, ``trend`` ("increasing",
    "decreasing", "no significant change", "cannot be calculated"),
    ``trend_reason``, ``chi_squared``, ``gradient`` (per unit of t; logit
    scale for proportions; NaN when not calculated), ``points_used`` (the
    number of recent periods examined, at most 5), ``trend_assessment``
    ("getting better", "getting worse", "increasing", "decreasing", "no
    significant change", "cannot be calculated"), ``trend_role``
    ("trend-better", "trend-worse", "trend-increasing", "trend-decreasing",
    "trend-no-change", "none") and ``method``.
    """
    frame = check_frame(data)
    chosen = check_polarity(polarity)
    counts_given = x is not None and n is not None
    limits_given = value is not None and lower is not None and upper is not None
    if (
        counts_given == limits_given
        or (counts_given and (value, lower, upper) != (None, None, None))
        or (limits_given and (x, n) != (None, None))
    ):
        raise fail(
            "x, n, value, lower, upper",
            "give either x and n (counts of a proportion) or value, lower and upper "
            "(a value with its 95% limits), not both",
            _given(x=x, n=n, value=value, lower=lower, upper=upper),
        )
    index = frame.index
    if counts_given:
        first = numeric_column(frame, x, "x")
        second = numeric_column(frame, n, "n")
        require(
            first >= 0,
            first,
            index,
            argument="x",
            column=x,
            rule="must be >= 0 (counts cannot be negative)",
        )
        require(
            second > 0,
            second,
            index,
            argument="n",
            column=n,
            rule="must be > 0 (a denominator cannot be zero or negative)",
        )
        third = np.zeros_like(first)
    else:
        first = numeric_column(frame, value, "value")
        second = numeric_column(frame, lower, "lower")
        third = numeric_column(frame, upper, "upper")
        with np.errstate(invalid="ignore"):
            ok = (second <= third) | np.isnan(third)
        require(
            ok,
            second,
            index,
            argument="lower",
            column=lower,
            rule=f"must not exceed upper (column {upper!r})",
        )
    t = period_numbers(frame, period)
    groups = make_groups(frame, group_by)
    codes = groups.codes
    order = sort_within_groups(np.argsort(t), codes)
    sorted_codes, sorted_t = codes[order], t[order]
    repeated = (sorted_codes[1:] == sorted_codes[:-1]) & (sorted_t[1:] == sorted_t[:-1])
    if repeated.any():
        first_repeat = int(np.flatnonzero(repeated)[0])
        position = int(max(order[first_repeat], order[first_repeat + 1]))
        raise fail(
            f"period (column {period!r})",
            "each period must appear once per group",
            f"{_show(frame[period].iloc[position])} again at {_row(index, position)}",
        )
    sizes = np.bincount(codes, minlength=groups.count)
    ends = np.cumsum(sizes)
    window = np.clip(ends - POINTS + np.arange(POINTS)[:, None], 0, len(order) - 1)
    rows = order[window]  # (points x groups), oldest first
    result = _test(t[rows], first[rows], second[rows], third[rows], counts_given, sizes)
    trend, reason, chi2, gradient = result
    out = groups.keys.copy()
    out["trend"] = np.take(np.array(_TRENDS, dtype=object), trend)
    out["trend_reason"] = np.take(np.array(TREND_REASONS, dtype=object), reason)
    out["chi_squared"] = chi2
    out["gradient"] = gradient
    out["points_used"] = np.minimum(sizes, POINTS)
    sign = {"high_is_good": 1, "low_is_good": -1, "no_judgement": 0}[chosen]
    assessment = np.select([trend == 0, trend == 1], [_ASSESS[sign][0], _ASSESS[sign][1]], trend)
    out["trend_assessment"] = np.take(np.array(_ASSESSMENTS, dtype=object), assessment)
    out["trend_role"] = np.take(np.array(_ROLES, dtype=object), assessment)
    out["method"] = (
        "chi-squared test for trend (proportion)"
        if counts_given
        else "weighted regression (95% limits)"
    )
    return out


_TRENDS = ("increasing", "decreasing", "no significant change", "cannot be calculated")
_ASSESSMENTS = (
    "increasing",
    "decreasing",
    "no significant change",
    "cannot be calculated",
    "getting better",
    "getting worse",
)
_ROLES = (
    "trend-increasing",
    "trend-decreasing",
    "trend-no-change",
    "none",
    "trend-better",
    "trend-worse",
)
_ASSESS = {0: (0, 1), 1: (4, 5), -1: (5, 4)}
"""Assessment code for (increasing, decreasing) by polarity sign."""


def _test(
    t: FloatArray,
    first: FloatArray,
    second: FloatArray,
    third: FloatArray,
    proportion: bool,
    sizes: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray, FloatArray]:
    """Kernel on (5 points x groups) matrices: trend code, reason code, chi-squared, gradient."""
    centred = t - t.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if proportion:
            count, denominator = first, second
            missing = np.isnan(count).any(axis=0) | np.isnan(denominator).any(axis=0)
            conditions = [
                missing,
                (count > denominator).any(axis=0),
                (count == denominator).any(axis=0),
                (count == 0).any(axis=0),
            ]
            reasons = [4, 7, 8, 9]
            chi2 = _chi_squared_for_trend(centred, count, denominator)
            moments = _moments(centred, np.log(count / (denominator - count)), np.ones_like(t))
            beta, _ = _slope_from_sums(moments.sum(axis=1))
        else:
            y, low, high = first, second, third
            conditions = [
                np.isnan(y).any(axis=0),
                (np.isnan(low) | np.isnan(high)).any(axis=0),
                (high == low).any(axis=0),
            ]
            reasons = [4, 5, 6]
            sigma = (high - low) / (2 * z_value(0.95))
            weights = 1 / sigma**2
            moments = _moments(centred, y, weights)
            sums = moments.sum(axis=1)
            beta, spread = _slope_from_sums(sums)
            chi2 = beta**2 / (sums[0] / spread)
        same_sign = np.ones(t.shape[1], dtype=bool)
        for left_out in range(POINTS):
            others = [point for point in range(POINTS) if point != left_out]
            slope, _ = _slope_from_sums(moments[:, others].sum(axis=1))
            same_sign &= np.sign(slope) == np.sign(beta)
        significant = chi2 > CHI_SQUARED_998
    unusable = ~(np.isfinite(chi2) & np.isfinite(beta))
    reason = np.select(
        [sizes < POINTS, *conditions, unusable, significant & same_sign, significant],
        [3, *reasons, 10, _SIGNIFICANT, _OUTLIER],
        default=_NOT_SIGNIFICANT,
    )
    cannot = reason >= 3
    trend = np.select(
        [cannot, (reason == _SIGNIFICANT) & (beta > 0), (reason == _SIGNIFICANT) & (beta < 0)],
        [3, 0, 1],
        default=2,
    )
    chi2 = np.where(cannot, np.nan, chi2)
    beta = np.where(cannot, np.nan, beta)
    return trend, reason, chi2, beta
