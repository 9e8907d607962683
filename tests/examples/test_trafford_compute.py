"""The Trafford example built from nothing: ingest and compute, checked against the raw files.

Every indicator of ``examples/trafford`` is computed (none fails), a second run
recomputes nothing, and real figures are checked against independent
computation from the raw files of the data mirror: proportions and Wilson
intervals recomputed by hand from ward, LSOA and practice counts (including a
locality, which is a group of wards, and the practice localities and PCNs,
groups of practices), a rate with its Byars interval, and published values
passed through unchanged. Slow (the whole example is ingested and computed).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jsna.compute.findings import key_findings
from jsna.compute.pipeline import ComputeSummary, compute_project
from jsna.content.project_files import Project, load_project
from jsna.ingest.pipeline import ingest_project
from jsna.store import migrate
from jsna.store.engine import connect
from jsna.store.results import published_results
from tests.paths import DATA_MIRROR, ROOT
from tests.render.site import copy_example

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "trafford"
TRAFFORD_DATA = DATA_MIRROR / "trafford"
Z = 1.959963984540054


def wilson(x: float, n: float) -> tuple[float, float, float]:
    """Proportion and 95% Wilson score limits, as percentages."""
    p = x / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    denominator = 1 + Z * Z / n
    return 100 * p, 100 * (centre - half) / denominator, 100 * (centre + half) / denominator


def byars(x: float, n: float, per: float) -> tuple[float, float, float]:
    """Crude rate and 95% Byars limits (x of 10 or more), per ``per``."""
    lower = x * (1 - 1 / (9 * x) - Z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + Z / (3 * math.sqrt(x + 1))) ** 3
    return per * x / n, per * lower / n, per * upper / n


@dataclass
class Built:
    """The example's store after ingest and compute, and what the runs said."""

    engine: Engine
    project: Project
    first: ComputeSummary
    second: ComputeSummary

    def results(self, indicator: str, area_type: str, **keys: str) -> pd.DataFrame:
        """Published rows of one indicator and area type (``keys`` select columns)."""
        query = (
            "SELECT a.code AS area_code, a.name AS area_name, r.* FROM result r "
            "JOIN area a ON a.id = r.area_id "
            "WHERE r.indicator_id = :indicator AND r.area_type = :area_type"
        )
        with self.engine.connect() as connection:
            found = connection.execute(
                text(query), {"indicator": indicator, "area_type": area_type}
            )
            frame = pd.DataFrame(found.fetchall(), columns=list(found.keys()))
        for name, wanted in keys.items():
            frame = frame[frame[name] == wanted]
        return frame.reset_index(drop=True)

    def one(self, indicator: str, area_type: str, code: str, **keys: str) -> pd.Series:
        rows = self.results(indicator, area_type, area_code=code, **keys)
        rows = rows[(rows["breakdown"] == "")]
        assert len(rows) == 1, rows
        return rows.iloc[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    folder = tmp_path_factory.mktemp("trafford_example")
    project_folder = copy_example(folder / "project")  # every project file, no store or site
    engine = connect(url=f"sqlite:///{folder / 'store.db'}")
    migrate.upgrade(engine)
    outcome = ingest_project(engine, project_folder)
    assert {key: str(error)[:500] for key, error in outcome.failures.items()} == {}
    project = load_project(project_folder)
    first = compute_project(engine, project)
    second = compute_project(engine, project)
    yield Built(engine, project, first, second)
    engine.dispose()


def test_every_indicator_is_computed_and_a_second_run_is_incremental(built: Built) -> None:
    assert built.first.failed == {}
    assert set(built.first.computed) == set(built.project.indicators)
    assert built.first.result_rows > 0
    assert built.second.computed == ()
    assert set(built.second.skipped) == set(built.project.indicators)


def _ward_localities() -> pd.Series:
    postcodes = pd.read_csv(TRAFFORD_DATA / "lookups" / "trafford_postcodes.csv")
    pairs = postcodes[["ward_code", "locality"]].drop_duplicates()
    assert pairs["ward_code"].is_unique
    return pairs.set_index("ward_code")["locality"]


def test_locality_share_aged_65_plus_recomputed_from_ward_counts(built: Built) -> None:
    wards = pd.read_csv(TRAFFORD_DATA / "population" / "trafford_mid2024_syoa_ward.csv")
    wards = wards[wards["sex"] == "Persons"].copy()
    wards["locality"] = wards["area_code"].map(_ward_localities())
    sums = wards.groupby("locality")[["aged_65_and_over", "all_ages"]].sum()
    assert len(sums) == 4
    for locality, row in sums.iterrows():
        value, lower, upper = wilson(row["aged_65_and_over"], row["all_ages"])
        got = built.one("population_65_plus", "locality", str(locality))
        assert (got["numerator"], got["denominator"]) == (row["aged_65_and_over"], row["all_ages"])
        assert got["value"] == pytest.approx(value, rel=1e-9)
        assert got["lower_95"] == pytest.approx(lower, rel=1e-9)
        assert got["upper_95"] == pytest.approx(upper, rel=1e-9)
    trafford = built.one("population_65_plus", "ltla23", "E08000009")
    assert (trafford["numerator"], trafford["denominator"]) == (42_515, 241_025)


def test_bad_health_for_the_borough_from_lsoa_counts(built: Built) -> None:
    lsoa = pd.read_csv(TRAFFORD_DATA / "census2021" / "census2021_general_health_lsoa.csv")
    lsoa = lsoa[lsoa["measure"] == "Count"]
    bad = lsoa[lsoa["general_health"].isin(["Bad health", "Very bad health"])]["value"].sum()
    total = lsoa["value"].sum()
    assert (bad, total) == (10_933, 235_063)
    value, lower, upper = wilson(bad, total)
    got = built.one("bad_health", "ltla23", "E08000009")
    assert got["value"] == pytest.approx(value, rel=1e-9)
    assert (got["lower_95"], got["upper_95"]) == (
        pytest.approx(lower, rel=1e-9),
        pytest.approx(upper, rel=1e-9),
    )
    wards = built.results("bad_health_ward", "ward22")
    assert len(wards) == 21
    hale = wards[wards["area_name"] == "Hale Central"].iloc[0]
    assert hale["value"] == pytest.approx(2.12, abs=0.005)


def test_diabetes_by_pcn_practice_locality_and_trafford_from_practice_registers(
    built: Built,
) -> None:
    practices = pd.read_csv(TRAFFORD_DATA / "services" / "trafford_gp_practices.csv")
    qof = pd.read_csv(
        DATA_MIRROR / "england" / "qof" / "qof_prevalence_registers_practice_2019_20.csv"
    )
    dm = qof[(qof["group_code"] == "DM")].merge(practices, on="practice_code")
    assert len(dm) == 26
    total = wilson(dm["register"].sum(), dm["patient_list_size"].sum())
    trafford = built.one("diabetes_qof", "sub_icb", "E38000187")
    assert (trafford["numerator"], trafford["denominator"]) == (11_374, 176_622)
    assert trafford["value"] == pytest.approx(total[0], rel=1e-9)
    for column, area_type, code in (
        ("pcn_ods_code", "pcn", "pcn_ods_code"),
        ("locality", "practice_locality", "locality"),
    ):
        groups = dm.groupby(column)[["register", "patient_list_size"]].sum()
        got = built.results("diabetes_qof", area_type).set_index("area_code")
        assert set(got.index) == set(groups.index), code
        for group, row in groups.iterrows():
            value, lower, upper = wilson(row["register"], row["patient_list_size"])
            assert got.loc[group, "value"] == pytest.approx(value, rel=1e-9)
            assert got.loc[group, "lower_95"] == pytest.approx(lower, rel=1e-9)
            assert got.loc[group, "upper_95"] == pytest.approx(upper, rel=1e-9)
    pcn = built.results("diabetes_qof", "pcn")
    assert pcn["value"].min() == pytest.approx(5.03, abs=0.005)
    assert pcn["value"].max() == pytest.approx(8.40, abs=0.005)


def test_north_west_counts_recomputed(built: Built) -> None:
    deaths = built.one("deaths_in_hospital", "ltla23", "E08000009", period="2023", age="all ages")
    value, lower, upper = wilson(1_042, 2_129)
    assert (deaths["numerator"], deaths["denominator"]) == (1_042, 2_129)
    assert deaths["value"] == pytest.approx(value, rel=1e-9)
    assert (round(deaths["lower_95"], 2), round(deaths["upper_95"], 2)) == (46.82, 51.07)
    assert (round(lower, 2), round(upper, 2)) == (46.82, 51.07)
    conceptions = built.one("under18_conceptions", "ltla23", "E08000009", period="2021")
    value, lower, upper = byars(34, 4_356, 1_000)
    assert conceptions["value"] == pytest.approx(value, rel=1e-9)
    assert conceptions["lower_95"] == pytest.approx(lower, rel=1e-6)
    assert conceptions["upper_95"] == pytest.approx(upper, rel=1e-6)
    assert (round(conceptions["lower_95"], 2), round(conceptions["upper_95"], 2)) == (5.40, 10.91)


def test_published_values_pass_through(built: Built) -> None:
    men = built.one("life_expectancy_male", "ltla23", "E08000009", period="2023 - 25")
    women = built.one("life_expectancy_female", "ltla23", "E08000009", period="2023 - 25")
    assert (men["value"], women["value"]) == (80.1, 84.1)
    assert pd.isna(men["lower_95"])
    imd = built.one("imd_score_2025", "ltla23", "E08000009")
    assert imd["value"] == pytest.approx(14.972)


def test_pharmacies_by_locality_are_counted_from_the_list(built: Built) -> None:
    pharmacies = pd.read_csv(TRAFFORD_DATA / "services" / "trafford_pharmacies.csv")
    expected = pharmacies.groupby("locality").size()
    got = built.results("pharmacies", "locality").set_index("area_code")["numerator"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert built.one("pharmacies", "ltla23", "E08000009")["numerator"] == len(pharmacies) == 57


def test_no_results_for_areas_of_other_projects(built: Built) -> None:
    localities = set(built.results("bad_health", "locality")["area_code"])
    assert localities == {"North", "Central", "South", "West"}
    assert Path(EXAMPLE / ".jsna").exists() is False


def test_figures_by_national_deprivation_decile_from_lsoa_counts(built: Built) -> None:
    deciles = pd.read_csv(
        TRAFFORD_DATA / "deprivation" / "trafford_imd2025_lsoa21_scores_ranks_deciles.csv"
    ).set_index("lsoa21_code")["IMD_decile"]
    people = pd.read_csv(TRAFFORD_DATA / "population" / "trafford_mid2024_syoa_lsoa.csv")
    people = people[people["sex"] == "Persons"]
    residents = people.groupby(people["area_code"].map(deciles))["all_ages"].sum()
    assert (residents[1], residents[1] + residents[2]) == (9_613, 18_939)
    got = built.results("population_lsoa", "imd25_decile", sex="persons", age="all ages")
    got = got[got["breakdown"] == ""].set_index("area_code")["numerator"]
    assert {int(code): value for code, value in got.items()} == residents.to_dict()
    health = pd.read_csv(TRAFFORD_DATA / "census2021" / "census2021_general_health_lsoa.csv")
    health = health[health["measure"] == "Count"]
    health["decile"] = health["area_code"].map(deciles)
    health["bad"] = health["general_health"].isin(["Bad health", "Very bad health"])
    bad = health[health["bad"]].groupby("decile")["value"].sum()
    everyone = health.groupby("decile")["value"].sum()
    rows = built.results("bad_health", "imd25_decile").set_index("area_code")
    assert len(rows) == 10
    for decile in range(1, 11):
        value, lower, upper = wilson(bad[decile], everyone[decile])
        row = rows.loc[str(decile)]
        assert (row["numerator"], row["denominator"]) == (bad[decile], everyone[decile])
        assert row["value"] == pytest.approx(value, rel=1e-9)
        assert row["lower_95"] == pytest.approx(lower, rel=1e-9)
        assert row["upper_95"] == pytest.approx(upper, rel=1e-9)
    assert rows.loc["1", "value"] > 3 * rows.loc["10", "value"]


def test_pinned_key_findings_come_first_with_the_slope_index(built: Built) -> None:
    with built.engine.connect() as connection:
        results = published_results(connection)
    found = key_findings(results, built.project.indicators, built.project.config, limit=10)
    assert found.unknown_edits == ()
    assert [finding.id for finding in found.findings[:2]] == [
        "deprivation_gap/bad_health/E08000009",
        "deprivation_gap/disability/E08000009",
    ]
    first = found.findings[0]
    assert "slope index of inequality" in first.sentence
    assert "8.9%" in first.sentence
    assert "2.7%" in first.sentence


def test_demo_runs_every_step_on_the_built_example(built: Built, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from jsna.cli.main import cli

    url = built.engine.url.render_as_string(hide_password=False)
    arguments = [
        "demo",
        "--project",
        str(built.project.root),
        "--db",
        url,
        "--no-serve",
        "--no-pdf",
    ]
    result = CliRunner().invoke(cli, [*arguments, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    chapters = len(built.project.chapters)  # 12 topic chapters and the analysis chapters
    assert f"90 indicators, {chapters} chapters" in result.output
    assert "0 indicator(s) computed, 90 unchanged (skipped), 0 failed" in result.output
    assert "key findings for Trafford" in result.output
    exported = pd.read_csv(tmp_path / "results.csv", low_memory=False)
    trafford = exported[(exported["area_code"] == "E08000009") & exported["breakdown"].isna()]
    assert set(trafford["indicator_id"]) >= {"bad_health", "deaths_in_hospital", "population"}
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "chapters" / "population" / "index.html").is_file()


def test_practice_list_sizes_are_projected_from_the_raw_file(built: Built) -> None:
    import numpy as np

    practices = pd.read_csv(TRAFFORD_DATA / "services" / "trafford_gp_practices.csv")
    years = np.array([2019.5, 2026.0])
    totals = np.array(
        [practices["list_size_2019_20"].sum(), practices["registered_patients"].sum()]
    )
    slope, intercept = np.polyfit(years, totals, 1)
    projected = built.results("gp_registered_patients", "sub_icb", period="2030 (projected)")
    assert len(projected) == 1
    assert projected.loc[0, "value"] == pytest.approx(slope * 2030.5 + intercept, rel=1e-9)
    assert projected.loc[0, "statistic"] == "linear projection"
    assert projected.loc[0, "trend"] is None or pd.isna(projected.loc[0, "trend"])
