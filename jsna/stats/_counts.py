"""Shared input handling for statistics of a count over a denominator.

``proportion`` and ``crude_rate`` both take a count ``x`` and a denominator
``n`` and either work row by row (input columns kept) or sum both within each
group first (any NA in a group makes its sums NA, as with dplyr grouping in
PHEindicatormethods).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from ._frame import make_groups
from ._validate import FloatArray, check_frame, numeric_column, require

__all__ = ["counts"]


def counts(
    data: object,
    x: Hashable,
    n: Hashable,
    group_by: Hashable | Sequence[Hashable] | None,
    *,
    x_at_most_n: bool,
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    """Validate ``x`` and ``n`` and return (output frame, x, n), per row or per group."""
    frame = check_frame(data)
    xs = numeric_column(frame, x, "x")
    ns = numeric_column(frame, n, "n")
    index = frame.index
    require(
        xs >= 0, xs, index, argument="x", column=x, rule="must be >= 0 (counts cannot be negative)"
    )
    require(
        ns > 0,
        ns,
        index,
        argument="n",
        column=n,
        rule="must be > 0 (a denominator cannot be zero or negative)",
    )
    if x_at_most_n:
        with np.errstate(invalid="ignore"):
            ok = xs <= ns
        ok |= np.isnan(ns)
        require(ok, xs, index, argument="x", column=x, rule=f"must not exceed n (column {n!r})")
    if group_by is None:
        return frame.copy(), xs, ns
    groups = make_groups(frame, group_by)
    out = groups.keys.copy()
    xs, ns = groups.sum(xs), groups.sum(ns)
    out[x] = xs
    out[n] = ns
    return out, xs, ns
