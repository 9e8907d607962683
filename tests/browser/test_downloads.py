"""Downloads: every figure's CSV and JSON, the page's twins, and PDFs, fetched as a browser would.

Requests go through the browser context's request client (same origin, same
server as the pages), so a link that works here works for a reader.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from playwright.sync_api import APIResponse

from tests.browser.support import SiteMap, Tab, resolve

pytestmark = pytest.mark.slow

META_KEYS = {"title", "url", "edition", "generated", "licence", "geography", "disclosure"}


def _get(tab: Tab, page: str, href: str) -> tuple[str, APIResponse]:
    target, _ = resolve(page, href)
    response = tab.page.request.get(tab.url(target))
    assert response.status == 200, f"{page}: {href} -> HTTP {response.status}"
    return target, response


def _csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames, "CSV has no header"
    assert all(reader.fieldnames), f"CSV header has blank names: {reader.fieldnames}"
    return rows


@pytest.mark.parametrize("kind", ["home", "chapter", "indicator", "area"])
def test_figure_downloads_parse(tab: Tab, site: SiteMap, kind: str) -> None:
    """Each figure's CSV and JSON links are served and parse; CSV and JSON hold the same rows."""
    page = site.page(kind)
    tab.open(page)
    figures = tab.page.locator("figure.jsna-figure")
    assert figures.count() >= 1, f"{page} has no figure"
    for index in range(figures.count()):
        figure = figures.nth(index)
        links = figure.locator(".jsna-downloads a").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href'))"
        )
        hrefs = {href.rsplit(".", 1)[-1]: href for href in links}
        assert {"csv", "json"} <= set(hrefs), f"{page} figure {index}: links {hrefs}"
        _, csv_response = _get(tab, page, hrefs["csv"])
        rows = _csv_rows(csv_response.text())
        _, json_response = _get(tab, page, hrefs["json"])
        payload = json.loads(json_response.text())
        data = payload["data"] if isinstance(payload, dict) else payload
        assert isinstance(data, list), f"{hrefs['json']}: no list of rows"
        assert len(data) == len(rows), f"{hrefs['json']}: {len(data)} rows, CSV {len(rows)}"
        if "svg" in hrefs:
            _, svg = _get(tab, page, hrefs["svg"])
            assert "<svg" in svg.text()[:500], f"{hrefs['svg']} is not an SVG"


@pytest.mark.parametrize("kind", ["home", "chapter", "indicator", "area", "catalogue", "about"])
def test_page_twins(tab: Tab, site: SiteMap, kind: str) -> None:
    """The page's .json twin is {"data", "meta"} with the metadata; the .csv twin parses."""
    page = site.page(kind)
    stem = page.removesuffix(".html")
    _, response = _get(tab, page, stem.rsplit("/", 1)[-1] + ".json")
    payload = json.loads(response.text())
    assert set(payload) == {"data", "meta"}, f"{stem}.json keys {sorted(payload)}"
    assert isinstance(payload["data"], list)
    missing = META_KEYS - set(payload["meta"])
    assert not missing, f"{stem}.json meta lacks {sorted(missing)}"
    assert {"vintage", "dataset_versions"} & set(payload["meta"]), "meta has no vintage"
    _, csv_response = _get(tab, page, stem.rsplit("/", 1)[-1] + ".csv")
    rows = _csv_rows(csv_response.text()) if payload["data"] else []
    assert len(rows) == len(payload["data"]), f"{stem}: CSV and JSON twins differ in rows"
    if kind in ("chapter", "indicator", "area"):
        assert payload["data"], f"{stem}.json has no data though the page has figures"


def test_pdf_links_are_pdfs(tab: Tab, site: SiteMap) -> None:
    """Every PDF linked from the main pages is served as application/pdf (none if not built)."""
    checked = 0
    for kind in ("home", "chapter", "area", "editions", "about"):
        page = site.page(kind)
        tab.open(page)
        for href in tab.page.locator("a[href$='.pdf']").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href'))"
        ):
            _, response = _get(tab, page, href)
            assert response.headers["content-type"].startswith("application/pdf"), href
            assert response.body()[:5] == b"%PDF-", f"{href} is not a PDF"
            checked += 1
    if not any(site.root.joinpath("downloads").rglob("*.pdf")):
        assert checked == 0, "PDF links point at PDFs that were not built"
