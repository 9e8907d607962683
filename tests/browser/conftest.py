"""Session fixtures: the built site, a local server for it, one Chromium, a fresh page per test.

One browser serves the whole session (starting Chromium costs about a second);
each test gets its own browser context, so cookies, storage and JavaScript
settings never leak from one test to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.support import AXE, CHROMIUM, LAUNCH_ARGS, SiteMap, Tab, serve
from tests.render.site import built_site


@pytest.fixture(scope="session")
def site_root() -> Path:
    """The built Trafford example site (built once per run; ``JSNA_RENDER_SITE`` names another)."""
    return built_site()


@pytest.fixture(scope="session")
def site(site_root: Path) -> SiteMap:
    return SiteMap(site_root)


@pytest.fixture(scope="session")
def base_url(site_root: Path) -> Iterator[str]:
    """The site served over HTTP on 127.0.0.1 (a free port), for the whole session."""
    with serve(site_root) as url:
        yield url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless (never a Playwright-downloaded browser)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make setup)")
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run npm ci (make setup)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    yield browser
    browser.close()


def _tab(browser: Browser, base_url: str, **context: object) -> Iterator[Tab]:
    context.setdefault("viewport", {"width": 1280, "height": 900})
    ctx = browser.new_context(**context)  # type: ignore[arg-type]
    tab = Tab(ctx.new_page(), base_url)
    tab.watch()
    yield tab
    ctx.close()


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A fresh page with JavaScript on, at a desktop width."""
    yield from _tab(browser, base_url)


@pytest.fixture
def no_js_tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A fresh page with JavaScript off (what a visitor without scripts, or a crawler, gets)."""
    yield from _tab(browser, base_url, java_script_enabled=False)


@pytest.fixture
def phone_tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A fresh page at a phone's width (375 CSS pixels) and a phone's pixel density."""
    yield from _tab(
        browser, base_url, viewport={"width": 375, "height": 812}, device_scale_factor=2
    )
