"""Lookup readers on the real ONS and Trafford files, and their error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from jsna.errors import InputFileError
from jsna.geography import AREA_TYPES, area_type, custom_area_type
from jsna.geography.lookups import (
    read_lsoa11_hierarchy,
    read_lsoa11_to_lsoa21,
    read_lsoa21_to_ward,
    read_regions,
)
from tests.geography.mirror_files import ENGLAND_FILES, read_england, read_trafford
from tests.paths import DATA_MIRROR

ENGLAND = DATA_MIRROR / "england"
TRAFFORD = DATA_MIRROR / "trafford"


@pytest.fixture(scope="module")
def england():
    return read_england(ENGLAND)


def test_registry_rules() -> None:
    assert area_type("lsoa21").accepts("E01006074")
    assert not area_type("lsoa21").accepts("E02001283")
    assert not area_type("lsoa21").accepts("E0100607")
    assert area_type("ltla24").accepts("E08000009")
    assert not area_type("ltla24").accepts("E10000002")
    assert area_type("utla23").accepts("E10000002")
    assert area_type("gp_practice").accepts("P91003")
    assert area_type("pcn").accepts("U95344")
    assert area_type("region").rule() == ("an ONS code (a letter and 8 digits) starting E12")
    locality = custom_area_type("locality", "Trafford locality", 3, "2023")
    assert locality.is_custom
    assert locality.accepts("North")
    with pytest.raises(ValueError, match="clashes"):
        custom_area_type("ward23", "x", 3, "2023")
    with pytest.raises(KeyError, match="unknown area type 'ward99'"):
        area_type("ward99")
    assert [
        t.level for t in map(area_type, ["lsoa21", "msoa21", "ward23", "ltla23", "utla23"])
    ] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert len(AREA_TYPES) == 20


def test_lsoa11_to_lsoa21_weights_follow_change_codes() -> None:
    geography = read_lsoa11_to_lsoa21(ENGLAND / ENGLAND_FILES["lsoa11_to_lsoa21"])
    links = geography.memberships[geography.memberships["parent_type"] == "lsoa21"]
    assert links.groupby("method").size().to_dict() == {
        "apportioned": 1848,
        "best_fit": 3,
        "lookup": 32004,
    }
    # every 2011 LSOA is shared out whole
    totals = links.groupby("child_code")["weight"].sum()
    assert len(totals) == 32844
    assert totals.round(12).eq(1.0).all()
    assert (links.loc[links["method"] == "lookup", "weight"] == 1.0).all()
    assert (links.loc[links["method"] == "apportioned", "weight"] < 1.0).all()


def test_england_hierarchy_counts(england) -> None:
    counts = england.areas["area_type"].value_counts().to_dict()
    assert counts["lsoa21"] == 33755
    assert counts["lsoa11"] == 32844
    assert counts["ward24"] == 6784
    assert counts["ltla24"] == 296
    assert counts["utla23"] == 153
    assert counts["region"] == 9
    assert counts["gp_practice"] == 6267
    links = england.memberships
    trafford_lsoas = links[
        (links["parent_code"] == "E08000009") & (links["parent_type"] == "ltla24")
    ]
    assert (trafford_lsoas["child_type"] == "lsoa21").sum() == 139
    assert (trafford_lsoas["child_type"] == "ward24").sum() == 21
    ward = links[(links["child_type"] == "lsoa21") & (links["parent_type"] == "ward24")]
    assert set(ward["method"]) == {"best_fit"}
    # 54 practices have the placeholder PCN "U": no PCN link
    assert ((links["child_type"] == "gp_practice") & (links["parent_type"] == "pcn")).sum() == 6213
    names = england.areas.set_index(["area_type", "code"])["name"]
    assert names[("region", "E12000002")] == "North West"
    assert names[("region", "E12000006")] == "East of England"
    assert names[("country", "E92000001")] == "England"


def test_trafford_lookups() -> None:
    trafford = read_trafford(TRAFFORD)
    counts = trafford.areas["area_type"].value_counts().to_dict()
    assert counts == {
        "oa21": 738,
        "lsoa21": 139,
        "msoa21": 28,
        "ward23": 21,
        "ward22": 21,
        "ltla22": 1,
        "ltla23": 1,
    }
    links = trafford.memberships
    msoa = links[(links["child_type"] == "lsoa21") & (links["parent_type"] == "msoa21")]
    assert set(msoa["method"]) == {"lookup"}
    assert len(msoa) == 139


def test_bad_code_names_file_row_column_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text(
        "lsoa21_name,lsoa21_code,ward24_name,ward24_code,ltla24_name,ltla24_code\n"
        "A,E01006076,Altrincham,E05015239,Trafford,E08000009\n"
        "B,E02006080,Altrincham,E05015239,Trafford,E08000009\n"
        "C,E01006081,Altrincham,E0501523,Trafford,E08000009\n"
    )
    with pytest.raises(InputFileError) as caught:
        read_lsoa21_to_ward(path)
    assert str(caught.value) == (
        f"{path}, row 3, column 'lsoa21_code': 'E02006080' is not an ONS code "
        "(a letter and 8 digits) starting E01 (area type lsoa21) (1 more: row 4 'ward24_code')"
    )
    assert caught.value.row == 3


def test_missing_column_and_non_nesting(tmp_path: Path) -> None:
    path = tmp_path / "hierarchy.csv"
    path.write_text("lsoa11_code,msoa11_code\nE01000001,E02000001\n")
    with pytest.raises(InputFileError, match=r"row 1, column 'lsoa11_name': missing column"):
        read_lsoa11_hierarchy(path)
    path.write_text(
        "lsoa11_name,lsoa11_code,msoa11_name,msoa11_code,ward17_code,ltla22_code,ltla22_name\n"
        "A,E01000001,M,E02000001,E05000001,E09000001,City\n"
        "A,E01000001,N,E02000002,E05000001,E09000001,City\n"
    )
    with pytest.raises(InputFileError) as caught:
        read_lsoa11_hierarchy(path)
    assert "E01000001 lies in 2 different msoa11_code (E02000001, E02000002)" in str(caught.value)


def test_regions_only_from_the_latest_year() -> None:
    regions = read_regions(ENGLAND / ENGLAND_FILES["regions"])
    assert len(regions.areas) == 10
    assert set(regions.memberships["parent_code"]) == {"E92000001"}
