"""Grouping and result labelling shared by every statistics function.

Grouping is done once per call: the group key of every row becomes an integer
code, and sums per group are ``np.bincount`` over those codes, so no function
loops over groups in Python.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._validate import FloatArray, as_column_list, check_columns

__all__ = [
    "Groups",
    "confidence_label",
    "finish",
    "format_number",
    "level_name",
    "limit_names",
    "make_groups",
]

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Groups:
    """The groups of a data frame: a code per row and the key values per group."""

    codes: IntArray
    """Group number (0 .. count-1) of every input row."""
    keys: pd.DataFrame
    """One row per group, holding the group-by columns (no columns when ungrouped)."""

    @property
    def count(self) -> int:
        """Number of groups."""
        return len(self.keys)

    def sum(self, values: FloatArray) -> FloatArray:
        """Sum per group; NaN if any value in the group is NaN."""
        missing = np.isnan(values)
        totals = self.nansum(values)
        if missing.any():
            totals[self.nansum(missing.astype(np.float64)) > 0] = np.nan
        return totals

    def nansum(self, values: FloatArray) -> FloatArray:
        """Sum per group treating NaN as zero."""
        weights = np.nan_to_num(values)
        return np.bincount(self.codes, weights=weights, minlength=self.count).astype(np.float64)

    def size(self) -> FloatArray:
        """Number of rows in each group."""
        return np.bincount(self.codes, minlength=self.count).astype(np.float64)

    def broadcast(self, per_group: FloatArray) -> FloatArray:
        """Spread a per-group array back onto the input rows."""
        return per_group[self.codes]

    def order(self) -> IntArray:
        """Row positions sorted by group, keeping the input order within a group."""
        return np.argsort(self.codes, kind="stable")

    def starts(self) -> IntArray:
        """Where each group begins in :meth:`order`."""
        counts = np.bincount(self.codes, minlength=self.count)
        return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)

    def position(self) -> IntArray:
        """0-based position of each row within its group, in input order."""
        order = self.order()
        positions = np.empty(len(order), dtype=np.intp)
        counts = np.bincount(self.codes, minlength=self.count)
        positions[order] = np.arange(len(order)) - np.repeat(self.starts(), counts)
        return positions


def make_groups(data: pd.DataFrame, group_by: Hashable | Sequence[Hashable] | None) -> Groups:
    """Group ``data`` by the ``group_by`` columns (all rows form one group if None).

    Groups appear in order of first appearance; missing key values form a group.
    """
    check_columns(data, group_by=group_by)
    columns = as_column_list(group_by)
    if not columns:
        return Groups(np.zeros(len(data), dtype=np.intp), pd.DataFrame(index=pd.RangeIndex(1)))
    grouped = data.groupby(columns, sort=False, dropna=False, observed=True)
    codes = np.asarray(grouped.ngroup().to_numpy(), dtype=np.intp)
    # Groups are numbered by first appearance, so their first rows come out in code order.
    if (np.diff(codes) >= 0).all():
        first_rows = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    else:
        first_rows = np.flatnonzero(~pd.Series(codes).duplicated().to_numpy())
    keys = data.iloc[first_rows][columns].reset_index(drop=True)
    return Groups(codes, keys)


def format_number(number: float) -> str:
    """Format a multiplier for labels: 100000 as "100000", 0.5 as "0.5"."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def level_name(level: float) -> str:
    """Column suffix for a confidence level: 0.95 -> "95", 0.998 -> "99_8"."""
    return format_number(round(level * 100, 10)).replace(".", "_")


def limit_names(level: float, prefix: str = "") -> tuple[str, str]:
    """Lower and upper limit column names for ``level``, e.g. ("lower_95", "upper_95")."""
    suffix = level_name(level)
    return f"{prefix}lower_{suffix}", f"{prefix}upper_{suffix}"


def confidence_label(levels: Sequence[float]) -> str:
    """Human label for the levels: "95%" or "95%, 99.8%"."""
    return ", ".join(f"{format_number(round(level * 100, 10))}%" for level in levels)


def finish(
    out: pd.DataFrame,
    *,
    levels: Sequence[float],
    statistic: str | npt.NDArray[np.object_],
    method: str | npt.NDArray[np.object_],
) -> pd.DataFrame:
    """Append the self-describing columns ``confidence``, ``statistic`` and ``method``.

    A label that is the same on every row is stored as a one-category
    categorical: the same text for readers, without a string object per row.
    """
    out["confidence"] = _label_column(confidence_label(levels), len(out))
    out["statistic"] = _label_column(statistic, len(out))
    out["method"] = _label_column(method, len(out))
    return out


def _label_column(
    label: str | npt.NDArray[np.object_], rows: int
) -> pd.Categorical[str] | npt.NDArray[np.object_]:
    if not isinstance(label, str):
        return label
    return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=pd.Index([label]))
