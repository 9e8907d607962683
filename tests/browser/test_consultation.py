"""A consultation in Chromium: an editor opens one from the chapter's workflow page, a
member of the public comments (too fast at first: kindly refused, text kept), the
editor approves and responds, closes and publishes, and the report shows it all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect

from jsna.content.project_files import load_project
from jsna.render.assets import copy_assets
from jsna.web import consultation as web
from tests.browser.support import assert_accessible, serve_app
from tests.web.conftest import PASSWORD, make_app
from tests.web.stores import sqlite_store

pytestmark = pytest.mark.slow

CHAPTER = "summary"
COMMENT = "Please say more about young carers <b>in Partington</b>."


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder: Path = tmp_path_factory.mktemp("consult")
    project, url = sqlite_store(folder / "jsna.db")
    site = folder / "site"  # the site's styles and scripts only: no need to build it all
    copy_assets(load_project(project), site)
    return make_app(project, url, site=site, anonymous_per_minute=100_000)


@pytest.fixture(scope="module")
def app_url(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free port, in a background thread."""
    with serve_app(app) as url:
        yield url


def _page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def editor(browser: Browser) -> Iterator[Page]:
    yield from _page(browser)


@pytest.fixture
def resident(browser: Browser) -> Iterator[Page]:
    yield from _page(browser)


def test_open_comment_moderate_respond_report(editor: Page, resident: Page, app_url: str) -> None:
    # The editor signs in and opens a consultation from the chapter's workflow page.
    editor.goto(f"{app_url}/account/sign-in")
    editor.fill("#username", "editor")
    editor.fill("#password", PASSWORD)
    editor.get_by_role("button", name="Sign in").click()
    editor.goto(f"{app_url}/workflow/{CHAPTER}")
    editor.get_by_role("link", name="consultations on this chapter").click()
    editor.get_by_role("link", name="Open a consultation on this chapter").click()
    editor.fill("#introduction", "We want to hear from **carers**.")
    editor.get_by_role("button", name="Open the consultation").click()
    expect(editor.get_by_role("heading", name="Consultation opened")).to_be_visible()
    editor.get_by_role("link", name="Manage the consultation").click()
    found = re.search(r"/consultations/(\d+)/manage$", editor.url)
    assert found, editor.url
    consultation_id = found.group(1)

    # A resident reads the draft and comments on its first section.
    resident.goto(f"{app_url}/consultations/{consultation_id}")
    expect(resident.locator("#consultation-phase")).to_have_text("Open for comments")
    expect(resident.locator("strong", has_text="carers")).to_be_visible()
    first = resident.locator("section.jsna-consultation-section").first
    title = first.locator("h2").inner_text()
    first.locator("summary").click()
    first.get_by_label("Your comment").fill(COMMENT)
    first.get_by_label("Your name (optional)").fill("Ann Example")
    first.get_by_label("You may publish my comment").check()
    assert first.locator("input[name=website]").is_hidden()  # the honeypot
    first.get_by_role("button", name=re.compile("Send your comment")).click()
    # Sent within MIN_SECONDS of the page opening: refused kindly, the text kept.
    expect(resident.locator(".govuk-error-summary")).to_contain_text("sent very quickly")
    again = resident.locator("section.jsna-consultation-section").first
    expect(again.get_by_label("Your comment")).to_have_value(COMMENT)
    assert_accessible(resident, "the draft with a refused comment")
    resident.wait_for_timeout(web.MIN_SECONDS * 1000 + 300)
    again.get_by_role("button", name=re.compile("Send your comment")).click()
    expect(resident.locator("#comment-sent")).to_contain_text("Thank you: we have your comment.")
    # Held for moderation: not shown yet.
    expect(resident.locator(".jsna-comment")).to_have_count(0)

    # The editor approves it and responds.
    editor.reload()
    expect(editor.locator("#moderation")).to_contain_text("Awaiting moderation (1)")
    editor.get_by_role("button", name=re.compile("^Approve")).click()
    expect(editor.locator("#responses")).to_contain_text("(1)")
    editor.get_by_label("Your response").fill("Thank you: we have added a paragraph.")
    editor.get_by_label("Yes").check()
    editor.get_by_label("What you changed (if you did)").fill("New paragraph on young carers.")
    editor.get_by_role("button", name=re.compile("Save the response")).click()
    expect(editor.locator(".govuk-inset-text", has_text="Response by editor")).to_be_visible()
    assert_accessible(editor, "the manage page")

    # Approved: the resident now sees it, as text (the markup typed is shown, not obeyed).
    resident.reload()
    shown = resident.locator(".jsna-comment")
    expect(shown).to_have_count(1)
    expect(shown.locator(".jsna-comment__text")).to_have_text(COMMENT)
    expect(shown.locator("b")).to_have_count(0)

    # Close, publish, and the public report shows the comment, response and change.
    editor.get_by_role("button", name="Close the consultation now").click()
    editor.get_by_role("button", name="Publish the report").click()
    resident.goto(f"{app_url}/consultations/{consultation_id}/report")
    expect(resident.get_by_role("heading", level=1)).to_be_visible()
    expect(resident.locator(".jsna-comment")).to_contain_text(
        "Thank you: we have added a paragraph."
    )
    expect(resident.locator(".jsna-comment")).to_contain_text("New paragraph on young carers.")
    expect(resident.locator(".jsna-comment")).to_contain_text("Ann Example")
    counts = resident.locator("#counts tbody tr", has=resident.locator("th", has_text=title))
    expect(counts.locator("td")).to_have_text(["1", "0", "1", "1"])
    assert_accessible(resident, "the consultation report")
    # The closed consultation has no comment forms any more.
    resident.goto(f"{app_url}/consultations/{consultation_id}")
    expect(resident.locator("#closed-note")).to_contain_text("no longer takes comments")
    expect(resident.locator("form[action$='/comment']")).to_have_count(0)
