"""Hypothesis invariants for proportion, crude_rate and mean.

Whatever the counts: lower <= value <= upper; the 99.8% interval contains
the 95% one; proportion limits stay within [0, multiplier]; row order does not
change results; summing within groups then computing equals computing on
data summed beforehand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from jsna.stats.means import mean
from jsna.stats.proportions import proportion
from jsna.stats.rates import crude_rate


@st.composite
def counts(draw: st.DrawFn, *, x_at_most_n: bool) -> pd.DataFrame:
    size = draw(st.integers(1, 30))
    n = draw(st.lists(st.integers(1, 10**7), min_size=size, max_size=size))
    if x_at_most_n:
        x = [draw(st.integers(0, value)) for value in n]
    else:
        x = draw(st.lists(st.integers(0, 10**6), min_size=size, max_size=size))
    group = draw(st.lists(st.sampled_from("abcd"), min_size=size, max_size=size))
    return pd.DataFrame({"g": group, "x": x, "n": n})


def _assert_ordered(result: pd.DataFrame) -> None:
    tol = 1e-9 * np.maximum(1.0, result["value"].abs())
    assert (result["lower_99_8"] <= result["lower_95"] + tol).all()
    assert (result["lower_95"] <= result["value"] + tol).all()
    assert (result["value"] <= result["upper_95"] + tol).all()
    assert (result["upper_95"] <= result["upper_99_8"] + tol).all()


@given(counts(x_at_most_n=True), st.sampled_from([1, 100, 1000]))
def test_proportion_limits_are_ordered_and_bounded(data: pd.DataFrame, multiplier: int) -> None:
    result = proportion(data, "x", "n", confidence=(0.95, 0.998), multiplier=multiplier)
    _assert_ordered(result)
    limits = result[["lower_95", "upper_95", "lower_99_8", "upper_99_8"]]
    assert (limits >= 0).all().all()
    assert (limits <= multiplier * (1 + 1e-12)).all().all()


@given(counts(x_at_most_n=False))
def test_rate_limits_are_ordered(data: pd.DataFrame) -> None:
    _assert_ordered(crude_rate(data, "x", "n", confidence=(0.95, 0.998)))


@given(counts(x_at_most_n=True), st.data())
def test_row_order_does_not_matter(data: pd.DataFrame, draw: st.DataObject) -> None:
    shuffled = data.iloc[draw.draw(st.permutations(range(len(data))))]
    for method in (proportion, crude_rate):
        a = method(data, "x", "n", group_by="g").sort_values("g", ignore_index=True)
        b = method(shuffled, "x", "n", group_by="g").sort_values("g", ignore_index=True)
        pd.testing.assert_frame_equal(a, b)
    a = mean(data, "x", group_by="g").sort_values("g", ignore_index=True)
    b = mean(shuffled, "x", group_by="g").sort_values("g", ignore_index=True)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


@given(counts(x_at_most_n=True))
def test_grouping_equals_summing_first(data: pd.DataFrame) -> None:
    summed = data.groupby("g", sort=False, as_index=False)[["x", "n"]].sum()
    for method in (proportion, crude_rate):
        grouped = method(data, "x", "n", group_by="g", confidence=(0.95, 0.998))
        direct = method(summed, "x", "n", confidence=(0.95, 0.998))
        pd.testing.assert_frame_equal(grouped, direct, check_dtype=False, rtol=1e-12)


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=40))
def test_mean_limits_are_ordered(values: list[float]) -> None:
    result = mean(pd.DataFrame({"v": values}), "v", confidence=(0.95, 0.998))
    if result["stdev"].iloc[0] > 0:
        _assert_ordered(result)
