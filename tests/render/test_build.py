"""The whole Trafford site, built once per run: pages, figures, twins, links, structure, weight.

Every check reads the files a reader would get (``tests/render/site.py``
builds them), and compares numbers with the store's published results.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from jsna.content.chapters import (
    AnalysisBlock,
    AreaSelectorBlock,
    ChartBlock,
    FindingsBlock,
    IndicatorBlock,
    MapBlock,
    TableBlock,
)
from jsna.content.project_files import Project, load_project
from jsna.store.areas import areas_within
from jsna.store.engine import connect
from jsna.store.results import published_results
from tests.render.site import prepared_store

pytestmark = pytest.mark.slow

KEYS = [
    "indicator_id",
    "area_code",
    "area_type",
    "period",
    "sex",
    "age",
    "breakdown_type",
    "breakdown",
]
NUMBERS = ["value", "lower_95", "upper_95", "numerator", "denominator"]
MAX_CHAPTER_KB = 500


class Scan(HTMLParser):
    """What the checks need from one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[int] = []
        self.tags: dict[str, int] = {}
        self.lang: str | None = None
        self.tables = 0
        self.captions = 0
        self.header_cells_without_scope = 0
        self.svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "svg":
            self.svg_depth += 1
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "html":
            self.lang = found.get("lang")
        for name in ("href", "src", "data-spec"):
            if found.get(name):
                self.links.append(str(found[name]))
        if re.fullmatch(r"h[1-6]", tag) and not self.svg_depth:
            self.headings.append(int(tag[1]))
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "th" and "scope" not in found:
            self.header_cells_without_scope += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg_depth -= 1


@cache
def scan(path: Path) -> Scan:
    parser = Scan()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(trafford_site_dir: Path) -> Path:
    return trafford_site_dir


@pytest.fixture(scope="module")
def project() -> Project:
    folder, _ = prepared_store()
    return load_project(folder)


@pytest.fixture(scope="module")
def results() -> Iterator[pd.DataFrame]:
    folder, store = prepared_store()
    engine = connect(folder, f"sqlite:///{store}")
    with engine.connect() as connection:
        yield published_results(connection)
    engine.dispose()


def html_pages(site: Path) -> list[Path]:
    """Every HTML page of the current edition (kept editions are checked by their own tests)."""
    return sorted(
        p for p in site.rglob("*.html") if "editions" not in p.relative_to(site).parts[:1]
    )


def test_every_published_chapter_has_its_pages_and_one_item_per_block(
    site: Path, project: Project
) -> None:
    for chapter in project.chapters:
        folder = site / "chapters" / chapter.id
        if chapter.meta.status == "draft":
            assert not folder.exists()
            continue
        html = "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html")))
        assert (folder / "index.html").is_file()
        blocks = [placed.block for placed in chapter.blocks]
        figures = sum(isinstance(b, ChartBlock | MapBlock | TableBlock) for b in blocks)
        headlines = sum(isinstance(b, IndicatorBlock) for b in blocks)
        findings = sum(isinstance(b, FindingsBlock) for b in blocks)
        selectors = sum(isinstance(b, AreaSelectorBlock) for b in blocks)
        analyses = sum(isinstance(b, AnalysisBlock) for b in blocks)  # one figure or more each
        drawn = html.count('<figure class="jsna-figure"')
        assert drawn == figures if not analyses else drawn >= figures + analyses, chapter.id
        assert html.count('<div class="jsna-headline"') == headlines, chapter.id
        assert html.count("jsna-findings") + html.count("No key findings") >= findings
        assert html.count('class="govuk-form-group jsna-area-selector"') == selectors
        assert "<!--jsna-block" not in html
        assert ("In review" in html) == (chapter.meta.status == "review")


def test_every_chart_has_an_inline_svg_a_spec_and_downloads(site: Path) -> None:
    page = site / "chapters" / "population" / "index.html"
    pages = [page, *sorted(page.parent.glob("*-*.html"))]
    charts = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'<div class="jsna-chart" data-spec="([^"]+)">\s*<svg', text):
            charts += 1
            spec = json.loads((path.parent / match.group(1)).read_text())
            assert spec["$schema"].endswith("/v6.json")
    assert charts >= 3


def test_every_page_has_json_and_csv_twins(site: Path) -> None:
    pages = html_pages(site)
    assert len(pages) > 100
    for page in pages:
        twin = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        assert set(twin) == {"data", "meta"}, page
        assert {"title", "url", "edition", "generated", "licence", "geography"} <= set(twin["meta"])
        assert {"dataset_versions", "disclosure"} <= set(twin["meta"])
        csv = pd.read_csv(page.with_suffix(".csv"), keep_default_na=False)
        assert len(csv) == len(twin["data"]), page


def _twin_frames(site: Path) -> Iterator[tuple[Path, pd.DataFrame]]:
    for page in html_pages(site):
        data = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))["data"]
        if data:
            yield page, pd.DataFrame(data)


def _published_match(frame: pd.DataFrame, published: pd.DataFrame) -> pd.Series:
    """For each twin row: whether a published row with the same keys has the same numbers.

    Keys a figure's data leave blank (a spine row has no sex or age) are not
    matched on; the row then matches when any of the published rows agrees.
    """
    keys = [k for k in KEYS if k in frame.columns and frame[k].notna().all()]
    left = frame.reset_index(names="row")
    for column in keys:
        left[column] = left[column].astype(str)
    merged = left.merge(published, on=keys, suffixes=("", "_published"))
    same = pd.Series(True, index=merged.index)
    for column in ("value", "lower_95", "upper_95"):
        if column not in left.columns:
            continue
        ours = pd.to_numeric(merged[column], errors="coerce").to_numpy(float)
        theirs = pd.to_numeric(merged[f"{column}_published"], errors="coerce").to_numpy(float)
        same &= np.isclose(ours, theirs, rtol=1e-9, equal_nan=True)
    return same.groupby(merged["row"]).any().reindex(left["row"], fill_value=False)


def test_twin_numbers_equal_published_results(site: Path, results: pd.DataFrame) -> None:
    wanted = [
        site / "index.html",
        site / "chapters" / "population" / "index.html",
        *sorted((site / "chapters" / "long-term-conditions").glob("*.html")),
        site / "indicators" / "population_65_plus.html",
        site / "indicators" / "bad_health.html",
        site / "indicators" / "dementia_qof.html",
        *sorted((site / "areas" / "ward23").glob("E*.html"))[:2],
    ]
    published = results.copy()
    for column in KEYS:
        published[column] = published[column].fillna("").astype(str)
    matched = 0
    for page in wanted:
        frame = pd.DataFrame(json.loads(page.with_suffix(".json").read_text())["data"])
        if frame.empty or not {"indicator_id", "area_code", "period", "value"} <= set(frame):
            continue
        frame = frame.dropna(subset=["indicator_id", "area_code", "value"])
        for column in KEYS:
            if column in frame.columns:
                frame[column] = frame[column].where(frame[column].isna(), frame[column].astype(str))
        for figure, rows in frame.groupby("figure"):
            agree = _published_match(rows, published)
            assert agree.all(), (page.relative_to(site), figure, rows[~agree.to_numpy()].head())
            matched += len(rows)
    assert matched > 100


def test_no_suppressed_figure_is_published_in_any_twin(site: Path) -> None:
    seen = 0
    for page, frame in _twin_frames(site):
        if "suppressed" not in frame.columns:
            continue
        hidden = frame[frame["suppressed"].astype(str).str.lower() == "true"]
        seen += len(hidden)
        for column in ("value", "lower_95", "upper_95", "numerator"):
            if column in hidden.columns:
                assert hidden[column].isna().all(), (page, column)
    csvs = [
        pd.read_csv(p.with_suffix(".csv"), dtype=str, keep_default_na=False)
        for p in html_pages(site)
    ]
    for csv in csvs:
        if "Suppressed" in csv.columns and "Value" in csv.columns:
            assert (csv.loc[csv["Suppressed"] == "True", "Value"] == "").all()
    print(f"{seen} suppressed rows in the twins, all blank")


def _local(link: str) -> bool:
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc and not link.startswith("//")


def test_every_internal_link_resolves(site: Path) -> None:
    broken = []
    for page in html_pages(site):
        parsed = scan(page)
        for link in parsed.links:
            if not _local(link):
                continue
            parts = urlsplit(link)
            if not parts.path:
                if parts.fragment and parts.fragment not in parsed.ids:
                    broken.append((page, link))
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_relative_to(site.resolve()) or not target.exists():
                broken.append((page.relative_to(site), link))
    assert broken == []


def test_every_page_is_structurally_sound(site: Path) -> None:
    for page in html_pages(site):
        parsed = scan(page)
        assert parsed.lang == "en", page
        assert parsed.tags.get("h1") == 1, page
        assert parsed.tags.get("main") == 1, page
        assert "main-content" in parsed.ids
        assert parsed.captions == parsed.tables, page
        assert parsed.header_cells_without_scope == 0, page
        pairs = zip(parsed.headings, parsed.headings[1:], strict=False)
        assert parsed.headings[0] == 1, page
        assert [(a, b) for a, b in pairs if b > a + 1] == [], (page, parsed.headings)


def test_no_gds_transport_font_and_no_crown(site: Path) -> None:
    for page in html_pages(site)[:20]:
        text = page.read_text(encoding="utf-8")
        assert "govuk-header__logotype" not in text
        assert "govuk-footer__crown" not in text
    assert "--jsna-primary" in (site / "assets" / "brand.css").read_text()


def test_chapter_pages_weigh_under_500_kb_before_chart_data(site: Path) -> None:
    sizes = {}
    for page in sorted((site / "chapters").rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        charts = sum(len(m) for m in re.findall(r"<svg\b.*?</svg>", text, re.S))
        sizes[page.relative_to(site)] = (len(text.encode()) - charts) / 1024
    largest = max(sizes.values())
    print(f"largest chapter page without inline SVG: {largest:.0f} KB")
    assert largest < MAX_CHAPTER_KB


def test_area_profiles_only_for_profile_types_and_areas_inside(
    site: Path, project: Project
) -> None:
    folder, store = prepared_store()
    engine = connect(folder, f"sqlite:///{store}")
    with engine.connect() as connection:
        inside = areas_within(connection, project.config.area.code, project.config.area.area_type)
        members = connection.exec_driver_sql(
            "SELECT c.code, p.code FROM area_membership m JOIN area c ON c.id = m.child_id "
            "JOIN area p ON p.id = m.parent_id WHERE c.area_type = 'gp_practice'"
        ).fetchall()
    engine.dispose()
    # GP practices are inside through their practice locality.
    practices = {child for child, parent in members if parent in inside}
    types = {p.name for p in (site / "areas").iterdir() if p.is_dir()}
    assert types == set(project.config.publication.profiles)
    for area_type in types:
        codes = {p.stem for p in (site / "areas" / area_type).glob("*.html")} - {"index"}
        assert codes, area_type
        assert codes <= (practices if area_type == "gp_practice" else inside), area_type
    assert len({p.stem for p in (site / "areas" / "ward23").glob("E05*.html")}) == 21
    assert len({p.stem for p in (site / "areas" / "gp_practice").glob("*.html")} - {"index"}) == 26


def test_about_page_lists_every_source_with_its_licence(site: Path, project: Project) -> None:
    text = (site / "about.html").read_text(encoding="utf-8")
    for source in project.sources.values():
        assert escape(source.title) in text
        assert escape(source.licence) in text
    assert project.config.publication.contact_email in text


def test_home_page_has_findings_overview_and_every_chapter(site: Path, project: Project) -> None:
    text = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="key-findings"' in text
    assert text.count('<li id="finding-') >= 3
    assert "jsna-headline" in text
    assert 'data-kind="spine"' in text
    for chapter in project.chapters:
        if chapter.meta.status != "draft":
            assert f'href="chapters/{chapter.id}/index.html"' in text
