"""Quantiles (deciles, quintiles ...) of small areas ranked by a value within groups.

Formula and rules: ``shared/reference/phe_methods/README.md`` section 4.10, as
in PHEindicatormethods ``phe_quantile``. Rows are put in group order by one
stable sort of the group codes and ranked by sorting every group's values as
a row of a matrix, so there is no Python loop over groups.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._frame import make_groups
from ._validate import (
    FloatArray,
    as_column_list,
    check_columns,
    check_frame,
    fail,
    numeric_column,
    row_label,
)

__all__ = ["quantiles"]


def quantiles(
    data: pd.DataFrame,
    values: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    nquantiles: int = 10,
    invert: bool | Hashable = True,
) -> pd.DataFrame:
    """Assign each row to one of ``nquantiles`` quantiles of ``values`` within its group.

    Within each group (all rows when ungrouped) with N non-missing values,
    rank = the rank of the value with ties sharing the lowest rank, counted
    from the highest value when inverted (so quantile 1 holds the highest
    values) and from the lowest otherwise; then

        quantile = floor(nq + 1 - ceiling((N + 1 - rank) / (N / nq))), 0 -> 1.

    ``invert`` is True, False or the name of a column of True/False values
    (1/0 also accepted) that must be the same on every row of a group. Rows
    with a missing value, and every row of a group with fewer non-missing
    values than ``nquantiles``, get NA (nothing is warned). Tied values share
    the quantile of their lowest rank, so quantiles can differ in size.

    Returns a copy of ``data`` with a ``quantile`` column (nullable integer,
    1 to ``nquantiles``) added, or replaced if ``data`` already has one.
    """
    frame = check_frame(data)
    nq = _check_nquantiles(nquantiles)
    numbers = numeric_column(frame, values, "values")
    all_codes, group_count = _group_codes(frame, group_by)
    inverted = _inverted_rows(frame, invert, all_codes, group_count, group_by)
    if isinstance(inverted, bool):
        signed = -numbers if inverted else numbers
    else:
        signed = np.where(inverted, -numbers, numbers)

    absent = np.isnan(numbers)
    present = np.flatnonzero(~absent) if absent.any() else None
    if present is None:
        result = _assign(all_codes, signed, group_count, nq)
    else:
        result = np.zeros(len(frame), dtype=np.int64)
        result[present] = _assign(all_codes[present], signed[present], group_count, nq)
    out = frame.copy()
    out["quantile"] = pd.arrays.IntegerArray(result, result == 0)
    return out


def _check_nquantiles(nquantiles: object) -> int:
    if (
        isinstance(nquantiles, bool)
        or not isinstance(nquantiles, int | float | np.integer | np.floating)
        or not float(nquantiles).is_integer()
        or nquantiles < 1
    ):
        raise fail("nquantiles", "must be a whole number of at least 1", repr(nquantiles))
    return int(nquantiles)


def _quantile(rank: FloatArray, count: npt.NDArray[np.intp], nq: int) -> npt.NDArray[np.int64]:
    """floor(nq + 1 - ceiling((N + 1 - rank) / (N / nq))), at least 1; 0 where N < nq.

    The same floating-point steps as PHEindicatormethods, so boundaries agree exactly.
    """
    above = (count + 1).astype(np.float64)
    step = count / nq
    with np.errstate(divide="ignore", invalid="ignore"):
        assigned = np.floor((nq + 1) - np.ceil((above - rank) / step))
    np.maximum(assigned, 1, out=assigned)
    return np.where(count < nq, 0, assigned).astype(np.int64)


def _assign(
    codes: npt.NDArray[np.intp], values: FloatArray, groups: int, nq: int
) -> npt.NDArray[np.int64]:
    """Quantile of each value within its group (0 when the group has fewer than nq values).

    Ranks count from the smallest value, ties taking the lowest rank. Rows are
    put in group order by a stable sort of the codes (a radix sort for up to
    65,536 groups). When no group is much larger than the others, each group
    becomes one row of a (groups x largest group) matrix padded with +inf and
    sorted along its rows (many short sorts are much faster than one long one),
    and the quantiles are computed in that layout; otherwise the values are
    sorted once, then stably by group.
    """
    n = len(values)
    small = np.uint16 if groups <= 1 << 16 else np.intp
    counts = np.bincount(codes, minlength=groups)
    widest = int(counts.max()) if n else 0
    # One spare element at the end takes the writes from padding cells.
    result = np.empty(n + 1, dtype=np.int64)
    if groups * widest <= 2 * n + 1024:
        by_group = np.argsort(codes.astype(small), kind="stable")
        cells = groups * widest
        if cells == n:  # equal group sizes: no padding
            cell_row = by_group
            matrix = values[by_group].reshape(groups, widest)
        else:
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
            offset = np.arange(groups) * widest - starts
            slot = np.arange(n) + offset[codes[by_group]]
            padded = np.full(cells, np.inf)
            padded[slot] = values[by_group]
            matrix = padded.reshape(groups, widest)
            cell_row = np.full(cells, n, dtype=np.intp)
            cell_row[slot] = by_group
        within = np.argsort(matrix, axis=1)
        ordered = np.take_along_axis(matrix, within, axis=1)
        column = np.arange(1, widest + 1, dtype=np.float64)
        tied = ordered[:, 1:] == ordered[:, :-1]
        if cells != n:
            tied &= ordered[:, 1:] != np.inf  # the padding is not a tie
        with_ties = np.flatnonzero(tied.any(axis=1))
        within += (np.arange(groups) * widest)[:, None]
        target = cell_row[within]
        # Without ties, rank = position: the quantiles of a row depend only on its
        # count, so they are computed once per distinct count.
        sizes, size_of_row = np.unique(counts, return_inverse=True)
        table = _quantile(np.broadcast_to(column, (len(sizes), widest)), sizes[:, None], nq)
        result[target] = table[0] if len(sizes) == 1 else table[size_of_row]
        if len(with_ties):
            # A tie takes the rank of the first value of its run.
            part = np.where(tied[with_ties], 0.0, column[1:])
            part = np.concatenate((np.ones((len(with_ties), 1)), part), axis=1)
            rank = np.maximum.accumulate(part, axis=1)
            result[target[with_ties]] = _quantile(rank, counts[with_ties, None], nq)
        return result[:n]
    by_value = np.argsort(values)
    order = by_value[np.argsort(codes[by_value].astype(small), kind="stable")]
    sorted_codes = codes[order]
    sorted_values = values[order]
    position = np.arange(n)
    new_group = np.ones(n, dtype=np.bool_)
    new_group[1:] = sorted_codes[1:] != sorted_codes[:-1]
    new_tie_run = new_group.copy()
    new_tie_run[1:] |= sorted_values[1:] != sorted_values[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    tie_start = np.maximum.accumulate(np.where(new_tie_run, position, 0))
    rank_sorted = (tie_start - group_start + 1).astype(np.float64)
    result[order] = _quantile(rank_sorted, counts[sorted_codes], nq)
    return result[:n]


def _group_codes(
    frame: pd.DataFrame, group_by: Hashable | Sequence[Hashable] | None
) -> tuple[npt.NDArray[np.intp], int]:
    """A group number for every row, and how many numbers there are.

    Only equal keys sharing a number matters here (the output is per row), so
    the group keys of ``make_groups`` are built only to name a group in an
    error, and one integer column in a short range is used as it is.
    """
    check_columns(frame, group_by=group_by)
    columns = as_column_list(group_by)
    if len(columns) == 1:
        keys = frame[columns[0]]
        if isinstance(keys.dtype, np.dtype) and keys.dtype.kind in "iu":
            # Whole-number keys in a short range are their own codes (empty codes are
            # harmless): no hashing.
            numbers = keys.to_numpy()
            low, high = (int(numbers.min()), int(numbers.max())) if len(numbers) else (0, 0)
            if high - low < max(2 * len(numbers), 1024):
                return np.asarray(numbers - low, dtype=np.intp), high - low + 1
    codes = np.zeros(len(frame), dtype=np.intp)
    count = 1
    for number, column in enumerate(columns):
        column_codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        codes = codes * len(uniques) + column_codes
        count = len(uniques)
        if number > 0:
            combined, seen = pd.factorize(codes)
            codes, count = np.asarray(combined, dtype=np.intp), len(seen)
    return codes, count


def _inverted_rows(
    frame: pd.DataFrame,
    invert: object,
    codes: npt.NDArray[np.intp],
    count: int,
    group_by: Hashable | Sequence[Hashable] | None,
) -> bool | npt.NDArray[np.bool_]:
    """Whether rows are ranked from the highest value (invert): one flag, or one per row."""
    if isinstance(invert, bool | np.bool_):
        return bool(invert)
    if not isinstance(invert, Hashable) or invert not in frame.columns:
        available = ", ".join(map(str, frame.columns[:20]))
        raise fail(
            "invert",
            f"must be True, False or the name of a column of data (columns: {available})",
            repr(invert),
        )
    column = frame[invert]
    argument = f"invert (column {invert!r})"
    if pd.api.types.is_bool_dtype(column.dtype) and not column.isna().any():
        flags = np.asarray(column.to_numpy(dtype=np.bool_), dtype=np.bool_)
    else:
        numbers = pd.to_numeric(column, errors="coerce")
        bad = ~(numbers.isin([0, 1]).to_numpy())
        if bad.any():
            position = int(np.flatnonzero(bad)[0])
            raise fail(
                argument,
                "must hold True or False (or 1 or 0)",
                f"{column.iloc[position]!r} at {row_label(frame.index, position)}",
            )
        flags = np.asarray(numbers.to_numpy() == 1, dtype=np.bool_)
    inverted = np.bincount(codes, weights=flags, minlength=count)
    mixed = (inverted > 0) & (inverted < np.bincount(codes, minlength=count))
    if mixed.any():
        groups = make_groups(frame, group_by)
        group = int(groups.codes[np.flatnonzero(mixed[codes])[0]])
        rows = np.flatnonzero(groups.codes == group)
        first = int(rows[0])
        other = int(rows[np.argmax(flags[rows] != flags[first])])
        keys = groups.keys.iloc[group]
        where = (
            "in group " + ", ".join(f"{name}={keys[name]!r}" for name in groups.keys.columns)
            if len(groups.keys.columns)
            else "among the rows (ungrouped)"
        )
        raise fail(
            argument,
            "must be the same on every row of a group",
            f"{bool(flags[first])} at {row_label(frame.index, first)} and "
            f"{bool(flags[other])} at {row_label(frame.index, other)} {where}",
        )
    return flags
