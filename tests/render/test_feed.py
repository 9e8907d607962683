"""``feed.xml`` is Atom 1.0 with an entry per chapter and per changed indicator; the bulletin.

Pages are made here in the page contract's shape (chapters, a "what changed"
page with one changed and one recomputed indicator) for the Trafford
project, copied to a temporary folder so an archived edition can be added.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from jsna.content.project_files import Project, load_project
from jsna.render.feed import ATOM, bulletin_page, feed_xml
from jsna.render.pages import Page
from tests.render.site import copy_example

GENERATED = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)
NS = {"a": ATOM}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return load_project(copy_example(tmp_path / "project"))


def with_publication(project: Project, **changes: Any) -> Project:
    publication = project.config.publication.model_copy(update=changes)
    return replace(project, config=project.config.model_copy(update={"publication": publication}))


def changes(first: bool = False) -> Page:
    groups = [
        {
            "id": "life_expectancy_male",
            "title": "Life expectancy at birth, males",
            "path": "indicators/life_expectancy_male.html",
            "sources": ["Fingertips"],
            "rows": [
                {
                    "area": "Trafford (E08000009)",
                    "period": "2021 - 23",
                    "change": "value changed",
                    "old": "79.9 years",
                    "new": "80.1 years",
                    "old_comparison": "higher",
                    "new_comparison": "higher",
                }
            ],
            "recomputed": None,
        },
        {
            "id": "diabetes_qof",
            "title": "Diabetes recorded prevalence, aged 17+ (QOF)",
            "path": "indicators/diabetes_qof.html",
            "sources": ["QOF"],
            "rows": [],
            "recomputed": {"changed": 12, "new": 3, "new_periods": ["2024/25"]},
        },
    ]
    return Page(
        path="changes.html",
        kind="changes",
        title="What changed",
        template="changes.html",
        context={"first": first, "groups": [] if first else groups, "sources": []},
        summary="2 indicators changed.",
    )


def site_pages(changed: Page) -> list[Page]:
    def chapter(path: str, title: str) -> Page:
        return Page(
            path=path,
            kind="chapter",
            title=title,
            template="chapter.html",
            summary=f"About {title.lower()}.",
            updated=date(2027, 3, 31),
        )

    return [
        Page(path="index.html", kind="home", title="Trafford JSNA", template="home.html"),
        chapter("chapters/population/index.html", "Population"),
        chapter("chapters/population/2-ages.html", "Ages: Population"),
        chapter("chapters/ltc/index.html", "Long-term conditions"),
        changed,
    ]


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{{{ATOM}}}feed"
    return root


def test_the_feed_is_atom_with_an_entry_per_chapter_and_changed_indicator(
    project: Project,
) -> None:
    project = with_publication(
        project, base_url="https://jsna.example.org/trafford", published=date(2026, 11, 1)
    )
    text = feed_xml(project, site_pages(changes()), GENERATED)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = parse(text)
    entries = root.findall("a:entry", NS)
    titles = [e.findtext("a:title", namespaces=NS) for e in entries]
    assert titles == [
        "Population",
        "Long-term conditions",
        "Updated figures: Life expectancy at birth, males",
        "Updated figures: Diabetes recorded prevalence, aged 17+ (QOF)",
    ]
    base = "https://jsna.example.org/trafford/"
    links = [e.find("a:link", NS).get("href") for e in entries]  # type: ignore[union-attr]
    assert links == [
        base + "chapters/population/index.html",
        base + "chapters/ltc/index.html",
        base + "indicators/life_expectancy_male.html",
        base + "indicators/diabetes_qof.html",
    ]
    ids = [e.findtext("a:id", namespaces=NS) for e in entries]
    assert len(set(ids)) == len(ids)
    assert all(i and i.startswith(base) for i in ids)
    assert root.findtext("a:updated", namespaces=NS) == "2026-11-26T14:30:00Z"
    assert entries[0].findtext("a:updated", namespaces=NS) == "2026-11-01T00:00:00Z"
    self_link = root.find("a:link[@rel='self']", NS)
    assert self_link is not None
    assert self_link.get("href") == base + "feed.xml"
    assert root.findtext("a:author/a:name", namespaces=NS) == "Trafford Council"
    summary = entries[2].findtext("a:summary", namespaces=NS) or ""
    assert "79.9 years to 80.1 years" in summary
    assert "12 source figures changed" in (entries[3].findtext("a:summary", namespaces=NS) or "")


def test_without_a_base_url_ids_are_tag_uris_and_links_are_relative(project: Project) -> None:
    root = parse(feed_xml(project, site_pages(changes(first=True)), GENERATED))
    entries = root.findall("a:entry", NS)
    assert len(entries) == 2
    ids = [e.findtext("a:id", namespaces=NS) or "" for e in entries]
    assert ids[0].startswith("tag:example.org,2026:jsna/e08000009/")
    assert root.findtext("a:id", namespaces=NS) == "tag:example.org,2026:jsna/e08000009/feed.xml"
    hrefs = [e.find("a:link", NS).get("href") for e in entries]  # type: ignore[union-attr]
    assert hrefs == ["chapters/population/index.html", "chapters/ltc/index.html"]


def test_text_is_escaped_in_the_feed(project: Project) -> None:
    pages = site_pages(changes())
    pages[1].title = 'Health & <care> "services"'
    text = feed_xml(project, pages, GENERATED)
    assert "Health &amp; &lt;care&gt;" in text
    assert parse(text).findtext("a:entry/a:title", namespaces=NS) == 'Health & <care> "services"'


def test_the_bulletin_lists_chapters_marks_new_ones_and_changed_indicators(
    project: Project,
) -> None:
    previous = project.root / "editions" / "2024"
    (previous / "chapters" / "population").mkdir(parents=True)
    (previous / "index.html").write_text("2024")
    (previous / "chapters" / "population" / "index.html").write_text("old")
    changed = changes()
    page = bulletin_page(project, site_pages(changed), changed)
    assert page.path == "bulletin.html"
    assert page.kind == "bulletin"
    chapters = page.context["chapters"]
    assert [(c["title"], c["new"]) for c in chapters] == [
        ("Population", False),
        ("Long-term conditions", True),
    ]
    assert page.context["compared"] is True
    assert [c["path"] for c in page.context["changed"]] == [
        "indicators/life_expectancy_male.html",
        "indicators/diabetes_qof.html",
    ]
    assert page.figures == changed.figures


def test_the_bulletin_renders_with_relative_links(project: Project) -> None:
    from jsna.render.html import environment, render_page

    changed = changes()
    page = bulletin_page(project, site_pages(changed), changed)
    html = render_page(environment(), page, project, {}, generated=GENERATED)
    assert 'href="chapters/ltc/index.html"' in html
    assert 'href="indicators/diabetes_qof.html"' in html
    assert "79.9 years to 80.1 years" in html
    assert "No earlier edition is archived" in html
