"""``feed.xml`` (Atom 1.0) and ``bulletin.html``: telling readers what is new.

The feed has one entry per published chapter and one per indicator changed
since the previous vintage (from the "what changed" page's context, see
:mod:`jsna.render.changes`). Ids are permanent: ``<base_url><path>`` when
``publication.base_url`` is set, else ``tag:`` URIs (RFC 4151) made from the
contact address's domain, the publication year and the page path. Links are
absolute under ``base_url``; without it they are relative to ``feed.xml``
(which sits at the site root, so they resolve).

The bulletin is a printable page for people who do not read feeds: the
chapters of this edition (marking those new since the previous archived
edition), the indicators that changed, each with its link.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from jsna import __version__
from jsna.content.project_files import Project

from .pages import Page

__all__ = ["ATOM", "bulletin_page", "chapter_entries", "feed_xml"]

ATOM = "http://www.w3.org/2005/Atom"
_FEED = "feed.xml"


def _q(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _stamp(moment: datetime | date) -> str:
    """RFC 3339 time in UTC (a date is taken at midnight UTC)."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0), UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _base(project: Project) -> str:
    base = project.config.publication.base_url.strip()
    return base if not base or base.endswith("/") else base + "/"


def _href(project: Project, path: str) -> str:
    return _base(project) + path


def _tag_authority(project: Project) -> str:
    email = project.config.publication.contact_email
    domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
    return domain if re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", domain) else "jsna.invalid"


def _id(project: Project, path: str, generated: datetime) -> str:
    """A permanent id for ``path`` (the page's address, or a ``tag:`` URI)."""
    base = _base(project)
    if base:
        return base + path
    publication = project.config.publication
    year = (publication.published or generated.date()).year
    area = project.config.area.code.lower()
    return f"tag:{_tag_authority(project)},{year}:jsna/{area}/{path}"


def chapter_entries(pages: list[Page]) -> list[Page]:
    """The first page of every published chapter (not its parts), in site order."""
    return [p for p in pages if p.kind == "chapter" and p.path.endswith("/index.html")]


def _changed(pages: list[Page]) -> list[dict[str, Any]]:
    found = next((p for p in pages if p.kind == "changes"), None)
    return list(found.context.get("groups", [])) if found is not None else []


def _change_text(group: dict[str, Any]) -> str:
    if group.get("recomputed"):
        summary = group["recomputed"]
        periods = ", ".join(summary["new_periods"])
        return (
            f"Recomputed from new data: {summary['changed']} source figures changed, "
            f"{summary['new']} new" + (f" (new periods: {periods})." if periods else ".")
        )
    rows = group.get("rows", [])
    shown = "; ".join(
        f"{r['area']} {r['period']}: {r['old'] or 'none'} to {r['new'] or 'none'}" for r in rows[:5]
    )
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return f"{len(rows)} published figures changed: {shown}{more}."


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name), attributes)
    if text is not None:
        element.text = text
    return element


def _entry(
    feed: ET.Element, *, title: str, entry_id: str, href: str, updated: str, summary: str
) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "title", title)
    _sub(entry, "id", entry_id)
    _sub(entry, "link", rel="alternate", type="text/html", href=href)
    _sub(entry, "updated", updated)
    _sub(entry, "summary", summary or title)


def feed_xml(project: Project, pages: list[Page], generated: datetime) -> str:
    """The Atom feed of the site: chapters of this edition and indicators that changed."""
    config = project.config
    publication = config.publication
    published = _stamp(publication.published) if publication.published else _stamp(generated)
    ET.register_namespace("", ATOM)
    feed = ET.Element(_q("feed"))
    _sub(feed, "title", f"{config.title}: updates")
    _sub(
        feed,
        "subtitle",
        f"Edition {publication.edition}, published by {config.branding.organisation}.",
    )
    _sub(feed, "id", _id(project, _FEED, generated))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=_href(project, _FEED))
    _sub(feed, "link", rel="alternate", type="text/html", href=_href(project, "index.html"))
    _sub(feed, "updated", _stamp(generated))
    author = _sub(feed, "author")
    _sub(author, "name", config.branding.organisation)
    if publication.contact_email:
        _sub(author, "email", publication.contact_email)
    _sub(feed, "rights", f"Licence: {publication.licence}")
    _sub(feed, "generator", "jsna", version=__version__)
    for page in chapter_entries(pages):
        _entry(
            feed,
            title=page.title,
            entry_id=_id(project, f"{publication.edition}/{page.path}", generated),
            href=_href(project, page.path),
            updated=published,
            summary=page.summary,
        )
    for group in _changed(pages):
        _entry(
            feed,
            title=f"Updated figures: {group['title']}",
            entry_id=_id(project, f"{publication.edition}/changes/{group['id']}", generated),
            href=_href(project, group["path"]),
            updated=_stamp(generated),
            summary=_change_text(group),
        )
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _previous_chapters(project: Project) -> set[str] | None:
    """Chapter paths of the newest archived edition other than this one (None if there is none)."""
    from .editions import archived_editions

    current = project.config.publication.edition
    for edition in archived_editions(project):
        if edition.name != current:
            folder = Path(edition.folder) / "chapters"
            return {f"chapters/{p.parent.name}/index.html" for p in folder.glob("*/index.html")}
    return None


def bulletin_page(project: Project, pages: list[Page], changes_page: Page) -> Page:
    """``bulletin.html``: printable list of this edition's chapters and the changed indicators."""
    config = project.config
    previous = _previous_chapters(project)
    chapters = [
        {
            "title": page.title,
            "path": page.path,
            "summary": page.summary,
            "new": previous is not None and page.path not in previous,
            "pdf": page.pdf,
        }
        for page in chapter_entries(pages)
    ]
    changed = [
        {"title": g["title"], "path": g["path"], "text": _change_text(g)}
        for g in changes_page.context.get("groups", [])
    ]
    first = bool(changes_page.context.get("first", False))
    pdf = next((p.pdf for p in pages if p.kind == "home" and p.pdf), None)
    return Page(
        path="bulletin.html",
        kind="bulletin",
        title=f"Update bulletin: edition {config.publication.edition}",
        template="bulletin.html",
        context={
            "chapters": chapters,
            "changed": changed,
            "first": first,
            "compared": previous is not None,
            "edition": config.publication.edition,
            "published": config.publication.published,
            "pdf": pdf,
        },
        figures=list(changes_page.figures),
        summary=f"{len(chapters)} chapters and {len(changed)} changed indicators in edition "
        f"{config.publication.edition}.",
        breadcrumbs=(("Home", "index.html"), ("What changed", "changes.html")),
    )
