"""The what-if page in Chromium, with and without JavaScript: choose moves, submit, read the
gaps; axe finds no serious problem; the dashboard links to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from tests.browser.support import assert_accessible, serve_app
from tests.web.conftest import make_app
from tests.web.stores import sqlite_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, site_root: Path) -> Iterator[str]:
    """The app (with the built site's styles) served by uvicorn on a free port."""
    project, url = sqlite_store(tmp_path_factory.mktemp("whatif") / "jsna.db")
    app: FastAPI = make_app(project, url, site=site_root, anonymous_per_minute=100_000)
    with serve_app(app) as address:
        yield address
    app.state.jsna.engine.dispose()


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def scripts(request: pytest.FixtureRequest) -> bool:
    """Whether the browser runs scripts (axe needs them; the page must work without)."""
    return bool(request.param)


@pytest.fixture
def page(scripts: bool, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=scripts
    )
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def _cells(page: Page, area: str) -> list[str]:
    row = page.locator("#whatif-table tbody tr", has=page.locator(f"th:text-is('{area}')"))
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_moving_places_from_the_dashboard_link(page: Page, app_url: str, scripts: bool) -> None:
    page.goto(f"{app_url}/dashboards/unmet-need")
    page.click("#whatif-link")
    assert page.url == f"{app_url}/whatif/unmet-need"
    assert "ILLUSTRATIVE" in page.inner_text("main")
    before = _cells(page, "North")
    page.select_option("#from1", "Central")
    page.select_option("#to1", "North")
    page.fill("#amount1", "25")
    page.click("button:text('Show the gaps')")
    page.wait_for_selector("text=After the moves")
    assert "from1=Central" in page.url
    after = _cells(page, "North")
    assert after[1:3] == ["120", "145"]
    assert after[5] == "-25"
    assert int(after[4].replace(",", "")) == int(before[3].replace(",", "")) - 25
    assert page.locator("figure svg").count() == 1
    # the form keeps the choices, so a second move can be added
    assert page.input_value("#from1") == "Central"
    assert page.input_value("#amount1") == "25"
    if scripts:
        assert_accessible(page, "what-if page")


def test_a_bad_move_is_explained(page: Page, app_url: str, scripts: bool) -> None:
    page.goto(f"{app_url}/whatif/unmet-need?from1=West&to1=South&amount1=500")
    summary = page.locator(".govuk-error-summary")
    assert summary.inner_text().strip().endswith("Move 1: West has 110 to give, not 500")
    summary.locator("a").click()
    if scripts:  # GOV.UK Frontend moves the focus to the field
        assert page.locator("#amount1").evaluate("el => el === document.activeElement")
    else:
        assert page.url.endswith("#amount1")
    assert "After the moves" not in page.inner_text("main")
    if scripts:
        assert_accessible(page, "what-if page with an error")
