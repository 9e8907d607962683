"""Charts: interactive with JavaScript, pre-rendered SVG without it, one highlighted area per page.

With scripts on, ``jsna.js`` turns every ``.jsna-chart`` into a vega-embed view
(the spec is fetched from the chart's ``data-spec``). Clicking a mark that
carries an ``area_code`` highlights that area everywhere on the page: the
marks, the table rows (class ``jsna-highlight``) and an ``aria-live``
announcement "Highlighted: <name>". With scripts off, the SVG written into the
page by the build is what the reader sees, so it must be visible and carry an
accessible name (``role="img"`` and a ``<title>``).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.support import SiteMap, Tab, squash, wait_for_charts

pytestmark = pytest.mark.slow

BARS = ".vega-embed svg .mark-rect path"
MARK_STATE = """
(figure) => [...figure.querySelectorAll('.vega-embed svg .role-mark path')].map((path) =>
  ['stroke', 'stroke-width', 'opacity', 'fill-opacity', 'stroke-opacity', 'fill']
    .map((name) => path.getAttribute(name)).join('|'))
"""


def _chart_page(site: SiteMap, which: str) -> str:
    """A page of a kind that has charts, or the smallest page with a compare chart or a map."""
    if which not in ("compare", "map"):
        return site.page(which)
    found = site.pages_with(f'data-kind="{which}"')
    assert found, f"no page of the site has a {which} figure"
    return found[0]


@pytest.mark.parametrize("which", ["home", "chapter", "indicator", "area", "compare", "map"])
def test_charts_become_interactive(tab: Tab, site: SiteMap, which: str) -> None:
    """Every chart of the page becomes a vega-embed view, with no script or loading error."""
    page = _chart_page(site, which)
    tab.open(page)
    count = tab.page.locator(".jsna-chart[data-spec]").count()
    assert count >= 1, f"{page} has no chart"
    wait_for_charts(tab)
    assert tab.errors == [], f"{page}: {tab.errors}"


def _announcement(tab: Tab) -> str:
    """The text of the page's aria-live region(s), once it says what is highlighted."""
    tab.page.wait_for_function(
        "() => [...document.querySelectorAll('[aria-live]')]"
        ".some((el) => /Highlighted/.test(el.textContent))",
        timeout=5_000,
    )
    texts = tab.page.locator("[aria-live]").all_text_contents()
    return next(squash(t) for t in texts if "Highlighted" in t)


def _highlighted_rows(tab: Tab) -> list[str]:
    return [
        squash(row.get_attribute("data-row") or row.locator("th, td").first.text_content() or "")
        for row in tab.page.locator("tr.jsna-highlight").all()
    ]


def _compare_with_bars(tab: Tab, site: SiteMap, least: int = 3) -> tuple[str, int]:
    """Open the smallest page with a compare chart of ``least`` bars; (page, figure index)."""
    for page in site.pages_with('data-kind="compare"')[:5]:
        tab.open(page)
        wait_for_charts(tab)
        counts = tab.page.locator("figure[data-kind=compare]").evaluate_all(
            f"(figures) => figures.map((f) => f.querySelectorAll({BARS!r}).length)"
        )
        for index, count in enumerate(counts):
            if count >= least:
                return page, index
    raise AssertionError(f"no compare chart with {least} bars in its interactive view")


def test_clicking_a_bar_highlights_its_area(tab: Tab, site: SiteMap) -> None:
    """A click on a compare chart's bar highlights that area in the chart, tables and aria-live."""
    _, index = _compare_with_bars(tab, site)
    figure = tab.page.locator("figure[data-kind=compare]").nth(index)
    names = [squash(n) for n in figure.locator("tbody tr > th").all_text_contents()]
    bars = figure.locator(BARS)
    before = figure.evaluate(MARK_STATE)
    bar = bars.nth(bars.count() // 2)
    label = bar.get_attribute("aria-label") or ""
    bar.click(force=True)

    announced = _announcement(tab)
    match = re.search(r"Highlighted:\s*(.+?)\.?$", announced)
    assert match, f"aria-live says {announced!r}"
    name = match.group(1)
    assert name in names, f"highlighted {name!r} is not an area of the chart: {names}"
    if any(n in label for n in names):
        assert name in label, f"clicked the bar {label!r} but {name!r} was highlighted"
    rows = _highlighted_rows(tab)
    assert set(rows) == {name}, f"rows marked jsna-highlight: {rows}, expected {name}"
    assert figure.locator(f"tr.jsna-highlight[data-row='{name}']").count() == 1
    assert figure.evaluate(MARK_STATE) != before, "the chart's marks did not change"
    assert tab.errors == []


def test_area_selector_highlights_an_area(tab: Tab, site: SiteMap) -> None:
    """Choosing an area in an area selector highlights it the same way a click does."""
    found = site.pages_with("data-jsna-highlight")
    assert found, "no page of the example has an area selector (its chapters declare three)"
    tab.open(found[0])
    wait_for_charts(tab)
    select = tab.page.locator("select[data-jsna-highlight]").first
    options = select.locator("option").all()
    choice = options[len(options) // 2]
    name = squash(choice.text_content() or "")
    select.select_option(choice.get_attribute("value"))
    assert name in _announcement(tab)
    rows = _highlighted_rows(tab)
    assert set(rows) == {name}, f"rows marked jsna-highlight: {rows}, expected {name}"
    assert tab.errors == []


@pytest.mark.parametrize("which", ["home", "compare", "map"])
def test_without_javascript_the_svg_shows(no_js_tab: Tab, site: SiteMap, which: str) -> None:
    """With scripts off each chart is its pre-rendered SVG: visible, role img, with a title."""
    page = _chart_page(site, which)
    no_js_tab.open(page)
    charts = no_js_tab.page.locator(".jsna-chart[data-spec]")
    assert charts.count() >= 1
    problems = []
    for index in range(charts.count()):
        chart = charts.nth(index)
        svg = chart.locator("svg").first
        where = chart.evaluate("(c) => c.closest('figure')?.id")
        if not svg.count() or not svg.is_visible():
            problems.append(f"{where}: no visible SVG")
            continue
        box = svg.bounding_box()
        if box is None or box["width"] < 50 or box["height"] < 20:
            problems.append(f"{where}: SVG drawn at {box}")
        if svg.get_attribute("role") != "img":
            problems.append(f"{where}: SVG role is {svg.get_attribute('role')!r}")
        title = svg.locator(":scope > title")
        name = squash(title.first.text_content() or "") if title.count() else ""
        if not name and not svg.get_attribute("aria-label"):
            problems.append(f"{where}: SVG has no <title> or aria-label")
    assert not problems, f"{page}:\n" + "\n".join(problems)


def test_opened_from_disk_charts_keep_their_svg(tab: Tab, site: SiteMap) -> None:
    """Opened as files (file://, where scripts cannot fetch the specs) no chart goes blank."""
    page = _chart_page(site, "compare")
    tab.page.goto((site.root / page).as_uri(), wait_until="load")
    tab.page.wait_for_timeout(1_500)
    charts = tab.page.locator(".jsna-chart[data-spec]")
    assert charts.count() >= 1
    blank = [
        charts.nth(i).evaluate("(c) => c.closest('figure')?.id")
        for i in range(charts.count())
        if not charts.nth(i).locator("svg").first.is_visible()
    ]
    assert not blank, f"{page} opened from disk: charts without a visible SVG: {blank}"
