"""Expected cases, service gaps, reallocation and diagnosis gaps against hand-computed figures,
and on the Trafford store against figures worked out from the raw open-data files."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2
from sqlalchemy import Connection, create_engine

from jsna.analysis.need import (
    TOTAL,
    Move,
    age_band_of,
    ages_covered,
    diagnosis_gap,
    diagnosis_gaps,
    expected_cases,
    reallocate,
    reference_rate,
    service_gaps,
    sum_to,
    suppress_registers,
    unmet_need,
)
from jsna.content.blocks.need import DiagnosisGapBlock, UnmetNeedBlock
from jsna.stats import DisclosureRules, StatsInputError

Z = 1.96


def _population(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "sex", "age", "count"])


def _rates(rows: list[tuple[str, str, float | None, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["sex", "age", "value", "lower_95", "upper_95"])


def _ci(value: float, se: float) -> tuple[float, float, float]:
    """A rate (percent) with limits value +/- 1.96 se (se in percent)."""
    return value, value - Z * se, value + Z * se


# --- bands ----------------------------------------------------------------------------------


def test_age_band_of_single_years_and_open_top() -> None:
    bands = age_band_of(
        ["15", "16", "24", "25", "74", "75", "89", "90+", "all ages", "16-64"],
        ["16-24", "25-74", "75+"],
    )
    assert bands == {
        "16": "16-24",
        "24": "16-24",
        "25": "25-74",
        "74": "25-74",
        "75": "75+",
        "89": "75+",
        "90+": "75+",
    }
    # a closed band never holds the open top year
    assert age_band_of(["64", "90+"], ["16-64"]) == {"64": "16-64"}


def test_age_band_errors() -> None:
    with pytest.raises(StatsInputError, match=r"^rates: age bands '16-24' and '16-64' overlap$"):
        age_band_of(["20"], ["16-24", "16-64"])
    with pytest.raises(StatsInputError, match=r"^rates: age band 'adults' is not 'low-high'"):
        age_band_of(["20"], ["adults"])
    assert ages_covered(["16-24", "25-34", "75+"]) == "16 and over"
    assert ages_covered(["16-64"]) == "16 to 64"


# --- expected cases -------------------------------------------------------------------------


def test_expected_cases_by_age_and_sex_hand_computed() -> None:
    population = _population(
        [
            ("A", "female", "20", 1000),
            ("A", "female", "30", 2000),
            ("A", "male", "30", 500),
            ("A", "male", "70", 100),  # band without a rate: counted as 0
            ("A", "male", "10", 50),  # outside every band
            ("A", "persons", "30", 2500),  # persons rows are never added to the sexes
            ("B", "female", "20", 0),
        ]
    )
    rates = _rates(
        [
            ("female", "16-24", 0.4, None, None),
            ("female", "25-34", 0.2, None, None),
            ("male", "25-34", 0.6, None, None),
            ("male", "65+", None, None, None),
            ("persons", "25-34", 9.9, None, None),
            ("female", "all ages", 5.0, None, None),
        ]
    )
    out = expected_cases(population, rates, by_sex=True)
    assert out["area_code"].tolist() == ["A", "B"]
    a = out.iloc[0]
    # 1000 x 0.4% + 2000 x 0.2% + 500 x 0.6% = 4 + 4 + 3
    assert a["expected"] == pytest.approx(11.0)
    assert a["people"] == 3600  # 1000 + 2000 + 500 + 100 in the bands
    assert a["per_1000"] == pytest.approx(11 / 3600 * 1000)
    assert math.isnan(a["lower_95"])
    assert math.isnan(a["upper_95"])
    assert a["bands_without_rate"] == "males 65+"
    b = out.iloc[1]
    assert b["expected"] == 0
    assert b["people"] == 0
    assert math.isnan(b["per_1000"])


def test_expected_cases_persons_rates() -> None:
    population = _population([("A", "persons", "30", 2500), ("A", "female", "30", 1000)])
    rates = _rates([("persons", "25-34", 0.4, None, None)])
    out = expected_cases(population, rates, by_sex=False)
    assert out["expected"].iloc[0] == pytest.approx(10.0)


def test_expected_cases_interval_summed_variances() -> None:
    # se: 0.1%, 0.05%, 0.2% -> n x se = 1 person in each band -> Var(E) = 3
    population = _population(
        [("A", "female", "20", 1000), ("A", "female", "30", 2000), ("A", "male", "30", 500)]
    )
    rates = _rates(
        [
            ("female", "16-24", *_ci(0.4, 0.1)),
            ("female", "25-34", *_ci(0.2, 0.05)),
            ("male", "25-34", *_ci(0.6, 0.2)),
        ]
    )
    out = expected_cases(population, rates).iloc[0]
    half = 1.959963984540054 * math.sqrt(3) * (1.96 / 1.959963984540054)
    assert out["expected"] == pytest.approx(11.0)
    assert out["lower_95"] == pytest.approx(11.0 - half, rel=1e-6)
    assert out["upper_95"] == pytest.approx(11.0 + half, rel=1e-6)


def test_expected_cases_interval_floored_at_zero() -> None:
    population = _population([("A", "female", "20", 100)])
    rates = _rates([("female", "16-24", *_ci(0.4, 1.0))])  # 0.4 cases, se 1 case
    out = expected_cases(population, rates).iloc[0]
    assert out["lower_95"] == 0.0
    assert out["upper_95"] == pytest.approx(0.4 + 1.96, rel=1e-6)


def test_sum_to_then_rates_keeps_the_rates_error_shared() -> None:
    # two wards of 1000 women aged 20, se 0.1% -> locality: n x se = 2, not sqrt(2)
    population = _population([("W1", "female", "20", 1000), ("W2", "female", "20", 1000)])
    members = pd.DataFrame(
        {"child": ["W1", "W2"], "parent": ["L", "L"], "parent_name": ["Loc", "Loc"]}
    )
    summed = sum_to(population, members)
    assert summed[["area_code", "area_name", "count"]].values.tolist() == [["L", "Loc", 2000]]
    out = expected_cases(summed, _rates([("female", "16-24", *_ci(0.4, 0.1))])).iloc[0]
    assert out["expected"] == pytest.approx(8.0)
    assert out["upper_95"] - out["expected"] == pytest.approx(1.96 * 2, rel=1e-6)


def test_expected_cases_bad_input() -> None:
    rates = _rates([("female", "16-24", 0.4, None, None)])
    with pytest.raises(StatsInputError, match=r"^population: count must be >= 0$"):
        expected_cases(_population([("A", "female", "20", -1)]), rates)
    with pytest.raises(StatsInputError, match=r"^rates: no rates by age band for persons"):
        expected_cases(_population([("A", "female", "20", 1)]), rates, by_sex=False)
    twice = _rates([("female", "16-24", 0.4, None, None), ("female", "16-24", 0.5, None, None)])
    with pytest.raises(StatsInputError, match=r"^rates: two rates for female aged 16-24$"):
        expected_cases(_population([("A", "female", "20", 1)]), twice)


# --- services, gaps, what if ----------------------------------------------------------------


def _expected() -> pd.DataFrame:
    return pd.DataFrame({"area_code": ["A", "B", "C"], "expected": [100.0, 50.0, 30.0]})


def test_service_gaps_hand_computed() -> None:
    capacity = pd.Series({"A": 80.0, "B": 60.0})  # C has none recorded
    observed = pd.Series({"A": 70.0, "B": 40.0, "C": 30.0})
    out = service_gaps(_expected(), capacity, observed)
    assert out["gap"].tolist()[:2] == [20.0, -10.0]
    assert math.isnan(out["gap"].iloc[2])
    assert out["unmet"].tolist() == [30.0, 10.0, 0.0]
    assert out["capacity_per_100"].tolist()[:2] == [80.0, 120.0]
    assert out["rank"].tolist()[:2] == [1, 2]


def test_service_gaps_without_services_ranks_by_expected() -> None:
    out = service_gaps(_expected())
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["gap"].isna().all()


def test_reallocate_moves_in_order() -> None:
    capacity = pd.Series({"A": 80.0, "B": 60.0, "C": 0.0})
    after = reallocate(capacity, [Move("A", "B", 10), Move("B", "C", 70)])
    assert after.to_dict() == {"A": 70.0, "B": 0.0, "C": 70.0}
    assert capacity.to_dict() == {"A": 80.0, "B": 60.0, "C": 0.0}  # unchanged
    gaps = service_gaps(_expected(), after)
    assert gaps["gap"].tolist() == [30.0, 50.0, -40.0]
    assert gaps["rank"].tolist() == [2, 1, 3]
    assert reallocate(capacity, []).to_dict() == capacity.to_dict()


@pytest.mark.parametrize(
    ("move", "message"),
    [
        (Move("A", "Z", 1), "move 1: unknown area 'Z' (known: A, B)"),
        (Move("A", "A", 1), "move 1: from and to are the same area (A)"),
        (Move("A", "B", 0), "move 1: amount must be a number above 0 (got 0)"),
        (Move("A", "B", float("nan")), "move 1: amount must be a number above 0 (got nan)"),
        (Move("B", "A", 61), "move 1: B has 60 to give, not 61"),
    ],
)
def test_reallocate_errors(move: Move, message: str) -> None:
    capacity = pd.Series({"A": 80.0, "B": 60.0})
    with pytest.raises(StatsInputError) as caught:
        reallocate(capacity, [move])
    assert str(caught.value) == message


# --- diagnosis gap --------------------------------------------------------------------------


def _byars(o: float) -> tuple[float, float]:
    lower = o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3
    p = o + 1
    upper = p * (1 - 1 / (9 * p) + Z / (3 * math.sqrt(p))) ** 3
    return lower, upper


def test_diagnosis_gap_hand_computed() -> None:
    observed = pd.Series({"P1": 20.0, "P2": 3.0, "P3": 0.0})
    population = pd.Series({"P1": 1000.0, "P2": 200.0, "P3": 0.0})
    out = diagnosis_gap(observed, population, 0.025).set_index("area_code")
    p1 = out.loc["P1"]
    assert p1["expected"] == pytest.approx(25.0)
    assert p1["ratio"] == pytest.approx(0.8)
    lower, upper = _byars(20)
    assert p1["ratio_lower_95"] == pytest.approx(lower / 25, rel=1e-4)
    assert p1["ratio_upper_95"] == pytest.approx(upper / 25, rel=1e-4)
    assert p1["gap"] == pytest.approx(5.0)
    assert p1["gap_lower_95"] == pytest.approx(25 - upper, rel=1e-4)
    assert p1["gap_upper_95"] == pytest.approx(25 - lower, rel=1e-4)
    assert p1["method"] == "Byars"
    p2 = out.loc["P2"]  # 3 observed, 5 expected: exact limits
    assert p2["ratio"] == pytest.approx(0.6)
    assert p2["ratio_lower_95"] == pytest.approx(chi2.ppf(0.025, 6) / 2 / 5, rel=1e-6)
    assert p2["ratio_upper_95"] == pytest.approx(chi2.ppf(0.975, 8) / 2 / 5, rel=1e-6)
    assert p2["method"] == "Exact"
    assert math.isnan(out.loc["P3", "ratio"])  # no list: nothing expected


def test_diagnosis_gap_bad_rate() -> None:
    with pytest.raises(StatsInputError, match=r"^rate must be a proportion from 0 to 1 \(got 7\)$"):
        diagnosis_gap(pd.Series({"P": 1.0}), pd.Series({"P": 10.0}), 7)


def test_reference_rate_uses_areas_in_both() -> None:
    register = pd.DataFrame({"area_code": ["A", "B", "C"], "numerator": [10.0, 30.0, 5.0]})
    lists = pd.DataFrame({"area_code": ["A", "B", "D"], "count": [100.0, 300.0, 50.0]})
    assert reference_rate(register, lists) == (0.1, 40.0, 400.0)
    assert reference_rate(register, lists, areas=["A"]) == (0.1, 10.0, 100.0)


def test_suppress_registers_primary_and_secondary() -> None:
    gaps = diagnosis_gap(
        pd.Series({"P1": 3.0, "P2": 50.0, "P3": 60.0, "P4": 10.0, TOTAL: 123.0}),
        pd.Series({"P1": 100.0, "P2": 900.0, "P3": 1000.0, "P4": 40.0, TOTAL: 2040.0}),
        0.05,
    )
    rules = DisclosureRules(max_suppressed_count=4, suppress_zero=False, min_denominator=50)
    out = suppress_registers(gaps, rules, total_code=TOTAL).set_index("area_code")
    assert out.loc["P1", "suppression_reason"] == "count 1 to 4"
    assert out.loc["P4", "suppression_reason"] == "denominator under 50"
    assert bool(out.loc[TOTAL, "suppressed"]) is False
    for code in ("P1", "P4"):
        row = out.loc[code]
        assert row[["observed", "ratio", "gap", "gap_upper_95"]].isna().all()
        assert row["expected"] > 0  # the list and expected number are not disclosive
    # two hidden practices: no single one can be worked out from the total
    assert int(out["suppressed"].sum()) == 2

    one = diagnosis_gap(
        pd.Series({"P1": 3.0, "P2": 50.0, "P3": 60.0, TOTAL: 113.0}),
        pd.Series({"P1": 100.0, "P2": 900.0, "P3": 1000.0, TOTAL: 2000.0}),
        0.05,
    )
    out = suppress_registers(one, rules, total_code=TOTAL).set_index("area_code")
    assert int(out.loc[["P1", "P2", "P3"], "suppressed"].sum()) == 2
    assert out.loc["P2", "suppression_reason"].startswith("secondary")


# --- on the Trafford store ------------------------------------------------------------------


@pytest.fixture(scope="module")
def connection() -> Iterator[Connection]:
    from tests.render.site import prepared_store

    _, store = prepared_store()
    engine = create_engine(f"sqlite:///{store}")
    with engine.connect() as conn:
        yield conn
    engine.dispose()


MIRROR = Path(os.environ.get("JSNA_DATA_MIRROR", Path(__file__).parents[3] / "shared" / "data"))


def _block(**extra: object) -> UnmetNeedBlock:
    return UnmetNeedBlock.model_validate(
        {
            "block": "unmet_need",
            "condition": "psychosis",
            "rates": {"source": "apms_2007_rates", "measure": "apms_psychotic_disorder"},
            "population": {"source": "population_mid2024_ward", "area_type": "ward23"},
            **extra,
        }
    )


def _from_raw_files() -> pd.Series:
    """Expected psychosis by ward from the two CSV files, by hand (no jsna code)."""
    wards = pd.read_csv(MIRROR / "trafford/population/trafford_mid2024_syoa_ward.csv")
    rates = pd.read_csv(
        MIRROR / "england/mental_health/apms2007_psychosis_personality_disorder_rates.csv"
    )
    rates = rates[rates["condition"] == "Psychotic disorder (past year)"]
    bands = {
        "16-24": (16, 24),
        "25-34": (25, 34),
        "35-44": (35, 44),
        "45-54": (45, 54),
        "55-64": (55, 64),
        "65-74": (65, 74),
        "75+": (75, 90),
    }
    total = pd.Series(0.0, index=wards["area_code"].unique())
    for sex, label in (("Females", "Females"), ("Males", "Males")):
        people = wards[wards["sex"] == sex].set_index("area_code")
        for band, (low, high) in bands.items():
            pct = rates[(rates["sex"] == label) & (rates["age_band"] == band)]["prevalence_pct"]
            if pct.isna().all():
                continue
            columns = [str(a) for a in range(low, min(high, 89) + 1)]
            if high == 90:
                columns.append("90+")
            total = total.add(people[columns].sum(axis=1) * float(pct.iloc[0]) / 100, fill_value=0)
    return total


def test_trafford_expected_psychosis_matches_the_raw_files(connection: Connection) -> None:
    result = unmet_need(connection, _block())
    assert result.area_type == "ward23"
    assert result.period == "2024"
    assert result.rates_cover == "16 and over"
    mine = result.frame.set_index("area_code")["expected"]
    by_hand = _from_raw_files()
    assert len(mine) == 21
    pd.testing.assert_series_equal(
        mine.sort_index(), by_hand.reindex(mine.index).sort_index(), check_names=False, rtol=1e-9
    )


def test_trafford_localities_with_illustrative_capacity(connection: Connection) -> None:
    block = _block(
        area_type="locality",
        capacity={
            "source": "illustrative_mh_capacity",
            "measure": "mh_community_places",
            "label": "places",
        },
        observed={
            "source": "illustrative_mh_capacity",
            "measure": "mh_community_caseload",
            "label": "caseload",
        },
        illustrative=True,
    )
    result = unmet_need(connection, block)
    frame = result.frame.set_index("area_code")
    wards = unmet_need(connection, _block()).frame
    assert sorted(frame.index) == ["Central", "North", "South", "West"]
    # localities are whole wards: their expected cases add up to the wards'
    assert frame["expected"].sum() == pytest.approx(wards["expected"].sum())
    assert frame["capacity"].to_dict() == {
        "South": 160.0,
        "Central": 150.0,
        "West": 110.0,
        "North": 120.0,
    }
    assert frame.loc["North", "gap"] == pytest.approx(frame.loc["North", "expected"] - 120)
    assert frame.loc["North", "unmet"] == pytest.approx(frame.loc["North", "expected"] - 117)
    assert frame.loc["North", "rank"] == 1
    moved = reallocate(frame["capacity"], [Move("Central", "North", 30)])
    again = unmet_need(connection, block, capacity=moved).frame.set_index("area_code")
    assert again.loc["North", "gap"] == pytest.approx(frame.loc["North", "gap"] - 30)
    assert again.loc["Central", "gap"] == pytest.approx(frame.loc["Central", "gap"] + 30)


def test_trafford_diabetes_gap_hand_computed(connection: Connection) -> None:
    block = DiagnosisGapBlock.model_validate(
        {
            "block": "diagnosis_gap",
            "condition": "diabetes",
            "diagnosed": {"source": "qof_practice_registers_2019_20", "measure": "qof_dm"},
            "population": {"source": "qof_practice_lists_2019_20", "measure": "qof_list"},
            "age": "17+",
        }
    )
    rules = DisclosureRules(max_suppressed_count=4, min_denominator=50)
    result = diagnosis_gaps(connection, block, ["P91004", "P91003"], rules)
    # England 2019/20 (SOURCES.md): 3,455,176 on diabetes registers of 48,783,947 aged 17+
    assert result.rate == pytest.approx(3_455_176 / 48_783_947)
    frame = result.frame.set_index("area_code")
    p = frame.loc["P91004"]  # Altrincham Medical Practice: 239 of 6,063 aged 17+
    assert (p["observed"], p["population"]) == (239, 6063)
    assert p["expected"] == pytest.approx(6063 * 3_455_176 / 48_783_947)
    assert p["ratio"] == pytest.approx(239 / (6063 * 3_455_176 / 48_783_947))
    assert frame.loc[TOTAL, "observed"] == 239 + frame.loc["P91003", "observed"]
    assert not frame["suppressed"].any()


def test_trafford_dementia_uses_the_65_plus_list(connection: Connection) -> None:
    block = DiagnosisGapBlock.model_validate(
        {
            "block": "diagnosis_gap",
            "condition": "dementia",
            "diagnosed": {"source": "qof_practice_registers_2019_20", "measure": "qof_dem"},
            "population": {"source": "qof_practice_lists_2019_20", "measure": "qof_list"},
            "age": "65+",
        }
    )
    lists = pd.read_csv(MIRROR / "england/qof/gp_practice_list_by_qof_age_group_2019_20.csv")
    registers = pd.read_csv(MIRROR / "england/qof/qof_prevalence_registers_practice_2019_20.csv")
    dem = registers[registers["group_code"] == "DEM"].set_index("practice_code")["register"]
    over_65 = lists.set_index("PRACTICE_CODE")["65OV"]
    common = dem.index.intersection(over_65.dropna().index)
    rate = dem[common].sum() / over_65[common].sum()
    result = diagnosis_gaps(connection, block, ["P91016"], DisclosureRules())
    assert result.rate == pytest.approx(rate)
    row = result.frame.set_index("area_code").loc["P91016"]
    assert row["expected"] == pytest.approx(over_65["P91016"] * rate)
    assert row["observed"] == dem["P91016"]
    assert np.isfinite(row["ratio_upper_95"])
    assert row["ratio_upper_95"] < 1
