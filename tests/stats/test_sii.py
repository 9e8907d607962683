"""sii(): reference vectors, dropped groups, error messages and Hypothesis invariants.

Point estimates (sii, rii, intercept) are compared to the PHEindicatormethods
workbook at relative 1e-9; simulated limits at relative 5%, the tolerance of
the R tests (README section 2). Every simulation uses 100,000 repetitions, as
the R workbook does, with a fixed seed: each call here takes milliseconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jsna.stats import _sii_kernels
from jsna.stats._frame import level_name
from jsna.stats._sii_kernels import fit_weights
from jsna.stats._validate import StatsInputError
from jsna.stats.sii import sii
from tests.stats.vectors import assert_close, read_vector

SHEET = read_vector("sii.csv")
CASES = read_vector("sii_test_cases.csv")
LIMIT_RTOL = 0.05
SEED = 20261126


def _records(first: int, last: int) -> pd.DataFrame:
    """Rows of the workbook by RecordNo (1-based, inclusive), index kept as in the sheet."""
    return SHEET[(SHEET["RecordNo"] >= first) & (SHEET["RecordNo"] <= last)]


def _levels(text: str) -> tuple[float, ...]:
    if text.startswith("c("):
        return tuple(float(part) / 100 for part in text[2:-1].split(","))
    value = float(text)
    return (value / 100 if value >= 90 else value,)


def _arguments(case: pd.Series) -> dict[str, Any]:
    """sii() keyword arguments for one row of sii_test_cases.csv."""
    grouping = str(case["grouping"])
    arguments: dict[str, Any] = {
        "group_by": None if grouping.startswith("none") else grouping.split(","),
        "value_type": int(case["value_type"]),
        "transform": bool(case["transform"]),
        "multiplier": float(case["multiplier"]),
        "confidence": _levels(str(case["confidence"])),
        "rii": bool(case["rii"]),
        "intercept": bool(case["intercept"]),
        "seed": SEED,
    }
    for part in str(case["se_or_cls"]).split():
        name, column = part.split("=")
        arguments[name] = column
    return arguments


def _variants() -> list[object]:
    """One case per row of sii_test_cases.csv, plus the variants its notes say agree."""
    params: list[object] = []
    for _, case in CASES.iterrows():
        params.append(pytest.param(case, {}, id=str(case["case"])))
        cls = {"se": None, "lower_cl": "LowerCL", "upper_cl": "UpperCL"}
        se = {"se": "StandardError", "lower_cl": None, "upper_cl": None}
        extra: dict[str, dict[str, Any]] = {}
        if case["case"] == "sii_05":
            extra["se-percent"] = {**se, "confidence": 99}
        if case["case"] == "sii_09":
            extra["cls"] = cls
        if case["case"] == "sii_16":
            extra["cls"] = cls
            extra["count"] = {"value": None, "x": "Count"}
        if case["case"] == "sii_18":
            extra["no-rii"] = {"rii": False}
        for label, change in extra.items():
            params.append(pytest.param(case, change, id=f"{case['case']}-{label}"))
    return params


@pytest.mark.parametrize(("case", "change"), _variants())
def test_matches_reference_case(case: pd.Series, change: dict[str, Any]) -> None:
    arguments = {**_arguments(case), **change}
    value = arguments.pop("value", "Value")
    data = _records(int(case["record_from"]), int(case["record_to"]))
    result = sii(data, "Quantile", "Population", value, **arguments)

    expected = SHEET[
        SHEET["RecordNo"].isin([float(r) for r in str(case["expected_rows"]).split(",")])
    ]
    levels = arguments["confidence"]
    if not isinstance(levels, tuple):
        levels = _levels(str(levels))
    assert len(result) == len(expected)
    compared = 0
    for column in str(case["expected_columns"]).split(","):
        if column == "rii" and not arguments["rii"]:
            continue
        if column in ("sii", "rii", "Intercept"):
            assert_close(result[column.lower()], expected[column], what=column)
        else:
            statistic, bound, number = column.split("_")
            if statistic == "rii" and not arguments["rii"]:
                continue
            ours = f"{statistic}_{bound.removesuffix('cl')}_{level_name(levels[int(number) - 1])}"
            assert_close(result[ours], expected[column], rtol=LIMIT_RTOL, what=ours)
        compared += 1
    assert compared >= 1
    assert result["note"].isna().all()


def test_output_columns_and_labels() -> None:
    data = _records(1, 20)
    result = sii(
        data,
        "Quantile",
        "Population",
        "Value",
        group_by="Area",
        se="StandardError",
        confidence=(0.95, 0.998),
        rii=True,
        intercept=True,
        repetitions=1000,
        seed=1,
    )
    assert list(result.columns) == [
        "Area",
        "sii",
        "sii_lower_95",
        "sii_upper_95",
        "sii_lower_99_8",
        "sii_upper_99_8",
        "rii",
        "rii_lower_95",
        "rii_upper_95",
        "rii_lower_99_8",
        "rii_upper_99_8",
        "intercept",
        "confidence",
        "statistic",
        "method",
        "note",
    ]
    assert result["Area"].tolist() == ["area1", "area2"]
    assert result["confidence"].iloc[0] == "95%, 99.8%"
    assert result["statistic"].iloc[0] == (
        "slope index of inequality and relative index of inequality, normal value"
    )
    assert result["method"].iloc[0] == (
        "weighted least squares on relative rank (Low & Low); "
        "limits by simulation (1000 repetitions)"
    )
    plain = sii(
        data,
        "Quantile",
        "Population",
        "Value",
        group_by="Area",
        se="StandardError",
        value_type=0,
        multiplier=-100,
        repetitions=1000,
        seed=1,
    )
    assert list(plain.columns) == [
        "Area",
        "sii",
        "sii_lower_95",
        "sii_upper_95",
        "confidence",
        "statistic",
        "method",
        "note",
    ]
    assert plain["statistic"].iloc[0] == "slope index of inequality, normal value x -100"
    transformed = sii(
        _records(306, 325),
        "Quantile",
        "Population",
        "Value",
        group_by="Area",
        value_type=1,
        transform=True,
        lower_cl="LowerCL",
        upper_cl="UpperCL",
        repetitions=1000,
        seed=1,
    )
    assert transformed["method"].iloc[0] == (
        "weighted least squares on relative rank (Low & Low) on the log scale; "
        "limits by simulation (1000 repetitions)"
    )


def test_input_is_not_modified_and_row_order_does_not_matter() -> None:
    data = _records(71, 90)
    before = data.copy()
    arguments: dict[str, Any] = {
        "group_by": "Area",
        "value_type": 1,
        "se": "StandardError",
        "rii": True,
        "intercept": True,
        "seed": 3,
        "repetitions": 5000,
    }
    result = sii(data, "Quantile", "Population", "Value", **arguments)
    pd.testing.assert_frame_equal(data, before)
    # Rows shuffled within each area (areas in the same order): nothing changes at
    # all, since the draws follow the groups and the quantiles, not the rows.
    shuffled = data.sample(frac=1, random_state=4).sort_values("Area", kind="stable")
    pd.testing.assert_frame_equal(
        result, sii(shuffled, "Quantile", "Population", "Value", **arguments)
    )
    # Areas in another order: the same estimates (the limits use other draws).
    reordered = sii(data.iloc[::-1], "Quantile", "Population", "Value", **arguments)
    assert reordered["Area"].tolist() == ["area2", "area1"]
    assert_close(reordered["sii"].iloc[::-1], result["sii"])
    assert_close(reordered["sii_lower_95"].iloc[::-1], result["sii_lower_95"], rtol=0.02)


def test_seed_makes_limits_reproducible() -> None:
    data = _records(91, 110)
    arguments: dict[str, Any] = {
        "group_by": "Area",
        "value_type": 2,
        "lower_cl": "LowerCL",
        "upper_cl": "UpperCL",
        "rii": True,
        "repetitions": 2000,
    }
    first = sii(data, "Quantile", "Population", "Value", seed=11, **arguments)
    pd.testing.assert_frame_equal(
        first, sii(data, "Quantile", "Population", "Value", seed=11, **arguments)
    )
    other = sii(data, "Quantile", "Population", "Value", seed=12, **arguments)
    assert_close(other["sii"], first["sii"])
    assert not np.allclose(other["sii_lower_95"], first["sii_lower_95"], rtol=1e-12, atol=0)
    generator = np.random.default_rng(5)
    one = sii(data, "Quantile", "Population", "Value", seed=generator, **arguments)
    two = sii(data, "Quantile", "Population", "Value", seed=generator, **arguments)
    assert not np.allclose(one["sii_lower_95"], two["sii_lower_95"], rtol=1e-12, atol=0)
    replay = sii(
        data, "Quantile", "Population", "Value", seed=np.random.default_rng(5), **arguments
    )
    pd.testing.assert_frame_equal(one, replay)


def _exact_normal_limits(data: pd.DataFrame, level: float) -> tuple[np.ndarray, np.ndarray]:
    """For normal values the fitted slope is normal: slope -/+ z * sqrt(sum (c se)^2)."""
    shape = (-1, int(data["Quantile"].nunique()))
    ordered = data.sort_values(["Area", "Quantile"])
    fit = fit_weights(ordered["Population"].to_numpy(dtype=float).reshape(shape))
    values = ordered["Value"].to_numpy(dtype=float).reshape(shape)
    errors = ordered["StandardError"].to_numpy(dtype=float).reshape(shape)
    slope = (fit.slope * values).sum(axis=1)
    spread = np.sqrt(((fit.slope * errors) ** 2).sum(axis=1))
    from scipy.stats import norm

    z = norm.ppf(level + (1 - level) / 2)
    return slope - z * spread, slope + z * spread


def test_simulated_limits_approach_the_exact_normal_limits() -> None:
    data = _records(1, 20)
    result = sii(
        data,
        "Quantile",
        "Population",
        "Value",
        group_by="Area",
        se="StandardError",
        confidence=(0.95, 0.998),
        seed=SEED,
    )
    for level in (0.95, 0.998):
        lower, upper = _exact_normal_limits(data, level)
        name = level_name(level)
        # Within 3% of the interval's width (the Monte Carlo error is about 1%).
        tolerance = 0.03 * (upper - lower)
        assert (np.abs(result[f"sii_lower_{name}"] - lower) < tolerance).all()
        assert (np.abs(result[f"sii_upper_{name}"] - upper) < tolerance).all()


def test_chunked_and_threaded_simulation_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks force repetitions to be split into slices and chunks onto threads.
    data = _records(71, 90)
    arguments: dict[str, Any] = {
        "group_by": "Area",
        "value_type": 1,
        "se": "StandardError",
        "rii": True,
        "repetitions": 20_000,
        "seed": 8,
    }
    whole = sii(data, "Quantile", "Population", "Value", **arguments)
    monkeypatch.setattr(_sii_kernels, "CHUNK_ELEMENTS", 30_000)
    monkeypatch.setattr(_sii_kernels, "WORKERS", 1)
    single = sii(data, "Quantile", "Population", "Value", **arguments)
    monkeypatch.setattr(_sii_kernels, "WORKERS", 4)
    threaded = sii(data, "Quantile", "Population", "Value", **arguments)
    pd.testing.assert_frame_equal(single, threaded)
    assert_close(single["sii"], whole["sii"])
    limits = ["sii_lower_95", "sii_upper_95", "rii_lower_95", "rii_upper_95"]
    assert_close(single[limits], whole[limits], rtol=0.02)
    expected = SHEET[SHEET["RecordNo"].isin([71.0, 81.0])]
    assert_close(single["sii_lower_95"], expected["sii_lowercl_1"], rtol=LIMIT_RTOL)


def test_negative_multiplier_flips_polarity_exactly() -> None:
    data = _records(91, 110)
    arguments: dict[str, Any] = {
        "group_by": "Area",
        "value_type": 2,
        "lower_cl": "LowerCL",
        "upper_cl": "UpperCL",
        "rii": True,
        "intercept": True,
        "repetitions": 3000,
        "seed": 2,
    }
    up = sii(data, "Quantile", "Population", "Value", multiplier=100, **arguments)
    down = sii(data, "Quantile", "Population", "Value", multiplier=-100, **arguments)
    assert_close(down["sii"], -up["sii"])
    assert_close(down["sii_lower_95"], -up["sii_upper_95"])
    assert_close(down["sii_upper_95"], -up["sii_lower_95"])
    assert_close(down["rii"], 1 / up["rii"])
    assert_close(down["rii_lower_95"], 1 / up["rii_upper_95"])
    assert_close(down["rii_upper_95"], 1 / up["rii_lower_95"])
    assert_close(down["intercept"], up["intercept"])


def test_intercept_is_the_fitted_value_at_rank_zero() -> None:
    # Untransformed: sii = intercept * (rii - 1) with multiplier 1 (b1 = b0 (b0 + b1) / b0 - b0).
    result = sii(
        _records(246, 265),
        "Quantile",
        "Population",
        "Value",
        group_by="Area",
        se="StandardError",
        rii=True,
        intercept=True,
        repetitions=1000,
        seed=1,
    )
    assert_close(result["sii"], result["intercept"] * (result["rii"] - 1))


# Groups that cannot be computed ---------------------------------------------


def test_group_missing_a_quantile_is_dropped_with_a_note() -> None:
    # As the R warning test: rows 1-15 and 17-20 (area2 has no quantile 6).
    data = SHEET[SHEET["RecordNo"].isin([*range(1, 16), *range(17, 21)])]
    result = sii(
        data,
        "Quantile",
        "Population",
        "Value",
        group_by="Area",
        lower_cl="LowerCL",
        upper_cl="UpperCL",
        rii=True,
        seed=1,
    )
    assert pd.isna(result["note"].iloc[0])
    assert result["note"].iloc[1] == "group not computed: 9 of the 10 quantiles"
    assert result.loc[1, ["sii", "sii_lower_95", "sii_upper_95", "rii"]].isna().all()
    assert_close(result["sii"].iloc[0], SHEET.loc[0, "sii"])


@pytest.mark.parametrize(
    ("first", "arguments", "note"),
    [
        (181, {"value": "Value", "se": "StandardError"}, "no value for quantile 1"),
        (191, {"value": "Value", "se": "StandardError"}, "no standard error for quantile 1"),
        (
            191,
            {"value": "Value", "lower_cl": "LowerCL", "upper_cl": "UpperCL"},
            "no confidence limit for quantile 1",
        ),
    ],
)
def test_group_with_missing_inputs_is_dropped(
    first: int, arguments: dict[str, Any], note: str
) -> None:
    data = pd.concat([_records(first, first + 9), _records(1, 10)])
    result = sii(
        data, "Quantile", "Population", group_by="Area", repetitions=1000, seed=1, **arguments
    )
    assert result["Area"].tolist() == ["area3", "area1"]
    assert result["note"].iloc[0] == f"group not computed: {note}"
    assert np.isnan(result["sii"].iloc[0])
    assert pd.isna(result["note"].iloc[1])
    assert_close(result["sii"].iloc[1], SHEET.loc[0, "sii"])


def test_several_reasons_and_missing_quantile_rows() -> None:
    data = _records(1, 20).copy()
    data.loc[data.index[3], "Quantile"] = np.nan
    data.loc[data.index[5], "Value"] = np.nan
    data.loc[data.index[12], "StandardError"] = np.nan
    result = sii(
        data,
        "Quantile",
        "Population",
        "Value",
        group_by="Area",
        se="StandardError",
        repetitions=1000,
        seed=1,
    )
    assert result["note"].tolist() == [
        "group not computed: 1 row(s) with no quantile; 9 of the 10 quantiles; "
        "no value for quantile 6",
        "group not computed: no standard error for quantile 3",
    ]
    assert result["sii"].isna().all()


def test_value_with_no_log_is_dropped_when_transformed() -> None:
    data = _records(306, 325).copy()
    data.loc[data.index[2], ["Value", "LowerCL"]] = 0.0
    arguments: dict[str, Any] = {
        "group_by": "Area",
        "value_type": 1,
        "lower_cl": "LowerCL",
        "upper_cl": "UpperCL",
        "repetitions": 1000,
        "seed": 1,
    }
    result = sii(data, "Quantile", "Population", "Value", transform=True, **arguments)
    assert result["note"].iloc[0] == (
        "group not computed: value or limit not finite on the log scale for quantile 3"
    )
    assert pd.isna(result["note"].iloc[1])
    # Untransformed, the same lower limit 0 leaves no finite standard error either.
    plain = sii(data, "Quantile", "Population", "Value", **arguments)
    assert plain["note"].iloc[0] == result["note"].iloc[0]


def test_all_groups_dropped_gives_na_rows() -> None:
    result = sii(
        _records(181, 190),
        "Quantile",
        "Population",
        "Value",
        se="StandardError",
        repetitions=1000,
        seed=1,
    )
    assert len(result) == 1
    assert np.isnan(result["sii"].iloc[0])
    assert result["note"].iloc[0].startswith("group not computed: no value")


# Errors -----------------------------------------------------------------------


def _call(data: pd.DataFrame, **arguments: Any) -> pd.DataFrame:
    arguments.setdefault("quantile", "Quantile")
    arguments.setdefault("population", "Population")
    arguments.setdefault("value", "Value")
    arguments.setdefault("se", "StandardError")
    arguments.setdefault("repetitions", 1000)
    return sii(data, **arguments)


ERRORS = [
    pytest.param(
        _records(151, 160),
        {},
        "population (column 'Population'): must be > 0 (every quantile needs people in it); "
        "got -200 at row 151",
        id="negative-population",
    ),
    pytest.param(
        _records(201, 210),
        {},
        "population (column 'Population'): must not be missing; got NA at row 204",
        id="missing-population",
    ),
    pytest.param(
        _records(151, 160),
        {"population": "Grouping1"},
        "population (column 'Grouping1'): must be numeric; got 'group A' at row 150",
        id="non-numeric-population",
    ),
    pytest.param(
        _records(161, 165),
        {},
        "se (column 'StandardError'): must be >= 0; got -5 at row 162",
        id="negative-se",
    ),
    pytest.param(
        _records(166, 170),
        {"value": None, "x": "Count", "value_type": 2},
        "x (column 'Count'): must be > 0 (a proportion of 0 has no logit); got 0 at row 167",
        id="zero-count",
    ),
    pytest.param(
        _records(1, 10).assign(Count=lambda f: f["Population"] + 1),
        {"value": None, "x": "Count", "value_type": 2},
        "x (column 'Count'): must not exceed population (column 'Population'); got 7292 at row 0 "
        "(and 9 more rows)",
        id="count-above-population",
    ),
    pytest.param(
        _records(1, 20),
        {"value_type": 2},
        "value (column 'Value'): must be between 0 and 1 for a proportion (value_type 2); "
        "got 75.9335 at row 0 (and 19 more rows)",
        id="proportion-value",
    ),
    pytest.param(
        _records(171, 175),
        {"value_type": 2, "se": None, "lower_cl": "LowerCL", "upper_cl": "UpperCL"},
        "upper_cl (column 'UpperCL'): must be between 0 and 1 for a proportion (value_type 2); "
        "got 11 at row 173",
        id="proportion-upper-cl",
    ),
    pytest.param(
        _records(176, 180),
        {"value_type": 2, "se": None, "lower_cl": "LowerCL", "upper_cl": "UpperCL"},
        "lower_cl (column 'LowerCL'): must be between 0 and 1 for a proportion (value_type 2); "
        "got 8 at row 176",
        id="proportion-lower-cl",
    ),
    pytest.param(
        _records(71, 80).assign(Value=lambda f: f["Value"] - 5),
        {"value_type": 1},
        "value (column 'Value'): must be >= 0 for a rate (value_type 1); got -0.265496 at row 71 "
        "(and 8 more rows)",
        id="negative-rate",
    ),
    pytest.param(
        _records(1, 10).assign(LowerCL=lambda f: f["UpperCL"] + 1),
        {"se": None, "lower_cl": "LowerCL", "upper_cl": "UpperCL"},
        "upper_cl (column 'UpperCL'): must be >= lower_cl (column 'LowerCL'); got 79.1449 at "
        "row 0 (and 9 more rows)",
        id="limits-reversed",
    ),
    pytest.param(
        _records(1, 3),
        {},
        "quantile (column 'Quantile'): each group needs 5 to 100 quantiles; got 3 distinct "
        "quantiles",
        id="too-few-quantiles",
    ),
    pytest.param(
        pd.DataFrame({"Quantile": range(101), "Population": 1, "Value": 1.0, "StandardError": 1}),
        {},
        "quantile (column 'Quantile'): each group needs 5 to 100 quantiles; got 101 distinct "
        "quantiles",
        id="too-many-quantiles",
    ),
    pytest.param(
        _records(1, 10).assign(Quantile=[1, 2, 3, 4, 5, 6, 7, 8, 9, 3]),
        {},
        "quantile (column 'Quantile'): each quantile must appear once per group; got 3 again "
        "at row 9",
        id="repeated-quantile",
    ),
    pytest.param(
        _records(1, 10),
        {"value": None},
        "value: a value column is needed (or, for a proportion with value_type 2, a count x); "
        "got value=None, x=None, value_type=0",
        id="no-value",
    ),
    pytest.param(
        _records(71, 80),
        {"value": None, "x": "Count", "value_type": 1},
        "value: a value column is needed (or, for a proportion with value_type 2, a count x); "
        "got value=None, x='Count', value_type=1",
        id="count-for-a-rate",
    ),
    pytest.param(
        _records(1, 10),
        {"se": None, "lower_cl": "LowerCL"},
        "se: give either se or both lower_cl and upper_cl; got se=None, lower_cl='LowerCL', "
        "upper_cl=None",
        id="one-limit",
    ),
    pytest.param(
        _records(1, 10),
        {"se": None, "lower_cl": "LowerCL", "upper_cl": "UpperCL", "transform": True},
        "transform: needs value_type 1 (rate, log scale) or 2 (proportion, logit scale); "
        "got transform=True with value_type 0",
        id="transform-normal",
    ),
    pytest.param(
        _records(71, 80),
        {"value_type": 1, "transform": True},
        "se: must not be given when transform=True (give lower_cl and upper_cl instead); "
        "got 'StandardError'",
        id="transform-with-se",
    ),
    pytest.param(
        _records(1, 10),
        {"value_type": 3},
        "value_type: must be one of 0, 1, 2; got 3",
        id="value-type-3",
    ),
    pytest.param(
        _records(1, 10),
        {"value_type": "rate"},
        "value_type: must be one of 0, 1, 2; got 'rate'",
        id="value-type-string",
    ),
    pytest.param(
        _records(1, 10),
        {"repetitions": 999},
        "repetitions: must be a whole number of at least 1000; got 999",
        id="repetitions",
    ),
    pytest.param(
        _records(1, 10),
        {"repetitions": "none"},
        "repetitions: must be a whole number of at least 1000; got 'none'",
        id="repetitions-string",
    ),
    pytest.param(
        _records(1, 10),
        {"multiplier": 0},
        "multiplier: must be a finite number other than 0 (negative flips polarity); got 0.0",
        id="multiplier-zero",
    ),
    pytest.param(
        _records(1, 10),
        {"multiplier": "none"},
        "multiplier: must be a number; got 'none'",
        id="multiplier-string",
    ),
    pytest.param(
        _records(1, 10),
        {"confidence": 0.35},
        "confidence: each level must be between 0.9 and 1 or between 90 and 100; got 0.35",
        id="confidence-decimal",
    ),
    pytest.param(
        _records(1, 10),
        {"confidence": 135},
        "confidence: each level must be between 0.9 and 1 or between 90 and 100; got 135",
        id="confidence-percent",
    ),
    pytest.param(
        _records(1, 10),
        {"rii": "yes"},
        "rii: must be True or False; got 'yes'",
        id="rii-flag",
    ),
    pytest.param(
        _records(1, 10),
        {"seed": -1},
        "seed: must be None, a whole number >= 0 or a numpy Generator; got -1",
        id="seed",
    ),
    pytest.param(
        _records(1, 10),
        {"se": "SE"},
        "se: must name a column of data (columns: RecordNo, TestDescription, Area, Grouping1, "
        "Grouping2, Quantile, Population, Count, Value, ValueType, LowerCL, UpperCL, "
        "StandardError, Confidence, Repetitions, sii, rii, sii_lowercl_1, sii_uppercl_1, "
        "rii_lowercl_1); got 'SE'",
        id="unknown-column",
    ),
]


@pytest.mark.parametrize(("data", "arguments", "message"), ERRORS)
def test_bad_input_names_argument_rule_and_value(
    data: pd.DataFrame, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(StatsInputError) as error:
        _call(data, **arguments)
    assert str(error.value) == message


# Realistic inputs --------------------------------------------------------------


def test_life_expectancy_deciles_every_area_computed() -> None:
    data = read_vector("example_LE_data_deciles.csv")
    result = sii(
        data,
        "Decile",
        "Pop",
        "LifeExp",
        group_by=["Sex", "GeoCode"],
        se="SE",
        rii=True,
        repetitions=10_000,
        seed=1,
    )
    assert len(result) == 724
    # The Isles of Scilly (E06000053) sit in one decile only: dropped, with the reason.
    dropped = result[result["note"].notna()]
    assert dropped["GeoCode"].tolist() == ["E06000053", "E06000053"]
    assert (dropped["note"] == "group not computed: 1 of the 10 quantiles").all()
    assert dropped["sii"].isna().all()
    result = result[result["note"].isna()]
    assert result["sii"].notna().all()
    assert (result["sii_lower_95"] <= result["sii"]).all()
    assert (result["sii"] <= result["sii_upper_95"]).all()
    # Life expectancy rises from the most to the least deprived decile almost everywhere.
    assert (result["sii"] > 0).mean() > 0.9


def test_prevalence_counts_as_proportions() -> None:
    data = read_vector("example_prevalence_data_NCMP.csv")
    keys = ["Period", "SchoolYear", "AreaCode"]
    from_counts = sii(
        data,
        "Decile",
        "Measured",
        x="Count",
        group_by=keys,
        value_type=2,
        se="SE",
        multiplier=-100,
        repetitions=1000,
        seed=1,
    )
    from_rates = sii(
        data.assign(share=data["Rate"] / 100),
        "Decile",
        "Measured",
        "share",
        group_by=keys,
        value_type=2,
        se="SE",
        multiplier=-100,
        repetitions=1000,
        seed=1,
    )
    assert from_counts["note"].isna().all()
    assert_close(from_counts["sii"], from_rates["sii"], rtol=1e-9)


# Hypothesis invariants -----------------------------------------------------------


@st.composite
def deciles(draw: st.DrawFn) -> pd.DataFrame:
    """1-3 areas with k quantiles each: populations, rates and standard errors (log scale)."""
    k = draw(st.integers(5, 12))
    areas = draw(st.integers(1, 3))
    size = k * areas
    population = draw(st.lists(st.integers(50, 10**6), min_size=size, max_size=size))
    value = draw(st.lists(st.floats(0.5, 500), min_size=size, max_size=size))
    error = draw(st.lists(st.floats(0, 0.3), min_size=size, max_size=size))
    return pd.DataFrame(
        {
            "area": np.repeat([f"a{i}" for i in range(areas)], k),
            "q": np.tile(np.arange(1, k + 1), areas),
            "pop": population,
            "value": value,
            "se": error,
            "lcl": np.asarray(value) * np.exp(-1.959964 * np.asarray(error)),
            "ucl": np.asarray(value) * np.exp(1.959964 * np.asarray(error)),
        }
    )


@given(deciles(), st.integers(0, 2**32 - 1), st.sampled_from([1, -1, 100]))
@settings(max_examples=40)
def test_point_estimates_do_not_depend_on_row_order(
    data: pd.DataFrame, shuffle: int, multiplier: int
) -> None:
    arguments: dict[str, Any] = {
        "group_by": "area",
        "value_type": 1,
        "se": "se",
        "multiplier": multiplier,
        "rii": True,
        "intercept": True,
        "repetitions": 1000,
        "seed": 0,
    }
    result = sii(data, "q", "pop", "value", **arguments)
    shuffled = data.sample(frac=1, random_state=np.random.RandomState(shuffle))
    again = sii(shuffled, "q", "pop", "value", **arguments).set_index("area").loc[result["area"]]
    for column in ("sii", "rii", "intercept"):
        assert_close(again[column], result[column], rtol=1e-12)
    # And each area alone gives the same as all areas together.
    alone = sii(data[data["area"] == "a0"], "q", "pop", "value", **arguments)
    assert_close(alone["sii"], result["sii"].iloc[:1], rtol=1e-12)


@given(deciles(), st.booleans())
@settings(max_examples=25)
def test_limits_surround_the_estimate(data: pd.DataFrame, transform: bool) -> None:
    # Normal values (and fits on the log scale) simulate symmetrically about the
    # estimate, so with 100,000 repetitions it lies inside every interval.
    if transform:
        arguments: dict[str, Any] = {
            "value_type": 1,
            "transform": True,
            "lower_cl": "lcl",
            "upper_cl": "ucl",
            "rii": True,
        }
    else:
        arguments = {"value_type": 0, "se": "se"}
    result = sii(
        data, "q", "pop", "value", group_by="area", confidence=(0.95, 0.998), seed=1, **arguments
    )
    tol = 1e-9 * np.maximum(1.0, result["sii"].abs())
    assert (result["sii_lower_99_8"] <= result["sii_lower_95"] + tol).all()
    assert (result["sii_lower_95"] <= result["sii"] + tol).all()
    assert (result["sii"] <= result["sii_upper_95"] + tol).all()
    assert (result["sii_upper_95"] <= result["sii_upper_99_8"] + tol).all()
    if transform:
        assert (result["rii_lower_95"] <= result["rii"] * (1 + 1e-9)).all()
        assert (result["rii"] <= result["rii_upper_95"] * (1 + 1e-9)).all()


@pytest.mark.parametrize(
    ("repetitions", "level", "expected"),
    [
        (100_000, 0.95, (2499, 97499)),  # the 2,500th and 97,500th of 100,000
        (100_000, 0.998, (99, 99899)),
        (10_000, 0.99, (49, 9949)),
        (1000, 0.98, (9, 989)),
        (1000, 0.9999, (0, 999)),  # round(0.05) = 0 is kept at the first value
        (1001, 0.9, (49, 950)),  # positions round(50.05) = 50 and round(950.95) = 951
    ],
)
def test_order_statistic_positions(
    repetitions: int, level: float, expected: tuple[int, int]
) -> None:
    assert _sii_kernels.order_indices(repetitions, level) == expected
