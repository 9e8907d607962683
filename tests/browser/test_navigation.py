"""Finding one's way round the site: navigation, breadcrumbs, skip link, keyboard, links, titles.

The journeys are a reader's: from the home page to a chapter (by the service
navigation and by the chapter list), through a chapter with previous/next, from
the indicator catalogue to an indicator, from the areas index to a ward's
profile. Every page's ``<title>`` names its ``<h1>``, and every relative link on
every page points at a file (and an id) that exists.
"""

from __future__ import annotations

import itertools
import re

import pytest

from tests.browser.support import (
    FOCUS_STYLE,
    SiteMap,
    Tab,
    is_internal,
    parse_page,
    resolve,
    squash,
)

pytestmark = pytest.mark.slow

NEXT = ".govuk-pagination__next a, a[rel~=next]"
PREVIOUS = ".govuk-pagination__prev a, a[rel~=prev]"


def _h1(tab: Tab) -> str:
    return squash(tab.page.locator("h1").first.inner_text())


def test_service_navigation_reaches_every_section(tab: Tab) -> None:
    """Each service navigation link opens its page, which then marks that link as current."""
    tab.open("index.html")
    nav = tab.page.locator(".govuk-service-navigation__list a")
    labels = [squash(t) for t in nav.all_inner_texts()]
    assert len(labels) >= 4, f"service navigation has too few links: {labels}"
    for label in labels:
        link = tab.page.locator(".govuk-service-navigation__list a", has_text=label).first
        link.click()
        tab.page.wait_for_load_state("load")
        assert tab.page.locator("h1").count() == 1, f"{label}: {tab.path()} has no single h1"
        current = tab.page.locator(".govuk-service-navigation [aria-current]")
        assert current.count() >= 1, f"{tab.path()} marks no navigation item as current"
        assert label in squash(current.first.inner_text()), (
            f"{tab.path()}: current item is {current.first.inner_text()!r}, not {label!r}"
        )
    assert tab.errors == []


def test_home_chapter_list_opens_each_chapter(tab: Tab, site: SiteMap) -> None:
    """The home page lists the chapters; each link is titled as its chapter; one click opens it."""
    assert len(site.chapters) >= 2, f"home lists too few chapters: {site.chapters}"
    tab.open("index.html")
    for chapter in site.chapters:
        folder = chapter.removesuffix("index.html")
        link = tab.page.locator(f"main a[href$='{folder}'], main a[href$='{chapter}']").first
        text = squash(link.inner_text())
        h1 = parse_page(site.root / chapter).h1[0]
        assert text, f"the link to {chapter} has no text"
        assert text in h1 or h1 in text, f"link {text!r} -> h1 {h1!r}"
    link.click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == site.chapters[-1]
    assert tab.errors == []


def test_service_navigation_leads_to_a_chapter(tab: Tab, site: SiteMap) -> None:
    """From any page, the service name in the navigation leads home, to the chapter list."""
    tab.open(site.page("indicator"))
    tab.page.locator(".govuk-service-navigation__service-name a").click()
    tab.page.wait_for_load_state("load")
    chapter_links = tab.page.locator("main a[href*='chapters/']")
    assert chapter_links.count() >= len(site.chapters)
    chapter_links.first.click()
    tab.page.wait_for_load_state("load")
    assert tab.path().startswith("chapters/"), tab.path()


@pytest.mark.parametrize("kind", ["chapter", "indicator", "area"])
def test_breadcrumbs_lead_home(tab: Tab, site: SiteMap, kind: str) -> None:
    """Inner pages have GOV.UK breadcrumbs; each crumb opens, the first is the home page."""
    page = site.page(kind)
    tab.open(page)
    crumbs = tab.page.locator(".govuk-breadcrumbs a")
    assert crumbs.count() >= 1, f"{page} has no breadcrumb links"
    hrefs = [crumbs.nth(i).get_attribute("href") or "" for i in range(crumbs.count())]
    for href in hrefs:
        target, _ = resolve(page, href)
        assert site.exists(target), f"{page}: breadcrumb {href!r} -> missing {target}"
    crumbs.first.click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == "index.html", f"first breadcrumb of {page} goes to {tab.path()}"


def test_skip_link_moves_focus_to_main(tab: Tab, site: SiteMap) -> None:
    """The first Tab stop is the skip link; following it puts focus on the main content."""
    tab.open(site.page("chapter"))
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate(FOCUS_STYLE)
    assert focused is not None
    skip = tab.page.locator(".govuk-skip-link")
    assert skip.count() == 1, "no .govuk-skip-link"
    assert tab.page.evaluate("document.activeElement.classList.contains('govuk-skip-link')"), (
        f"first Tab stop is {focused}, not the skip link"
    )
    assert focused["visible"], f"skip link focus is not visible: {focused}"
    tab.page.keyboard.press("Enter")
    target = (skip.get_attribute("href") or "").lstrip("#")
    active = tab.page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName})"
    )
    assert active == {"id": target, "tag": "MAIN"}, f"after the skip link, focus is on {active}"


def test_phone_shows_every_navigation_link(phone_tab: Tab) -> None:
    """At a phone's width every service navigation link can be seen (after opening the menu)."""
    phone_tab.open("index.html")
    toggle = phone_tab.page.locator(".govuk-service-navigation__toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    links = phone_tab.page.locator(".govuk-service-navigation__list a")
    assert links.count() >= 4
    hidden = [
        squash(links.nth(i).text_content() or "")
        for i in range(links.count())
        if not links.nth(i).is_visible()
    ]
    assert not hidden, f"navigation links not shown at 375px: {hidden}"


def test_keyboard_reaches_navigation_with_visible_focus(tab: Tab) -> None:
    """Tabbing from the top reaches the navigation; every stop on the way shows its focus."""
    tab.open("index.html")
    stops = []
    for _ in range(20):
        tab.page.keyboard.press("Tab")
        focused = tab.page.evaluate(FOCUS_STYLE)
        assert focused is not None, f"Tab left focus on the body after {stops}"
        stops.append(focused)
        assert focused["visible"], f"focus not visible on {focused}"
        if focused["inNav"]:
            break
    assert stops[-1]["inNav"], f"20 Tabs never reached the navigation: {stops}"


def _linked(site: SiteMap, page: str, rel: str) -> str | None:
    href = parse_page(site.root / page).rels.get(rel)
    return resolve(page, href)[0] if href else None


def _walk_next(site: SiteMap, start: str) -> list[str]:
    """The pages ``rel=next`` links lead through from ``start`` (stops on a loop)."""
    walk = [start]
    while (following := _linked(site, walk[-1], "next")) and following not in walk:
        walk.append(following)
    return walk


def _page_number(path: str) -> int:
    match = re.match(r"(\d+)-", path.rsplit("/", 1)[1])
    return int(match.group(1)) if match else 0


def test_chapters_previous_and_next(site: SiteMap) -> None:
    """In every chapter, next links walk its pages once in order, and previous links walk back.

    Where the last page of a chapter has a next link, it leads to the next chapter.
    """
    problems = []
    for number, chapter in enumerate(site.chapters):
        folder = chapter.removesuffix("index.html")
        walk = _walk_next(site, chapter)
        pages = [p for p in walk if p.startswith(folder)]
        expected = sorted((p for p in site.chapter_pages if p.startswith(folder)), key=_page_number)
        if pages != expected:
            problems.append(f"{chapter}: next walks {pages}, the chapter has {expected}")
        beyond = walk[len(pages) : len(pages) + 1]
        if beyond and number + 1 < len(site.chapters) and beyond != [site.chapters[number + 1]]:
            problems.append(f"{pages[-1]}: next goes to {beyond[0]}")
        for before, page in itertools.pairwise(pages):
            if _linked(site, page, "prev") != before:
                problems.append(f"{page}: previous goes to {_linked(site, page, 'prev')}")
    assert not problems, "\n".join(problems)


def test_next_and_previous_links_work_in_the_browser(tab: Tab, site: SiteMap) -> None:
    """Clicking a chapter's next link, then previous, comes back to where the reader was."""
    chapter = next(c for c in site.chapters if _linked(site, c, "next"))
    tab.open(chapter)
    tab.page.locator(NEXT).first.click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == _linked(site, chapter, "next")
    tab.page.locator(PREVIOUS).first.click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == chapter
    assert tab.errors == []


def test_catalogue_to_indicator(tab: Tab, site: SiteMap) -> None:
    """The indicator catalogue links to every indicator page; one opens with its title."""
    assert len(site.indicators) >= 10, f"catalogue lists {len(site.indicators)} indicators"
    tab.open("indicators/index.html")
    target = site.indicators[0]
    name = target.rsplit("/", 1)[1]
    link = tab.page.locator(f"main a[href$='{name}']").first
    text = squash(link.inner_text())
    link.click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == target
    assert text in _h1(tab) or _h1(tab) in text, f"link {text!r} -> h1 {_h1(tab)!r}"
    keys = {squash(k) for k in tab.page.locator("main .govuk-summary-list__key").all_inner_texts()}
    assert {"Source", "Licence"} <= keys, f"{target} summary list has only {sorted(keys)}"


VISIBLE_ROWS = """(rows) => rows.filter((row) => row.offsetParent !== null)
  .map((row) => row.dataset.tags || '')"""


def test_catalogue_filters_by_topic(tab: Tab) -> None:
    """With scripts on, the catalogue's topic filter shows only that topic's indicators."""
    tab.open("indicators/index.html")
    select = tab.page.locator("select[data-jsna-filter]").first
    assert select.count(), "the catalogue has no topic filter"
    assert select.is_visible(), "the catalogue's topic filter stays hidden with scripts on"
    rows = tab.page.locator("tbody tr[data-tags]")
    everything = rows.evaluate_all(VISIBLE_ROWS)
    values = [v for v in select.locator("option").evaluate_all("(o) => o.map((x) => x.value)") if v]
    topic = max(values, key=lambda v: sum(v in tags.split() for tags in everything))
    select.select_option(topic)
    shown = rows.evaluate_all(VISIBLE_ROWS)
    expected = [tags for tags in everything if topic in tags.split()]
    assert shown == expected, f"topic {topic!r}: {len(shown)} rows shown, {len(expected)} tagged"
    assert len(shown) < len(everything)
    select.select_option("")
    assert rows.evaluate_all(VISIBLE_ROWS) == everything
    assert tab.errors == []


def test_areas_index_to_ward_profile(tab: Tab, site: SiteMap) -> None:
    """Areas index -> an area type (wards) -> a ward's profile, which names the ward."""
    assert site.area_types, "areas/index.html links to no area type"
    tab.open("areas/index.html")
    wards = [t for t in site.area_types if "ward" in t] or site.area_types
    folder = wards[0].rsplit("/", 1)[0]
    tab.page.locator(f"main a[href*='{folder.split('/')[-1]}/']").first.click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == wards[0]
    profile = site.profiles(wards[0])[0]
    link = tab.page.locator(f"main a[href$='{profile.rsplit('/', 1)[1]}']").first
    name = squash(link.inner_text())
    link.click()
    tab.page.wait_for_load_state("load")
    assert tab.path() == profile
    assert name.split(" (")[0] in _h1(tab), f"link {name!r} -> h1 {_h1(tab)!r}"
    assert tab.errors == []


def test_every_page_title_names_its_h1(site: SiteMap) -> None:
    """Each page has one h1, and its <title> contains it (screen readers announce the title)."""
    problems = []
    for page in site.html_pages():
        parsed = parse_page(site.root / page)
        if len(parsed.h1) != 1:
            problems.append(f"{page}: {len(parsed.h1)} h1 elements {parsed.h1}")
        elif parsed.h1[0] not in parsed.title:
            problems.append(f"{page}: title {parsed.title!r} does not contain h1 {parsed.h1[0]!r}")
    assert not problems, "\n".join(problems)


def test_every_relative_link_resolves(site: SiteMap) -> None:
    """Every relative link (and #fragment) on every page points at something in the site."""
    broken = []
    for page in site.html_pages():
        for link in parse_page(site.root / page).links:
            if not is_internal(link):
                continue
            target, fragment = resolve(page, link)
            if target.startswith("../") or not site.exists(target):
                broken.append(f"{page}: {link} -> {target} (missing)")
            elif (
                fragment
                and target.endswith(".html")
                and fragment not in parse_page(site.root / target).ids
            ):
                broken.append(f"{page}: {link} -> no id {fragment!r} in {target}")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:50])
