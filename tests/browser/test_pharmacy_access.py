"""The pharmaceutical needs assessment chapter in a real browser: every pharmacy access figure
becomes interactive, the distance map draws one shape per neighbourhood with the pharmacies
on top, hovering names the nearest pharmacy, and the page passes axe."""

from __future__ import annotations

import pytest

from tests.browser.support import SiteMap, Tab, assert_accessible, squash, wait_for_charts

pytestmark = pytest.mark.slow

PAGE = "chapters/pharmaceutical-needs-assessment/index.html"
MAP = "figure#pharmacy-access-map-all-trafford_pharmacies"
POINT_INSIDE = """
(path) => {
  const box = path.getBoundingClientRect();
  for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
    const x = box.left + box.width * i / 8, y = box.top + box.height * j / 8;
    if (document.elementFromPoint(x, y) === path) return {x, y};
  }
  return null;
}
"""


@pytest.fixture
def pna(tab: Tab, site: SiteMap) -> Tab:
    assert site.exists(PAGE), f"{PAGE} was not built"
    tab.open(PAGE)
    wait_for_charts(tab)
    return tab


def test_every_access_figure_is_interactive(pna: Tab) -> None:
    ids = pna.page.evaluate(
        "() => [...document.querySelectorAll('figure[id^=pharmacy-access]')].map((f) => f.id)"
    )
    assert ids == [
        "pharmacy-access-map-all-trafford_pharmacies",
        "pharmacy-access-map-sunday-trafford_pharmacies",
        "pharmacy-access-ward23-trafford_pharmacies",
        "pharmacy-access-imd25_decile-trafford_pharmacies",
        "pharmacy-access-hours-trafford_pharmacies",
    ]
    views = pna.page.locator("figure[id^=pharmacy-access] .vega-embed").count()
    assert views == 5
    assert pna.errors == []


def test_map_shapes_points_and_tooltip(pna: Tab) -> None:
    figure = pna.page.locator(MAP)
    figure.locator(".vega-embed").scroll_into_view_if_needed()
    shapes = figure.locator(".vega-embed svg .mark-shape path")
    counts = figure.evaluate(
        "(f) => [...f.querySelectorAll('.vega-embed svg .mark-shape')]"
        ".map((g) => g.querySelectorAll('path').length)"
    )
    assert max(counts) == 139
    symbols = figure.locator(".vega-embed svg .mark-symbol.role-mark path").count()
    assert symbols == 57
    point = None
    for index in range(shapes.count()):
        point = shapes.nth(index).evaluate(POINT_INSIDE)
        if point:
            break
    assert point, "no neighbourhood can be pointed at"
    pna.page.mouse.move(point["x"], point["y"])
    tooltip = pna.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = squash(tooltip.inner_text())
    assert "Nearest pharmacy" in text
    assert "km" in text


def test_page_is_accessible(pna: Tab) -> None:
    assert_accessible(pna.page, PAGE)
