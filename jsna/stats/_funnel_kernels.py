"""Array kernels for funnel plots: the x-axis, the control limits and the significance tests.

Formulas: ``shared/reference/phe_methods/README.md`` section 4.12, as in the
PHE/OHID Fingertips technical guidance and PHEindicatormethods 2.1.0
(``calculate_funnel_limits``, ``assign_funnel_significance``). Implemented from
the README formulas; the GPL R source was read only to pin down behaviour the
README leaves open (axis rounding, the bisection's stopping rule), not copied.

The two control-limit levels are named as in PHEindicatormethods: ``2s`` is the
95% funnel (one-sided tail 0.025) and ``3s`` the 99.8% funnel (tail 0.001).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import special

from ._ci import poisson_limits
from ._validate import FloatArray

__all__ = [
    "BISECTION_STEPS",
    "HIGH_LOW",
    "LEVELS",
    "POINTS",
    "axis_points",
    "axis_range",
    "exact_poisson_means",
    "poisson_significance",
    "proportion_significance",
    "signif_ceiling",
    "signif_floor",
    "wilson_control_limits",
]

POINTS = 100
"""Number of points on the x-axis of every funnel table."""

LEVELS: tuple[tuple[str, float, float], ...] = (("2s", 0.95, 0.975), ("3s", 0.998, 0.999))
"""(column infix, two-sided confidence, one-sided probability) of the two funnels."""

HIGH_LOW = ("High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant")
"""Significance labels in the order PHEindicatormethods lists them."""


def _halvings(start: float = 0.5, tolerance: float = 1e-7) -> int:
    """Steps of the Fingertips bisection: halve a step of 0.5 while it is above 1e-7."""
    steps, step = 0, start
    while step > tolerance:
        step /= 2
        steps += 1
    return steps


BISECTION_STEPS = _halvings()
"""23: the bisection stops at a step of 0.5 / 2**23 (about 6e-8) on v in (0, 1)."""


# --- x-axis -------------------------------------------------------------------------------


def _r_nchar(whole: float) -> int:
    """Characters R uses to print a whole number >= 0 (``nchar(as.character(x))``).

    R prints a number in fixed notation unless scientific notation is shorter, so
    100000 is "1e+05" (5 characters) but 123456 is "123456". The axis rounding
    counts these characters, so the quirk changes the axis for round numbers.
    """
    digits = str(int(whole))
    mantissa = len(digits.rstrip("0") or "0")
    exponent = len(digits) - 1
    scientific = mantissa + (1 if mantissa > 1 else 0) + 2 + max(2, len(str(exponent)))
    return len(digits) if len(digits) <= scientific else scientific


def signif_floor(value: float) -> float:
    """95% of ``value`` rounded down to its leading digit (axis minimum), 0 stays 0."""
    if value == 0:
        return 0.0
    places = _r_nchar(math.floor(value * 0.95)) - 1
    unit = 10.0**places
    return math.floor(value * 0.95 / unit) * unit


def signif_ceiling(value: float) -> float:
    """105% of ``value`` rounded up to its two leading digits (axis maximum), 0 stays 0."""
    if value == 0:
        return 0.0
    places = _r_nchar(math.ceil(value * 1.05)) - 2
    unit = 10.0**places
    return math.ceil(value * 1.05 / unit) * unit


def axis_range(smallest: float, largest: float, years: float = 1.0) -> tuple[float, float]:
    """Axis minimum and maximum for denominators between ``smallest`` and ``largest``.

    The minimum is 0 when the largest denominator is more than twice the
    smallest, otherwise 95% of the smallest rounded down; the maximum is 105% of
    the largest rounded up. ``years`` > 1 (rates) rounds the per-year values.
    """
    minimum = 0.0 if largest > 2 * smallest else signif_floor(smallest / years) * years
    return minimum, signif_ceiling(largest / years) * years


def axis_points(minimum: float, maximum: float, *, ratio: bool = False) -> FloatArray:
    """The 100 x-axis points from ``minimum`` to ``maximum``, spaced geometrically.

    x1 = max(1, minimum); x_j = max(round((maximum / x_{j-1})^(1 / (101 - k)) * x_{j-1}),
    x_{j-1} + 1) with k = j (k = j - 1 for ratios), rounding half to even as R
    does. Each point depends on the one before, so this is a loop over the 99
    fixed points (not over data rows).
    """
    points = np.empty(POINTS, dtype=np.float64)
    points[0] = max(1.0, minimum)
    for j in range(2, POINTS + 1):
        previous = float(points[j - 2])
        offset = j - 1 if ratio else j
        step = (maximum / previous) ** (1 / (101 - offset)) * previous
        points[j - 1] = max(float(np.round(step)), previous + 1)
    return points


# --- control limits -----------------------------------------------------------------------


def wilson_control_limits(
    average: float, population: FloatArray, p: float
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper control limits (fractions) around ``average`` at each population.

    PHEindicatormethods and Fingertips invert the Wilson score interval: the
    limits are the proportions whose one-sided Wilson limit at probability
    ``p`` (0.975 or 0.999) just reaches the average a. Their formula

        A = a(N/z^2 + 1);  B = sqrt(64 a^2 (N/z^2 + 1)^2 - 64 (1/z^2 + 1/N) a (N(a(N/z^2 + 2) - 1)
        + z^2 (a - 1)));  limits = (A -/+ B/8) / (1/z^2 + 1/N) / N

    with N the population and z = Phi^-1(p) simplifies exactly (B/8 = (N/z^2 + 1)
    sqrt(a(1 - a) z^2 / N)) to a -/+ z sqrt(a(1 - a) / N), which is what is
    computed here: the same numbers to rounding, without the cancellation that
    makes the long form lose digits (or give NaN) when a is near 1.
    """
    z = float(special.ndtri(p))
    half_width = z * np.sqrt(average * (1 - average) / population)
    return np.asarray(average - half_width), np.asarray(average + half_width)


TRUNCATION = 1e-10
"""Fingertips stops summing Poisson terms once past the mean and below this share of the total."""


def _truncation_point(mean: FloatArray) -> FloatArray:
    """Where the Fingertips Poisson sum stops: the first k > mean with pmf(k) <= 1e-10 F(k - 1).

    Past the mean pmf(k) / F(k - 1) falls as k grows, so an integer bisection
    finds that k for whole arrays at once.
    """
    low = np.floor(mean) + 1
    high = low + np.ceil(15 * np.sqrt(mean) + 60)

    def stops(k: FloatArray) -> npt.NDArray[np.bool_]:
        with np.errstate(divide="ignore"):
            log_pmf = k * np.log(mean) - mean - special.gammaln(k + 1)
            log_cdf = np.log(special.gammaincc(k, mean))
        return np.asarray(log_pmf <= np.log(TRUNCATION) + log_cdf)

    # Invariant: the sum does not stop before ``low`` and does stop by ``high``.
    while True:
        open_ = high - low > 0
        if not open_.any():
            return np.asarray(low, dtype=np.float64)
        middle = np.floor((low + high) / 2)
        done = stops(middle)
        high = np.where(open_ & done, middle, high)
        low = np.where(open_ & ~done, middle + 1, low)


def exact_poisson_means(
    observed: FloatArray, tail: FloatArray, at_least: npt.NDArray[np.bool_]
) -> FloatArray:
    """Poisson means found by the Fingertips bisection, for whole arrays at once.

    For each element: the mean lambda at which P(X >= observed) = tail (where
    ``at_least``) or P(X <= observed) = tail (elsewhere); with tail 0.025 these
    are the lower and upper exact 95% limits of the count. As in Fingertips and
    PHEindicatormethods, lambda = (1 + O) v / (1 - v) and v is bisected from 0.5
    with steps 0.25, 0.125, ... for :data:`BISECTION_STEPS` steps, so the result
    carries the same bisection error as theirs (a relative 1e-7 or so).

    The Poisson probabilities are those Fingertips computes: the terms are
    summed from k = 0 until past lambda and below 1e-10 of the running total
    (k = K), and the mass on [a, b] is divided by that total F(K - 1).
    Written with regularised incomplete gamma functions P and Q:
    P(X >= O) = (P(O, lambda) - P(K, lambda)) / Q(K, lambda) and
    P(X <= O) = Q(O + 1, lambda) / Q(K, lambda). The truncation moves a
    probability by about 1e-10, which decides the last halving at a few points
    in a thousand (at 1 of the 400 in the reference ratio funnel), so it is
    only worked out where the probability is that close to the tail.
    Arguments broadcast together.
    """
    observed, tail, at_least = np.broadcast_arrays(observed, tail, at_least)
    v = np.full(observed.shape, 0.5)
    step = 0.5
    upper_shape = observed + 1
    for _ in range(BISECTION_STEPS):
        step /= 2
        mean = upper_shape * v / (1 - v)
        # P(X >= O) = P(O, lambda), which is 1 when O = 0; P(X <= O) = Q(O + 1, lambda).
        probability = np.ones_like(mean)
        upper = at_least & (observed > 0)
        probability[upper] = special.gammainc(observed[upper], mean[upper])
        probability[~at_least] = special.gammaincc(upper_shape[~at_least], mean[~at_least])
        # The truncation moves a probability by less than 1e-10 (1 + sqrt(lambda)), so it can
        # only change the decision close to the tail; it is worked out only there.
        near = np.abs(probability - tail) < 1e-9 * (1 + np.sqrt(mean))
        near |= mean > 1e12
        if near.any():
            close = mean[near]
            stop = _truncation_point(close)
            beyond = np.where(at_least[near], special.gammainc(stop, close), 0.0)
            probability[near] = (probability[near] - beyond) / special.gammaincc(stop, close)
        too_high = np.where(at_least, probability > tail, probability < tail)
        v = np.where(too_high, v - step, v + step)
    return np.asarray(upper_shape * v / (1 - v), dtype=np.float64)


# --- significance -------------------------------------------------------------------------


def _codes(tests: list[tuple[npt.NDArray[np.bool_], int]], size: int) -> npt.NDArray[np.int8]:
    """Label codes: the first test that holds wins; none holding gives "Not significant"."""
    codes = np.full(size, HIGH_LOW.index("Not significant"), dtype=np.int8)
    for holds, code in reversed(tests):
        codes[holds] = code
    return codes


def proportion_significance(x: FloatArray, n: FloatArray, average: float) -> npt.NDArray[np.int8]:
    """Code (index into :data:`HIGH_LOW`) of each x/n against the funnel around ``average``.

    Tested in this order: below the 99.8% lower limit, below the 95% lower
    limit, above the 99.8% upper limit, above the 95% upper limit.
    """
    value = x / n
    lower_2s, upper_2s = wilson_control_limits(average, n, 0.975)
    lower_3s, upper_3s = wilson_control_limits(average, n, 0.999)
    tests = [
        (value < lower_3s, HIGH_LOW.index("Low (0.001)")),
        (value < lower_2s, HIGH_LOW.index("Low (0.025)")),
        (value > upper_3s, HIGH_LOW.index("High (0.001)")),
        (value > upper_2s, HIGH_LOW.index("High (0.025)")),
    ]
    return _codes(tests, len(x))


def poisson_significance(
    x: FloatArray, denominator: FloatArray, target: float
) -> npt.NDArray[np.int8]:
    """Code (index into :data:`HIGH_LOW`) of each count against ``target``.

    The limits of the count (exact below 10, Byars from 10) divided by the
    denominator: "High" when ``target`` is below the lower limit, "Low" when
    above the upper limit, tested at 99.8% then 95%. For ratios the
    denominator is the expected count and the target 1; for rates the
    denominator is the derived population and the target the overall rate. A
    NaN denominator gives "Not significant".
    """
    limits = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, level, _ in LEVELS:
            lower, upper = poisson_limits(x, level)
            limits[name] = (lower / denominator, upper / denominator)
    tests = [
        (target < limits["3s"][0], HIGH_LOW.index("High (0.001)")),
        (target < limits["2s"][0], HIGH_LOW.index("High (0.025)")),
        (target > limits["3s"][1], HIGH_LOW.index("Low (0.001)")),
        (target > limits["2s"][1], HIGH_LOW.index("Low (0.025)")),
    ]
    return _codes(tests, len(x))
