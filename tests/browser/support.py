"""What the browser tests share: the Chromium launch, a local server, the site's pages, axe.

The site under test is the Trafford example built once per test run by
``tests/render/site.py`` (``built_site()``); ``JSNA_RENDER_SITE`` may name an
already built site folder instead (handy when working on the tests themselves).

The browser is Debian's Chromium (``/usr/bin/chromium``, or ``JSNA_CHROMIUM``)
driven by the Python Playwright package: Playwright's own browser downloads are
never used, so the launch names the executable and the flags a headless
Chromium needs in a container.

Nothing here imports ``jsna``: the tests look at the site as a visitor would,
through its files (for the map of pages and links) and through the browser.
"""

from __future__ import annotations

import functools
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response

from tests.paths import ROOT

CHROMIUM = Path(os.environ.get("JSNA_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHART_TIMEOUT_MS = 30_000
"""How long every chart of a page may take to become an interactive vega-embed view."""

PAGE_KINDS = (
    "home",
    "chapter",
    "indicator",
    "catalogue",
    "areas",
    "area",
    "search",
    "changes",
    "editions",
    "about",
    "bulletin",
)


# --- serving the site -------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files from the site folder without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port in a background thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Serve the web ``app`` with uvicorn on 127.0.0.1 at a free port in a background thread;
    yield the base URL (no trailing slash)."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="app-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# --- reading pages as files ---------------------------------------------------------------


@dataclass
class ParsedPage:
    """What the static checks need from one HTML file (SVG content is ignored)."""

    title: str = ""
    h1: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """Every ``href`` of ``a``/``link`` and ``src`` of ``script``/``img``, as written."""
    ids: set[str] = field(default_factory=set)
    rels: dict[str, str] = field(default_factory=dict)
    """``rel`` (``next``, ``prev``) -> ``href`` of the page's first ``a`` with that rel."""


class _PageParser(HTMLParser):
    """Collects the document title, the h1 headings, links and ids of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._svg_depth = 0
        self._in_title = False
        self._h1: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.page.ids.add(str(values["id"]))
        if values.get("name") and tag == "a":
            self.page.ids.add(str(values["name"]))
        if tag == "svg":
            self._svg_depth += 1
        if self._svg_depth:
            return
        if tag == "title" and not self.page.title:
            self._in_title = True
        elif tag == "h1":
            self._h1 = []
        elif tag in ("a", "link") and values.get("href"):
            self.page.links.append(str(values["href"]))
            if tag == "a":
                for rel in str(values.get("rel") or "").split():
                    self.page.rels.setdefault(rel, str(values["href"]))
        elif tag in ("script", "img") and values.get("src"):
            self.page.links.append(str(values["src"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth = max(0, self._svg_depth - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "h1" and self._h1 is not None:
            self.page.h1.append(squash("".join(self._h1)))
            self._h1 = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page.title += data
        if self._h1 is not None and not self._svg_depth:
            self._h1.append(data)


def squash(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


SVG = re.compile(r"<svg\b.*?</svg>", re.S)
"""Inline charts (never nested): skipped before parsing, which is then several times faster."""


@functools.cache
def parse_page(path: Path) -> ParsedPage:
    """Parse one HTML file of the site (cached: pages do not change during a run)."""
    parser = _PageParser()
    parser.feed(SVG.sub("<svg></svg>", path.read_text(encoding="utf-8")))
    parser.close()
    parser.page.title = squash(parser.page.title)
    return parser.page


def is_internal(link: str) -> bool:
    """A relative link into the site (not another scheme, not protocol-relative, not absolute)."""
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc and not link.startswith("/")


def resolve(page: str, link: str) -> tuple[str, str]:
    """The site-relative file a relative ``link`` on ``page`` points at, and its fragment."""
    parts = urlsplit(link)
    target = unquote(parts.path)
    if not target:
        return page, parts.fragment
    joined = PurePosixPath(page).parent / target
    normal: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not normal:
                return "../" + target, parts.fragment  # escapes the site root
            normal.pop()
        elif part != ".":
            normal.append(part)
    path = "/".join(normal)
    if target.endswith("/") or not path:
        path = f"{path}/index.html".lstrip("/")
    return path, parts.fragment


# --- the site's pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class SiteMap:
    """Where each kind of page of a built site is (site-relative paths)."""

    root: Path

    def exists(self, path: str) -> bool:
        return (self.root / path).is_file()

    def html_pages(self, *, editions: bool = False) -> list[str]:
        """Every HTML page of the site, without the archived editions' copies unless asked."""
        pages = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))
        if editions:
            return pages
        return [p for p in pages if not re.match(r"editions/[^/]+/", p)]

    def links_on(self, page: str, pattern: str) -> list[str]:
        """Site-relative targets of the links on ``page`` whose target matches ``pattern``."""
        seen: dict[str, None] = {}
        for link in parse_page(self.root / page).links:
            if is_internal(link):
                target, _ = resolve(page, link)
                if re.fullmatch(pattern, target):
                    seen.setdefault(target, None)
        return list(seen)

    @functools.cached_property
    def chapters(self) -> list[str]:
        """The chapters' first pages, in the order the home page lists them."""
        return self.links_on("index.html", r"chapters/[^/]+/index\.html")

    @functools.cached_property
    def chapter_pages(self) -> list[str]:
        """Every chapter page (first pages and the pages long chapters are split into)."""
        return [p for p in self.html_pages() if p.startswith("chapters/")]

    @functools.cached_property
    def chapter_with_figures(self) -> str:
        """The first chapter page with figures (a long chapter's first page is its contents)."""
        for chapter in self.chapters:
            folder = chapter.removesuffix("index.html")
            pages = [chapter] + [p for p in self.chapter_pages if p.startswith(folder)]
            for page in pages:
                if 'class="jsna-figure"' in (self.root / page).read_text("utf-8"):
                    return page
        raise AssertionError("no chapter page has a figure")

    @functools.cached_property
    def indicators(self) -> list[str]:
        return self.links_on("indicators/index.html", r"indicators/(?!index\.html)[^/]+\.html")

    @functools.cached_property
    def area_types(self) -> list[str]:
        return self.links_on("areas/index.html", r"areas/[^/]+/index\.html")

    def profiles(self, area_type_index: str) -> list[str]:
        """The area profile pages listed on one area type's index page."""
        folder = area_type_index.rsplit("/", 1)[0]
        return self.links_on(area_type_index, rf"{re.escape(folder)}/(?!index\.html)[^/]+\.html")

    @functools.cached_property
    def ward_profiles(self) -> list[str]:
        """Profiles of the first area type whose name says ward (else the first area type)."""
        wards = [t for t in self.area_types if "ward" in t] or self.area_types
        return self.profiles(wards[0]) if wards else []

    def page(self, kind: str) -> str:
        """One page of the given kind (see :data:`PAGE_KINDS`); a chapter page with figures."""
        fixed = {
            "home": "index.html",
            "catalogue": "indicators/index.html",
            "areas": "areas/index.html",
            "search": "search.html",
            "changes": "changes.html",
            "editions": "editions/index.html",
            "about": "about.html",
            "bulletin": "bulletin.html",
        }
        if kind in fixed:
            return fixed[kind]
        if kind == "chapter":
            return self.chapter_with_figures
        listed = {"indicator": self.indicators, "area": self.ward_profiles}
        pages = listed[kind]
        assert pages, f"the site lists no {kind} page"
        return pages[0]

    def pages_with(self, needle: str) -> list[str]:
        """Main-site pages whose HTML contains ``needle``, smallest file first."""
        hits = [p for p in self.html_pages() if needle in (self.root / p).read_text("utf-8")]
        return sorted(hits, key=lambda p: (self.root / p).stat().st_size)


# --- in the browser -----------------------------------------------------------------------


@dataclass
class Tab:
    """A browser page on the served site, with what went wrong on it while it was open."""

    page: Page
    base: str
    errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def path(self) -> str:
        """The site-relative path of the current page (``index.html`` for the root)."""
        path = urlsplit(self.page.url).path.lstrip("/")
        return path if path and not path.endswith("/") else path + "index.html"

    def open(self, path: str) -> Response:
        """Go to a site page and check that it was served."""
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, f"{path}: no response"
        assert response.status == 200, f"{path}: HTTP {response.status}"
        return response

    def watch(self) -> None:
        """Record script errors, console errors, jsna.js's warnings and failed requests.

        A failed request is recorded once, with its URL, from the response (the
        console's own "Failed to load resource" line does not say which); the
        browser's automatic favicon request is no page's doing.
        """
        self.page.on("pageerror", self._on_error)
        self.page.on("console", self._on_console)
        self.page.on("response", self._on_response)

    def _on_error(self, error: Exception) -> None:
        self.errors.append(f"script error: {error}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console error: {message.text}")
        elif message.type == "warning" and message.text.startswith("jsna:"):
            self.errors.append(f"console warning: {message.text}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"HTTP {response.status}: {response.url}")


SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
NOSCRIPT = re.compile(r"</?noscript\b[^>]*>", re.I)


def open_without_scripts(tab: Tab, root: Path, path: str) -> None:
    """Open a page as a reader without JavaScript sees it, in a tab where scripts still run.

    axe needs timers, which a context with JavaScript disabled never fires; so the
    page is served with its script elements removed and its ``noscript`` content
    shown, which is what a browser without scripts renders.
    """
    html = NOSCRIPT.sub("", SCRIPT.sub("", (root / path).read_text("utf-8")))
    url = tab.url(path)
    tab.page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    tab.open(path)


CHARTS_READY = """
() => [...document.querySelectorAll('.jsna-chart[data-spec]')].every((chart) => {
  const embed = chart.matches('.vega-embed') ? chart : chart.querySelector('.vega-embed');
  return embed !== null && embed.closest('[hidden]') === null
    && embed.querySelector('svg, canvas') !== null;
})
"""

CHARTS_NOT_READY = """
() => [...document.querySelectorAll('.jsna-chart[data-spec]')].filter((chart) => {
  const embed = chart.matches('.vega-embed') ? chart : chart.querySelector('.vega-embed');
  return embed === null || embed.closest('[hidden]') !== null
    || embed.querySelector('svg, canvas') === null;
}).map((chart) => chart.closest('figure')?.id || chart.dataset.spec)
"""


def wait_for_charts(tab: Tab, timeout: int = CHART_TIMEOUT_MS) -> None:
    """Wait until every chart of the page is a vega-embed view; fail naming those that are not."""
    try:
        tab.page.wait_for_function(CHARTS_READY, timeout=timeout)
    except Exception as error:  # Playwright's TimeoutError: say which charts never rendered
        stuck = tab.page.evaluate(CHARTS_NOT_READY)
        raise AssertionError(
            f"{tab.path()}: charts not interactive after {timeout} ms: {stuck}; "
            f"errors: {tab.errors}"
        ) from error


def axe_violations(
    page: Page, impacts: tuple[str, ...] = ("serious", "critical"), within: str | None = None
) -> list[Any]:
    """Run axe-core on the page (or only the elements matching ``within``).

    Returns the violations of the given impacts, as axe reports them.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """([tags, within]) => axe.run(
             within ? {include: [[within]]} : document, {runOnly: {type: 'tag', values: tags}})""",
        [AXE_TAGS, within],
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def assert_accessible(page: Page, where: str, within: str | None = None) -> None:
    """Fail, listing each rule, its help and the offending nodes, on serious/critical findings."""
    violations = axe_violations(page, within=within)
    if violations:
        pytest.fail(describe_violations(where, violations))


def describe_violations(where: str, violations: list[Any]) -> str:
    """One readable block per violation: rule, impact, help, and the offending nodes."""
    lines = [f"{where}: {len(violations)} serious/critical axe violation(s)"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {node['target']}: {squash(node.get('failureSummary') or '')}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


FOCUS_STYLE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const transparent = (c) => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    && !transparent(style.outlineColor);
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    id: el.id,
    inNav: el.closest('nav, [role=navigation]') !== null,
    visible: outline || style.boxShadow !== 'none',
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    boxShadow: style.boxShadow,
  };
}
"""
