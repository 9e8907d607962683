"""Chapter text: Markdown to safe HTML, ``jsna`` blocks marked for their figures, long chapters split.

Markdown is rendered by markdown-it-py with the CommonMark preset plus tables,
and **raw HTML disabled**: a ``<script>`` typed in a chapter is shown as text,
never run. Headings get ids (slugs, unique on the page) and GOV.UK Frontend
classes; a chapter's own ``# `` headings become ``h2`` (the page has one
``h1``, its title).

Each fenced ``jsna`` block becomes a marker ``<!--jsna-block:LINE-->`` (LINE:
the line of the chapter file where the block starts, as in
:class:`jsna.content.chapters.PlacedBlock`); the build replaces the marker with
the figure. A reader cannot forge a marker: with raw HTML disabled, ``<!--``
in the text is escaped.

A chapter with many blocks is split at its ``## `` headings
(:func:`split_chapter`): the text before the first one stays on the chapter's
index page; each section becomes a page of its own, titled by its heading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from jsna.content.chapters import Chapter, section_starts

__all__ = [
    "MARKER",
    "Part",
    "Rendered",
    "render_markdown",
    "render_part",
    "slugify",
    "split_chapter",
]

MARKER = re.compile(r"<!--jsna-block:(\d+)-->")
"""A ``jsna`` block's place in rendered HTML (group 1: its line in the chapter file)."""

_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "table_open": "govuk-table",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
    "blockquote_open": "govuk-inset-text",
}
_HEADING_CLASSES = {2: "govuk-heading-l", 3: "govuk-heading-m", 4: "govuk-heading-s"}
_CHAPTER_LINK = re.compile(
    r"^(?:\./)?(?:chapters/)?\d{1,3}-(?P<id>[a-z0-9][a-z0-9-]*)\.md(?P<rest>#.*)?$"
)
"""A link to another chapter's file (``10-health-inequalities.md#gaps``)."""


def slugify(text: str) -> str:
    """``Local and national data`` -> ``local-and-national-data`` (ASCII, lower case)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


@dataclass(frozen=True)
class Part:
    """A piece of a chapter shown on one page: the intro (index page) or one ``## `` section."""

    title: str
    """The section's heading (``""`` for the intro)."""
    slug: str
    file: str
    """File name of the part's page, ``<n>-<slug>.html`` (``index.html`` for the intro)."""
    text: str
    first_line: int
    """Line of the chapter file where ``text`` starts."""
    shift: int = 0
    """Heading levels lifted by this much (a section page's ``###`` becomes ``h2``)."""


@dataclass
class Rendered:
    """A part rendered to HTML with markers for its blocks."""

    html: str
    headings: list[dict[str, Any]] = field(default_factory=list)
    """``{"level", "id", "text"}`` of every heading, in order."""
    slots: list[int] = field(default_factory=list)
    """Lines of the ``jsna`` blocks, in order."""
    levels: dict[int, int] = field(default_factory=dict)
    """Block line -> heading level for its figure title (one below the heading above it)."""


def split_chapter(chapter: Chapter, *, split: bool) -> list[Part]:
    """The chapter as one part, or (``split``) its intro and one part per ``## `` section."""
    lines = chapter.body.splitlines(keepends=True)
    starts = [index for index, _ in section_starts(chapter.body)] if split else []
    if not starts:
        return [Part("", "", "index.html", chapter.body, chapter.body_line)]
    parts = [Part("", "", "index.html", "".join(lines[: starts[0]]), chapter.body_line)]
    used: set[str] = set()
    for number, start in enumerate(starts, start=1):
        end = starts[number] if number < len(starts) else len(lines)
        title = lines[start][3:].strip().rstrip("#").strip()
        slug = slugify(title)
        while slug in used:
            slug += "-2"
        used.add(slug)
        parts.append(
            Part(
                title=title,
                slug=slug,
                file=f"{number}-{slug}.html",
                text="".join(lines[start + 1 : end]),
                first_line=chapter.body_line + start + 1,
                shift=1,
            )
        )
    return parts


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    return md


_MD = _parser()


def _text_of(inline: Token) -> str:
    return "".join(
        child.content for child in inline.children or [] if child.type in {"text", "code_inline"}
    )


def _chapter_link(token: Token) -> None:
    """A link to a chapter file points at that chapter's page (chapter pages sit side by side)."""
    match = _CHAPTER_LINK.match(str(token.attrGet("href") or ""))
    if match is not None:
        token.attrSet("href", f"../{match['id']}/index.html{match['rest'] or ''}")


def render_markdown(text: str, first_line: int = 1, *, shift: int = 0) -> Rendered:
    """Markdown to HTML; ``jsna`` fences become markers naming their file line."""
    tokens = _MD.parse(text)
    result = Rendered(html="")
    used: set[str] = set()
    level = 1
    for index, token in enumerate(tokens):
        if token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
        if token.type == "th_open":
            token.attrSet("scope", "col")
        for child in token.children or []:
            if child.type == "link_open":
                child.attrSet("class", "govuk-link")
                _chapter_link(child)
        if token.type in {"heading_open", "heading_close"}:
            depth = max(2, min(6, int(token.tag[1]) - shift))
            token.tag = f"h{depth}"
            if token.type == "heading_open":
                words = _text_of(tokens[index + 1])
                slug = slugify(words)
                while slug in used:
                    slug += "-2"
                used.add(slug)
                token.attrSet("id", slug)
                token.attrSet("class", _HEADING_CLASSES.get(depth, "govuk-heading-s"))
                result.headings.append({"level": depth, "id": slug, "text": words})
                level = depth
        if token.type == "fence" and token.info.strip() == "jsna" and token.map is not None:
            line = first_line + token.map[0]
            token.meta["jsna_line"] = line
            result.slots.append(line)
            result.levels[line] = min(6, level + 1)
    result.html = _MD.renderer.render(tokens, _MD.options, {})
    return result


def _fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if "jsna_line" in token.meta:
        return f"<!--jsna-block:{token.meta['jsna_line']}-->\n"
    return str(_DEFAULT_FENCE(tokens, idx, options, env))


_DEFAULT_FENCE = _MD.renderer.rules["fence"]  # type: ignore[attr-defined]
_MD.add_render_rule("fence", _fence)


def render_part(part: Part) -> Rendered:
    """One part of a chapter, rendered (lines of its blocks as in the chapter file)."""
    return render_markdown(part.text, part.first_line, shift=part.shift)
