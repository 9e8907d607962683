"""Array kernels for confidence limits.

Each kernel works on whole NumPy arrays at one confidence level and returns
NaN where an input is NaN. Formulas: ``shared/reference/phe_methods/README.md``
sections 4.1 to 4.3 (Byars, exact chi-square, Wilson score), as in the
PHE/OHID technical guide "Confidence intervals" (2018) and PHEindicatormethods.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from ._validate import FloatArray

__all__ = [
    "byars_lower",
    "byars_upper",
    "exact_lower",
    "exact_upper",
    "poisson_limits",
    "wilson_limits",
    "z_value",
]

EXACT_BELOW = 10
"""Counts below this use exact (chi-square) limits; from this count up, Byars."""


def z_value(level: float) -> float:
    """Two-sided standard normal quantile: 1.959964 at 95%, 3.090232 at 99.8%."""
    return float(special.ndtri(level + (1 - level) / 2))


def wilson_limits(x: FloatArray, n: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits for the proportion x/n (fractions, not multiplied)."""
    if level >= 1:
        nan = np.isnan(x) | np.isnan(n)
        return np.where(nan, np.nan, 0.0), np.where(nan, np.nan, 1.0)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = 2 * x + z * z
        spread = z * np.sqrt(z * z + 4 * x * (1 - x / n))
        denominator = 2 * (n + z * z)
        lower = (centre - spread) / denominator
        upper = (centre + spread) / denominator
    lower = np.where(x == 0, 0.0, lower)
    return lower, upper


def byars_lower(x: FloatArray, level: float) -> FloatArray:
    """Byars' approximation to the lower Poisson limit of a count (NaN if negative or x=0)."""
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    return np.where((x > 0) & (lower >= 0), lower, np.nan)


def byars_upper(x: FloatArray, level: float) -> FloatArray:
    """Byars' approximation to the upper Poisson limit of a count."""
    z = z_value(level)
    x1 = x + 1
    return np.asarray(x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3, dtype=np.float64)


def exact_lower(x: FloatArray, level: float) -> FloatArray:
    """Exact lower Poisson limit, qchisq((1-c)/2, 2x)/2; exactly 0 when x = 0."""
    tail = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        lower = special.gammaincinv(x, tail) if tail > 0 else np.zeros_like(x)
    return np.where(x == 0, 0.0, lower)


def exact_upper(x: FloatArray, level: float) -> FloatArray:
    """Exact upper Poisson limit, qchisq(c + (1-c)/2, 2x + 2)/2."""
    p = level + (1 - level) / 2
    if p >= 1:
        return np.where(np.isnan(x), np.nan, np.inf)
    return np.asarray(special.gammaincinv(x + 1, p), dtype=np.float64)


def poisson_limits(x: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Limits of a count: exact below :data:`EXACT_BELOW`, Byars from there up.

    Each formula is evaluated only on the rows that use it.
    """
    lower = np.full_like(x, np.nan)
    upper = np.full_like(x, np.nan)
    small = x < EXACT_BELOW
    large = x >= EXACT_BELOW
    lower[small] = exact_lower(x[small], level)
    upper[small] = exact_upper(x[small], level)
    lower[large] = byars_lower(x[large], level)
    upper[large] = byars_upper(x[large], level)
    return lower, upper


def poisson_method(x: FloatArray) -> npt.NDArray[np.object_]:
    """The method label per count: "Exact", "Byars" or None where x is NaN."""
    labels = np.where(x < EXACT_BELOW, "Exact", "Byars").astype(object)
    labels[np.isnan(x)] = None
    return labels
