"""HTML of the site: the Jinja environment, its filters, and one function per thing drawn.

Autoescape is on for every template: text from chapters, indicator YAML and
the store is always escaped. Only three kinds of markup are marked safe:
Markdown rendered with raw HTML disabled (:mod:`jsna.render.markdown`),
figures rendered by our own partials, and SVG made by vl-convert from our
specs, which is checked to hold no script, no ``foreignObject`` and no event
handler attribute (:func:`safe_svg`) before it is inlined.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from jsna import __version__
from jsna.content.project_files import Project
from jsna.figures.model import Figure, Headline

from .markdown import MARKER
from .pages import AreaChoice, FindingsList, Page

__all__ = [
    "TEMPLATES",
    "FigureFiles",
    "environment",
    "figure_files",
    "render_item",
    "render_page",
    "safe_svg",
]

TEMPLATES = Path(__file__).parent / "templates"

_UNSAFE_TAGS = frozenset({"script", "foreignobject", "iframe", "object", "embed"})

NAVIGATION = (
    ("home", "Home", "index.html"),
    ("catalogue", "Indicators", "indicators/index.html"),
    ("areas", "Area profiles", "areas/index.html"),
    ("search", "Search", "search.html"),
    ("changes", "What changed", "changes.html"),
    ("about", "About", "about.html"),
)
"""Service navigation: (page kind it marks current, label, site-relative path)."""

_CURRENT = {"chapter": "home", "indicator": "catalogue", "area": "areas", "bulletin": "changes"}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def safe_svg(svg: str) -> Markup:
    """SVG text to inline, or an empty string when it holds anything that could run.

    The SVG is parsed as XML: a script, foreignObject, iframe, object or embed
    element, an ``on...`` event attribute, or a ``javascript:`` link makes it
    unsafe (as does SVG that does not parse).
    """
    if not svg:
        return Markup("")
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:
        return Markup("")
    for element in root.iter():
        if _local(str(element.tag)) in _UNSAFE_TAGS:
            return Markup("")
        for name, value in element.attrib.items():
            local = _local(name)
            if local.startswith("on") or (
                local == "href" and value.strip().lower().startswith("javascript:")
            ):
                return Markup("")
    return Markup(svg)


def _long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def safe_url(value: str | None) -> str:
    """An outside address to link to: http(s) or mailto only, else ``#`` (never ``javascript:``)."""
    text = (value or "").strip()
    return text if text.lower().startswith(_SAFE_SCHEMES) else "#"


def _json_script(value: Any) -> Markup:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def environment() -> Environment:
    """The Jinja environment of the site's templates (autoescape on, undefined is an error)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = _long_date
    env.filters["json_script"] = _json_script
    env.filters["safe_url"] = safe_url
    env.globals["version"] = __version__
    env.globals["navigation"] = NAVIGATION
    return env


@dataclass(frozen=True)
class FigureFiles:
    """Where a figure's spec and downloads are written, site-relative."""

    spec: str
    csv: str
    json: str
    svg: str


def figure_files(page: Page, figure_id: str) -> FigureFiles:
    """``specs/<page-stem>/<id>.json`` and ``data/<page-stem>/<id>.{csv,json,svg}``."""
    stem = page.stem
    return FigureFiles(
        spec=f"specs/{stem}/{figure_id}.json",
        csv=f"data/{stem}/{figure_id}.csv",
        json=f"data/{stem}/{figure_id}.json",
        svg=f"data/{stem}/{figure_id}.svg",
    )


def _area_codes(figure: Figure) -> dict[str, str]:
    """Area name -> code of a figure's rows (table rows carry the code for highlighting)."""
    data = figure.data
    if data is None or not {"area_code", "area_name"} <= set(data.columns):
        return {}
    pairs = data[["area_name", "area_code"]].dropna().drop_duplicates("area_name")
    return dict(zip(pairs["area_name"].astype(str), pairs["area_code"].astype(str), strict=True))


def render_item(
    env: Environment,
    page: Page,
    item: Any,
    svgs: dict[tuple[str, str], str],
    level: int = 2,
) -> Markup:
    """One slot item (figure, headline, findings, area selector) as HTML."""
    context = {"page": page, "root": page.root, "level": max(2, min(6, level))}
    if isinstance(item, Figure):
        svg = svgs.get((page.path, item.id), "")
        files = figure_files(page, item.id)
        template = env.get_template("_figure.html")
        return Markup(
            template.render(
                context,
                figure=item,
                svg=safe_svg(svg),
                files=files,
                has_svg=bool(svg),
                codes=_area_codes(item),
            )
        )
    if isinstance(item, Headline):
        return Markup(env.get_template("_headline.html").render(context, headline=item))
    if isinstance(item, FindingsList):
        return Markup(env.get_template("_findings.html").render(context, findings=item.findings))
    if isinstance(item, AreaChoice):
        return Markup(env.get_template("_area_selector.html").render(context, choice=item))
    return Markup("")


def _body(env: Environment, page: Page, svgs: dict[tuple[str, str], str]) -> Markup | None:
    """A chapter page's Markdown HTML with each block marker replaced by its figure."""
    rendered = page.context.get("body")
    if rendered is None:
        return None

    def replace(match: re.Match[str]) -> str:
        line = int(match.group(1))
        items = page.slots.get(f"block-{line}", [])
        level = rendered.levels.get(line, 2)
        return "".join(str(render_item(env, page, item, svgs, level)) for item in items)

    return Markup(MARKER.sub(replace, rendered.html))


def render_page(
    env: Environment,
    page: Page,
    project: Project,
    svgs: dict[tuple[str, str], str],
    *,
    generated: datetime,
    pages_by_kind: dict[str, list[Page]] | None = None,
    logo: str | None = None,
) -> str:
    """The full HTML of ``page``."""

    def item(thing: Any, level: int = 2) -> Markup:
        return render_item(env, page, thing, svgs, level)

    template = env.get_template(page.template)
    return template.render(
        page.context,
        page=page,
        root=page.root,
        project=project,
        config=project.config,
        slots=page.slots,
        item=item,
        body_html=_body(env, page, svgs),
        generated=generated,
        current=_CURRENT.get(page.kind, page.kind),
        twin=page.stem.rsplit("/", 1)[-1],
        pages_by_kind=pages_by_kind or {},
        logo=logo,
    )
