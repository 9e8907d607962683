"""The ``geographies:`` section of ``jsna.yml``: models and problems as ``path:line: field: message``."""

from __future__ import annotations

from pathlib import Path

import pytest

from jsna.content.geographies import (
    READERS,
    Geographies,
    load_geographies,
    read_geographies,
)
from jsna.errors import ContentError

GOOD = """\
title: A JSNA
geographies:
  lookups:
    - reader: lsoa21_to_ward
      file: ${JSNA_DATA_MIRROR}/england/lookups/lsoa21_to_ward24_ltla24_england.csv
      only: [E06000035]
    - reader: ltla_to_utla
      file: ${JSNA_DATA_MIRROR}/england/lookups/ltla23_to_utla23_england.csv
  boundaries:
    - area_type: ward17
      file: ${JSNA_DATA_MIRROR}/medway/boundaries/medway_wards_2013_pre2023.geojson
      code: ward_code
      name: ward_name
  custom_areas:
    - type: town
      name: Town
      of: ward24
      areas:
        Gillingham: [E05014460]
"""


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "jsna.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_good_section_reads(tmp_path: Path) -> None:
    declared = read_geographies(_project(tmp_path, GOOD))
    geographies = declared.geographies
    assert [item.reader for item in geographies.lookups] == ["lsoa21_to_ward", "ltla_to_utla"]
    assert geographies.lookups[0].only == ("E06000035",)
    assert geographies.boundaries[0].tolerance == 25.0
    assert geographies.custom_areas[0].method() == "areas"
    assert declared.line(("custom_areas", 0, "areas")) == 18
    assert declared.problem(("lookups", 1, "file"), "no such file") == (
        f"{tmp_path / 'jsna.yml'}:8: geographies.lookups.1.file: no such file"
    )
    assert load_geographies(tmp_path) == geographies
    assert str(declared.resolve("x.csv")) == str(tmp_path / "x.csv")


def test_every_field_has_a_description() -> None:
    from jsna.content import geographies as module

    for model in (
        module.LookupFile,
        module.BoundaryFile,
        module.CustomAreas,
        module.Geographies,
        module.GroupsFromFile,
        module.Polygons,
        module.PointsInPolygons,
        module.ApportionUnits,
    ):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("reader: ltla_to_utla", "reader: la_to_region", "7: geographies.lookups.1.reader: Input"),
        ("only: [E06000035]", "only: [E05000001]", "4: geographies.lookups.0: "),
        ("      name: ward_name\n", "", "10: geographies.boundaries.0.name: missing (required)"),
        (
            "      areas:",
            "      colour: red\n      areas:",
            "18: geographies.custom_areas.0.colour: unknown key",
        ),
        ("      of: ward24", "      of: town", "15: geographies.custom_areas.0: type 'town'"),
    ],
)
def test_problems_name_line_and_field(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    with pytest.raises(ContentError) as caught:
        load_geographies(_project(tmp_path, GOOD.replace(old, new)))
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].startswith(f"{tmp_path / 'jsna.yml'}:{expected}")


def test_a_custom_type_needs_exactly_one_definition(tmp_path: Path) -> None:
    text = GOOD.replace("      areas:\n        Gillingham: [E05014460]\n", "")
    with pytest.raises(ContentError, match="give exactly one of areas, from_file, points"):
        load_geographies(_project(tmp_path, text))


def test_every_problem_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("reader: ltla_to_utla", "reader: nope").replace("code: ward_code", "")
    with pytest.raises(ContentError) as caught:
        load_geographies(_project(tmp_path, text))
    assert len(caught.value.problems) == 2


def test_without_a_section_the_error_names_jsna_yml(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"jsna\.yml:1: geographies: missing"):
        load_geographies(_project(tmp_path, "title: A JSNA\n"))
    with pytest.raises(ContentError, match=r"jsna\.yml:1: \(file\): not found"):
        load_geographies(tmp_path / "nowhere")


def test_readers_match_the_literal() -> None:
    for reader in READERS:
        Geographies.model_validate({"lookups": [{"reader": reader, "file": "x.csv"}]})
