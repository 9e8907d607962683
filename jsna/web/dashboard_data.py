"""Figures for a dashboard view (no HTTP): chapters split into tabs, each tab's figures
re-made from :mod:`jsna.figures` with the view's selectors applied to the blocks.

A chapter's tabs are its introduction and one tab per ``## `` section (outside
fenced code); a tab holds the chart, map and table blocks between its heading
and the next. A :class:`ViewState` (area type, period, area) overrides a
block's ``area_type`` and ``period`` where the block has that field; its
breakdown (sex, age, deprivation ...) and comparator change how every figure
reads the results (``FigureContext.viewed``). Figures that cannot change keep
theirs and say so. The figure context is made once per
app and made figures are cached per (chapter, tab, state) in the app's cache.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from jsna.content.chapters import (
    AnalysisBlock,
    Chapter,
    ChartBlock,
    MapBlock,
    PlacedBlock,
    TableBlock,
    section_starts,
)
from jsna.content.project_files import Project
from jsna.figures.blocks import figures_for_block
from jsna.figures.context import FigureContext
from jsna.figures.model import Figure

__all__ = [
    "CHOSEN",
    "LENSES",
    "SELECTORS",
    "Tab",
    "View",
    "ViewState",
    "chapter_tabs",
    "figure_context",
    "figure_state",
    "options_for",
    "view_of",
]

SELECTORS = ("area_type", "period")
"""Block fields a dashboard's selectors override."""
LENSES = ("breakdown", "comparator")
"""Selectors that change how every figure reads the results (the figure context)."""
CHOSEN = (*SELECTORS, *LENSES)
"""Every selector that changes the figures (the selected area only highlights)."""

_LOG = logging.getLogger(__name__)
_LOCK = threading.Lock()
_CONTEXT_KEY = ("dashboards", "context")


@dataclass(frozen=True)
class Tab:
    """One tab of a chapter's dashboard: a title and its figure blocks."""

    number: int
    title: str
    blocks: tuple[PlacedBlock, ...]


@dataclass(frozen=True)
class ViewState:
    """What a dashboard shows: the tab and the selectors (None: the block's own)."""

    tab: int = 0
    area: str | None = None
    area_type: str | None = None
    period: str | None = None
    breakdown: str | None = None
    """One slice of every indicator: ``sex:female``, ``age:65+``, ``<type>:<breakdown>``."""
    comparator: str | None = None
    """The comparator (jsna.yml id) charts judge against first."""

    def query(self, **changes: Any) -> dict[str, str]:
        """The state as URL query parameters (empty ones left out)."""
        values = {name: getattr(self, name) for name in ("tab", "area", *CHOSEN)}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass
class View:
    """A tab's figures under a state, with notes on figures that could not change."""

    tab: Tab
    figures: list[Figure]
    unchanged: dict[str, str] = field(default_factory=dict)
    """Figure id -> why the selectors did not change it."""


def _figure_block(placed: PlacedBlock) -> bool:
    return isinstance(placed.block, ChartBlock | MapBlock | TableBlock | AnalysisBlock)


def chapter_tabs(chapter: Chapter) -> list[Tab]:
    """The chapter's tabs: its introduction (when it has figures or no sections) and one tab
    per ``## `` section."""
    starts = [(chapter.body_line + i, title) for i, title in section_starts(chapter.body)]
    bounds = [(chapter.body_line, "Overview"), *starts]
    tabs: list[Tab] = []
    for number, (start, title) in enumerate(bounds):
        end = bounds[number + 1][0] if number + 1 < len(bounds) else 10**9
        placed = tuple(p for p in chapter.blocks if start <= p.line < end and _figure_block(p))
        if number == 0 and not placed and starts:
            continue
        tabs.append(Tab(len(tabs), title, placed))
    return tabs


def figure_context(cache: MutableMapping[Any, Any], project: Project, engine: Engine) -> Any:
    """The app's figure context (made once, under a lock) and its own lock."""
    found = cache.get(_CONTEXT_KEY)
    if found is None:
        with _LOCK:
            found = cache.get(_CONTEXT_KEY)
            if found is None:
                connection = engine.connect()
                found = (FigureContext(project, connection), threading.Lock())
                cache[_CONTEXT_KEY] = found
    return found


def _override(placed: PlacedBlock, state: ViewState) -> tuple[Any, list[str]]:
    block = placed.block
    update: dict[str, Any] = {}
    kept: list[str] = []
    for name in SELECTORS:
        value = getattr(state, name)
        if value is None:
            continue
        if name in type(block).model_fields:
            update[name] = value
        else:
            kept.append(name.replace("_", " "))
    return (block.model_copy(update=update) if update else block), kept


def view_of(
    cache: MutableMapping[Any, Any],
    project: Project,
    engine: Engine,
    chapter: Chapter,
    state: ViewState,
) -> View:
    """The figures of ``state.tab`` of ``chapter`` (cached per chapter, tab and state)."""
    state = figure_state(state)
    tabs = chapter_tabs(chapter)
    tab = tabs[state.tab]
    key = ("dashboards", "view", chapter.id, state)
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    base, lock = figure_context(cache, project, engine)
    figures: list[Figure] = []
    unchanged: dict[str, str] = {}
    seen: dict[str, int] = {}
    with lock:
        ctx = base
        if state.breakdown is not None or state.comparator is not None:
            lens = ("dashboards", "lens", state.breakdown, state.comparator)
            ctx = cache.get(lens) or base.viewed(
                breakdown=state.breakdown, comparator=state.comparator
            )
            cache[lens] = ctx
        for placed in tab.blocks:
            block, kept = _override(placed, state)
            try:
                made = figures_for_block(ctx, block)
                changed = block is not placed.block or ctx is not base
            except Exception:  # a figure that cannot be drawn this way is drawn as written
                _LOG.info("dashboard %s: %s drawn as written", chapter.id, placed, exc_info=True)
                made = figures_for_block(base, placed.block)
                changed = False
                kept.append("the chosen view (this figure cannot show it)")
            for figure in made:
                count = seen.get(figure.id, 0) + 1
                seen[figure.id] = count
                if count > 1:
                    figure = _renamed(figure, f"{figure.id}-{count}")
                notes = list(kept)
                if set(figure.indicators) & ctx.without_breakdown:
                    notes.append("the breakdown (not published for this indicator)")
                if notes or (not changed and any(getattr(state, n) for n in SELECTORS)):
                    unchanged[figure.id] = ", ".join(notes) or "the selectors"
                figures.append(figure)
    view = View(tab, figures, unchanged)
    cache[key] = view
    return view


def figure_state(state: ViewState) -> ViewState:
    """The part of ``state`` that changes figures (the selected area only highlights)."""
    return ViewState(state.tab, None, *(getattr(state, name) for name in CHOSEN))


def _renamed(figure: Figure, new_id: str) -> Figure:
    from dataclasses import replace

    return replace(figure, id=new_id)


def options_for(
    cache: MutableMapping[Any, Any], project: Project, engine: Engine, chapter: Chapter
) -> dict[str, list[tuple[str, str]]]:
    """Selector choices (value, label) from the results of the chapter's indicators."""
    key = ("dashboards", "options", chapter.id)
    if key in cache:
        return cache[key]  # type: ignore[no-any-return]
    ctx, lock = figure_context(cache, project, engine)
    area_types: set[str] = set()
    periods: set[str] = set()
    areas: dict[str, str] = {}
    slices: dict[str, str] = {}
    with lock:
        names = ctx.area_type_names
        for indicator_id in sorted({i for p in chapter.blocks for i in p.indicator_ids()}):
            try:
                frame = ctx.results(indicator_id)
            except Exception:
                continue
            if frame.empty:
                continue
            area_types.update(str(v) for v in frame["area_type"].dropna().unique())
            if "projected" in frame:
                frame = frame[~frame["projected"]]
            periods.update(str(v) for v in frame["period"].dropna().unique())
            if "area_name" in frame:
                pairs = frame[["area_code", "area_name"]].drop_duplicates("area_code")
                areas.update(zip(pairs["area_code"], pairs["area_name"], strict=True))
            slices.update(_slices(frame))
    options = {
        "area_type": [(t, str(names.get(t, t))) for t in sorted(area_types)],
        "period": [(p, p) for p in sorted(periods, reverse=True)],
        "area": sorted(((c, str(n)) for c, n in areas.items()), key=lambda kv: kv[1]),
        "breakdown": sorted(slices.items(), key=lambda kv: _natural(kv[1])),
        "comparator": [(c.id, c.name) for c in project.config.comparators],
    }
    cache[key] = options
    return options


def _slices(frame: pd.DataFrame) -> dict[str, str]:
    """Breakdown choices in ``frame``: value (``sex:female``) -> label (``Female``)."""
    found: dict[str, str] = {}
    for sex in frame["sex"].dropna().astype(str).unique():
        if sex != "persons":
            found[f"sex:{sex}"] = sex.capitalize()
    for age in frame["age"].dropna().astype(str).unique():
        if age != "all ages":
            found[f"age:{age}"] = f"Age {age}"
    pairs = frame.loc[frame["breakdown_type"].fillna("") != "", ["breakdown_type", "breakdown"]]
    for kind, value in pairs.drop_duplicates().itertuples(index=False):
        found[f"{kind}:{value}"] = f"{str(kind)[:1].upper()}{str(kind)[1:]}: {value}"
    return found


def _natural(label: str) -> list[Any]:
    """Sort key reading numbers as numbers (``Age 5`` before ``Age 10``)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label)]
