"""Directly standardised rates (DSRs) with Dobson confidence limits.

Formulas: ``shared/reference/phe_methods/README.md`` section 4.7, as in the
OHID Fingertips technical guidance and ``calculate_dsr`` of the R package
PHEindicatormethods (Dobson et al. 1991, with Byars' limits for the total
count).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._ci import byars_lower, byars_upper
from ._frame import Groups, IntArray, finish, format_number, limit_names, make_groups
from ._standardise import (
    GroupSums,
    first_bad_group,
    group_sum,
    labels,
    non_negative,
)
from ._validate import (
    FloatArray,
    check_columns,
    check_frame,
    check_multiplier,
    confidence_levels,
    fail,
    numeric_column,
    require,
    require_present,
)

__all__ = ["ESP2013", "ESP2013_BANDS", "dobson_limits", "dsr"]

ESP2013 = np.array(
    [
        5000,
        5500,
        5500,
        5500,
        6000,
        6000,
        6500,
        7000,
        7000,
        7000,
        7000,
        6500,
        6000,
        5500,
        5000,
        4000,
        2500,
        1500,
        1000,
    ],
    dtype=np.float64,
)
"""European Standard Population 2013 (Eurostat, "Revision of the European Standard
Population: report of Eurostat's task force", 2013), 19 five-year bands 0-4 ... 85-89
and 90+, total 100 000. The same weights as ``esp2013.csv`` in the shared reference
folder and ``data/esp2013.rda`` of PHEindicatormethods."""

ESP2013_BANDS = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65-69",
    "70-74",
    "75-79",
    "80-84",
    "85-89",
    "90+",
)
"""The age bands of :data:`ESP2013`, in order."""

MIN_TOTAL_COUNT = 10
"""A DSR is suppressed (value and limits NA) when the group's total count is below this."""

SUPPRESSED = "dsr NA for total count < 10"
INDEPENDENT = "Dobson"
NON_INDEPENDENT = "Dobson, with confidence adjusted for non-independent events"
BUILT_IN = "esp2013"


def dobson_limits(
    rate: FloatArray, variance: FloatArray, count: FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    """Dobson limits of a DSR: ``rate + sqrt(variance / O) * (Byars(O) - O)``.

    ``rate`` and ``variance`` are on the per-person scale (not multiplied);
    ``count`` is the total count O. NaN where O is 0.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.sqrt(variance / count)
        lower = rate + spread * (byars_lower(count, level) - count)
        upper = rate + spread * (byars_upper(count, level) - count)
    return lower, upper


def _bool(value: object, argument: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise fail(argument, "must be True or False", repr(value))
    return bool(value)


def _uses_built_in(frame: pd.DataFrame, stdpop: object) -> bool:
    """True for the built-in ESP2013; otherwise ``stdpop`` must name a column."""
    if isinstance(stdpop, str) and stdpop == BUILT_IN:
        return True
    if not isinstance(stdpop, Hashable) or isinstance(stdpop, tuple) or stdpop not in frame:
        available = ", ".join(map(str, frame.columns[:20]))
        raise fail(
            "stdpop",
            f"must be 'esp2013' or name a column of data (columns: {available})",
            repr(stdpop),
        )
    return False


def _esp2013_by_position(bands: Groups, what: str = "rows") -> FloatArray:
    """ESP2013 weight of each member of ``bands``, by its order within its group."""
    sizes = bands.size()
    wrong = sizes != len(ESP2013)
    if wrong.any():
        first = int(np.flatnonzero(wrong)[0])
        raise fail(
            "stdpop",
            f"'esp2013' needs exactly 19 {what} per group, the age bands 0-4, 5-9, ..., 85-89, "
            "90+ in that order",
            f"{int(sizes[first])} {what} in {first_bad_group(wrong, bands)}",
        )
    return ESP2013[bands.position()]


def _stdpop_column(frame: pd.DataFrame, stdpop: Hashable) -> FloatArray:
    weights = numeric_column(frame, stdpop, "stdpop")
    require_present(
        weights,
        frame.index,
        argument="stdpop",
        column=stdpop,
        rule="must not be missing (every age band needs a standard population weight)",
    )
    require(
        weights >= 0,
        weights,
        frame.index,
        argument="stdpop",
        column=stdpop,
        rule="must be >= 0 (standard population weights cannot be negative)",
    )
    return weights


def _within_groups(groups: Groups, values: pd.Series | FloatArray) -> tuple[IntArray, IntArray]:
    """Split each group by ``values`` (e.g. its age bands): a code per row, numbered in
    order of first appearance, and the position of the first row of each code."""
    labels, uniques = pd.factorize(values)
    key = groups.codes.astype(np.int64) * max(len(uniques), 1) + labels
    codes, combined = pd.factorize(key)
    codes = np.asarray(codes, dtype=np.intp)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(combined)))
    return codes, np.asarray(order[starts], dtype=np.intp)


class _Totals(NamedTuple):
    """Per-group results before scaling: the DSR and its variance are per person."""

    total_count: FloatArray
    total_pop: FloatArray
    rate: FloatArray
    variance: FloatArray


def _positive_total(total: FloatArray, groups: Groups) -> FloatArray:
    """The standard weights must have a positive total in every group."""
    empty = total <= 0
    if empty.any():
        raise fail(
            "stdpop",
            "must have a positive total in every group (some weight is needed)",
            f"a total of 0 in {first_bad_group(empty, groups)}",
        )
    return total


def _independent(
    frame: pd.DataFrame, groups: Groups, xs: FloatArray, ns: FloatArray, stdpop: Hashable
) -> _Totals:
    """DSR = sum(x w / n) / sum(w);  variance = sum(x w**2 / n**2) / sum(w)**2.

    Written to make one temporary array of the rows' size (large temporaries,
    not arithmetic, dominate the time on 10,000 areas).
    """
    sums = GroupSums(groups)
    if _uses_built_in(frame, stdpop) and sums.block == len(ESP2013):
        # The usual layout, each area's 19 bands together: a matrix of areas x bands.
        counts = xs.reshape(-1, len(ESP2013))
        populations = ns.reshape(-1, len(ESP2013))
        rate = counts / populations
        weighted = rate @ ESP2013
        rate /= populations
        squared = rate @ (ESP2013 * ESP2013)
        esp_total = float(ESP2013.sum())
        return _Totals(
            total_count=sums(xs),
            total_pop=sums(ns),
            rate=weighted / esp_total,
            variance=squared / esp_total**2,
        )
    if _uses_built_in(frame, stdpop):
        weights = _esp2013_by_position(groups)
        total_weight = np.full(groups.count, ESP2013.sum())
    else:
        weights = _stdpop_column(frame, stdpop)
        total_weight = _positive_total(sums(weights), groups)
    rate = xs / ns
    rate *= weights
    weighted = sums(rate)
    rate /= ns
    rate *= weights
    return _Totals(
        total_count=sums(xs),
        total_pop=sums(ns),
        rate=weighted / total_weight,
        variance=sums(rate) / total_weight**2,
    )


def _check_band(
    frame: pd.DataFrame,
    values: FloatArray,
    first: IntArray,
    codes: IntArray,
    *,
    argument: str,
    column: Hashable,
) -> None:
    """``values`` must be the same on every row of an age band within a group."""
    require(
        values == values[first][codes],
        values,
        frame.index,
        argument=argument,
        column=column,
        rule="must be the same on every row of one age band in one group "
        "(one value per band, whatever the event frequency)",
    )


def _non_independent(
    frame: pd.DataFrame,
    groups: Groups,
    persons: FloatArray,
    ns: FloatArray,
    columns: tuple[Hashable, Hashable, Hashable | None, Hashable | None],
) -> _Totals:
    """As :func:`_independent` when ``x`` counts persons with exactly ``eventfreq`` events.

    Events per band are ``sum_f f * x_f`` and the DSR is computed from them.
    The variance is ``sum_f f**2 * var_f``, where ``var_f`` is the variance
    above computed from the persons with f events alone: ``sum(x w**2 / n**2)
    / (sum w)**2`` over that frequency's rows of the group (README 4.7, as in
    calculate_dsr).
    """
    n, stdpop, eventfreq, ageband = columns
    if eventfreq is None or ageband is None:
        argument = "eventfreq" if eventfreq is None else "ageband"
        raise fail(argument, "must name a column of data when independent_events is False", "None")
    frequency = numeric_column(frame, eventfreq, "eventfreq")
    rule = "must not be missing (the number of events each person in the row had)"
    require_present(frequency, frame.index, argument="eventfreq", column=eventfreq, rule=rule)
    rule = "must be >= 1 (the number of events each person in the row had)"
    require(
        frequency >= 1, frequency, frame.index, argument="eventfreq", column=eventfreq, rule=rule
    )
    check_columns(frame, ageband=ageband)
    missing_band = frame[ageband].isna().to_numpy()
    require_present(
        np.where(missing_band, np.nan, 0.0),
        frame.index,
        argument="ageband",
        column=ageband,
        rule="must not be missing (every row needs its age band)",
    )

    band_codes, first = _within_groups(groups, frame[ageband])
    band_groups = Groups(groups.codes[first], groups.keys)
    _check_band(frame, ns, first, band_codes, argument="n", column=n)
    if _uses_built_in(frame, stdpop):
        band_weights = _esp2013_by_position(band_groups, "age bands")
        weights = band_weights[band_codes]
    else:
        weights = _stdpop_column(frame, stdpop)
        _check_band(frame, weights, first, band_codes, argument="stdpop", column=stdpop)
        band_weights = weights[first]
    ratio = weights / ns
    events = frequency * persons
    total_weight = _positive_total(group_sum(band_groups, band_weights), band_groups)

    pair_codes, pair_first = _within_groups(groups, frequency)
    pair_count = len(pair_first)
    pair_squares = np.bincount(pair_codes, weights=persons * ratio * ratio, minlength=pair_count)
    pair_weight = np.bincount(pair_codes, weights=weights, minlength=pair_count)
    with np.errstate(invalid="ignore", divide="ignore"):
        pair_variance = np.where(pair_weight > 0, pair_squares / pair_weight**2, 0.0)
    f = frequency[pair_first]
    variance = group_sum(Groups(groups.codes[pair_first], groups.keys), f * f * pair_variance)
    return _Totals(
        total_count=group_sum(groups, events),
        total_pop=group_sum(band_groups, ns[first]),
        rate=group_sum(groups, events * ratio) / total_weight,
        variance=variance,
    )


def dsr(
    data: pd.DataFrame,
    x: Hashable,
    n: Hashable,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    stdpop: Hashable = BUILT_IN,
    confidence: float | Sequence[float] = 0.95,
    multiplier: float = 100_000,
    independent_events: bool = True,
    eventfreq: Hashable | None = None,
    ageband: Hashable | None = None,
) -> pd.DataFrame:
    """Directly standardised rate per group with Dobson confidence limits.

    Each group (an area's age bands; all rows when ``group_by`` is None) gives
    one rate, the age-specific rates x/n weighted by a standard population w:

        DSR = sum(x w / n) / sum(w) * multiplier
        var = sum(x w**2 / n**2) / sum(w)**2,   O = sum(x)
        limits = DSR + sqrt(var / O) * (Byars(O) - O) * multiplier

    with Byars' lower and upper limits of the total count O (Dobson et al. 1991).

    ``stdpop`` is ``"esp2013"`` (the default: the European Standard Population
    2013, matched to the 19 rows 0-4, 5-9, ..., 85-89, 90+ of each group by
    their order, so every group needs exactly 19 rows, or for non-independent
    events 19 age bands in order of first appearance; a data column that
    happens to be called esp2013 is not used) or the name of a column of
    weights (groups may then have different numbers of bands).

    Non-independent events (``independent_events`` False, as for repeat
    admissions): ``x`` is the number of persons with exactly ``eventfreq``
    events, one row per group, ``ageband`` and frequency. Events are
    sum(f * x); the variance is sum over f of f**2 times the variance above
    computed from that frequency's rows alone (as in calculate_dsr, its sum(w)
    is over those rows only: give every band a row for every frequency, with 0
    persons if need be). ``n`` and the weight must be the same on all rows of
    a band.

    Rules: NA ``x`` counts as 0; ``x >= 0``; ``n > 0`` and not NA;
    ``stdpop >= 0``, not NA, with a positive total per group. A group whose
    total count is below 10 gets NA value and limits and the statistic
    "dsr NA for total count < 10".

    Returns the group columns plus ``total_count``, ``total_pop``, ``value``,
    the limits, ``confidence``, ``statistic`` ("dsr per 100000") and
    ``method`` ("Dobson", or "Dobson, with confidence adjusted for
    non-independent events").
    """
    levels = confidence_levels(confidence)
    scale = check_multiplier(multiplier)
    independent = _bool(independent_events, "independent_events")
    frame = check_frame(data)
    if independent:
        for argument, column in (("eventfreq", eventfreq), ("ageband", ageband)):
            if column is not None:
                raise fail(argument, "is only used when independent_events is False", repr(column))
    xs = non_negative(frame, x, "x")
    ns = numeric_column(frame, n, "n")
    rule = "must not be missing (every age band needs a population)"
    require_present(ns, frame.index, argument="n", column=n, rule=rule)
    rule = "must be > 0 (a denominator cannot be zero or negative)"
    require(ns > 0, ns, frame.index, argument="n", column=n, rule=rule)
    groups = make_groups(frame, group_by)
    if independent:
        sums = _independent(frame, groups, xs, ns, stdpop)
    else:
        sums = _non_independent(frame, groups, xs, ns, (n, stdpop, eventfreq, ageband))
    count, population, rate, variance = sums
    shown = count >= MIN_TOTAL_COUNT
    out = groups.keys.copy()
    out["total_count"] = count
    out["total_pop"] = population
    out["value"] = np.where(shown, rate * scale, np.nan)
    for level in levels:
        lower, upper = dobson_limits(rate, variance, count, level)
        lower_name, upper_name = limit_names(level)
        out[lower_name] = np.where(shown, lower * scale, np.nan)
        out[upper_name] = np.where(shown, upper * scale, np.nan)
    statistic = labels(shown, f"dsr per {format_number(scale)}", SUPPRESSED)
    return finish(
        out,
        levels=levels,
        statistic=statistic,
        method=INDEPENDENT if independent else NON_INDEPENDENT,
    )
