"""Input helpers shared by the standardised statistics (``dsr``, ``isr``, ``isratio``).

Age-standardised methods treat missing values differently from the crude
statistics: a missing count counts as zero, but a missing population or
standard weight is an error. These helpers check and clean the columns in the
house style of :mod:`jsna.stats._validate`.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._frame import Groups, IntArray
from ._validate import FloatArray, numeric_column, require

__all__ = [
    "GroupSums",
    "first_bad_group",
    "group_label",
    "group_sum",
    "labels",
    "non_negative",
]

NEGATIVE_COUNT = "must be >= 0 (counts cannot be negative)"


def non_negative(
    frame: pd.DataFrame,
    column: Hashable,
    argument: str,
    *,
    rule: str = NEGATIVE_COUNT,
    missing_is_zero: bool = True,
) -> FloatArray:
    """Read a numeric column that must be >= 0; missing values become 0 if asked."""
    values = numeric_column(frame, column, argument)
    require(values >= 0, values, frame.index, argument=argument, column=column, rule=rule)
    if missing_is_zero:
        missing = np.isnan(values)
        if missing.any():
            return np.where(missing, 0.0, values)
    return values


def group_label(keys: pd.DataFrame, position: int) -> str:
    """Name one group for a message: ``group area='E1', sex='F'`` or ``all rows``."""
    if keys.shape[1] == 0:
        return "all rows"
    parts = []
    for column in keys.columns:
        value = keys[column].iloc[position]
        if isinstance(value, np.generic):
            value = value.item()
        parts.append(f"{column}={value!r}")
    return "group " + ", ".join(parts)


def first_bad_group(bad: npt.NDArray[np.bool_], groups: Groups) -> str:
    """Describe the first group flagged in ``bad`` (and how many more there are)."""
    position = int(np.flatnonzero(bad)[0])
    count = int(bad.sum())
    more = f" (and {count - 1} more groups)" if count > 1 else ""
    return f"{group_label(groups.keys, position)}{more}"


def group_sum(groups: Groups, values: FloatArray) -> FloatArray:
    """Sum per group of values already checked to hold no NaN (one plain bincount)."""
    return np.asarray(
        np.bincount(groups.codes, weights=values, minlength=groups.count), dtype=np.float64
    )


class GroupSums:
    """Sums per group of NaN-free values, by the quickest route the row layout allows.

    Data usually arrive with each group's rows together (an area's 19 age bands
    one after another). Then the sums are a reshape (groups of equal size) or
    ``np.add.reduceat`` (any sizes); otherwise one ``np.bincount`` over the codes.
    """

    def __init__(self, groups: Groups) -> None:
        self.groups = groups
        codes = groups.codes
        rows, count = len(codes), groups.count
        self.block = 0
        """Rows per group when every group is one run of this many rows, else 0."""
        self.starts: IntArray | None = None
        """Where each group's run begins when every group is one run, else None."""
        if bool((codes[1:] >= codes[:-1]).all()):
            # Codes number groups by first appearance, so sorted codes mean one run each.
            size = rows // count
            each = np.arange(count)
            if (
                size * count == rows
                and np.array_equal(codes[::size], each)
                and np.array_equal(codes[size - 1 :: size], each)
            ):
                self.block = size
            else:
                self.starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        self.ones = np.ones(self.block)

    def __call__(self, values: FloatArray) -> FloatArray:
        if self.block:
            return np.asarray(values.reshape(-1, self.block) @ self.ones, dtype=np.float64)
        if self.starts is not None:
            return np.asarray(np.add.reduceat(values, self.starts), dtype=np.float64)
        return group_sum(self.groups, values)


def labels(
    condition: npt.NDArray[np.bool_], if_true: str, if_false: str
) -> npt.NDArray[np.object_]:
    """Per-group text labels (an object array, as pandas stores text), chosen by ``condition``."""
    return np.array([if_false, if_true], dtype=object)[condition.astype(np.intp)]
