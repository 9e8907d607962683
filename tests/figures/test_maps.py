"""Choropleth and locator maps against the real Trafford store (a copy of it)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from jsna.content.chapters import MapBlock
from jsna.content.mirror import resolve_path
from jsna.figures import maps
from jsna.figures.context import FigureContext
from jsna.figures.svg import to_svg
from jsna.store.results import published_results

from .conftest import check_snapshot


@pytest.fixture
def ctx(trafford: FigureContext) -> FigureContext:
    """The shared read-only Trafford context (conftest)."""
    return trafford


def features(figure: maps.Figure) -> list[dict]:
    assert figure.spec is not None
    return figure.spec["datasets"]["areas"]


def test_ward_map_has_one_feature_per_ward_with_published_values(ctx: FigureContext) -> None:
    block = MapBlock(block="map", indicator="population_65_plus", area_type="ward23")
    figure = maps.build(ctx, block)
    shown = features(figure)
    assert len(shown) == 21
    assert len({f["area_code"] for f in shown}) == 21
    published = published_results(
        ctx.connection, indicator_id="population_65_plus", area_type="ward23"
    )
    published = published[(published["sex"] == "persons") & (published["breakdown_type"] == "")]
    assert published["area_code"].is_unique  # one headline row per ward (age 65+)
    expected = published.set_index("area_code")["value"].astype(float).sort_index()
    data = figure.data.set_index("area_code")["value"].astype(float).sort_index()
    pd.testing.assert_series_equal(data, expected, check_names=False)
    drawn = pd.Series({f["area_code"]: f["value"] for f in shown}).sort_index()
    assert drawn.round(6).tolist() == expected.round(6).tolist()
    assert len(figure.table.rows) == 21
    assert figure.spec["params"][0] == {"name": "highlight", "value": None}
    assert figure.spec["width"] == 640
    assert isinstance(figure.spec["height"], int)
    assert figure.spec["$schema"].endswith("/v6.json")


def test_legend_states_class_ranges_in_numbers(ctx: FigureContext) -> None:
    block = MapBlock(block="map", indicator="obesity_year6_ward", area_type="ward23")
    figure = maps.build(ctx, block)
    fill = figure.spec["layer"][0]["encoding"]["fill"]
    labels = fill["scale"]["domain"]
    assert len(labels) == 5
    assert all(" to " in label and label.endswith("%") for label in labels)
    lows = [float(label.split(" to ")[0]) for label in labels]
    assert lows == sorted(lows)
    assert figure.table.columns[-1].label == "Map class"
    assert set(figure.data["map_class"]) == set(labels)
    assert all(row[-1].split(": ")[1] in labels for row in figure.table.rows)
    assert "highest value" in figure.summary
    assert "Bucklow-St Martins" in figure.summary


def test_lsoa_map_has_139_features_and_rounded_coordinates(ctx: FigureContext) -> None:
    block = MapBlock(block="map", indicator="imd_score_lsoa", area_type="lsoa21")
    figure = maps.build(ctx, block)
    shown = features(figure)
    assert len(shown) == 139
    ring = shown[0]["geometry"]["coordinates"][0]
    ring = ring[0] if isinstance(ring[0][0], list) else ring
    assert all(len(str(x).split(".")[-1]) <= 5 for x, _ in ring)
    assert len(json.dumps(figure.spec)) < 250_000


def test_points_are_the_source_file_rows_with_coordinates(ctx: FigureContext) -> None:
    block = MapBlock(
        block="map",
        indicator="pharmacies",
        area_type="ward23",
        points=("trafford_pharmacies",),
    )
    figure = maps.build(ctx, block)
    source = ctx.project.sources["trafford_pharmacies"]
    raw = pd.read_csv(resolve_path(ctx.project.root, source.file), dtype=str)
    located = raw.dropna(subset=["lon", "lat"])
    layer = figure.spec["layer"][2]
    points = layer["data"]["values"]
    assert len(points) == len(located) > 0
    assert sorted(p["name"] for p in points) == sorted(located["pharmacy_name"])
    by_name = located.set_index("pharmacy_name")
    first = points[0]
    assert first["lon"] == pytest.approx(float(by_name.loc[first["name"], "lon"]), abs=1e-5)
    assert layer["encoding"]["shape"]["scale"]["domain"] == [source.title]
    assert {t["field"] for t in layer["encoding"]["tooltip"]} == {"name", "service"}
    assert f"({len(located)})" in figure.summary


def test_suppressed_and_missing_areas_are_grey_and_say_so(ctx: FigureContext) -> None:
    ctx.results("obesity_year6_ward")  # fill the cache, then hide two wards' figures
    frame = ctx._results["obesity_year6_ward"].copy()
    first, second = sorted(frame["area_code"].unique())[:2]
    hidden = frame["area_code"] == first
    frame.loc[hidden, ["value", "lower_95", "upper_95", "numerator"]] = pd.NA
    frame.loc[hidden, "suppressed"] = True
    frame = frame[frame["area_code"] != second]
    ctx._results["obesity_year6_ward"] = frame
    try:
        figure = maps.build(
            ctx, MapBlock(block="map", indicator="obesity_year6_ward", area_type="ward23")
        )
    finally:
        ctx._results.pop("obesity_year6_ward")
    by_code = {f["area_code"]: f for f in features(figure)}
    assert by_code[first]["shading"] == "suppressed"
    assert by_code[first]["value_text"] == "suppressed"
    assert by_code[second]["shading"] == "no data"
    scale = figure.spec["layer"][0]["encoding"]["fill"]["scale"]
    assert scale["domain"][-2:] == ["no data", "suppressed"]
    cells = {row[0]: row for row in figure.table.rows}
    assert cells[by_code[first]["area_name"]][1] == "suppressed"
    assert cells[by_code[second]["area_name"]][-1] == "no data"
    assert "2 of the wards have no figure" in figure.summary


def test_comparison_mode_colours_by_words(ctx: FigureContext) -> None:
    block = MapBlock(block="map", indicator="disability", area_type="lsoa21")
    figure = maps.build(ctx, block, colour_by="comparison")
    fill = figure.spec["layer"][0]["encoding"]["fill"]
    assert fill["field"] == "comparison"
    assert set(fill["scale"]["domain"]) <= {"better", "similar", "worse", "not compared"}
    titles = [t["title"] for t in figure.spec["layer"][0]["encoding"]["tooltip"]]
    assert "Compared with Trafford" in titles
    assert "Compared with Trafford, " in figure.summary


def test_no_published_figures_gives_no_spec(ctx: FigureContext) -> None:
    block = MapBlock(block="map", indicator="population_65_plus", area_type="lsoa21")
    figure = maps.build(ctx, block)
    assert figure.spec is None
    assert figure.table.rows == ()
    assert "no published figures" in figure.summary


def test_locator_fills_the_area_among_its_neighbours(ctx: FigureContext) -> None:
    figure = maps.locator(ctx, "ward23", "E05015241")
    shown = features(figure)
    assert len(shown) == 21
    assert sum(f["area_code"] == "E05015241" for f in shown) == 1
    name = next(f["area_name"] for f in shown if f["area_code"] == "E05015241")
    assert figure.title == f"Where {name} is"
    assert figure.summary.startswith(f"{name} is one of 21 wards in Trafford")
    assert figure.spec["layer"][0]["encoding"]["fill"]["scale"]["domain"][0] == name


def test_gp_practices_in_the_jsna_area_come_from_its_custom_areas(ctx: FigureContext) -> None:
    assert len(maps.areas_in_jsna(ctx, "gp_practice")) == 26
    assert len(maps.areas_in_jsna(ctx, "ward23")) == 21


def test_every_map_block_of_the_example_builds_and_renders(ctx: FigureContext) -> None:
    blocks = [
        placed.block
        for chapter in ctx.project.chapters
        for placed in chapter.blocks
        if isinstance(placed.block, MapBlock)
    ]
    assert len(blocks) >= 15
    for block in blocks:
        figure = maps.build(ctx, block)
        assert figure.spec is not None, block
        svg = to_svg(figure.spec, title=figure.title)
        assert 'role="img"' in svg
        assert "<path" in svg


def test_snapshot_of_layers_and_table(ctx: FigureContext) -> None:
    figure = maps.build(
        ctx, MapBlock(block="map", indicator="obesity_year6_ward", area_type="ward23")
    )
    spec = {key: value for key, value in figure.spec.items() if key != "datasets"}
    check_snapshot("map-obesity_year6_ward", {"spec": spec, "table": figure.table})
