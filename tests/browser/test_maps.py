"""Maps: one shape per area, a tooltip that names the area and its value, a table of every area.

A choropleth is a Vega-Lite ``geoshape`` drawn from real boundaries. In the
interactive view each area is one ``path`` of the shape mark; hovering it shows
the vega-tooltip (``#vg-tooltip-element``) with the area's name and its value.
The table alternative under the map (open by default) lists every area, so
nothing is said by colour alone.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.support import (
    SiteMap,
    Tab,
    assert_accessible,
    squash,
    wait_for_charts,
)

pytestmark = pytest.mark.slow

SHAPES = ".vega-embed svg .mark-shape path"
POINT_INSIDE = """
(path) => {
  // A point of the path's box that hits this very path (shapes are not convex).
  const box = path.getBoundingClientRect();
  for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
    const x = box.left + box.width * i / 8, y = box.top + box.height * j / 8;
    if (document.elementFromPoint(x, y) === path) return {x, y};
  }
  return null;
}
"""


@pytest.fixture
def map_page(tab: Tab, site: SiteMap) -> str:
    """The smallest page with a map, open with its charts interactive, map scrolled into view."""
    pages = site.pages_with('data-kind="map"')
    assert pages, "no page of the site has a map"
    tab.open(pages[0])
    wait_for_charts(tab)
    tab.page.locator("figure[data-kind=map]").first.scroll_into_view_if_needed()
    return pages[0]


def _table_areas(tab: Tab) -> list[str]:
    figure = tab.page.locator("figure[data-kind=map]").first
    return [squash(t) for t in figure.locator("tbody tr > th").all_text_contents()]


def test_map_draws_one_shape_per_area(tab: Tab, map_page: str) -> None:
    """The map's shape mark has exactly one path per area listed in its table."""
    figure = tab.page.locator("figure[data-kind=map]").first
    areas = _table_areas(tab)
    assert len(areas) >= 2, f"{map_page}: map table lists {areas}"
    assert len(set(areas)) == len(areas), f"{map_page}: areas listed twice in {areas}"
    counts = figure.evaluate(
        "(f) => [...f.querySelectorAll('.vega-embed svg .mark-shape')]"
        ".map((g) => g.querySelectorAll('path').length)"
    )
    assert counts, f"{map_page}: the map view has no geoshape mark"
    assert max(counts) == len(areas), f"{map_page}: shapes per mark {counts}, areas {len(areas)}"


def test_hovering_an_area_shows_its_name_and_value(tab: Tab, map_page: str) -> None:
    """Hovering an area shows a tooltip naming it, with its value."""
    figure = tab.page.locator("figure[data-kind=map]").first
    areas = _table_areas(tab)
    shapes = figure.locator(SHAPES)
    point = None
    for index in range(min(shapes.count(), 20)):
        point = shapes.nth(index).evaluate(POINT_INSIDE)
        if point:
            break
    assert point, f"{map_page}: no map shape can be pointed at"
    tab.page.mouse.move(point["x"], point["y"])
    tooltip = tab.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5_000)
    text = squash(tooltip.inner_text())
    named = [area for area in areas if area in text]
    assert named, f"{map_page}: tooltip {text!r} names no area of the table"
    assert re.search(r"\d", text.replace(named[0], "")), f"tooltip {text!r} has no value"
    assert_accessible(tab.page, f"{map_page} map tooltip", within="#vg-tooltip-element")


def test_map_table_lists_every_area_with_a_value(tab: Tab, map_page: str) -> None:
    """The table alternative is shown (not hidden behind a closed details) and has every area."""
    figure = tab.page.locator("figure[data-kind=map]").first
    spec_areas = figure.evaluate(
        """async (f) => {
          const url = f.querySelector('.jsna-chart').dataset.spec;
          const spec = await (await fetch(url)).json();
          const names = new Set();
          const visit = (node) => {
            if (Array.isArray(node)) return node.forEach(visit);
            if (node && typeof node === 'object') {
              if (typeof node.area_name === 'string' && node.area_code) names.add(node.area_name);
              Object.values(node).forEach(visit);
            }
          };
          visit(spec);
          return [...names];
        }"""
    )
    table = figure.locator("table").first
    assert table.is_visible(), f"{map_page}: the map's table is not shown"
    areas = _table_areas(tab)
    missing = sorted(set(spec_areas) - set(areas))
    assert not missing, f"{map_page}: areas on the map but not in its table: {missing}"
    rows = figure.locator("tbody tr")
    for index in range(rows.count()):
        cells = [squash(c) for c in rows.nth(index).locator("td").all_text_contents()]
        assert any(re.search(r"\d|suppressed", c) for c in cells), f"row {index}: {cells}"
