"""Accessibility: axe-core finds no serious or critical WCAG 2.2 AA problem on any page type.

axe runs in the page as the reader sees it: scripts on and every chart already
turned into its interactive view (the state most readers meet), at a desktop
width, and again at a phone's width (375 CSS pixels) for the home page and a
chapter, where the layout reflows. The rule sets are WCAG 2.0/2.1 A and AA,
WCAG 2.2 AA and axe's best practices; moderate and minor findings are left to
review, serious and critical ones fail with the rule, its help text and the
offending elements.
"""

from __future__ import annotations

import pytest

from tests.browser.support import (
    PAGE_KINDS,
    SiteMap,
    Tab,
    assert_accessible,
    open_without_scripts,
    wait_for_charts,
)

pytestmark = pytest.mark.slow


def _check(tab: Tab, page: str) -> None:
    tab.open(page)
    wait_for_charts(tab)
    assert_accessible(tab.page, page)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_type_has_no_serious_violations(tab: Tab, site: SiteMap, kind: str) -> None:
    _check(tab, site.page(kind))


@pytest.mark.parametrize("kind", ["home", "chapter"])
def test_phone_width_has_no_serious_violations(phone_tab: Tab, site: SiteMap, kind: str) -> None:
    _check(phone_tab, site.page(kind))
    overflow = phone_tab.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{site.page(kind)} scrolls sideways by {overflow}px at 375px"


def test_without_javascript_chapter_has_no_serious_violations(tab: Tab, site: SiteMap) -> None:
    """With scripts off the page shows the pre-rendered SVGs: those must pass too."""
    page = site.page("chapter")
    open_without_scripts(tab, site.root, page)
    assert tab.page.locator(".jsna-chart .vega-embed").count() == 0
    assert_accessible(tab.page, f"{page} (no JavaScript)")
