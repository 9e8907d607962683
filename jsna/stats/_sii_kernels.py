"""Array kernels for the slope and relative index of inequality (Low & Low 2004).

Every group (area) is one row of a (groups x k) matrix whose columns are the k
quantiles in order, 1 (most deprived) to k. The weighted least squares fit of
PHEindicatormethods ``phe_sii`` (README section 4.11),

    sqrt(a) * y = b0 * sqrt(a) + b1 * b * sqrt(a),

with a the population shares and b the relative-rank midpoints, minimises
sum a (y - b0 - b1 b)^2. Its coefficients are fixed linear combinations of y,
b1 = sum c y and b0 = sum d y, so one pair of weight rows per group gives the
fit of the observed values and of every simulated draw (a matrix product per
chunk of draws, no least-squares solve per draw).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from ._validate import FloatArray

__all__ = [
    "CHUNK_ELEMENTS",
    "WORKERS",
    "Fit",
    "Scale",
    "back_transform",
    "fit_weights",
    "order_indices",
    "simulate_order_statistics",
    "to_scale",
]

Scale = Literal["identity", "log", "logit"]
"""The scale a value is simulated on: normal values as they are, rates on the
log scale and proportions on the logit scale."""

CHUNK_ELEMENTS = 2_000_000
"""Normal draws held in memory at once per thread (16 MB of float64): groups
are simulated in chunks of this many draws, and a group needing more has its
repetitions split into slices. The chunks depend only on the input sizes, not
on the machine, so a seed gives the same limits everywhere."""
WORKERS = 4
"""Threads simulating chunks at once (at most the number of CPUs); NumPy
releases the GIL while drawing and summing."""


def to_scale(values: FloatArray, scale: Scale) -> FloatArray:
    """Values on the simulation scale: unchanged, log, or logit (0 and 1 give -inf and inf)."""
    if scale == "identity":
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        if scale == "log":
            return np.asarray(np.log(values), dtype=np.float64)
        return np.asarray(special.logit(values), dtype=np.float64)


def back_transform(values: FloatArray, scale: Scale) -> FloatArray:
    """Inverse of :func:`to_scale`: unchanged, exp, or expit."""
    if scale == "identity":
        return values
    if scale == "log":
        with np.errstate(over="ignore"):
            return np.asarray(np.exp(values), dtype=np.float64)
    return np.asarray(special.expit(values), dtype=np.float64)


@dataclass(frozen=True)
class Fit:
    """Weights turning the k values of each group into its regression coefficients."""

    slope: FloatArray
    """c: b1 = sum(c * y) along each row (groups x k)."""
    intercept: FloatArray
    """d: b0 = sum(d * y) along each row (groups x k)."""


def fit_weights(population: FloatArray) -> Fit:
    """Weights of the population-weighted fit of y on the relative rank b, per row.

    a = population share, b = cumulative share before the quantile + a / 2,
    bbar = sum(a b), Sbb = sum(a (b - bbar)^2); then c = a (b - bbar) / Sbb and
    d = a - bbar c, so b1 = sum(c y) and b0 = sum(d y) = ybar - b1 bbar.
    """
    share = population / population.sum(axis=1, keepdims=True)
    rank = np.cumsum(share, axis=1) - share / 2
    mean_rank = (share * rank).sum(axis=1, keepdims=True)
    deviation = rank - mean_rank
    spread = (share * deviation**2).sum(axis=1, keepdims=True)
    slope = share * deviation / spread
    return Fit(slope=slope, intercept=share - mean_rank * slope)


def order_indices(repetitions: int, level: float) -> tuple[int, int]:
    """0-based positions of the lower and upper limit among the sorted simulated values.

    With c' = c + (1 - c) / 2 the limits are the round(R (1 - c'))-th and
    round(R c')-th smallest of R values (1-based, rounding half to even as R
    does), kept within 1..R.
    """
    tail = level + (1 - level) / 2
    lower = min(max(round(repetitions * (1 - tail)), 1), repetitions)
    upper = min(max(round(repetitions * tail), 1), repetitions)
    return lower - 1, upper - 1


def _chunks(groups: int, repetitions: int, width: int) -> list[tuple[slice, int]]:
    """(group slice, repetitions per draw) of each chunk of ``width`` normals per repetition."""
    per_group = repetitions * width
    if per_group <= CHUNK_ELEMENTS:
        size = CHUNK_ELEMENTS // per_group
        return [
            (slice(start, min(start + size, groups)), repetitions)
            for start in range(0, groups, size)
        ]
    step = max(CHUNK_ELEMENTS // width, 1)
    return [(slice(start, start + 1), step) for start in range(groups)]


def simulate_order_statistics(
    mean: FloatArray,
    sd: FloatArray,
    fit: Fit,
    *,
    scale: Scale,
    back: bool,
    repetitions: int,
    indices: npt.NDArray[np.intp],
    ratio: bool,
    seed: np.random.SeedSequence,
) -> tuple[FloatArray, FloatArray | None]:
    """Order statistics of the simulated slopes (and ratios) of every group.

    Each repetition draws y ~ N(mean, sd) independently for every quantile on
    the simulation scale, back-transforms the draws when ``back`` (exp for the
    log scale, expit for logit), and fits the line: slope = sum(c y),
    intercept = sum(d y), ratio = (intercept + slope) / intercept. Returns the
    ``indices``-th smallest slopes (groups x len(indices)) and, when ``ratio``,
    the same order statistics of the ratios.

    When nothing is back-transformed the fit is linear in the normal draws, so
    (slope, intercept) is exactly bivariate normal with mean (sum(c mean),
    sum(d mean)) and covariance from the weights: it is drawn directly (one or
    two normals per repetition instead of k), the same distribution at a
    fraction of the cost. Draws are made in chunks of at most
    :data:`CHUNK_ELEMENTS` numbers, each with its own generator (numpy SFC64)
    spawned from ``seed``, and chunks run on up to :data:`WORKERS` threads; the
    result depends only on the seed and the input.
    """
    groups, k = mean.shape
    linear = not back or scale == "identity"
    width = (2 if ratio else 1) if linear else k
    slopes_out = np.empty((groups, len(indices)), dtype=np.float64)
    ratios_out = np.empty((groups, len(indices)), dtype=np.float64) if ratio else None
    plan = _chunks(groups, repetitions, width)
    children = seed.spawn(len(plan))
    workers = min(WORKERS, os.cpu_count() or 1, len(plan))
    need = max(
        ((rows.stop - rows.start) * min(step, repetitions) * width for rows, step in plan),
        default=0,
    )
    buffers: SimpleQueue[FloatArray] = SimpleQueue()
    for _ in range(max(workers, 1)):
        buffers.put(np.empty(need, dtype=np.float64))  # each worker reuses one buffer

    def run(chunk: int) -> None:
        rows, step = plan[chunk]
        generator = np.random.Generator(np.random.SFC64(children[chunk]))
        buffer = buffers.get()
        if linear:
            draw = _linear_draws(mean[rows], sd[rows], fit.slope[rows], fit.intercept[rows], ratio)
        else:
            draw = _back_transformed_draws(
                mean[rows], sd[rows], fit.slope[rows], fit.intercept[rows], scale, ratio
            )
        count = rows.stop - rows.start
        slopes = np.empty((count, repetitions), dtype=np.float64)
        icepts = np.empty((count, repetitions), dtype=np.float64) if ratio else None
        for start in range(0, repetitions, step):
            stop = min(start + step, repetitions)
            draw(
                generator,
                buffer,
                slopes[:, start:stop],
                None if icepts is None else icepts[:, start:stop],
            )
        buffers.put(buffer)
        if ratios_out is not None and icepts is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                icepts += slopes
                icepts /= icepts - slopes
            icepts.partition(indices, axis=1)
            ratios_out[rows] = icepts[:, indices]
        slopes.partition(indices, axis=1)
        slopes_out[rows] = slopes[:, indices]

    if workers <= 1:
        for chunk in range(len(plan)):
            run(chunk)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(len(plan))))
    return slopes_out, ratios_out


Draw = Callable[[np.random.Generator, FloatArray, FloatArray, FloatArray | None], None]
"""Fills slopes (and intercepts) of a chunk of groups (groups x n) from a scratch buffer."""


def _linear_draws(
    mean: FloatArray, sd: FloatArray, c: FloatArray, d: FloatArray, ratio: bool
) -> Draw:
    """(slope, intercept) drawn as the bivariate normal that sum(c y), sum(d y) follow."""
    slope_centre = (c * mean).sum(axis=1)[:, None]
    icept_centre = (d * mean).sum(axis=1)[:, None]
    slope_sd = np.sqrt(((c * sd) ** 2).sum(axis=1))
    icept_var = ((d * sd) ** 2).sum(axis=1)
    covariance = (c * d * sd**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shared = np.where(slope_sd > 0, covariance / slope_sd, 0.0)[:, None]
    own = np.sqrt(np.maximum(icept_var - shared[:, 0] ** 2, 0.0))[:, None]
    slope_sd = slope_sd[:, None]

    def draw(
        generator: np.random.Generator,
        buffer: FloatArray,
        slopes: FloatArray,
        icepts: FloatArray | None,
    ) -> None:
        first = buffer[: slopes.size].reshape(slopes.shape)
        generator.standard_normal(out=first)
        np.multiply(first, slope_sd, out=slopes)
        slopes += slope_centre
        if icepts is not None:
            np.multiply(first, shared, out=icepts)
            second = first  # the first draws are used: refill the same memory
            generator.standard_normal(out=second)
            second *= own
            icepts += second
            icepts += icept_centre

    return draw


def _back_transformed_draws(
    mean: FloatArray, sd: FloatArray, c: FloatArray, d: FloatArray, scale: Scale, ratio: bool
) -> Draw:
    """Every quantile drawn on the log or logit scale, back-transformed, then fitted."""
    k = mean.shape[1]
    spread, negative_spread, centre = sd[:, None, :], -sd[:, None, :], mean[:, None, :]
    if scale == "log":
        with np.errstate(over="ignore"):
            level = np.exp(mean)
        slope_weights, icept_weights = c * level, d * level
    else:
        slope_weights, icept_weights = c, d

    def draw(
        generator: np.random.Generator,
        buffer: FloatArray,
        slopes: FloatArray,
        icepts: FloatArray | None,
    ) -> None:
        draws = buffer[: slopes.size * k].reshape((*slopes.shape, k))
        generator.standard_normal(out=draws)
        with np.errstate(over="ignore"):
            if scale == "log":
                # exp(m + s z) = exp(m) exp(s z): exp(m) goes into the weights.
                draws *= spread
                np.exp(draws, out=draws)
            else:
                # expit(m + s z) = 1 / (1 + exp(-m - s z)), in place.
                draws *= negative_spread
                draws -= centre
                np.exp(draws, out=draws)
                draws += 1
                np.reciprocal(draws, out=draws)
        np.einsum("grk,gk->gr", draws, slope_weights, out=slopes)
        if icepts is not None:
            np.einsum("grk,gk->gr", draws, icept_weights, out=icepts)

    return draw
