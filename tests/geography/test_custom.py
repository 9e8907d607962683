"""Custom areas on real Trafford data: localities, practices in wards, apportioned old wards."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from jsna.geography.boundaries import read_boundaries
from jsna.geography.custom import (
    Apportion,
    AreaList,
    PointsInPolygons,
    chain,
    custom_area_memberships,
    reweight,
)
from jsna.geography.lookups import read_lsoa11_to_lsoa21
from tests.geography.mirror_files import ENGLAND_FILES, read_trafford
from tests.paths import DATA_MIRROR

TRAFFORD = DATA_MIRROR / "trafford"


@pytest.fixture(scope="module")
def postcodes() -> pd.DataFrame:
    return pd.read_csv(TRAFFORD / "lookups" / "trafford_postcodes.csv")


@pytest.fixture(scope="module")
def practices() -> pd.DataFrame:
    return pd.read_csv(TRAFFORD / "services" / "trafford_gp_practices.csv")


@pytest.fixture(scope="module")
def wards23() -> gpd.GeoDataFrame:
    path = TRAFFORD / "boundaries" / "trafford_wards_2023.geojson"
    return read_boundaries(path, "ward23", "ward_code", "ward_name")


@pytest.fixture(scope="module")
def wards22() -> gpd.GeoDataFrame:
    path = TRAFFORD / "boundaries" / "trafford_wards_2022_pre2023.geojson"
    return read_boundaries(path, "ward22", "ward_code", "ward_name")


def localities(postcodes: pd.DataFrame) -> dict[str, list[str]]:
    """The council's localities as lists of 2023 wards (each ward has one locality in the file)."""
    per_ward = postcodes.groupby("ward_code")["locality"].agg(set)
    assert per_ward.map(len).eq(1).all()
    ward_locality = per_ward.map(lambda s: next(iter(s)))
    return {name: sorted(codes.index) for name, codes in ward_locality.groupby(ward_locality)}


def test_localities_as_lists_of_wards(postcodes, wards23) -> None:
    members = localities(postcodes)
    links = custom_area_memberships(
        AreaList("locality", "ward23", members, known=list(wards23["code"]))
    )
    assert links.groupby("parent_code").size().to_dict() == {
        "Central": 5,
        "North": 5,
        "South": 7,
        "West": 4,
    }
    assert set(links["method"]) == {"custom"}
    assert (links["weight"] == 1.0).all()
    names = wards23.set_index("code")["name"]
    assert sorted(names[members["West"]]) == [
        "Bucklow-St Martins",
        "Davyhulme",
        "Flixton",
        "Urmston",
    ]


def test_list_errors() -> None:
    with pytest.raises(ValueError, match="one custom area only: E05015239 in A, B"):
        custom_area_memberships(
            AreaList("locality", "ward23", {"A": ["E05015239"], "B": ["E05015239"]})
        )
    with pytest.raises(ValueError, match="'E01006074' not an ONS code"):
        custom_area_memberships(AreaList("locality", "ward23", {"A": ["E01006074"]}))
    with pytest.raises(ValueError, match="not among the known ward23: E05999999"):
        custom_area_memberships(
            AreaList("locality", "ward23", {"A": ["E05999999"]}, known=["E05015239"])
        )
    with pytest.raises(ValueError, match="is a standard type"):
        custom_area_memberships(AreaList("ward23", "lsoa21", {"A": ["E01006074"]}))


def test_practices_fall_in_their_wards_and_localities(practices, postcodes, wards23) -> None:
    points = practices.rename(columns={"practice_code": "code"})
    in_ward = custom_area_memberships(PointsInPolygons("gp_practice", points, "ward23", wards23))
    assert len(in_ward) == 26
    assert set(in_ward["method"]) == {"point_in_polygon"}
    expected = practices.set_index("practice_code")["ward_code"]
    assert (in_ward.set_index("child_code")["parent_code"] == expected[in_ward["child_code"]]).all()
    locality = custom_area_memberships(AreaList("locality", "ward23", localities(postcodes)))
    in_locality = chain(in_ward, locality)
    assert set(in_locality["method"]) == {"custom"}
    got = in_locality.set_index("child_code")["parent_code"].sort_index()
    assert got.to_dict() == practices.set_index("practice_code")["locality"].sort_index().to_dict()
    assert got["P91017"] == "West"


def test_point_outside_every_polygon_is_left_out(wards23) -> None:
    points = pd.DataFrame(
        {"code": ["A81001", "P91003"], "lon": [-1.318986, -2.315695], "lat": [54.561625, 53.398543]}
    )
    links = custom_area_memberships(PointsInPolygons("gp_practice", points, "ward23", wards23))
    assert links["child_code"].tolist() == ["P91003"]


def test_old_wards_apportioned_from_lsoas(postcodes, wards22) -> None:
    residents = postcodes.rename(columns={"lsoa_code": "unit_code"})
    shares = custom_area_memberships(Apportion("lsoa21", "ward22", wards22, residents))
    assert shares["child_code"].nunique() == 139
    assert shares.groupby("child_code")["weight"].sum().round(12).eq(1.0).all()
    assert shares["method"].value_counts().to_dict() == {"apportioned": 106, "point_in_polygon": 89}
    best = custom_area_memberships(Apportion("lsoa21", "ward22", wards22, residents, best_fit=True))
    assert len(best) == 139
    assert set(best["method"]) == {"best_fit"}
    # the ONS-style best fit of Trafford Data Lab agrees for 133 of 139 LSOAs
    lookup = read_trafford(TRAFFORD).memberships
    official = lookup[(lookup["child_type"] == "lsoa21") & (lookup["parent_type"] == "ward22")]
    both = best.merge(official, on="child_code")
    assert (both["parent_code_x"] == both["parent_code_y"]).sum() == 133


def test_chain_takes_the_least_exact_method() -> None:
    lower = pd.DataFrame(
        [
            ("lsoa21", "E01000001", "ward23", "E05000001", 0.25, "apportioned"),
            ("lsoa21", "E01000001", "ward23", "E05000002", 0.75, "apportioned"),
            ("lsoa21", "E01000002", "ward23", "E05000002", 1.0, "best_fit"),
            ("lsoa21", "E01000003", "ward23", "E05000003", 1.0, "lookup"),
        ],
        columns=["child_type", "child_code", "parent_type", "parent_code", "weight", "method"],
    )
    upper = custom_area_memberships(
        AreaList("locality", "ward23", {"A": ["E05000001", "E05000002"], "B": ["E05000003"]})
    )
    out = chain(lower, upper).set_index("child_code")
    assert out.loc["E01000001", "weight"] == 1.0
    assert out.loc["E01000001", "method"] == "apportioned"
    assert out.loc["E01000002", "method"] == "best_fit"
    assert out.loc["E01000003", "method"] == "custom"


def test_split_lsoa_reweighted_by_population() -> None:
    links = read_lsoa11_to_lsoa21(
        DATA_MIRROR / "england" / ENGLAND_FILES["lsoa11_to_lsoa21"]
    ).memberships
    population = pd.read_csv(TRAFFORD / "population" / "trafford_mid2024_syoa_lsoa.csv")
    persons = population[population["sex"] == "Persons"].set_index("area_code")["all_ages"]
    out = reweight(links, persons)
    split = out[out["child_code"] == "E01006185"].set_index("parent_code")["weight"]
    a, b = persons["E01034000"], persons["E01034001"]
    assert split.to_dict() == pytest.approx({"E01034000": a / (a + b), "E01034001": b / (a + b)})
    assert split.sum() == pytest.approx(1.0)
    # outside Trafford (no population) the equal shares stay
    untouched = out["child_code"] != "E01006185"
    assert out.loc[untouched, "weight"].equals(links.loc[untouched, "weight"])
