"""PDFs (jsna.render.pdf): planned from the site's pages, printed from its HTML, checked as text.

Two kinds of test:

- fast ones print a tiny site written here in the page contract's markup
  (GOV.UK classes, ``<figure class="jsna-figure">`` with inline SVG and the
  data table in ``<details>``), with the Trafford project's settings;
- slow ones read the PDFs of the real Trafford site built once per session
  (``tests/render/site.py``).

PDFs are read with poppler (``pdftotext``, ``pdfinfo``, ``pdffonts``,
``pdftoppm``), as a reader's tools would.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from datetime import date
from html import escape
from pathlib import Path

import pytest

from jsna.content.project_files import Project, load_project
from jsna.render.pages import Page
from jsna.render.pdf import PdfJob, page_content, pdf_jobs, print_document, render_pdfs
from tests.paths import ROOT
from tests.render.site import built_site

BUILT = date(2026, 11, 26)
TRAFFORD = ROOT / "examples" / "trafford"


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text in reading order (``-layout`` keeps contents lines whole)."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    command = ["pdftotext", "-layout", *pages, str(path), "-"]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in out.stdout.splitlines())
    }


def page_count(path: Path) -> int:
    return int(pdfinfo(path)["Pages"])


# A tiny site in the page contract's markup ------------------------------------------------

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200" viewBox="0 0 640 200" '
    'role="img" aria-labelledby="{id}-title"><title id="{id}-title">{title}</title>'
    '<defs><clipPath id="{id}-clip"><rect width="640" height="200"/></clipPath></defs>'
    '<g clip-path="url(#{id}-clip)"><rect x="10" y="20" width="420" height="60" fill="#1d70b8"/>'
    '<rect x="10" y="110" width="300" height="60" fill="#f47738"/>'
    '<text x="440" y="55" font-size="14">Trafford chart label</text></g></svg>'
)


def figure(fid: str, title: str, rows: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{a}</th>'
        f'<td class="govuk-table__cell govuk-table__cell--numeric">{v}</td>'
        f'<td class="govuk-table__cell">{c}</td></tr>'
        for a, v, c in rows
    )
    return f"""
<figure class="jsna-figure" id="{fid}" data-kind="compare">
  <figcaption><h3 class="govuk-heading-s">{escape(title)}</h3></figcaption>
  <p class="govuk-body jsna-summary">Bad health is highest in Ward 1.</p>
  <div class="jsna-chart" data-spec="specs/x/{fid}.json">{SVG.format(id=fid, title=escape(title))}</div>
  <details class="govuk-details"><summary class="govuk-details__summary">
    <span class="govuk-details__summary-text">Show the data table</span></summary>
    <div class="govuk-details__text"><table class="govuk-table">
      <caption class="govuk-table__caption">{escape(title)}</caption>
      <thead class="govuk-table__head"><tr class="govuk-table__row">
        <th scope="col" class="govuk-table__header">Area</th>
        <th scope="col" class="govuk-table__header govuk-table__header--numeric">Value</th>
        <th scope="col" class="govuk-table__header">Compared with England</th></tr></thead>
      <tbody class="govuk-table__body">{body}</tbody></table></div></details>
  <p class="govuk-body-s jsna-downloads">Download the data: <a href="../../data/x.csv">CSV</a></p>
</figure>"""


def html_page(title: str, content: str, root: str) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{root}assets/print.css" media="print"></head>
<body class="govuk-template__body">
<a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<header class="govuk-header">Trafford Council</header>
<nav class="govuk-service-navigation"><a href="{root}search.html">Search</a></nav>
<div class="govuk-width-container">
<nav class="govuk-breadcrumbs"><a href="{root}index.html">Home</a></nav>
<main class="govuk-main-wrapper" id="main-content">
<h1 class="govuk-heading-xl">{escape(title)}</h1>
{content}
</main></div>
<footer class="govuk-footer">Footer text</footer>
<script src="{root}assets/jsna.js"></script>
</body></html>"""


def ward_rows(count: int) -> list[tuple[str, str, str]]:
    return [(f"Ward {i}", f"{4.5 + i / 10:.1f}%", "similar") for i in range(1, count + 1)]


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(TRAFFORD)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Page]]:
    """Home, a chapter split into two pages, a one-page chapter and an area profile."""
    out = tmp_path_factory.mktemp("site")
    chapter = {"title": "Population & people", "id": "population"}
    specs = [
        Page("index.html", "home", "Trafford JSNA", "home.html"),
        Page(
            "chapters/population/index.html",
            "chapter",
            "Population & people",
            "chapter.html",
            context={"chapter": chapter, "part_title": ""},
            pdf="downloads/chapters/population.pdf",
        ),
        Page(
            "chapters/population/1-age.html",
            "chapter",
            "Age: Population & people",
            "chapter.html",
            context={"chapter": chapter, "part_title": "Age"},
        ),
        Page(
            "chapters/deprivation/index.html",
            "chapter",
            "Deprivation",
            "chapter.html",
            context={"chapter": {"title": "Deprivation", "id": "deprivation"}, "part_title": ""},
            pdf="downloads/chapters/deprivation.pdf",
        ),
        Page(
            "areas/ward23/E05000001.html",
            "area",
            "Altrincham (Ward (2023))",
            "area.html",
            pdf="downloads/areas/ward23/E05000001.pdf",
        ),
    ]
    contents = {
        "index.html": '<p class="govuk-body">Trafford at a glance: 235,000 people.</p>'
        + figure("spine", "Trafford compared with England", ward_rows(3)),
        "chapters/population/index.html": '<h2 class="govuk-heading-l" id="who-lives-here">'
        'Who lives here</h2><p class="govuk-body">See <a href="../deprivation/index.html">'
        'deprivation</a> and <a href="#who-lives-here">above</a>.</p>'
        + figure("compare-bad_health-ward23", "Bad health by ward", ward_rows(40)),
        "chapters/population/1-age.html": '<h2 class="govuk-heading-l" id="older-people">'
        'Older people</h2><p class="govuk-body">Older people text.</p>'
        + figure("compare-bad_health-ward23", "Over 65s by ward", ward_rows(5)),
        "chapters/deprivation/index.html": '<p class="govuk-body">IMD 2025 text.</p>',
        "areas/ward23/E05000001.html": '<p class="govuk-body">Altrincham profile.</p>'
        + figure("spine-ward", "Altrincham compared with Trafford", ward_rows(4)),
    }
    for page in specs:
        target = out / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        title = page.context.get("part_title") or page.title
        target.write_text(html_page(title, contents[page.path], page.root), encoding="utf-8")
    return out, specs


@pytest.fixture(scope="module")
def jobs(site: tuple[Path, list[Page]], project: Project) -> list[PdfJob]:
    out, pages = site
    return pdf_jobs(pages, out, project, built=BUILT)


@pytest.fixture(scope="module")
def rendered(jobs: list[PdfJob]) -> list[Path]:
    return render_pdfs(jobs, workers=1)


def by_name(paths: list[Path], name: str) -> Path:
    (found,) = [p for p in paths if p.name == name]
    return found


# Planning ---------------------------------------------------------------------------------


def test_jobs_are_the_whole_jsna_each_chapter_and_each_area_profile(
    jobs: list[PdfJob], site: tuple[Path, list[Page]]
) -> None:
    out, _ = site
    assert [j.out_path.relative_to(out).as_posix() for j in jobs] == [
        "downloads/jsna-2025.pdf",
        "downloads/chapters/population.pdf",
        "downloads/chapters/deprivation.pdf",
        "downloads/areas/ward23/E05000001.pdf",
    ]
    whole, population, _, area = jobs
    assert [p.page_path for p in whole.parts] == [
        "index.html",
        "chapters/population/index.html",
        "chapters/population/1-age.html",
        "chapters/deprivation/index.html",
    ]
    assert [p.new_page for p in whole.parts] == [True, True, False, True]
    assert population.html_paths == [
        out / "chapters/population/index.html",
        out / "chapters/population/1-age.html",
    ]
    assert (population.kind, population.title) == ("chapter", "Population & people")
    assert (area.kind, area.organisation, area.created) == ("area", "Trafford Council", BUILT)


def test_the_print_document_keeps_the_content_and_drops_screen_furniture(
    jobs: list[PdfJob],
) -> None:
    document = print_document(jobs[1])
    assert "Skip to main content" not in document
    assert "govuk-service-navigation" not in document
    assert "<script" not in document
    # ids (SVGs' too) are unique once pages are joined; links and references follow them.
    assert document.count('id="p1-compare-bad_health-ward23"') == 1
    assert document.count('id="p2-compare-bad_health-ward23"') == 1
    assert 'href="#p1-who-lives-here"' in document
    assert 'clip-path="url(#p2-compare-bad_health-ward23-clip)"' in document
    assert 'aria-labelledby="p2-compare-bad_health-ward23-title"' in document
    # a link to another page means nothing in a PDF without a public address.
    assert 'data-jsna-href="../deprivation/index.html"' in document
    assert "Population &amp; people" in document


def test_links_point_at_the_public_site_when_it_has_an_address(jobs: list[PdfJob]) -> None:
    job = replace(jobs[1], public_url="https://jsna.example.org/2025/")
    document = print_document(job)
    assert 'href="https://jsna.example.org/2025/chapters/deprivation/index.html"' in document


def test_page_content_is_main_or_body() -> None:
    assert page_content("<body><p>x</p><script>y</script></body>") == "<p>x</p>"
    assert page_content("<body><nav>n</nav><main id=m><p>z</p></main></body>") == "<p>z</p>"


# Rendering --------------------------------------------------------------------------------


def test_a_chapter_pdf_has_its_title_figures_tables_and_page_numbers(rendered: list[Path]) -> None:
    text = pdftotext(by_name(rendered, "population.pdf"))
    assert "Population & people" in text
    assert "Page 1 of" in text
    assert "Trafford chart label" in text  # the inline SVG is drawn as vector text
    assert "Ward 40" in text
    assert "8.5%" in text
    assert "Over 65s by ward" in text  # the chapter's second page follows
    for screen_only in ("Show the data table", "Skip to main content", "Download the data"):
        assert screen_only not in text
    assert "Sources and notes" in text
    assert "Built on 26 November 2026" in text


def test_charts_are_vector_drawings_not_pictures(rendered: list[Path]) -> None:
    path = by_name(rendered, "population.pdf")
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert listing.splitlines()[2:] == []  # no raster image: the SVG is drawn as paths and text
    assert "Trafford chart label" in pdftotext(path)


def test_long_tables_repeat_their_header_row(rendered: list[Path]) -> None:
    path = by_name(rendered, "population.pdf")
    pages = [pdftotext(path, n, n) for n in range(1, page_count(path) + 1)]
    with_rows = [p for p in pages if re.search(r"Ward \d+\s+\d", p)]
    assert len(with_rows) >= 2
    assert all("Compared with England" in p for p in with_rows)


def contents_entries(text: str) -> dict[str, int]:
    """Contents lines ``Title ........ 3`` -> {title: 3}."""
    return {
        m.group(1).strip(): int(m.group(2))
        for m in re.finditer(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", text, re.MULTILINE)
    }


def test_the_whole_jsna_has_a_cover_and_contents_pointing_at_the_right_pages(
    rendered: list[Path],
) -> None:
    path = by_name(rendered, "jsna-2025.pdf")
    cover = " ".join(pdftotext(path, 1, 1).split())
    assert "Trafford Joint Strategic Needs Assessment" in cover
    assert "Edition 2025" in cover
    assert "Trafford Council" in cover
    assert "Page 1 of" not in cover  # no header or footer on the cover
    entries = contents_entries(pdftotext(path, 2, 2))
    assert set(entries) >= {"Population & people", "Deprivation", "Sources and notes"}
    for title in ("Population & people", "Deprivation", "Sources and notes"):
        assert title in pdftotext(path, entries[title], entries[title]), title
    assert f"Page {entries['Deprivation']} of {page_count(path)}" in pdftotext(
        path, entries["Deprivation"], entries["Deprivation"]
    )


def test_an_area_profile_names_the_area(rendered: list[Path]) -> None:
    text = pdftotext(by_name(rendered, "E05000001.pdf"))
    assert "Altrincham" in text
    assert "Area profile" in text
    assert "Page 1 of 1" in text or "Page 1 of 2" in text


def test_metadata_is_fixed_and_fonts_are_embedded(
    rendered: list[Path], jobs: list[PdfJob], tmp_path: Path
) -> None:
    path = by_name(rendered, "population.pdf")
    info = pdfinfo(path)
    assert info["Title"].startswith("Population & people")
    assert info["Author"] == "Trafford Council"
    assert "2026" in info["CreationDate"]
    assert "Nov" in info["CreationDate"]
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    assert all(" yes " in row for row in rows), fonts.stdout
    # the same job gives the same bytes
    again = tmp_path / path.name
    render_pdfs([replace(jobs[1], out_path=again)], workers=1)
    assert again.read_bytes() == path.read_bytes()


def test_the_first_page_draws(rendered: list[Path], tmp_path: Path) -> None:
    path = by_name(rendered, "population.pdf")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    (png,) = tmp_path.glob("p*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_text_is_escaped_everywhere(site: tuple[Path, list[Page]], project: Project) -> None:
    out, pages = site
    hostile = 'Evil "</style><script>alert(1)</script>'
    job = pdf_jobs(pages, out, project, built=BUILT)[1]
    document = print_document(replace(job, title=hostile, jsna_title=hostile))
    assert "<script>alert" not in document
    assert "&lt;/style&gt;" in document  # in HTML text
    assert '\\"\\3c /style>' in document  # in the running header's CSS string


def test_jobs_render_in_parallel_workers(jobs: list[PdfJob], tmp_path: Path) -> None:
    moved = [replace(j, out_path=tmp_path / f"{i}-{j.out_path.name}") for i, j in enumerate(jobs)]
    calls: list[tuple[str, int, int]] = []
    paths = render_pdfs(moved, workers=2, progress=lambda *call: calls.append(call))
    assert paths == [j.out_path for j in moved]
    assert calls == [("pdfs", done, len(moved)) for done in range(1, len(moved) + 1)]
    assert all(page_count(p) >= 1 for p in paths)


def test_weasyprint_reports_no_css_or_resource_problem(
    jobs: list[PdfJob], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="weasyprint"):
        render_pdfs([replace(jobs[0], out_path=tmp_path / "whole.pdf")], workers=1)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_a_missing_page_is_a_jsna_error_naming_the_pdf(jobs: list[PdfJob], tmp_path: Path) -> None:
    from jsna.errors import JsnaError

    broken = replace(jobs[3], parts=(replace(jobs[3].parts[0], html_path=tmp_path / "gone.html"),))
    with pytest.raises(JsnaError, match=r"could not write the PDF .*E05000001\.pdf"):
        render_pdfs([broken, jobs[2]], workers=2)


# The real Trafford site (built once per session) ------------------------------------------


@pytest.fixture(scope="module")
def trafford_site() -> Path:
    return built_site()


def number_of(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.split()[0]))


@pytest.mark.slow
def test_trafford_chapter_pdf_shows_a_key_figure_of_its_page(trafford_site: Path) -> None:
    chapters = sorted((trafford_site / "chapters").glob("*/index.html"))
    assert chapters
    checked = 0
    for page in chapters:
        html = page.read_text(encoding="utf-8")
        found = re.search(r'class="jsna-headline__number">([^<]+)<', html)
        if not found:
            continue
        shown = found.group(1).strip()
        if not re.match(r"[\d.,\-]+", shown):
            continue
        twin = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        values = [row.get("value") for row in twin["data"] if row.get("value") is not None]
        decimals = len(shown.split()[0].rstrip("%").partition(".")[2])
        target = number_of(shown)
        assert any(abs(float(v) - target) <= 0.51 * 10**-decimals for v in values), shown
        pdf = trafford_site / "downloads" / "chapters" / f"{page.parent.name}.pdf"
        text = pdftotext(pdf)
        title = re.search(r"<h1[^>]*>([^<]+)</h1>", html)
        assert title
        assert " ".join(title.group(1).split()) in " ".join(text.split())
        assert shown in text
        assert "Page 1 of" in text
        checked += 1
    assert checked >= 1


@pytest.mark.slow
def test_trafford_whole_jsna_lists_every_chapter_with_page_numbers(trafford_site: Path) -> None:
    (whole,) = (trafford_site / "downloads").glob("jsna-*.pdf")
    pages = page_count(whole)
    text = pdftotext(whole, 2, 4)
    entries = contents_entries(text)
    chapters = sorted((trafford_site / "chapters").glob("*/index.html"))
    for page in chapters:
        title = re.search(r"<h1[^>]*>([^<]+)</h1>", page.read_text(encoding="utf-8"))
        assert title
        name = " ".join(title.group(1).split())
        assert name in entries, name
        assert 2 < entries[name] <= pages
    assert 10 < pages < 2000


@pytest.mark.slow
def test_trafford_area_profiles_name_their_area(trafford_site: Path) -> None:
    pdfs = sorted((trafford_site / "downloads" / "areas").glob("*/*.pdf"))
    pages = [p for p in (trafford_site / "areas").glob("*/*.html") if p.name != "index.html"]
    assert pdfs
    assert len(pdfs) == len(pages)
    sample = pdfs[0]
    html = (trafford_site / "areas" / sample.parent.name / f"{sample.stem}.html").read_text()
    name = re.search(r"<h1[^>]*>([^<]+)</h1>", html)
    assert name
    assert name.group(1).strip() in pdftotext(sample)
    fonts = subprocess.run(["pdffonts", str(sample)], check=True, capture_output=True, text=True)
    assert all(" yes " in row for row in fonts.stdout.splitlines()[2:])
    assert 1 <= page_count(sample) < 40
