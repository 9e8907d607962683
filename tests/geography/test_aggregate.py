"""aggregate_counts on real Trafford counts, recomputed with jsna.stats (never averaged)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jsna.stats
from jsna.geography.aggregate import aggregate_counts
from jsna.geography.boundaries import read_boundaries
from jsna.geography.custom import Apportion, AreaList, chain, custom_area_memberships
from tests.geography.mirror_files import read_trafford
from tests.paths import DATA_MIRROR

TRAFFORD = DATA_MIRROR / "trafford"
BAD = ["Bad health", "Very bad health"]


def _health(name: str) -> pd.DataFrame:
    frame = pd.read_csv(TRAFFORD / "census2021" / f"census2021_general_health_{name}.csv")
    frame["bad"] = frame["value"].where(frame["general_health"].isin(BAD), 0)
    return frame.groupby("area_code", as_index=False).agg(
        bad=("bad", "sum"), total=("value", "sum")
    )


@pytest.fixture(scope="module")
def lookups() -> pd.DataFrame:
    return read_trafford(TRAFFORD).memberships


@pytest.fixture(scope="module")
def postcodes() -> pd.DataFrame:
    return pd.read_csv(TRAFFORD / "lookups" / "trafford_postcodes.csv")


@pytest.fixture(scope="module")
def locality(postcodes) -> pd.DataFrame:
    ward_locality = postcodes.groupby("ward_code")["locality"].first()
    members = {name: list(codes.index) for name, codes in ward_locality.groupby(ward_locality)}
    return custom_area_memberships(AreaList("locality", "ward23", members))


def _links(lookups: pd.DataFrame, child: str, parent: str) -> pd.DataFrame:
    return lookups[(lookups["child_type"] == child) & (lookups["parent_type"] == parent)]


def test_exact_sum_of_wards_to_the_borough(lookups) -> None:
    wards = _health("ward")
    out = aggregate_counts(wards, _links(lookups, "ward22", "ltla22"), ["bad", "total"])
    assert out[["area_code", "bad", "total", "members", "geography_method"]].to_dict("records") == [
        {
            "area_code": "E08000009",
            "bad": wards["bad"].sum(),
            "total": 235058,
            "members": 21,
            "geography_method": "exact",
        }
    ]


def test_localities_from_lsoas_are_best_fit_and_recomputed(lookups, locality) -> None:
    lsoa = _health("lsoa")
    links = chain(_links(lookups, "lsoa21", "ward23"), locality)
    out = aggregate_counts(lsoa, links, ["bad", "total"])
    assert out["geography_method"].tolist() == ["best_fit"] * 4
    assert out["members"].sum() == 139
    assert out["total"].sum() == lsoa["total"].sum()
    result = jsna.stats.proportion(out, "bad", "total")
    north = result.set_index("area_code").loc["North"]
    assert north["value"] == pytest.approx(100 * north["bad"] / north["total"])
    assert north["lower_95"] < north["value"] < north["upper_95"]
    # never an average of LSOA percentages
    mean_of_rates = (lsoa["bad"] / lsoa["total"]).mean() * 100
    england_like = 100 * out["bad"].sum() / out["total"].sum()
    assert england_like != pytest.approx(mean_of_rates, abs=1e-6)


def test_apportioned_old_wards_closer_than_best_fit(lookups, postcodes) -> None:
    lsoa = _health("lsoa")
    native = _health("ward").set_index("area_code")["total"]
    wards22 = read_boundaries(
        TRAFFORD / "boundaries" / "trafford_wards_2022_pre2023.geojson",
        "ward22",
        "ward_code",
        "ward_name",
    )
    residents = postcodes.rename(columns={"lsoa_code": "unit_code"})
    shares = custom_area_memberships(Apportion("lsoa21", "ward22", wards22, residents))
    apportioned = aggregate_counts(lsoa, shares, ["bad", "total"]).set_index("area_code")
    best_fit = aggregate_counts(lsoa, _links(lookups, "lsoa21", "ward22"), ["bad", "total"])
    best_fit = best_fit.set_index("area_code")
    error_apportioned = (apportioned["total"] / native - 1).abs().max()
    error_best_fit = (best_fit["total"] / native - 1).abs().max()
    assert round(error_best_fit * 100, 1) == 23.5  # INDICATORS.md: -21.9% to +23.5%
    assert round(error_apportioned * 100, 1) == 9.5
    assert set(apportioned["geography_method"]) <= {"apportioned", "exact"}
    assert (apportioned["geography_method"] == "apportioned").sum() >= 15
    assert jsna.stats.proportion(apportioned.reset_index(), "bad", "total")["value"].notna().all()


def test_age_bands_summed_per_band(locality) -> None:
    wide = pd.read_csv(TRAFFORD / "population" / "trafford_mid2024_syoa_ward.csv")
    ages = [str(a) for a in range(90)] + ["90+"]
    long = wide[wide["sex"] != "Persons"].melt(
        id_vars=["area_code", "sex"], value_vars=ages, var_name="age", value_name="population"
    )
    out = aggregate_counts(long, locality, ["population"], by=["sex", "age"])
    assert len(out) == 4 * 2 * 91
    assert set(out["geography_method"]) == {"exact"}
    assert out["population"].sum() == wide.loc[wide["sex"] == "Persons", "all_ages"].sum() == 241025
    west = out[(out["area_code"] == "West") & (out["sex"] == "Females") & (out["age"] == "90+")]
    west_wards = locality.loc[locality["parent_code"] == "West", "child_code"]
    expected = wide[(wide["sex"] == "Females") & wide["area_code"].isin(west_wards)]["90+"].sum()
    assert west["population"].item() == expected


def test_missing_member_is_refused(locality) -> None:
    frame = pd.DataFrame({"area_code": ["E05015239"], "n": [5]})
    with pytest.raises(ValueError, match="20 member area"):
        aggregate_counts(frame, locality, ["n"])
    out = aggregate_counts(frame, locality, ["n"], allow_missing=True)
    assert out[["area_code", "n", "members"]].to_dict("records") == [
        {"area_code": "South", "n": 5, "members": 1}
    ]
    with pytest.raises(ValueError, match="no column"):
        aggregate_counts(frame, locality, ["x"])


@settings(max_examples=50)
@given(
    counts=st.lists(st.integers(0, 10_000), min_size=21, max_size=21),
    extra=st.lists(st.integers(0, 10_000), min_size=21, max_size=21),
    seed=st.integers(0, 2**32 - 1),
)
def test_summing_in_two_steps_equals_one_step(locality, counts, extra, seed) -> None:
    wards = sorted(locality["child_code"])
    frame = pd.DataFrame(
        {"area_code": wards, "x": counts, "n": [a + b for a, b in zip(counts, extra, strict=True)]}
    )
    frame = frame.sample(frac=1, random_state=seed)  # row order does not matter
    to_borough = locality.assign(parent_type="ltla23", parent_code="E08000009", method="lookup")
    direct = aggregate_counts(frame, to_borough, ["x", "n"])
    localities = aggregate_counts(frame, locality, ["x", "n"]).rename(columns={"area_code": "code"})
    upper = pd.DataFrame(
        {
            "child_code": localities["code"],
            "parent_type": "ltla23",
            "parent_code": "E08000009",
            "weight": 1.0,
            "method": "custom",
        }
    )
    two_step = aggregate_counts(localities.rename(columns={"code": "area_code"}), upper, ["x", "n"])
    assert two_step[["x", "n"]].to_dict("records") == direct[["x", "n"]].to_dict("records")
    assert direct["x"].item() == sum(counts)
    assert direct["geography_method"].item() == "exact"


def test_groups_of_practices_qof_diabetes() -> None:
    practices = pd.read_csv(TRAFFORD / "services" / "trafford_gp_practices.csv")
    members = {
        name: list(group["practice_code"]) for name, group in practices.groupby("pcn_ods_code")
    }
    links = custom_area_memberships(AreaList("pcn_2024", "gp_practice", members))
    qof = pd.read_csv(
        DATA_MIRROR / "england" / "qof" / "qof_prevalence_registers_practice_2019_20.csv"
    )
    diabetes = qof[
        (qof["group_code"] == "DM") & qof["practice_code"].isin(practices["practice_code"])
    ]
    out = aggregate_counts(diabetes, links, ["register", "patient_list_size"], area="practice_code")
    assert len(out) == 5
    assert out["members"].sum() == 26
    assert set(out["geography_method"]) == {"exact"}
    assert out["register"].sum() == diabetes["register"].sum()
    assert out["patient_list_size"].sum() == diabetes["patient_list_size"].sum()
    result = jsna.stats.proportion(out, "register", "patient_list_size")
    assert (
        result["value"].between(3.9, 11.0).all()
    )  # within the practice range (INDICATORS.md INQ07)
