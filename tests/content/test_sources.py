"""Source declarations: YAML in, immutable models out, every problem reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from jsna.content.sources import FINGERTIPS_COLUMNS, Source, load_source, load_sources
from jsna.errors import ContentError, JsnaError

GOOD = """\
id: census_health
title: Census 2021 general health by ward
publisher: Office for National Statistics
licence: OGL-UK-3.0
file: data/health.csv
format: csv
geography: ward22
measure: count
columns:
  area_code: area_code
  area_name: area_name
  period: period
  breakdown: general_health
  value: value
fixed: {indicator_id: general_health, breakdown_type: general health}
filters:
  - {column: measure, equals: Count}
"""


def _write(project: Path, name: str, text: str) -> Path:
    folder = project / "sources"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_declaration_is_read_into_a_frozen_model(tmp_path: Path) -> None:
    _write(tmp_path, "census_health.yml", GOOD)
    sources = load_sources(tmp_path)
    declared = sources["census_health"]
    assert declared.format == "csv"
    assert declared.columns.breakdown == "general_health"
    assert declared.fixed.indicator_id == "general_health"
    assert declared.filters[0].values() == ("Count",)
    with pytest.raises(ValidationError):
        declared.title = "changed"  # type: ignore[misc]


def test_every_problem_of_every_file_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    bad = GOOD.replace("licence: OGL-UK-3.0\n", "").replace("format: csv", "format: pdf")
    bad = bad.replace("  value: value\n", "  value: value\n  valeu: v\ncolour: red\n")
    first = _write(tmp_path, "census_health.yml", bad)
    second = _write(tmp_path, "broken.yml", "id: broken\ntitle: [unclosed\n")
    with pytest.raises(ContentError) as caught:
        load_sources(tmp_path)
    assert isinstance(caught.value, JsnaError)
    assert caught.value.problems == [
        f"{second}:2: (yaml): broken YAML: did not find expected ',' or ']'",
        f"{first}:1: licence: missing (required)",
        f"{first}:5: format: Input should be 'csv', 'xlsx', 'geojson' or 'fingertips'",
        f"{first}:14: columns.valeu: unknown key",
        f"{first}:15: colour: unknown key",
    ]


def test_a_source_needs_a_place_an_indicator_and_a_figure(tmp_path: Path) -> None:
    text = GOOD.replace("file: data/health.csv\n", "").replace("  value: value\n", "")
    text = text.replace("fixed: {indicator_id: general_health, ", "fixed: {")
    path = _write(tmp_path, "census_health.yml", text)
    with pytest.raises(ContentError) as caught:
        load_source(path)
    assert caught.value.problems == [f"{path}:1: (file): give a url or a file"]


def test_the_id_must_match_the_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "other.yml", GOOD)
    with pytest.raises(ContentError, match=r"other.yml:1: id: 'census_health' must match"):
        load_sources(tmp_path)


def test_fingertips_sources_default_to_the_api_columns() -> None:
    declared = Source.model_validate(
        {
            "id": "ft",
            "title": "Fingertips",
            "publisher": "OHID",
            "licence": "OGL-UK-3.0",
            "url": "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=241",
            "format": "fingertips",
            "geography": "utla23",
            "columns": {"value": "Indicator value"},
        }
    )
    mapping = declared.mapping()
    assert mapping.area_code == FINGERTIPS_COLUMNS.area_code == "Area Code"
    assert mapping.value == "Indicator value"


def test_a_project_without_sources_and_unknown_ids_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no sources/"):
        load_sources(tmp_path)
    _write(tmp_path, "census_health.yml", GOOD)
    with pytest.raises(ContentError, match="nothing: no such source declared"):
        load_sources(tmp_path, ["nothing"])
    assert list(load_sources(tmp_path, ["census_health"])) == ["census_health"]
