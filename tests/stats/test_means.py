"""mean(): reference vectors and NA handling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsna.stats import StatsInputError, mean
from tests.stats.vectors import assert_close, read_vector

EXPECTED = read_vector("mean_expected.csv").set_index("area")
INPUT = read_vector("mean_input.csv")
COLUMNS = {
    "value_sum": "value_sum",
    "value_count": "value_count",
    "stdev": "stdev",
    "value": "value",
    "lower_95": "lower95_0cl",
    "upper_95": "upper95_0cl",
    "lower_99_8": "lower99_8cl",
    "upper_99_8": "upper99_8cl",
}


def test_grouped_matches_reference() -> None:
    result = mean(INPUT, "values", group_by="area", confidence=(0.95, 0.998)).set_index("area")
    for ours, theirs in COLUMNS.items():
        assert_close(result[ours], EXPECTED.loc[result.index, theirs], what=ours)
    assert set(result["method"]) == {"Student's t-distribution"}


def test_ungrouped_is_one_row_over_everything() -> None:
    result = mean(INPUT, "values", confidence=(0.95, 0.998))
    assert len(result) == 1
    for ours, theirs in COLUMNS.items():
        assert_close(result[ours], [EXPECTED.loc["No grouping", theirs]], what=ours)


def test_na_value_makes_group_na() -> None:
    data = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [1.0, np.nan, 2.0, 4.0]})
    result = mean(data, "v", group_by="g")
    assert np.isnan(result["value"].iloc[0])
    assert result["value"].iloc[1] == 3.0


def test_non_numeric_values_are_an_error() -> None:
    with pytest.raises(
        StatsInputError, match=r"^x \(column 'v'\): must be numeric; got 'abc' at row 1$"
    ):
        mean(pd.DataFrame({"v": [1, "abc"]}), "v")
