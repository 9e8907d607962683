"""Figures from published results: Vega-Lite charts, maps, tables and headlines.

Builders read a :class:`~jsna.figures.context.FigureContext` and return
:class:`~jsna.figures.model.Figure` objects (spec, summary, table, data) that
the static site, the PDFs and the web app all draw from:

- :func:`figure_for_block`: the figure of a chapter's chart, map or table block;
- :func:`headline`: the headline of an indicator block;
- :func:`area_profile`: the figures of an area profile page;
- :func:`format_value`: a value with its indicator's decimals and unit;
- :func:`to_svg`: a spec drawn to accessible SVG (vl-convert).
"""

from .blocks import figure_for_block
from .context import FigureContext
from .format import format_value
from .headline import headline
from .model import Column, Figure, Headline, Table
from .profile import area_profile
from .svg import to_svg

__all__ = [
    "Column",
    "Figure",
    "FigureContext",
    "Headline",
    "Table",
    "area_profile",
    "figure_for_block",
    "format_value",
    "headline",
    "to_svg",
]
