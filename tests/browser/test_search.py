"""Search: typing on search.html filters the index (indicators, chapters, areas) in the browser.

The search page loads ``search-index.json`` and lists matching pages as links
as the reader types; the number of results is announced in an ``aria-live``
region so that screen-reader users hear that the list changed.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.support import SiteMap, Tab, parse_page, squash

pytestmark = pytest.mark.slow

SEARCH_BOX = "main input[type=search], main input[name=q], main input[type=text]"


def _search(tab: Tab, text: str) -> None:
    tab.open("search.html")
    box = tab.page.locator(SEARCH_BOX).first
    box.wait_for(state="visible")
    box.press_sequentially(text, delay=10)


RESULT_LINKS = """(target) => {
  // Results live in the element the search box controls (else anywhere in main).
  const box = document.querySelector('main input[type=search], main input[name=q]');
  const id = box?.getAttribute('aria-controls');
  const list = (id && document.getElementById(id)) || document.querySelector('main');
  return [...list.querySelectorAll('a')].some((a) => a.getAttribute('href')?.endsWith(target));
}"""


def _wait_for_link(tab: Tab, target: str) -> None:
    """Wait for a result link whose href ends with ``target`` (a site-relative path)."""
    tab.page.wait_for_function(
        RESULT_LINKS,
        arg=target,
        timeout=5_000,
    )


def _announced_count(tab: Tab) -> int:
    texts = [squash(t) for t in tab.page.locator("[aria-live]").all_text_contents()]
    counts = [int(m.group(1)) for t in texts if (m := re.search(r"(\d+)\s+(result|match)", t))]
    assert counts, f"no aria-live region announces a number of results: {texts}"
    return counts[0]


def test_indicator_name_finds_its_page(tab: Tab, site: SiteMap) -> None:
    """Typing an indicator's title lists its page, and the count of results is announced."""
    page = site.indicators[len(site.indicators) // 2]
    title = parse_page(site.root / page).h1[0]
    _search(tab, title)
    _wait_for_link(tab, page.rsplit("/", 1)[1])
    count = _announced_count(tab)
    assert count >= 1
    assert tab.errors == []


def test_ward_name_finds_its_profile(tab: Tab, site: SiteMap) -> None:
    """Typing a ward's name lists the ward's profile page."""
    profile = site.ward_profiles[0]
    name = parse_page(site.root / profile).h1[0]
    # The h1 may add words ("Altrincham ward profile"): search for the name as the index lists it.
    index = profile.rsplit("/", 1)[0] + "/index.html"
    listed = _link_text(site, index, profile.rsplit("/", 1)[1]) or name
    _search(tab, listed)
    _wait_for_link(tab, "/".join(profile.split("/")[-2:]))
    assert _announced_count(tab) >= 1
    assert tab.errors == []


def _wait_for_status(tab: Tab, text: str) -> None:
    """Wait until a live region mentions ``text`` (the search has run on what was typed)."""
    tab.page.wait_for_function(
        "(text) => [...document.querySelectorAll('[aria-live]')]"
        ".some((el) => el.textContent.includes(text))",
        arg=text,
        timeout=5_000,
    )


def test_count_follows_the_text(tab: Tab) -> None:
    """More words, fewer (or as many) results; nonsense finds nothing and says so."""
    _search(tab, "health")
    _wait_for_status(tab, "health")
    broad = _announced_count(tab)
    assert broad >= 2
    tab.page.locator(SEARCH_BOX).first.press_sequentially(" life", delay=10)
    _wait_for_status(tab, "health life")
    narrow = _announced_count(tab)
    assert 1 <= narrow <= broad
    tab.page.locator(SEARCH_BOX).first.fill("zzqxj")
    _wait_for_status(tab, "zzqxj")
    texts = " ".join(tab.page.locator("[aria-live]").all_text_contents())
    assert re.search(r"\b(0|no)\s+(results|matches)", texts, re.I), texts


def _link_text(site: SiteMap, page: str, href_end: str) -> str:
    """The text of the link on ``page`` whose href ends with ``href_end`` (raw HTML scan)."""
    html = (site.root / page).read_text("utf-8")
    match = re.search(rf'<a[^>]*href="[^"]*{re.escape(href_end)}"[^>]*>(.*?)</a>', html, re.S)
    return squash(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""
