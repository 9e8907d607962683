"""crude_rate(): reference vectors, edge rules and error messages."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from jsna.stats import StatsInputError, crude_rate
from tests.stats.vectors import assert_close, read_vector, rows

CASES = read_vector("rate.csv")
LIMITS = ["lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]
OURS = ["lower_95", "upper_95", "lower_99_8", "upper_99_8"]


@pytest.mark.parametrize("case", rows(CASES, "case_id"))
def test_matches_reference_row(case: pd.Series) -> None:
    data = pd.DataFrame({"x": [case["Numerator"]], "n": [case["Denominator"]]})
    result = crude_rate(data, "x", "n", confidence=(0.95, 0.998), multiplier=case["multiplier"])
    assert_close(result["value"], [case["value"]])
    assert_close(result[OURS].to_numpy()[0], case[LIMITS].to_numpy(dtype=float))
    assert result["statistic"].iloc[0] == case["statistic"]
    expected_method = None if pd.isna(case["method"]) else case["method"]
    assert result["method"].iloc[0] == expected_method


def test_grouped_sums_then_computes() -> None:
    expected = read_vector("rate_grouped_expected.csv")
    result = crude_rate(CASES, "Numerator", "Denominator", group_by="Area")
    result = result.set_index("Area").loc[expected["Area"]]
    assert_close(result["Numerator"], expected["sum_Numerator"])
    assert_close(result["value"], expected["value"])
    assert_close(result["lower_95"], expected["lowercl"])
    assert_close(result["upper_95"], expected["uppercl"])
    assert result["method"].fillna("NA").tolist() == expected["method"].fillna("NA").tolist()


EDGES = read_vector("edge_cases_derived.csv")


@pytest.mark.parametrize("case", rows(EDGES[EDGES["function"] == "phe_rate"], "case_id"))
def test_edge_cases(case: pd.Series) -> None:
    inputs = json.loads(case["inputs"])
    data = pd.DataFrame({"x": [inputs["x"]], "n": [inputs["n"]]})
    result = crude_rate(
        data, "x", "n", confidence=case["confidence"], multiplier=case["multiplier"]
    )
    level = "95" if case["confidence"] == 0.95 else "99_8"
    assert_close(result["value"], [case["expected_value"]])
    assert_close(result[f"lower_{level}"], [case["expected_lower"]])
    assert_close(result[f"upper_{level}"], [case["expected_upper"]])
    assert result["method"].iloc[0] == case["expected_method"]


def test_count_may_exceed_denominator() -> None:
    result = crude_rate(pd.DataFrame({"x": [250], "n": [220]}), "x", "n")
    assert result["value"].iloc[0] > 100_000


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"x": [-1], "n": [10]}),
            "x (column 'x'): must be >= 0 (counts cannot be negative); got -1 at row 0",
        ),
        (
            pd.DataFrame({"x": [1], "n": [-10]}),
            "n (column 'n'): must be > 0 (a denominator cannot be zero or negative); got -10 at row 0",
        ),
    ],
)
def test_bad_input(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        crude_rate(frame, "x", "n")
    assert str(error.value) == message
