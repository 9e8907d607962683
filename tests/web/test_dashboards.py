"""Chapter dashboards: list, tabs, figures equal to jsna.figures', selectors, URL state,
CSV downloads, drafts hidden, hostile queries escaped."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from html import unescape

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jsna.content.chapters import AnalysisBlock, Chapter, ChartBlock, MapBlock, TableBlock
from jsna.figures.blocks import figure_for_block, figures_for_block
from jsna.figures.context import FigureContext
from jsna.web.dashboard_data import chapter_tabs

from .conftest import sign_in


def _chapters(app: FastAPI) -> tuple[Chapter, ...]:
    chapters: tuple[Chapter, ...] = app.state.jsna.project.chapters
    return chapters


@pytest.fixture(scope="module")
def context(sqlite_app: FastAPI) -> Iterator[FigureContext]:
    """An independent figure context on the app's store (the reference figures)."""
    state = sqlite_app.state.jsna
    with state.engine.connect() as connection:
        yield FigureContext(state.project, connection)


def _expected_ids(ctx: FigureContext, chapter: Chapter, tab: int) -> list[str]:
    ids: list[str] = []
    seen: dict[str, int] = {}
    for placed in chapter_tabs(chapter)[tab].blocks:
        assert isinstance(placed.block, ChartBlock | MapBlock | TableBlock | AnalysisBlock)
        for figure in figures_for_block(ctx, placed.block):  # analysis blocks: several
            seen[figure.id] = seen.get(figure.id, 0) + 1
            ids.append(figure.id if seen[figure.id] == 1 else f"{figure.id}-{seen[figure.id]}")
    return ids


def _view(client: TestClient, chapter_id: str, **query: str) -> dict:
    response = client.get(f"/dashboards/{chapter_id}/view.json", params=query)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert set(body) >= {"data", "meta"}
    return body["data"]


def test_list_shows_published_chapters(client: TestClient, sqlite_app: FastAPI) -> None:
    page = client.get("/dashboards/")
    assert page.status_code == 200
    for chapter in _chapters(sqlite_app):
        if chapter.meta.status == "published":
            assert f'href="/dashboards/{chapter.id}"' in page.text
            pages = len(chapter_tabs(chapter))
            assert f"{pages} page{'' if pages == 1 else 's'}" in page.text


def test_every_tab_has_the_blocks_figures(
    client: TestClient, sqlite_app: FastAPI, context: FigureContext
) -> None:
    checked = 0
    for chapter in _chapters(sqlite_app):
        if chapter.meta.status != "published":
            continue
        for tab in chapter_tabs(chapter):
            page = client.get(f"/dashboards/{chapter.id}", params={"tab": tab.number})
            assert page.status_code == 200, (chapter.id, tab.number)
            shown = re.findall(
                r'<figure class="jsna-dashboard__figure" id="figure-([^"]+)"', page.text
            )
            expected = _expected_ids(context, chapter, tab.number)
            assert shown == expected, (chapter.id, tab.title)
            assert [
                f["id"] for f in _view(client, chapter.id, tab=str(tab.number))["figures"]
            ] == expected
            checked += len(expected)
    assert checked > 20


def _first_chart(app: FastAPI) -> tuple[Chapter, int, ChartBlock | MapBlock | TableBlock]:
    for chapter in _chapters(app):
        for tab in chapter_tabs(chapter):
            for placed in tab.blocks:
                if isinstance(placed.block, ChartBlock) and placed.block.chart == "compare":
                    return chapter, tab.number, placed.block
    raise AssertionError("no compare chart in the example chapters")


def test_figure_values_equal_jsna_figures(
    client: TestClient, sqlite_app: FastAPI, context: FigureContext
) -> None:
    chapter, tab, block = _first_chart(sqlite_app)
    expected = figure_for_block(context, block)
    figure = next(
        f for f in _view(client, chapter.id, tab=str(tab))["figures"] if f["id"] == expected.id
    )
    assert figure["title"] == expected.title
    assert figure["summary"] == expected.summary
    assert figure["table"]["rows"] == [list(r) for r in expected.table.rows]
    assert figure["spec"] == json.loads(json.dumps(expected.spec))
    csv = client.get(f"/dashboards/{chapter.id}/figures/{expected.id}.csv", params={"tab": tab})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    got = pd.read_csv(io.StringIO(csv.text))
    want = pd.read_csv(io.StringIO(expected.data.to_csv(index=False)))
    pd.testing.assert_frame_equal(got, want)


def _changeable(
    app: FastAPI, ctx: FigureContext
) -> tuple[Chapter, int, ChartBlock | MapBlock | TableBlock, str]:
    """A chart whose figure changes when another area type is chosen, and that area type."""
    for chapter in _chapters(app):
        if chapter.meta.status != "published":
            continue
        for tab in chapter_tabs(chapter):
            for placed in tab.blocks:
                block = placed.block
                if not isinstance(block, ChartBlock) or block.chart != "compare":
                    continue
                default = figure_for_block(ctx, block).table.rows
                indicator = ctx.results(block.ids()[0])
                for value in sorted(set(indicator["area_type"]) - {block.area_type}):
                    changed = figure_for_block(ctx, block.model_copy(update={"area_type": value}))
                    if changed.table.rows not in ((), default):
                        return chapter, tab.number, block, value
    raise AssertionError("no compare chart shows more than one area type")


def test_area_type_selector_changes_the_figure(
    client: TestClient, sqlite_app: FastAPI, context: FigureContext
) -> None:
    chapter, tab, block, other = _changeable(sqlite_app, context)
    before = _view(client, chapter.id, tab=str(tab))
    after = _view(client, chapter.id, tab=str(tab), area_type=other)
    assert after["state"] == {"tab": str(tab), "area_type": other}
    expected = figure_for_block(context, block.model_copy(update={"area_type": other}))
    position = [p.block for p in chapter_tabs(chapter)[tab].blocks].index(block)
    first, old = after["figures"][position], before["figures"][position]
    assert first["id"] == expected.id
    assert old["id"] == figure_for_block(context, block).id
    assert first["table"]["rows"] == [list(r) for r in expected.table.rows]
    assert first["table"]["rows"] != old["table"]["rows"]
    # The HTML keeps the state in its links and selectors (the URL round-trips).
    page = client.get(f"/dashboards/{chapter.id}", params={"tab": tab, "area_type": other})
    assert f'<option value="{other}" selected>' in page.text
    links = re.findall(r'class="govuk-tabs__tab" data-tab="\d+" href="([^"]+)"', page.text)
    assert links
    assert all(f"area_type={other}" in unescape(link) for link in links)
    again = client.get(unescape(links[tab]))
    assert again.text.count('id="figure-') == page.text.count('id="figure-')
    assert f'<option value="{other}" selected>' in again.text


def test_unknown_chapter_tab_and_choice(client: TestClient, sqlite_app: FastAPI) -> None:
    assert client.get("/dashboards/no-such-chapter").status_code == 404
    chapter = next(c for c in _chapters(sqlite_app) if c.meta.status == "published")
    assert client.get(f"/dashboards/{chapter.id}/view.json").status_code == 200
    bad = client.get(f"/dashboards/{chapter.id}", params={"tab": "99"})
    assert bad.status_code == 400
    assert "tab" in bad.text
    wrong = client.get(f"/dashboards/{chapter.id}/view.json", params={"area_type": "nowhere"})
    assert wrong.status_code == 400
    missing = client.get(f"/dashboards/{chapter.id}/figures/none.csv")
    assert missing.status_code == 404


def test_drafts_hidden_from_anonymous(client: TestClient, sqlite_app: FastAPI) -> None:
    chapter = _chapters(sqlite_app)[0]
    state = sqlite_app.state.jsna
    meta = chapter.meta.model_copy(update={"status": "draft", "title": "Secret draft"})
    draft = replace(chapter, id="secret-draft", meta=meta)
    original = state.project
    state.project = replace(original, chapters=(*original.chapters, draft))
    try:
        assert "Secret draft" not in client.get("/dashboards/").text
        assert client.get("/dashboards/secret-draft").status_code == 404
        sign_in(client, "viewer")
        assert "Secret draft" in client.get("/dashboards/").text
        assert client.get("/dashboards/secret-draft").status_code == 200
    finally:
        state.project = original


def test_hostile_query_is_escaped(client: TestClient, sqlite_app: FastAPI) -> None:
    chapter = next(c for c in _chapters(sqlite_app) if c.meta.status == "published")
    hostile = '"><script>alert(1)</script>'
    for name in ("area_type", "period", "area", "tab"):
        response = client.get(f"/dashboards/{chapter.id}", params={name: hostile})
        assert response.status_code == 400
        assert "<script>alert(1)" not in response.text
    response = client.get(f"/dashboards/{chapter.id}", params={"other": hostile})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert client.get(f"/dashboards/{hostile}").status_code == 404


def _with_sex(app: FastAPI, context: FigureContext) -> tuple[Chapter, int, str]:
    """A chapter tab with a chart or table of an indicator published for persons, females and
    males (a pyramid shows both sexes whatever is chosen)."""
    for chapter in _chapters(app):
        if chapter.meta.status != "published":
            continue
        for tab in chapter_tabs(chapter):
            for placed in tab.blocks:
                block = placed.block
                if isinstance(block, ChartBlock) and block.chart == "pyramid":
                    continue
                for indicator_id in placed.indicator_ids():
                    frame = context.results(indicator_id)
                    if {"persons", "female", "male"} <= set(frame["sex"].astype(str)):
                        return chapter, tab.number, indicator_id
    raise AssertionError("no chapter shows an indicator by sex")


def test_breakdown_selector_shows_one_sex_and_says_which_figures_cannot(
    client: TestClient, sqlite_app: FastAPI, context: FigureContext
) -> None:
    chapter, tab, indicator_id = _with_sex(sqlite_app, context)
    page = client.get(f"/dashboards/{chapter.id}", params={"tab": tab})
    assert '<option value="sex:female">Female</option>' in page.text
    persons = _view(client, chapter.id, tab=str(tab))
    female = _view(client, chapter.id, tab=str(tab), breakdown="sex:female")
    assert female["state"]["breakdown"] == "sex:female"
    viewed = context.viewed(breakdown="sex:female")
    assert set(viewed.results(indicator_id)["sex"]) == {"female"}
    changed = [
        (a, b)
        for a, b in zip(persons["figures"], female["figures"], strict=True)
        if a["table"]["rows"] != b["table"]["rows"]
    ]
    assert changed, "no figure changed when only females were chosen"
    for figure in female["figures"]:
        if figure["unchanged"]:
            assert "breakdown" in figure["unchanged"] or "selectors" in figure["unchanged"]


def test_comparator_selector_judges_against_the_chosen_comparator_first(
    client: TestClient, sqlite_app: FastAPI, context: FigureContext
) -> None:
    viewed = context.viewed(comparator="north_west")
    assert [c.id for c in viewed.project.config.comparators][:2] == ["north_west", "england"]
    assert context.project.config.comparators[0].id == "england"
    chapter = next(c for c in _chapters(sqlite_app) if c.meta.status == "published")
    page = client.get(f"/dashboards/{chapter.id}")
    assert '<option value="north_west">North West</option>' in page.text
    view = _view(client, chapter.id, comparator="north_west")
    assert view["state"] == {"tab": "0", "comparator": "north_west"}
    bad = client.get(f"/dashboards/{chapter.id}/view.json", params={"comparator": "mars"})
    assert bad.status_code == 400
    with pytest.raises(KeyError, match="mars"):
        context.viewed(comparator="mars")


def test_public_dashboard_sets_no_cookie_and_is_answered_again_from_memory(
    client: TestClient, sqlite_app: FastAPI
) -> None:
    chapter = next(c for c in _chapters(sqlite_app) if c.meta.status == "published")
    first = client.get(f"/dashboards/{chapter.id}", params={"tab": 0})
    assert first.status_code == 200
    assert "set-cookie" not in first.headers
    assert 'name="csrf-token"' not in first.text
    kept = sqlite_app.state.jsna.cache[("responses",)]
    key = (f"/dashboards/{chapter.id}", b"tab=0", b"*/*")
    assert key in kept
    assert client.get(f"/dashboards/{chapter.id}", params={"tab": 0}).text == first.text
    # Signed-in readers get their own page (with the token for the sign-out form).
    sign_in(client, "viewer")
    own = client.get(f"/dashboards/{chapter.id}", params={"tab": 0})
    assert 'name="csrf-token"' in own.text
    assert own.text != first.text
