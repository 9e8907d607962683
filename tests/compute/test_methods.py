"""Methods and geographies beyond proportions of practices: dsr by age band, breakdown
types, best-fit and apportioned roll-ups (fit flag, weighted sums, never averaged rates)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from jsna.compute import compute_project
from jsna.geography.registry import custom_area_type
from jsna.stats.dsr import ESP2013, ESP2013_BANDS
from jsna.store.areas import load_geography
from jsna.store.results import published_results

from .conftest import BOROUGH, ENGLAND, OTHER, indicator_yaml, ingest, project_yaml, write_project

LSOAS = [f"E0100000{i}" for i in range(1, 7)]


def _source(source_id: str, geography: str, file: str, measure: str) -> dict[str, object]:
    return {
        "id": source_id,
        "title": source_id,
        "publisher": "Tests",
        "licence": "OGL-UK-3.0",
        "file": f"data/{file}",
        "format": "csv",
        "geography": geography,
        "columns": {
            "area_code": "code",
            "period": "period",
            "age": "age",
            "breakdown_type": "breakdown_type",
            "breakdown": "breakdown",
            "numerator": "numerator",
            "denominator": "denominator",
        },
        "fixed": {"indicator_id": measure},
    }


def test_dsr_by_esp2013_bands_matches_the_formula(engine: Engine, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    rows = []
    for code in (BOROUGH, OTHER, ENGLAND):
        scale = 100 if code == ENGLAND else 1
        for period in ("2021", "2022"):
            for band in ESP2013_BANDS:
                population = int(rng.integers(3000, 9000)) * scale
                deaths = int(population * (0.0005 + 0.004 * ESP2013_BANDS.index(band) / 18))
                rows.append((code, period, band, "", "", deaths, population))
    data = pd.DataFrame(
        rows,
        columns=[
            "code",
            "period",
            "age",
            "breakdown_type",
            "breakdown",
            "numerator",
            "denominator",
        ],
    )
    indicator = indicator_yaml(
        "mortality",
        method="dsr",
        multiplier=100000,
        standard="esp2013",
        source="deaths",
        numerator={"measure": "deaths", "age": "bands"},
        denominator={"measure": "deaths", "age": "bands"},
        geographies=["ltla23"],
    )
    folder = write_project(
        tmp_path / "p",
        project_yaml(area_types=["ltla23"]),
        [_source("deaths", "ltla23", "deaths.csv", "deaths")],
        [indicator],
        {"deaths.csv": data},
    )
    project = ingest(engine, folder)
    summary = compute_project(engine, project)
    assert summary.computed == ("mortality",), summary
    with engine.connect() as connection:
        frame = published_results(connection, "mortality", "ltla23")
    assert len(frame) == 4
    weights = pd.Series(ESP2013, index=list(ESP2013_BANDS))
    for row in frame.itertuples():
        mine = data[(data["code"] == row.area_code) & (data["period"] == row.period)]
        rate = (mine["numerator"] / mine["denominator"] * mine["age"].map(weights)).sum()
        expected = rate / ESP2013.sum() * 100000
        assert row.value == pytest.approx(expected, rel=1e-12)
        assert row.numerator == mine["numerator"].sum()
        assert row.age == "all ages"
        assert row.lower_95 < row.value < row.upper_95
        england = data[(data["code"] == ENGLAND) & (data["period"] == row.period)]
        bench = (england["numerator"] / england["denominator"] * england["age"].map(weights)).sum()
        assert row.england_value == pytest.approx(bench / ESP2013.sum() * 100000, rel=1e-12)
    assert frame["method"].iloc[0] == "dsr per 100000 (Dobson)"


def _small_geography(engine: Engine) -> None:
    """Six LSOAs: two MSOAs (exact), two wards (best fit), two neighbourhoods (shared LSOA)."""
    areas = [("lsoa21", code, code) for code in LSOAS]
    areas += [("msoa21", "E02000001", "M1"), ("msoa21", "E02000002", "M2")]
    areas += [("ward22", "E05000001", "W1"), ("ward22", "E05000002", "W2")]
    areas += [("neighbourhood", "N1", "North"), ("neighbourhood", "N2", "South")]
    links = []
    for number, code in enumerate(LSOAS):
        links.append(("lsoa21", code, "msoa21", f"E0200000{1 + number // 3}", 1.0, "lookup"))
        links.append(("lsoa21", code, "ward22", f"E0500000{1 + (number >= 2)}", 1.0, "best_fit"))
        if number == 2:  # shared half and half
            links.append(("lsoa21", code, "neighbourhood", "N1", 0.5, "apportioned"))
            links.append(("lsoa21", code, "neighbourhood", "N2", 0.5, "apportioned"))
        else:
            links.append(
                ("lsoa21", code, "neighbourhood", "N1" if number < 2 else "N2", 1.0, "custom")
            )
    with engine.begin() as connection:
        load_geography(
            connection,
            pd.DataFrame(areas, columns=["area_type", "code", "name"]),
            pd.DataFrame(
                links,
                columns=[
                    "child_type",
                    "child_code",
                    "parent_type",
                    "parent_code",
                    "weight",
                    "method",
                ],
            ),
            [custom_area_type("neighbourhood", "Neighbourhood", 2, "test")],
        )


def test_fit_flags_weighted_sums_and_breakdown_types(engine: Engine, tmp_path: Path) -> None:
    rows = []
    for number, code in enumerate(LSOAS):
        total_x, total_n = 0, 0
        for quintile in range(1, 3):
            x, n = 40 + 7 * number + 3 * quintile, 800 + 50 * number + 20 * quintile
            rows.append((code, "2021", "all ages", "income group", f"group {quintile}", x, n))
            total_x, total_n = total_x + x, total_n + n
        rows.append((code, "2021", "all ages", "", "", total_x, total_n))
    data = pd.DataFrame(
        rows,
        columns=[
            "code",
            "period",
            "age",
            "breakdown_type",
            "breakdown",
            "numerator",
            "denominator",
        ],
    )
    types = ["lsoa21", "msoa21", "ward22", "neighbourhood"]
    indicator = indicator_yaml(
        "bad_health",
        source="health",
        numerator={"measure": "health"},
        denominator={"measure": "health"},
        geographies=types,
        breakdowns=["income group"],
    )
    folder = write_project(
        tmp_path / "p",
        project_yaml(area_types=types),
        [_source("health", "lsoa21", "health.csv", "health")],
        [indicator],
        {"health.csv": data},
    )
    _small_geography(engine)
    project = ingest(engine, folder)
    summary = compute_project(engine, project)
    assert summary.computed == ("bad_health",), summary
    with engine.connect() as connection:
        frame = published_results(connection, "bad_health")
    totals = frame[frame["breakdown_type"] == ""].set_index("area_code")
    assert totals.loc["E02000001", "fit"] == "exact"
    assert totals.loc["E05000001", "fit"] == "best_fit"
    assert totals.loc["N1", "fit"] == "apportioned"
    assert totals.loc[LSOAS[0], "fit"] == "exact"
    plain = data[data["breakdown_type"] == ""].set_index("code")
    # N1 = LSOA 1 + LSOA 2 + half of LSOA 3: counts summed with weights, then the rate.
    x = plain.loc[LSOAS[:2], "numerator"].sum() + 0.5 * plain.loc[LSOAS[2], "numerator"]
    n = plain.loc[LSOAS[:2], "denominator"].sum() + 0.5 * plain.loc[LSOAS[2], "denominator"]
    assert totals.loc["N1", "numerator"] == pytest.approx(x)
    assert totals.loc["N1", "value"] == pytest.approx(x / n * 100, rel=1e-12)
    ward = plain.loc[LSOAS[2:]].sum()
    assert totals.loc["E05000002", "value"] == pytest.approx(
        ward["numerator"] / ward["denominator"] * 100, rel=1e-12
    )
    groups = frame[frame["breakdown_type"] == "income group"]
    assert set(groups["breakdown"]) == {"group 1", "group 2"}
    assert len(groups) == 2 * len(totals)
    msoa = groups[(groups["area_code"] == "E02000002") & (groups["breakdown"] == "group 2")].iloc[0]
    part = data[data["code"].isin(LSOAS[3:]) & (data["breakdown"] == "group 2")]
    assert msoa["numerator"] == part["numerator"].sum()
    assert msoa["denominator"] == part["denominator"].sum()


def _banded(bands: tuple[str, ...], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for code in (BOROUGH, OTHER, ENGLAND):
        scale = 50 if code == ENGLAND else 1
        for position, band in enumerate(bands):
            population = int(rng.integers(4000, 9000)) * scale
            risk = 0.0004 * np.exp(position / 3.2)
            deaths = int(population * min(risk, 0.3))
            rows.append((code, "2022", band, "", "", deaths, population))
    return pd.DataFrame(
        rows,
        columns=[
            "code",
            "period",
            "age",
            "breakdown_type",
            "breakdown",
            "numerator",
            "denominator",
        ],
    )


def test_isr_uses_englands_rates_by_band(engine: Engine, tmp_path: Path) -> None:
    data = _banded(ESP2013_BANDS, 11)
    indicator = indicator_yaml(
        "smr_rate",
        method="isr",
        multiplier=100000,
        source="deaths",
        numerator={"measure": "deaths", "age": "bands"},
        denominator={"measure": "deaths", "age": "bands"},
        reference={"measure": "deaths", "age": "bands"},
        geographies=["ltla23"],
    )
    folder = write_project(
        tmp_path / "p",
        project_yaml(area_types=["ltla23"]),
        [_source("deaths", "ltla23", "deaths.csv", "deaths")],
        [indicator],
        {"deaths.csv": data},
    )
    summary = compute_project(engine, ingest(engine, folder))
    assert summary.computed == ("smr_rate",), summary
    with engine.connect() as connection:
        frame = published_results(connection, "smr_rate", "ltla23").set_index("area_code")
    england = data[data["code"] == ENGLAND].set_index("age")
    reference_rate = england["numerator"].sum() / england["denominator"].sum() * 100000
    for code in (BOROUGH, OTHER):
        mine = data[data["code"] == code].set_index("age")
        expected = (mine["denominator"] * england["numerator"] / england["denominator"]).sum()
        value = mine["numerator"].sum() / expected * reference_rate
        assert frame.loc[code, "value"] == pytest.approx(value, rel=1e-12)
        assert frame.loc[code, "numerator"] == mine["numerator"].sum()
        assert frame.loc[code, "denominator"] == mine["denominator"].sum()


def test_life_expectancy_at_birth_from_20_bands(engine: Engine, tmp_path: Path) -> None:
    bands = ("<1", "1-4", *ESP2013_BANDS[1:])
    data = _banded(bands, 5)
    indicator = indicator_yaml(
        "life_expectancy",
        method="life_expectancy",
        polarity="high_is_good",
        multiplier=1,
        source="deaths",
        numerator={"measure": "deaths", "age": "bands"},
        denominator={"measure": "deaths", "age": "bands"},
        geographies=["ltla23"],
    )
    folder = write_project(
        tmp_path / "p",
        project_yaml(area_types=["ltla23"]),
        [_source("deaths", "ltla23", "deaths.csv", "deaths")],
        [indicator],
        {"deaths.csv": data},
    )
    summary = compute_project(engine, ingest(engine, folder))
    assert summary.computed == ("life_expectancy",), summary
    with engine.connect() as connection:
        frame = published_results(connection, "life_expectancy", "ltla23")
    assert len(frame) == 2
    assert frame["value"].between(50, 100).all()
    assert (frame["lower_95"] < frame["value"]).all()
    assert frame["england_value"].between(50, 100).all()
    assert frame["method"].str.startswith("life expectancy at 0").all()
