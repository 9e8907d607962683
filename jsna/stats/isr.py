"""Indirectly standardised rates and ratios (ISRs and SMR-type ratios).

Formulas: ``shared/reference/phe_methods/README.md`` section 4.8, as in the
OHID Fingertips technical guidance and ``calculate_ISRate`` /
``calculate_ISRatio`` of the R package PHEindicatormethods: observed over
expected events, with exact (chi-square) limits below 10 observed events and
Byars' limits from 10 up.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from ._ci import EXACT_BELOW, poisson_limits
from ._frame import finish, format_number, limit_names, make_groups
from ._standardise import GroupSums, labels, non_negative
from ._validate import (
    FloatArray,
    check_frame,
    check_multiplier,
    confidence_levels,
    numeric_column,
    require,
    require_present,
)

__all__ = ["isr", "isratio", "observed_over_expected"]


def observed_over_expected(
    observed: FloatArray, expected: FloatArray, scale: FloatArray | float, level: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Value and limits of ``observed / expected * scale`` at one level.

    The limits of the observed count are exact below 10 and Byars from 10 up.
    NaN where ``expected`` is 0.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(expected > 0, scale / expected, np.nan)
    lower, upper = poisson_limits(observed, level)
    return observed * factor, lower * factor, upper * factor


def _observed_expected(
    data: object,
    x: Hashable,
    n: Hashable,
    x_ref: Hashable,
    n_ref: Hashable,
    group_by: Hashable | Sequence[Hashable] | None,
) -> tuple[pd.DataFrame, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Validate the columns; return (group keys, observed, expected, sum x_ref, sum n_ref)."""
    frame = check_frame(data)
    xs = non_negative(frame, x, "x")
    ns = non_negative(frame, n, "n", rule="must be >= 0 (a population cannot be negative)")
    x_refs = non_negative(frame, x_ref, "x_ref")
    n_refs = numeric_column(frame, n_ref, "n_ref")
    index = frame.index
    rule = "must not be missing (every age band needs a reference population)"
    require_present(n_refs, index, argument="n_ref", column=n_ref, rule=rule)
    rule = "must be > 0 (a reference population cannot be zero or negative)"
    require(n_refs > 0, n_refs, index, argument="n_ref", column=n_ref, rule=rule)
    groups = make_groups(frame, group_by)
    sums = GroupSums(groups)
    observed = sums(xs)
    expected_rows = x_refs / n_refs
    expected_rows *= ns
    expected = sums(expected_rows)
    out = groups.keys.copy()
    out["observed"] = observed
    out["expected"] = expected
    return out, observed, expected, sums(x_refs), sums(n_refs)


def _limits(
    out: pd.DataFrame,
    observed: FloatArray,
    expected: FloatArray,
    scale: FloatArray | float,
    levels: Sequence[float],
) -> None:
    for position, level in enumerate(levels):
        value, lower, upper = observed_over_expected(observed, expected, scale, level)
        if position == 0:
            out["value"] = value
        lower_name, upper_name = limit_names(level)
        out[lower_name] = lower
        out[upper_name] = upper


def isr(
    data: pd.DataFrame,
    x: Hashable,
    n: Hashable,
    x_ref: Hashable,
    n_ref: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Indirectly standardised rate per group: observed / expected x the reference rate.

    Each row is one age band of a group (all rows when ``group_by`` is None),
    with the group's events ``x`` and population ``n``, and the reference
    (e.g. England) events ``x_ref`` and population ``n_ref`` for that band:

        O = sum(x),   E = sum(x_ref / n_ref * n)
        reference_rate = sum(x_ref) / sum(n_ref) * multiplier
        ISR = O / E * reference_rate;   limits = limits(O) / E * reference_rate

    where limits(O) are the exact chi-square limits of a Poisson count when
    O < 10 and Byars' limits from 10 up (``method`` says which).

    Rules: NA ``x``, ``n`` and ``x_ref`` count as 0; ``x``, ``n``, ``x_ref``
    >= 0 (a band with ``n`` = 0 adds nothing to E); ``n_ref`` > 0 and not NA.
    There is no small-number suppression: O = 0 gives value 0, lower 0 and a
    positive upper limit. A group whose E is 0 (no population) gets NA value
    and limits.

    Returns the group columns plus ``observed``, ``expected``,
    ``reference_rate``, ``value``, the limits, ``confidence``, ``statistic``
    ("indirectly standardised rate per 100000") and ``method`` ("Exact" or
    "Byars").
    """
    levels = confidence_levels(confidence)
    scale = check_multiplier(multiplier)
    out, observed, expected, ref_events, ref_population = _observed_expected(
        data, x, n, x_ref, n_ref, group_by
    )
    reference_rate = ref_events / ref_population * scale
    out["reference_rate"] = reference_rate
    _limits(out, observed, expected, reference_rate, levels)
    return finish(
        out,
        levels=levels,
        statistic=f"indirectly standardised rate per {format_number(scale)}",
        method=labels(observed < EXACT_BELOW, "Exact", "Byars"),
    )


def isratio(
    data: pd.DataFrame,
    x: Hashable,
    n: Hashable,
    x_ref: Hashable,
    n_ref: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    refvalue: float = 1,
) -> pd.DataFrame:
    """Indirectly standardised ratio per group (such as an SMR): observed / expected.

    Rows, groups and columns as in :func:`jsna.stats.isr`:

        O = sum(x),   E = sum(x_ref / n_ref * n)
        ratio = O / E * refvalue;   limits = limits(O) / E * refvalue

    with exact chi-square limits of O when O < 10 and Byars' limits from 10
    up. ``refvalue`` is 1 for a ratio or 100 for the usual SMR scale.

    Rules: NA ``x``, ``n`` and ``x_ref`` count as 0; ``x``, ``n``, ``x_ref``
    >= 0; ``n_ref`` > 0 and not NA; ``refvalue`` > 0. No small-number
    suppression. A group whose E is 0 gets NA value and limits.

    Returns the group columns plus ``observed``, ``expected``, ``value``, the
    limits, ``confidence``, ``statistic`` ("indirectly standardised ratio x 1")
    and ``method`` ("Exact" or "Byars").
    """
    levels = confidence_levels(confidence)
    scale = check_multiplier(refvalue, "refvalue")
    out, observed, expected, _, _ = _observed_expected(data, x, n, x_ref, n_ref, group_by)
    _limits(out, observed, expected, scale, levels)
    return finish(
        out,
        levels=levels,
        statistic=f"indirectly standardised ratio x {format_number(scale)}",
        method=labels(observed < EXACT_BELOW, "Exact", "Byars"),
    )
