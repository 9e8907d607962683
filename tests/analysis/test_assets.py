"""Community assets: import validation (every problem at once, exact messages), the store
(all-or-nothing replacement, both backends), counting by area per 1,000 residents, GeoJSON.

Areas are two unit squares side by side (A: lon 0-1, B: lon 1-2, lat 0-1),
so which area holds a point is plain to see.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import Engine

from jsna.analysis.assets import (
    AssetListRejectedError,
    assets_by_area,
    assets_geojson,
    find_postcode_lookup,
    read_asset_list,
    read_postcodes,
    save_asset_list,
    stored_asset_lists,
    stored_assets,
)
from jsna.errors import InputFileError
from tests.store.conftest import backend_url, empty_engine, engine, postgres_url  # noqa: F401

TRAFFORD_POSTCODES = Path("/work/shared/data/trafford/lookups/trafford_postcodes.csv")


@pytest.fixture(scope="module")
def postcodes(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("lookup") / "postcodes.csv"
    path.write_text(
        "postcode,ward_code,lon,lat\n"
        "M33 2RJ,E05015256,-2.293328,53.415317\n"
        "WA14 1AH,E05015239,-2.352309,53.386942\n"
        "M32 0XX,E05015255,,\n",
        encoding="utf-8",
    )
    return read_postcodes(path)


def write(tmp_path: Path, text: str, name: str = "assets.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- validation ------------------------------------------------------------------------------


def test_a_good_list_resolves_postcodes_and_keeps_coordinates(
    tmp_path: Path, postcodes: pd.DataFrame
) -> None:
    path = write(
        tmp_path,
        " Name ,CATEGORY,Postcode,Lat,Lon\n"
        "Sale Moor Community Centre,Community centre,m332rj,,\n"
        "Altrincham Library,Library, WA14 1AH ,,\n"
        "Walking group,Group,M33 2RJ,53.4,-2.3\n",
    )
    frame = read_asset_list(path, postcodes)
    assert frame["row_number"].tolist() == [2, 3, 4]
    assert frame["postcode"].tolist() == ["M33 2RJ", "WA14 1AH", "M33 2RJ"]
    assert frame["lon"].tolist() == [-2.293328, -2.352309, -2.3]
    assert frame["lat"].tolist() == [53.415317, 53.386942, 53.4]


def test_every_problem_is_reported_by_row_and_column(
    tmp_path: Path, postcodes: pd.DataFrame
) -> None:
    path = write(
        tmp_path,
        "name,category,postcode,lat,lon\n"
        "Ok,Group,M33 2RJ,,\n"  # 2
        "No category,,M33 2RJ,,\n"  # 3
        ",Faith group,M33 2RJ,,\n"  # 4
        "Unknown,Group,ZZ1 1ZZ,,\n"  # 5
        "Malformed,Group,not a postcode,,\n"  # 6
        "Half,Group,,53.4,\n"  # 7
        "Swapped,Group,,-2.3,53.4\n"  # 8
        "Words,Group,,north,-2.3\n"  # 9
        "Nowhere,Group,,,\n"  # 10
        "Ok,Group,M33 2RJ,,\n",  # 11: same as row 2
    )
    with pytest.raises(AssetListRejectedError) as caught:
        read_asset_list(path, postcodes)
    assert caught.value.problems == [
        "assets.csv:3:category: a category is required ('')",
        "assets.csv:4:name: a name is required ('')",
        "assets.csv:5:postcode: not found in the postcode lookup ('ZZ1 1ZZ')",
        "assets.csv:6:postcode: is not a UK postcode ('not a postcode')",
        "assets.csv:7:lon: lon is required when lat is given ('')",
        "assets.csv:8:lat: must be between 49.8 and 60.9 (the UK; are lat and lon swapped?) "
        "('-2.3')",
        "assets.csv:8:lon: must be between -8.7 and 1.8 (the UK; are lat and lon swapped?) "
        "('53.4')",
        "assets.csv:9:lat: must be a number ('north')",
        "assets.csv:10:postcode: a postcode, or lat and lon, is required ('')",
        "assets.csv:11:name: the same asset as row 2 ('Ok')",
    ]
    assert str(caught.value).startswith(f"{path}: 10 problems, nothing imported:\n")


def test_a_postcode_without_coordinates_in_the_lookup_is_not_found(
    tmp_path: Path, postcodes: pd.DataFrame
) -> None:
    path = write(tmp_path, "name,category,postcode\nClub,Group,M32 0XX\n")
    with pytest.raises(AssetListRejectedError) as caught:
        read_asset_list(path, postcodes)
    assert caught.value.problems == [
        "assets.csv:2:postcode: not found in the postcode lookup ('M32 0XX')"
    ]


def test_header_problems_come_first_and_alone(tmp_path: Path, postcodes: pd.DataFrame) -> None:
    path = write(tmp_path, "title,type\nClub,Group\n")
    with pytest.raises(AssetListRejectedError) as caught:
        read_asset_list(path, postcodes)
    assert caught.value.problems == [
        "assets.csv:1:name: the header has no column named 'name' (header: 'title, type')",
        "assets.csv:1:category: the header has no column named 'category' (header: 'title, type')",
        "assets.csv:1:postcode: the header needs a postcode column, or lat and lon "
        "(header: 'title, type')",
    ]


def test_an_empty_list_or_other_format_is_refused(tmp_path: Path, postcodes: pd.DataFrame) -> None:
    with pytest.raises(AssetListRejectedError) as caught:
        read_asset_list(write(tmp_path, "name,category,postcode\n"), postcodes)
    assert caught.value.problems == ["assets.csv:2:name: the list has no rows ('')"]
    with pytest.raises(InputFileError) as error:
        read_asset_list(write(tmp_path, "x", "assets.txt"), postcodes)
    assert (
        str(error.value) == f"{tmp_path / 'assets.txt'}: an asset list must be a .csv or .xlsx file"
    )


def test_an_excel_list_is_read_the_same(tmp_path: Path, postcodes: pd.DataFrame) -> None:
    path = tmp_path / "assets.xlsx"
    pd.DataFrame(
        {"name": ["Club", ""], "category": ["Group", "Group"], "postcode": ["M33 2RJ", "M33 2RJ"]}
    ).to_excel(path, index=False)
    with pytest.raises(AssetListRejectedError) as caught:
        read_asset_list(path, postcodes)
    assert caught.value.problems == ["assets.xlsx:3:name: a name is required ('')"]


def test_the_trafford_postcode_lookup_is_found_and_read() -> None:
    if not TRAFFORD_POSTCODES.is_file():
        pytest.skip("no Trafford data mirror")
    other = TRAFFORD_POSTCODES.parent / "trafford_lsoa21_to_ward2023.csv"
    assert find_postcode_lookup([other, TRAFFORD_POSTCODES]) == TRAFFORD_POSTCODES
    lookup = read_postcodes(TRAFFORD_POSTCODES)
    assert lookup.loc["WA141AH", "postcode"] == "WA14 1AH"


# --- the store -------------------------------------------------------------------------------


def test_a_list_is_replaced_whole(
    engine: Engine,  # noqa: F811
    tmp_path: Path,
    postcodes: pd.DataFrame,
) -> None:
    first = write(tmp_path, "name,category,postcode\nA,Group,M33 2RJ\nB,Venue,WA14 1AH\n")
    with engine.begin() as connection:
        assert (
            save_asset_list(
                connection, "council", read_asset_list(first, postcodes), path=first, actor="ann"
            )
            == 2
        )
    second = write(tmp_path, "name,category,postcode\nC,Group,M33 2RJ\n", "second.csv")
    with engine.begin() as connection:
        save_asset_list(
            connection, "council", read_asset_list(second, postcodes), path=second, actor="bob"
        )
    bad = write(tmp_path, "name,category,postcode\nD,,M33 2RJ\n", "bad.csv")
    with pytest.raises(AssetListRejectedError):
        read_asset_list(bad, postcodes)
    with engine.connect() as connection:
        stored = stored_assets(connection, ["council"])
        lists = stored_asset_lists(connection)
    assert stored["name"].tolist() == ["C"]
    assert lists[
        ["list_name", "assets", "categories", "file_name", "imported_by"]
    ].values.tolist() == [["council", 1, 1, "second.csv", "bob"]]


def test_a_bad_list_name_is_refused(
    engine: Engine,  # noqa: F811
    tmp_path: Path,
    postcodes: pd.DataFrame,
) -> None:
    path = write(tmp_path, "name,category,postcode\nA,Group,M33 2RJ\n")
    with engine.begin() as connection, pytest.raises(InputFileError, match="list name 'Council!'"):
        save_asset_list(
            connection, "Council!", read_asset_list(path, postcodes), path=path, actor="ann"
        )


# --- by area ---------------------------------------------------------------------------------


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_code": ["B", "A"], "area_name": ["Beta", "Alpha"]},
        geometry=[shapely.box(1, 0, 2, 1), shapely.box(0, 0, 1, 1)],
        crs="EPSG:4326",
    )


def test_assets_per_1000_by_area(squares: gpd.GeoDataFrame) -> None:
    assets = pd.DataFrame(
        {
            "name": ["a1", "a2", "a3", "b1", "edge", "out"],
            "category": ["Group", "Group", "Venue", "Venue", "Venue", "Group"],
            "lon": [0.2, 0.5, 0.7, 1.5, 1.0, 5.0],
            "lat": [0.5, 0.5, 0.5, 0.5, 0.5, 5.0],
        }
    )
    population = pd.DataFrame({"area_code": ["A", "B"], "population": [2000.0, 0.0]})
    by_area, placed = assets_by_area(assets, squares, population)
    assert by_area["area_code"].tolist() == ["A", "B"]
    assert by_area["category: Group"].tolist() == [2, 0]
    # the point on the shared edge counts once, in the first area by code (A)
    assert by_area["category: Venue"].tolist() == [2, 1]
    assert by_area["assets"].tolist() == [4, 1]
    assert by_area.loc[0, "per_1000"] == pytest.approx(4 / 2000 * 1000)
    assert np.isnan(by_area.loc[1, "per_1000"])  # no residents: no rate
    assert placed["area_code"].tolist() == ["A", "A", "A", "B", "A", ""]
    assert placed.loc[5, "area_name"] == "outside the areas"


def test_areas_without_assets_or_population(squares: gpd.GeoDataFrame) -> None:
    assets = pd.DataFrame({"name": ["a"], "category": ["Group"], "lon": [0.5], "lat": [0.5]})
    by_area, _ = assets_by_area(assets, squares, pd.DataFrame(columns=["area_code", "population"]))
    assert by_area["assets"].tolist() == [1, 0]
    assert by_area["per_1000"].isna().all()


def test_geojson_export() -> None:
    placed = pd.DataFrame(
        {
            "name": ["Club"],
            "category": ["Group"],
            "area_code": ["A"],
            "lon": [-2.1234567],
            "lat": [53.5],
        }
    )
    collection = assets_geojson(placed)
    assert json.loads(json.dumps(collection)) == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-2.123457, 53.5]},
                "properties": {"name": "Club", "category": "Group", "area_code": "A"},
            }
        ],
    }
