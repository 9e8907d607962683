"""``indicators/*.yml`` (Indicator, Selection): every rule, as the exact ``path:line: field: message``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from jsna.content.indicators import METHODS, Indicator, Selection

from .projects import CHAPTER, INDICATOR, report, write_project

FILE = "ROOT/indicators/death_rate.yml"


def _with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in INDICATOR
    return write_project(tmp_path, **{"indicators/death_rate.yml": INDICATOR.replace(old, new)})


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "polarity: low_is_good",
            "polarity: lower_is_better",
            f"{FILE}:7: polarity: Input should be 'high_is_good', 'low_is_good' or 'no_judgement'",
        ),
        ("licence: OGL-UK-3.0\n", "", f"{FILE}:1: licence: missing (required)"),
        (
            "licence: OGL-UK-3.0",
            "licence: ''",
            f"{FILE}:9: licence: String should have at least 1 character",
        ),
        (
            "numerator: {measure: deaths}\n",
            "",
            f"{FILE}:1: (file): method crude_rate needs numerator",
        ),
        (
            "numerator: {measure: deaths}\ndenominator: {measure: deaths}\n",
            "",
            f"{FILE}:1: (file): method crude_rate needs numerator and denominator",
        ),
        (
            "method: crude_rate",
            "method: dsr",
            f"{FILE}:1: (file): method dsr needs standard: esp2013",
        ),
        (
            "method: crude_rate",
            "method: value_only",
            f"{FILE}:1: (file): method value_only needs a value selection",
        ),
        (
            "multiplier: 100000",
            "multiplier: 0",
            f"{FILE}:6: multiplier: Input should be greater than 0",
        ),
        (
            "id: death_rate",
            "id: mortality",
            f"{FILE}:1: id: 'mortality' must match the file name 'death_rate'",
        ),
        (
            "id: death_rate",
            "id: Death-Rate",
            f"{FILE}:1: id: String should match pattern '^[a-z][a-z0-9_]{{0,63}}$'",
        ),
        ("owner: Public", "ownr: Public", f"{FILE}:13: ownr: unknown key"),
        (
            "numerator: {measure: deaths}",
            "numerator: {measure: deaths, column: count}",
            f"{FILE}:10: numerator.column: Input should be 'numerator', 'denominator' or 'value'",
        ),
        (
            "geographies: [ward24]",
            "geographies: [ward24]\nconfidence: [0.9]",
            f"{FILE}:1: (file): confidence levels must be 0.95 and/or 0.998",
        ),
    ],
)
def test_model_rules(tmp_path: Path, old: str, new: str, expected: str) -> None:
    problems, warnings = report(_with(tmp_path, old, new))
    # The chapter that shows the broken indicator is not blamed for it.
    assert problems == [expected]
    assert warnings == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "source: deaths",
            "source: death",
            f"{FILE}:8: source: unknown source 'death' (no sources/death.yml)",
        ),
        (
            "denominator: {measure: deaths}",
            "denominator: {measure: population, source: mid_year}",
            f"{FILE}:11: denominator.source: unknown source 'mid_year' (no sources/mid_year.yml)",
        ),
        (
            "geographies: [ward24]",
            "geographies: [ward24, msoa21]",
            f"{FILE}:12: geographies.1: area type 'msoa21' is not in jsna.yml area_types",
        ),
        (
            "geographies: [ward24]",
            "geographies: [ward24]\ncomparators: [england, region]",
            f"{FILE}:13: comparators.1: unknown comparator 'region'",
        ),
    ],
)
def test_cross_references(tmp_path: Path, old: str, new: str, expected: str) -> None:
    problems, _ = report(_with(tmp_path, old, new))
    assert problems == [expected]


def test_a_missing_rationale_or_owner_is_a_warning(tmp_path: Path) -> None:
    root = _with(tmp_path, "rationale: Deaths measure the burden of disease.\n", "")
    write_project(
        root,
        **{
            "indicators/death_rate.yml": INDICATOR.replace(
                "rationale: Deaths measure the burden of disease.\n", ""
            ).replace("owner: Public health team\n", "")
        },
    )
    problems, warnings = report(root)
    assert problems == []
    assert warnings == [
        f"{FILE}:1: rationale: no rationale given [warning: missing_rationale]",
        f"{FILE}:1: owner: no owner given [warning: missing_owner]",
    ]


def test_an_indicator_no_chapter_shows_is_a_warning(tmp_path: Path) -> None:
    root = write_project(
        tmp_path, **{"indicators/other.yml": INDICATOR.replace("id: death_rate", "id: other")}
    )
    assert report(root) == (
        [],
        [
            "ROOT/indicators/other.yml:1: id: no chapter shows indicator 'other' "
            "[warning: unused_indicator]"
        ],
    )


def test_duplicate_ids(tmp_path: Path) -> None:
    root = write_project(tmp_path, **{"indicators/death_rate.yaml": INDICATOR})
    problems, _ = report(root)
    assert problems == [f"{FILE}:1: id: indicator 'death_rate' is defined twice (.yml and .yaml)"]


def test_no_indicators_at_all(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        **{
            "indicators/death_rate.yml": None,
            "chapters/01-mortality.md": CHAPTER.replace("indicator: death_rate", "indicator: x"),
        },
    )
    problems, _ = report(root)
    assert problems == [
        "ROOT/indicators:1: (folder): no indicators/*.yml defined",
        "ROOT/chapters/01-mortality.md:9: block: unknown indicator id 'x'",
    ]


def test_selections_and_sources() -> None:
    selection = Selection(measure="population", sex=("male", "female"), age="65+")
    assert (selection.sexes(), selection.ages()) == (("male", "female"), ("65+",))
    indicator = Indicator.model_validate(
        {
            "id": "x",
            "title": "X",
            "definition": "X.",
            "method": "proportion",
            "polarity": "no_judgement",
            "source": "a",
            "licence": "OGL-UK-3.0",
            "numerator": {"measure": "m"},
            "denominator": {"measure": "p", "source": "b"},
            "geographies": ["ward24"],
        }
    )
    assert indicator.sources() == ("a", "b")
    assert list(indicator.selections()) == ["numerator", "denominator"]
    assert indicator.recomputed
    with pytest.raises(ValidationError, match="value_only takes a value, not numerator"):
        Indicator.model_validate(
            {**indicator.model_dump(), "method": "value_only", "value": {"measure": "v"}}
        )
    assert "value_only" in METHODS


@pytest.mark.parametrize("model", [Indicator, Selection], ids=lambda m: m.__name__)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        assert info.description, f"{model.__name__}.{name}"
