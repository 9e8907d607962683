"""Funnel plots: control limits around the overall average, and which areas fall outside them.

Three kinds of statistic, as in PHEindicatormethods 2.1.0 and the Fingertips
technical guidance: proportions (Wilson score control limits), ratios of
observed to expected counts and rates, crude or directly standardised (exact
Poisson control limits). No overdispersion adjustment is made. Formulas:
``shared/reference/phe_methods/README.md`` section 4.12; the array kernels are
in :mod:`jsna.stats._funnel_kernels`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._frame import finish
from ._funnel_kernels import (
    HIGH_LOW,
    LEVELS,
    axis_points,
    axis_range,
    exact_poisson_means,
    poisson_significance,
    proportion_significance,
    wilson_control_limits,
)
from ._validate import (
    FloatArray,
    check_frame,
    check_multiplier,
    check_option,
    fail,
    numeric_column,
    require,
    require_present,
)

__all__ = ["funnel_limits", "funnel_points", "funnel_significance"]

STATISTICS = ("proportion", "ratio", "rate")
RATE_TYPES = ("dsr", "crude")
RATIO_TYPES = ("count", "isr")
NOT_APPLICABLE = "Not applicable for events less than 10 for dsrs"
"""Significance label of a DSR with fewer than 10 events (as in PHEindicatormethods)."""
DSR_MINIMUM_EVENTS = 10
ISR_SCALE = 100.0
"""Ratio funnels with ratio_type "isr" are O/E x 100, fixed as in PHEindicatormethods."""
CONFIDENCE = (0.95, 0.998)


@dataclass(frozen=True)
class _Counts:
    """Validated inputs: counts and the denominator each statistic divides by."""

    x: FloatArray
    denominator: FloatArray
    """Population (proportion), expected count (ratio) or derived population (rate; NaN
    for a DSR row with no events)."""
    rates: FloatArray | None = None


def _check_options(
    statistic: object,
    rate: Hashable | None,
    rate_type: object,
    ratio_type: object,
    *,
    ratio_type_used: bool,
) -> None:
    """Check the statistic and the arguments that go with it."""
    check_option(statistic, "statistic", STATISTICS)
    if statistic == "rate":
        if rate is None:
            raise fail("rate", "must name the column of rates when statistic is 'rate'", None)
        if rate_type is None:
            raise fail("rate_type", "must be 'dsr' or 'crude' when statistic is 'rate'", None)
        check_option(rate_type, "rate_type", RATE_TYPES)
    else:
        for name, given in (("rate", rate), ("rate_type", rate_type)):
            if given is not None:
                raise fail(name, "is only used when statistic is 'rate'", repr(given))
    if statistic == "ratio" and ratio_type_used:
        if ratio_type is None:
            raise fail("ratio_type", "must be 'count' or 'isr' when statistic is 'ratio'", None)
        check_option(ratio_type, "ratio_type", RATIO_TYPES)
    elif ratio_type is not None:
        raise fail("ratio_type", "is only used for the limits of ratio funnels", repr(ratio_type))


def _scale(multiplier: object, statistic: str, *, limits: bool) -> float:
    """The multiplier, which PHEindicatormethods requires (it has no default) where it is used."""
    if statistic == "rate":
        if multiplier is None:
            raise fail(
                "multiplier",
                "must be given for rate funnels: the rates are per this many, e.g. 100000",
                None,
            )
        return check_multiplier(multiplier)
    if statistic == "proportion":
        if multiplier is None:
            if limits:
                raise fail(
                    "multiplier",
                    "must be given for proportion funnels, e.g. 100 for percentages",
                    None,
                )
            return 1.0
        return check_multiplier(multiplier)
    if multiplier is None:
        return ISR_SCALE
    scale = check_multiplier(multiplier)
    if limits and scale != ISR_SCALE:
        raise fail(
            "multiplier",
            "ratio funnel limits are O/E - 1 (count) or O/E x 100 (isr); leave it out or give 100",
            repr(multiplier),
        )
    return scale


def _counts(
    frame: pd.DataFrame,
    numerator: Hashable,
    denominator: Hashable | None,
    *,
    statistic: str,
    rate: Hashable | None,
    rate_type: object,
    scale: float,
) -> _Counts:
    """Validate the columns and work out the denominator of every row."""
    index = frame.index
    xs = numeric_column(frame, numerator, "numerator")
    require_present(
        xs,
        index,
        argument="numerator",
        column=numerator,
        rule="must be given for every row, even when it is zero",
    )
    require(
        xs >= 0,
        xs,
        index,
        argument="numerator",
        column=numerator,
        rule="must be >= 0 (counts cannot be negative)",
    )
    if statistic != "rate":
        what = "populations" if statistic == "proportion" else "expected counts"
        if denominator is None:
            raise fail("denominator", f"must name the column of {what} for {statistic}s", None)
        ns = numeric_column(frame, denominator, "denominator")
        require_present(
            ns,
            index,
            argument="denominator",
            column=denominator,
            rule="must be given for every row",
        )
        require(
            ns > 0,
            ns,
            index,
            argument="denominator",
            column=denominator,
            rule="must be > 0 (a denominator cannot be zero or negative)",
        )
        if statistic == "proportion":
            require(
                xs <= ns,
                xs,
                index,
                argument="numerator",
                column=numerator,
                rule=f"must not exceed denominator (column {denominator!r}) for proportions",
            )
        return _Counts(xs, ns)
    assert rate is not None
    rates = numeric_column(frame, rate, "rate")
    require(
        rates >= 0,
        rates,
        index,
        argument="rate",
        column=rate,
        rule="must be >= 0 (rates cannot be negative)",
    )
    counted = xs > 0
    require_present(
        np.where(counted, rates, 0.0),
        index,
        argument="rate",
        column=rate,
        rule="must be given where the numerator is above zero",
    )
    require(
        ~counted | (rates > 0),
        rates,
        index,
        argument="rate",
        column=rate,
        rule="must be > 0 where the numerator is above zero",
    )
    given = None
    if denominator is not None:
        given = numeric_column(frame, denominator, "denominator")
        require(
            given > 0,
            given,
            index,
            argument="denominator",
            column=denominator,
            rule="must be > 0 (a denominator cannot be zero or negative)",
        )
    zero = xs == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = scale * xs / rates
    if rate_type == "dsr":
        derived[zero] = np.nan
    elif zero.any():
        if given is None:
            raise fail(
                "denominator",
                "must name the column of populations for crude rates when a numerator is 0 "
                "(the population cannot be derived from a zero rate)",
                None,
            )
        require_present(
            np.where(zero, given, 0.0),
            index,
            argument="denominator",
            column=denominator,
            rule="must be given where the numerator is 0 (crude rates)",
        )
        derived[zero] = given[zero]
    return _Counts(xs, derived, rates)


def _big_number(number: float) -> str:
    """A multiplier as R's format(big.mark = ","): 100000 as "100,000"."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,g}"


def funnel_limits(
    data: pd.DataFrame,
    numerator: Hashable,
    denominator: Hashable | None = None,
    *,
    statistic: str,
    rate: Hashable | None = None,
    rate_type: str | None = None,
    ratio_type: str | None = None,
    multiplier: float | None = None,
    years_of_data: float = 1,
) -> pd.DataFrame:
    """The 100-point table of 95% ("2s") and 99.8% ("3s") funnel plot control limits.

    The baseline is the overall average of all rows: sum(numerator) /
    sum(denominator). The x-axis runs from 0 (or, when the largest denominator
    is at most twice the smallest, 95% of the smallest rounded down) to 105% of
    the largest rounded up, in 100 geometrically spaced whole numbers. At each
    point:

    * ``statistic="proportion"``: Wilson score control limits around the average
      at that population (lower limits floored at 0, upper capped at the
      multiplier), times ``multiplier`` (required; 100 gives percentages).
    * ``statistic="ratio"`` (``denominator`` = expected counts): for O observed
      events, the expected counts E at which O is on the exact Poisson 95% or
      99.8% limit, and the ratio limit O / E, minus 1 for ``ratio_type="count"``
      or times 100 for ``ratio_type="isr"``.
    * ``statistic="rate"`` (``rate`` column and ``rate_type`` "dsr" or "crude";
      ``multiplier`` required, e.g. 100000): each row's population is derived as
      multiplier x numerator / rate (for a crude rate with 0 events, the
      ``denominator`` column; a DSR row with 0 events is left out of the
      average's denominator). For E events the population on the exact
      Poisson limit is lambda / average; limit = E / population x multiplier.

    Exact Poisson limits use the Fingertips bisection (23 halvings on
    v = lambda / (1 + O + lambda)), run on all points and levels at once.

    Rules: numerators >= 0 and given for every row; denominators > 0;
    proportions need numerator <= denominator; rates need a rate > 0 wherever
    the numerator is above 0. ``years_of_data`` (default 1) divides the rate
    populations to give ``*_population_1_year``. No overdispersion adjustment.

    Returns 100 rows. Proportion: ``Population``, ``lower_2s_limit``,
    ``upper_2s_limit``, ``lower_3s_limit``, ``upper_3s_limit``, ``baseline``.
    Ratio: ``Observed_events``, then for 2s and 3s ``lower_*_exp_events``,
    ``lower_*_limit``, ``upper_*_exp_events``, ``upper_*_limit``, and
    ``baseline`` (0 for count, 100 for isr). Rate: ``Events``, then
    ``lower_*_population_1_year``, ``lower_*_limit``,
    ``upper_*_population_1_year``, ``upper_*_limit``, and ``baseline``. All
    with ``confidence`` ("95%, 99.8%"), ``statistic`` ("proportion",
    "ratio (isr)", "rate (dsr per 100,000)" ...) and ``method`` ("Wilson" or
    "Poisson").
    """
    frame = check_frame(data)
    _check_options(statistic, rate, rate_type, ratio_type, ratio_type_used=True)
    scale = _scale(multiplier, statistic, limits=True)
    years = check_multiplier(years_of_data, "years_of_data")
    counts = _counts(
        frame,
        numerator,
        denominator,
        statistic=statistic,
        rate=rate,
        rate_type=rate_type,
        scale=scale,
    )
    usable = counts.denominator[~np.isnan(counts.denominator)]
    if usable.size == 0:
        raise fail(
            f"numerator (column {numerator!r})",
            "a DSR funnel needs at least one row with a numerator above zero",
            "none",
        )
    average = float(counts.x.sum() / usable.sum())
    smallest, largest = float(usable.min()), float(usable.max())
    if statistic == "proportion":
        out = _proportion_table(average, smallest, largest, scale)
        label, method = "proportion", "Wilson"
    elif statistic == "ratio":
        out = _ratio_table(smallest, largest, str(ratio_type))
        label, method = f"ratio ({ratio_type})", "Poisson"
    else:
        out = _rate_table(average, smallest, largest, scale, years)
        label, method = f"rate ({rate_type} per {_big_number(scale)})", "Poisson"
    return finish(out, levels=CONFIDENCE, statistic=label, method=method)


def _proportion_table(
    average: float, smallest: float, largest: float, scale: float
) -> pd.DataFrame:
    population = axis_points(*axis_range(smallest, largest))
    out = pd.DataFrame({"Population": population})
    for name, _, p in LEVELS:
        lower, upper = wilson_control_limits(average, population, p)
        out[f"lower_{name}_limit"] = np.maximum(lower * scale, 0.0)
        out[f"upper_{name}_limit"] = np.minimum(upper * scale, scale)
    out["baseline"] = average * scale
    return out


def _poisson_means(observed: FloatArray) -> dict[str, FloatArray]:
    """Expected counts on the lower and upper funnel of each level, all bisected at once.

    The lower funnel at O is where O is the upper exact limit (P(X <= O) = tail);
    the upper funnel is where P(X >= O) = tail.
    """
    names, tails, at_least = [], [], []
    for name, _, p in LEVELS:
        for side, upper_side in (("lower", False), ("upper", True)):
            names.append(f"{side}_{name}")
            tails.append(1 - p)
            at_least.append(upper_side)
    means = exact_poisson_means(
        observed[np.newaxis, :],
        np.asarray(tails)[:, np.newaxis],
        np.asarray(at_least)[:, np.newaxis],
    )
    return dict(zip(names, means, strict=True))


def _ratio_table(smallest: float, largest: float, ratio_type: str) -> pd.DataFrame:
    observed = axis_points(*axis_range(smallest, largest), ratio=True)
    out = pd.DataFrame({"Observed_events": observed})
    for name, expected in _poisson_means(observed).items():
        ratio = observed / expected
        out[f"{name}_exp_events"] = expected
        out[f"{name}_limit"] = ratio - 1 if ratio_type == "count" else ratio * ISR_SCALE
    out["baseline"] = 0.0 if ratio_type == "count" else ISR_SCALE
    return out


def _rate_table(
    average: float, smallest: float, largest: float, scale: float, years: float
) -> pd.DataFrame:
    minimum, maximum = axis_range(smallest, largest, years)
    events = axis_points(math.floor(minimum * average), math.ceil(maximum * average))
    out = pd.DataFrame({"Events": events})
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, mean in _poisson_means(events).items():
            population = mean / average
            out[f"{name}_population_1_year"] = population / years
            out[f"{name}_limit"] = events / population * scale
    out["baseline"] = average * scale
    return out


def funnel_significance(
    data: pd.DataFrame,
    numerator: Hashable,
    denominator: Hashable | None = None,
    *,
    statistic: str,
    rate: Hashable | None = None,
    rate_type: str | None = None,
    multiplier: float | None = None,
) -> pd.DataFrame:
    """Whether each row lies outside the 95% or 99.8% funnel around the overall average.

    * Proportion: x/n is compared with the Wilson control limits around
      sum(x) / sum(n) at population n: below the 99.8% lower limit is
      "Low (0.001)", else below the 95% lower limit "Low (0.025)", else above
      the 99.8% upper limit "High (0.001)", else above the 95% upper limit
      "High (0.025)", else "Not significant". ``multiplier`` is not used.
    * Ratio (``denominator`` = expected counts E): the limits of O (exact below
      10, Byars from 10) divided by E are compared with 1: "High" when 1 is
      below the lower limit, "Low" when above the upper limit, 99.8% first.
    * Rate: as for ratios, with the derived population (multiplier x
      numerator / rate; for a crude rate with 0 events, ``denominator``) in
      place of E and the overall rate sum(numerator) / sum(population) in
      place of 1. ``multiplier`` is required. A DSR with fewer than 10 events
      is "Not applicable for events less than 10 for dsrs".

    Rules as for :func:`funnel_limits`. Returns a copy of ``data`` with a
    categorical ``significance`` column.
    """
    frame = check_frame(data)
    _check_options(statistic, rate, rate_type, None, ratio_type_used=False)
    scale = _scale(multiplier, statistic, limits=False)
    counts = _counts(
        frame,
        numerator,
        denominator,
        statistic=statistic,
        rate=rate,
        rate_type=rate_type,
        scale=scale,
    )
    categories = list(HIGH_LOW)
    if statistic == "proportion":
        codes = proportion_significance(
            counts.x, counts.denominator, float(counts.x.sum() / counts.denominator.sum())
        )
    elif statistic == "ratio":
        codes = poisson_significance(counts.x, counts.denominator, 1.0)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            average = float(counts.x.sum() / np.nansum(counts.denominator))
        codes = poisson_significance(counts.x, counts.denominator, average)
        categories.append(NOT_APPLICABLE)
        if rate_type == "dsr":
            codes[counts.x < DSR_MINIMUM_EVENTS] = len(categories) - 1
    out = frame.copy()
    out["significance"] = pd.Categorical.from_codes(codes, categories=pd.Index(categories))
    return out


def funnel_points(
    data: pd.DataFrame,
    numerator: Hashable,
    rate: Hashable,
    *,
    rate_type: str,
    denominator: Hashable | None = None,
    years_of_data: float = 1,
    multiplier: float = 100_000,
) -> pd.DataFrame:
    """The points to plot on a rate funnel: the chart rate and the yearly population.

    ``denominator_derived`` = multiplier x numerator / rate / years_of_data
    (for a crude rate with 0 events: ``denominator`` / years_of_data) is the
    x-axis position of each row on a funnel from :func:`funnel_limits`, and
    ``<rate>_chart`` its y value. For a DSR with fewer than 10 events both are
    NA, since a DSR on so few events is not published. Rules as for
    :func:`funnel_limits`.

    Returns a copy of ``data`` with ``<rate>_chart`` and ``denominator_derived``.
    """
    frame = check_frame(data)
    if rate_type is None:
        raise fail("rate_type", "must be 'dsr' or 'crude'", None)
    check_option(rate_type, "rate_type", RATE_TYPES)
    scale = check_multiplier(multiplier)
    years = check_multiplier(years_of_data, "years_of_data")
    counts = _counts(
        frame, numerator, denominator, statistic="rate", rate=rate, rate_type=rate_type, scale=scale
    )
    assert counts.rates is not None
    chart = counts.rates.copy()
    derived = counts.denominator / years
    if rate_type == "dsr":
        few = counts.x < DSR_MINIMUM_EVENTS
        chart[few] = np.nan
        derived[few] = np.nan
    out = frame.copy()
    out[f"{rate}_chart"] = chart
    out["denominator_derived"] = derived
    return out
