"""Pharmacy access figures on the real Trafford store, checked against an independent
brute-force computation from the open files (pandas + pyproj + a full distance matrix)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from jsna.analysis.access import EDGE_NOTE, AccessResult
from jsna.content.blocks.access import PharmacyAccessBlock
from jsna.content.mirror import resolve_path
from jsna.figures import access
from jsna.figures.blocks import figures_for_block
from jsna.figures.context import FigureContext
from jsna.figures.svg import to_svg
from jsna.store.results import published_results

CHAPTER = "pharmaceutical-needs-assessment"


@pytest.fixture(scope="module")
def block(trafford: FigureContext) -> PharmacyAccessBlock:
    """The example chapter's pharmacy access block."""
    chapter = next(c for c in trafford.project.chapters if c.id.endswith(CHAPTER))
    found = [p.block for p in chapter.blocks if isinstance(p.block, PharmacyAccessBlock)]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def figures(trafford: FigureContext, block: PharmacyAccessBlock) -> dict[str, access.Figure]:
    made = figures_for_block(trafford, block)
    return {f.id: f for f in made}


@pytest.fixture(scope="module")
def expected(trafford: FigureContext, block: PharmacyAccessBlock) -> pd.DataFrame:
    """Per LSOA, from the files and the store, without jsna's access code: population, centre
    (mean of postcodes), straight-line km to the nearest pharmacy and to one open on Sunday."""
    root = trafford.project.root
    pharmacies = pd.read_csv(resolve_path(root, trafford.project.sources[block.pharmacies].file))
    postcodes = pd.read_csv(resolve_path(root, str(block.centres_file)))
    centres = postcodes.groupby("lsoa_code")[["lon", "lat"]].mean()
    grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    ox, oy = grid.transform(centres["lon"].to_numpy(), centres["lat"].to_numpy())
    px, py = grid.transform(pharmacies["lon"].to_numpy(), pharmacies["lat"].to_numpy())
    km = np.hypot(ox[:, None] - px[None, :], oy[:, None] - py[None, :]) / 1000
    sunday = (pharmacies["opening_hours_sunday"] != "CLOSED").to_numpy()
    people = published_results(trafford.connection, indicator_id="population_lsoa")
    people = people[
        (people["area_type"] == "lsoa21")
        & (people["sex"] == "persons")
        & (people["age"] == "all ages")
    ].set_index("area_code")["value"]
    return pd.DataFrame(
        {
            "distance": km.min(axis=1),
            "sunday": km[:, sunday].min(axis=1),
            "within_1_6": (km <= 1.6).sum(axis=1),
            "population": people.reindex(centres.index).astype(float).to_numpy(),
        },
        index=centres.index,
    )


def test_the_figures_in_order(figures: dict[str, access.Figure]) -> None:
    assert list(figures) == [
        "pharmacy-access-map-all-trafford_pharmacies",
        "pharmacy-access-map-sunday-trafford_pharmacies",
        "pharmacy-access-ward23-trafford_pharmacies",
        "pharmacy-access-imd25_decile-trafford_pharmacies",
        "pharmacy-access-hours-trafford_pharmacies",
    ]
    kinds = [f.kind for f in figures.values()]
    assert kinds == ["map", "map", "pharmacy_access", "pharmacy_access", "pharmacy_access"]
    for figure in figures.values():
        assert figure.summary
        assert figure.table.rows
        assert EDGE_NOTE in figure.table.notes
        assert figure.sources == ("Community pharmacies in Trafford by 2023 ward (March 2025)",)
        if figure.spec is not None:
            assert "<svg" in to_svg(figure.spec, title=figure.title)


def test_distances_equal_brute_force(
    figures: dict[str, access.Figure], expected: pd.DataFrame
) -> None:
    data = figures["pharmacy-access-map-all-trafford_pharmacies"].data.set_index("area_code")
    assert len(data) == 139
    assert (data["centre"] == "mean of postcode centroids").all()
    want = expected.reindex(data.index)
    np.testing.assert_allclose(data["distance_km_all"], want["distance"], atol=0.0005)
    np.testing.assert_allclose(data["distance_km_sunday"], want["sunday"], atol=0.0005)
    assert data["pharmacies_within_1_6_km_all"].tolist() == want["within_1_6"].tolist()
    assert data["population"].sum() == want["population"].sum()


def test_shares_equal_brute_force(
    figures: dict[str, access.Figure], expected: pd.DataFrame
) -> None:
    hours = figures["pharmacy-access-hours-trafford_pharmacies"].data.set_index("scenario")
    total = expected["population"].sum()
    assert hours.loc["all", "population"] == total
    within = expected.loc[expected["distance"] <= 1.6, "population"].sum()
    sunday = expected.loc[expected["sunday"] <= 1.6, "population"].sum()
    assert hours.loc["all", "population_within"] == within
    assert hours.loc["all", "share"] == round(100 * within / total, 1)
    assert hours.loc["sunday", "share"] == round(100 * sunday / total, 1)
    assert hours["open_pharmacies"].to_dict() == {
        "all": 57,
        "evening": 15,
        "saturday": 34,
        "sunday": 11,
    }


def test_trafford_headline_figures(figures: dict[str, access.Figure]) -> None:
    """Figures of the March 2025 list and mid-2024 estimates (checked by brute force above)."""
    summary = figures["pharmacy-access-map-all-trafford_pharmacies"].summary
    assert summary.startswith(
        "The map shades 139 neighbourhoods (LSOAs) of Trafford by the straight-line distance "
        "from their centre to the nearest of 57 pharmacies on the list. 98.6% of residents live "
        "within 1.6 km of a pharmacy. The furthest neighbourhood is Trafford 025E (Bowdon), "
        "2.48 km from a pharmacy."
    )
    hours = figures["pharmacy-access-hours-trafford_pharmacies"].summary
    assert "71.0% of one open on Sunday (11)" in hours
    assert "Bucklow-St Martins (0.0%)" in hours


def test_by_ward_and_decile(figures: dict[str, access.Figure], expected: pd.DataFrame) -> None:
    wards = figures["pharmacy-access-ward23-trafford_pharmacies"]
    assert len(wards.data) == 21
    assert wards.data["population"].sum() == expected["population"].sum()
    assert wards.table.columns[0].label == "Electoral ward (May 2023)"
    bowdon = wards.data.set_index("area_name").loc["Bowdon"]
    assert bowdon["share_all_1_6"] == pytest.approx(86.870454, abs=1e-3)
    deciles = figures["pharmacy-access-imd25_decile-trafford_pharmacies"]
    assert deciles.data["area_code"].tolist() == [str(d) for d in range(1, 11)]
    assert deciles.table.rows[0][0] == "Decile 1 (most deprived)"
    assert "from 12.2% in Decile 1 (most deprived)" in deciles.summary
    spec = deciles.spec
    assert spec is not None
    assert spec["encoding"]["color"]["scale"]["domain"] == [
        "within 1 km",
        "within 1.6 km",
        "within 1.6 km of one open on Sunday",
    ]
    assert len(spec["data"]["values"]) == 30


def test_map_features_and_points(figures: dict[str, access.Figure]) -> None:
    figure = figures["pharmacy-access-map-all-trafford_pharmacies"]
    assert figure.spec is not None
    features = figure.spec["datasets"]["areas"]
    assert len(features) == 139
    bands = {f["distance_band"] for f in features}
    assert bands <= {"up to 0.5 km", "0.5 km to 1 km", "1 km to 1.6 km", "over 1.6 km"}
    points = figure.spec["layer"][2]["data"]["values"]
    assert len(points) == 57
    assert sum(p["service"] == "Pharmacy open on Sunday" for p in points) == 11
    rows = figure.table.rows
    assert len(rows) == 139  # every area drawn is in the table, furthest first
    assert rows[0] == (
        "Trafford 025E",
        "Bowdon",
        "8",
        "1,426",
        "Oldfield Pharmacy",
        "2.48 km",
        "over 1.6 km",
    )
    assert [r[6] for r in rows].count("over 1.6 km") == 2
    assert (
        "By distance: up to 0.5 km, 94 neighbourhoods (68.8% of residents); 0.5 km to 1 km, "
        "41 neighbourhoods (28.5% of residents); 1 km to 1.6 km, 2 neighbourhoods (1.3% of "
        "residents); over 1.6 km, 2 neighbourhoods (1.4% of residents)."
    ) in figure.summary
    sunday = figures["pharmacy-access-map-sunday-trafford_pharmacies"].spec
    assert sunday is not None
    assert len(sunday["layer"][2]["data"]["values"]) == 11


def test_distance_bands() -> None:
    assert [b[2] for b in access.distance_bands((1.0, 1.6))] == [
        "up to 0.5 km",
        "0.5 km to 1 km",
        "1 km to 1.6 km",
        "over 1.6 km",
    ]
    assert [b[2] for b in access.distance_bands((0.5,))] == ["up to 0.5 km", "over 0.5 km"]


def test_without_opening_hours(
    trafford: FigureContext, block: PharmacyAccessBlock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list without hours: no Sunday map, no hours chart, no Sunday column."""
    full = access.access_result(trafford, block)
    plain: AccessResult = dataclasses.replace(
        full,
        scenarios=full.scenarios[:1],
        pharmacies=full.pharmacies.drop(
            columns=[c for c in full.pharmacies.columns if c.startswith("opening_hours_")]
        ),
    )
    monkeypatch.setattr(access, "access_result", lambda ctx, block: plain)
    made = access.build(trafford, block)
    assert [f.kind for f in made] == ["map", "pharmacy_access", "pharmacy_access"]
    assert all("Sunday" not in c.label for f in made for c in f.table.columns)
    assert made[0].spec is not None
    points = made[0].spec["layer"][2]["data"]["values"]
    assert {p["service"] for p in points} == {"Pharmacy"}
