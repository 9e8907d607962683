"""Proportions with Wilson score confidence limits."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd

from ._ci import wilson_limits
from ._counts import counts
from ._frame import finish, format_number, limit_names
from ._validate import check_multiplier, confidence_levels

__all__ = ["proportion"]


def proportion(
    data: pd.DataFrame,
    x: Hashable,
    n: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100,
) -> pd.DataFrame:
    """Proportion ``x / n`` with Wilson score confidence limits.

    Without ``group_by`` there is one result per row and the input columns are
    kept; with it, ``x`` and ``n`` are summed within each group first (an NA in
    a group makes its result NA) and there is one row per group.

    ``multiplier`` scales the value and limits: 100 gives a percentage, 1 a
    proportion of 1. Rules: ``x >= 0``, ``n > 0`` and ``x <= n``; rows with NA
    give NA results. At confidence 1 the limits are 0 and the multiplier.

    Returns the input (or group) columns plus ``value``, ``lower_95``,
    ``upper_95`` (and ``lower_99_8``, ``upper_99_8`` when asked),
    ``confidence``, ``statistic`` and ``method``.
    """
    levels = confidence_levels(confidence)
    scale = check_multiplier(multiplier)
    out, xs, ns = counts(data, x, n, group_by, x_at_most_n=True)
    out["value"] = xs / ns * scale
    for level in levels:
        lower, upper = wilson_limits(xs, ns, level)
        lower_name, upper_name = limit_names(level)
        out[lower_name] = lower * scale
        out[upper_name] = upper * scale
    statistic = "percentage" if scale == 100 else f"proportion of {format_number(scale)}"
    return finish(out, levels=levels, statistic=statistic, method="Wilson")
