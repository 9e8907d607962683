"""Search: ``search-index.json`` (documents and a prebuilt token index) and ``search.html``.

The site has no server, so the browser searches: ``jsna.js`` loads the index
once and filters as the reader types. The index is built here, once, so the
browser does no tokenising of page text:

- ``documents``: one per page worth finding (chapters in site order,
  indicators by title, area profiles in site order, then the catalogue, area
  lists and other pages), each with its
  title, kind, site-relative url, summary, topics, area (code, name, type)
  and indicator ids;
- ``tokens``: every word of those fields, lower-case ASCII, sorted, so a
  query word is looked up as a *prefix* by binary search (``diab`` finds
  ``diabetes``);
- ``postings``: for each token, the numbers of the documents holding it.

A query matches documents holding every query word (as a prefix); they are
ranked by how many words hit the title, then by kind (chapters, indicators,
areas, other pages), then by title. :func:`query` here and ``jsnaSearch`` in
``jsna.js`` implement the same rules (a test checks they agree).
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Any

from jsna.figures.model import Figure, Headline

from .pages import Page

__all__ = [
    "KIND_LABELS",
    "query",
    "search_index",
    "search_index_json",
    "search_page",
    "tokens",
]

KIND_LABELS = {
    "chapter": "Chapter",
    "indicator": "Indicator",
    "area": "Area profile",
    "home": "Page",
    "catalogue": "Page",
    "areas": "Page",
    "changes": "Page",
    "editions": "Page",
    "bulletin": "Page",
    "about": "Page",
}
"""Tag shown beside each result, by page kind."""

KIND_ORDER = ("chapter", "indicator", "area")
"""Kinds ranked first, in this order; every other kind after them."""

GROUPS = (
    ("chapter", "Chapters"),
    ("indicator", "Indicators"),
    ("area", "Area profiles"),
    ("other", "Other pages"),
)
"""Headings of the list of everything on the search page without JavaScript."""

SUMMARY_LENGTH = 240
"""Summaries in the index are cut to about this many characters (on a word)."""

_WORD = re.compile(r"[0-9a-z]+")
_AREA_PATH = re.compile(r"^areas/([^/]+)/([^/]+)\.html$")
_INDICATOR_PATH = re.compile(r"^indicators/([^/]+)\.html$")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)


def tokens(text: str) -> list[str]:
    """Words of ``text``: accents removed, lower case, split on anything not a letter or digit.

    ``jsna.js`` tokenises a query the same way (``normalize("NFKD")``, drop
    combining marks, lower case, split on ``[^0-9a-z]+``).
    """
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return _WORD.findall(plain)


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _short(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + "…"


def _indicator_ids(page: Page) -> list[str]:
    found: list[str] = []
    match = _INDICATOR_PATH.match(page.path)
    if page.kind == "indicator" and match:
        found.append(match.group(1))
    for item in page.figures:
        if isinstance(item, Figure):
            found.extend(item.indicators)
        elif isinstance(item, Headline):
            found.append(item.indicator_id)
    return list(dict.fromkeys(found))


def _area(page: Page) -> dict[str, str] | None:
    match = _AREA_PATH.match(page.path)
    if page.kind != "area" or not match:
        return None
    given = page.context.get("area")
    name = given.get("name", page.title) if isinstance(given, dict) else page.title
    label = given.get("label", match.group(1)) if isinstance(given, dict) else match.group(1)
    return {"code": match.group(2), "name": str(name), "type": str(label)}


def _document(page: Page) -> dict[str, Any]:
    area = _area(page)
    return {
        "title": page.title,
        "kind": page.kind,
        "tag": KIND_LABELS.get(page.kind, "Page"),
        "url": page.path,
        "summary": _short(page.summary),
        "topics": list(page.topics),
        "area": area,
        "indicators": _indicator_ids(page),
    }


def _words(document: dict[str, Any]) -> set[str]:
    area = document["area"] or {}
    parts: list[str] = [
        document["title"],
        document["summary"],
        " ".join(document["topics"]),
        " ".join(document["indicators"]),
        " ".join(area.values()),
    ]
    return {word for part in parts for word in tokens(part) if word not in _STOP}


def search_index(pages: Iterable[Page]) -> dict[str, Any]:
    """The search index of ``pages`` (every page but the search page itself), ready for JSON."""
    chosen = [page for page in pages if page.kind != "search"]
    chosen = [
        page
        for _, page in sorted(
            enumerate(chosen),
            key=lambda pair: (
                _kind_rank(pair[1].kind),
                pair[1].title.lower() if pair[1].kind == "indicator" else "",
                pair[0],
            ),
        )
    ]
    documents = [_document(page) for page in chosen]
    postings: dict[str, list[int]] = {}
    for number, document in enumerate(documents):
        for word in _words(document):
            postings.setdefault(word, []).append(number)
    ordered = sorted(postings)
    return {
        "version": 1,
        "documents": documents,
        "tokens": ordered,
        "postings": [postings[word] for word in ordered],
    }


def search_index_json(index: dict[str, Any]) -> str:
    """The index as compact JSON text (what ``search-index.json`` holds); len() is its size."""
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"))


def _prefixed(index: dict[str, Any], word: str) -> set[int]:
    """Documents holding a token that starts with ``word``."""
    ordered: Sequence[str] = index["tokens"]
    found: set[int] = set()
    position = bisect_left(ordered, word)
    while position < len(ordered) and ordered[position].startswith(word):
        found.update(index["postings"][position])
        position += 1
    return found


def query(index: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """Documents matching every word of ``text`` (as prefixes), best first; [] for no words."""
    words = [word for word in dict.fromkeys(tokens(text)) if word not in _STOP]
    if not words:
        return []
    matched: set[int] | None = None
    for word in words:
        hits = _prefixed(index, word)
        matched = hits if matched is None else matched & hits
        if not matched:
            return []
    documents = index["documents"]

    def score(number: int) -> tuple[int, int, str]:
        document = documents[number]
        title = tokens(document["title"])
        in_title = sum(
            2 if word in title else 1 for word in words if any(t.startswith(word) for t in title)
        )
        return (-in_title, _kind_rank(document["kind"]), document["title"].lower())

    return [documents[number] for number in sorted(matched or (), key=score)]


def _groups(index: dict[str, Any] | None) -> list[dict[str, Any]]:
    if index is None:
        return []
    groups = []
    for kind, heading in GROUPS:
        chosen = [
            d
            for d in index["documents"]
            if d["kind"] == kind or (kind == "other" and d["kind"] not in KIND_ORDER)
        ]
        if chosen:
            groups.append({"kind": kind, "heading": heading, "documents": chosen})
    return groups


def search_page(index: dict[str, Any] | None = None) -> Page:
    """``search.html``: a search box filtered by ``jsna.js``; without JavaScript, a list of all.

    Give the ``index`` (from :func:`search_index`) so the page lists every
    chapter, indicator and area by kind for readers without JavaScript;
    without it the list points at the home page, catalogue and area profiles.
    """
    groups = _groups(index)
    count = len(index["documents"]) if index is not None else 0
    return Page(
        path="search.html",
        kind="search",
        title="Search",
        template="search.html",
        context={"groups": groups, "documents": count, "index_url": "search-index.json"},
        summary="Search the chapters, indicators and area profiles of this JSNA.",
        breadcrumbs=(("Home", "index.html"),),
    )
