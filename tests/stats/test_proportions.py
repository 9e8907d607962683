"""proportion(): reference vectors, edge rules and error messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsna.stats import StatsInputError, proportion
from tests.stats.vectors import assert_close, read_vector, rows

CASES = read_vector("proportion.csv")
LIMITS = ["lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]
OURS = ["lower_95", "upper_95", "lower_99_8", "upper_99_8"]


@pytest.mark.parametrize("case", rows(CASES, "case_id"))
def test_matches_reference_row(case: pd.Series) -> None:
    data = pd.DataFrame({"x": [case["Numerator"]], "n": [case["Denominator"]]})
    result = proportion(data, "x", "n", confidence=(0.95, 0.998), multiplier=case["multiplier"])
    assert_close(result["value"], [case["value"]])
    assert_close(result[OURS].to_numpy()[0], case[LIMITS].to_numpy(dtype=float))
    assert result["statistic"].iloc[0] == case["statistic"]
    assert result["method"].iloc[0] == case["method"]
    assert result["confidence"].iloc[0] == "95%, 99.8%"


def test_grouped_sums_then_computes() -> None:
    expected = read_vector("proportion_grouped_expected.csv")
    result = proportion(CASES, "Numerator", "Denominator", group_by="Area", multiplier=1)
    result = result.set_index("Area").loc[expected["Area"]]
    assert_close(result["Numerator"], expected["sum_Numerator"])
    assert_close(result["Denominator"], expected["sum_Denominator"])
    assert_close(result["value"], expected["value"])
    assert_close(result["lower_95"], expected["lowercl"])
    assert_close(result["upper_95"], expected["uppercl"])
    assert list(result.columns) == [
        "Numerator",
        "Denominator",
        "value",
        "lower_95",
        "upper_95",
        "confidence",
        "statistic",
        "method",
    ]


def test_ungrouped_keeps_input_columns_and_order() -> None:
    result = proportion(CASES, "Numerator", "Denominator")
    assert list(result.columns[: len(CASES.columns)]) == list(CASES.columns)
    assert result.index.equals(CASES.index)
    assert "lower_99_8" not in result.columns
    assert result["statistic"].iloc[0] == "percentage"


EDGES = read_vector("edge_cases_derived.csv")


@pytest.mark.parametrize(
    "case", rows(EDGES[EDGES["function"].str.contains("proportion|wilson")], "case_id")
)
def test_edge_cases(case: pd.Series) -> None:
    import json

    inputs = json.loads(case["inputs"])
    data = pd.DataFrame({"x": [inputs["x"]], "n": [inputs["n"]]})
    result = proportion(
        data, "x", "n", confidence=case["confidence"], multiplier=case["multiplier"]
    )
    level = "100" if case["confidence"] == 1 else ("95" if case["confidence"] == 0.95 else "99_8")
    assert_close(result["value"], [case["expected_value"]])
    assert_close(result[f"lower_{level}"], [case["expected_lower"]], atol=1e-15)
    assert_close(result[f"upper_{level}"], [case["expected_upper"]])


def test_wilson_kernel_vectors() -> None:
    cases = read_vector("byars_wilson.csv").query("function == 'wilson'")
    for level in (0.95, 0.998):
        subset = cases[cases["confidence"] == level]
        result = proportion(subset, "x", "n", confidence=level, multiplier=1)
        lower, upper = (
            f"lower_{'95' if level == 0.95 else '99_8'}",
            f"upper_{'95' if level == 0.95 else '99_8'}",
        )
        assert_close(result[lower], subset["expected_lower"])
        assert_close(result[upper], subset["expected_upper"])


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"x": [1, -2], "n": [10, 10]}),
            "x (column 'x'): must be >= 0 (counts cannot be negative); got -2 at row 1",
        ),
        (
            pd.DataFrame({"x": [1, 2], "n": [10, 0]}),
            "n (column 'n'): must be > 0 (a denominator cannot be zero or negative); got 0 at row 1",
        ),
        (
            pd.DataFrame({"x": [11, 2], "n": [10, 10]}),
            "x (column 'x'): must not exceed n (column 'n'); got 11 at row 0",
        ),
        (
            pd.DataFrame({"x": ["a", 2], "n": [10, 10]}),
            "x (column 'x'): must be numeric; got 'a' at row 0",
        ),
        (
            pd.DataFrame({"y": [1], "n": [10]}),
            "x: must name a column of data (columns: y, n); got 'x'",
        ),
    ],
)
def test_bad_input_names_argument_rule_and_value(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        proportion(frame, "x", "n")
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("confidence", "message"),
    [
        (0.5, "confidence: each level must be between 0.9 and 1 or between 90 and 100; got 0.5"),
        ((0.95, 0.99), "confidence: two levels can only be 0.95 and 0.998; got (0.95, 0.99)"),
        ((0.9, 0.95, 0.998), "confidence: must give one or two levels; got (0.9, 0.95, 0.998)"),
        ("95%", "confidence: must be a number such as 0.95 or a pair (0.95, 0.998); got '95%'"),
    ],
)
def test_bad_confidence(confidence: object, message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        proportion(pd.DataFrame({"x": [1], "n": [2]}), "x", "n", confidence=confidence)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_percent_levels_are_accepted() -> None:
    data = pd.DataFrame({"x": [3], "n": [7]})
    pd.testing.assert_frame_equal(
        proportion(data, "x", "n", confidence=(95, 99.8)),
        proportion(data, "x", "n", confidence=(0.998, 0.95)),
    )


def test_bad_multiplier() -> None:
    with pytest.raises(StatsInputError, match=r"multiplier: must be greater than zero; got -1"):
        proportion(pd.DataFrame({"x": [1], "n": [2]}), "x", "n", multiplier=-1)


def test_input_frame_is_not_modified() -> None:
    data = pd.DataFrame({"x": [1.0, 2.0], "n": [5.0, 6.0]})
    before = data.copy()
    proportion(data, "x", "n", group_by=None)
    pd.testing.assert_frame_equal(data, before)


def test_multiple_group_columns_and_na_keys() -> None:
    data = pd.DataFrame(
        {"a": ["p", "p", "q", None], "b": [1, 1, 2, 2], "x": [1, 2, 3, 4], "n": [10, 10, 10, 10]}
    )
    result = proportion(data, "x", "n", group_by=["a", "b"])
    assert len(result) == 3
    assert result["x"].tolist() == [3, 3, 4]
    assert np.isnan(result["a"].iloc[2]) or result["a"].iloc[2] is None
