"""The Trafford example's sources, ingested whole into a fresh store (SQLite and PostgreSQL).

The figures asserted are those of section 1 of ``design/INDICATORS.md`` (worked out
independently from the raw files), read back from the stored observations.

The project is a copy of ``examples/trafford/sources`` with the example's ``jsna.yml``
when it declares the England geography (``ltla_to_utla`` lookup), else with the full
Trafford geography fixture of ``tests/geography``: the sources are checked against
the areas it loads.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jsna.content.sources import load_sources
from jsna.ingest.pipeline import IngestOutcome, ingest_project
from jsna.store import migrate
from jsna.store.engine import connect
from tests.paths import DATA_MIRROR, ROOT
from tests.store.conftest import postgres_url

__all__ = ["postgres_url"]

EXAMPLE = ROOT / "examples" / "trafford"
GEOGRAPHY = ROOT / "tests" / "geography" / "projects" / "trafford" / "jsna.yml"
TRAFFORD = "E08000009"
ENGLAND = "E92000001"


def _project(folder: Path) -> Path:
    shutil.copytree(EXAMPLE / "sources", folder / "sources")
    if (EXAMPLE / "data").is_dir():  # the example's own (made-up, illustrative) files
        shutil.copytree(EXAMPLE / "data", folder / "data")
    settings = EXAMPLE / "jsna.yml"
    full = settings.is_file() and "reader: ltla_to_utla" in settings.read_text(encoding="utf-8")
    shutil.copy(settings if full else GEOGRAPHY, folder / "jsna.yml")
    return folder


class Ingested:
    """A store holding the whole example, and what the ingest said."""

    def __init__(self, engine: Engine, outcome: IngestOutcome, seconds: float):
        self.engine = engine
        self.outcome = outcome
        self.seconds = seconds

    def rows(self, source: str, indicator: str, **keys: Any) -> pd.DataFrame:
        """Current observations of one measure of one source (``keys`` select columns)."""
        query = (
            "SELECT a.code AS area_code, o.* FROM observation o "
            "JOIN area a ON a.id = o.area_id "
            "JOIN dataset_version v ON v.id = o.version_id "
            "WHERE v.is_current AND v.source_id = :source AND o.indicator_id = :indicator"
        )
        with self.engine.connect() as connection:
            result = connection.execute(text(query), {"source": source, "indicator": indicator})
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        for name, wanted in keys.items():
            chosen = frame[name].isin(wanted) if isinstance(wanted, list | set) else None
            frame = frame[chosen if chosen is not None else frame[name] == wanted]
        return frame

    def total(self, source: str, indicator: str, part: str = "numerator", **keys: Any) -> float:
        """The sum of one figure over the selected rows."""
        return float(self.rows(source, indicator, **keys)[part].astype(float).sum())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def example(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ingested]:
    """The example ingested from nothing (geography first, then every source)."""
    folder = tmp_path_factory.mktemp("trafford")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = connect(url=url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    migrate.upgrade(engine)
    project = _project(folder / "project")
    start = time.perf_counter()
    outcome = ingest_project(engine, project)
    seconds = time.perf_counter() - start
    yield Ingested(engine, outcome, seconds)
    engine.dispose()


def test_every_source_is_imported(example: Ingested) -> None:
    assert {key: str(error)[:2000] for key, error in example.outcome.failures.items()} == {}
    imported = {r.source_id for r in example.outcome.results if r.status == "imported"}
    assert imported >= set(load_sources(EXAMPLE))
    dropped = {r.source_id: r.duplicates_dropped for r in example.outcome.results}
    assert dropped["fingertips_counts_northwest"] == 2_493


def test_files_are_read_from_the_mirror_never_from_the_repository() -> None:
    """Real data comes from the mirror; the repository holds only made-up files, in the
    project's data/ folder, and says so in the source's title."""
    for declared in load_sources(EXAMPLE).values():
        assert declared.file is not None
        if declared.file.startswith("data/"):
            assert declared.title.startswith("ILLUSTRATIVE"), declared.id
            assert (EXAMPLE / declared.file).is_file()
            continue
        assert declared.file.startswith("${JSNA_DATA_MIRROR}/")
        assert (DATA_MIRROR / declared.file.split("}/", 1)[1]).is_file()


def test_mid_2024_population(example: Ingested) -> None:
    la = "population_mid2024_la"
    assert example.total(la, "population", area_code=TRAFFORD, sex="persons", age="all ages") == (
        241_025
    )
    assert example.total(la, "population", sex="female", age="all ages") == 123_369
    assert example.total(la, "population", sex="male", age="all ages") == 117_656
    assert example.total(la, "population", sex="persons", age="65+") == 42_515
    assert example.total(la, "population", sex="persons", age="0-15") == 50_230
    old = [str(age) for age in range(85, 90)] + ["90+"]
    assert example.total(la, "population", sex="persons", age=old) == 6_249
    for level in ("ward", "msoa", "lsoa"):
        source = f"population_mid2024_{level}"
        assert example.total(source, "population", sex="persons", age="all ages") == 241_025
    wards = example.rows("population_mid2024_ward", "population", sex="persons", age="all ages")
    assert set(wards["area_type"]) == {"ward23"}
    assert len(wards) == 21


def test_qof_registers_of_trafford_practices_and_england(example: Ingested) -> None:
    practices = set(example.rows("trafford_gp_practices", "gp_registered_patients")["area_code"])
    assert len(practices) == 26
    qof = "qof_practice_registers_2019_20"
    diabetes = example.rows(qof, "qof_dm")
    assert set(diabetes["age"]) == {"17+"}
    ours = diabetes[diabetes["area_code"].isin(practices)]
    assert (ours["numerator"].sum(), ours["denominator"].sum()) == (11_374, 176_622)
    p91 = diabetes[diabetes["area_code"].str.startswith("P91")]
    assert (p91["numerator"].sum(), p91["denominator"].sum()) == (12_465, 191_775)
    assert (diabetes["numerator"].sum(), diabetes["denominator"].sum()) == (3_455_176, 48_783_947)
    depression = example.rows(qof, "qof_dep")
    ours = depression[depression["area_code"].isin(practices)]
    assert (ours["numerator"].sum(), ours["denominator"].sum()) == (25_615, 174_032)
    hypertension = example.rows(qof, "qof_hyp")
    ours = hypertension[hypertension["area_code"].isin(practices)]
    assert (ours["numerator"].sum(), ours["denominator"].sum()) == (32_176, 224_108)


def test_census_2021_counts(example: Ingested) -> None:
    ward = "census_general_health_ward"
    bad = example.total(ward, "census_general_health", breakdown=["Bad health", "Very bad health"])
    assert (bad, example.total(ward, "census_general_health")) == (10_932, 235_058)
    lsoa = "census_general_health_lsoa"
    bad = example.total(lsoa, "census_general_health", breakdown=["Bad health", "Very bad health"])
    assert (bad, example.total(lsoa, "census_general_health")) == (10_933, 235_063)
    disabled = [
        "Disabled under the Equality Act: Day-to-day activities limited a lot",
        "Disabled under the Equality Act: Day-to-day activities limited a little",
    ]
    source = "census_disability_ward"
    assert example.total(source, "census_disability", breakdown=disabled) == 37_550
    assert example.total(source, "census_disability") == 235_053
    care = example.rows("census_unpaid_care_ward", "census_unpaid_care")
    assert care["numerator"].sum() == 221_586
    givers = care[care["breakdown"] != "Provides no unpaid care"]
    assert givers["numerator"].sum() == 18_824
    heavy = care[care["breakdown"] == "Provides 50 or more hours unpaid care a week"]
    assert heavy["numerator"].sum() == 5_087
    standardised = example.rows(
        "census_general_health_age_standardised", "census_general_health_as", area_code=TRAFFORD
    )
    worse = standardised[standardised["breakdown"].isin(["Bad health", "Very bad health"])]
    assert round(float(worse["value"].sum()), 1) == 4.8


def test_fingertips_counts_with_periods_as_published(example: Ingested) -> None:
    source = "fingertips_counts_northwest"
    deaths = example.rows(source, "93474", area_code=TRAFFORD, period="2023", age="all ages")
    deaths = deaths[deaths["breakdown_type"] == ""]
    assert (float(deaths["numerator"].iloc[0]), float(deaths["denominator"].iloc[0])) == (
        1_042,
        2_129,
    )
    diabetes = example.rows(source, "241", area_code=TRAFFORD, period="2019/20")
    assert (float(diabetes["numerator"].iloc[0]), float(diabetes["denominator"].iloc[0])) == (
        12_465,
        191_775,
    )
    conceptions = example.rows(source, "20401", area_code=TRAFFORD, period="2021")
    conceptions = conceptions[conceptions["breakdown_type"] == ""]
    assert list(conceptions[["numerator", "denominator"]].iloc[0]) == [34, 4_356]
    checks = example.rows("fingertips_counts_northwest_health_checks", "91040")
    trafford = checks[checks["area_code"] == TRAFFORD]
    assert trafford.groupby("period").size().to_dict()["2019/20"] == 4
    assert trafford[trafford["period"] == "2019/20"]["numerator"].sum() == 9_058


def test_deprivation(example: Ingested) -> None:
    deciles = example.rows("imd2025_lsoa", "iod_decile", breakdown="imd")
    assert len(deciles) == 139
    assert int((deciles["value"] == 1).sum()) == 6
    summary = example.rows(
        "imd2025_la_summaries", "iod_average_score", area_code=TRAFFORD, breakdown="imd"
    )
    assert float(summary["value"].iloc[0]) == 14.972
    rank = example.rows(
        "imd2025_la_summaries", "iod_rank_average_score", area_code=TRAFFORD, breakdown="imd"
    )
    assert float(rank["value"].iloc[0]) == 201
    population = example.rows(
        "population_mid2024_lsoa", "population", sex="persons", age="all ages"
    ).set_index("area_code")["value"]
    deprived = deciles[deciles["value"] <= 2]["area_code"]
    assert population[deprived].sum() == 18_939


def test_services_counted_per_ward(example: Ingested) -> None:
    assert example.total("trafford_pharmacies", "pharmacies") == 57
    assert example.total("trafford_pharmacies_sunday", "pharmacies_open_sunday") == 11
    assert example.total("trafford_care_homes", "care_homes", area_code=TRAFFORD) == 56
    assert example.total("trafford_dentists", "dental_practices", area_code=TRAFFORD) == 53
    assert example.total("trafford_libraries", "libraries") == 13
    assert example.total("trafford_mental_health_services", "mental_health_services") == 44
    facilities = example.rows("trafford_sport_facilities", "sport_facilities")
    assert facilities["numerator"].sum() == 314
    assert set(facilities["area_type"]) == {"ward23"}


def test_england_wide_values_keep_england_and_drop_abolished_authorities(
    example: Ingested,
) -> None:
    smoking = example.rows("fingertips_la_values", "adults_smoking", period="2024")
    values = smoking.set_index("area_code")["value"].astype(float)
    assert (values[TRAFFORD], values[ENGLAND]) == (7.4, 10.4)
    life = example.rows("fingertips_la_values", "life_expectancy", area_code=TRAFFORD)
    latest = life[life["period"] == "2023 - 25"].set_index("sex")["value"].astype(float)
    assert latest.to_dict() == {"male": 80.1, "female": 84.1}
    population = example.rows("mye_2019_2020", "mye_population", area_code=TRAFFORD, period="2019")
    fingertips = example.rows(
        "fingertips_counts_northwest", "92708", area_code=TRAFFORD, period="2019", sex="persons"
    )
    every_age = fingertips[fingertips["age"] == "all ages"]["numerator"].sum()
    assert population["numerator"].sum() == every_age


def test_survey_rates_times_population_give_expected_cases(example: Ingested) -> None:
    rates = example.rows("apms_2007_rates", "apms_psychotic_disorder", area_code=ENGLAND)
    rates = rates[rates["sex"].isin(["male", "female"]) & rates["age"].str.contains("-")]
    population = example.rows("population_mid2024_la", "population", area_code=TRAFFORD)
    expected = 0.0
    for band in rates.itertuples():
        low, high = (int(end) for end in band.age.split("-"))
        ages = [str(age) for age in range(low, high + 1)]
        chosen = population[(population["sex"] == band.sex) & population["age"].isin(ages)]
        rate = 0.0 if pd.isna(band.value) else float(band.value)
        expected += rate / 100 * float(chosen["value"].sum())
    assert round(expected) == 718  # psychotic disorder 16-64, "-" bands as 0


def test_population_projections(example: Ingested) -> None:
    projected = example.rows(
        "population_projections_2022", "projected_population", period="2030", age="all ages"
    )
    assert set(projected["sex"]) == {"female", "male"}
    assert round(float(projected["value"].sum())) == 244_929


def test_published_periods_are_harmonised(example: Ingested) -> None:
    homes = example.rows("cipfa_neighbours", "care_homes_good_outstanding", area_code=TRAFFORD)
    assert {"2023-11", "2026-04"} <= set(homes["period"])
    antibiotics = example.rows("cipfa_neighbours", "broad_spectrum_antibiotics")
    assert "2021-02" in set(antibiotics["period"])
    life = example.rows("ward_health_indicators", "life_expectancy")
    assert set(zip(life["sex"], life["period"], strict=True)) == {
        ("male", "2015 - 19"),
        ("female", "2015 - 19"),
    }
    assert len(life) == 42
    checks = example.rows("fingertips_la_values", "nhs_health_checks", area_code=TRAFFORD)
    assert "2025/26 Q3" in set(checks["period"])
