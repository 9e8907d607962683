"""Straight-line growth models (jsna.stats.regression): hand values, numpy, and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jsna.stats import StatsInputError
from jsna.stats.regression import FIT_COLUMNS, linear_fits, predict_linear

T_975_3 = 3.182446305284263
"""t(0.975) on 3 degrees of freedom."""


def test_one_line_by_hand() -> None:
    # x = 0..4, y = 1, 3, 2, 5, 4: xbar 2, ybar 3, Sxx 10, Sxy 8, slope 0.8, Syy 10
    data = pd.DataFrame({"x": [0, 1, 2, 3, 4], "y": [1, 3, 2, 5, 4]})
    fit = linear_fits(data, "x", "y").iloc[0]
    assert list(linear_fits(data, "x", "y").columns) == list(FIT_COLUMNS)
    assert fit["slope"] == pytest.approx(0.8)
    assert fit["intercept"] == pytest.approx(1.4)
    assert fit["sse"] == pytest.approx(10 - 0.8 * 8)
    assert fit["r_squared"] == pytest.approx(0.64)
    half = T_975_3 * np.sqrt(3.6 / 3) / np.sqrt(10)
    assert fit["slope_lower_95"] == pytest.approx(0.8 - half)
    line = predict_linear(linear_fits(data, "x", "y"), 6.0).iloc[0]
    assert line["value"] == pytest.approx(1.4 + 4.8)
    pi = T_975_3 * np.sqrt(1.2) * np.sqrt(1 + 1 / 5 + 16 / 10)
    assert line["upper_95"] == pytest.approx(6.2 + pi)


def test_flat_x_has_no_slope_and_bad_columns_are_named() -> None:
    fits = linear_fits(pd.DataFrame({"x": [1, 1], "y": [2, 3]}), "x", "y")
    assert np.isnan(fits["slope"].iloc[0])
    with pytest.raises(StatsInputError, match=r"^year: column not found in data"):
        linear_fits(pd.DataFrame({"x": [1]}), "year", "x")
    with pytest.raises(StatsInputError, match="by: column 'area' not found in data"):
        linear_fits(pd.DataFrame({"x": [1], "y": [1]}), "x", "y", by=["area"])
    with pytest.raises(StatsInputError, match="fits: columns"):
        predict_linear(pd.DataFrame({"n": [3]}), 1.0)


series = st.lists(
    st.tuples(
        st.integers(min_value=1990, max_value=2030),
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
    ),
    min_size=3,
    max_size=12,
    unique_by=lambda p: p[0],
)


@settings(max_examples=60, deadline=None)
@given(points=series, at=st.floats(min_value=1990, max_value=2050))
def test_invariants(points: list[tuple[int, float]], at: float) -> None:
    data = pd.DataFrame(points, columns=["x", "y"]).assign(g="a")
    fits = linear_fits(data, "x", "y", by=["g"])
    shuffled = linear_fits(data.iloc[::-1], "x", "y", by=["g"])
    assert fits["slope"].iloc[0] == pytest.approx(shuffled["slope"].iloc[0], abs=1e-6)
    slope, _ = np.polyfit(data["x"], data["y"], 1)
    assert fits["slope"].iloc[0] == pytest.approx(slope, rel=1e-6, abs=1e-6)
    line = predict_linear(fits, at).iloc[0]
    scale = 1e-6 * (1 + abs(line["value"]))
    assert line["lower_95"] <= line["value"] + scale
    assert line["value"] <= line["upper_95"] + scale
    fit = fits.iloc[0]
    assert fit["slope_lower_95"] <= fit["slope"] + 1e-6 * (1 + abs(fit["slope"]))
