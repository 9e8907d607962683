"""What a figure is once built: a Vega-Lite spec, a text summary, a table and the data shown.

A :class:`Figure` is the one thing the static site, the PDFs and the web app
draw from. It carries

- ``spec``: a Vega-Lite 6 specification with its data inline, drawn in the
  browser by vega-embed and to SVG on the server by vl-convert (so it shows
  with JavaScript off, in print and in PDFs);
- ``summary``: one to three plain sentences saying what the figure shows,
  with the numbers (the text alternative for screen readers and skimmers);
- ``table``: the data table alternative, already formatted for reading;
- ``data``: exactly the figures shown, after disclosure control, with
  columns a person understands (the page's ``.csv``/``.json`` twins).

Charts that show areas put ``area_code`` and ``area_name`` in every data row
and declare a top-level variable parameter ``highlight`` (value ``null``);
marks whose ``area_code`` equals it are emphasised, so a page's script can
highlight one area across all its charts by setting that signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from jsna.content.blocks import AnalysisKind
from jsna.content.chapters import ChartKind

__all__ = ["Column", "Figure", "Headline", "Table"]

FigureKind = ChartKind | Literal["map", "table"] | AnalysisKind
"""A chapter's chart kinds, maps and tables, and the analysis blocks' kinds."""


@dataclass(frozen=True)
class Column:
    """A column of a :class:`Table`: its heading and whether it holds numbers (right-aligned)."""

    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """A table for reading: headings and rows of display text (numbers already formatted).

    The first column names the row (an area, a period, an indicator) and is a
    row header. A comparison cell says its judgement in words ("worse",
    "similar", "better"), never only by colour; ``judgements`` gives, for each
    row, the judgement word per column (or ``""``) so a page may also colour it.
    """

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    judgements: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()
    """Footnotes under the table (suppression, fit, sources)."""


@dataclass(frozen=True)
class Figure:
    """A chart, map or table built from published results."""

    id: str
    """Stable slug, unique on a page once the page numbers repeats (``compare-diabetes_qof-pcn``)."""
    kind: FigureKind
    title: str
    caption: str
    summary: str
    table: Table
    data: pd.DataFrame
    spec: dict[str, Any] | None = None
    """Vega-Lite spec with inline data; None for a table, or when there is nothing to draw."""
    indicators: tuple[str, ...] = ()
    area_type: str | None = None
    period: str | None = None
    sources: tuple[str, ...] = field(default=())
    """Source titles and dataset versions behind the figures ("Census 2021 ... v3")."""


@dataclass(frozen=True)
class Headline:
    """An indicator's latest figure for one area with its comparisons (an ``indicator`` block)."""

    indicator_id: str
    title: str
    area_code: str
    area_name: str
    period: str
    value: str
    """Formatted value with its unit, e.g. ``7.1%`` or ``542.3 per 100,000``; ``"suppressed"``."""
    interval: str
    """``95% CI 6.9% to 7.3%``, or ``""``."""
    comparisons: tuple[tuple[str, str, str], ...]
    """(comparator name, judgement word, comparator's value formatted)."""
    trend: str
    """The trend in words (``"increasing and getting worse"``), or ``""``."""
    summary: str
    """One sentence with all of the above, for screen readers and PDFs."""
    data: pd.DataFrame
