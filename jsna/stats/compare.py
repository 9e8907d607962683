"""Fingertips presentation rules: comparison with a benchmark and quintiles.

Formulas and rules: ``shared/reference/phe_methods/README.md`` sections 6.1
to 6.3, as in the Fingertips production code (fingertips-open, MIT:
``SingleOverlappingCIsForOneCILevelComparer``,
``SingleOverlappingCIsForTwoCILevelsComparer``, ``IndicatorComparer``,
``ValueCategoriesCalculator`` and ``QuintilesComparer``; FingertipsNext
``BenchmarkComparisonEngine``).

Results are lower-case labels plus a *semantic* colour role (``rag-better``,
``bob-higher``, ...), never a colour, so that the site can choose a palette
that colour-blind readers can tell apart.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._frame import make_groups
from ._validate import FloatArray, check_frame, fail, numeric_column, require

__all__ = [
    "COMPARISONS",
    "COMPARISON_ROLES",
    "POLARITIES",
    "QUINTILE_LABELS",
    "benchmark_quintiles",
    "check_polarity",
    "compare_to_benchmark",
    "comparison_codes",
    "quintile_bounds",
    "sort_within_groups",
]

POLARITIES = ("high_is_good", "low_is_good", "no_judgement")
"""Fingertips polarity 1 (RAG, high is good), 0 (RAG, low is good) and 99 (BOB: no judgement)."""

_SIGN = {"high_is_good": 1.0, "low_is_good": -1.0, "no_judgement": 0.0}

COMPARISONS = (
    "not compared",
    "best",
    "better",
    "similar",
    "worse",
    "worst",
    "higher",
    "similar",
    "lower",
)
"""``comparison`` labels by internal code: 0 not compared, 1-5 RAG, 6-8 BOB."""

COMPARISON_ROLES = (
    "none",
    "rag-best",
    "rag-better",
    "rag-similar",
    "rag-worse",
    "rag-worst",
    "bob-higher",
    "bob-similar",
    "bob-lower",
)
"""``comparison_role`` for the same codes as :data:`COMPARISONS`."""

QUINTILE_LABELS = {
    "no_judgement": ("lowest", "low", "middle", "high", "highest"),
    "high_is_good": ("best", "better", "middle", "worse", "worst"),
    "low_is_good": ("best", "better", "middle", "worse", "worst"),
}
"""``quintile_label`` for quintiles 1 to 5 (1 is the lowest value, or the best for RAG)."""

_POLARITY_RULE = "must be one of " + ", ".join(repr(p) for p in POLARITIES)


def check_polarity(polarity: object) -> str:
    """A single polarity must be one of :data:`POLARITIES`."""
    if not isinstance(polarity, str) or polarity not in POLARITIES:
        raise fail("polarity", _POLARITY_RULE, repr(polarity))
    return polarity


def _polarity_signs(frame: pd.DataFrame, polarity: object) -> FloatArray | float:
    """+1 high is good, -1 low is good, 0 no judgement, NaN (not compared), per row or for all."""
    if isinstance(polarity, str) and polarity in POLARITIES:
        return _SIGN[polarity]
    if (
        not isinstance(polarity, Hashable)
        or isinstance(polarity, tuple)
        or polarity not in frame.columns
    ):
        raise fail(
            "polarity", _POLARITY_RULE + " or the name of a column holding them", repr(polarity)
        )
    column = frame[polarity]
    signs = np.asarray(
        column.map(_SIGN).to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    )
    bad = np.isnan(signs) & column.notna().to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        label = frame.index[position]
        row = f"row {label}" if isinstance(label, int | np.integer) else f"row {label!r}"
        raise fail(
            f"polarity (column {polarity!r})",
            _POLARITY_RULE + " (or missing: not compared)",
            f"{column.iloc[position]!r} at {row}",
        )
    return signs


def _limit_columns(lower: object, upper: object) -> tuple[list[Hashable], list[Hashable]]:
    """One column per limit, or pairs (95%, 99.8%) for the two-level comparison."""
    pair_rule = "must be one column name or a pair of column names ({0}_95, {0}_99_8)"
    lowers: list[Hashable] = []
    uppers: list[Hashable] = []
    for name, given, out in (("lower", lower, lowers), ("upper", upper, uppers)):
        if isinstance(given, tuple | list):
            if len(given) != 2:
                raise fail(name, pair_rule.format(name), repr(given))
            out.extend(given)
        else:
            out.append(given)
    if len(lowers) != len(uppers):
        raise fail(
            "lower, upper",
            "must both be single columns (95%) or both pairs (95%, 99.8%)",
            f"lower={lower!r}, upper={upper!r}",
        )
    return lowers, uppers


def _benchmark(frame: pd.DataFrame, benchmark: object) -> FloatArray:
    if isinstance(benchmark, bool):
        raise fail("benchmark", "must be a number or the name of a column", repr(benchmark))
    if isinstance(benchmark, int | float | np.integer | np.floating):
        if not np.isfinite(benchmark):
            raise fail("benchmark", "must be a finite number", repr(benchmark))
        return np.full(len(frame), float(benchmark))
    return numeric_column(frame, benchmark, "benchmark")


def compare_to_benchmark(
    data: pd.DataFrame,
    value: Hashable,
    lower: Hashable | Sequence[Hashable],
    upper: Hashable | Sequence[Hashable],
    benchmark: Hashable | float,
    *,
    polarity: str | Hashable,
) -> pd.DataFrame:
    """Compare each area's confidence interval with the benchmark VALUE (Fingertips method 1 / 17).

    One level (``lower``/``upper`` are the 95% limit columns), Fingertips
    method 1: if ``lower <= benchmark <= upper`` the area is "similar"
    (equality with a limit counts as similar); otherwise it is higher than the
    benchmark when ``value > benchmark`` and lower when ``value < benchmark``.

    Two levels (``lower=(lower_95, lower_99_8)``, ``upper=(upper_95,
    upper_99_8)``), Fingertips method 17: benchmark inside the 95% interval is
    "similar"; between the 95% and 99.8% limits (a 99.8% limit itself
    included) the area is higher or lower at 95% only ("better"/"worse");
    beyond the 99.8% interval at 99.8% ("best"/"worst").

    ``polarity``: "high_is_good" (higher is "better"), "low_is_good" (lower is
    "better"), "no_judgement" (labels "higher", "similar", "lower": Fingertips
    BOB, which does not tell the two levels apart), or the name of a column
    holding one of these per row; a missing polarity in that column means not
    applicable. ``benchmark`` is a column name or one number for every row.

    The result is "not compared" when the value, any limit, the benchmark or
    the polarity is missing. Rules: each lower limit must not exceed its upper
    limit, and with two levels the 99.8% interval must contain the 95% one.

    Returns a copy of ``data`` plus ``comparison`` ("best", "better",
    "similar", "worse", "worst", "higher", "lower", "not compared") and
    ``comparison_role`` ("rag-best", "rag-better", "rag-similar", "rag-worse",
    "rag-worst", "bob-higher", "bob-similar", "bob-lower", "none").
    """
    frame = check_frame(data)
    lowers, uppers = _limit_columns(lower, upper)
    values = numeric_column(frame, value, "value")
    lows = [numeric_column(frame, column, "lower") for column in lowers]
    highs = [numeric_column(frame, column, "upper") for column in uppers]
    target = _benchmark(frame, benchmark)
    signs = _polarity_signs(frame, polarity)
    index = frame.index
    with np.errstate(invalid="ignore"):
        for low, high, low_name, high_name in zip(lows, highs, lowers, uppers, strict=True):
            require(
                (low <= high) | np.isnan(high),
                low,
                index,
                argument="lower",
                column=low_name,
                rule=f"must not exceed upper (column {high_name!r})",
            )
        if len(lows) == 2:
            nested = "(the 99.8% interval contains the 95% interval)"
            require(
                (lows[1] <= lows[0]) | np.isnan(lows[0]),
                lows[1],
                index,
                argument="lower",
                column=lowers[1],
                rule=f"must not exceed lower (column {lowers[0]!r}) {nested}",
            )
            require(
                (highs[1] >= highs[0]) | np.isnan(highs[0]),
                highs[1],
                index,
                argument="upper",
                column=uppers[1],
                rule=f"must not be below upper (column {uppers[0]!r}) {nested}",
            )
    codes = comparison_codes(values, lows, highs, target, signs)
    out = frame.copy(deep=False)  # copy-on-write: the input is never modified
    out["comparison"] = np.take(np.array(COMPARISONS, dtype=object), codes)
    out["comparison_role"] = np.take(np.array(COMPARISON_ROLES, dtype=object), codes)
    return out


def comparison_codes(
    values: FloatArray,
    lows: Sequence[FloatArray],
    highs: Sequence[FloatArray],
    target: FloatArray,
    signs: FloatArray | float,
) -> npt.NDArray[np.intp]:
    """Kernel: code per row into :data:`COMPARISONS` (see :func:`compare_to_benchmark`).

    ``direction`` is the area against the benchmark: +2/-2 higher/lower at
    99.8%, +1/-1 at 95% (or at the only level), 0 similar. ``signs`` is +1
    (high is good), -1 (low is good), 0 (no judgement) or NaN (not compared),
    one number for all rows or one per row.
    """
    missing = np.isnan(values) | np.isnan(target)
    for limit in (*lows, *highs):
        missing |= np.isnan(limit)
    inside = (lows[0] <= target) & (target <= highs[0])
    below = values < target
    one, two = np.int8(1), np.int8(2)
    if len(lows) == 1:
        direction = np.where(inside, np.int8(0), np.where(below, -one, one))
    else:
        higher_95 = (lows[1] <= target) & (target < lows[0])
        lower_95 = (highs[0] < target) & (target <= highs[1])
        beyond = np.where(below, -two, two)
        direction = np.where(
            inside, np.int8(0), np.where(higher_95, one, np.where(lower_95, -one, beyond))
        )
    if isinstance(signs, float):
        if np.isnan(signs):
            return np.zeros(len(values), dtype=np.intp)
        sign = int(signs)
        table = np.array(
            [8, 8, 7, 6, 6] if sign == 0 else [3 + 2 * sign, 3 + sign, 3, 3 - sign, 3 - 2 * sign]
        )
        codes = table[direction + two]
    else:
        missing |= np.isnan(signs)
        sign_per_row = np.nan_to_num(signs).astype(np.int8)
        codes = np.where(sign_per_row == 0, 7 - np.sign(direction), 3 - direction * sign_per_row)
    codes[missing] = 0
    return np.asarray(codes, dtype=np.intp)


def sort_within_groups(
    order: npt.NDArray[np.intp], codes: npt.NDArray[np.intp]
) -> npt.NDArray[np.intp]:
    """Reorder the row positions ``order`` by group code, keeping ``order`` within each group.

    A least-significant-digit radix sort on 16-bit digits of the codes: NumPy's
    stable sort of 16-bit integers is a radix sort, so this is linear in the
    number of rows (about ten times faster than a stable sort of 64-bit codes).
    """
    top = int(codes.max()) if len(codes) else 0
    shift = 0
    while True:
        digits = ((codes[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digits, kind="stable")]
        shift += 16
        if top >> shift == 0:
            return order


def _round_10dp(values: FloatArray) -> FloatArray:
    """Round to 10 decimal places, halves away from zero (C# ``Math.Round(x, 10, AwayFromZero)``).

    Values too large to carry 10 decimals in a double are returned unchanged.
    """
    scaled = values * 1e10
    with np.errstate(invalid="ignore"):
        small = np.abs(scaled) < 2.0**52
    rounded = np.trunc(scaled + np.copysign(0.5, scaled)) / 1e10
    return np.where(small, rounded, values)


def quintile_bounds(
    sorted_values: FloatArray, starts: FloatArray, counts: FloatArray
) -> FloatArray:
    """Kernel: the four inner Fingertips quintile bounds per group (groups x 4).

    ``sorted_values`` holds each group's valid values in ascending order from
    ``starts``; ``counts`` is the number of valid values. Bound i is the
    PERCENTILE.INC-style value at position ``(count - 1) * i/5 + 1`` (1-based,
    linear interpolation), rounded to 10 dp. NaN where ``count < 5``.
    """
    step = 1.0 / 5.0
    size = len(sorted_values)
    bounds = np.full((len(counts), 4), np.nan)
    enough = counts >= 5
    for i in range(1, 5):
        position = (counts - 1) * (step * i) + 1
        whole = np.floor(position)
        fraction = position - whole
        below = np.clip(starts + whole - 1, 0, max(size - 1, 0)).astype(np.intp)
        above = np.clip(starts + whole, 0, max(size - 1, 0)).astype(np.intp)
        low = sorted_values[below]
        bound = _round_10dp(low + fraction * (sorted_values[above] - low))
        bounds[:, i - 1] = np.where(enough, bound, np.nan)
    return bounds


def benchmark_quintiles(
    data: pd.DataFrame,
    value: Hashable,
    *,
    polarity: str,
    group_by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Fingertips quintile of each value within its group (comparator methods 15).

    Needs at least 5 valid (non-missing) values in the group. The bounds are
    the minimum, P20, P40, P60, P80 and the maximum, where Pk is the value at
    position ``(N - 1) * k/100 + 1`` of the sorted values with linear
    interpolation (Excel PERCENTILE.INC) rounded to 10 decimal places. The
    category is the first bound index b (1..5) with ``value <= bound[b]``, so
    a value equal to a bound falls in the lower quintile. For "high_is_good"
    the quintile is ``6 - b``, so quintile 1 is the best for both RAG
    polarities; for "low_is_good" and "no_judgement" quintile 1 holds the
    lowest values. ``polarity`` is one value for all rows.

    Returns a copy of ``data`` plus ``quintile`` (1..5, nullable integer; NA
    for a missing value or a group with fewer than 5 valid values) and
    ``quintile_label`` ("lowest", "low", "middle", "high", "highest" for
    no_judgement; "best", "better", "middle", "worse", "worst" for RAG; NA
    where the quintile is NA).
    """
    frame = check_frame(data)
    chosen = check_polarity(polarity)
    values = numeric_column(frame, value, "value")
    groups = make_groups(frame, group_by)
    valid = ~np.isnan(values)
    order = sort_within_groups(np.argsort(values), groups.codes)  # NaN last in each group
    counts = np.bincount(groups.codes, weights=valid, minlength=groups.count).astype(np.float64)
    sizes = np.bincount(groups.codes, minlength=groups.count)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.float64)
    bounds = quintile_bounds(values[order], starts, counts)
    row_bounds = bounds[groups.codes]
    with np.errstate(invalid="ignore"):
        category = 1 + (values[:, None] > row_bounds).sum(axis=1)
    known = valid & (counts[groups.codes] >= 5)
    if chosen == "high_is_good":
        category = 6 - category
    out = frame.copy(deep=False)  # copy-on-write: the input is never modified
    out["quintile"] = pd.arrays.IntegerArray(
        np.where(known, category, 0).astype(np.int64), mask=~known
    )
    labels = np.array((None, *QUINTILE_LABELS[chosen]), dtype=object)
    out["quintile_label"] = labels[np.where(known, category, 0)]
    return out
