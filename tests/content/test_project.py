"""``jsna.yml`` (ProjectConfig) and loading a whole project: every problem as path:line: field: message."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from jsna.content import project as project_module
from jsna.content.project import ProjectConfig, Validation
from jsna.content.project_files import check_project, load_project
from jsna.errors import ContentError

from .projects import CHAPTER, INDICATOR, JSNA_YML, SOURCE, TODAY, report, write_project


def _problems(root: Path) -> list[str]:
    return report(root)[0]


def _warnings(root: Path) -> list[str]:
    return report(root)[1]


def test_a_good_project_loads_whole_and_immutable(project: Path) -> None:
    loaded = load_project(project, today=TODAY)
    assert loaded.config.area.code == "E06000035"
    assert loaded.config.comparator("england").codes == ("E92000001",)
    assert list(loaded.sources) == ["deaths"]
    assert list(loaded.indicators) == ["death_rate"]
    assert [chapter.id for chapter in loaded.chapters] == ["mortality"]
    assert loaded.warnings == ()
    assert loaded.config.disclosure.max_suppressed_count == 4
    with pytest.raises(TypeError):
        loaded.indicators["x"] = loaded.indicators["death_rate"]  # type: ignore[index]
    with pytest.raises(ValueError, match="frozen"):
        loaded.config.title = "Another"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("kind: england", "kind: region"),
            "ROOT/jsna.yml:1: (file): the first comparator must be England (kind: england)",
        ),
        (
            (
                "area_types:",
                "  - {id: england, name: E, kind: other, codes: [E92000001]}\narea_types:",
            ),
            "ROOT/jsna.yml:1: (file): comparator id 'england' is used twice",
        ),
        (("title: Test JSNA\n", ""), "ROOT/jsna.yml:1: title: missing (required)"),
        (
            ("{organisation: Medway Council}", "{organisation: M, primary_colour: blue}"),
            "ROOT/jsna.yml:10: branding.primary_colour: String should match pattern "
            "'^#[0-9a-fA-F]{6}$'",
        ),
        (
            ("code: E06000035", "code: X06000035"),
            "ROOT/jsna.yml:2: area.code: String should match pattern '^[EWSNK]\\d{8}$'",
        ),
        (
            ('edition: "2026"', "edition: 2026 edition"),
            "ROOT/jsna.yml:11: publication.edition: String should match pattern "
            "'^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$'",
        ),
        (
            ("title: Test JSNA", "title: [Test JSNA"),
            "ROOT/jsna.yml:2: (yaml): broken YAML: did not find expected ',' or ']'",
        ),
        (
            ("      file: lookups.csv\n", ""),
            "ROOT/jsna.yml:8: geographies.lookups.0.file: missing (required)",
        ),
    ],
)
def test_jsna_yml_rules(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert change[0] in JSNA_YML
    root = write_project(tmp_path, **{"jsna.yml": JSNA_YML.replace(*change)})
    assert _problems(root) == [expected]


def test_an_unknown_key_is_named_on_its_line(tmp_path: Path) -> None:
    root = write_project(tmp_path, **{"jsna.yml": JSNA_YML + "colour: red\n"})
    assert _problems(root) == ["ROOT/jsna.yml:12: colour: unknown key"]


def test_a_folder_without_jsna_yml(tmp_path: Path) -> None:
    root = write_project(tmp_path, **{"jsna.yml": None})
    assert _problems(root) == ["ROOT/jsna.yml:1: (file): no jsna.yml: is ROOT a jsna project?"]


def test_an_unknown_validation_rule(tmp_path: Path) -> None:
    root = write_project(
        tmp_path, **{"jsna.yml": JSNA_YML + "validation: {levels: {missing_owners: error}}\n"}
    )
    assert _problems(root) == [
        "ROOT/jsna.yml:12: validation: unknown rule 'missing_owners'; rules: missing_rationale, "
        "missing_owner, review_overdue, draft_chapter, unused_indicator, unused_source"
    ]


def test_validation_levels_make_a_warning_an_error_or_turn_it_off(tmp_path: Path) -> None:
    late_draft = CHAPTER.replace("2027-01-31", "2026-01-31").replace("published", "draft")
    root = write_project(tmp_path, **{"chapters/01-mortality.md": late_draft})
    assert _problems(root) == []
    assert _warnings(root) == [
        "ROOT/chapters/01-mortality.md:1: review_date: review was due 2026-01-31 "
        "[warning: review_overdue]",
        "ROOT/chapters/01-mortality.md:1: status: chapter is a draft [warning: draft_chapter]",
    ]
    levels = "validation:\n  levels:\n    review_overdue: error\n    draft_chapter: off\n"
    write_project(root, **{"jsna.yml": JSNA_YML + levels, "chapters/01-mortality.md": late_draft})
    assert _problems(root) == [
        "ROOT/chapters/01-mortality.md:1: review_date: review was due 2026-01-31"
    ]
    assert _warnings(root) == []
    assert check_project(root, today=TODAY).project is None


def test_an_unquoted_off_is_read_as_off() -> None:
    assert Validation.model_validate({"levels": {"draft_chapter": False}}).level(
        "draft_chapter"
    ) == ("off")
    assert Validation().level("missing_owner") == "warning"


def test_nothing_is_half_loaded(tmp_path: Path) -> None:
    """Problems of several files come in one ContentError, and no project is returned."""
    root = write_project(
        tmp_path,
        **{
            "jsna.yml": JSNA_YML.replace("Medway Council", "Medway Council, logo: [x"),
            "indicators/death_rate.yml": INDICATOR.replace("crude_rate", "rate"),
            "sources/deaths.yml": SOURCE.replace("format: csv", "format: tsv"),
            "chapters/01-mortality.md": CHAPTER.replace("owner: Public health team\n", ""),
        },
    )
    report = check_project(root, today=TODAY)
    assert report.project is None
    with pytest.raises(ContentError) as caught:
        load_project(root, today=TODAY)
    problems = [text.replace(str(root), "ROOT") for text in caught.value.problems]
    assert problems == [
        "ROOT/jsna.yml:10: (yaml): broken YAML: did not find expected ',' or ']'",
        "ROOT/sources/deaths.yml:6: format: Input should be 'csv', 'xlsx', 'geojson' or "
        "'fingertips'",
        "ROOT/indicators/death_rate.yml:5: method: Input should be 'proportion', 'crude_rate', "
        "'dsr', 'isr', 'life_expectancy', 'mean', 'value_only' or 'count'",
        "ROOT/chapters/01-mortality.md:2: owner: missing (required)",
    ]
    assert str(caught.value).startswith("4 problems in the project content:\n")


def test_a_source_file_not_found(project: Path) -> None:
    (project / "data" / "deaths.csv").unlink()
    assert _problems(project) == [
        "ROOT/sources/deaths.yml:1: file: source file not found: ROOT/data/deaths.csv"
    ]


def test_a_source_declared_twice(project: Path) -> None:
    write_project(project, **{"sources/deaths.yaml": SOURCE})
    assert _problems(project) == [
        "ROOT/sources/deaths.yml:1: id: source 'deaths' is declared twice (.yml and .yaml)"
    ]


def test_an_unread_source_is_a_warning(project: Path) -> None:
    write_project(project, **{"sources/other.yml": SOURCE.replace("id: deaths", "id: other")})
    assert _problems(project) == []
    assert _warnings(project) == [
        "ROOT/sources/other.yml:1: id: no indicator reads source 'other' [warning: unused_source]"
    ]


def _models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(project_module).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel
    ]


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    assert model.__doc__
    for name, info in model.model_fields.items():
        assert info.description, f"{model.__name__}.{name} has no description"


def test_the_models_are_those_of_jsna_yml() -> None:
    assert ProjectConfig in _models()
    assert {model.__name__ for model in _models()} >= {"Branding", "Comparator", "Validation"}


def test_files_named_in_jsna_yml_must_exist(tmp_path: Path) -> None:
    root = write_project(tmp_path, **{"lookups.csv": None})
    assert _problems(root) == [
        "ROOT/jsna.yml:9: geographies.lookups.0.file: file not found: ROOT/lookups.csv"
    ]
