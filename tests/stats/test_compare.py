"""compare_to_benchmark() and benchmark_quintiles(): Fingertips vectors, edge rules, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jsna.stats import StatsInputError
from jsna.stats.compare import (
    benchmark_quintiles,
    compare_to_benchmark,
    quintile_bounds,
    sort_within_groups,
)
from tests.stats.vectors import read_vector, rows

COMPARISONS = read_vector("benchmark_comparison_derived.csv")
QUINTILES = read_vector("fingertips_quintiles_derived.csv")

# The vectors use Fingertips' capitalised names; ours are lower case. Fingertips
# BOB marks a 99.8% difference "(99.8%)"; our no-judgement labels do not tell the
# two levels apart, so "Lower (99.8%)" is plain "lower".
LABEL = {
    "Same": "similar",
    "Better": "better",
    "Worse": "worse",
    "Best": "best",
    "Worst": "worst",
    "Higher": "higher",
    "Lower": "lower",
    "Higher (99.8%)": "higher",
    "Lower (99.8%)": "lower",
    "None (not compared)": "not compared",
}
# Fingertips polarity names; "not applicable" (-1) is a missing polarity in a column.
POLARITY = {
    "RAG_high_is_good": "high_is_good",
    "RAG_low_is_good": "low_is_good",
    "BOB_no_judgement": "no_judgement",
    "not_applicable": None,
}
ROLE = {
    ("high_is_good", "similar"): "rag-similar",
    ("high_is_good", "better"): "rag-better",
    ("high_is_good", "worse"): "rag-worse",
    ("high_is_good", "best"): "rag-best",
    ("high_is_good", "worst"): "rag-worst",
    ("low_is_good", "similar"): "rag-similar",
    ("low_is_good", "better"): "rag-better",
    ("low_is_good", "worse"): "rag-worse",
    ("low_is_good", "best"): "rag-best",
    ("low_is_good", "worst"): "rag-worst",
    ("no_judgement", "higher"): "bob-higher",
    ("no_judgement", "lower"): "bob-lower",
    ("no_judgement", "similar"): "bob-similar",
}


def _one_row(case: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": [case["value"]],
            "lower_95": [case["lower95"]],
            "upper_95": [case["upper95"]],
            "lower_99_8": [case["lower99_8"]],
            "upper_99_8": [case["upper99_8"]],
            "benchmark": [case["benchmark_value"]],
            "polarity": pd.Series([POLARITY[case["polarity"]]], dtype=object),
        }
    )


def _role(polarity: str | None, label: str) -> str:
    return "none" if label == "not compared" else ROLE[(str(polarity), label)]


@pytest.mark.parametrize("case", rows(COMPARISONS, "case_id"))
def test_single_95_matches_vector(case: pd.Series) -> None:
    data = _one_row(case)
    result = compare_to_benchmark(
        data, "value", "lower_95", "upper_95", "benchmark", polarity="polarity"
    )
    expected = LABEL[case["expected_single_95"]]
    assert result["comparison"].iloc[0] == expected
    assert result["comparison_role"].iloc[0] == _role(data["polarity"].iloc[0], expected)
    if data["polarity"].iloc[0] is not None:
        scalar = compare_to_benchmark(
            data, "value", "lower_95", "upper_95", case["benchmark_value"],
            polarity=data["polarity"].iloc[0],
        )  # fmt: skip
        assert scalar["comparison"].iloc[0] == expected


@pytest.mark.parametrize("case", rows(COMPARISONS, "case_id"))
def test_two_levels_match_vector(case: pd.Series) -> None:
    data = _one_row(case)
    result = compare_to_benchmark(
        data,
        "value",
        ("lower_95", "lower_99_8"),
        ("upper_95", "upper_99_8"),
        "benchmark",
        polarity="polarity",
    )
    expected = LABEL[case["expected_two_level_95_998"]]
    assert result["comparison"].iloc[0] == expected
    assert result["comparison_role"].iloc[0] == _role(data["polarity"].iloc[0], expected)


@pytest.mark.parametrize(
    ("benchmark", "high", "low"),
    [
        (3.0, "worst", "best"),
        (2.9, "worse", "better"),
        (2.8, "worse", "better"),
        (2.7, "similar", "similar"),
        (2.6, "similar", "similar"),
        (2.5, "similar", "similar"),
        (2.4, "better", "worse"),
        (2.3, "better", "worse"),
        (2.2, "best", "worst"),
    ],
)
def test_two_levels_fingertips_unit_cases(benchmark: float, high: str, low: str) -> None:
    # fingertips-open SingleOverlappingCIsForTwoCILevelsComparerTest (data 2.3/2.5/2.6/2.7/2.9),
    # plus each limit itself: equality with a limit is the less significant side.
    data = pd.DataFrame(
        {"v": [2.6], "l95": [2.5], "u95": [2.7], "l998": [2.3], "u998": [2.9], "b": [benchmark]}
    )
    args = (data, "v", ("l95", "l998"), ("u95", "u998"), "b")
    assert compare_to_benchmark(*args, polarity="high_is_good")["comparison"].iloc[0] == high
    assert compare_to_benchmark(*args, polarity="low_is_good")["comparison"].iloc[0] == low


def test_missing_inputs_are_not_compared_and_frame_is_kept() -> None:
    data = pd.DataFrame(
        {
            "v": [10.0, np.nan, 10.0, 10.0, 10.0],
            "lo": [8.0, 8.0, np.nan, 8.0, 8.0],
            "hi": [12.0, 12.0, 12.0, np.nan, 12.0],
            "b": [20.0, 20.0, 20.0, 20.0, np.nan],
        },
        index=["a", "b", "c", "d", "e"],
    )
    before = data.copy()
    result = compare_to_benchmark(data, "v", "lo", "hi", "b", polarity="high_is_good")
    pd.testing.assert_frame_equal(data, before)
    assert result.index.equals(data.index)
    assert list(result.columns) == [*data.columns, "comparison", "comparison_role"]
    assert result["comparison"].tolist() == ["worse"] + ["not compared"] * 4
    assert result["comparison_role"].tolist() == ["rag-worse"] + ["none"] * 4


def test_polarity_column_mixes_polarities() -> None:
    data = pd.DataFrame(
        {
            "v": [10.0] * 4,
            "lo": [8.0] * 4,
            "hi": [12.0] * 4,
            "p": ["high_is_good", "low_is_good", "no_judgement", None],
        }
    )
    result = compare_to_benchmark(data, "v", "lo", "hi", 5, polarity="p")
    assert result["comparison"].tolist() == ["better", "worse", "higher", "not compared"]
    assert result["comparison_role"].tolist() == ["rag-better", "rag-worse", "bob-higher", "none"]


def _interval_frame() -> pd.DataFrame:
    return pd.DataFrame({"v": [1.0, 2.0], "lo": [0.5, 3.0], "hi": [1.5, 2.5], "b": [1.0, 1.0]})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"polarity": "up"},
            "polarity: must be one of 'high_is_good', 'low_is_good', 'no_judgement' "
            "or the name of a column holding them; got 'up'",
        ),
        (
            {"lower": "hi", "upper": "lo", "polarity": "high_is_good"},
            "lower (column 'hi'): must not exceed upper (column 'lo'); got 1.5 at row 0",
        ),
        (
            {"polarity": "high_is_good"},
            "lower (column 'lo'): must not exceed upper (column 'hi'); got 3 at row 1",
        ),
        (
            {"lower": ("lo", "lo", "lo"), "polarity": "high_is_good"},
            "lower: must be one column name or a pair of column names (lower_95, lower_99_8); "
            "got ('lo', 'lo', 'lo')",
        ),
        (
            {"lower": ("lo", "lo"), "polarity": "high_is_good"},
            "lower, upper: must both be single columns (95%) or both pairs (95%, 99.8%); "
            "got lower=('lo', 'lo'), upper='hi'",
        ),
        (
            {"benchmark": float("nan"), "polarity": "high_is_good"},
            "benchmark: must be a finite number; got nan",
        ),
        (
            {"benchmark": "target", "polarity": "high_is_good"},
            "benchmark: must name a column of data (columns: v, lo, hi, b); got 'target'",
        ),
    ],
)
def test_bad_input_names_argument_rule_and_value(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"value": "v", "lower": "lo", "upper": "hi", "benchmark": "b"}
    arguments.update(kwargs)
    with pytest.raises(StatsInputError) as error:
        compare_to_benchmark(_interval_frame(), **arguments)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_bad_polarity_in_a_column() -> None:
    data = pd.DataFrame(
        {"v": [1.0, 1.0], "lo": [0.0, 0.0], "hi": [2.0, 2.0], "p": ["low_is_good", "RAG"]}
    )
    with pytest.raises(StatsInputError) as error:
        compare_to_benchmark(data, "v", "lo", "hi", 1, polarity="p")
    assert str(error.value) == (
        "polarity (column 'p'): must be one of 'high_is_good', 'low_is_good', 'no_judgement' "
        "(or missing: not compared); got 'RAG' at row 1"
    )


def test_two_level_intervals_must_nest() -> None:
    data = pd.DataFrame({"v": [1.0], "l95": [0.5], "u95": [1.5], "l998": [0.6], "u998": [1.6]})
    with pytest.raises(StatsInputError) as error:
        compare_to_benchmark(
            data, "v", ("l95", "l998"), ("u95", "u998"), 1, polarity="no_judgement"
        )
    assert str(error.value) == (
        "lower (column 'l998'): must not exceed lower (column 'l95') "
        "(the 99.8% interval contains the 95% interval); got 0.6 at row 0"
    )
    data["l998"] = 0.4
    data["u998"] = 1.4
    with pytest.raises(StatsInputError) as error:
        compare_to_benchmark(
            data, "v", ("l95", "l998"), ("u95", "u998"), 1, polarity="no_judgement"
        )
    assert str(error.value) == (
        "upper (column 'u998'): must not be below upper (column 'u95') "
        "(the 99.8% interval contains the 95% interval); got 1.4 at row 0"
    )


@st.composite
def intervals(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(1, 30))
    number = st.integers(-50, 50).map(float)
    value = draw(st.lists(number, min_size=size, max_size=size))
    spread = [draw(st.lists(st.integers(0, 20).map(float), min_size=4, max_size=4)) for _ in value]
    data = pd.DataFrame(
        {
            "value": value,
            "l95": [v - s[0] for v, s in zip(value, spread, strict=True)],
            "u95": [v + s[1] for v, s in zip(value, spread, strict=True)],
            "benchmark": draw(st.lists(number, min_size=size, max_size=size)),
        }
    )
    data["l998"] = data["l95"] - [s[2] for s in spread]
    data["u998"] = data["u95"] + [s[3] for s in spread]
    return data


TWO = {"lower": ("l95", "l998"), "upper": ("u95", "u998")}
ONE = {"lower": "l95", "upper": "u95"}


@given(intervals(), st.data(), st.sampled_from([ONE, TWO]))
def test_row_order_does_not_matter(
    data: pd.DataFrame, draw: st.DataObject, levels: dict[str, object]
) -> None:
    shuffled = data.iloc[draw.draw(st.permutations(range(len(data))))]
    a = compare_to_benchmark(data, "value", benchmark="benchmark", polarity="low_is_good", **levels)  # type: ignore[arg-type]
    b = compare_to_benchmark(
        shuffled, "value", benchmark="benchmark", polarity="low_is_good", **levels
    )  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(a, b.loc[a.index])


SWAP = {"better": "worse", "worse": "better", "best": "worst", "worst": "best"}


@given(intervals(), st.sampled_from([ONE, TWO]))
def test_swapping_polarity_swaps_better_and_worse(
    data: pd.DataFrame, levels: dict[str, object]
) -> None:
    def run(polarity: str) -> pd.Series:
        return compare_to_benchmark(
            data, "value", benchmark="benchmark", polarity=polarity, **levels
        )["comparison"]  # type: ignore[arg-type]

    high, low, neutral = run("high_is_good"), run("low_is_good"), run("no_judgement")
    assert low.tolist() == [SWAP.get(label, label) for label in high]
    direction = {"best": "higher", "better": "higher", "worse": "lower", "worst": "lower"}
    assert neutral.tolist() == [direction.get(label, label) for label in high]


# ---------------------------------------------------------------------------- quintiles

QUINTILE_LABEL = {
    "high_is_good": ["best", "better", "middle", "worse", "worst"],
    "low_is_good": ["best", "better", "middle", "worse", "worst"],
    "no_judgement": ["lowest", "low", "middle", "high", "highest"],
}


@pytest.mark.parametrize("case", rows(QUINTILES))
def test_quintiles_match_vector(case: pd.Series) -> None:
    results = {
        polarity: benchmark_quintiles(QUINTILES, "value", polarity=polarity).loc[case.name]
        for polarity in ("high_is_good", "low_is_good", "no_judgement")
    }
    assert results["high_is_good"]["quintile"] == case["quintile_RAG_high_is_good"]
    assert results["low_is_good"]["quintile"] == case["quintile_other_polarity"]
    assert results["no_judgement"]["quintile"] == case["quintile_other_polarity"]
    assert results["no_judgement"]["quintile"] == case["bound_index"]
    for polarity, result in results.items():
        assert result["quintile_label"] == QUINTILE_LABEL[polarity][result["quintile"] - 1]


def test_quintile_bounds_match_vector_and_fingertips_unit_test() -> None:
    expected = [float(b) for b in QUINTILES["bounds"].iloc[0].split(";")]
    values = np.sort(QUINTILES["value"].to_numpy(dtype=float))
    bounds = quintile_bounds(values, np.array([0.0]), np.array([float(len(values))]))
    assert bounds[0].tolist() == expected[1:5]
    # fingertips-open QuintilesCalculatorTest: 1..50 gives exactly 10.8, 20.6, 30.4, 40.2
    # (30.4 needs the 10 dp rounding: the raw interpolation is 30.400000000000006).
    ones = np.arange(1.0, 51.0)
    assert quintile_bounds(ones, np.array([0.0]), np.array([50.0]))[0].tolist() == [
        10.8,
        20.6,
        30.4,
        40.2,
    ]


def test_quintiles_need_five_valid_values_per_group_and_keep_rows() -> None:
    data = pd.DataFrame(
        {
            "g": ["a"] * 6 + ["b"] * 5,
            "v": [5.0, 1.0, np.nan, 4.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, np.nan],
        },
        index=range(100, 111),
    )
    result = benchmark_quintiles(data, "v", polarity="no_judgement", group_by="g")
    assert result.index.equals(data.index)
    assert str(result["quintile"].dtype) == "Int64"
    assert result["quintile"].tolist() == [5, 1, pd.NA, 4, 2, 3] + [pd.NA] * 5
    assert result["quintile_label"].iloc[:2].tolist() == ["highest", "lowest"]
    assert result["quintile_label"].iloc[6:].isna().all()


def test_quintiles_grouped_equal_each_group_alone() -> None:
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"g": rng.integers(0, 40, 600), "v": rng.normal(size=600).round(1)})
    data.loc[rng.choice(600, 30, replace=False), "v"] = np.nan
    grouped = benchmark_quintiles(data, "v", polarity="high_is_good", group_by="g")
    alone = pd.concat(
        benchmark_quintiles(part, "v", polarity="high_is_good") for _, part in data.groupby("g")
    ).loc[data.index]
    pd.testing.assert_frame_equal(grouped, alone)


def test_quintiles_bad_polarity() -> None:
    with pytest.raises(StatsInputError) as error:
        benchmark_quintiles(QUINTILES, "value", polarity="RAG")
    assert str(error.value) == (
        "polarity: must be one of 'high_is_good', 'low_is_good', 'no_judgement'; got 'RAG'"
    )


def test_sort_within_groups_is_a_stable_sort_by_group() -> None:
    rng = np.random.default_rng(5)
    for top in (3, 70_000, 5_000_000_000):
        codes = rng.integers(0, top, 50_000).astype(np.intp)
        order = rng.permutation(50_000).astype(np.intp)
        expected = order[np.argsort(codes[order], kind="stable")]
        np.testing.assert_array_equal(sort_within_groups(order, codes), expected)
