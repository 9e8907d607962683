"""Chapter Markdown: raw HTML escaped, jsna blocks marked at their file lines, long chapters split."""

from __future__ import annotations

from pathlib import Path

import pytest

from jsna.content.chapters import read_chapter
from jsna.render.markdown import MARKER, render_markdown, render_part, slugify, split_chapter
from tests.paths import ROOT

CHAPTERS = ROOT / "examples" / "trafford" / "chapters"

HOSTILE = """# Big <script>alert(1)</script>

Text with <b>bold</b>, <img src=x onerror=alert(1)> and [a link](javascript:alert(1)).
A forged marker <!--jsna-block:3--> stays text.

```jsna
block: indicator
indicator: smoking
```
"""


def test_raw_html_is_escaped_and_javascript_links_dropped() -> None:
    html = render_markdown(HOSTILE).html
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html
    assert "&lt;!--jsna-block:3--&gt;" in html


def test_jsna_fence_becomes_one_marker_at_its_file_line() -> None:
    rendered = render_markdown(HOSTILE, first_line=10)
    # The fence is on line 6 of the text (0-based 5): file line 10 + 5.
    assert rendered.slots == [15]
    assert [int(m) for m in MARKER.findall(rendered.html)] == [15]
    assert "block: indicator" not in rendered.html


def test_headings_get_unique_ids_and_h1_becomes_h2() -> None:
    rendered = render_markdown("# One\n\n## Two\n\n## Two\n\n### Three\n")
    assert "<h1" not in rendered.html
    assert [(h["level"], h["id"]) for h in rendered.headings] == [
        (2, "one"),
        (2, "two"),
        (2, "two-2"),
        (3, "three"),
    ]
    assert '<h2 id="two-2" class="govuk-heading-l">' in rendered.html


def test_figure_heading_level_is_one_below_the_heading_above() -> None:
    text = "```jsna\nblock: indicator\nindicator: a\n```\n\n## H\n\n```jsna\nblock: indicator\nindicator: b\n```\n\n### Sub\n\n```jsna\nblock: indicator\nindicator: c\n```\n"
    rendered = render_markdown(text)
    assert list(rendered.levels.values()) == [2, 3, 4]


def test_tables_have_govuk_classes() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n").html
    assert '<table class="govuk-table">' in html
    assert '<th class="govuk-table__header" scope="col">a</th>' in html


@pytest.mark.parametrize("path", sorted(CHAPTERS.glob("*.md")), ids=lambda p: p.stem)
def test_every_block_of_a_trafford_chapter_has_a_marker(path: Path) -> None:
    chapter, problems = read_chapter(path, path.read_text(encoding="utf-8"))
    assert chapter is not None, problems
    for split in (False, True):
        parts = split_chapter(chapter, split=split)
        lines = [line for part in parts for line in render_part(part).slots]
        assert lines == [placed.line for placed in chapter.blocks]


def test_split_at_level_two_headings_outside_fences() -> None:
    path = CHAPTERS / "02-population.md"
    chapter, _ = read_chapter(path, path.read_text(encoding="utf-8"))
    assert chapter is not None
    parts = split_chapter(chapter, split=True)
    titles = [line[3:].strip() for line in chapter.body.splitlines() if line.startswith("## ")]
    assert [part.title for part in parts[1:]] == titles
    assert parts[0].file == "index.html"
    assert parts[1].file == f"1-{slugify(titles[0])}.html"
    assert all(not part.text.startswith("## ") for part in parts)
    # A section page's own ### headings become h2 (its title is the h1).
    fenced = "```\n## not a heading\n```\n"
    assert "## not a heading" in fenced  # documents the fence rule tested below
    assert "not-a-heading" not in [h["id"] for h in render_markdown(fenced).headings]


def test_slugify() -> None:
    assert slugify("Local and national data") == "local-and-national-data"
    assert slugify("Café & <b>") == "cafe-b"
    assert slugify("!!!") == "section"


def test_links_to_chapter_files_point_at_chapter_pages() -> None:
    html = render_markdown(
        "[a](10-health-inequalities.md) [b](05-x.md#part) [c](https://x.org/a.md)"
    ).html
    assert '<a href="../health-inequalities/index.html" class="govuk-link">a</a>' in html
    assert 'href="../x/index.html#part"' in html
    assert 'href="https://x.org/a.md"' in html
