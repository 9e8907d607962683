"""Life expectancy: Chiang II abridged life table with Silcocks et al confidence limits.

Formulas and rules: ``shared/reference/phe_methods/README.md`` section 4.9, as in
the PHE/OHID Life Expectancy Calculator and PHEindicatormethods
``phe_life_expectancy``. Every group's 20 age bands are placed in one column of
a (20 x groups) matrix, so the life table recursions are cumulative products
and (reverse) cumulative sums down the bands, done for all groups at once:
there is no Python loop over groups.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._ci import z_value
from ._frame import Groups, finish, limit_names, make_groups
from ._validate import (
    FloatArray,
    check_columns,
    check_frame,
    confidence_levels,
    fail,
    numeric_column,
    row_label,
)

__all__ = ["AGES", "life_expectancy"]

ScalarT = TypeVar("ScalarT", bound=np.generic)

AGES = np.array([0, 1, *range(5, 95, 5)], dtype=np.int64)
"""Start ages of the 20 bands: <1, 1-4, 5-9, ..., 85-89, 90+."""

BANDS = len(AGES)
WIDTH = np.diff(AGES).astype(np.float64)
"""Widths n of the first 19 bands (1, 4, 5, ..., 5); the 90+ band gets 2 / M."""
SEPARATION = np.where(AGES == 0, 0.1, 0.5)[:-1]
"""Fraction a of the band lived by those who die in it: 0.1 under 1, else 0.5."""
RADIX = 100_000.0
"""Life table radix l0."""
MIN_TOTAL_POPULATION = 5000
"""A group whose total population is this or less is suppressed."""
MAX_HALF_WIDTH = 10.0
"""A value is suppressed when its 95% half-width exceeds this many years."""
METHOD = "Chiang, using Silcocks et al for confidence limits"

CI_TOO_WIDE = "value suppressed: 95% confidence interval wider than 20 years (limits kept)"
NO_SURVIVORS = (
    "value 0 with no confidence limits: no survivors to this age in the life table (an earlier "
    "band's deaths were at least 40% of its population, 50% for ages 1-4)"
)

_AGE_LIST = ", ".join(map(str, AGES))
_FIRST_INTEGER = re.compile(r"\d+")


def life_expectancy(
    data: pd.DataFrame,
    deaths: Hashable,
    population: Hashable,
    startage: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    confidence: float | Sequence[float] = 0.95,
    le_age: str | int | Sequence[int] = "all",
) -> pd.DataFrame:
    """Life expectancy at each start age by Chiang's abridged life table (method II).

    Each group (all rows when ungrouped) needs 20 age bands <1, 1-4, 5-9, ...,
    85-89 and 90+. ``startage`` gives each row's band: its start age (0, 1, 5,
    ..., 90) or a label whose first whole number is the start age ("90+",
    "05-09", "1-4"); rows may come in any order. With band width n (2/M for
    90+), a = 0.1 under 1 and 0.5 otherwise, and M = deaths / population:
    q = nM / (1 + nM(1 - a)) (1 when deaths exceed population / (n a), and in
    90+), l(0) = 100000, l(i+1) = l(i)(1 - q), L = n(l(i+1) + a d) (l / M in
    90+), T = L summed from that band up, e = T / l. The variance follows
    Chiang with the Silcocks et al term for 90+: limits = e -/+ z * SE.

    Rules (as PHEindicatormethods, but nothing is warned: the ``note`` column
    says why): a whole group is NA when any deaths are negative or missing, any
    population is zero, negative or missing, deaths exceed population in a
    band, a band is absent, the 90+ band has no deaths, or the total population
    is 5,000 or less. A value is NA when its 95% interval is wider than 20 years
    (1.959964 * SE > 10), whatever ``confidence`` asks, but its limits are kept.
    ``confidence`` takes any levels in [0.9, 1] (or 90 to 100). ``le_age`` is
    "all", one start age or a list of them (a string "0,65" also works).
    Missing columns, non-numeric values, an unknown start age or one given twice
    in a group raise :class:`StatsInputError`.

    Returns one row per group and start age: the group columns, ``startage``,
    ``value``, the limits (``lower_95``, ``upper_95`` ...), ``pops_used`` and
    ``dths_used`` (population and deaths from that age up; NA when the group
    is suppressed), ``confidence``, ``statistic`` ("life expectancy at 65"),
    ``method`` and ``note`` (why a value is NA or has no limits; NA otherwise).
    """
    levels = confidence_levels(confidence, any_levels=True)
    asked = _le_ages(le_age)
    frame = check_frame(data)
    check_columns(frame, deaths=deaths, population=population, startage=startage)
    groups = make_groups(frame, group_by)
    band = _bands(frame, startage)
    dths = numeric_column(frame, deaths, "deaths")
    pops = numeric_column(frame, population, "population")

    cell = band * groups.count + groups.codes
    filled = np.bincount(cell, minlength=BANDS * groups.count)
    if filled.max() > 1:
        _duplicate_error(frame, startage, groups, cell, filled, group_by)
    shape = (BANDS, groups.count)
    d = _matrix(dths, cell, shape)
    p = _matrix(pops, cell, shape)
    present = filled.reshape(shape) > 0

    group_note = _suppression_notes(d, p, present)
    suppressed = np.flatnonzero(group_note != "")
    table = _life_table(d, p)
    pops_used = _reverse_cumsum(p)
    dths_used = _reverse_cumsum(d)
    for matrix in (table.expectancy, table.value, table.se, pops_used, dths_used):
        matrix[:, suppressed] = np.nan

    rows = asked if len(asked) < BANDS else slice(None)
    out = groups.keys.take(np.repeat(np.arange(groups.count), len(asked))).reset_index(drop=True)
    out["startage"] = np.tile(AGES[rows], groups.count)
    out["value"] = _by_group(table.value[rows])
    for level in levels:
        lower_name, upper_name = limit_names(level)
        half_width = z_value(level) * table.se[rows]
        out[lower_name] = _by_group(table.expectancy[rows] - half_width)
        out[upper_name] = _by_group(table.expectancy[rows] + half_width)
    out["pops_used"] = _by_group(pops_used[rows])
    out["dths_used"] = _by_group(dths_used[rows])

    # Notes as codes into a short list of texts: building a string column with
    # missing values element by element is slow in pandas.
    note = np.full(shape, -1, dtype=np.intp)
    note[table.too_wide] = 0
    note[table.no_survivors] = 1
    note[:, suppressed] = 2 + np.arange(len(suppressed))
    texts = pd.array([CI_TOO_WIDE, NO_SURVIVORS, *group_note[suppressed]], dtype="str")
    finish(out, levels=levels, statistic="", method=METHOD)
    # Built as a string column directly: pandas infers object arrays slowly.
    statistic = np.array([f"life expectancy at {age}" for age in AGES[rows]], dtype=object)
    out["statistic"] = pd.Series(np.tile(statistic, groups.count), dtype="str")
    out["note"] = texts.take(_by_group(note[rows]), allow_fill=True)
    return out


def _matrix(values: FloatArray, cell: npt.NDArray[np.intp], shape: tuple[int, int]) -> FloatArray:
    """Place each row's value in its (band, group) cell; absent bands are NaN."""
    matrix = np.full(shape[0] * shape[1], np.nan)
    matrix[cell] = values
    return matrix.reshape(shape)


def _by_group(matrix: npt.NDArray[ScalarT]) -> npt.NDArray[ScalarT]:
    """A (bands x groups) matrix as one column: group by group, bands in order."""
    return np.ascontiguousarray(matrix.T).ravel()


def _le_ages(le_age: object) -> npt.NDArray[np.intp]:
    """The bands (0..19) asked for by ``le_age``, ascending and without repeats."""
    if isinstance(le_age, str) and le_age.strip().lower() == "all":
        return np.arange(BANDS)
    rule = f"must be 'all', one of the start ages {_AGE_LIST}, or a list of them"
    raw: list[object]
    if isinstance(le_age, str):
        raw = [part.strip() for part in le_age.split(",")]
    elif isinstance(le_age, Sequence | np.ndarray | pd.Series | pd.Index):
        raw = list(le_age)
    else:
        raw = [le_age]
    if not raw:
        raise fail("le_age", rule, repr(le_age))
    ages: list[int] = []
    for item in raw:
        if isinstance(item, str):
            age = float(item) if item.isdigit() else np.nan
        else:
            age = _label_start(item)
        if age not in AGES:
            raise fail("le_age", rule, repr(item))
        ages.append(int(age))
    return np.searchsorted(AGES, np.unique(ages))


def _bands(frame: pd.DataFrame, startage: Hashable) -> npt.NDArray[np.intp]:
    """Band number (0..19) of every row from its start age or label."""
    series = frame[startage]
    argument = f"startage (column {startage!r})"
    if pd.api.types.is_bool_dtype(series.dtype):
        raise fail(argument, "must give start ages", "a true/false column")
    labelled = not pd.api.types.is_numeric_dtype(series.dtype)
    if labelled:
        codes, labels = pd.factorize(series, use_na_sentinel=True)
        unique_starts = np.array([_label_start(label) for label in labels], dtype=np.float64)
        starts = np.append(unique_starts, np.nan)[codes]
    else:
        starts = np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    missing = np.isnan(starts)
    if missing.any():
        position = int(np.argmax(missing))
        if pd.isna(series.iloc[position]):
            raise fail(argument, "must not be missing", f"NA at {row_label(frame.index, position)}")
        raise fail(
            argument,
            "must be a start age or a label starting with one, such as '90+' or '05-09'",
            f"{series.iloc[position]!r} at {row_label(frame.index, position)}",
        )
    band = np.searchsorted(AGES, starts).clip(0, BANDS - 1)
    unknown = AGES[band] != starts
    if unknown.any():
        position = int(np.argmax(unknown))
        shown = _shown(series.iloc[position])
        if labelled:
            shown += f" (start age {starts[position]:g})"
        raise fail(
            argument,
            f"must be one of the life table start ages {_AGE_LIST}",
            f"{shown} at {row_label(frame.index, position)}",
        )
    return np.asarray(band, dtype=np.intp)


def _label_start(label: object) -> float:
    """Start age of one label: a number as it is, a string by its first whole number."""
    if isinstance(label, bool):
        return np.nan
    if isinstance(label, int | float | np.integer | np.floating):
        return float(label)
    if isinstance(label, str):
        match = _FIRST_INTEGER.search(label)
        return float(match.group()) if match else np.nan
    return np.nan


def _shown(value: object) -> str:
    """A start age or label as it appears in messages: 2 or '2-4'."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(value)


def _duplicate_error(
    frame: pd.DataFrame,
    startage: Hashable,
    groups: Groups,
    cell: npt.NDArray[np.intp],
    filled: npt.NDArray[np.intp],
    group_by: Hashable | Sequence[Hashable] | None,
) -> None:
    first = int(np.argmax(filled > 1))
    rows = [int(row) for row in np.flatnonzero(cell == first)[:2]]
    band, group = divmod(first, groups.count)
    keys = groups.keys.iloc[group]
    where = (
        "in group " + ", ".join(f"{name}={keys[name]!r}" for name in groups.keys.columns)
        if group_by is not None
        else "in the data"
    )
    labels = [
        f"{_shown(frame[startage].iloc[row])} at {row_label(frame.index, row)}" for row in rows
    ]
    raise fail(
        f"startage (column {startage!r})",
        "each start age must appear once per group",
        f"start age {AGES[band]} twice {where}: {' and '.join(labels)}",
    )


def _suppression_notes(
    d: FloatArray, p: FloatArray, present: npt.NDArray[np.bool_]
) -> npt.NDArray[np.object_]:
    """Why each group (column) is suppressed ("" when it is not), reasons joined by "; "."""
    notes = np.full(d.shape[1], "", dtype=object)

    def add(flags: npt.NDArray[np.bool_], text: npt.NDArray[np.object_] | str) -> None:
        current = notes[flags]
        notes[flags] = np.where(current == "", text, current + "; " + text)

    def at_first(bad: npt.NDArray[np.bool_], *parts: str | FloatArray) -> None:
        """Describe the first bad band of each group from text and (d or p) values."""
        flags = np.asarray(bad.any(axis=0), dtype=np.bool_)
        if not flags.any():
            return
        groups = np.flatnonzero(flags)
        band = np.argmax(bad[:, groups], axis=0)
        text = np.full(len(groups), "", dtype=object)
        for part in parts:
            text = text + (part if isinstance(part, str) else _numbers(part[band, groups]))
        add(flags, text + " at start age " + AGES[band].astype(str).astype(object))

    with np.errstate(invalid="ignore"):
        at_first(present & (np.isnan(d) | np.isnan(p)), "deaths or population missing")
        at_first(d < 0, "deaths ", d, " (negative)")
        at_first(p <= 0, "population ", p, " (must be above 0)")
        bands = present.sum(axis=0)
        incomplete = bands != BANDS
        if incomplete.any():
            first_missing = AGES[np.argmax(~present[:, incomplete], axis=0)]
            add(
                incomplete,
                bands[incomplete].astype(str).astype(object)
                + f" age bands, {BANDS} needed (start age "
                + first_missing.astype(str).astype(object)
                + " missing)",
            )
        at_first(d > p, "deaths ", d, " exceed population ", p)
        total = np.nansum(p, axis=0)
        low = total <= MIN_TOTAL_POPULATION
        if low.any():
            add(
                low,
                "total population "
                + _numbers(total[low])
                + f" is {MIN_TOTAL_POPULATION:,} or less",
            )
        no_deaths: npt.NDArray[np.bool_] = present[-1] & (d[-1] == 0)
        if no_deaths.any():
            add(no_deaths, "no deaths in the 90+ band (at least 1 needed)")
    suppressed = notes != ""
    notes[suppressed] = "group suppressed: " + notes[suppressed]
    return notes


def _numbers(values: FloatArray) -> npt.NDArray[np.object_]:
    """Numbers as text with thousands separators: 4200 -> "4,200", -0.5 -> "-0.5"."""
    series = pd.Series(values, dtype=np.float64)
    text = series.map("{:,}".format).str.removesuffix(".0")
    return np.asarray(text.to_numpy(dtype=object), dtype=object)


def _reverse_cumsum(matrix: FloatArray) -> FloatArray:
    """Sum from each band down to the last one (90+), for every group (column).

    A loop over the 20 bands adding whole rows is about ten times faster than
    ``np.cumsum(axis=0)`` on these short, wide matrices.
    """
    total = np.empty_like(matrix)
    total[-1] = matrix[-1]
    for band in range(len(matrix) - 2, -1, -1):
        np.add(total[band + 1], matrix[band], out=total[band])
    return total


@dataclass(frozen=True)
class LifeTable:
    """Results of the life table, one (20 x groups) matrix each."""

    expectancy: FloatArray
    """Life expectancy e at each start age (0 where no one survives to that age)."""
    value: FloatArray
    """e with what PHE does not publish set to NaN: 95% interval too wide, or infinite."""
    se: FloatArray
    """Standard error of e (NaN where no one survives to that age)."""
    too_wide: npt.NDArray[np.bool_]
    """1.959964 * SE > 10: the 95% interval is wider than 20 years."""
    no_survivors: npt.NDArray[np.bool_]
    """l = 0: an earlier band had q = 1."""


_N = WIDTH[:, None]
_A = SEPARATION[:, None]


def _life_table(d: FloatArray, p: FloatArray) -> LifeTable:
    """Chiang II life table with Silcocks variance, all groups (columns) at once.

    Bands are rows 0..19. Groups with impossible inputs give meaningless
    numbers here; the caller blanks them.
    """
    with np.errstate(all="ignore"):
        m = d / p
        nm = _N * m[:-1]
        q = nm / (1 + nm * (1 - _A))
        q[d[:-1] > p[:-1] / (_N * _A)] = 1.0
        alive = np.empty_like(d)
        alive[0] = RADIX
        for band in range(1, BANDS):
            np.multiply(alive[band - 1], 1 - q[band - 1], out=alive[band])
        dying = alive[:-1] - alive[1:]
        years = np.empty_like(d)
        years[:-1] = _N * (alive[1:] + _A * dying)
        years[-1] = alive[-1] / m[-1]
        expectancy = _reverse_cumsum(years)
        expectancy /= alive
        no_survivors = alive == 0
        expectancy[no_survivors] = 0.0

        weight = np.empty_like(d)
        weight[:-1] = q * q * (1 - q) / d[:-1]
        weight[:-1][dying == 0] = 0.0
        weight[:-1] *= alive[:-1] ** 2 * ((1 - _A) * _N + expectancy[1:]) ** 2
        weight[-1] = (alive[-1] / 2) ** 2 * 4 / (d[-1] * m[-1] ** 2)
        se = _reverse_cumsum(weight)
        se /= alive**2
        np.sqrt(se, out=se)
        too_wide = z_value(0.95) * se > MAX_HALF_WIDTH
        value = np.where(too_wide | ~np.isfinite(expectancy), np.nan, expectancy)
    return LifeTable(expectancy, value, se, too_wide, no_survivors)
