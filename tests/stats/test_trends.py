"""trend_marker(): R assign_trend_markers and FingertipsNext vectors, edge rules, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jsna.stats import StatsInputError
from jsna.stats._ci import z_value
from jsna.stats.trends import trend_marker
from tests.stats.vectors import assert_close, read_vector

# The vectors use the R / Fingertips capitalised names; ours are lower case.
TREND = {
    "Increasing": "increasing",
    "Decreasing": "decreasing",
    "No significant change": "no significant change",
    "NoChange": "no significant change",
    "Cannot be calculated": "cannot be calculated",
}
REASON = {
    "No outliers and significant trend": "significant trend and no outliers",
    "No significant trend": "no significant trend",
    "Outlier found": "outlier found",
    "Not enough data points": "fewer than 5 periods",
    "Missing values": "missing values",
    "Missing at least one confidence interval value": "missing confidence limits",
}
FOUR_DP = 5e-5 + 1e-12
"""The R sheets give Significance and Gradient to 4 dp."""

PROPORTION = {"x": "Count", "n": "denominator"}
OTHER = {"value": "Value", "lower": "LL", "upper": "UL"}


def _expected_groups() -> list[object]:
    cases = []
    for name, columns in (
        ("trend_markers_proportion.csv", PROPORTION),
        ("trend_markers_proportion_grouped.csv", PROPORTION),
        ("trend_markers_other.csv", OTHER),
        ("trend_markers_other_6points.csv", OTHER),
        ("trend_markers_other_grouped.csv", OTHER),
    ):
        frame = read_vector(name)
        grouped = "Ethnicity" in frame.columns
        for position in np.flatnonzero(frame["recent_trend"].notna().to_numpy()):
            row = frame.iloc[position]
            group = row["Ethnicity"] if grouped else None
            if row["recent_trend_reason"] == "Duplicate years in group":
                continue  # an error here: see test_duplicate_years_are_an_error
            label = f"{name}:{group}" if grouped else name
            cases.append(pytest.param(name, columns, group, row, id=label))
    return cases


@pytest.mark.parametrize(("name", "columns", "group", "expected"), _expected_groups())
def test_matches_r_assign_trend_markers(
    name: str, columns: dict[str, str], group: str | None, expected: pd.Series
) -> None:
    frame = read_vector(name)
    if group is None:
        result = trend_marker(frame, "Year", **columns).iloc[0]  # type: ignore[arg-type]
    else:
        frame = frame[frame["Ethnicity"] != "White"] if columns is PROPORTION else frame
        result = trend_marker(frame, "Year", group_by="Ethnicity", **columns)  # type: ignore[arg-type]
        result = result.set_index("Ethnicity").loc[group]
    assert result["trend"] == TREND[expected["recent_trend"]]
    assert result["trend_reason"] == REASON[expected["recent_trend_reason"]]
    significance, gradient = expected["Significance"], expected["Gradient"]
    if group == "Other ethnic group" and columns is PROPORTION:
        # The sheet used t = 1..5 over a gap (2015 missing); the R code, like us, uses the
        # actual years, which gives 44.7368 / 0.3562 (vector note, README section 6.4).
        significance, gradient = 44.7368, 0.3562
    assert_close(result["chi_squared"], significance, rtol=0, atol=FOUR_DP, what="chi_squared")
    assert_close(result["gradient"], gradient, rtol=0, atol=FOUR_DP, what="gradient")
    if np.isnan(significance):
        assert result["trend"] == "cannot be calculated"


def test_gapped_years_as_one_to_five_reproduce_the_sheet() -> None:
    # With t = 1..5 (Fingertips' convention) the grouped sheet's own 47.3463 / 0.483 come back.
    frame = read_vector("trend_markers_proportion_grouped.csv")
    other = frame[frame["Ethnicity"] == "Other ethnic group"].assign(t=[1, 2, 3, 4, 5])
    result = trend_marker(other, "t", x="Count", n="denominator").iloc[0]
    assert_close(result["chi_squared"], 47.3463, rtol=0, atol=FOUR_DP)
    assert_close(result["gradient"], 0.483, rtol=0, atol=FOUR_DP)
    assert result["trend"] == "increasing"


def test_duplicate_years_are_an_error() -> None:
    # R gives "Cannot be calculated / Duplicate years in group" for a grouped frame and an error
    # for an ungrouped one; we always raise (repeated periods are an input error).
    frame = read_vector("trend_markers_proportion_grouped.csv")
    message = (
        "period (column 'Year'): each period must appear once per group; got 2022 again at row 23"
    )
    with pytest.raises(StatsInputError) as error:
        trend_marker(frame, "Year", x="Count", n="denominator", group_by="Ethnicity")
    assert str(error.value) == message
    white = frame[frame["Ethnicity"] == "White"]
    with pytest.raises(StatsInputError) as error:
        trend_marker(white, "Year", x="Count", n="denominator")
    assert str(error.value) == message


# FingertipsNext Legacy TrendMarkerCalculator unit-test indicators (t = 1..5; no gaps, so the
# actual years give the same chi-squared). Chi-squared values: verification_report.txt.
NEXT = read_vector("trend_markers_fingertipsnext.csv")
NEXT_CHI2 = {
    "diabetes_qof_241": 16494.7559,
    "gp_reg_65plus_93468": 3167.7988,
    "mmr_yorks_30309": 405.0479,
    "diabetic_eye_41203": 33.4858,
}


@pytest.mark.parametrize("case", list(NEXT_CHI2))
def test_fingertipsnext_cases(case: str) -> None:
    data = NEXT[NEXT["case"] == case]
    expected = TREND[data["expected_marker"].iloc[-1]]
    if data["trend_method"].iloc[0].startswith("proportion"):
        result = trend_marker(data, "year", x="count", n="denominator").iloc[0]
        assert result["method"] == "chi-squared test for trend (proportion)"
        chi2 = result["chi_squared"]
    else:
        result = trend_marker(data, "year", value="value", lower="lower95", upper="upper95").iloc[0]
        assert result["method"] == "weighted regression (95% limits)"
        # Fingertips divides the 95% width by 3.92; we (and R) by 2 x 1.959964 = 3.919928.
        chi2 = result["chi_squared"] * (3.92 / (2 * z_value(0.95))) ** 2
    assert_close(chi2, NEXT_CHI2[case], rtol=0, atol=FOUR_DP)
    if case == "gp_reg_65plus_93468":
        # Our decision (README 6.4 (c)): proportions are tested from their counts and need no
        # limits, as the Fingertips guidance says. Legacy Fingertips drops the points without
        # limits first and so shows "NoChange"; we give the counts' clear trend.
        assert expected == "no significant change"
        assert result["trend"] == "increasing"
        assert result["trend_reason"] == "significant trend and no outliers"
    else:
        assert result["trend"] == expected


def test_gp_reg_quirk_as_value_without_limits_cannot_be_calculated() -> None:
    data = NEXT[NEXT["case"] == "gp_reg_65plus_93468"]
    result = trend_marker(data, "year", value="value", lower="lower95", upper="upper95").iloc[0]
    assert result["trend"] == "cannot be calculated"
    assert result["trend_reason"] == "missing confidence limits"
    assert np.isnan(result["chi_squared"])


def _series(values: list[float], width: float = 0.2) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": range(2015, 2015 + len(values)),
            "v": values,
            "lo": [v - width for v in values],
            "hi": [v + width for v in values],
        }
    )


def test_outlier_found() -> None:
    # Leaving out the last point gives a flat line (slope 0), a different sign from the full slope.
    result = trend_marker(
        _series([1.0, 1.0, 1.0, 1.0, 10.0]), "year", value="v", lower="lo", upper="hi"
    )
    row = result.iloc[0]
    assert row["chi_squared"] > 9.54953570608324
    assert (row["trend"], row["trend_reason"]) == ("no significant change", "outlier found")
    assert row["trend_role"] == "trend-no-change"


@pytest.mark.parametrize(
    ("x", "n", "reason"),
    [
        ([10, 20, 30, 40, 50], [100, 100, 100, 100, 50], "count equals denominator"),
        ([10, 20, 30, 40, 60], [100, 100, 100, 100, 50], "count exceeds denominator"),
        ([0, 20, 30, 40, 50], [100, 100, 100, 100, 100], "count is zero"),
        ([10, 20, np.nan, 40, 50], [100, 100, 100, 100, 100], "missing values"),
        ([20, 30, 40, 50], [100, 100, 100, 100], "fewer than 5 periods"),
    ],
)
def test_proportion_cannot_be_calculated(x: list[float], n: list[float], reason: str) -> None:
    data = pd.DataFrame({"year": range(2019, 2019 + len(x)), "x": x, "n": n})
    row = trend_marker(data, "year", x="x", n="n", polarity="high_is_good").iloc[0]
    assert (row["trend"], row["trend_reason"]) == ("cannot be calculated", reason)
    assert (row["trend_assessment"], row["trend_role"]) == ("cannot be calculated", "none")
    assert np.isnan(row["chi_squared"])
    assert np.isnan(row["gradient"])
    assert row["points_used"] == min(len(x), 5)


def test_only_the_last_five_periods_count() -> None:
    # A zero count and a missing value six and seven periods back do not matter.
    data = pd.DataFrame(
        {"year": range(2015, 2022), "x": [0, np.nan, 10, 20, 30, 40, 50], "n": [100] * 7}
    )
    row = trend_marker(data, "year", x="x", n="n").iloc[0]
    assert row["trend"] == "increasing"
    last_five = trend_marker(data.iloc[2:], "year", x="x", n="n")
    pd.testing.assert_frame_equal(trend_marker(data, "year", x="x", n="n"), last_five)


def test_zero_width_interval_cannot_be_calculated() -> None:
    data = _series([1.0, 2.0, 3.0, 4.0, 5.0])
    data.loc[2, ["lo", "hi"]] = 3.0
    row = trend_marker(data, "year", value="v", lower="lo", upper="hi").iloc[0]
    assert row["trend_reason"] == "confidence interval of zero width"


@pytest.mark.parametrize(
    ("polarity", "values", "assessment", "role"),
    [
        ("high_is_good", [1, 2, 3, 4, 5], "getting better", "trend-better"),
        ("high_is_good", [5, 4, 3, 2, 1], "getting worse", "trend-worse"),
        ("low_is_good", [1, 2, 3, 4, 5], "getting worse", "trend-worse"),
        ("low_is_good", [5, 4, 3, 2, 1], "getting better", "trend-better"),
        ("no_judgement", [1, 2, 3, 4, 5], "increasing", "trend-increasing"),
        ("no_judgement", [5, 4, 3, 2, 1], "decreasing", "trend-decreasing"),
        ("high_is_good", [3, 3.01, 2.99, 3, 3.01], "no significant change", "trend-no-change"),
    ],
)
def test_assessment_follows_polarity(
    polarity: str, values: list[float], assessment: str, role: str
) -> None:
    data = _series([float(v) for v in values])
    row = trend_marker(data, "year", value="v", lower="lo", upper="hi", polarity=polarity).iloc[0]
    assert (row["trend_assessment"], row["trend_role"]) == (assessment, role)


def test_text_periods_use_their_first_year() -> None:
    data = _series([1.0, 2.0, 3.5, 4.0, 5.0])
    numeric = trend_marker(data, "year", value="v", lower="lo", upper="hi")
    text = data.assign(year=[f"{y}/{(y + 1) % 100:02d}" for y in data["year"]])
    pd.testing.assert_frame_equal(
        trend_marker(text, "year", value="v", lower="lo", upper="hi"), numeric
    )
    full = data.assign(year=[f"{y}-{y + 1}" for y in data["year"]])
    pd.testing.assert_frame_equal(
        trend_marker(full, "year", value="v", lower="lo", upper="hi"), numeric
    )
    century = data.assign(year=["1997/98", "1998/99", "1999/00", "2000/01", "2001/02"])
    expected = trend_marker(
        data.assign(year=range(1997, 2002)), "year", value="v", lower="lo", upper="hi"
    )
    pd.testing.assert_frame_equal(
        trend_marker(century, "year", value="v", lower="lo", upper="hi"), expected
    )


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            ["2015", "2016", "Q1 2017", "2018", "2019"],
            "period (column 'year'): must be numbers or years such as 2019 or '2019/20'; "
            "got 'Q1 2017' at row 2",
        ),
        (
            ["2013 - 15", "2014 - 16", "2015 - 17", "2016 - 18", "2017 - 19"],
            "period (column 'year'): a text period must be one year or a one-year span such as "
            "'2019/20' (overlapping multi-year periods cannot be tested for trend); "
            "got '2013 - 15' at row 0",
        ),
        (
            [2015, 2016, None, 2018, 2019],
            "period (column 'year'): must not be missing; got NA at row 2",
        ),
    ],
)
def test_bad_periods(period: list[object], message: str) -> None:
    data = _series([1.0, 2.0, 3.0, 4.0, 5.0]).assign(year=pd.Series(period, dtype=object))
    with pytest.raises(StatsInputError) as error:
        trend_marker(data, "year", value="v", lower="lo", upper="hi")
    assert str(error.value) == message


MIXED = (
    "x, n, value, lower, upper: give either x and n (counts of a proportion) or value, lower and "
    "upper (a value with its 95% limits), not both; got "
)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, MIXED + "none of them"),
        ({"x": "x"}, MIXED + "x='x'"),
        ({"value": "v", "lower": "lo"}, MIXED + "value='v', lower='lo'"),
        (
            {"x": "x", "n": "n", "value": "v", "lower": "lo", "upper": "hi"},
            MIXED + "x='x', n='n', value='v', lower='lo', upper='hi'",
        ),
        ({"x": "x", "n": "n", "value": "v"}, MIXED + "x='x', n='n', value='v'"),
        (
            {"x": "x", "n": "n", "polarity": "good"},
            "polarity: must be one of 'high_is_good', 'low_is_good', 'no_judgement'; got 'good'",
        ),
        (
            {"value": "v", "lower": "hi", "upper": "lo"},
            "lower (column 'hi'): must not exceed upper (column 'lo'); "
            "got 1.2 at row 0 (and 4 more rows)",
        ),
        (
            {"x": "neg", "n": "n"},
            "x (column 'neg'): must be >= 0 (counts cannot be negative); got -1 at row 4",
        ),
        (
            {"x": "x", "n": "zero"},
            "n (column 'zero'): must be > 0 (a denominator cannot be zero or negative); "
            "got 0 at row 0 (and 4 more rows)",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    data = _series([1.0, 2.0, 3.0, 4.0, 5.0]).assign(
        x=[1, 2, 3, 4, 5], n=[10] * 5, neg=[1, 2, 3, 4, -1], zero=[0] * 5
    )
    with pytest.raises(StatsInputError) as error:
        trend_marker(data, "year", **kwargs)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_grouped_equals_each_group_alone_and_keeps_group_order() -> None:
    rng = np.random.default_rng(11)
    groups, years = 300, 7
    n = rng.integers(50, 5000, groups * years)
    trend = np.repeat(rng.normal(0, 0.15, groups), years) * np.tile(np.arange(years), groups)
    x = rng.binomial(n, 1 / (1 + np.exp(1.0 - trend)))
    data = pd.DataFrame(
        {
            "area": np.repeat([f"E{i:03d}" for i in range(groups)], years),
            "sex": "Persons",
            "year": np.tile(np.arange(2015, 2015 + years), groups),
            "x": x,
            "n": n,
        }
    ).sample(frac=1.0, random_state=3)
    grouped = trend_marker(data, "year", x="x", n="n", group_by=["area", "sex"])
    assert grouped["area"].tolist() == list(dict.fromkeys(data["area"]))
    alone = pd.concat(
        trend_marker(data[data["area"] == area], "year", x="x", n="n").assign(
            area=area, sex="Persons"
        )
        for area in grouped["area"]
    )
    alone = alone[grouped.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(grouped, alone)
    assert {"increasing", "decreasing", "no significant change"} <= set(grouped["trend"])


@st.composite
def series(draw: st.DrawFn) -> pd.DataFrame:
    groups = draw(st.integers(1, 4))
    frames = []
    for group in range(groups):
        size = draw(st.integers(3, 8))
        years = draw(st.lists(st.integers(2000, 2030), min_size=size, max_size=size, unique=True))
        values = draw(
            st.lists(st.integers(0, 1000).map(lambda v: v / 10), min_size=size, max_size=size)
        )
        widths = draw(
            st.lists(st.integers(1, 100).map(lambda w: w / 10), min_size=size, max_size=size)
        )
        frames.append(
            pd.DataFrame(
                {
                    "g": f"g{group}",
                    "year": years,
                    "v": values,
                    "lo": np.subtract(values, widths),
                    "hi": np.add(values, widths),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@given(series(), st.data())
def test_row_order_does_not_matter(data: pd.DataFrame, draw: st.DataObject) -> None:
    shuffled = data.iloc[draw.draw(st.permutations(range(len(data))))]
    a = trend_marker(data, "year", value="v", lower="lo", upper="hi", group_by="g")
    b = trend_marker(shuffled, "year", value="v", lower="lo", upper="hi", group_by="g")
    a = a.sort_values("g", ignore_index=True)
    b = b.sort_values("g", ignore_index=True)
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


@given(series(), st.integers(-2000, 2000))
def test_shifting_periods_changes_nothing(data: pd.DataFrame, shift: int) -> None:
    a = trend_marker(data, "year", value="v", lower="lo", upper="hi", group_by="g")
    b = trend_marker(
        data.assign(year=data["year"] + shift),
        "year",
        value="v",
        lower="lo",
        upper="hi",
        group_by="g",
    )
    pd.testing.assert_frame_equal(a, b, rtol=1e-7, atol=1e-9)
