"""PDFs of the site: one per chapter, one per area profile, and the whole JSNA, by WeasyPrint.

A PDF is printed from the same HTML pages the site serves, so it shows the
same figures, words and tables. For each :class:`PdfJob` a worker

1. reads the ``<main>`` of every page of the job, in order (a chapter split
   into pages, or the home page and every chapter for the whole JSNA);
2. joins them into one print document (``templates/pdf/document.html``):
   a cover (the whole JSNA) or a masthead (a chapter, an area profile), a
   contents list, the pages, then the sources and the build date. One
   document, not one per page, so page numbers ("Page N of M") run through
   the whole PDF and the contents can point at sections with CSS
   ``target-counter``;
3. lays it out with ``static/print.css`` (A4, margin boxes, no navigation,
   data tables shown, charts as the inline vector SVG the page already holds)
   and writes the PDF with fixed metadata (title, author = organisation,
   created = build date), so the same site gives the same bytes.

Element ids of each page (those inside its inline SVGs too, with every
``#id``, ``url(#id)`` and ``aria-labelledby`` pointing at them) are prefixed
with the page's number, so pages joined into one document never share an id
(the same figure may be on two chapters). Links to other pages of the site become links to
the public site when ``publication.base_url`` is set, and plain text
otherwise (a relative link means nothing inside a PDF).

:func:`render_pdfs` runs the jobs in a process pool: each worker imports
WeasyPrint once (about 1.5 s) and then renders many jobs, the biggest first
so the workers finish together. On the Trafford example (CPU seconds, one
process): the whole JSNA (174 pages) 35 s, the 12 chapters 40 s together
(3.3 s each on average, 7.3 s at most), the 79 area profiles 54 s (0.7 s each); inline SVG (maps
above all), table layout and text shaping take most of it.

Workers are spawned, not forked (the building process runs threads, such as
vl-convert's JavaScript engine), so a script that renders PDFs must guard its
entry point with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

import jinja2
from markupsafe import Markup

from jsna import __version__
from jsna.errors import JsnaError

if TYPE_CHECKING:
    from jsna.content.project_files import Project

    from .pages import Page

__all__ = ["PdfJob", "PdfPart", "SourceNote", "pdf_jobs", "render_pdfs"]

PRINT_CSS = Path(__file__).parent / "static" / "print.css"
"""The print stylesheet: linked by every HTML page (``media="print"``) and used for PDFs."""

JobKind = Literal["jsna", "chapter", "area"]


@dataclass(frozen=True)
class PdfPart:
    """One HTML page of the site printed as a section of a PDF."""

    html_path: Path
    """The built page (``out/chapters/population/index.html``)."""
    page_path: str
    """Its site-relative path (``chapters/population/index.html``), for resolving links."""
    title: str
    """Its title in the PDF's contents list."""
    new_page: bool = True
    """Start the section on a new sheet (False for the later parts of a split chapter)."""


@dataclass(frozen=True)
class SourceNote:
    """A data source named in a PDF's "Sources" section (its address printed in full)."""

    title: str
    publisher: str
    licence: str
    url: str | None = None


@dataclass(frozen=True)
class PdfJob:
    """What one PDF is made of and where it goes; plain data, so it can go to a worker process."""

    parts: tuple[PdfPart, ...]
    out_path: Path
    base_url: Path
    """Root folder of the built site (relative image addresses resolve against it)."""
    kind: JobKind
    title: str
    """Title of this PDF: the JSNA's title, a chapter's or an area's."""
    jsna_title: str
    organisation: str
    edition: str
    created: date
    """Build date: the PDF's creation date and the date printed on it."""
    licence: str = ""
    contact_email: str = ""
    public_url: str = ""
    """``publication.base_url``: links to other pages point there (none when empty)."""
    primary_colour: str = "#1d70b8"
    logo: Path | None = None
    sources: tuple[SourceNote, ...] = ()
    footer: str = ""

    @property
    def html_paths(self) -> list[Path]:
        """The pages printed, in order."""
        return [part.html_path for part in self.parts]

    @property
    def weight(self) -> int:
        """Bytes of HTML to lay out: a cost estimate used to start the biggest jobs first."""
        return sum(p.html_path.stat().st_size for p in self.parts if p.html_path.exists())


# Planning the jobs --------------------------------------------------------------------------


def pdf_jobs(
    pages: Sequence[Page], out: Path, project: Project, *, built: date | None = None
) -> list[PdfJob]:
    """The PDFs of a built site: the whole JSNA, one per chapter and one per area profile.

    ``pages`` are the site's pages in site order (chapter pages by chapter
    order, a split chapter's index first); ``out`` is the built site, whose
    HTML files must exist when the jobs are rendered.
    """
    built = built or date.today()
    config = project.config
    common: dict[str, Any] = {
        "base_url": out,
        "jsna_title": config.title,
        "organisation": config.branding.organisation,
        "edition": config.publication.edition,
        "created": built,
        "licence": config.publication.licence,
        "contact_email": config.publication.contact_email,
        "public_url": config.publication.base_url,
        "primary_colour": config.branding.primary_colour,
        "logo": project.root / config.branding.logo if config.branding.logo else None,
        "footer": config.branding.footer,
    }
    chapters = _chapters(pages)
    jobs = [_whole_jsna(pages, chapters, out, project, common)]
    for chapter_id, chapter_pages in chapters.items():
        parts = tuple(
            PdfPart(out / p.path, p.path, _part_title(p), new_page=i == 0)
            for i, p in enumerate(chapter_pages)
        )
        jobs.append(
            PdfJob(
                parts=parts,
                out_path=out / "downloads" / "chapters" / f"{chapter_id}.pdf",
                kind="chapter",
                title=_chapter_title(chapter_pages[0]),
                sources=_sources(chapter_pages, project),
                **common,
            )
        )
    for page in pages:
        if page.kind == "area":
            target = page.pdf or "downloads/" + page.path.removesuffix(".html") + ".pdf"
            jobs.append(
                PdfJob(
                    parts=(PdfPart(out / page.path, page.path, page.title),),
                    out_path=out / target,
                    kind="area",
                    title=page.title,
                    sources=_sources([page], project),
                    **common,
                )
            )
    return jobs


def _chapters(pages: Iterable[Page]) -> dict[str, list[Page]]:
    """Chapter id -> its pages (index first), in the order the chapters come."""
    chapters: dict[str, list[Page]] = {}
    for page in pages:
        if page.kind == "chapter":
            chapter_id = PurePosixPath(page.path).parts[1]
            chapters.setdefault(chapter_id, []).append(page)
    for chapter_pages in chapters.values():
        chapter_pages.sort(key=lambda p: not p.path.endswith("/index.html"))
    return chapters


def _chapter_title(page: Page) -> str:
    chapter = page.context.get("chapter")
    return str(chapter["title"]) if isinstance(chapter, dict) and "title" in chapter else page.title


def _part_title(page: Page) -> str:
    return str(page.context.get("part_title") or _chapter_title(page))


def _whole_jsna(
    pages: Sequence[Page],
    chapters: dict[str, list[Page]],
    out: Path,
    project: Project,
    common: dict[str, Any],
) -> PdfJob:
    """Cover, contents, the home page's summary and overview, then every chapter in order."""
    config = project.config
    parts = [
        PdfPart(out / p.path, p.path, "Summary and overview of place")
        for p in pages
        if p.kind == "home"
    ]
    printed: list[Page] = [p for p in pages if p.kind == "home"]
    for chapter_pages in chapters.values():
        for i, page in enumerate(chapter_pages):
            parts.append(PdfPart(out / page.path, page.path, _chapter_title(page), i == 0))
            printed.append(page)
    return PdfJob(
        parts=tuple(parts),
        out_path=out / "downloads" / f"jsna-{config.publication.edition}.pdf",
        kind="jsna",
        title=config.title,
        sources=_sources(printed, project),
        **common,
    )


def _sources(pages: Iterable[Page], project: Project) -> tuple[SourceNote, ...]:
    """The declared sources behind every figure and headline of ``pages``, by title."""
    indicator_ids: set[str] = set()
    for page in pages:
        for item in page.figures:
            indicator_ids.update(getattr(item, "indicators", ()) or ())
            single = getattr(item, "indicator_id", None)
            if single:
                indicator_ids.add(single)
    source_ids = {project.indicators[i].source for i in indicator_ids if i in project.indicators}
    notes = [
        SourceNote(s.title, s.publisher, s.licence, s.url)
        for s in (project.sources.get(i) for i in source_ids)
        if s is not None
    ]
    return tuple(sorted(set(notes), key=lambda s: (s.title.lower(), s.url or "")))


# Rendering --------------------------------------------------------------------------------


def render_pdfs(
    jobs: Sequence[PdfJob],
    workers: int | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Path]:
    """Render every job (in a pool of ``workers`` processes, default the CPU count).

    Returns the written PDF paths in the order of ``jobs``. ``progress`` is
    called as ``progress("pdfs", done, total)`` after each PDF.
    """
    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].weight)
    if workers == 1:
        for done, i in enumerate(order, start=1):
            render_pdf(jobs[i])
            if progress is not None:
                progress("pdfs", done, len(jobs))
        return [job.out_path for job in jobs]
    # spawn, not fork: the building process runs threads (vl-convert's JavaScript engine).
    with ProcessPoolExecutor(workers, get_context("spawn"), initializer=_start_worker) as pool:
        futures = [pool.submit(render_pdf, jobs[i]) for i in order]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                future.result()
                if progress is not None:
                    progress("pdfs", done, len(jobs))
        except BaseException:
            pool.shutdown(cancel_futures=True)  # one failure stops the build: no waiting
            raise
    return [job.out_path for job in jobs]


def _start_worker() -> None:
    """Import WeasyPrint once per worker process, before the first job arrives."""
    import weasyprint  # noqa: F401


def render_pdf(job: PdfJob) -> Path:
    """Write one PDF (in this process) and return its path."""
    import weasyprint

    try:
        document = print_document(job)
        rendered = weasyprint.HTML(
            string=document, base_url=job.base_url.resolve().as_uri() + "/"
        ).render()
        job.out_path.parent.mkdir(parents=True, exist_ok=True)
        rendered.write_pdf(job.out_path, pdf_identifier=_identifier(job))
    except (OSError, ValueError) as error:
        raise JsnaError(f"could not write the PDF {job.out_path}: {error}") from error
    return job.out_path


def _identifier(job: PdfJob) -> bytes:
    """A PDF file identifier fixed by what the PDF is (not by the time it was written)."""
    return f"jsna {job.edition} {job.kind} {job.out_path.name} {job.created}".encode()


# The print document -----------------------------------------------------------------------

_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_SVG = re.compile(r"(<svg\b.*?</svg>)", re.DOTALL | re.IGNORECASE)
_SCREEN_ONLY = re.compile(r"<(script|nav)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_ID = re.compile(r'(\sid=")([^"]+)(")')
_FRAGMENT = re.compile(r'(\s(?:xlink:)?href="#|url\(#)([^")]*)')
_ID_LIST = re.compile(r'(\saria-(?:labelledby|describedby)=")([^"]*)(")')
_LINK = re.compile(r'\shref="(?!#|https?:|mailto:)([^"]*)"')
_SRC = re.compile(r'(\ssrc=")(?!https?:|data:|file:)([^"]*)(")')
_HEADING = re.compile(r'<h2\b[^>]*\sid="([^"]+)"[^>]*>(.*?)</h2>', re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class _Section:
    """A printed part: its anchor, its HTML and the headings the contents list points at."""

    anchor: str
    title: str
    html: Markup
    new_page: bool
    headings: tuple[tuple[str, str], ...] = field(default=())


def page_content(text: str) -> str:
    """The printable content of a page: inside ``<main>`` (or ``<body>``), without scripts and
    navigation (a PDF has its own contents list)."""
    match = _MAIN.search(text) or _BODY.search(text)
    return _SCREEN_ONLY.sub("", match.group(1) if match else text)


def _outside_svg(text: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the HTML around inline SVGs, leaving the SVGs as they are."""
    chunks = _SVG.split(text)
    return "".join(chunk if i % 2 else change(chunk) for i, chunk in enumerate(chunks))


def _section(job: PdfJob, index: int, part: PdfPart) -> _Section:
    """Read one page and make its content safe to join: unique ids, links that work in a PDF."""
    prefix = f"p{index}-"
    page_url = (job.base_url / part.page_path).resolve().as_uri()
    public = job.public_url.rstrip("/") + "/" + part.page_path if job.public_url else ""

    def link(match: re.Match[str]) -> str:
        if public:
            return f' href="{html.escape(urljoin(public, html.unescape(match.group(1))))}"'
        return f' data-jsna-href="{match.group(1)}"'  # kept for print.css, not a link

    def addresses(chunk: str) -> str:
        chunk = _LINK.sub(link, chunk)
        return _SRC.sub(lambda m: m.group(1) + urljoin(page_url, m.group(2)) + m.group(3), chunk)

    content = page_content(part.html_path.read_text(encoding="utf-8"))
    content = _outside_svg(_unique_ids(content, prefix), addresses)
    headings = tuple(
        (anchor, html.unescape(_TAG.sub("", title)).strip())
        for anchor, title in _HEADING.findall(content)
    )
    return _Section(f"part-{index}", part.title, Markup(content), part.new_page, headings)


def _unique_ids(content: str, prefix: str) -> str:
    """Prefix every id of a page (SVGs' too) and every reference to one (``#id``, ``url(#id)``,
    ``aria-labelledby``), so pages joined into one document never share an id."""
    content = _ID.sub(lambda m: m.group(1) + prefix + m.group(2) + m.group(3), content)
    content = _FRAGMENT.sub(lambda m: m.group(1) + prefix + m.group(2), content)
    return _ID_LIST.sub(
        lambda m: m.group(1) + " ".join(prefix + i for i in m.group(2).split()) + m.group(3),
        content,
    )


def _css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return Markup('"' + " ".join(escaped.split()) + '"')


_ENVIRONMENT: jinja2.Environment | None = None


def _templates() -> jinja2.Environment:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = jinja2.Environment(
            loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        _ENVIRONMENT.filters["css_string"] = _css_string
    return _ENVIRONMENT


def print_document(job: PdfJob) -> str:
    """The one HTML document a PDF is laid out from (cover, contents, pages, sources)."""
    sections = [_section(job, i, part) for i, part in enumerate(job.parts, start=1)]
    if job.kind == "jsna":
        contents = [(s.anchor, s.title, ()) for s in sections if s.new_page]
    elif job.kind == "chapter":
        contents = [(s.anchor, s.title, s.headings) for s in sections]
        if len(sections) == 1:  # one page: its own sections are the contents
            contents = [(anchor, title, ()) for anchor, title in sections[0].headings]
    else:
        contents = []
    return (
        _templates()
        .get_template("pdf/document.html")
        .render(
            job=job,
            sections=sections,
            contents=contents,
            stylesheet=PRINT_CSS.resolve().as_uri(),
            logo=job.logo.resolve().as_uri() if job.logo and job.logo.exists() else None,
            running=f"{job.jsna_title} · {job.edition}",
            version=__version__,
            date_text=_long_date(job.created),
        )
    )


def _long_date(day: date) -> str:
    """``26 November 2026``."""
    return f"{day.day} {day:%B %Y}"
