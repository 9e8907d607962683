"""quantiles(): reference vectors, invert rules, error messages and Hypothesis invariants.

The four configurations of the PHEindicatormethods tests (README section 2):
(1) GroupSet "IndSexReg" grouped by IndSexRef and ParentCode, invert from the
``invert`` column, deciles; (2) GroupSet "IndSex" grouped by IndSexRef,
invert column, 7 quantiles; (3) GroupSet "None" (read as missing by pandas)
ungrouped, invert=True, quartiles; (4) indicator 90366Female of (1) with
invert=False. One case per vector row; assignments must match exactly.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jsna.stats._validate import StatsInputError
from jsna.stats.quantiles import quantiles
from tests.stats.vectors import read_vector

VECTOR = read_vector("quantiles.csv")

CONFIGURATIONS: dict[str, tuple[pd.Series, dict[str, Any]]] = {
    "grouped-field": (
        VECTOR["GroupSet"] == "IndSexReg",
        {"group_by": ["IndSexRef", "ParentCode"], "invert": "invert"},
    ),
    "septiles-field": (
        VECTOR["GroupSet"] == "IndSex",
        {"group_by": "IndSexRef", "invert": "invert", "nquantiles": 7},
    ),
    "ungrouped-quartiles": (VECTOR["GroupSet"].isna(), {"nquantiles": 4}),
    "grouped-logical": (
        (VECTOR["GroupSet"] == "IndSexReg") & (VECTOR["IndSexRef"] == "90366Female"),
        {"group_by": ["IndSexRef", "ParentCode"], "invert": False},
    ),
}


@cache
def _assigned(configuration: str) -> pd.DataFrame:
    selected, arguments = CONFIGURATIONS[configuration]
    return quantiles(VECTOR[selected], "Value", **arguments)


def _cases() -> list[object]:
    params = []
    for configuration, (selected, _) in CONFIGURATIONS.items():
        for label in VECTOR.index[selected]:
            params.append(pytest.param(configuration, label, id=f"{configuration}-row{label}"))
    return params


def test_configurations_cover_the_vector() -> None:
    sizes = {name: int(selected.sum()) for name, (selected, _) in CONFIGURATIONS.items()}
    assert sizes == {
        "grouped-field": 339,
        "septiles-field": 152,
        "ungrouped-quartiles": 491,
        "grouped-logical": 152,
    }


@pytest.mark.parametrize(("configuration", "label"), _cases())
def test_matches_reference_row(configuration: str, label: int) -> None:
    got = _assigned(configuration).loc[label, "quantile"]
    expected = VECTOR.loc[label, "expected_quantile"]
    if np.isnan(expected):
        assert pd.isna(got)
    else:
        assert not pd.isna(got)
        assert int(got) == int(expected)


def test_output_keeps_input_and_adds_a_nullable_integer_column() -> None:
    data = VECTOR[VECTOR["GroupSet"] == "IndSexReg"]
    before = data.copy()
    result = quantiles(data, "Value", group_by=["IndSexRef", "ParentCode"], invert="invert")
    pd.testing.assert_frame_equal(data, before)
    assert list(result.columns) == [*data.columns, "quantile"]
    assert result.index.equals(data.index)
    assert str(result["quantile"].dtype) == "Int64"
    # Running it again replaces the column rather than adding another.
    again = quantiles(result, "Value", group_by=["IndSexRef", "ParentCode"], invert="invert")
    assert list(again.columns) == list(result.columns)
    pd.testing.assert_series_equal(again["quantile"], result["quantile"])


def test_missing_values_and_small_groups_get_na() -> None:
    data = pd.DataFrame(
        {
            "g": ["a"] * 6 + ["b"] * 3,
            "v": [5.0, np.nan, 3.0, 1.0, 4.0, 2.0, 1.0, 2.0, 3.0],
        }
    )
    result = quantiles(data, "v", group_by="g", nquantiles=5, invert=False)
    # Group a: 5 values for 5 quantiles, ranked from the lowest; group b: too few.
    assert result["quantile"].tolist() == [5, pd.NA, 3, 1, 4, 2, pd.NA, pd.NA, pd.NA]


def test_ties_share_the_quantile_of_their_lowest_rank() -> None:
    data = pd.DataFrame({"v": [10.0, 20, 20, 20, 30, 40, 50, 60, 70, 80]})
    result = quantiles(data, "v", nquantiles=5, invert=False)
    # ranks 1, 2, 2, 2, 5, ...: q = floor(6 - ceil((11 - rank) / 2))
    assert result["quantile"].tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    inverted = quantiles(data, "v", nquantiles=5)
    assert inverted["quantile"].tolist() == [5, 4, 4, 4, 3, 3, 2, 2, 1, 1]


def test_invert_column_may_hold_ones_and_zeros() -> None:
    data = VECTOR[VECTOR["GroupSet"] == "IndSexReg"]
    as_numbers = data.assign(invert=data["invert"].astype(int))
    arguments: dict[str, Any] = {"group_by": ["IndSexRef", "ParentCode"], "invert": "invert"}
    pd.testing.assert_series_equal(
        quantiles(as_numbers, "Value", **arguments)["quantile"],
        quantiles(data, "Value", **arguments)["quantile"],
    )


def test_group_keys_of_any_kind_give_the_same_assignment() -> None:
    # Integer keys in a short range take a path without hashing; text keys are hashed.
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, 2000)
    values = rng.integers(0, 30, 2000).astype(float)
    as_int = quantiles(pd.DataFrame({"g": keys, "v": values}), "v", group_by="g")
    as_text = quantiles(pd.DataFrame({"g": keys.astype(str), "v": values}), "v", group_by="g")
    pd.testing.assert_series_equal(as_int["quantile"], as_text["quantile"])


def test_bad_polarity_vector_raises() -> None:
    data = read_vector("quantiles_bad_polarity_input.csv")
    with pytest.raises(StatsInputError) as error:
        quantiles(data, "Value", group_by="IndSexRef", invert="invert", nquantiles=7)
    assert str(error.value) == (
        "invert (column 'invert'): must be the same on every row of a group; got True at row 0 "
        "and False at row 13 in group IndSexRef='11111Female'"
    )


SMALL = pd.DataFrame({"g": ["a", "a", "b"], "v": [1.0, 2.0, 3.0], "flag": [True, False, True]})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"values": "g"},
            "values (column 'g'): must be numeric; got 'a' at row 0",
        ),
        (
            {"values": "w"},
            "values: must name a column of data (columns: g, v, flag); got 'w'",
        ),
        (
            {"invert": "flag", "group_by": "g"},
            "invert (column 'flag'): must be the same on every row of a group; got True at row 0 "
            "and False at row 1 in group g='a'",
        ),
        (
            {"invert": "flag"},
            "invert (column 'flag'): must be the same on every row of a group; got True at row 0 "
            "and False at row 1 among the rows (ungrouped)",
        ),
        (
            {"invert": "g"},
            "invert (column 'g'): must hold True or False (or 1 or 0); got 'a' at row 0",
        ),
        (
            {"invert": 6},
            "invert: must be True, False or the name of a column of data (columns: g, v, flag); "
            "got 6",
        ),
        (
            {"invert": "Pol"},
            "invert: must be True, False or the name of a column of data (columns: g, v, flag); "
            "got 'Pol'",
        ),
        ({"nquantiles": 0}, "nquantiles: must be a whole number of at least 1; got 0"),
        ({"nquantiles": 2.5}, "nquantiles: must be a whole number of at least 1; got 2.5"),
        ({"nquantiles": True}, "nquantiles: must be a whole number of at least 1; got True"),
        (
            {"group_by": "h"},
            "group_by: must name a column of data (columns: g, v, flag); got 'h'",
        ),
    ],
)
def test_bad_input_names_argument_rule_and_value(arguments: dict[str, Any], message: str) -> None:
    arguments.setdefault("values", "v")
    with pytest.raises(StatsInputError) as error:
        quantiles(SMALL, **arguments)
    assert str(error.value) == message


def test_not_a_data_frame() -> None:
    with pytest.raises(StatsInputError) as error:
        quantiles([1, 2, 3], "v")  # type: ignore[arg-type]
    assert str(error.value) == "data: must be a pandas DataFrame; got list"


# Hypothesis invariants -------------------------------------------------------------


def _reference(data: pd.DataFrame, nq: int, invert: bool) -> list[object]:
    """The README formula through pandas' own grouped ranking (a slow, independent oracle)."""
    signed = -data["v"] if invert else data["v"]
    rank = signed.groupby(data["g"]).rank(method="min")
    count = data["v"].groupby(data["g"]).transform("count")
    assigned = np.floor((nq + 1) - np.ceil(((count + 1) - rank) / (count / nq)))
    assigned = assigned.clip(lower=1).where((count >= nq) & rank.notna())
    return [pd.NA if pd.isna(q) else int(q) for q in assigned]


@st.composite
def grouped_values(draw: st.DrawFn) -> pd.DataFrame:
    """Groups of very different sizes (all three ranking layouts), with ties and NAs."""
    sizes = draw(st.lists(st.integers(1, 60), min_size=1, max_size=6))
    if draw(st.booleans()):
        sizes = [sizes[0]] * len(sizes)  # equal sizes
    size = sum(sizes)
    values = draw(
        st.lists(
            st.one_of(st.integers(-5, 5).map(float), st.floats(-1e6, 1e6), st.just(np.nan)),
            min_size=size,
            max_size=size,
        )
    )
    groups = np.repeat(np.arange(len(sizes)), sizes)
    order = draw(st.permutations(list(range(size))))
    return pd.DataFrame({"g": groups[order], "v": np.asarray(values)[order]})


@given(grouped_values(), st.integers(1, 12), st.booleans())
@settings(max_examples=150)
def test_matches_an_independent_grouped_rank(data: pd.DataFrame, nq: int, invert: bool) -> None:
    result = quantiles(data, "v", group_by="g", nquantiles=nq, invert=invert)
    assert result["quantile"].tolist() == _reference(data, nq, invert)


@given(grouped_values(), st.integers(1, 12), st.booleans(), st.randoms())
@settings(max_examples=100)
def test_monotone_in_value_and_independent_of_row_order(
    data: pd.DataFrame, nq: int, invert: bool, random: Any
) -> None:
    result = quantiles(data, "v", group_by="g", nquantiles=nq, invert=invert)
    assigned = result.dropna(subset=["quantile"])
    for _, group in assigned.groupby("g"):
        ordered = group.sort_values("v")["quantile"].astype(int).to_numpy()
        steps = np.diff(ordered)
        # Higher values never get a lower quantile (a higher one when inverted).
        assert (steps <= 0).all() if invert else (steps >= 0).all()
        assert ordered.min() >= 1
        assert ordered.max() <= nq
    order = list(range(len(data)))
    random.shuffle(order)
    shuffled = quantiles(data.iloc[order], "v", group_by="g", nquantiles=nq, invert=invert)
    pd.testing.assert_series_equal(shuffled["quantile"].sort_index(), result["quantile"])
