"""Chapter dashboards in Chromium: tabs, linked highlighting, selectors, shared URLs,
full screen, CSV download and accessibility (desktop and 375 px)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from jsna.content.chapters import ChartBlock, MapBlock
from jsna.web.dashboard_data import chapter_tabs
from tests.browser.support import assert_accessible, serve_app
from tests.web.conftest import make_app
from tests.web.stores import sqlite_store

pytestmark = pytest.mark.slow

READY = """() => { const charts = [...document.querySelectorAll('[data-chart]')];
  return document.querySelectorAll('[data-figure]').length > 0
    && charts.every((c) => c.querySelector('svg, canvas') !== null); }"""


@pytest.fixture(scope="module")
def dashboard_app(tmp_path_factory: pytest.TempPathFactory, site_root: Path) -> FastAPI:
    project, url = sqlite_store(tmp_path_factory.mktemp("dash") / "jsna.db")
    return make_app(project, url, site=site_root, anonymous_per_minute=100_000)


@pytest.fixture(scope="module")
def app_url(dashboard_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free port, in a background thread."""
    with serve_app(dashboard_app) as url:
        yield url


def _chapter(app: FastAPI) -> tuple[str, list[int]]:
    """A published chapter with at least two tabs holding charts or maps of areas, and those
    tabs (analysis blocks draw figures of their own kinds)."""
    for chapter in app.state.jsna.project.chapters:
        tabs = [
            t.number
            for t in chapter_tabs(chapter)
            if any(isinstance(p.block, ChartBlock | MapBlock) for p in t.blocks)
        ]
        if chapter.meta.status == "published" and len(tabs) >= 2:
            return chapter.id, tabs
    raise AssertionError("no chapter with two tabs of figures")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def _area_type_with_rows(page: Page, app_url: str, chapter_id: str, tab: int) -> str:
    """An area type (not the chapter's own) under which the tab's figures have rows."""
    values = page.locator("#select-area_type option").evaluate_all(
        "options => options.map((o) => o.value).filter(Boolean)"
    )
    for value in values:
        url = f"{app_url}/dashboards/{chapter_id}/view.json?tab={tab}&area_type={value}"
        figures = page.request.get(url).json()["data"]["figures"]
        if any(f["table"]["rows"] and not f["unchanged"] for f in figures):
            return str(value)
    raise AssertionError("no area type changes the tab's figures")


def _query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_tabs_highlight_selectors_and_shared_url(
    page: Page, app_url: str, dashboard_app: FastAPI
) -> None:
    chapter_id, tabs = _chapter(dashboard_app)
    page.goto(f"{app_url}/dashboards/{chapter_id}?tab={tabs[0]}")
    page.wait_for_function(READY, timeout=30_000)
    # Tabs switch without a reload and update the URL.
    page.click(f'#dashboard-tabs [data-tab="{tabs[1]}"]')
    page.wait_for_function(f"() => location.search.includes('tab={tabs[1]}')")
    page.wait_for_function(READY, timeout=30_000)
    assert _query(page)["tab"] == str(tabs[1])
    title = chapter_tabs(
        next(c for c in dashboard_app.state.jsna.project.chapters if c.id == chapter_id)
    )[tabs[1]].title
    assert page.inner_text("#panel-title") == title
    # Choosing an area highlights it in every table and announces it.
    select = page.locator("#select-area")
    value = select.locator("option").nth(1).get_attribute("value")
    name = select.locator("option").nth(1).inner_text()
    select.select_option(value)
    assert page.get_attribute("#dashboard-status", "aria-live") == "polite"
    assert name in page.inner_text("#dashboard-status")
    assert _query(page)["area"] == value
    # Clicking a mark with an area selects it everywhere.
    clicked = page.evaluate(
        """() => { const el = document.querySelector('[data-chart] svg path[aria-roledescription], [data-chart] svg .mark-rect path, [data-chart] svg .mark-symbol path');
          if (!el) return false; el.dispatchEvent(new MouseEvent('click', {bubbles: true})); return true; }"""
    )
    assert clicked, "no clickable mark on the tab"
    page.wait_for_function(
        f"() => !location.search.includes('area={value}&') && "
        f"!location.search.endsWith('area={value}')"
    )
    value = _query(page)["area"]
    status = page.inner_text("#dashboard-status")
    assert status.startswith("Selected area: ")
    name = status.removeprefix("Selected area: ").rstrip(".")
    highlighted = page.locator("tr.jsna-highlight")
    assert highlighted.count() >= 1
    assert all(
        n == name for n in highlighted.evaluate_all("rows => rows.map((r) => r.dataset.areaName)")
    )
    assert page.evaluate(
        "(code) => Object.keys(window.jsnaDashboardViews).length > 0 && Object.values("
        "window.jsnaDashboardViews).every((v) => v.signal('highlight') === code)",
        value,
    )
    # Changing the area type swaps figures and the URL.
    chosen = _area_type_with_rows(page, app_url, chapter_id, tabs[1])
    with page.expect_response(lambda r: "/view.json" in r.url):
        page.select_option("#select-area_type", chosen)
    page.wait_for_function(f"() => location.search.includes('area_type={chosen}')")
    assert _query(page)["area_type"] == chosen
    page.wait_for_function(READY, timeout=30_000)
    assert_accessible(page, f"dashboard {chapter_id} after figures were swapped")
    shared = page.url
    # A reload of the shared URL restores the view (server-rendered state).
    page.goto(shared)
    page.wait_for_load_state("load")
    assert page.input_value("#select-area_type") == chosen
    assert page.input_value("#select-area") == value
    assert page.locator(
        "#dashboard-tabs .govuk-tabs__list-item--selected [data-tab]"
    ).get_attribute("data-tab") == str(tabs[1])
    # Full screen button present and focusable; CSV link parses.
    button = page.locator("#dashboard-fullscreen")
    assert button.is_visible()
    button.focus()
    assert page.evaluate("document.activeElement.id") == "dashboard-fullscreen"
    links = page.locator("[data-download=csv]")
    parsed = []
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href")
        assert href is not None
        assert f"area_type={chosen}" in href
        response = page.request.get(app_url + href)
        assert response.status == 200
        rows = list(csv.DictReader(io.StringIO(response.text())))
        parsed.append(len(rows))
    assert parsed, "no CSV download links"
    assert max(parsed) > 0, "every CSV download is empty"


@pytest.mark.parametrize("width", [1280, 375])
def test_dashboard_accessible(
    browser: Browser, app_url: str, dashboard_app: FastAPI, width: int
) -> None:
    chapter_id, tabs = _chapter(dashboard_app)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/dashboards/{chapter_id}?tab={tabs[0]}")
        page.wait_for_function(READY, timeout=30_000)
        assert_accessible(page, f"dashboard {chapter_id} at {width} px")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page scrolls sideways by {overflow} px at {width} px"
    finally:
        context.close()


def test_map_and_analysis_tabs_accessible(
    browser: Browser, app_url: str, dashboard_app: FastAPI
) -> None:
    """The summary's tabs: a map of small areas, and analysis blocks (priorities, progress)."""
    summary = next(c for c in dashboard_app.state.jsna.project.chapters if c.id == "summary")
    tabs = [t.number for t in chapter_tabs(summary) if t.blocks]
    kinds = {type(p.block).__name__ for t in chapter_tabs(summary) for p in t.blocks}
    assert {"MapBlock", "PrioritiesBlock", "RecommendationsBlock"} <= kinds
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        for tab in tabs:
            page.goto(f"{app_url}/dashboards/summary?tab={tab}")
            page.wait_for_function(READY, timeout=30_000)
            assert_accessible(page, f"dashboard summary, tab {tab}")
    finally:
        context.close()
