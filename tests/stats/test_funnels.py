"""funnel_limits, funnel_significance and funnel_points: reference vectors, rules and errors.

Every row of every ``funnel_*`` vector file is one test case. Each funnel is
computed once per file (the result depends on all input rows) and cached.
Limits are compared at a relative 1e-6: the source values carry 6 decimal
places (proportions) or about 10 significant digits.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jsna.stats import StatsInputError
from jsna.stats._funnel_kernels import (
    BISECTION_STEPS,
    _r_nchar,
    axis_points,
    exact_poisson_means,
    signif_ceiling,
    signif_floor,
)
from jsna.stats.funnels import funnel_limits, funnel_points, funnel_significance
from tests.stats.vectors import assert_close, read_vector, rows

FUNNEL_RTOL = 1e-6
SIX_DP = 5e-7
"""Half a unit in the 6th decimal place: the proportion limits file is rounded to 6 dp."""

PROPORTIONS = read_vector("funnel_prop_inputs_expected_significance.csv")
RATIOS = read_vector("funnel_ratio_inputs_expected_significance.csv")
RATE_INPUTS = read_vector("funnel_rate_inputs_expected_significance.csv")
POINTS = read_vector("funnel_rate_points_input_expected.csv")


def _max_events_set_to(value: int, columns: list[str]) -> pd.DataFrame:
    """The rate points input with the row of most events given ``value`` events (R tests)."""
    data = POINTS[columns].copy()
    data.loc[data["ev"] == data["ev"].max(), "ev"] = value
    return data


def _zero_events_input() -> pd.DataFrame:
    """R test: pop = 1e5 ev / rate; the max-ev row gets ev = rate = 0; keep pop > max(pop) / 2."""
    data = POINTS[["ev", "rate"]].copy()
    data["pop"] = 1e5 * data["ev"] / data["rate"]
    most = data["ev"] == data["ev"].max()
    data.loc[most, ["ev", "rate"]] = 0
    return data[data["pop"] > data["pop"].max() / 2]


# --- limits -------------------------------------------------------------------------------


@functools.cache
def limits_case(name: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(our table, expected table, expected-to-our column names) for one limits file."""
    if name == "funnel_prop_limits_expected.csv":
        ours = funnel_limits(
            PROPORTIONS, "numerator", "denominator", statistic="proportion", multiplier=100
        )
    elif name == "funnel_prop_limits_axis_variation_expected.csv":
        ours = funnel_limits(
            PROPORTIONS[PROPORTIONS["denominator"] < 31000],
            "numerator",
            "denominator",
            statistic="proportion",
            multiplier=100,
        )
    elif name.startswith("funnel_ratio_limits_expected.csv"):
        ratio_type = name.split(":")[1]
        ours = funnel_limits(RATIOS, "obs", "expected", statistic="ratio", ratio_type=ratio_type)
    else:
        data, denominator, rate_type = {
            "funnel_rate_limits_dsr_expected.csv": (POINTS[["ev", "rate"]], None, "dsr"),
            "funnel_rate_limits_crude_lt10_expected.csv": (
                _max_events_set_to(5, ["ev", "rate"]),
                None,
                "crude",
            ),
            "funnel_rate_limits_crude_zero_expected.csv": (_zero_events_input(), "pop", "crude"),
        }[name]
        ours = funnel_limits(
            data,
            "ev",
            denominator,
            statistic="rate",
            rate="rate",
            rate_type=rate_type,
            multiplier=1e5,
            years_of_data=3,
        )
    expected = read_vector(name.split(":")[0])
    names = {column: column for column in expected.columns}
    if name.startswith("funnel_ratio"):
        ratio_type = name.split(":")[1]
        names = {
            column: column.replace(f"_{ratio_type}", "_limit")
            for column in expected.columns
            if not column.endswith("_count" if ratio_type == "isr" else "_isr")
        }
    return ours, expected, names


LIMIT_FILES = [
    "funnel_prop_limits_expected.csv",
    "funnel_prop_limits_axis_variation_expected.csv",
    "funnel_ratio_limits_expected.csv:count",
    "funnel_ratio_limits_expected.csv:isr",
    "funnel_rate_limits_dsr_expected.csv",
    "funnel_rate_limits_crude_lt10_expected.csv",
    "funnel_rate_limits_crude_zero_expected.csv",
]
LIMIT_ROWS = [
    pytest.param(name, row, id=f"{name.replace('_expected.csv', '')}-{row}")
    for name in LIMIT_FILES
    for row in range(100)
]


@pytest.mark.parametrize(("name", "row"), LIMIT_ROWS)
def test_limits_match_reference_row(name: str, row: int) -> None:
    ours, expected, names = limits_case(name)
    atol = SIX_DP if name == "funnel_prop_limits_expected.csv" else 0.0
    for theirs, mine in names.items():
        if theirs in ("statistic", "method"):
            assert ours[mine].iloc[row] == expected[theirs].iloc[row]
        elif theirs in ("Population", "Observed_events", "Events"):
            assert ours[mine].iloc[row] == expected[theirs].iloc[row], theirs
        else:
            assert_close(
                ours[mine].iloc[row],
                expected[theirs].iloc[row],
                rtol=FUNNEL_RTOL,
                atol=atol,
                what=theirs,
            )


@pytest.mark.parametrize("name", LIMIT_FILES)
def test_limits_table_shape_and_columns(name: str) -> None:
    ours, _, names = limits_case(name)
    assert len(ours) == 100
    assert ours.columns[0] == next(iter(names.values()))
    extra = {"confidence", "statistic", "method", "baseline"}
    assert set(ours.columns) - set(names.values()) <= extra
    assert (ours["confidence"] == "95%, 99.8%").all()


def test_limit_metadata() -> None:
    assert limits_case("funnel_prop_limits_expected.csv")[0]["statistic"].iloc[0] == "proportion"
    ratio = limits_case("funnel_ratio_limits_expected.csv:isr")[0]
    assert (ratio["statistic"].iloc[0], ratio["method"].iloc[0]) == ("ratio (isr)", "Poisson")
    assert ratio["baseline"].iloc[0] == 100
    count = limits_case("funnel_ratio_limits_expected.csv:count")[0]
    assert (count["statistic"].iloc[0], count["baseline"].iloc[0]) == ("ratio (count)", 0)
    crude = limits_case("funnel_rate_limits_crude_lt10_expected.csv")[0]
    assert crude["statistic"].iloc[0] == "rate (crude per 100,000)"
    rate = funnel_limits(
        POINTS, "ev", statistic="rate", rate="rate", rate_type="dsr", multiplier=1000
    )
    assert rate["statistic"].iloc[0] == "rate (dsr per 1,000)"
    assert list(rate.columns[:3]) == ["Events", "lower_2s_population_1_year", "lower_2s_limit"]


def test_one_year_populations_are_the_exact_poisson_populations_over_years() -> None:
    from scipy import special

    table = limits_case("funnel_rate_limits_crude_lt10_expected.csv")[0]
    average = table["baseline"].iloc[0] / 1e5
    events = table["Events"].to_numpy()
    for side, mean in (
        ("lower_2s", special.gammainccinv(events + 1, 0.025)),
        ("upper_3s", special.gammaincinv(events, 0.001)),
    ):
        population = table[f"{side}_population_1_year"].to_numpy() * 3
        assert_close(population * average, mean, rtol=1e-4)
        assert_close(table[f"{side}_limit"], events / population * 1e5, rtol=1e-12)


# --- significance -------------------------------------------------------------------------


@functools.cache
def proportion_labels() -> pd.DataFrame:
    return funnel_significance(
        PROPORTIONS[["Area", "numerator", "denominator"]],
        "numerator",
        "denominator",
        statistic="proportion",
    )


@pytest.mark.parametrize("case", rows(PROPORTIONS))
def test_proportion_significance_row(case: pd.Series) -> None:
    assert proportion_labels().loc[case.name, "significance"] == case["significance"]


@functools.cache
def ratio_labels() -> pd.DataFrame:
    return funnel_significance(RATIOS[["obs", "expected"]], "obs", "expected", statistic="ratio")


@pytest.mark.parametrize("case", rows(RATIOS))
def test_ratio_significance_row(case: pd.Series) -> None:
    assert ratio_labels().loc[case.name, "significance"] == case["significance"]


RATE_COLUMNS = [
    f"{kind}_per_{scale}_{zeros}"
    for kind in ("dsr", "crude")
    for scale in (100000, 100)
    for zeros in ("with_0", "without_0")
]


@functools.cache
def rate_labels(column: str) -> pd.DataFrame:
    kind, _, scale, zeros, _ = column.split("_")
    rate = "rate_dsr" if kind == "dsr" else f"rate_crude_per_{scale}"
    data = RATE_INPUTS if zeros == "with" else RATE_INPUTS[RATE_INPUTS["count"] != 0]
    return funnel_significance(
        data[["count", rate, "pop"]],
        "count",
        "pop",
        statistic="rate",
        rate=rate,
        rate_type=kind,
        multiplier=int(scale),
    )


RATE_ROWS = [
    pytest.param(column, label, id=f"{column}-{label}")
    for column in RATE_COLUMNS
    for label in (
        RATE_INPUTS.index
        if column.endswith("with_0")
        else RATE_INPUTS.index[RATE_INPUTS["count"] != 0]
    )
]


@pytest.mark.parametrize(("column", "label"), RATE_ROWS)
def test_rate_significance_row(column: str, label: int) -> None:
    assert rate_labels(column).loc[label, "significance"] == RATE_INPUTS.loc[label, column]


def test_significance_keeps_input_and_is_categorical() -> None:
    result = ratio_labels()
    assert list(result.columns) == ["obs", "expected", "significance"]
    assert result.index.equals(RATIOS.index)
    assert list(result["significance"].cat.categories) == [
        "High (0.001)",
        "High (0.025)",
        "Low (0.001)",
        "Low (0.025)",
        "Not significant",
    ]
    rates = rate_labels("dsr_per_100000_with_0")
    assert rates["significance"].cat.categories[-1] == (
        "Not applicable for events less than 10 for dsrs"
    )


def test_dsr_below_ten_events_is_not_applicable_but_crude_is_tested() -> None:
    data = pd.DataFrame({"x": [9, 400, 500], "r": [30.0, 100.0, 120.0]})
    dsr = funnel_significance(
        data, "x", statistic="rate", rate="r", rate_type="dsr", multiplier=1e5
    )
    crude = funnel_significance(
        data, "x", statistic="rate", rate="r", rate_type="crude", multiplier=1e5
    )
    assert dsr["significance"].iloc[0] == "Not applicable for events less than 10 for dsrs"
    assert crude["significance"].iloc[0] != dsr["significance"].iloc[0]


# --- points -------------------------------------------------------------------------------


@functools.cache
def points_case(variant: str) -> pd.DataFrame:
    if variant == "dsr":
        return funnel_points(
            _max_events_set_to(5, ["ev", "rate"]), "ev", "rate", rate_type="dsr", years_of_data=3
        )
    if variant == "crude":
        return funnel_points(
            POINTS[["ev", "rate"]], "ev", "rate", rate_type="crude", years_of_data=3
        )
    return funnel_points(
        _max_events_set_to(0, ["ev", "rate", "pop"]),
        "ev",
        "rate",
        rate_type="crude",
        denominator="pop",
        years_of_data=5,
    )


SUFFIX = {"dsr": "", "crude": "_crude", "crude_with_denom": "_crude_with_denom"}


@pytest.mark.parametrize("variant", list(SUFFIX))
@pytest.mark.parametrize("case", rows(POINTS))
def test_points_match_reference_row(variant: str, case: pd.Series) -> None:
    result = points_case(variant).loc[case.name]
    assert_close(result["rate_chart"], case[f"rate_chart{SUFFIX[variant]}"])
    assert_close(
        result["denominator_derived"],
        case[f"denominator_derived{SUFFIX[variant]}"],
        rtol=FUNNEL_RTOL,
    )


def test_points_adds_two_columns() -> None:
    result = points_case("crude_with_denom")
    assert list(result.columns) == ["ev", "rate", "pop", "rate_chart", "denominator_derived"]


# --- kernels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "characters"),
    [(0, 1), (7, 1), (123456, 6), (100000, 5), (300000, 5), (1200000, 7), (123000000, 8)],
)
def test_r_counts_characters_of_round_numbers_in_scientific_notation(
    number: int, characters: int
) -> None:
    assert _r_nchar(number) == characters


def test_axis_rounding() -> None:
    assert signif_floor(0) == 0
    assert signif_floor(31000) == 20000
    assert signif_ceiling(104761.9) == 110000
    assert signif_ceiling(5.2) == 5.5
    # 0.95 x 129473685 floors to 123000000, printed by R as "1.23e+08" (8 characters).
    assert signif_floor(129473685) == 120000000


def test_axis_points_are_whole_increasing_and_end_at_the_maximum() -> None:
    points = axis_points(0, 110000)
    assert points[0] == 1
    assert points[-1] == 110000
    assert (np.diff(points) >= 1).all()
    assert (points == np.round(points)).all()
    ratio_points = axis_points(0, 750, ratio=True)
    assert ratio_points[-1] < 750


def test_bisection_matches_exact_limits_to_its_resolution() -> None:
    assert BISECTION_STEPS == 23
    observed = np.array([1.0, 5.0, 40.0, 1000.0])
    lower = exact_poisson_means(observed, np.array(0.025), np.array(True))
    upper = exact_poisson_means(observed, np.array(0.025), np.array(False))
    from scipy import special

    assert_close(lower, special.gammaincinv(observed, 0.025), rtol=1e-5)
    assert_close(upper, special.gammainccinv(observed + 1, 0.025), rtol=1e-5)


def test_proportion_limits_are_capped_at_the_multiplier() -> None:
    data = pd.DataFrame({"x": [9, 18, 1], "n": [10, 20, 2]})
    result = funnel_limits(data, "x", "n", statistic="proportion", multiplier=1)
    assert result["upper_3s_limit"].max() == 1
    assert result["lower_3s_limit"].min() == 0


def test_input_is_not_modified() -> None:
    data = POINTS[["ev", "rate", "pop"]].copy()
    before = data.copy()
    funnel_points(data, "ev", "rate", rate_type="dsr")
    funnel_significance(data, "ev", statistic="rate", rate="rate", rate_type="dsr", multiplier=1e5)
    funnel_limits(data, "ev", "pop", statistic="rate", rate="rate", rate_type="crude", multiplier=1)
    pd.testing.assert_frame_equal(data, before)


# --- errors -------------------------------------------------------------------------------

FRAME = pd.DataFrame({"x": [5, 8, 9], "n": [10, 20, 30], "r": [50.0, 40.0, 30.0]})


def _with(**columns: list[float | None]) -> pd.DataFrame:
    data = FRAME.copy()
    for name, values in columns.items():
        data[name] = values
    return data


PROPORTION = {"statistic": "proportion", "multiplier": 100}
CRUDE = {"statistic": "rate", "rate": "r", "rate_type": "crude", "multiplier": 1e5}
DSR = {"statistic": "rate", "rate": "r", "rate_type": "dsr", "multiplier": 1e5}

LIMIT_ERRORS = [
    (
        FRAME,
        ("x", "n"),
        {"statistic": "pop", "multiplier": 100},
        "statistic: must be one of 'proportion', 'ratio', 'rate'; got 'pop'",
    ),
    (
        FRAME,
        ("x",),
        {**CRUDE, "rate_type": "DSR"},
        "rate_type: must be one of 'dsr', 'crude'; got 'DSR'",
    ),
    (
        FRAME,
        ("x", "n"),
        {"statistic": "ratio", "ratio_type": "smr"},
        "ratio_type: must be one of 'count', 'isr'; got 'smr'",
    ),
    (
        FRAME,
        ("x", "n"),
        {"statistic": "ratio"},
        "ratio_type: must be 'count' or 'isr' when statistic is 'ratio'; got None",
    ),
    (
        FRAME,
        ("x",),
        {**CRUDE, "rate": None},
        "rate: must name the column of rates when statistic is 'rate'; got None",
    ),
    (
        FRAME,
        ("x",),
        {**CRUDE, "rate_type": None},
        "rate_type: must be 'dsr' or 'crude' when statistic is 'rate'; got None",
    ),
    (
        FRAME,
        ("x", "n"),
        {**PROPORTION, "rate": "r"},
        "rate: is only used when statistic is 'rate'; got 'r'",
    ),
    (
        FRAME,
        ("x", "n"),
        {**PROPORTION, "ratio_type": "isr"},
        "ratio_type: is only used for the limits of ratio funnels; got 'isr'",
    ),
    (
        FRAME,
        ("x", "n"),
        {"statistic": "proportion"},
        "multiplier: must be given for proportion funnels, e.g. 100 for percentages; got None",
    ),
    (
        FRAME,
        ("x",),
        {**CRUDE, "multiplier": None},
        "multiplier: must be given for rate funnels: the rates are per this many, "
        "e.g. 100000; got None",
    ),
    (
        FRAME,
        ("x", "n"),
        {"statistic": "ratio", "ratio_type": "isr", "multiplier": 1000},
        "multiplier: ratio funnel limits are O/E - 1 (count) or O/E x 100 (isr); "
        "leave it out or give 100; got 1000",
    ),
    (
        FRAME,
        ("x",),
        {**CRUDE, "years_of_data": 0},
        "years_of_data: must be greater than zero; got 0",
    ),
    (
        FRAME,
        ("x",),
        PROPORTION,
        "denominator: must name the column of populations for proportions; got None",
    ),
    (
        _with(x=[5, -3, 9]),
        ("x", "n"),
        PROPORTION,
        "numerator (column 'x'): must be >= 0 (counts cannot be negative); got -3 at row 1",
    ),
    (
        _with(x=[5, None, None]),
        ("x", "n"),
        PROPORTION,
        "numerator (column 'x'): must be given for every row, even when it is zero; "
        "got NA at row 1 (and 1 more rows)",
    ),
    (
        _with(n=[-10, 20, 30]),
        ("x", "n"),
        {"statistic": "ratio", "ratio_type": "count"},
        "denominator (column 'n'): must be > 0 (a denominator cannot be zero or negative); "
        "got -10 at row 0",
    ),
    (
        _with(n=[10, 20, 0]),
        ("x", "n"),
        PROPORTION,
        "denominator (column 'n'): must be > 0 (a denominator cannot be zero or negative); "
        "got 0 at row 2",
    ),
    (
        _with(n=[10, None, 30]),
        ("x", "n"),
        PROPORTION,
        "denominator (column 'n'): must be given for every row; got NA at row 1",
    ),
    (
        _with(x=[11, 8, 9]),
        ("x", "n"),
        PROPORTION,
        "numerator (column 'x'): must not exceed denominator (column 'n') for proportions; "
        "got 11 at row 0",
    ),
    (
        _with(x=[5, 0, 9]),
        ("x",),
        CRUDE,
        "denominator: must name the column of populations for crude rates when a numerator is 0 "
        "(the population cannot be derived from a zero rate); got None",
    ),
    (
        _with(x=[5, 0, 9], n=[10, None, 30]),
        ("x", "n"),
        CRUDE,
        "denominator (column 'n'): must be given where the numerator is 0 (crude rates); "
        "got NA at row 1",
    ),
    (
        _with(n=[10, 20, -30]),
        ("x", "n"),
        DSR,
        "denominator (column 'n'): must be > 0 (a denominator cannot be zero or negative); "
        "got -30 at row 2",
    ),
    (
        _with(r=[50.0, None, 30.0]),
        ("x",),
        DSR,
        "rate (column 'r'): must be given where the numerator is above zero; got NA at row 1",
    ),
    (
        _with(r=[50.0, 0.0, 30.0]),
        ("x",),
        CRUDE,
        "rate (column 'r'): must be > 0 where the numerator is above zero; got 0 at row 1",
    ),
    (
        _with(r=[50.0, -1.0, 30.0]),
        ("x",),
        CRUDE,
        "rate (column 'r'): must be >= 0 (rates cannot be negative); got -1 at row 1",
    ),
    (
        _with(x=[0, 0, 0]),
        ("x",),
        DSR,
        "numerator (column 'x'): a DSR funnel needs at least one row with a numerator above "
        "zero; got none",
    ),
    (
        FRAME,
        ("count", "n"),
        PROPORTION,
        "numerator: must name a column of data (columns: x, n, r); got 'count'",
    ),
    (
        pd.DataFrame(),
        ("x", "n"),
        PROPORTION,
        "data: must have at least one row; got an empty DataFrame",
    ),
]


@pytest.mark.parametrize(("data", "columns", "options", "message"), LIMIT_ERRORS)
def test_limits_errors(
    data: pd.DataFrame, columns: tuple[str, ...], options: dict[str, object], message: str
) -> None:
    with pytest.raises(StatsInputError) as error:
        funnel_limits(data, *columns, **options)  # type: ignore[arg-type]
    assert str(error.value) == message


SIGNIFICANCE_ERRORS = [
    (
        _with(x=[5, -3, 9]),
        ("x", "n"),
        {"statistic": "proportion"},
        "numerator (column 'x'): must be >= 0 (counts cannot be negative); got -3 at row 1",
    ),
    (
        _with(n=[10, 0, 30]),
        ("x", "n"),
        {"statistic": "ratio"},
        "denominator (column 'n'): must be > 0 (a denominator cannot be zero or negative); "
        "got 0 at row 1",
    ),
    (
        _with(x=[5, 8, 31]),
        ("x", "n"),
        {"statistic": "proportion"},
        "numerator (column 'x'): must not exceed denominator (column 'n') for proportions; "
        "got 31 at row 2",
    ),
    (
        FRAME,
        ("x",),
        {"statistic": "rate", "rate_type": "dsr", "multiplier": 100},
        "rate: must name the column of rates when statistic is 'rate'; got None",
    ),
    (
        FRAME,
        ("x",),
        {"statistic": "rate", "rate": "r", "multiplier": 100},
        "rate_type: must be 'dsr' or 'crude' when statistic is 'rate'; got None",
    ),
    (
        FRAME,
        ("x",),
        {"statistic": "rate", "rate": "r", "rate_type": "crude"},
        "multiplier: must be given for rate funnels: the rates are per this many, "
        "e.g. 100000; got None",
    ),
    (
        FRAME,
        ("x", "n"),
        {"statistic": "ratios"},
        "statistic: must be one of 'proportion', 'ratio', 'rate'; got 'ratios'",
    ),
    (
        pd.DataFrame({"x": [1, 2], "n": [3, 4]}, index=["a", "b"]).assign(x=[1, -2]),
        ("x", "n"),
        {"statistic": "ratio"},
        "numerator (column 'x'): must be >= 0 (counts cannot be negative); got -2 at row 'b'",
    ),
]


@pytest.mark.parametrize(("data", "columns", "options", "message"), SIGNIFICANCE_ERRORS)
def test_significance_errors(
    data: pd.DataFrame, columns: tuple[str, ...], options: dict[str, object], message: str
) -> None:
    with pytest.raises(StatsInputError) as error:
        funnel_significance(data, *columns, **options)  # type: ignore[arg-type]
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rate_type": None}, "rate_type: must be 'dsr' or 'crude'; got None"),
        ({"rate_type": "isr"}, "rate_type: must be one of 'dsr', 'crude'; got 'isr'"),
        ({"rate_type": "dsr", "multiplier": 0}, "multiplier: must be greater than zero; got 0"),
        (
            {"rate_type": "crude", "years_of_data": -1},
            "years_of_data: must be greater than zero; got -1",
        ),
    ],
)
def test_points_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        funnel_points(FRAME, "x", "r", **options)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_dsr_zero_rows_need_no_denominator() -> None:
    data = pd.DataFrame({"x": [0, 40, 50], "r": [None, 100.0, 120.0]})
    result = funnel_points(data, "x", "r", rate_type="dsr")
    assert np.isnan(result["denominator_derived"].iloc[0])
    labels = funnel_significance(
        data, "x", statistic="rate", rate="r", rate_type="dsr", multiplier=1e5
    )
    assert labels["significance"].iloc[0] == "Not applicable for events less than 10 for dsrs"


# --- invariants ---------------------------------------------------------------------------


@st.composite
def proportion_data(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(1, 25))
    n = draw(st.lists(st.integers(1, 10**6), min_size=size, max_size=size))
    x = [draw(st.integers(0, value)) for value in n]
    return pd.DataFrame({"x": x, "n": n})


@st.composite
def rate_data(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(1, 25))
    x = draw(st.lists(st.integers(1, 5000), min_size=size, max_size=size))
    r = draw(st.lists(st.floats(1, 5000), min_size=size, max_size=size))
    return pd.DataFrame({"x": x, "r": r})


def _assert_funnel_ordered(table: pd.DataFrame) -> None:
    tol = 1e-9 * np.maximum(1.0, table["baseline"].abs())
    assert not table.filter(like="limit").isna().any().any()
    assert (table["lower_3s_limit"] <= table["lower_2s_limit"] + tol).all()
    assert (table["lower_2s_limit"] <= table["baseline"] + tol).all()
    assert (table["baseline"] <= table["upper_2s_limit"] + tol).all()
    assert (table["upper_2s_limit"] <= table["upper_3s_limit"] + tol).all()


@given(proportion_data(), st.sampled_from([1, 100, 1000]))
def test_proportion_funnel_is_ordered(data: pd.DataFrame, multiplier: int) -> None:
    _assert_funnel_ordered(
        funnel_limits(data, "x", "n", statistic="proportion", multiplier=multiplier)
    )


@given(proportion_data(), st.sampled_from(["count", "isr"]))
def test_ratio_funnel_is_ordered(data: pd.DataFrame, ratio_type: str) -> None:
    _assert_funnel_ordered(funnel_limits(data, "x", "n", statistic="ratio", ratio_type=ratio_type))


@given(rate_data(), st.sampled_from(["dsr", "crude"]), st.sampled_from([1, 3]))
def test_rate_funnel_is_ordered(data: pd.DataFrame, rate_type: str, years: int) -> None:
    table = funnel_limits(
        data,
        "x",
        statistic="rate",
        rate="r",
        rate_type=rate_type,
        multiplier=1e5,
        years_of_data=years,
    )
    _assert_funnel_ordered(table)
    assert (np.diff(table["Events"]) >= 1).all()


@given(proportion_data(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_significance(data: pd.DataFrame, random: object) -> None:
    order = np.array(data.index)
    random.shuffle(order)  # type: ignore[attr-defined]
    for statistic in ("proportion", "ratio"):
        straight = funnel_significance(data, "x", "n", statistic=statistic)
        shuffled = funnel_significance(data.loc[order], "x", "n", statistic=statistic)
        pd.testing.assert_series_equal(
            straight["significance"], shuffled["significance"].loc[data.index]
        )
    rates = data.assign(r=1e5 * (data["x"] + 1) / data["n"], x=data["x"] + 1)
    for rate_type in ("dsr", "crude"):
        options = {"statistic": "rate", "rate": "r", "rate_type": rate_type, "multiplier": 1e5}
        straight = funnel_significance(rates, "x", **options)  # type: ignore[arg-type]
        shuffled = funnel_significance(rates.loc[order], "x", **options)  # type: ignore[arg-type]
        pd.testing.assert_series_equal(
            straight["significance"], shuffled["significance"].loc[data.index]
        )
