"""Vega-Lite specs drawn to SVG on the server, so charts show with JavaScript off and in print.

vl-convert renders offline with its own copy of Vega (no data is ever
fetched: :func:`set_drawing_workers` switches loading off), so the same spec
gives the same bytes on machines with the same fonts. The first call in a
process starts its JavaScript engine (about half a second); later calls take
a few milliseconds to a few tens each, in engines that let go of the GIL.

The SVG vl-convert writes is a picture with no name. :func:`to_svg` makes it
accessible: the root gets ``role="img"`` and ``aria-labelledby`` pointing at
a ``<title>`` (the figure title, escaped) placed first inside it, which
screen readers announce and browsers show as a tooltip. Element ids are made
unique per figure so several SVGs can sit inline on one page.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from html import escape
from typing import Any

import vl_convert

__all__ = ["VEGA_LITE_VERSION", "set_drawing_workers", "to_svg", "to_svgs"]

VEGA_LITE_VERSION = "6.4"
"""The Vega-Lite version vl-convert renders with (the specs declare v6)."""

_ROOT = re.compile(r"<svg\b([^>]*)>")
_ID_ATTRIBUTE = re.compile(r'\bid="([^"]+)"')


def _slug(spec: dict[str, Any], title: str) -> str:
    """A short id prefix stable for one spec, from its figure id or a hash of its content."""
    figure = spec.get("usermeta", {}).get("jsna", {}).get("figure")
    if figure:
        return re.sub(r"[^A-Za-z0-9_-]+", "-", str(figure))
    digest = hashlib.sha1((title + json.dumps(spec, sort_keys=True)).encode()).hexdigest()
    return f"chart-{digest[:10]}"


_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)([")])')


def _unique_ids(svg: str, prefix: str) -> str:
    """Rename every element id (and the ``url(#...)``/``href`` references to it) to
    ``<prefix>-<kind><n>``, numbered in document order.

    vl-convert numbers clip paths with a counter that runs on across the charts a
    process draws, so the numbers depend on which charts a worker drew before;
    renumbering makes the SVG of a spec the same whichever process draws it, and
    the prefix keeps ids unique when many charts share a page.
    """
    names = dict.fromkeys(_ID_ATTRIBUTE.findall(svg))
    renamed = {
        name: f"{prefix}-{re.sub(r'[0-9]+$', '', name) or 'id'}{number}"
        for number, name in enumerate(names, start=1)
    }

    def swap(match: re.Match[str]) -> str:
        start, name, end = match.groups()
        return start + renamed.get(name, name) + end

    return _REFERENCE.sub(swap, svg)


_INNER_SEMANTICS = re.compile(r'\s(?:aria-label|aria-roledescription|role)="[^"]*"')


def _presentational(svg: str) -> str:
    """Drop Vega's per-mark ``aria-label``, ``role`` and ``aria-roledescription``.

    Inside a picture with role img, assistive technology ignores them (the
    summary and the data table say what the marks would), a checker would
    call the unnamed ones unnamed images, and they are about a third of a
    map's bytes. The root's own attributes are set afterwards by :func:`_label`.
    """
    return _INNER_SEMANTICS.sub("", svg)


def _label(svg: str, title: str, title_id: str) -> str:
    """Give the root ``<svg>`` role img, aria-labelledby and a first-child ``<title>``."""
    match = _ROOT.search(svg)
    if match is None:
        raise ValueError("vl-convert returned no <svg> element")
    attributes = re.sub(r'\s(role|aria-label|aria-labelledby)="[^"]*"', "", match.group(1))
    opening = f'<svg{attributes} role="img" aria-labelledby="{title_id}">'
    heading = f'<title id="{title_id}">{escape(title)}</title>'
    return svg[: match.start()] + opening + heading + svg[match.end() :]


def to_svg(spec: dict[str, Any], *, title: str) -> str:
    """The spec drawn as an accessible SVG document fragment (deterministic for a given spec).

    ``title`` names the picture for screen readers (``<title>``, escaped).
    Raises ``ValueError`` when the spec cannot be drawn.
    """
    # Handed over as JSON text: vl-convert parses text without holding the GIL, while
    # converting a dict holds it (and stalls the thread making figures).
    text = json.dumps(spec, ensure_ascii=False, default=str)
    try:
        svg = vl_convert.vegalite_to_svg(text, vl_version=VEGA_LITE_VERSION)
    except Exception as error:  # vl-convert raises plain ValueError/RuntimeError
        raise ValueError(f"cannot draw chart {title!r}: {error}") from error
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    prefix = _slug(spec, title)
    svg = _unique_ids(svg, prefix)
    return _label(_presentational(svg), title, f"{prefix}-title")


def to_svgs(specs: Iterable[tuple[dict[str, Any], str]]) -> list[str]:
    """Many ``(spec, title)`` pairs drawn in order (one vl-convert engine, reused)."""
    return [to_svg(spec, title=title) for spec, title in specs]


def set_drawing_workers(workers: int) -> None:
    """Draw with ``workers`` JavaScript engines (threads of this process) from now on.

    vl-convert lets go of the GIL while it draws, so up to ``workers`` Python
    threads can draw at once. Charts never read data from outside their spec:
    loading from URLs and files is switched off.
    """
    wanted = {"num_workers": max(1, workers), "allowed_base_urls": []}
    current = vl_convert.get_config()
    if any(current.get(key) != value for key, value in wanted.items()):
        vl_convert.configure(**wanted)
