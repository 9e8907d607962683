"""Areas in the store, on SQLite and PostgreSQL: the real Trafford and England lookups."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from jsna.errors import StoreError
from jsna.geography import Geography, custom_area_type
from jsna.geography.custom import AreaList, custom_area_memberships
from jsna.geography.lookups import read_lsoa21_to_ward
from jsna.store.areas import area_ids, children, load_boundaries, load_geography, parents
from jsna.store.schema import area, area_membership, area_type, boundary
from tests.geography.mirror_files import (
    BOUNDARY_FILES,
    ENGLAND_FILES,
    mirror_boundaries,
    read_trafford,
)
from tests.paths import DATA_MIRROR

TRAFFORD = DATA_MIRROR / "trafford"
LOCALITY = custom_area_type("locality", "Trafford locality", 3, "2023")


@pytest.fixture(scope="module")
def trafford() -> Geography:
    geography = read_trafford(TRAFFORD)
    postcodes = pd.read_csv(TRAFFORD / "lookups" / "trafford_postcodes.csv")
    ward_locality = postcodes.groupby("ward_code")["locality"].first()
    members = {name: list(codes.index) for name, codes in ward_locality.groupby(ward_locality)}
    links = custom_area_memberships(AreaList("locality", "ward23", members))
    names = pd.DataFrame({"area_type": "locality", "code": list(members), "name": list(members)})
    return Geography.combine(geography, Geography(names, links))


@pytest.fixture(scope="module")
def trafford_boundaries() -> pd.DataFrame:
    local = tuple(f for f in BOUNDARY_FILES if str(f.path).startswith("trafford/"))
    return mirror_boundaries(DATA_MIRROR, local)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (area_type, area, area_membership, boundary)
        }


def test_load_trafford_twice_is_idempotent(engine: Engine, trafford, trafford_boundaries) -> None:
    for _ in range(2):
        with engine.begin() as connection:
            written = load_geography(connection, trafford.areas, trafford.memberships, [LOCALITY])
            load_boundaries(connection, trafford_boundaries)
    assert written == {"areas": 953, "memberships": 1385}
    assert _counts(engine) == {
        "area_type": 10,
        "area": 1119,
        "area_membership": 1385,
        "boundary": 376,
    }
    with engine.connect() as connection:
        north = children(connection, "North", "ward23")
        assert north["name"].tolist() == [
            "Gorse Hill & Cornbrook",
            "Longford",
            "Lostock & Barton",
            "Old Trafford",
            "Stretford & Humphrey Park",
        ]
        assert set(north["method"]) == {"custom"}
        lsoas = children(connection, "E02001283", "lsoa21")
        assert len(lsoas) == 5
        assert set(lsoas["method"]) == {"lookup"}
        up = parents(connection, "E01006076", "ward23")
        assert up[["code", "name", "weight", "method"]].to_dict("records") == [
            {"code": "E05015239", "name": "Altrincham", "weight": 1.0, "method": "best_fit"}
        ]
        assert parents(connection, "E05015239", "locality")["code"].tolist() == ["South"]
        level = connection.execute(
            select(area_type.c.level, area_type.c.is_custom).where(area_type.c.code == "locality")
        ).one()
        assert tuple(level) == (3, True)


def test_area_ids_and_ambiguous_codes(engine: Engine, trafford) -> None:
    with engine.begin() as connection:
        load_geography(connection, trafford.areas, trafford.memberships, [LOCALITY])
        ids = area_ids(connection, ["E05015239", "E01006076", "NOPE"])
        assert set(ids) == {"E05015239", "E01006076"}
        # Trafford's LA code is an ltla22 and an ltla23 area
        with pytest.raises(StoreError, match=r"E08000009: ltla22, ltla23\); give area_type"):
            area_ids(connection, ["E08000009"])
        assert list(area_ids(connection, ["E08000009"], "ltla23")) == ["E08000009"]


def test_changed_weight_replaces_and_failure_writes_nothing(engine: Engine, trafford) -> None:
    with engine.begin() as connection:
        load_geography(connection, trafford.areas, trafford.memberships, [LOCALITY])
    changed = trafford.memberships.copy()
    changed.loc[changed["child_code"] == "E01006076", ["weight", "method"]] = [0.5, "apportioned"]
    with engine.begin() as connection:
        load_geography(connection, trafford.areas.iloc[:0], changed)
        assert parents(connection, "E01006076", "ward23")["weight"].tolist() == [0.5]
    before = _counts(engine)
    bad = pd.DataFrame(
        [("lsoa21", "E01006076", "ward23", "E05999999", 1.0, "lookup")], columns=changed.columns
    )
    areas = pd.DataFrame({"area_type": ["lsoa21"], "code": ["E01999999"], "name": ["new"]})
    with (
        pytest.raises(
            StoreError, match=r"1 membership area\(s\) not in the store \(e.g. ward23 E05999999\)"
        ),
        engine.begin() as connection,
    ):
        load_geography(connection, areas, bad)
    assert _counts(engine) == before
    with pytest.raises(StoreError, match="unknown area type"), engine.begin() as connection:
        load_geography(connection, trafford.areas, trafford.memberships)


def test_england_lsoa21_ward24_ltla24_at_national_scale(engine: Engine) -> None:
    geography = read_lsoa21_to_ward(DATA_MIRROR / "england" / ENGLAND_FILES["lsoa21_to_ward24"])
    start = time.perf_counter()
    with engine.begin() as connection:
        written = load_geography(connection, geography.areas, geography.memberships)
    seconds = time.perf_counter() - start
    print(f"\n{engine.dialect.name}: {written} in {seconds:.1f} s")
    assert written == {"areas": 33755 + 6784 + 296, "memberships": 3 * 33755 + 6784 - 33755}
    with engine.connect() as connection:
        assert len(children(connection, "E08000009", "lsoa21", "ltla24")) == 139
        assert len(children(connection, "E08000009", "ward24", "ltla24")) == 21
