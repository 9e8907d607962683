"""Pharmacy access maths against hand-computed figures (jsna.stats.nearest, jsna.analysis.access).

The small cases are drawn on a grid in metres so every distance is exact:

    C (0, 2000) pop 600, g2
    P0 (0, 500)  open on Sunday
    A (0, 0) pop 100, g1     B (1200, 0) pop 300, g1     P1 (1500, 0) closed on Sunday
    D (5000, 5000) population unknown, g2
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pydantic import ValidationError

from jsna.analysis.access import (
    CENTRE_POLYGON,
    CENTRE_POSTCODES,
    Scenario,
    access_by_origin,
    closing_minutes,
    limit_key,
    lsoa_centres,
    opening_scenarios,
    read_pharmacies,
    summarise,
)
from jsna.analysis.travel import Places, StraightLine, TravelCosts, places
from jsna.content.blocks.access import PharmacyAccessBlock
from jsna.errors import InputFileError
from jsna.stats import StatsInputError
from jsna.stats.nearest import count_within, nearest


def grid(points: list[tuple[float, float]]) -> Places:
    xy = np.asarray(points, dtype=float)
    return Places(np.zeros(len(xy)), np.zeros(len(xy)), xy[:, 0], xy[:, 1])


# --- jsna.stats.nearest ------------------------------------------------------------------------


def test_nearest_and_counts_by_hand() -> None:
    origins = [(0, 0), (3, 4), (10, 0)]
    destinations = [(3, 0), (0, 4)]
    distance, position = nearest(origins, destinations)
    assert distance.tolist() == [3.0, 3.0, 7.0]
    assert position.tolist()[0] == 0
    assert position.tolist()[2] == 0
    assert position.tolist()[1] == 1  # (0, 4) is 3 away, (3, 0) 4
    assert count_within(origins, destinations, 3).tolist() == [1, 1, 0]  # the boundary counts
    assert count_within(origins, destinations, 4).tolist() == [2, 2, 0]
    assert count_within(origins, destinations, 2.99).tolist() == [0, 0, 0]


def test_nearest_without_destinations_or_origins() -> None:
    distance, position = nearest([(0, 0), (1, 1)], np.empty((0, 2)))
    assert np.isinf(distance).all()
    assert position.tolist() == [-1, -1]
    assert count_within([(0, 0)], np.empty((0, 2)), 1.0).tolist() == [0]
    assert nearest(np.empty((0, 2)), [(0, 0)])[0].shape == (0,)


def test_nearest_bad_input_messages() -> None:
    with pytest.raises(StatsInputError) as error:
        nearest([1, 2, 3], [(0, 0)])
    assert (
        str(error.value) == "origins: must be an (n, 2) array of x, y coordinates; got shape (3,)"
    )
    with pytest.raises(StatsInputError) as error:
        nearest([(0, 0)], [(0, 0), (np.nan, 1)])
    assert str(error.value) == (
        "destinations: coordinates must be finite numbers; got [nan, 1.0] at position 1"
    )
    with pytest.raises(StatsInputError) as error:
        count_within([(0, 0)], [(0, 0)], 0)
    assert str(error.value) == "radius: must be a positive finite number; got 0"


def test_nearest_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    origins = rng.uniform(0, 10_000, (500, 2))
    destinations = rng.uniform(0, 10_000, (60, 2))
    matrix = np.sqrt(((origins[:, None, :] - destinations[None, :, :]) ** 2).sum(axis=2))
    distance, position = nearest(origins, destinations)
    np.testing.assert_allclose(distance, matrix.min(axis=1))
    np.testing.assert_array_equal(position, matrix.argmin(axis=1))
    np.testing.assert_array_equal(
        count_within(origins, destinations, 1500), (matrix <= 1500).sum(1)
    )


# --- opening hours -----------------------------------------------------------------------------


def test_closing_minutes() -> None:
    hours = pd.Series(["09:00-18:00", "09:00-12:30,13:00-21:00", "CLOSED", "", "18:00-00:00", None])
    closing = closing_minutes(hours)
    assert closing.iloc[:2].tolist() == [18 * 60, 21 * 60]
    assert closing.iloc[2:4].isna().all()
    assert closing.iloc[5:].isna().all()
    assert closing.iloc[4] == 24 * 60  # past midnight


def test_closing_minutes_bad_hours_names_file_row_and_column() -> None:
    hours = pd.Series(["09:00-18:00", "9am-5pm"])
    with pytest.raises(InputFileError) as error:
        closing_minutes(hours, path="pharmacies.csv", column="opening_hours_sunday")
    assert str(error.value) == (
        "pharmacies.csv, row 3, column 'opening_hours_sunday': opening hours must read like "
        "09:00-18:00 (spans separated by commas) or CLOSED; got '9am-5pm'"
    )


def test_opening_scenarios() -> None:
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    late = dict.fromkeys(days[:5], "09:00-21:00")
    frame = pd.DataFrame(
        [
            {**{f"opening_hours_{d}": v for d, v in late.items()},
             "opening_hours_saturday": "09:00-17:00", "opening_hours_sunday": "10:00-16:00"},
            {**{f"opening_hours_{d}": "09:00-18:00" for d in days[:5]},
             "opening_hours_saturday": "CLOSED", "opening_hours_sunday": "CLOSED"},
            {**{f"opening_hours_{d}": "09:00-21:00" for d in days[:4]},
             "opening_hours_friday": "09:00-17:00",
             "opening_hours_saturday": "09:00-13:00", "opening_hours_sunday": "CLOSED"},
        ]
    )  # fmt: skip
    scenarios = {s.key: s for s in opening_scenarios(frame, "18:00")}
    assert list(scenarios) == ["all", "evening", "saturday", "sunday"]
    assert scenarios["all"].open.tolist() == [True, True, True]
    # closing at 18:00 is not "after 18:00"; one early Friday loses the evening
    assert scenarios["evening"].open.tolist() == [True, False, False]
    assert scenarios["saturday"].open.tolist() == [True, False, True]
    assert scenarios["sunday"].open.tolist() == [True, False, False]
    assert scenarios["evening"].label == "open after 18:00 Monday to Friday"
    # without hours: only "all"
    assert [s.key for s in opening_scenarios(frame[[]].assign(x=1), "18:00")] == ["all"]


# --- reach and shares --------------------------------------------------------------------------


@pytest.fixture
def case() -> tuple[pd.DataFrame, list[Scenario]]:
    origins = grid([(0, 0), (1200, 0), (0, 2000), (5000, 5000)])
    pharmacies = grid([(0, 500), (1500, 0)])
    scenarios = [
        Scenario("all", "any pharmacy", np.array([True, True])),
        Scenario("sunday", "open on Sunday", np.array([True, False])),
    ]
    costs = access_by_origin(origins, pharmacies, scenarios, (1.0, 1.6))
    frame = pd.DataFrame(
        {"population": [100, 300, 600, np.nan], "group": ["g1", "g1", "g2", "g2"]}
    ).join(costs)
    return frame, scenarios


def test_access_by_origin_by_hand(case: tuple[pd.DataFrame, list[Scenario]]) -> None:
    frame, _ = case
    np.testing.assert_allclose(frame["cost_all"], [0.5, 0.3, 1.5, math.hypot(3500, 5000) / 1000])
    assert frame["nearest_all"].tolist() == [0, 1, 0, 1]
    assert frame["count_all_1_0"].tolist() == [1, 1, 0, 0]
    assert frame["count_all_1_6"].tolist() == [2, 2, 1, 0]  # B to P0: 1.3 km
    np.testing.assert_allclose(frame["cost_sunday"], [0.5, 1.3, 1.5, math.hypot(5000, 4500) / 1000])
    assert frame["nearest_sunday"].tolist() == [0, 0, 0, 0]  # positions in the whole list
    assert frame["count_sunday_1_0"].tolist() == [1, 0, 0, 0]


def test_summarise_whole_area_by_hand(case: tuple[pd.DataFrame, list[Scenario]]) -> None:
    frame, _ = case
    row = summarise(frame, None, ["all", "sunday"], (1.0, 1.6)).iloc[0]
    assert row["lsoas"] == 4
    assert row["population"] == 1000  # D's population is unknown: out of every share
    assert row["mean_cost_all"] == pytest.approx((100 * 0.5 + 300 * 0.3 + 600 * 1.5) / 1000)
    assert row["max_cost_all"] == pytest.approx(math.hypot(3500, 5000) / 1000)
    assert row["mean_cost_sunday"] == pytest.approx((100 * 0.5 + 300 * 1.3 + 600 * 1.5) / 1000)
    assert row["population_all_1_0"] == 400
    assert row["share_all_1_0"] == pytest.approx(40.0)
    assert row["share_all_1_6"] == pytest.approx(100.0)
    assert row["share_sunday_1_0"] == pytest.approx(10.0)
    assert row["share_sunday_1_6"] == pytest.approx(100.0)


def test_summarise_by_group_by_hand(case: tuple[pd.DataFrame, list[Scenario]]) -> None:
    frame, _ = case
    rows = summarise(frame, "group", ["all", "sunday"], (1.0, 1.6)).set_index("group")
    assert rows.loc["g1", "population"] == 400
    assert rows.loc["g2", "population"] == 600
    assert rows.loc["g1", "share_all_1_0"] == pytest.approx(100.0)
    assert rows.loc["g1", "share_sunday_1_0"] == pytest.approx(25.0)
    assert rows.loc["g2", "share_all_1_0"] == pytest.approx(0.0)
    assert rows.loc["g2", "share_all_1_6"] == pytest.approx(100.0)
    assert rows.loc["g2", "lsoas"] == 2


def test_summarise_group_without_residents_has_no_share() -> None:
    frame = pd.DataFrame({"population": [0.0], "group": ["x"], "cost_all": [0.2]})
    row = summarise(frame, "group", ["all"], (1.0,)).iloc[0]
    assert row["population"] == 0
    assert np.isnan(row["share_all_1_0"])


def test_scenario_without_pharmacies() -> None:
    origins = grid([(0, 0)])
    pharmacies = grid([(0, 500)])
    scenarios = [Scenario("sunday", "open on Sunday", np.array([False]))]
    frame = access_by_origin(origins, pharmacies, scenarios, (1.0,))
    assert np.isinf(frame["cost_sunday"].iloc[0])
    assert frame["nearest_sunday"].iloc[0] == -1
    assert frame["count_sunday_1_0"].iloc[0] == 0
    summary = summarise(frame.assign(population=10), None, ["sunday"], (1.0,)).iloc[0]
    assert summary["share_sunday_1_0"] == 0.0


def test_limit_key() -> None:
    assert limit_key(1.6) == "1_6"
    assert limit_key(1) == "1_0"


# --- travel costs: one interface ----------------------------------------------------------------


class FixedMinutes:
    """A stand-in routing engine: walking minutes from a fixed table (no server)."""

    unit = "minutes"
    description = "walking time"

    def __init__(self, table: np.ndarray):
        self.table = table

    def nearest(self, origins: Places, destinations: Places) -> tuple[np.ndarray, np.ndarray]:
        table = self.table[:, : len(destinations)]
        return table.min(axis=1), table.argmin(axis=1)

    def count_within(self, origins: Places, destinations: Places, limit: float) -> np.ndarray:
        return (self.table[:, : len(destinations)] <= limit).sum(axis=1)


def test_routing_engine_plugs_in_through_the_interface() -> None:
    engine = FixedMinutes(np.array([[25.0, 12.0], [30.0, 40.0]]))
    assert isinstance(engine, TravelCosts)
    assert isinstance(StraightLine(), TravelCosts)
    scenarios = [Scenario("all", "any pharmacy", np.array([True, True]))]
    frame = access_by_origin(
        grid([(0, 0), (1, 1)]), grid([(5, 5), (6, 6)]), scenarios, (20.0,), engine
    )
    assert frame["cost_all"].tolist() == [12.0, 30.0]
    assert frame["nearest_all"].tolist() == [1, 0]
    assert frame["count_all_20_0"].tolist() == [1, 0]


def test_places_projects_to_the_british_national_grid() -> None:
    # The grid's true origin (49 N, 2 W) is at (400,000, -100,000) m; the WGS84 to OSGB36
    # datum shift moves it by well under 200 m.
    origin = places([-2.0], [49.0])
    assert origin.x[0] == pytest.approx(400_000, abs=200)
    assert origin.y[0] == pytest.approx(-100_000, abs=200)
    # 0.01 degrees of latitude is about 1,113 m of northing
    north = places([-2.0], [49.01])
    assert north.y[0] - origin.y[0] == pytest.approx(1113, abs=5)


# --- centres and the pharmacy file --------------------------------------------------------------


def test_lsoa_centres_mean_of_postcodes_else_inside_boundary() -> None:
    shapes = pd.DataFrame(
        {
            "area_code": ["E1", "E2"],
            "geometry": [shapely.box(0, 50, 1, 51), shapely.box(2, 50, 4, 52)],
        }
    )
    postcodes = pd.DataFrame(
        {"area_code": ["E1", "E1", "E1"], "lon": [0.1, 0.2, 0.6], "lat": [50.1, 50.2, 50.9]}
    )
    centres = lsoa_centres(shapes, postcodes).set_index("area_code")
    assert centres.loc["E1", "lon"] == pytest.approx(0.3)
    assert centres.loc["E1", "lat"] == pytest.approx(50.4)
    assert centres.loc["E1", "centre"] == CENTRE_POSTCODES
    assert centres.loc["E1", "postcodes"] == 3
    assert centres.loc["E2", "centre"] == CENTRE_POLYGON
    assert centres.loc["E2", "postcodes"] == 0
    assert shapely.box(2, 50, 4, 52).contains(shapely.Point(centres.loc["E2", ["lon", "lat"]]))
    assert (lsoa_centres(shapes, None)["centre"] == CENTRE_POLYGON).all()


def test_read_pharmacies_bad_latitude(tmp_path: Path) -> None:
    path = tmp_path / "pharmacies.csv"
    path.write_text("pharmacy_name,postcode,lon,lat\nA,M1 1AA,-2.3,53.4\nB,M1 1AB,-2.3,abc\n")
    with pytest.raises(InputFileError) as error:
        read_pharmacies(path)
    assert str(error.value) == (
        f"{path}, row 3, column 'lat': must be a number from 49.0 to 61.5 (Great Britain); "
        "got 'abc'"
    )


def test_read_pharmacies_needs_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "pharmacies.csv"
    path.write_text("pharmacy_name,postcode\nA,M1 1AA\n")
    with pytest.raises(InputFileError) as error:
        read_pharmacies(path)
    assert str(error.value) == f"{path}: has no 'lon' column (pharmacy locations)"


def test_read_pharmacies_keeps_hours(tmp_path: Path) -> None:
    path = tmp_path / "pharmacies.csv"
    path.write_text("name,lon,lat,opening_hours_sunday\nA,-2.3,53.4, CLOSED \n")
    frame = read_pharmacies(path)
    assert frame.loc[0, "name"] == "A"
    assert frame.loc[0, "opening_hours_sunday"] == "CLOSED"
    assert frame.loc[0, "postcode"] == ""


# --- the block ----------------------------------------------------------------------------------


def test_block_ids_and_validation() -> None:
    block = PharmacyAccessBlock(block="pharmacy_access", pharmacies="ph", population="pop")
    assert block.source_ids() == ("ph",)
    assert block.indicator_ids() == ("pop",)
    assert block.distances_km == (1.0, 1.6)
    assert block.by == ("ward23", "imd25_decile")
    with pytest.raises(ValidationError, match="distances must be different and in ascending"):
        PharmacyAccessBlock(
            block="pharmacy_access", pharmacies="ph", population="pop", distances_km=(1.6, 1.0)
        )
    with pytest.raises(ValidationError, match="more than 0 and at most 50 km"):
        PharmacyAccessBlock(
            block="pharmacy_access", pharmacies="ph", population="pop", distances_km=(0,)
        )
    with pytest.raises(ValidationError, match="must be a time of day as HH:MM"):
        PharmacyAccessBlock(
            block="pharmacy_access", pharmacies="ph", population="pop", evening_after="6pm"
        )
