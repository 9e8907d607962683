"""``build_site``: the whole static site from a project and its store, one stage at a time.

The build reads like the story it tells (see :func:`build_site`): load the
context, plan the pages, make their figures, draw the charts as SVG, write
the HTML, the data twins, the search index and the feed, copy the assets,
print the PDFs, and keep the edition. Each stage is timed; ``progress`` is
told ``(stage, done, total)`` so the command line can draw bars.

The output is deterministic apart from the one ``generated`` time set at the
start of the build (footer, twins' ``meta``, feed, PDFs' date).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import Connection

from jsna.compute.findings import Finding, key_findings
from jsna.content.chapters import Chapter
from jsna.content.project_files import Project
from jsna.errors import JsnaError
from jsna.figures.context import FigureContext
from jsna.figures.model import Figure
from jsna.figures.svg import set_drawing_workers, to_svgs
from jsna.store.results import published_results

from . import changes, editions, feed, pdf, search
from .assets import copy_assets, logo_path
from .html import environment, figure_files, render_page
from .pages import (
    Page,
    about_page,
    area_pages,
    catalogue_page,
    chapter_pages,
    disclosure_words,
    fill,
    home_page,
    indicator_pages,
    published_chapters,
    within,
)
from .twins import figure_frame, frame_csv, frame_json, page_frame, twin_meta

__all__ = ["BuildSummary", "Progress", "build_site"]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``."""


@dataclass
class BuildSummary:
    """What a build made, how long each stage took, and where the site is."""

    out: Path
    pages: int = 0
    figures: int = 0
    svgs: int = 0
    pdfs: int = 0
    files: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    """Seconds per stage, in build order."""
    largest_chapter_kb: float = 0.0
    """Size of the largest chapter page's HTML (inline SVGs included), in kilobytes."""
    generated: datetime | None = None

    @property
    def total_seconds(self) -> float:
        """Seconds of the whole build."""
        return sum(self.seconds.values())


@dataclass
class _Site:
    """What every stage shares: the project, the context, the findings, the generated time."""

    project: Project
    ctx: FigureContext
    chapters: list[Chapter]
    findings: list[Finding]
    inside: frozenset[str]
    out: Path
    generated: datetime
    disclosure: list[str]
    env: Environment = field(default_factory=environment)
    search_index: dict[str, Any] = field(default_factory=dict)


def build_site(
    project: Project,
    connection: Connection,
    out: Path,
    *,
    pdf: bool = True,
    progress: Progress | None = None,
    workers: int | None = None,
) -> BuildSummary:
    """Build the static site of ``project`` from the store into ``out`` (made or refreshed)."""
    generated = datetime.now(UTC).replace(microsecond=0)
    summary = BuildSummary(out=out, generated=generated)
    report = progress or _silent
    stage = _Stages(summary, report)
    _prepare(out)
    # Charts are drawn on the cores the main thread leaves (at least one).
    drawer = _Drawer(max(1, _worker_count(workers) - 1), report)
    try:
        # 1. The context: project, store, published chapters and the key findings.
        with stage("context"):
            site = _load_context(project, connection, out, generated)
        # 2. Plan every page (paths, titles, templates, which figures each shows).
        with stage("pages"):
            pages = _plan_pages(site, pdf=pdf)
        # 3. Make every figure and headline from the published results, and start drawing
        #    each page's charts as SVG (shown with JavaScript off, in print and in PDFs).
        with stage("figures"):
            summary.figures = _make_figures(pages, drawer, report)
        # 4. Write the .json and .csv twins of every page (while the charts are drawn).
        with stage("twins"):
            _write_twins(site, pages)
        # 5. Write the HTML of every page, each figure's spec and its downloads: pages whose
        #    charts are drawn first, while the workers draw the others.
        with stage("html"):
            summary.largest_chapter_kb = _write_html(site, pages, drawer, report)
        # 6. Collect every chart (the last ones may still be being drawn).
        with stage("svgs"):
            svgs = drawer.finish()
            summary.svgs = len(svgs)
    finally:
        drawer.close()
    # 7. Write the search index the search page filters (made with the pages).
    with stage("search"):
        text = _escape_json_text(search.search_index_json(site.search_index))
        (out / "search-index.json").write_text(text + "\n", encoding="utf-8")
    # 8. Write the Atom feed of chapters and changed indicators.
    with stage("feed"):
        (out / "feed.xml").write_text(feed.feed_xml(project, pages, generated), encoding="utf-8")
    # 9. Copy the CSS, JavaScript, brand and vendor files.
    with stage("assets"):
        copy_assets(project, out)
    # 10. Print the PDFs: the whole JSNA, each chapter and each area profile.
    with stage("pdfs"):
        summary.pdfs = _render_pdfs(site, pages, workers, report) if pdf else 0
    # 11. Keep this edition in the archive and publish every kept edition.
    with stage("editions"):
        pages.append(_publish_editions(site, svgs))
    summary.pages = len(pages)
    summary.files = sum(1 for path in out.rglob("*") if path.is_file())
    return summary


# Stages -----------------------------------------------------------------------------------


def _silent(_stage: str, _done: int, _total: int) -> None:
    """No progress reporting."""


class _Stages:
    """Times each stage into the summary and reports its start and end."""

    def __init__(self, summary: BuildSummary, report: Progress):
        self.summary = summary
        self.report = report

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        self.report(name, 0, 1)
        yield
        self.summary.seconds[name] = round(time.perf_counter() - start, 3)
        self.report(name, 1, 1)


SITE_MARKER = ".jsna-site"
"""A file in every built site: a folder holding it may be emptied by the next build."""


def _prepare(out: Path) -> None:
    """An empty output folder: a previous build's files are removed, any other folder refused."""
    out.mkdir(parents=True, exist_ok=True)
    children = list(out.iterdir())
    if children and not (out / SITE_MARKER).is_file():
        raise JsnaError(
            f"{out} is not empty and is not a site built by jsna: choose another --out folder "
            "(jsna build empties it first)"
        )
    for child in children:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    (out / SITE_MARKER).write_text("Built by jsna build; emptied by the next build.\n")


def _load_context(
    project: Project, connection: Connection, out: Path, generated: datetime
) -> _Site:
    ctx = FigureContext(project, connection)
    inside = within(ctx)
    results = published_results(connection)
    outcome = key_findings(results, project.indicators, project.config, within=inside)
    return _Site(
        project=project,
        ctx=ctx,
        chapters=published_chapters(project.chapters),
        findings=list(outcome.findings),
        inside=inside,
        out=out,
        generated=generated,
        disclosure=disclosure_words(ctx),
    )


def _plan_pages(site: _Site, *, pdf: bool) -> list[Page]:
    """Every page in site order: home, chapters, indicators, areas, about, search, changes,
    bulletin (the search index covers the pages before it)."""
    ctx = site.ctx
    home = home_page(ctx, site.chapters, site.findings)
    if pdf:
        home.pdf = f"downloads/jsna-{site.project.config.publication.edition}.pdf"
    pages = [home]
    pages += chapter_pages(ctx, site.chapters, site.findings, site.inside, pdf=pdf)
    pages.append(catalogue_page(ctx))
    pages += indicator_pages(ctx, site.chapters)
    pages += area_pages(ctx, site.inside, pdf=pdf)
    pages.append(about_page(ctx))
    site.search_index = search.search_index(pages)
    pages.append(search.search_page(site.search_index))
    changed = changes.changes_page(ctx)
    pages.append(changed)
    pages.append(feed.bulletin_page(site.project, pages, changed))
    return pages


def _make_figures(pages: Sequence[Page], drawer: _Drawer, report: Progress) -> int:
    """Make every page's figures, handing each page's charts to ``drawer`` as soon as made."""
    total = len(pages)
    for done, page in enumerate(pages, start=1):
        try:
            fill(page)
        except JsnaError:
            raise
        except Exception as error:
            raise JsnaError(
                f"cannot make the figures of {page.path}: {type(error).__name__}: {error}. "
                "This is a fault in jsna, not in the project: run 'jsna --traceback build' "
                "and report the output"
            ) from error
        drawer.add(page)
        report("figures", done, total)
    return sum(len(page.figures) for page in pages)


def _spec_key(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)


class _Drawer:
    """Draws every chart as SVG once per distinct spec, while the figures are still being made.

    Each page's new charts are queued as soon as the page is made. vl-convert
    draws on its own JavaScript workers (one per build worker) and lets go of
    the GIL meanwhile, so drawing in threads overlaps making figures, writing
    twins and writing the pages whose charts are ready.
    """

    def __init__(self, workers: int, report: Progress):
        self.report = report
        set_drawing_workers(workers)
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="jsna-svg")
        self.jobs: dict[str, tuple[dict[str, Any], str]] = {}
        self.where: dict[tuple[str, str], str] = {}
        self.batch_of: dict[str, Future[list[str]]] = {}
        self.pending: dict[Future[list[str]], list[str]] = {}
        self.drawn: dict[str, str] = {}

    def add(self, page: Page) -> None:
        """Queue the charts of a made page (a chart drawn before is not drawn again)."""
        new: list[str] = []
        for item in page.figures:
            if isinstance(item, Figure) and item.spec is not None:
                key = _spec_key(item.spec) + "\0" + item.title
                if key not in self.jobs:
                    self.jobs[key] = (item.spec, item.title)
                    new.append(key)
                self.where[(page.path, item.id)] = key
        if new:
            future = self.pool.submit(to_svgs, [self.jobs[key] for key in new])
            self.pending[future] = new
            self.batch_of.update(dict.fromkeys(new, future))

    def ready(self, page: Page) -> bool:
        """Whether every chart of ``page`` is drawn (taking in the batches finished so far)."""
        for future in [f for f in self.pending if f.done()]:
            self._take(future)
        return all(self.where[place] in self.drawn for place in self._places(page))

    def page_svgs(self, page: Page) -> dict[tuple[str, str], str]:
        """(page path, figure id) -> SVG of one page's charts, waiting only for those."""
        places = self._places(page)
        for place in places:
            self._wait_for(self.where[place])
        return {place: self.drawn[self.where[place]] for place in places}

    def finish(self) -> dict[tuple[str, str], str]:
        """(page path, figure id) -> SVG, once every chart is drawn."""
        for key in self.jobs:
            self._wait_for(key)
        return {place: self.drawn[key] for place, key in self.where.items()}

    def close(self) -> None:
        """Stop drawing (batches not yet started are dropped)."""
        self.pool.shutdown(cancel_futures=True)

    def _places(self, page: Page) -> list[tuple[str, str]]:
        places = [(page.path, item.id) for item in page.figures if isinstance(item, Figure)]
        return [place for place in places if place in self.where]

    def _wait_for(self, key: str) -> None:
        if key not in self.drawn:
            self._take(self.batch_of[key])
            self.report("svgs", len(self.drawn), len(self.jobs))

    def _take(self, future: Future[list[str]]) -> None:
        keys = self.pending.pop(future)
        self.drawn.update(zip(keys, future.result(), strict=True))


def _draw_svgs(
    pages: Sequence[Page], workers: int | None, report: Progress
) -> dict[tuple[str, str], str]:
    """(page path, figure id) -> SVG of pages whose figures are made; identical specs drawn once."""
    drawer = _Drawer(_worker_count(workers), report)
    try:
        for page in pages:
            drawer.add(page)
        return drawer.finish()
    finally:
        drawer.close()


def _worker_count(workers: int | None) -> int:
    return max(1, min(workers or os.cpu_count() or 1, 8))


def _safe_json(value: Any) -> str:
    """JSON text with ``<``, ``>`` and ``&`` escaped (safe even if served as HTML)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_safe_json(value), encoding="utf-8")


def _escape_json_text(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _comparator_names(project: Project) -> dict[str, str]:
    return {c.id: c.name for c in project.config.comparators}


def _write_page(site: _Site, page: Page, svgs: dict[tuple[str, str], str]) -> int:
    """One page's HTML, its figures' specs and downloads; the HTML's size in bytes."""
    env = site.env
    out = site.out
    names = _comparator_names(site.project)
    html = render_page(
        env,
        page,
        site.project,
        svgs,
        generated=site.generated,
        logo=logo_path(site.project),
    )
    target = out / page.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    for item in page.figures:
        if not isinstance(item, Figure):
            continue
        files = figure_files(page, item.id)
        frame = figure_frame(item)
        (out / files.csv).parent.mkdir(parents=True, exist_ok=True)
        (out / files.csv).write_text(frame_csv(frame, names), encoding="utf-8")
        meta = _meta(site, item.title, files.json, frame)
        (out / files.json).write_text(_escape_json_text(frame_json(frame, meta)), encoding="utf-8")
        if item.spec is not None:
            _write_json(out / files.spec, item.spec)
            svg = svgs.get((page.path, item.id))
            if svg:
                (out / files.svg).write_text(svg, encoding="utf-8")
    return len(html.encode("utf-8"))


def _write_html(site: _Site, pages: Sequence[Page], drawer: _Drawer, report: Progress) -> float:
    """Write every page, those whose charts are drawn first; the largest chapter page in KB."""
    largest = 0
    waiting = list(pages)
    while waiting:
        ready = [page for page in waiting if drawer.ready(page)] or waiting[:1]
        for page in ready:
            size = _write_page(site, page, drawer.page_svgs(page))
            if page.kind == "chapter":
                largest = max(largest, size)
        written = {id(page) for page in ready}
        waiting = [page for page in waiting if id(page) not in written]
        report("html", len(pages) - len(waiting), len(pages))
    return round(largest / 1024, 1)


def _meta(site: _Site, title: str, path: str, frame: Any) -> dict[str, Any]:
    base = site.project.config.publication.base_url
    url = f"{base.rstrip('/')}/{path}" if base else path
    return twin_meta(
        site.project,
        title=title,
        url=url,
        generated=site.generated,
        frame=frame,
        disclosure=site.disclosure,
    )


def _write_twin(site: _Site, page: Page) -> None:
    frame = page_frame(page.figures)
    meta = _meta(site, page.title, page.path, frame)
    (site.out / page.stem).parent.mkdir(parents=True, exist_ok=True)
    (site.out / f"{page.stem}.json").write_text(
        _escape_json_text(frame_json(frame, meta)), encoding="utf-8"
    )
    (site.out / f"{page.stem}.csv").write_text(
        frame_csv(frame, _comparator_names(site.project)), encoding="utf-8"
    )


def _write_twins(site: _Site, pages: Sequence[Page]) -> None:
    for page in pages:
        _write_twin(site, page)


def _render_pdfs(site: _Site, pages: Sequence[Page], workers: int | None, report: Progress) -> int:
    jobs = pdf.pdf_jobs(pages, site.out, site.project, built=site.generated.date())
    return len(pdf.render_pdfs(jobs, workers, progress=report))


def _publish_editions(site: _Site, svgs: dict[tuple[str, str], str]) -> Page:
    """Archive this edition, copy every kept edition under ``editions/``, write that page."""
    editions.archive_edition(site.project, site.out)
    page = editions.publish_editions(site.project, site.out)
    fill(page)
    _write_page(site, page, svgs)
    _write_twin(site, page)
    return page
