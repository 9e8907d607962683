"""Boundaries: the real Trafford and England GeoJSONs, simplified and oriented for Vega."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from jsna.errors import InputFileError
from jsna.geography.boundaries import boundary_rows, read_boundaries
from tests.geography.mirror_files import BOUNDARY_FILES, mirror_boundaries
from tests.paths import DATA_MIRROR


@pytest.fixture(scope="module")
def rows():
    return mirror_boundaries(DATA_MIRROR)


def test_every_file_gives_one_row_per_feature(rows) -> None:
    assert rows.groupby("area_type").size().to_dict() == {
        "lsoa11": 138,
        "lsoa21": 139,
        "ltla23": 1,
        "ltla24": 296,
        "msoa11": 28,
        "msoa21": 28,
        "utla21": 152,
        "ward22": 21,
        "ward23": 21,
    }
    assert not rows.duplicated(["area_type", "code"]).any()


def test_outer_rings_are_clockwise_and_valid(rows) -> None:
    geometries = shapely.from_geojson(rows["geojson"].to_numpy())
    assert shapely.is_valid(geometries).all()
    polygons = shapely.get_parts(geometries)
    exteriors = shapely.get_exterior_ring(polygons)
    assert not shapely.is_ccw(exteriors).any()
    assert json.loads(rows["geojson"].iloc[0])["type"] in {"Polygon", "MultiPolygon"}


def test_simplified_but_neighbours_still_share_edges(rows) -> None:
    item = next(f for f in BOUNDARY_FILES if f.area_type == "lsoa21")
    original = read_boundaries(DATA_MIRROR / item.path, item.area_type, item.code, item.name)
    lsoa = rows[rows["area_type"] == "lsoa21"]
    simple = shapely.from_geojson(lsoa["geojson"].to_numpy())
    before = shapely.get_num_coordinates(original.geometry.values).sum()
    after = shapely.get_num_coordinates(simple).sum()
    assert after < before
    assert bool(shapely.coverage_is_valid(simple))
    # area kept within 1% for the borough as a whole
    ratio = shapely.union_all(simple).area / shapely.union_all(original.geometry.values).area
    assert ratio == pytest.approx(1.0, abs=0.01)


def test_bounding_boxes(rows) -> None:
    trafford = rows[(rows["area_type"] == "ltla23") & (rows["code"] == "E08000009")].iloc[0]
    assert -2.49 < trafford["min_x"] < trafford["max_x"] < -2.24
    assert 53.35 < trafford["min_y"] < trafford["max_y"] < 53.49
    england = rows[rows["area_type"] == "ltla24"]
    assert england["min_x"].min() < -5.5
    assert england["max_x"].max() > 1.7


def test_bad_code_names_feature_and_property(tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    square = {"type": "Polygon", "coordinates": [[[0, 51], [0, 51.1], [0.1, 51.1], [0, 51]]]}
    features = [
        {"type": "Feature", "properties": {"ward_code": code, "ward_name": "W"}, "geometry": square}
        for code in ("E05015239", "E01015240")
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(InputFileError) as caught:
        read_boundaries(path, "ward23", "ward_code", "ward_name")
    assert str(caught.value) == (
        f"{path}, row 2, column 'ward_code': 'E01015240' is not an ONS code "
        "(a letter and 8 digits) starting E05 (area type ward23)"
    )
    with pytest.raises(InputFileError, match="no property 'wd23cd'"):
        read_boundaries(path, "ward23", "wd23cd", "ward_name")


def test_counter_clockwise_input_is_turned(tmp_path: Path) -> None:
    path = tmp_path / "one.geojson"
    ccw = {
        "type": "Polygon",
        "coordinates": [[[-2.3, 53.4], [-2.2, 53.4], [-2.2, 53.5], [-2.3, 53.4]]],
    }
    feature = {"type": "Feature", "properties": {"c": "E05015239", "n": "A"}, "geometry": ccw}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    frame = read_boundaries(path, "ward23", "c", "n")
    assert shapely.is_ccw(frame.geometry.values[0].exterior)
    row = boundary_rows(frame, 25).iloc[0]
    assert not shapely.is_ccw(shapely.from_geojson(row["geojson"]).exterior)
    assert np.isclose(row["min_x"], -2.3)
