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

from ._frame import Groups
from ._validate import FloatArray, _row_label, fail, numeric_column, require

__all__ = ["first_bad_group", "group_label", "non_negative", "require_present"]

NEGATIVE_COUNT = "must be >= 0 (counts cannot be negative)"


def require_present(
    values: FloatArray, index: pd.Index, *, argument: str, column: Hashable, rule: str
) -> None:
    """Raise if any value is missing (NaN), naming the first row."""
    missing = np.isnan(values)
    if missing.any():
        position = int(np.flatnonzero(missing)[0])
        count = int(missing.sum())
        more = f" (and {count - 1} more rows)" if count > 1 else ""
        raise fail(
            f"{argument} (column {column!r})", rule, f"NA at {_row_label(index, position)}{more}"
        )


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
    return np.nan_to_num(values, nan=0.0) if missing_is_zero else values


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
