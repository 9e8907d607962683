"""Crude rates with exact (small counts) or Byars confidence limits."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd

from ._ci import poisson_limits, poisson_method
from ._counts import counts
from ._frame import finish, format_number, limit_names
from ._validate import check_multiplier, confidence_levels

__all__ = ["crude_rate"]


def crude_rate(
    data: pd.DataFrame,
    x: Hashable,
    n: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """Crude rate ``x / n * multiplier`` with Poisson confidence limits.

    Limits are exact (chi-square) when the count is below 10 and Byars'
    approximation from 10 up; ``method`` says which. Rows and groups work as in
    :func:`jsna.stats.proportion`. Rules: ``x >= 0`` and ``n > 0``; ``x`` may
    exceed ``n`` (several events per person). A zero count gives value 0,
    lower limit 0 and a positive upper limit.

    Returns the input (or group) columns plus ``value``, the limits,
    ``confidence``, ``statistic`` and ``method``.
    """
    levels = confidence_levels(confidence)
    scale = check_multiplier(multiplier)
    out, xs, ns = counts(data, x, n, group_by, x_at_most_n=False)
    out["value"] = xs / ns * scale
    for level in levels:
        lower, upper = poisson_limits(xs, level)
        lower_name, upper_name = limit_names(level)
        out[lower_name] = lower / ns * scale
        out[upper_name] = upper / ns * scale
    return finish(
        out,
        levels=levels,
        statistic=f"rate per {format_number(scale)}",
        method=poisson_method(xs),
    )
