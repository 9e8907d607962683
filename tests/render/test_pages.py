"""Pages: paths and relative roots, figures made once with unique ids, drafts left out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from jsna.content.chapters import read_chapter
from jsna.figures.model import Column, Figure, Headline, Table
from jsna.render.markdown import split_chapter
from jsna.render.pages import Page, Request, fill, published_chapters


def figure(figure_id: str) -> Figure:
    table = Table("Caption", (Column("Area"), Column("Value", numeric=True)), (("A", "1.0"),))
    data = pd.DataFrame({"area_code": ["E1"], "value": [1.0]})
    return Figure(figure_id, "compare", "Title", "", "Summary.", table, data)


def headline() -> Headline:
    return Headline("x", "X", "E1", "A", "2024", "1%", "", (), "", "A had 1%.", pd.DataFrame())


def test_root_stem_and_href_are_relative() -> None:
    assert Page("index.html", "home", "T", "home.html").root == ""
    page = Page("chapters/population/index.html", "chapter", "T", "chapter.html")
    assert page.root == "../../"
    assert page.stem == "chapters/population/index"
    assert page.href("about.html") == "../../about.html"
    assert Page("areas/ward23/E05000820.html", "area", "T", "area.html").root == "../../"


def test_fill_makes_each_request_once_and_ids_unique() -> None:
    calls: list[str] = []

    def make(name: str) -> list[object]:
        calls.append(name)
        return [figure("compare-x"), headline()]

    page = Page(
        "p.html",
        "chapter",
        "T",
        "chapter.html",
        requests=[Request("a", lambda: make("a")), Request("b", lambda: make("b"))],
    )
    fill(page)
    assert calls == ["a", "b"]
    ids = [item.id for item in page.figures if isinstance(item, Figure)]
    assert ids == ["compare-x", "compare-x-2"]
    assert len(page.figures) == 4
    assert [type(item).__name__ for item in page.slots["b"]] == ["Figure", "Headline"]
    assert page.requests == []


def _chapter(tmp_path: Path, name: str, status: str, body: str = "Text.\n"):
    text = (
        f"---\ntitle: {name}\nowner: Team\nreview_date: 2027-01-01\nstatus: {status}\n---\n{body}"
    )
    chapter, problems = read_chapter(tmp_path / name, text)
    assert chapter is not None, problems
    return chapter


def test_drafts_are_not_published_and_order_is_kept(tmp_path: Path) -> None:
    chapters = [
        _chapter(tmp_path, "03-c.md", "published"),
        _chapter(tmp_path, "01-a.md", "draft"),
        _chapter(tmp_path, "02-b.md", "review"),
    ]
    assert [c.id for c in published_chapters(chapters)] == ["b", "c"]


def test_split_ignores_level_two_lines_inside_fences(tmp_path: Path) -> None:
    body = "Intro.\n\n## One\n\n```text\n## not a heading\n```\n\n## Two\n\nEnd.\n"
    chapter = _chapter(tmp_path, "01-a.md", "published", body)
    parts = split_chapter(chapter, split=True)
    assert [p.title for p in parts] == ["", "One", "Two"]
    assert "## not a heading" in parts[1].text
    assert chapter.meta.review_date == date(2027, 1, 1)


def test_safe_svg_keeps_escaped_text_and_drops_anything_that_runs() -> None:
    from jsna.render.html import safe_svg

    ok = '<svg xmlns="http://www.w3.org/2000/svg" aria-label="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"><text>&lt;script&gt;</text></svg>'
    assert str(safe_svg(ok)) == ok
    for bad in (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
        "<svg><unclosed></svg>",
    ):
        assert str(safe_svg(bad)) == "", bad


def test_svgs_are_drawn_once_per_spec_by_two_workers() -> None:
    from jsna.render.build import _draw_svgs

    def chart(n: int) -> dict[str, object]:
        return {
            "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
            "width": 100,
            "height": 50,
            "data": {"values": [{"x": "a", "y": n}]},
            "mark": "bar",
            "encoding": {
                "x": {"field": "x", "type": "nominal"},
                "y": {"field": "y", "type": "quantitative"},
            },
        }

    pages = []
    for p in range(2):
        page = Page(f"p{p}.html", "chapter", "T", "chapter.html")
        for n in range(12):
            base = figure(f"f{n}")
            page.figures.append(
                Figure(
                    base.id, "compare", f"Chart {n}", "", "S.", base.table, base.data, spec=chart(n)
                )
            )
        pages.append(page)
    drawn = _draw_svgs(pages, 2, lambda *_: None)
    assert len(drawn) == 2 * 12
    assert drawn[("p0.html", "f3")] == drawn[("p1.html", "f3")]
    assert drawn[("p0.html", "f3")] != drawn[("p0.html", "f4")]
    assert all(svg.startswith("<svg") and "Chart" in svg for svg in drawn.values())
