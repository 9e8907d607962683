"""Means with Student's t confidence limits."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import special

from ._frame import finish, limit_names, make_groups
from ._validate import check_frame, confidence_levels, numeric_column

__all__ = ["mean"]


def mean(
    data: pd.DataFrame,
    x: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
) -> pd.DataFrame:
    """Mean of ``x`` per group (all rows when ungrouped) with Student's t limits.

    limits = mean -/+ t(k-1) * sd / sqrt(k), where sd is the sample standard
    deviation of the k values. NA values are not dropped: a group containing
    one has NA results. A group of one value has NA limits.

    Returns the group columns plus ``value_sum``, ``value_count``, ``stdev``,
    ``value``, the limits, ``confidence``, ``statistic`` and ``method``.
    """
    levels = confidence_levels(confidence)
    frame = check_frame(data)
    values = numeric_column(frame, x, "x")
    groups = make_groups(frame, group_by)
    total = groups.sum(values)
    count = groups.size()
    average = total / count
    squares = groups.sum((values - groups.broadcast(average)) ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        stdev = np.sqrt(squares / (count - 1))
    out = groups.keys.copy()
    out["value_sum"] = total
    out["value_count"] = count
    out["stdev"] = stdev
    out["value"] = average
    for level in levels:
        with np.errstate(invalid="ignore", divide="ignore"):
            t = special.stdtrit(count - 1, level + (1 - level) / 2)
            half_width = t * stdev / np.sqrt(count)
        lower_name, upper_name = limit_names(level)
        out[lower_name] = average - half_width
        out[upper_name] = average + half_width
    return finish(out, levels=levels, statistic="mean", method="Student's t-distribution")
