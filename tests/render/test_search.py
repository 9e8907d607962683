"""Search: the index holds every indicator, chapter and area profile; queries find the right pages.

The pages are R1's planners run on the Trafford project and a copy of the
ready store (no figures are drawn: search needs titles, summaries, paths);
one slow test reads ``search-index.json`` of the built Trafford site.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, create_engine

from jsna.content.project_files import Project, load_project
from jsna.figures.context import FigureContext
from jsna.render.pages import (
    Page,
    about_page,
    area_pages,
    catalogue_page,
    chapter_pages,
    home_page,
    indicator_pages,
    published_chapters,
    within,
)
from jsna.render.search import query, search_index, search_index_json, search_page, tokens
from tests.paths import ROOT
from tests.render.site import built_site, prepared_store


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(ROOT / "examples" / "trafford")


@pytest.fixture(scope="module")
def connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    copy = tmp_path_factory.mktemp("store") / "jsna.db"
    shutil.copyfile(prepared_store()[1], copy)
    engine = create_engine(f"sqlite:///{copy}")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture(scope="module")
def pages(project: Project, connection: Connection) -> list[Page]:
    ctx = FigureContext(project, connection)
    chapters = published_chapters(project.chapters)
    inside = within(ctx)
    return [
        home_page(ctx, chapters, []),
        *chapter_pages(ctx, chapters, [], inside),
        catalogue_page(ctx),
        *indicator_pages(ctx, chapters),
        *area_pages(ctx, inside),
        about_page(ctx),
        search_page(),
    ]


@pytest.fixture(scope="module")
def index(pages: list[Page]) -> dict[str, object]:
    return search_index(pages)


def _urls(found: list[dict[str, object]]) -> list[object]:
    return [document["url"] for document in found]


def test_the_index_holds_every_indicator_chapter_and_profile_area(
    project: Project, pages: list[Page], index: dict[str, object]
) -> None:
    documents = index["documents"]
    assert isinstance(documents, list)
    urls = {d["url"] for d in documents}
    assert {f"indicators/{i}.html" for i in project.indicators} <= urls
    chapters = published_chapters(project.chapters)
    assert {f"chapters/{c.id}/index.html" for c in chapters} <= urls
    areas = [p for p in pages if p.kind == "area"]
    assert len(areas) > 50
    assert {p.path for p in areas} <= urls
    assert "search.html" not in urls
    kinds = [d["kind"] for d in documents]
    assert kinds.index("indicator") > kinds.index("chapter")
    assert max(i for i, k in enumerate(kinds) if k == "chapter") < kinds.index("indicator")
    area_doc = next(d for d in documents if d["kind"] == "area")
    assert area_doc["area"]["code"] in area_doc["url"]
    assert area_doc["tag"] == "Area profile"


def test_tokens_are_sorted_and_postings_point_at_documents_holding_them(
    index: dict[str, object],
) -> None:
    ordered = index["tokens"]
    postings = index["postings"]
    documents = index["documents"]
    assert ordered == sorted(set(ordered))
    assert len(postings) == len(ordered)
    position = ordered.index("diabetes")
    for number in postings[position]:
        document = documents[number]
        text = " ".join(
            [document["title"], document["summary"], *document["topics"], *document["indicators"]]
        )
        assert "diabetes" in tokens(text)


def test_a_query_finds_the_indicator_by_a_word_prefix_title_matches_first(
    index: dict[str, object],
) -> None:
    found = query(index, "diab")
    assert "indicators/diabetes_qof.html" in _urls(found)
    first = found[0]
    assert "diabetes" in tokens(first["title"])
    assert query(index, "diabetes qof")[0]["url"] == "indicators/diabetes_qof.html"
    assert query(index, "") == []
    assert query(index, "the of") == []
    assert query(index, "zzzz-no-such-word") == []


def test_a_query_finds_an_area_by_name_and_by_code(
    index: dict[str, object], pages: list[Page]
) -> None:
    area = next(p for p in pages if p.kind == "area" and p.path.startswith("areas/ward23/"))
    code = area.path.rsplit("/", 1)[-1].removesuffix(".html")
    name = area.context["area"]["name"]
    assert area.path in _urls(query(index, name))
    assert _urls(query(index, code.lower()))[0] == area.path
    assert _urls(query(index, code))[0] == area.path


def test_every_word_must_match(index: dict[str, object]) -> None:
    both = set(map(str, _urls(query(index, "life expectancy male"))))
    assert "indicators/life_expectancy_male.html" in both
    assert both <= set(map(str, _urls(query(index, "life expectancy"))))
    assert both <= set(map(str, _urls(query(index, "male"))))


def test_the_index_is_compact_json(index: dict[str, object]) -> None:
    text = search_index_json(index)
    assert json.loads(text) == index
    assert "\n" not in text
    assert '", "' not in text
    assert len(text.encode()) < 400_000


def test_the_search_page_lists_everything_without_javascript(
    index: dict[str, object], project: Project
) -> None:
    from jsna.render.html import environment, render_page

    page = search_page(index)
    assert [g["kind"] for g in page.context["groups"]] == ["chapter", "indicator", "area", "other"]
    html = render_page(environment(), page, project, {}, generated=datetime.now(UTC))
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    for document in index["documents"]:
        assert f'href="{document["url"]}"' in noscript
    assert 'id="jsna-search-input"' in html
    assert 'aria-live="polite"' in html
    assert 'data-jsna-search="search-index.json"' in html


@pytest.mark.slow
def test_the_built_site_index_covers_indicators_chapters_and_areas(project: Project) -> None:
    out = built_site()
    index = json.loads((out / "search-index.json").read_text(encoding="utf-8"))
    urls = {d["url"] for d in index["documents"]}
    built = {p.relative_to(out).as_posix() for p in (out / "areas").glob("*/*.html")}
    areas = {path for path in built if not path.endswith("/index.html")}
    assert areas
    assert areas <= urls
    assert {f"indicators/{i}.html" for i in project.indicators} <= urls
    chapters = published_chapters(project.chapters)
    assert {f"chapters/{c.id}/index.html" for c in chapters} <= urls
    for url in urls:
        assert (out / url).is_file(), url
