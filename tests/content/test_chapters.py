"""``chapters/*.md``: front matter, ```jsna blocks and their cross-references, as path:line: field: message."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from jsna.content import chapters as chapters_module
from jsna.content.chapters import BLOCK_KINDS, ChartBlock, read_chapter

from .projects import CHAPTER, SOURCE, report, write_project

FILE = "ROOT/chapters/01-mortality.md"
BLOCK = "block: indicator\nindicator: death_rate"


def _with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in CHAPTER
    return write_project(tmp_path, **{"chapters/01-mortality.md": CHAPTER.replace(old, new)})


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "block: indicator",
            "block: graph",
            f"{FILE}:10: block: Input tag 'graph' found using 'block' does not match any of the "
            "expected tags: " + ", ".join(repr(kind) for kind in BLOCK_KINDS),
        ),
        (
            "indicator: death_rate",
            "indicator: death_rates",
            f"{FILE}:9: block: unknown indicator id 'death_rates'",
        ),
        (
            BLOCK,
            f"{BLOCK}\narea_type: lsoa21",
            f"{FILE}:9: block: area type 'lsoa21' is not in jsna.yml area_types",
        ),
        (
            BLOCK,
            "block: map\nindicator: death_rate\narea_type: ward24\npoints: [gp_practices]",
            f"{FILE}:9: block: unknown source 'gp_practices'",
        ),
        (
            BLOCK,
            "block: chart\nchart: pie\nindicator: death_rate",
            f"{FILE}:11: chart: Input should be 'compare', 'trend', 'pyramid', 'spine', "
            "'heatmap', 'funnel', 'scatter' or 'inequality'",
        ),
        (BLOCK, f"{BLOCK}\ncolour: red", f"{FILE}:12: colour: unknown key"),
        (
            "indicator: death_rate",
            "indicator: [death_rate",
            f"{FILE}:11: (yaml): broken YAML: did not find expected ',' or ']'",
        ),
        ("```\n", "", f"{FILE}:9: block: no closing ``` for this jsna block"),
        (
            "status: published",
            "status: final",
            f"{FILE}:5: status: Input should be 'draft', 'review' or 'published'",
        ),
        (
            "review_date: 2027-01-31",
            "review_date: soon",
            f"{FILE}:4: review_date: Input should be a valid date or datetime, input is too short",
        ),
        ("owner: Public health team\n", "", f"{FILE}:2: owner: missing (required)"),
        (
            "---\ntitle",
            "title",
            f"{FILE}:1: (front matter): the file must start with a '---' line",
        ),
    ],
)
def test_chapter_rules(tmp_path: Path, old: str, new: str, expected: str) -> None:
    problems, _ = report(_with(tmp_path, old, new))
    assert problems == [expected]


def test_a_review_date_passed_and_a_draft_are_warnings(tmp_path: Path) -> None:
    root = _with(tmp_path, "2027-01-31\nstatus: published", "2026-11-25\nstatus: draft")
    assert report(root) == (
        [],
        [
            f"{FILE}:1: review_date: review was due 2026-11-25 [warning: review_overdue]",
            f"{FILE}:1: status: chapter is a draft [warning: draft_chapter]",
        ],
    )
    # Due today is not overdue.
    assert report(_with(tmp_path, "2027-01-31", "2026-11-26"))[1] == []


def test_file_names_and_duplicate_ids(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        **{"chapters/mortality.md": CHAPTER, "chapters/02-mortality.md": CHAPTER},
    )
    problems, _ = report(root)
    assert problems == [
        "ROOT/chapters/mortality.md:1: (file name): must be NN-id.md, e.g. "
        "05-long-term-conditions.md (number, dash, lower-case id)",
        f"{FILE}:1: (file name): chapter id 'mortality' twice",
        "ROOT/chapters/02-mortality.md:1: (file name): chapter id 'mortality' twice",
    ]


def test_every_block_of_a_chapter_is_read_with_its_line(tmp_path: Path) -> None:
    body = (
        "Intro.\n\n```jsna\nblock: chart\nchart: scatter\nindicators: [a, b]\n```\n\n"
        "```jsna\nblock: findings\nlimit: 3\n```\n\n```python\nblock: not ours\n```\n"
    )
    text = CHAPTER.split("Deaths in Medway.")[0] + body
    chapter, problems = read_chapter(tmp_path / "03-life.md", text)
    assert problems == []
    assert chapter is not None
    assert (chapter.order, chapter.id, chapter.body_line) == (3, "life", 7)
    assert [(type(p.block).__name__, p.line) for p in chapter.blocks] == [
        ("ChartBlock", 9),
        ("FindingsBlock", 15),
    ]
    assert chapter.blocks[0].indicator_ids() == ("a", "b")
    assert isinstance(chapter.blocks[0].block, ChartBlock)


def test_a_map_of_a_declared_source_counts_as_reading_it(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        **{
            "sources/gp.yml": SOURCE.replace("id: deaths", "id: gp"),
            "chapters/01-mortality.md": CHAPTER.replace(
                BLOCK, "block: map\nindicator: death_rate\narea_type: ward24\npoints: [gp]"
            ),
        },
    )
    assert report(root) == ([], [])


def _models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(chapters_module).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value is not BaseModel
        and not value.__name__.startswith("_")
    ]


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_every_field_has_a_description(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        assert info.description, f"{model.__name__}.{name}"


def test_every_block_kind_has_a_model() -> None:
    kinds = {
        model.model_fields["block"].annotation.__args__[0]  # type: ignore[union-attr]
        for model in _models()
        if "block" in model.model_fields
    }
    assert kinds == set(BLOCK_KINDS)


def test_analysis_kinds_name_every_analysis_block_in_order() -> None:
    from typing import get_args

    from jsna.content.blocks import ANALYSIS_BLOCKS, ANALYSIS_KINDS

    kinds = tuple(get_args(m.model_fields["block"].annotation)[0] for m in ANALYSIS_BLOCKS)
    assert kinds == ANALYSIS_KINDS


def test_an_unknown_analysis_field_is_named_with_its_line(tmp_path: Path) -> None:
    text = "---\ntitle: T\nowner: O\nreview_date: 2030-01-01\nstatus: draft\n---\n"
    text += "Intro\n\n```jsna\nblock: voices\nwhatever: 1\n```\n"
    chapter, problems = read_chapter(tmp_path / "01-t.md", text)
    assert chapter is None
    assert any(":11:" in p and "whatever" in p for p in problems), problems


def test_section_starts_skip_headings_inside_fenced_code() -> None:
    from jsna.content.chapters import section_starts

    body = "Intro\n## One\ntext\n````\n## not a heading\n```\n## still code\n````\n## Two ##\n"
    assert section_starts(body) == [(1, "One"), (8, "Two")]
