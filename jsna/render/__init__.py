"""The static site: pages, figures, data twins, search, feed, editions and PDFs as plain files.

:func:`jsna.render.build.build_site` is the one entry point; it reads the
store through :mod:`jsna.figures` and writes a folder that works from any
place (relative links only), with JavaScript off, and in print.
"""

from __future__ import annotations

__all__: list[str] = []
