"""A scorer's journey in Chromium: an approver opens the round, an analyst scores it in the
form and by a score sheet, the approver moderates and publishes, the public reads it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page

from tests.browser.support import assert_accessible, serve_app
from tests.web.conftest import PASSWORD, make_app
from tests.web.stores import sqlite_store

pytestmark = pytest.mark.slow

ROUND = "2026-illustrative"


@pytest.fixture(scope="module")
def priorities_app(tmp_path_factory: pytest.TempPathFactory, site_root: Path) -> FastAPI:
    """The app over the built site (its GOV.UK styles and the evidence pages)."""
    project, url = sqlite_store(tmp_path_factory.mktemp("priorities-browser") / "jsna.db")
    return make_app(project, url, site=site_root, anonymous_per_minute=100_000)


@pytest.fixture(scope="module")
def app_url(priorities_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free port, in a background thread."""
    with serve_app(priorities_app) as url:
        yield url


def _page(browser: Browser) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def _sign_in(page: Page, app_url: str, username: str) -> None:
    page.goto(f"{app_url}/account/sign-in")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()


def _set_status(page: Page, app_url: str, status: str) -> None:
    page.goto(f"{app_url}/priorities/{ROUND}")
    page.select_option("#status", status)
    page.click("button:has-text('Change status')")
    page.wait_for_selector("#saved-title")


def test_a_scorers_journey(browser: Browser, app_url: str, tmp_path: Path) -> None:
    approver, approver_errors = _page(browser)
    _sign_in(approver, app_url, "approver")
    approver.goto(f"{app_url}/priorities/")
    approver.click('button:has-text("Load the project\'s round files")')
    assert "1 round file loaded from the project." in approver.inner_text(
        ".govuk-notification-banner"
    )
    _set_status(approver, app_url, "open")

    analyst, analyst_errors = _page(browser)
    _sign_in(analyst, app_url, "analyst")
    analyst.goto(f"{app_url}/priorities/{ROUND}")
    assert analyst.is_visible("#illustrative-warning")
    analyst.click("a:has-text('Score this round')")
    assert analyst.url.endswith(f"/priorities/{ROUND}/score")
    assert_accessible(analyst, "score form", within="main")
    # the evidence for the need is linked beside the scores
    evidence = analyst.locator("#need-neighbourhood-health-gap a").first
    assert evidence.get_attribute("href") == "/indicators/bad_health.html"
    assert analyst.request.get(f"{app_url}/indicators/bad_health.html").ok  # the site's page
    for criterion, score in [
        ("size", "3"),
        ("severity", "3"),
        ("inequality", "3"),
        ("effective_interventions", "2"),
        ("local_capacity", "0"),
        ("strategy", "3"),
    ]:
        analyst.select_option(f"#neighbourhood-health-gap__{criterion}", score)
    analyst.fill("#neighbourhood-health-gap__comment", "Census 2021 ward gaps are wide")
    analyst.click("button:has-text('Save my scores')")
    assert analyst.inner_text("#saved-message") == "6 scores saved."
    assert analyst.input_value("#neighbourhood-health-gap__local_capacity") == "0"
    assert analyst.input_value("#neighbourhood-health-gap__comment") == (
        "Census 2021 ward gaps are wide"
    )

    # a score sheet with a mistake is refused whole, with the row and column
    sheet = tmp_path / "scores.csv"
    sheet.write_text(
        "candidate,size,severity,inequality,effective_interventions,local_capacity,strategy\n"
        "tooth-decay,1,1,1,1,1,1\nself-harm,1,4,1,1,1,1\n"
    )
    analyst.set_input_files("#sheet", str(sheet))
    analyst.click("button:has-text('Upload the score sheet')")
    summary = analyst.inner_text(".govuk-error-summary")
    assert "scores.csv:3:severity: score must be a whole number from 0 to 3 ('4')" in summary
    sheet.write_text(sheet.read_text().replace("self-harm,1,4", "self-harm,1,2"))
    analyst.set_input_files("#sheet", str(sheet))
    analyst.click("button:has-text('Upload the score sheet')")
    assert analyst.inner_text("#saved-message") == "12 scores saved."

    # the approver sees the analyst's outlier, moderates it with a reason, and publishes
    _set_status(approver, app_url, "closed")
    approver.goto(f"{app_url}/priorities/{ROUND}")
    outliers = approver.inner_text("#outliers")
    assert "analyst" in outliers
    assert "Local capacity to act" in outliers
    approver.click("a:has-text('Moderate')")
    approver.select_option("#candidate", "neighbourhood-health-gap")
    approver.select_option("#criterion", "local_capacity")
    approver.click("button:has-text('Record the moderated score')")
    assert "Say why the score is moderated." in approver.inner_text(".govuk-error-summary")
    approver.select_option("#score", "3")
    approver.fill("#reason", "Workshop agreed: the neighbourhood programme is funded")
    approver.click("button:has-text('Record the moderated score')")
    assert "3 by approver: Workshop agreed" in approver.inner_text("#agreement")
    _set_status(approver, app_url, "published")

    public, public_errors = _page(browser)
    public.goto(f"{app_url}/priorities/{ROUND}")
    first = public.locator("#ranked-list tbody tr").first
    assert first.get_attribute("data-candidate") == "neighbourhood-health-gap"
    assert "High" in first.inner_text()
    assert "analyst" not in public.inner_text("main")
    assert public.locator("#outliers").count() == 0
    chart = public.locator("img.jsna-priorities-chart")
    chart.scroll_into_view_if_needed()
    public.wait_for_function(
        "() => { const i = document.querySelector('img.jsna-priorities-chart');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert "Each bubble is a need" in (chart.get_attribute("alt") or "")
    assert_accessible(public, "published round", within="main")
    with public.expect_download() as download:
        public.click("a:has-text('Download the ranked list (CSV)')")
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[2].startswith("1,neighbourhood-health-gap,")
    assert not approver_errors
    assert not analyst_errors
    assert not public_errors
