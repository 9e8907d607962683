"""Slope and relative index of inequality across quantiles (Low & Low 2004).

Formulas and rules: ``shared/reference/phe_methods/README.md`` section 4.11, as
in PHEindicatormethods ``phe_sii`` and the PHE/OHID SII tool. Every group's k
quantiles become one row of a (groups x k) matrix, so the regression is a pair
of weighted sums per row and the simulation draws all groups' repetitions as
arrays (``_sii_kernels``): there is no Python loop over groups.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._ci import z_value
from ._frame import Groups, finish, format_number, limit_names, make_groups
from ._sii_kernels import (
    Scale,
    back_transform,
    fit_weights,
    order_indices,
    simulate_order_statistics,
    to_scale,
)
from ._validate import (
    FloatArray,
    check_columns,
    check_frame,
    check_option,
    confidence_levels,
    fail,
    numeric_column,
    require,
    require_present,
    row_label,
)

__all__ = ["sii"]

MIN_QUANTILES = 5
MAX_QUANTILES = 100
MIN_REPETITIONS = 1000
INPUT_LEVEL = 0.95
"""Limits given in ``lower_cl`` / ``upper_cl`` are taken to be 95% limits."""

_SCALES: dict[int, Scale] = {0: "identity", 1: "log", 2: "logit"}
_KINDS = {0: "normal value", 1: "rate", 2: "proportion"}
_SCALE_NAMES = {1: "log", 2: "logit"}


def sii(
    data: pd.DataFrame,
    quantile: Hashable,
    population: Hashable,
    value: Hashable | None = None,
    *,
    group_by: Hashable | Sequence[Hashable] | None = None,
    x: Hashable | None = None,
    se: Hashable | None = None,
    lower_cl: Hashable | None = None,
    upper_cl: Hashable | None = None,
    value_type: int = 0,
    transform: bool = False,
    multiplier: float = 1,
    repetitions: int = 100_000,
    confidence: float | Sequence[float] = 0.95,
    rii: bool = False,
    intercept: bool = False,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Slope index of inequality (and optionally the relative index) per group.

    Each group (area; all rows when ungrouped) has one row per quantile, 1 the
    most deprived to k. With a = the quantile's share of the group population
    and b = the cumulative share before it plus a / 2 (its relative rank), the
    weighted least squares fit sqrt(a) y = b0 sqrt(a) + b1 b sqrt(a) gives
    SII = b1 * multiplier, RII = (b0 + b1) / b0 and intercept = b0.
    ``value_type`` is 0 for a normally distributed value, 1 for a rate (log
    scale), 2 for a proportion (logit scale); a proportion can be given as a
    count ``x`` instead of ``value`` (value = x / population). The standard
    error is ``se`` (on that scale) or (T(upper_cl) - T(lower_cl)) / (2 *
    1.959964), the given limits being 95% limits. Limits come from
    ``repetitions`` draws of every quantile's value from N(T(value), se),
    back-transformed, refitted: the round(R(1 - c'))-th and round(R c')-th
    smallest slopes (c' = c + (1 - c) / 2). With ``transform=True`` (rates and
    proportions given with limits) the fit is on the log or logit scale f^-1:
    SII = f(b0 + b1) - f(b0) times the multiplier, RII = f(b0 + b1) / f(b0),
    intercept = f(b0) * |multiplier|, and a simulated slope s becomes the
    limit f(h + s / 2) - f(h - s / 2) around h = b0 + b1 / 2. A negative
    multiplier flips the polarity: the limits swap and the RII is inverted.

    Rules: every group must use the same 5 to 100 quantiles (the distinct
    ``quantile`` values in ``data``), each once; population > 0 and present;
    se >= 0; a proportion's value and limits in [0, 1]; a rate's value and
    limits >= 0; upper_cl >= lower_cl; a count x > 0 and <= population;
    repetitions >= 1000; value_type 0, 1 or 2; transform only for value_type 1
    or 2 with limits, not se. A group with a row without a quantile, a missing
    quantile, value, se or limit, or a value or limit that is infinite on the
    log or logit scale is not computed: its row is NA and ``note`` says why
    (nothing is warned). ``confidence`` takes any levels in [0.9, 1] (or 90 to
    100). ``seed`` (an int or a numpy Generator) makes the limits reproducible.

    Returns one row per group: the group columns, ``sii``, ``sii_lower_95``,
    ``sii_upper_95`` (one pair per level), then with ``rii`` ``rii`` and its
    limits, with ``intercept`` ``intercept``; ``confidence``, ``statistic``,
    ``method`` and ``note`` (why a group is NA; NA otherwise).
    """
    levels = confidence_levels(confidence, any_levels=True)
    _check_value_type(value_type)
    transform = _check_flag(transform, "transform")
    want_rii = _check_flag(rii, "rii")
    want_intercept = _check_flag(intercept, "intercept")
    scale_factor = _check_sii_multiplier(multiplier)
    reps = _check_repetitions(repetitions)
    root = _seed_sequence(seed)
    frame = check_frame(data)
    check_columns(
        frame,
        quantile=quantile,
        population=population,
        value=value,
        x=x,
        se=se,
        lower_cl=lower_cl,
        upper_cl=upper_cl,
        group_by=group_by,
    )
    _check_argument_combination(value, x, se, lower_cl, upper_cl, value_type, transform)
    scale = _SCALES[value_type]

    quantiles = numeric_column(frame, quantile, "quantile")
    pops = _population(frame, population)
    values = _values(frame, value, x, population, pops, value_type)
    sd, missing_spread = _standard_errors(frame, se, lower_cl, upper_cl, value_type, scale)
    mean = to_scale(values, scale)
    fitted = mean if transform else values

    groups = make_groups(frame, group_by)
    scheme = _quantile_scheme(quantiles, quantile)
    cell = _check_once(frame, quantiles, quantile, scheme, groups)
    with np.errstate(invalid="ignore"):
        infinite = (missing_spread == 0) & ~np.isfinite(sd) & ~np.isnan(values)
        if transform:
            infinite |= ~np.isnan(values) & ~np.isfinite(mean)
    note = _drop_notes(
        groups,
        quantiles,
        cell,
        len(scheme),
        no_value=np.isnan(values),
        no_spread=missing_spread > 0,
        infinite=infinite,
        spread_name="standard error" if se is not None else "confidence limit",
        scale=_SCALE_NAMES.get(value_type, ""),
    )
    kept = np.flatnonzero(note == "")

    rows = np.flatnonzero(cell >= 0)
    rows = rows[np.isin(groups.codes[rows], kept)]
    rows = rows[np.lexsort((cell[rows], groups.codes[rows]))]
    shape = (len(kept), len(scheme))
    fit = fit_weights(pops[rows].reshape(shape))
    y = fitted[rows].reshape(shape)
    b1 = (fit.slope * y).sum(axis=1)
    b0 = (fit.intercept * y).sum(axis=1)

    indices: list[tuple[int, int]] = [order_indices(reps, level) for level in levels]
    positions = np.unique(np.array(indices, dtype=np.intp).ravel())
    slopes, ratios = simulate_order_statistics(
        mean[rows].reshape(shape),
        sd[rows].reshape(shape),
        fit,
        scale=scale,
        back=not transform,
        repetitions=reps,
        indices=positions,
        ratio=want_rii and not transform,
        seed=root,
    )

    def spread_at(stats: FloatArray | None, index: int) -> FloatArray:
        assert stats is not None
        return np.asarray(stats[:, np.searchsorted(positions, index)], dtype=np.float64)

    results: dict[str, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if transform:
            low_end, high_end = back_transform(b0, scale), back_transform(b0 + b1, scale)
            results["sii"] = scale_factor * (high_end - low_end)
            results["rii"] = high_end / low_end
            results["intercept"] = low_end * abs(scale_factor)
        else:
            results["sii"] = scale_factor * b1
            results["rii"] = (b0 + b1) / b0
            results["intercept"] = b0
        for level, (lower_index, upper_index) in zip(levels, indices, strict=True):
            pair: list[tuple[FloatArray, FloatArray]] = []
            for index in (lower_index, upper_index):
                s = spread_at(slopes, index)
                if transform:
                    middle = b0 + b1 / 2
                    top = back_transform(middle + s / 2, scale)
                    bottom = back_transform(middle - s / 2, scale)
                    pair.append((scale_factor * (top - bottom), top / bottom))
                else:
                    rii_limit = spread_at(ratios, index) if want_rii else np.full_like(s, np.nan)
                    pair.append((scale_factor * s, rii_limit))
            (sii_low, rii_low), (sii_high, rii_high) = pair
            if scale_factor < 0:
                sii_low, sii_high = sii_high, sii_low
                rii_low, rii_high = 1 / rii_high, 1 / rii_low
            sii_names = limit_names(level, prefix="sii_")
            rii_names = limit_names(level, prefix="rii_")
            results[sii_names[0]], results[sii_names[1]] = sii_low, sii_high
            results[rii_names[0]], results[rii_names[1]] = rii_low, rii_high
        if scale_factor < 0:
            results["rii"] = 1 / results["rii"]

    out = groups.keys.copy()
    names = ["sii"] + [name for level in levels for name in limit_names(level, prefix="sii_")]
    if want_rii:
        names += ["rii"] + [name for level in levels for name in limit_names(level, prefix="rii_")]
    if want_intercept:
        names.append("intercept")
    for name in names:
        column = np.full(groups.count, np.nan)
        column[kept] = results[name]
        out[name] = column
    finish(
        out,
        levels=levels,
        statistic=_statistic(value_type, scale_factor, want_rii),
        method=_method(value_type, transform, reps),
    )
    shown = note.copy()
    shown[note == ""] = None
    out["note"] = pd.Series(shown, dtype="str")
    return out


def _statistic(value_type: int, multiplier: float, rii: bool) -> str:
    name = "slope index of inequality"
    if rii:
        name += " and relative index of inequality"
    scaled = f" x {format_number(multiplier)}" if multiplier != 1 else ""
    return f"{name}, {_KINDS[value_type]}{scaled}"


def _method(value_type: int, transform: bool, repetitions: int) -> str:
    fitted = f" on the {_SCALE_NAMES[value_type]} scale" if transform else ""
    return (
        f"weighted least squares on relative rank (Low & Low){fitted}; "
        f"limits by simulation ({repetitions} repetitions)"
    )


def _check_value_type(value_type: object) -> None:
    if isinstance(value_type, bool):
        raise fail("value_type", "must be one of 0, 1, 2", repr(value_type))
    check_option(value_type, "value_type", (0, 1, 2))


def _check_flag(flag: object, argument: str) -> bool:
    if not isinstance(flag, bool | np.bool_):
        raise fail(argument, "must be True or False", repr(flag))
    return bool(flag)


def _check_sii_multiplier(multiplier: object) -> float:
    """An SII multiplier may be negative (it flips the polarity) but not zero."""
    if isinstance(multiplier, bool) or not isinstance(
        multiplier, int | float | np.integer | np.floating
    ):
        raise fail("multiplier", "must be a number", repr(multiplier))
    number = float(multiplier)
    if not np.isfinite(number) or number == 0:
        raise fail(
            "multiplier", "must be a finite number other than 0 (negative flips polarity)", number
        )
    return number


def _check_repetitions(repetitions: object) -> int:
    if (
        isinstance(repetitions, bool)
        or not isinstance(repetitions, int | float | np.integer | np.floating)
        or not float(repetitions).is_integer()
        or repetitions < MIN_REPETITIONS
    ):
        raise fail(
            "repetitions",
            f"must be a whole number of at least {MIN_REPETITIONS}",
            repr(repetitions),
        )
    return int(repetitions)


def _seed_sequence(seed: object) -> np.random.SeedSequence:
    """The root of the simulation's random streams, from an int, a Generator or None."""
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**63, size=4).tolist())
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise fail("seed", "must be None, a whole number >= 0 or a numpy Generator", repr(seed))
    return np.random.SeedSequence(int(seed))


def _check_argument_combination(
    value: Hashable | None,
    x: Hashable | None,
    se: Hashable | None,
    lower_cl: Hashable | None,
    upper_cl: Hashable | None,
    value_type: int,
    transform: bool,
) -> None:
    if value is None and (x is None or value_type != 2):
        raise fail(
            "value",
            "a value column is needed (or, for a proportion with value_type 2, a count x)",
            f"value=None, x={x!r}, value_type={value_type}",
        )
    if transform and value_type == 0:
        raise fail(
            "transform",
            "needs value_type 1 (rate, log scale) or 2 (proportion, logit scale)",
            "transform=True with value_type 0",
        )
    if transform and se is not None:
        raise fail(
            "se",
            "must not be given when transform=True (give lower_cl and upper_cl instead)",
            repr(se),
        )
    if se is None and (lower_cl is None or upper_cl is None):
        raise fail(
            "se",
            "give either se or both lower_cl and upper_cl",
            f"se=None, lower_cl={lower_cl!r}, upper_cl={upper_cl!r}",
        )


def _population(frame: pd.DataFrame, population: Hashable) -> FloatArray:
    pops = numeric_column(frame, population, "population")
    require_present(
        pops, frame.index, argument="population", column=population, rule="must not be missing"
    )
    require(
        pops > 0,
        pops,
        frame.index,
        argument="population",
        column=population,
        rule="must be > 0 (every quantile needs people in it)",
    )
    return pops


def _values(
    frame: pd.DataFrame,
    value: Hashable | None,
    x: Hashable | None,
    population: Hashable,
    pops: FloatArray,
    value_type: int,
) -> FloatArray:
    """The indicator value of every row: ``value``, or x / population for a proportion."""
    if value is not None:
        values = numeric_column(frame, value, "value")
        _check_domain(frame, values, "value", value, value_type)
        return values
    assert x is not None
    counts = numeric_column(frame, x, "x")
    require(
        counts > 0,
        counts,
        frame.index,
        argument="x",
        column=x,
        rule="must be > 0 (a proportion of 0 has no logit)",
    )
    with np.errstate(invalid="ignore"):
        require(
            counts <= pops,
            counts,
            frame.index,
            argument="x",
            column=x,
            rule=f"must not exceed population (column {population!r})",
        )
    return counts / pops


def _check_domain(
    frame: pd.DataFrame, values: FloatArray, argument: str, column: Hashable, value_type: int
) -> None:
    with np.errstate(invalid="ignore"):
        if value_type == 2:
            require(
                (values >= 0) & (values <= 1),
                values,
                frame.index,
                argument=argument,
                column=column,
                rule="must be between 0 and 1 for a proportion (value_type 2)",
            )
        elif value_type == 1:
            require(
                values >= 0,
                values,
                frame.index,
                argument=argument,
                column=column,
                rule="must be >= 0 for a rate (value_type 1)",
            )


def _standard_errors(
    frame: pd.DataFrame,
    se: Hashable | None,
    lower_cl: Hashable | None,
    upper_cl: Hashable | None,
    value_type: int,
    scale: Scale,
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Standard error on the simulation scale, and per row how many inputs to it are missing."""
    if se is not None:
        errors = numeric_column(frame, se, "se")
        with np.errstate(invalid="ignore"):
            require(
                errors >= 0,
                errors,
                frame.index,
                argument="se",
                column=se,
                rule="must be >= 0",
            )
        return errors, np.isnan(errors).astype(np.intp)
    assert lower_cl is not None
    assert upper_cl is not None
    lower = numeric_column(frame, lower_cl, "lower_cl")
    upper = numeric_column(frame, upper_cl, "upper_cl")
    _check_domain(frame, lower, "lower_cl", lower_cl, value_type)
    _check_domain(frame, upper, "upper_cl", upper_cl, value_type)
    with np.errstate(invalid="ignore"):
        require(
            upper >= lower,
            upper,
            frame.index,
            argument="upper_cl",
            column=upper_cl,
            rule=f"must be >= lower_cl (column {lower_cl!r})",
        )
    with np.errstate(invalid="ignore"):
        errors = (to_scale(upper, scale) - to_scale(lower, scale)) / (2 * z_value(INPUT_LEVEL))
    return errors, np.isnan(lower).astype(np.intp) + np.isnan(upper).astype(np.intp)


def _quantile_scheme(quantiles: FloatArray, quantile: Hashable) -> FloatArray:
    """The distinct quantiles in the data, ascending; there must be 5 to 100."""
    scheme = np.unique(quantiles[~np.isnan(quantiles)])
    if not MIN_QUANTILES <= len(scheme) <= MAX_QUANTILES:
        raise fail(
            f"quantile (column {quantile!r})",
            f"each group needs {MIN_QUANTILES} to {MAX_QUANTILES} quantiles",
            f"{len(scheme)} distinct quantiles",
        )
    return np.asarray(scheme, dtype=np.float64)


def _check_once(
    frame: pd.DataFrame,
    quantiles: FloatArray,
    quantile: Hashable,
    scheme: FloatArray,
    groups: Groups,
) -> npt.NDArray[np.intp]:
    """Each row's position in the scheme (-1 without a quantile); a repeat is an error."""
    present = ~np.isnan(quantiles)
    cell = np.full(len(quantiles), -1, dtype=np.intp)
    cell[present] = np.searchsorted(scheme, quantiles[present])
    slot = groups.codes[present] * len(scheme) + cell[present]
    repeated = pd.Series(slot).duplicated().to_numpy()
    if repeated.any():
        position = int(np.flatnonzero(present)[np.argmax(repeated)])
        raise fail(
            f"quantile (column {quantile!r})",
            "each quantile must appear once per group",
            f"{format_number(quantiles[position])} again at {row_label(frame.index, position)}",
        )
    return cell


def _drop_notes(
    groups: Groups,
    quantiles: FloatArray,
    cell: npt.NDArray[np.intp],
    k: int,
    *,
    no_value: npt.NDArray[np.bool_],
    no_spread: npt.NDArray[np.bool_],
    infinite: npt.NDArray[np.bool_],
    spread_name: str,
    scale: str,
) -> npt.NDArray[np.object_]:
    """Why each group cannot be computed ("" when it can), reasons joined by "; "."""
    notes = np.full(groups.count, "", dtype=object)
    codes = groups.codes

    def add(flags: npt.NDArray[np.bool_], text: npt.NDArray[np.object_] | str) -> None:
        current = notes[flags]
        notes[flags] = np.where(current == "", text, current + "; " + text)

    def at_first(bad: npt.NDArray[np.bool_], text: str) -> None:
        """Describe the lowest bad quantile of each group."""
        if not bad.any():
            return
        lowest = np.full(groups.count, np.inf)
        np.fmin.at(lowest, codes[bad], quantiles[bad])
        flags = np.bincount(codes[bad], minlength=groups.count) > 0
        add(flags, text + " for quantile " + _text(lowest[flags]))

    no_quantile = cell < 0
    if no_quantile.any():
        rows = np.bincount(codes[no_quantile], minlength=groups.count)
        flags = rows > 0
        add(flags, _text(rows[flags]) + " row(s) with no quantile")
    present = np.bincount(codes[~no_quantile], minlength=groups.count)
    incomplete = present < k
    if incomplete.any():
        add(incomplete, _text(present[incomplete]) + f" of the {k} quantiles")
    at_first(no_value, "no value")
    at_first(no_spread & ~no_value, f"no {spread_name}")
    at_first(infinite & ~no_value & ~no_spread, f"value or limit not finite on the {scale} scale")
    dropped = notes != ""
    notes[dropped] = "group not computed: " + notes[dropped]
    return notes


def _text(numbers: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Numbers as text for notes: 7.0 -> "7", 2.5 -> "2.5", infinity -> "NA"."""
    text = pd.Series(np.asarray(numbers, dtype=np.float64)).astype(str).str.removesuffix(".0")
    return np.asarray(text.replace("inf", "NA").to_numpy(dtype=object), dtype=object)
