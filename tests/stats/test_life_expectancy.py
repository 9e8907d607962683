"""life_expectancy(): reference vectors, suppression notes, labels, le_age, errors, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jsna.stats._validate import StatsInputError
from jsna.stats.life_expectancy import AGES, CI_TOO_WIDE, NO_SURVIVORS, life_expectancy
from tests.stats.vectors import assert_close, read_vector, rows

INPUT = read_vector("life_expectancy_input.csv")
EXPECTED = read_vector("life_expectancy_expected.csv")
EXPECTED["case_id"] = EXPECTED["scenario"] + "-" + EXPECTED["startage"].astype(str)
STANDARD = INPUT[INPUT["scenario"] == "df1_standard"].drop(columns="scenario")
STANDARD = STANDARD.reset_index(drop=True)
LABELS = ["0", "1-4", *(f"{age:02d}-{age + 4:02d}" for age in range(5, 90, 5)), "90+"]
AGE_LIST = "0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90"
METHOD = "Chiang, using Silcocks et al for confidence limits"


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    return life_expectancy(INPUT, "deaths", "pops", "startage", group_by="scenario")


def _row(result: pd.DataFrame, scenario: str, age: int) -> pd.Series:
    found = result[(result["scenario"] == scenario) & (result["startage"] == age)]
    assert len(found) == 1
    return found.iloc[0]


@pytest.mark.parametrize("case", rows(EXPECTED, "case_id"))
def test_matches_reference_row(result: pd.DataFrame, case: pd.Series) -> None:
    ours = _row(result, case["scenario"], case["startage"])
    dp = int(case["compare_dp"])
    for column, reference in (("value", "value"), ("lower_95", "lowercl"), ("upper_95", "uppercl")):
        assert_close(
            round(ours[column], dp), round(case[reference], dp), rtol=0, atol=1e-9, what=column
        )
    for column in ("pops_used", "dths_used"):
        if not pd.isna(case[column]):
            assert ours[column] == case[column]
    assert ours["confidence"] == case["confidence"]
    assert ours["statistic"] == f"life expectancy at {case['startage']}"
    assert ours["method"] == METHOD
    reason = "" if pd.isna(case["note"]) else case["note"]
    if "suppressed to NA" in reason:
        assert ours["note"].startswith("group suppressed: ")
        assert np.isnan(ours[["pops_used", "dths_used"]].to_numpy(dtype=float)).all()
    elif reason.startswith("value NA because"):
        assert ours["note"] == CI_TOO_WIDE
    else:
        assert pd.isna(ours["note"])


@pytest.mark.parametrize(
    ("scenario", "note"),
    [
        ("neg_deaths", "deaths -5 (negative) at start age 10"),
        (
            "zero_pop",
            "population 0 (must be above 0) at start age 20; "
            "deaths 15 exceed population 0 at start age 20",
        ),
        ("deaths_gt_pops", "deaths 1,936 exceed population 119 at start age 85"),
        ("missing_ageband_90", "19 age bands, 20 needed (start age 90 missing)"),
        ("low_total_pop", "total population 2,883 is 5,000 or less"),
        ("widecis_area1", "deaths 312 exceed population 311 at start age 90"),
    ],
)
def test_suppressed_group_says_why(result: pd.DataFrame, scenario: str, note: str) -> None:
    group = result[result["scenario"] == scenario]
    assert group["startage"].tolist() == AGES.tolist()
    assert (group["note"] == f"group suppressed: {note}").all()
    numbers = group[["value", "lower_95", "upper_95", "pops_used", "dths_used"]]
    assert numbers.isna().all().all()


def test_output_columns_and_order(result: pd.DataFrame) -> None:
    assert list(result.columns) == [
        "scenario",
        "startage",
        "value",
        "lower_95",
        "upper_95",
        "pops_used",
        "dths_used",
        "confidence",
        "statistic",
        "method",
        "note",
    ]
    assert result["scenario"].unique().tolist() == INPUT["scenario"].unique().tolist()
    assert len(result) == 20 * INPUT["scenario"].nunique()
    assert result["startage"].dtype == np.int64


def test_wide_interval_hides_value_but_keeps_limits_at_any_confidence() -> None:
    area = INPUT[INPUT["scenario"] == "widecis_area2"]
    result = life_expectancy(area, "deaths", "pops", "startage", confidence=0.998)
    wide = result["startage"] >= 40
    assert result.loc[wide, "value"].isna().all()
    assert result.loc[~wide, "value"].notna().all()
    assert (result.loc[wide, "note"] == CI_TOO_WIDE).all()
    assert result.loc[~wide, "note"].isna().all()
    assert result[["lower_99_8", "upper_99_8"]].notna().all().all()
    at_95 = life_expectancy(area, "deaths", "pops", "startage")
    assert (result["lower_99_8"] < at_95["lower_95"]).all()
    assert (result["upper_99_8"] > at_95["upper_95"]).all()


def test_any_set_of_confidence_levels() -> None:
    result = life_expectancy(STANDARD, "deaths", "pops", "startage", confidence=(95, 99.8, 0.9))
    single = life_expectancy(STANDARD, "deaths", "pops", "startage")
    assert list(result.columns[2:8]) == [
        "lower_90",
        "upper_90",
        "lower_95",
        "upper_95",
        "lower_99_8",
        "upper_99_8",
    ]
    assert (result["confidence"] == "90%, 95%, 99.8%").all()
    pd.testing.assert_series_equal(result["lower_95"], single["lower_95"])
    assert (result["lower_99_8"] < result["lower_90"]).all()
    # Limits are symmetric: e -/+ z * SE, with z = 1.644854 at 90% and 1.959964 at 95%.
    ratio = (result["upper_90"] - result["value"]) / (result["upper_95"] - result["value"])
    assert_close(ratio, np.full(20, 1.6448536269514722 / 1.959963984540054))


def test_ungrouped_equals_grouped(result: pd.DataFrame) -> None:
    alone = life_expectancy(STANDARD, "deaths", "pops", "startage")
    grouped = result[result["scenario"] == "df1_standard"].drop(columns="scenario")
    pd.testing.assert_frame_equal(alone, grouped.reset_index(drop=True))


def test_labels_in_any_order_give_the_same_result() -> None:
    numeric = life_expectancy(STANDARD, "deaths", "pops", "startage")
    labelled = STANDARD.assign(band=LABELS).drop(columns="startage").iloc[::-1]
    result = life_expectancy(labelled, "deaths", "pops", "band")
    pd.testing.assert_frame_equal(result, numeric)
    as_text = STANDARD.assign(startage=STANDARD["startage"].astype(str)).sample(
        frac=1, random_state=1
    )
    pd.testing.assert_frame_equal(life_expectancy(as_text, "deaths", "pops", "startage"), numeric)


def test_le_age_selects_start_ages() -> None:
    full = life_expectancy(STANDARD, "deaths", "pops", "startage").set_index("startage")
    for le_age in ([65, 0], (0, 65, 65), "0,65", np.array([65, 0])):
        result = life_expectancy(STANDARD, "deaths", "pops", "startage", le_age=le_age)
        pd.testing.assert_frame_equal(result.set_index("startage"), full.loc[[0, 65]])
    one = life_expectancy(STANDARD, "deaths", "pops", "startage", le_age=90)
    assert one["startage"].tolist() == [90]
    assert one["statistic"].tolist() == ["life expectancy at 90"]
    assert_close(one["value"], [6.16210635], rtol=0, atol=5e-9)


def test_group_sizes_and_several_group_columns() -> None:
    two = pd.concat([STANDARD.assign(area="A", sex=sex) for sex in ("F", "M")], ignore_index=True)
    two.loc[two["sex"] == "M", "deaths"] += 5
    result = life_expectancy(two, "deaths", "pops", "startage", group_by=["area", "sex"])
    assert result[["area", "sex"]].drop_duplicates().values.tolist() == [["A", "F"], ["A", "M"]]
    female = result[result["sex"] == "F"].drop(columns=["area", "sex"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(female, life_expectancy(STANDARD, "deaths", "pops", "startage"))
    male = result[result["sex"] == "M"]
    assert (male["value"].to_numpy() < female["value"].to_numpy()).all()


def _small_area(pop: int = 250, deaths: int = 5) -> pd.DataFrame:
    return pd.DataFrame({"startage": AGES, "pops": pop, "deaths": deaths})


def test_total_population_of_5000_is_suppressed_but_5001_is_not() -> None:
    at_limit = life_expectancy(_small_area(), "deaths", "pops", "startage")
    assert (at_limit["note"] == "group suppressed: total population 5,000 is 5,000 or less").all()
    assert at_limit["value"].isna().all()
    above = _small_area()
    above.loc[3, "pops"] = 251
    result = life_expectancy(above, "deaths", "pops", "startage")
    assert result["lower_95"].notna().all()
    assert not result["note"].fillna("").str.startswith("group suppressed").any()


def test_no_deaths_at_90_plus_suppresses_the_group() -> None:
    data = STANDARD.copy()
    data.loc[data["startage"] == 90, "deaths"] = 0
    result = life_expectancy(data, "deaths", "pops", "startage")
    assert result["value"].isna().all()
    assert result["upper_95"].isna().all()
    assert (
        result["note"] == "group suppressed: no deaths in the 90+ band (at least 1 needed)"
    ).all()


def test_missing_values_suppress_the_group() -> None:
    data = STANDARD.astype({"deaths": float})
    data.loc[3, "deaths"] = np.nan
    result = life_expectancy(data, "deaths", "pops", "startage")
    assert result["value"].isna().all()
    assert (
        result["note"] == "group suppressed: deaths or population missing at start age 10"
    ).all()


def test_zero_deaths_below_90_are_fine() -> None:
    data = STANDARD.copy()
    data.loc[data["startage"] < 90, "deaths"] = 0
    result = life_expectancy(data, "deaths", "pops", "startage")
    # No one dies before 90, then 90+ lasts 1/M years: e = (90 - age) + pops/deaths at 90.
    expected = 90 - AGES + 11936 / 1937
    assert_close(result["value"], expected)
    assert result["note"].isna().all()


def test_no_survivors_gives_zero_without_limits() -> None:
    data = STANDARD.copy()
    data.loc[data["startage"] == 80, "deaths"] = int(0.6 * 23306)
    result = life_expectancy(data, "deaths", "pops", "startage").set_index("startage")
    assert result.loc[80, "value"] == 2.5  # q = 1: everyone alive at 80 dies within the band.
    assert (result.loc[[85, 90], "value"] == 0).all()
    assert result.loc[[85, 90], ["lower_95", "upper_95"]].isna().all().all()
    assert (result.loc[[85, 90], "note"] == NO_SURVIVORS).all()
    assert result.loc[:80, ["lower_95", "upper_95"]].notna().all().all()


def test_input_frame_is_not_modified() -> None:
    data = INPUT.copy()
    life_expectancy(data, "deaths", "pops", "startage", group_by="scenario", le_age=[0, 65])
    pd.testing.assert_frame_equal(data, INPUT)


def _with(column: str, position: int, value: object) -> pd.DataFrame:
    data = STANDARD.astype({column: object})
    data.loc[position, column] = value
    return data


@pytest.mark.parametrize(
    ("data", "arguments", "message"),
    [
        (
            STANDARD,
            {"le_age": 3},
            f"le_age: must be 'all', one of the start ages {AGE_LIST}, or a list of them; got 3",
        ),
        (
            STANDARD,
            {"le_age": []},
            f"le_age: must be 'all', one of the start ages {AGE_LIST}, or a list of them; got []",
        ),
        (
            STANDARD,
            {"le_age": "65+"},
            f"le_age: must be 'all', one of the start ages {AGE_LIST}, or a list of them; got '65+'",
        ),
        (
            STANDARD,
            {"le_age": [0, True]},
            f"le_age: must be 'all', one of the start ages {AGE_LIST}, or a list of them; got True",
        ),
        (
            STANDARD,
            {"startage": "age"},
            "startage: must name a column of data (columns: startage, pops, deaths); got 'age'",
        ),
        (
            STANDARD,
            {"group_by": "area"},
            "group_by: must name a column of data (columns: startage, pops, deaths); got 'area'",
        ),
        (
            _with("deaths", 2, "four"),
            {},
            "deaths (column 'deaths'): must be numeric; got 'four' at row 2",
        ),
        (
            _with("pops", 4, "n/a"),
            {},
            "population (column 'pops'): must be numeric; got 'n/a' at row 4",
        ),
        (
            STANDARD.assign(startage=STANDARD["startage"].replace(1, 2)),
            {},
            f"startage (column 'startage'): must be one of the life table start ages {AGE_LIST}; "
            "got 2 at row 1",
        ),
        (
            STANDARD.assign(startage=LABELS).replace({"startage": {"1-4": "2-4"}}),
            {},
            f"startage (column 'startage'): must be one of the life table start ages {AGE_LIST}; "
            "got '2-4' (start age 2) at row 1",
        ),
        (
            STANDARD.assign(startage=LABELS).replace({"startage": {"0": "infants"}}),
            {},
            "startage (column 'startage'): must be a start age or a label starting with one, "
            "such as '90+' or '05-09'; got 'infants' at row 0",
        ),
        (
            STANDARD.assign(startage=STANDARD["startage"].astype(float).replace(5, np.nan)),
            {},
            "startage (column 'startage'): must not be missing; got NA at row 2",
        ),
        (
            STANDARD.assign(startage=LABELS).replace({"startage": {"0": "<1"}}),
            {},
            "startage (column 'startage'): each start age must appear once per group; "
            "got start age 1 twice in the data: '<1' at row 0 and '1-4' at row 1",
        ),
        (
            INPUT,
            {},
            "startage (column 'startage'): each start age must appear once per group; "
            "got start age 0 twice in the data: 0 at row 0 and 0 at row 20",
        ),
        (
            pd.concat([INPUT, INPUT.iloc[[45]]], ignore_index=True),
            {"group_by": "scenario"},
            "startage (column 'startage'): each start age must appear once per group; "
            "got start age 20 twice in group scenario='zero_pop': 20 at row 45 and 20 at row 159",
        ),
        (
            STANDARD.assign(startage=True),
            {},
            "startage (column 'startage'): must give start ages; got a true/false column",
        ),
        (
            STANDARD,
            {"confidence": 0.8},
            "confidence: each level must be between 0.9 and 1 or between 90 and 100; got 0.8",
        ),
    ],
)
def test_bad_input_names_argument_rule_and_value(
    data: pd.DataFrame, arguments: dict[str, object], message: str
) -> None:
    call: dict[str, object] = {"startage": "startage", **arguments}
    with pytest.raises(StatsInputError) as error:
        life_expectancy(data, "deaths", "pops", **call)  # type: ignore[arg-type]
    assert str(error.value) == message


# --- Hypothesis invariants ---------------------------------------------------------------


@st.composite
def areas(draw: st.DrawFn) -> pd.DataFrame:
    """One to four areas of 20 bands: realistic to tiny populations and mortality.

    Hypothesis picks the shape (areas, population size, mortality level, a band
    where many die, few deaths at 90+); a seeded generator fills in the numbers,
    which keeps examples cheap.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    count = draw(st.integers(1, 4))
    size = draw(st.sampled_from([300, 600, 3_000, 30_000]))
    level = draw(st.floats(0.0, 3.0))
    pops = rng.integers(1, size + 1, (count, 20))
    # Gompertz-like death rates: about 0.009 at 60 and 0.15 at 90 when level = 1.
    rates = level * 0.00003 * np.exp(0.095 * AGES) * rng.uniform(0.5, 1.5, (count, 20))
    spike = draw(st.one_of(st.none(), st.integers(1, 18)))
    if spike is not None:
        rates[:, spike] = draw(st.floats(0.3, 1.0))
    deaths = rng.binomial(pops, np.minimum(rates, 1.0))
    few_at_90 = draw(st.one_of(st.none(), st.integers(0, 3)))
    if few_at_90 is not None:
        deaths[:, -1] = np.minimum(few_at_90, pops[:, -1])
    return pd.DataFrame(
        {
            "area": np.repeat([f"a{area}" for area in range(count)], 20),
            "age": np.tile(AGES, count),
            "pop": pops.ravel(),
            "d": deaths.ravel(),
        }
    )


def _levels(data: pd.DataFrame) -> pd.DataFrame:
    return life_expectancy(data, "d", "pop", "age", group_by="area", confidence=(0.95, 0.998))


@given(areas())
def test_limits_are_ordered(data: pd.DataFrame) -> None:
    result = _levels(data)
    shown = result.dropna(subset=["value", "lower_95", "lower_99_8"])
    tol = 1e-9 * np.maximum(1.0, shown["value"].abs())
    assert (shown["lower_99_8"] <= shown["lower_95"] + tol).all()
    assert (shown["lower_95"] <= shown["value"] + tol).all()
    assert (shown["value"] <= shown["upper_95"] + tol).all()
    assert (shown["upper_95"] <= shown["upper_99_8"] + tol).all()
    assert (shown["value"] >= 0).all()
    # Without a note every number is there; a value is missing only with a note.
    plain = result[result["note"].isna()]
    assert plain[["value", "lower_95", "upper_99_8", "pops_used"]].notna().all().all()


@given(areas(), st.data())
def test_row_order_does_not_matter(data: pd.DataFrame, draw: st.DataObject) -> None:
    shuffled = data.iloc[draw.draw(st.permutations(range(len(data))))]
    a = _levels(data).sort_values(["area", "startage"], ignore_index=True)
    b = _levels(shuffled).sort_values(["area", "startage"], ignore_index=True)
    pd.testing.assert_frame_equal(a, b)


@given(areas(), st.lists(st.sampled_from(AGES.tolist()), min_size=1, max_size=5))
def test_each_group_and_age_as_if_alone(data: pd.DataFrame, ages: list[int]) -> None:
    """Results for a group or an age do not depend on the other groups or ages asked for."""
    together = _levels(data)
    for area, rows_of_area in data.groupby("area"):
        alone = _levels(rows_of_area)
        pd.testing.assert_frame_equal(
            together[together["area"] == area].reset_index(drop=True), alone
        )
    some = life_expectancy(
        data, "d", "pop", "age", group_by="area", confidence=(0.95, 0.998), le_age=ages
    )
    expected = together[together["startage"].isin(ages)].reset_index(drop=True)
    pd.testing.assert_frame_equal(some, expected)
