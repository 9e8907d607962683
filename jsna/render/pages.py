"""The pages of the site: what each page is, where it lives and which figures it shows.

A :class:`Page` is planned before anything is drawn: its path, kind, title,
template and template context, and a list of :class:`Request` objects, each
a named slot of the page and a function that builds the figures for it. The
build then makes every requested figure once (``fill``), so the page's
``figures`` are exactly what the HTML and its ``.json``/``.csv`` twins show.

The planners here make the pages of the core site:

- ``index.html``: title, summary, key findings, overview of place, chapters;
- ``chapters/<id>/index.html`` (and ``<n>-<slug>.html`` parts of long chapters);
- ``indicators/index.html`` (the catalogue) and ``indicators/<id>.html``;
- ``areas/index.html``, ``areas/<type>/index.html`` and ``areas/<type>/<code>.html``;
- ``about.html``.

Search, changes, feed, bulletin and editions pages come from their own modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from jsna.compute.findings import Finding
from jsna.content.chapters import (
    AnalysisBlock,
    AreaSelectorBlock,
    Chapter,
    ChartBlock,
    FindingsBlock,
    IndicatorBlock,
    MapBlock,
    PlacedBlock,
    TableBlock,
)
from jsna.figures import blocks
from jsna.figures.context import FigureContext
from jsna.figures.model import Figure, Headline
from jsna.store.areas import areas_within
from jsna.store.schema import area, area_membership

from .markdown import Part, render_part, slugify, split_chapter

__all__ = [
    "AreaChoice",
    "FindingsList",
    "Page",
    "Request",
    "about_page",
    "area_pages",
    "catalogue_page",
    "chapter_pages",
    "fill",
    "home_page",
    "indicator_pages",
    "published_chapters",
    "within",
]

Item = Any
"""What a slot holds: a Figure, a Headline, a FindingsList or an AreaChoice."""

SPLIT_BLOCKS = 12
SPLIT_MAPS = 2
"""A chapter with more blocks than SPLIT_BLOCKS, or more maps than SPLIT_MAPS (maps weigh most),
is split at its ``## `` headings into pages."""

HOME_HEADLINES = 6
"""At most this many headline figures in the home page's overview of place."""

COMPARATOR_TYPES = frozenset({"country", "region"})
"""Area types that only hold comparators: no compare chart of their own on indicator pages."""


@dataclass(frozen=True)
class FindingsList:
    """Key findings shown by a ``findings`` block (or on the home page)."""

    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class AreaChoice:
    """An ``area_selector`` block: the areas a reader may pick (code, name)."""

    area_type: str
    label: str
    areas: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Request:
    """A slot of a page and how to make what it shows."""

    slot: str
    make: Callable[[], list[Item]]


@dataclass
class Page:
    """One HTML page of the site (and its twins)."""

    path: str
    """Site-relative path, e.g. ``chapters/population/index.html``."""
    kind: str
    """home, chapter, indicator, catalogue, areas, area, search, changes, editions, bulletin
    or about."""
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    """What the template receives (besides ``page``, ``root``, ``project`` and ``slots``)."""
    figures: list[Figure | Headline] = field(default_factory=list)
    """Every figure and headline shown, in page order (the twins' rows come from these)."""
    summary: str = ""
    """One or two sentences, for search and feeds."""
    topics: tuple[str, ...] = ()
    updated: date | None = None
    pdf: str | None = None
    """Site-relative path of the page's PDF, when it has one."""
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    """(label, site-relative path) of the pages above this one, home first."""
    requests: list[Request] = field(default_factory=list)
    slots: dict[str, list[Item]] = field(default_factory=dict)
    """Filled by :func:`fill`: slot name -> what it shows."""

    @property
    def root(self) -> str:
        """Relative prefix from this page to the site root (``""``, ``"../"``, ``"../../"``)."""
        return "../" * self.path.count("/")

    @property
    def stem(self) -> str:
        """The path without ``.html`` (twins are ``stem + ".json"`` and ``stem + ".csv"``)."""
        return self.path.removesuffix(".html")

    def href(self, target: str) -> str:
        """A relative link from this page to the site-relative ``target``."""
        return self.root + target


def fill(page: Page) -> None:
    """Make every requested figure of ``page``; ids made unique on the page."""
    seen: dict[str, int] = {}
    for request in page.requests:
        items = []
        for item in request.make():
            if isinstance(item, Figure):
                count = seen.get(item.id, 0) + 1
                seen[item.id] = count
                item = item if count == 1 else replace(item, id=f"{item.id}-{count}")
            items.append(item)
            if isinstance(item, Figure | Headline):
                page.figures.append(item)
        page.slots[request.slot] = items
    page.requests = []


# Building blocks --------------------------------------------------------------------------


def _maker(
    ctx: FigureContext, placed: PlacedBlock, findings: Sequence[Finding], inside: frozenset[str]
) -> Request:
    """The request for one ``jsna`` block of a chapter, in slot ``block-<line>``."""
    block = placed.block
    slot = f"block-{placed.line}"

    def make() -> list[Item]:
        if isinstance(block, IndicatorBlock):
            return [blocks.headline(ctx, block)]
        if isinstance(block, ChartBlock | MapBlock | TableBlock | AnalysisBlock):
            return list(blocks.figures_for_block(ctx, block))
        if isinstance(block, FindingsBlock):
            wanted = set(block.indicators)
            chosen = [f for f in findings if not wanted or f.indicator_id in wanted]
            return [FindingsList(tuple(chosen[: block.limit]))]
        if isinstance(block, AreaSelectorBlock):
            return [_area_choice(ctx, block.area_type, inside)]
        return []

    return Request(slot, make)


def _area_choice(ctx: FigureContext, area_type: str, inside: frozenset[str]) -> AreaChoice:
    names = dict(_areas_of(ctx, area_type, inside))
    label = ctx.area_type_names.get(area_type, area_type)
    return AreaChoice(area_type, label, tuple(sorted(names.items(), key=lambda kv: kv[1])))


def within(ctx: FigureContext) -> frozenset[str]:
    """Codes of the areas inside (or overlapping) the JSNA area."""
    config = ctx.project.config
    return areas_within(ctx.connection, config.area.code, config.area.area_type)


def _areas_of(ctx: FigureContext, area_type: str, inside: frozenset[str]) -> list[tuple[str, str]]:
    """(code, name) of the areas of ``area_type`` inside the JSNA area, by name.

    Areas outside the store's geography of the local authority (GP practices)
    count as inside when they are members of an area that is inside (their
    practice locality).
    """
    rows = ctx.connection.execute(
        select(area.c.code, area.c.name).where(area.c.area_type == area_type)
    ).fetchall()
    chosen = [(c, n) for c, n in rows if c in inside]
    if not chosen:
        parent, child = aliased(area), aliased(area)
        query = (
            select(child.c.code, child.c.name, parent.c.code)
            .join(area_membership, area_membership.c.child_id == child.c.id)
            .join(parent, parent.c.id == area_membership.c.parent_id)
            .where(
                child.c.area_type == area_type,
                parent.c.area_type != ctx.project.config.area.area_type,
            )
        )
        found = ctx.connection.execute(query).fetchall()
        chosen = list({(c, n) for c, n, up in found if up in inside})
    return sorted(chosen, key=lambda row: (row[1], row[0]))


def published_chapters(chapters: Iterable[Chapter]) -> list[Chapter]:
    """Chapters to publish, in order: drafts are left out."""
    return sorted((c for c in chapters if c.meta.status != "draft"), key=lambda c: c.order)


# Home -------------------------------------------------------------------------------------


def home_page(ctx: FigureContext, chapters: Sequence[Chapter], findings: Sequence[Finding]) -> Page:
    """``index.html``: summary, key findings, overview of place and the list of chapters."""
    config = ctx.project.config
    headline_blocks: list[IndicatorBlock] = []
    for chapter in chapters:
        for placed in chapter.blocks:
            block = placed.block
            if isinstance(block, IndicatorBlock) and block.indicator not in {
                b.indicator for b in headline_blocks
            }:
                headline_blocks.append(block)
    headline_blocks = headline_blocks[:HOME_HEADLINES]
    summary = chapters[0].meta.summary if chapters else ""

    def headlines() -> list[Item]:
        return [blocks.headline(ctx, block) for block in headline_blocks]

    def spine() -> list[Item]:
        profile = blocks.area_profile(ctx, config.area.area_type, config.area.code)
        return [item for item in profile if isinstance(item, Figure) and item.kind == "spine"]

    return Page(
        path="index.html",
        kind="home",
        title=config.title,
        template="home.html",
        context={
            "chapters": [_chapter_entry(c) for c in chapters],
            "findings": FindingsList(tuple(findings)),
            "intro": summary,
        },
        summary=summary or config.title,
        requests=[Request("headlines", headlines), Request("spine", spine)],
    )


def _chapter_entry(chapter: Chapter) -> dict[str, Any]:
    return {
        "id": chapter.id,
        "title": chapter.meta.title,
        "summary": chapter.meta.summary,
        "status": chapter.meta.status,
        "path": f"chapters/{chapter.id}/index.html",
    }


# Chapters ---------------------------------------------------------------------------------


def chapter_pages(
    ctx: FigureContext,
    chapters: Sequence[Chapter],
    findings: Sequence[Finding],
    inside: frozenset[str],
    *,
    pdf: bool = True,
) -> list[Page]:
    """Every published chapter: one page, or an index and one page per ``## `` section."""
    pages: list[Page] = []
    for chapter in chapters:
        maps = sum(isinstance(placed.block, MapBlock) for placed in chapter.blocks)
        split = len(chapter.blocks) > SPLIT_BLOCKS or maps > SPLIT_MAPS
        parts = split_chapter(chapter, split=split)
        base = f"chapters/{chapter.id}/"
        crumbs = (("Home", "index.html"),)
        rendered = [render_part(part) for part in parts]
        paths = [base + ("index.html" if i == 0 else part.file) for i, part in enumerate(parts)]
        contents = [
            {"title": part.title, "path": path}
            for part, path in zip(parts[1:], paths[1:], strict=True)
        ]
        for index, (part, html) in enumerate(zip(parts, rendered, strict=True)):
            lines = set(html.slots)
            requests = [
                _maker(ctx, placed, findings, inside)
                for placed in chapter.blocks
                if placed.line in lines
            ]
            title = chapter.meta.title if index == 0 else f"{part.title}: {chapter.meta.title}"
            previous = (
                {"title": _part_title(chapter, parts, index - 1), "path": paths[index - 1]}
                if index > 0
                else None
            )
            following = (
                {"title": _part_title(chapter, parts, index + 1), "path": paths[index + 1]}
                if index + 1 < len(parts)
                else None
            )
            pages.append(
                Page(
                    path=paths[index],
                    kind="chapter",
                    title=title,
                    template="chapter.html",
                    context={
                        "chapter": _chapter_entry(chapter) | {"meta": chapter.meta},
                        "part": part,
                        "part_title": part.title if index else "",
                        "body": html,
                        "contents": contents,
                        "current": paths[index],
                        "index_path": paths[0],
                        "previous": previous,
                        "next": following,
                    },
                    summary=chapter.meta.summary if index == 0 else part.title,
                    topics=chapter.meta.topics,
                    updated=ctx.project.config.publication.published,
                    pdf=f"downloads/chapters/{chapter.id}.pdf" if pdf and index == 0 else None,
                    breadcrumbs=crumbs if index == 0 else (*crumbs, (chapter.meta.title, paths[0])),
                    requests=requests,
                )
            )
    return pages


def _part_title(chapter: Chapter, parts: Sequence[Part], index: int) -> str:
    return chapter.meta.title if index == 0 else parts[index].title


# Indicators -------------------------------------------------------------------------------


def _used_in(chapters: Sequence[Chapter]) -> dict[str, list[dict[str, str]]]:
    """Indicator id -> the chapters that show it (title and path)."""
    used: dict[str, list[dict[str, str]]] = {}
    for chapter in chapters:
        ids = {i for placed in chapter.blocks for i in placed.indicator_ids()}
        for indicator_id in sorted(ids):
            used.setdefault(indicator_id, []).append(
                {"title": chapter.meta.title, "path": f"chapters/{chapter.id}/index.html"}
            )
    return used


def catalogue_page(ctx: FigureContext) -> Page:
    """``indicators/index.html``: every indicator with its definition, source and tags."""
    project = ctx.project
    entries = []
    for indicator in sorted(project.indicators.values(), key=lambda i: i.title.lower()):
        source = project.sources.get(indicator.source)
        entries.append(
            {
                "id": indicator.id,
                "title": indicator.title,
                "definition": indicator.definition,
                "tags": indicator.tags,
                "tag_slugs": " ".join(slugify(tag) for tag in indicator.tags),
                "source": source.title if source is not None else indicator.source,
                "path": f"indicators/{indicator.id}.html",
            }
        )
    names = sorted({tag for entry in entries for tag in entry["tags"]}, key=str.lower)
    tags = [
        {
            "name": name,
            "slug": slugify(name),
            "indicators": [entry for entry in entries if name in entry["tags"]],
        }
        for name in names
    ]
    return Page(
        path="indicators/index.html",
        kind="catalogue",
        title="Indicators",
        template="catalogue.html",
        context={"indicators": entries, "tags": tags},
        summary=f"The {len(entries)} indicators of this JSNA: definitions, methods and sources.",
        breadcrumbs=(("Home", "index.html"),),
    )


def indicator_pages(ctx: FigureContext, chapters: Sequence[Chapter]) -> list[Page]:
    """``indicators/<id>.html``: definition, method, source, and latest figures by area type."""
    project = ctx.project
    used = _used_in(chapters)
    pages = []
    for indicator in project.indicators.values():
        source = project.sources.get(indicator.source)
        pages.append(
            Page(
                path=f"indicators/{indicator.id}.html",
                kind="indicator",
                title=indicator.title,
                template="indicator.html",
                context={
                    "indicator": indicator,
                    "source": source,
                    "used_in": used.get(indicator.id, []),
                },
                summary=indicator.definition,
                topics=indicator.tags,
                breadcrumbs=(("Home", "index.html"), ("Indicators", "indicators/index.html")),
                requests=[Request("figures", _indicator_figures(ctx, indicator.id))],
            )
        )
    return pages


def _indicator_figures(ctx: FigureContext, indicator_id: str) -> Callable[[], list[Item]]:
    """A compare chart per area type with results, the trend, and the table of the JSNA area."""

    def make() -> list[Item]:
        frame = ctx.results(indicator_id)
        frame = frame[~frame["projected"]]
        own = ctx.project.config.area.area_type
        types = [t for t in dict.fromkeys(frame["area_type"]) if t not in COMPARATOR_TYPES]
        types.sort(key=lambda t: (t != own, t))
        items: list[Item] = []
        for area_type in types:
            block = ChartBlock(
                block="chart", chart="compare", indicator=indicator_id, area_type=area_type
            )
            items.append(blocks.figure_for_block(ctx, block))
        if own in types:
            trend = ChartBlock(block="chart", chart="trend", indicator=indicator_id, area_type=own)
            items.append(blocks.figure_for_block(ctx, trend))
            table = TableBlock(block="table", indicators=(indicator_id,), area_type=own)
            items.append(blocks.figure_for_block(ctx, table))
        return items

    return make


# Areas ------------------------------------------------------------------------------------


def area_pages(ctx: FigureContext, inside: frozenset[str], *, pdf: bool = True) -> list[Page]:
    """Area profiles: ``areas/index.html``, one index per profiled area type, one page per area.

    Only the area types of ``publication.profiles``, and only areas inside the JSNA area.
    """
    config = ctx.project.config
    home = (("Home", "index.html"),)
    top = (*home, ("Area profiles", "areas/index.html"))
    pages: list[Page] = []
    types = []
    for area_type in config.publication.profiles:
        label = ctx.area_type_names.get(area_type, area_type)
        areas = _areas_of(ctx, area_type, inside)
        types.append(
            {
                "code": area_type,
                "name": label,
                "path": f"areas/{area_type}/index.html",
                "count": len(areas),
            }
        )
        pages.append(
            Page(
                path=f"areas/{area_type}/index.html",
                kind="areas",
                title=f"Area profiles: {label}",
                template="areas.html",
                context={
                    "area_type": area_type,
                    "label": label,
                    "areas": [
                        {"code": code, "name": name, "path": f"areas/{area_type}/{code}.html"}
                        for code, name in areas
                    ],
                },
                summary=f"Profiles of the {len(areas)} areas of type {label} in {config.area.name}.",
                breadcrumbs=top,
            )
        )
        for code, name in areas:
            pages.append(
                Page(
                    path=f"areas/{area_type}/{code}.html",
                    kind="area",
                    title=f"{name} ({label})",
                    template="area.html",
                    context={
                        "area": {"code": code, "name": name, "type": area_type, "label": label}
                    },
                    summary=f"Profile of {name}: every indicator published for it, compared "
                    f"with {config.area.name} and England.",
                    breadcrumbs=(*top, (label, f"areas/{area_type}/index.html")),
                    pdf=f"downloads/areas/{area_type}/{code}.pdf" if pdf else None,
                    requests=[Request("profile", _profile(ctx, area_type, code))],
                )
            )
    pages.insert(
        0,
        Page(
            path="areas/index.html",
            kind="areas",
            title="Area profiles",
            template="areas.html",
            context={"types": types},
            summary=f"Profiles of the areas inside {config.area.name}.",
            breadcrumbs=home,
        ),
    )
    return pages


def _profile(ctx: FigureContext, area_type: str, code: str) -> Callable[[], list[Item]]:
    def make() -> list[Item]:
        return list(blocks.area_profile(ctx, area_type, code))

    return make


# About ------------------------------------------------------------------------------------


def disclosure_words(ctx: FigureContext) -> list[str]:
    """The disclosure rules of ``jsna.yml``, as sentences for readers."""
    rules = ctx.project.config.disclosure
    words = []
    if rules.max_suppressed_count > 0:
        zero = "0 to " if rules.suppress_zero else "1 to "
        words.append(
            f"Counts of {zero}{rules.max_suppressed_count} are not published, and neither "
            "are the rates and confidence intervals made from them."
        )
    elif rules.suppress_zero:
        words.append("Counts of 0 are not published.")
    if rules.min_denominator is not None:
        words.append(
            f"Figures whose population (denominator) is below {rules.min_denominator:,} "
            "are not published."
        )
    if rules.secondary:
        words.append(
            "Where a hidden count could be worked out by subtracting published figures "
            "from a published total, the fewest extra figures needed are hidden too."
        )
    words.append("Hidden figures show as blank cells marked 'suppressed' in tables and downloads.")
    return words


def about_page(ctx: FigureContext) -> Page:
    """``about.html``: contact, licence, the sources with their licences, disclosure rules."""
    project = ctx.project
    sources = sorted(project.sources.values(), key=lambda s: s.title.lower())
    return Page(
        path="about.html",
        kind="about",
        title="About this JSNA",
        template="about.html",
        context={"sources": sources, "disclosure": disclosure_words(ctx)},
        summary="Who publishes this JSNA, its licence, its data sources and how small "
        "numbers are protected.",
        breadcrumbs=(("Home", "index.html"),),
    )
