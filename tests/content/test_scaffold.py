"""``jsna new`` (jsna.content.scaffold): a project for any English LA from the England-wide files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from jsna.content.project_files import check_project
from jsna.content.scaffold import find_authority, scaffold_project
from jsna.errors import JsnaError
from tests.paths import DATA_MIRROR

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("code", "name", "region"),
    [
        ("E08000009", "Trafford", "North West"),
        ("E06000035", "Medway", None),
        ("E08000035", "Leeds", None),
        ("E09000007", "Camden", "London"),
        ("E07000105", "Ashford", None),
    ],
)
def test_a_new_project_passes_the_check(
    tmp_path: Path, code: str, name: str, region: str | None
) -> None:
    made = scaffold_project(tmp_path / "jsna", code, mirror=DATA_MIRROR, today=TODAY)
    report = check_project(tmp_path / "jsna", today=TODAY)
    assert report.problems == ()
    # Only the three chapters are drafts; every indicator is shown and every source read.
    assert [w.rsplit("[", 1)[1] for w in report.warnings] == ["warning: draft_chapter]"] * 3
    project = report.project
    assert project is not None
    assert project.config.area.name == name
    assert project.config.title == f"{name} Joint Strategic Needs Assessment"
    assert [c.name for c in project.config.comparators] == [
        "England",
        *([region] if region else []),
    ]
    assert [c.id for c in project.chapters] == ["population", "deprivation", "long-term-conditions"]
    assert sorted(project.sources) == [
        "fingertips_la",
        "imd2025_la",
        "imd2025_lsoa",
        "population_mye",
        "qof_registers_practice",
    ]
    assert len(project.indicators) == 12
    lookups = project.config.geographies.lookups
    assert lookups[0].only == (code,)
    assert all(
        s.file is not None and s.file.startswith("${JSNA_DATA_MIRROR}/england/")
        for s in project.sources.values()
    )
    assert made.skipped == []
    readme = (tmp_path / "jsna" / "README.md").read_text()
    assert f"# {name} Joint Strategic Needs Assessment" in readme
    assert "jsna check jsna" in readme


def test_nothing_names_trafford_in_another_authority(tmp_path: Path) -> None:
    scaffold_project(tmp_path / "medway", "E06000035", mirror=DATA_MIRROR, today=TODAY)
    for path in (tmp_path / "medway").rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "Trafford" not in text, path
            assert "E08000009" not in text, path


def test_sources_keep_the_authority_and_its_comparators(tmp_path: Path) -> None:
    scaffold_project(tmp_path / "p", "E08000009", mirror=DATA_MIRROR, today=TODAY)
    population = yaml.safe_load((tmp_path / "p" / "sources" / "population_mye.yml").read_text())
    assert population["filters"] == [
        {"column": "area_code", "equals": ["E08000009", "E92000001", "E12000002"]}
    ]
    assert population["file"] == (
        "${JSNA_DATA_MIRROR}/england/population/ons_mye_mid2019_mid2020_england_la_syoa_sex.csv"
    )


def test_a_county_keeps_its_districts(tmp_path: Path) -> None:
    kent = find_authority("E10000016", DATA_MIRROR)
    assert (kent.name, kent.area_type, len(kent.districts)) == ("Kent", "utla23", 12)
    made = scaffold_project(tmp_path / "kent", "e10000016", mirror=DATA_MIRROR, today=TODAY)
    # The Fingertips extract has no depression or dementia values for counties.
    assert made.skipped == [
        "Long-term conditions: la_indicator_values_england.csv has no adults_depression or "
        "dementia_diagnosis values for E10000016; those indicators are left out."
    ]
    assert "sources/fingertips_la.yml" not in made.files
    report = check_project(tmp_path / "kent", today=TODAY)
    assert report.problems == ()
    assert report.project is not None
    assert report.project.config.geographies.lookups[0].only == kent.districts
    assert report.project.config.area_types[:2] == ("utla23", "ltla24")


def test_an_authority_newer_than_a_file_skips_it_and_says_so(tmp_path: Path) -> None:
    made = scaffold_project(tmp_path / "c", "E06000063", mirror=DATA_MIRROR, today=TODAY)
    assert made.authority.name == "Cumberland"
    assert len(made.skipped) == 2
    assert made.skipped[0].startswith("Population: ons_mye_mid2019_mid2020_england_la_syoa_sex")
    assert made.skipped[1] == (
        "Long-term conditions: la_indicator_values_england.csv has no dementia_diagnosis "
        "values for E06000063; those indicators are left out."
    )
    assert "chapters/01-population.md" not in made.files
    assert made.skipped[0] in (tmp_path / "c" / "README.md").read_text()
    assert check_project(tmp_path / "c", today=TODAY).problems == ()


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("E05000819", "not the code of an English local authority"),
        ("Trafford", "not the code of an English local authority"),
        ("E08999999", "no such local authority in the England lookups"),
    ],
)
def test_unknown_codes_say_how_to_find_one(tmp_path: Path, code: str, why: str) -> None:
    with pytest.raises(JsnaError) as caught:
        scaffold_project(tmp_path / "x", code, mirror=DATA_MIRROR)
    message = str(caught.value)
    assert message.startswith(f"--area {code.upper()}: {why}. Give the ONS code")
    assert "ltla23_to_utla23_england.csv" in message
    assert "geoportal.statistics.gov.uk" in message
    assert not (tmp_path / "x").exists()


def test_a_folder_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(JsnaError, match="already exists and is not empty"):
        scaffold_project(tmp_path, "E06000035", mirror=DATA_MIRROR)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
