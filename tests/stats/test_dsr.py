"""dsr(): reference vectors, edge rules, error messages and invariants."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jsna.stats import StatsInputError
from jsna.stats.dsr import ESP2013, ESP2013_BANDS, dsr
from tests.paths import VECTORS
from tests.stats.vectors import assert_close, read_vector, rows

EXPECTED = read_vector("dsr_expected.csv")
EXPECTED = EXPECTED.assign(case=EXPECTED["area"] + "-" + EXPECTED["multiplier"].astype(str))
LIMITS = ["lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"]
OURS = ["lower_95", "upper_95", "lower_99_8", "upper_99_8"]
BOTH = (0.95, 0.998)
NON_INDEPENDENT = {"independent_events": False, "eventfreq": "freq", "ageband": "ageband"}


def _reference_call(case: pd.Series) -> tuple[pd.DataFrame, dict[str, object]]:
    """The input and arguments that produced one row of dsr_expected.csv."""
    data = read_vector(case["input_file"])
    data = data[data["area"] == case["area"]].reset_index(drop=True)
    arguments: dict[str, object] = {"group_by": "area", "multiplier": case["multiplier"]}
    if case["input_file"] == "dsr_input_multiarea.csv":
        return data[["area", "ageband", "count", "pop"]], {**arguments, "stdpop": "esp2013"}
    if case["input_file"] == "dsr_input_esp1976.csv":
        return data, {**arguments, "stdpop": "esp1976"}
    frame = data.rename(columns={"persons": "count"})[["area", "ageband", "pop", "freq", "count"]]
    return frame, {**arguments, "stdpop": "esp2013", **NON_INDEPENDENT}


def test_built_in_esp2013_is_the_shared_standard() -> None:
    path = VECTORS.parent / "esp2013.csv"
    if not path.is_file():
        pytest.fail(f"{path} not found: set JSNA_SHARED to the shared folder")
    shared = pd.read_csv(path)
    assert ESP2013.tolist() == shared["esp2013"].astype(float).tolist()
    assert list(ESP2013_BANDS) == shared["ageband"].tolist()
    assert ESP2013.sum() == 100_000


@pytest.mark.parametrize("case", rows(EXPECTED, "case"))
def test_matches_reference_row(case: pd.Series) -> None:
    data, arguments = _reference_call(case)
    result = dsr(data, "count", "pop", confidence=BOTH, **arguments)  # type: ignore[arg-type]
    assert len(result) == 1
    assert result["area"].iloc[0] == case["area"]
    for column in ("total_count", "total_pop", "value"):
        assert_close(result[column], [case[column]], what=column)
    assert_close(result[OURS].to_numpy()[0], case[LIMITS].to_numpy(dtype=float))
    assert result["statistic"].iloc[0] == case["statistic"]
    assert result["method"].iloc[0] == case["method"]
    assert result["confidence"].iloc[0] == "95%, 99.8%"


@pytest.mark.parametrize("input_file", ["dsr_input_multiarea.csv", "dsr_input_nonindependent.csv"])
def test_esp2013_column_gives_the_same_as_built_in(input_file: str) -> None:
    data = read_vector(input_file).rename(columns={"esp2013": "standard", "persons": "count"})
    extra = NON_INDEPENDENT if "persons" in read_vector(input_file) else {}
    built_in = dsr(data, "count", "pop", group_by="area", confidence=BOTH, **extra)  # type: ignore[arg-type]
    column = dsr(data, "count", "pop", group_by="area", stdpop="standard", confidence=BOTH, **extra)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(built_in, column, rtol=1e-12)
    assert len(built_in) == data["area"].nunique()


def test_all_areas_in_one_call_match_reference_rows() -> None:
    data = read_vector("dsr_input_multiarea.csv")
    result = dsr(data, "count", "pop", group_by="area", confidence=BOTH).set_index("area")
    expected = EXPECTED[
        (EXPECTED["input_file"] == "dsr_input_multiarea.csv") & (EXPECTED["multiplier"] == 100_000)
    ].set_index("area")
    assert list(result.index) == ["testdata_big", "testdata_small", "testdata_tiny"]
    assert_close(result["value"], expected.loc[result.index, "value"])
    assert_close(result[OURS].to_numpy(), expected.loc[result.index, LIMITS].to_numpy(dtype=float))
    assert list(result.columns) == [
        "total_count",
        "total_pop",
        "value",
        *OURS,
        "confidence",
        "statistic",
        "method",
    ]


@pytest.mark.parametrize(("level", "suffix"), [(0.95, "95"), (0.998, "99_8"), (99.8, "99_8")])
def test_one_level_gives_the_same_limits_as_two(level: float, suffix: str) -> None:
    data = read_vector("dsr_input_multiarea.csv")
    both = dsr(data, "count", "pop", group_by="area", confidence=BOTH)
    one = dsr(data, "count", "pop", group_by="area", confidence=level)
    assert list(one.columns[3:6]) == ["value", f"lower_{suffix}", f"upper_{suffix}"]
    assert_close(one[f"lower_{suffix}"], both[f"lower_{suffix}"])
    assert_close(one[f"upper_{suffix}"], both[f"upper_{suffix}"])
    assert one["confidence"].iloc[0] == ("95%" if suffix == "95" else "99.8%")


def test_ungrouped_is_one_row_without_group_columns() -> None:
    data = read_vector("dsr_input_esp1976.csv")
    result = dsr(data, "count", "pop", stdpop="esp1976", multiplier=10_000)
    expected = EXPECTED.set_index("case").loc["testdata_1976-10000"]
    assert list(result.columns[:3]) == ["total_count", "total_pop", "value"]
    assert_close(result["value"], [expected["value"]])
    assert_close(result["lower_95"], [expected["lower95_0cl"]])


EDGES = read_vector("edge_cases_derived.csv")


@pytest.mark.parametrize("case", rows(EDGES[EDGES["function"] == "calculate_dsr"], "case_id"))
def test_edge_cases(case: pd.Series) -> None:
    inputs = json.loads(case["inputs"])
    data = pd.DataFrame({"x": inputs["x"], "n": inputs["n"]})
    result = dsr(
        data,
        "x",
        "n",
        stdpop=inputs["stdpop"],
        confidence=case["confidence"],
        multiplier=case["multiplier"],
    )
    level = "95" if case["confidence"] == 0.95 else "99_8"
    assert_close(result["value"], [case["expected_value"]])
    assert_close(result[f"lower_{level}"], [case["expected_lower"]])
    assert_close(result[f"upper_{level}"], [case["expected_upper"]])
    assert result["method"].iloc[0] == case["expected_method"]
    total = sum(inputs["x"])
    statistic = "dsr per 100000" if total >= 10 else "dsr NA for total count < 10"
    assert result["statistic"].iloc[0] == statistic
    assert result["total_count"].iloc[0] == total


def test_missing_count_is_zero() -> None:
    data = read_vector("dsr_input_multiarea.csv")
    assert data["count"].isna().sum() == 1
    pd.testing.assert_frame_equal(
        dsr(data, "count", "pop", group_by="area"),
        dsr(data.fillna({"count": 0}), "count", "pop", group_by="area"),
    )


def test_groups_may_have_different_bands_with_a_stdpop_column() -> None:
    data = read_vector("dsr_input_multiarea.csv").query("area == 'testdata_big'")
    under_75 = data.iloc[:15].assign(area="under 75")
    both = pd.concat([data, under_75], ignore_index=True)
    result = dsr(both.rename(columns={"esp2013": "w"}), "count", "pop", group_by="area", stdpop="w")
    x, n, w = (under_75[column].to_numpy() for column in ("count", "pop", "esp2013"))
    rate = (x * w / n).sum() / w.sum()
    variance = (x * w**2 / n**2).sum() / w.sum() ** 2
    count = x.sum()
    z = 1.959963984540054
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * np.sqrt(count + 1))) ** 3
    assert result["area"].tolist() == ["testdata_big", "under 75"]
    assert_close(result["value"].iloc[1], rate * 1e5)
    assert_close(
        result["upper_95"].iloc[1], (rate + np.sqrt(variance / count) * (upper - count)) * 1e5
    )
    assert result["total_pop"].iloc[1] == n.sum()


def test_frequency_variance_uses_the_weights_of_its_own_bands() -> None:
    """README 4.7: var_f = sum(x w^2 / n^2) / (sum of w over the rows of frequency f)^2."""
    data = pd.DataFrame(
        {
            "band": ["young", "young", "old"],
            "freq": [1, 3, 1],
            "x": [8, 2, 10],
            "n": [1000, 1000, 500],
            "w": [6000, 6000, 4000],
        }
    )
    result = dsr(
        data,
        "x",
        "n",
        stdpop="w",
        multiplier=1,
        confidence=0.95,
        independent_events=False,
        eventfreq="freq",
        ageband="band",
    )
    events_young, events_old = 8 + 3 * 2, 10
    rate = (events_young * 6000 / 1000 + events_old * 4000 / 500) / 10000
    var_1 = (8 * 6000**2 / 1000**2 + 10 * 4000**2 / 500**2) / 10000**2
    var_3 = (2 * 6000**2 / 1000**2) / 6000**2
    variance = var_1 + 9 * var_3
    count = 24
    z = 1.959963984540054
    lower = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
    assert result["total_count"].iloc[0] == count
    assert result["total_pop"].iloc[0] == 1500
    assert_close(result["value"], [rate])
    assert_close(result["lower_95"], [rate + np.sqrt(variance / count) * (lower - count)])


def test_input_frame_is_not_modified() -> None:
    data = read_vector("dsr_input_nonindependent.csv")
    before = data.copy()
    dsr(data, "persons", "pop", group_by="area", **NON_INDEPENDENT)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(data, before)
    data = read_vector("dsr_input_multiarea.csv")
    before = data.copy()
    dsr(data, "count", "pop", group_by="area", confidence=BOTH)
    pd.testing.assert_frame_equal(data, before)


ERRORS = read_vector("dsr_isr_error_inputs.csv")
R_ERROR_CASES = {
    # case: (stdpop argument, our message); R's message is in the file's expected_error.
    "test_err1": (
        "stdpop",
        "x (column 'count'): must be >= 0 (counts cannot be negative); got -26 at row 5",
    ),
    "test_err2": (
        "esp2013",
        "n (column 'pop'): must be > 0 (a denominator cannot be zero or negative); got 0 at row 1",
    ),
    "test_err3": (
        "stdpop",
        "n (column 'pop'): must be > 0 (a denominator cannot be zero or negative); got -558 at row 1",
    ),
    "test_err4": (
        "stdpop",
        "stdpop (column 'stdpop'): must be >= 0 (standard population weights cannot be negative); "
        "got -6000 at row 5",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS["case"].unique()))
def test_reference_error_inputs(case: str) -> None:
    data = ERRORS[ERRORS["case"] == case].reset_index(drop=True)
    stdpop, message = R_ERROR_CASES[case]
    group_by = "area" if data["area"].notna().all() else None
    with pytest.raises(StatsInputError) as error:
        dsr(data, "count", "pop", group_by=group_by, stdpop=stdpop)
    assert str(error.value) == message


def _frame(**columns: object) -> pd.DataFrame:
    base: dict[str, object] = {"x": [5, 6], "n": [100, 200], "w": [1000, 2000]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize(
    ("data", "arguments", "message"),
    [
        (
            _frame(n=[100, None]),
            {"stdpop": "w"},
            "n (column 'n'): must not be missing (every age band needs a population); got NA at row 1",
        ),
        (
            _frame(w=[None, 2000]),
            {"stdpop": "w"},
            "stdpop (column 'w'): must not be missing (every age band needs a standard "
            "population weight); got NA at row 0",
        ),
        (
            _frame(w=[0, 0]),
            {"stdpop": "w"},
            "stdpop: must have a positive total in every group (some weight is needed); "
            "got a total of 0 in all rows",
        ),
        (
            _frame(),
            {"stdpop": "w", "multiplier": 0},
            "multiplier: must be greater than zero; got 0",
        ),
        (
            _frame(),
            {"stdpop": "esp2013"},
            "stdpop: 'esp2013' needs exactly 19 rows per group, the age bands 0-4, 5-9, ..., "
            "85-89, 90+ in that order; got 2 rows in all rows",
        ),
        (
            _frame(g=["a", "b"]),
            {"stdpop": "esp2013", "group_by": "g"},
            "stdpop: 'esp2013' needs exactly 19 rows per group, the age bands 0-4, 5-9, ..., "
            "85-89, 90+ in that order; got 1 rows in group g='a' (and 1 more groups)",
        ),
        (
            _frame(),
            {"stdpop": "esp1976"},
            "stdpop: must be 'esp2013' or name a column of data (columns: x, n, w); got 'esp1976'",
        ),
        (
            _frame(),
            {"stdpop": "w", "independent_events": "no"},
            "independent_events: must be True or False; got 'no'",
        ),
        (
            _frame(f=[1, 2]),
            {"stdpop": "w", "eventfreq": "f"},
            "eventfreq: is only used when independent_events is False; got 'f'",
        ),
        (
            _frame(f=[1, 2]),
            {"stdpop": "w", "independent_events": False, "eventfreq": "f"},
            "ageband: must name a column of data when independent_events is False; got None",
        ),
        (
            _frame(f=[1, 0], b=["0-4", "5-9"]),
            {"stdpop": "w", "independent_events": False, "eventfreq": "f", "ageband": "b"},
            "eventfreq (column 'f'): must be >= 1 (the number of events each person in the row "
            "had); got 0 at row 1",
        ),
        (
            _frame(f=[1, 2], b=["0-4", None]),
            {"stdpop": "w", "independent_events": False, "eventfreq": "f", "ageband": "b"},
            "ageband (column 'b'): must not be missing (every row needs its age band); "
            "got NA at row 1",
        ),
        (
            _frame(f=[1, 2], b=["0-4", "0-4"]),
            {"stdpop": "w", "independent_events": False, "eventfreq": "f", "ageband": "b"},
            "n (column 'n'): must be the same on every row of one age band in one group (one "
            "value per band, whatever the event frequency); got 200 at row 1",
        ),
        (
            _frame(f=[1, 2], b=["0-4", "0-4"], n=[100, 100]),
            {"stdpop": "w", "independent_events": False, "eventfreq": "f", "ageband": "b"},
            "stdpop (column 'w'): must be the same on every row of one age band in one group (one "
            "value per band, whatever the event frequency); got 2000 at row 1",
        ),
        (
            _frame(x=["five", 6]),
            {"stdpop": "w"},
            "x (column 'x'): must be numeric; got 'five' at row 0",
        ),
    ],
)
def test_bad_input(data: pd.DataFrame, arguments: dict[str, object], message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        dsr(data, "x", "n", **arguments)  # type: ignore[arg-type]
    assert str(error.value) == message


# ---- invariants -------------------------------------------------------------------------


@st.composite
def banded(draw: st.DrawFn) -> pd.DataFrame:
    """Several areas, each with its own number of bands and a stdpop column."""
    frames = []
    for area in range(draw(st.integers(1, 4))):
        bands = draw(st.integers(1, 6))
        frames.append(
            pd.DataFrame(
                {
                    "area": f"A{area}",
                    "band": range(bands),
                    "x": draw(st.lists(st.integers(0, 80), min_size=bands, max_size=bands)),
                    "n": draw(st.lists(st.integers(1, 5000), min_size=bands, max_size=bands)),
                    "w": draw(st.lists(st.integers(1, 9000), min_size=bands, max_size=bands)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _assert_ordered(result: pd.DataFrame) -> None:
    shown = result[result["total_count"] >= 10]
    tol = 1e-9 * np.maximum(1.0, shown["value"].abs())
    assert (shown["lower_99_8"] <= shown["lower_95"] + tol).all()
    assert (shown["lower_95"] <= shown["value"] + tol).all()
    assert (shown["value"] <= shown["upper_95"] + tol).all()
    assert (shown["upper_95"] <= shown["upper_99_8"] + tol).all()
    hidden = result[result["total_count"] < 10]
    assert hidden[["value", *OURS]].isna().all().all()


@settings(max_examples=60, deadline=None)
@given(banded(), st.data())
def test_limits_ordered_and_row_order_does_not_matter(
    data: pd.DataFrame, draw: st.DataObject
) -> None:
    result = dsr(data, "x", "n", group_by="area", stdpop="w", confidence=BOTH)
    _assert_ordered(result)
    shuffled = data.iloc[draw.draw(st.permutations(range(len(data))))]
    again = dsr(shuffled, "x", "n", group_by="area", stdpop="w", confidence=BOTH)
    pd.testing.assert_frame_equal(
        result.sort_values("area", ignore_index=True),
        again.sort_values("area", ignore_index=True),
        rtol=1e-12,
    )


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), min_size=19, max_size=19), min_size=1, max_size=4))
def test_esp2013_areas_in_any_order(counts: list[list[int]]) -> None:
    data = pd.concat(
        [
            pd.DataFrame({"area": f"A{i}", "x": x, "n": 1000 + 10 * np.arange(19)})
            for i, x in enumerate(counts)
        ],
        ignore_index=True,
    )
    result = dsr(data, "x", "n", group_by="area", confidence=BOTH)
    _assert_ordered(result)
    reversed_areas = pd.concat([group for _, group in data.groupby("area")][::-1])
    again = dsr(reversed_areas, "x", "n", group_by="area", confidence=BOTH)
    pd.testing.assert_frame_equal(
        result.sort_values("area", ignore_index=True),
        again.sort_values("area", ignore_index=True),
    )
    # Rows interleaved (all areas' 0-4 bands, then all 5-9 ...), each area's order kept:
    interleaved = data.iloc[np.argsort(np.tile(np.arange(19), len(counts)), kind="stable")]
    again = dsr(interleaved, "x", "n", group_by="area", confidence=BOTH)
    pd.testing.assert_frame_equal(result, again, rtol=1e-12)
    weights = np.tile(ESP2013, len(counts))
    with_column = dsr(data.assign(w=weights), "x", "n", group_by="area", stdpop="w")
    assert_close(with_column["value"], result["value"])


@settings(max_examples=40, deadline=None)
@given(banded())
def test_one_event_each_is_the_independent_dsr(data: pd.DataFrame) -> None:
    independent = dsr(data, "x", "n", group_by="area", stdpop="w", confidence=BOTH)
    persons = dsr(
        data.assign(f=1),
        "x",
        "n",
        group_by="area",
        stdpop="w",
        confidence=BOTH,
        independent_events=False,
        eventfreq="f",
        ageband="band",
    )
    numbers = ["total_count", "total_pop", "value", *OURS]
    pd.testing.assert_frame_equal(independent[numbers], persons[numbers], rtol=1e-12)
    assert (
        persons["method"] == "Dobson, with confidence adjusted for non-independent events"
    ).all()


@settings(max_examples=40, deadline=None)
@given(banded(), st.integers(2, 4))
def test_repeat_events_widen_the_interval(data: pd.DataFrame, frequency: int) -> None:
    """Persons with f events each: the same DSR as f*x independent events, wider limits."""
    independent = dsr(data.assign(x=data["x"] * frequency), "x", "n", group_by="area", stdpop="w")
    persons = dsr(
        data.assign(f=frequency),
        "x",
        "n",
        group_by="area",
        stdpop="w",
        independent_events=False,
        eventfreq="f",
        ageband="band",
    )
    assert_close(persons["value"], independent["value"])
    shown = persons["total_count"] >= 10
    tol = 1e-9 * persons["value"][shown]
    assert (persons["lower_95"][shown] <= independent["lower_95"][shown] + tol).all()
    assert (persons["upper_95"][shown] >= independent["upper_95"][shown] - tol).all()
