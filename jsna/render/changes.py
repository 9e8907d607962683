"""``changes.html``: what changed since the previous vintage of the data.

The previous vintage is found in the store's dataset versions: every source
whose current version replaced an older one was refreshed, and the page
compares the figures of each refreshed source's previous version with those
of its current one (:func:`jsna.ingest.changes.changes_between`, the
comparison of ``changes_since`` restricted to those versions, so a build
reads only the refreshed sources' observations). With no refreshed source (a
first edition) the page says so plainly. Comparisons with England are made
within each source's own figures (a source without England rows has none).

These are *source* figures (observations), before
disclosure control. This page never shows a source figure unless the JSNA
publishes that same figure:

- an indicator that shows a source's published value (``method:
  value_only``, e.g. life expectancy from Fingertips) lists each changed
  figure with its previous and new value and its comparison with England
  before and after, for the JSNA area, its comparators and the areas inside
  it, and only where the new value is published (not suppressed) and equals
  the source's;
- an indicator that jsna recomputes from counts lists how many of its source
  figures changed and which periods are new, without numbers (the previous
  counts could be small numbers that disclosure control hides), with a link
  to the indicator page's current figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from jsna.content.indicators import Indicator, Selection
from jsna.figures.context import FigureContext
from jsna.figures.format import format_value, is_missing
from jsna.figures.model import Column, Figure, Table
from jsna.ingest.changes import changes_between
from jsna.store.areas import areas_within
from jsna.store.versions import Version, list_versions

from .pages import Page

__all__ = ["CHANGE_WORDS", "Refresh", "changes_page", "refreshed_sources"]

CHANGE_WORDS = {
    "new": "new figure",
    "removed": "no longer in the source",
    "value": "value changed",
    "significance": "comparison with England changed",
    "value, significance": "value and comparison with England changed",
}
"""How each kind of change of :func:`changes_since` reads on the page."""

VALUE_COLUMNS = {
    "indicator_id": "indicator_id",
    "indicator": "indicator",
    "area_code": "area_code",
    "area_name": "area_name",
    "area_type": "area_type",
    "period": "period",
    "change": "change",
    "previous_value": "previous_value",
    "new_value": "new_value",
    "previous_comparison_with_england": "previous_comparison_with_england",
    "new_comparison_with_england": "new_comparison_with_england",
}
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Refresh:
    """A source whose current version replaced an older one."""

    source_id: str
    previous: Version
    current: Version


def refreshed_sources(connection: Connection) -> list[Refresh]:
    """Every source whose current version was imported after an older version, by source id."""
    listed: dict[str, list[Version]] = {}
    for version in list_versions(connection):
        listed.setdefault(version.source_id, []).append(version)
    found = []
    for source_id, versions in sorted(listed.items()):
        current = next((v for v in versions if v.is_current), None)
        if current is None:
            continue
        older = [v for v in versions if (v.imported_at, v.id) < (current.imported_at, current.id)]
        if older:
            found.append(Refresh(source_id, older[-1], current))
    return found


def _selections(indicator: Indicator) -> list[Selection]:
    parts = (indicator.numerator, indicator.denominator, indicator.value, indicator.reference)
    return [part for part in parts if part is not None]


def _measures(indicator: Indicator, sources: Iterable[str]) -> set[str]:
    """Measure ids the indicator reads from any of ``sources``."""
    wanted = set(sources)
    return {s.measure for s in _selections(indicator) if (s.source or indicator.source) in wanted}


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def _selected(raw: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """Rows of ``raw`` that a value selection keeps (measure, sex, age, breakdown)."""
    keep = raw["indicator_id"] == selection.measure
    keep &= raw["sex"].isin(_as_tuple(selection.sex))
    if selection.age != "bands":
        keep &= raw["age"].isin(_as_tuple(selection.age))
    keep &= raw["breakdown_type"].fillna("") == selection.breakdown_type
    if selection.categories is None:
        keep &= raw["breakdown"].fillna("") == ""
    elif selection.categories != "all":
        keep &= raw["breakdown"].isin(selection.categories)
    return raw[keep]


def _value_rows(
    ctx: FigureContext, indicator: Indicator, raw: pd.DataFrame, shown: frozenset[str]
) -> pd.DataFrame:
    """Changed published values of a ``value_only`` indicator, checked against its results."""
    assert indicator.value is not None
    rows = _selected(raw, indicator.value)
    rows = rows[rows["area_code"].isin(shown)]
    if rows.empty:
        return rows.assign(area_name="")
    results = ctx.results(indicator.id)
    results = results[~results["projected"] & ~results["suppressed"].astype(bool)]
    published = results[["area_code", "period", "area_name", "value"]].drop_duplicates(
        subset=["area_code", "period"]
    )
    joined = rows.merge(published, on=["area_code", "period"], how="left")
    new = joined["new_value"].astype(float).to_numpy()
    value = pd.to_numeric(joined["value"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        same = np.abs(new - value) <= _TOLERANCE * np.maximum(1.0, np.abs(value))
    removed = (joined["change"] == "removed").to_numpy() & np.isnan(value)
    kept: pd.DataFrame = joined[same | removed].copy()
    names = dict(zip(results["area_code"], results["area_name"], strict=False))
    kept["area_name"] = kept["area_code"].map(names).fillna(kept["area_code"])
    return kept


def _recomputed(indicator: Indicator, raw: pd.DataFrame, measures: set[str]) -> dict[str, Any]:
    rows = raw[raw["indicator_id"].isin(measures)]
    new_periods = sorted(set(rows.loc[rows["change"] == "new", "period"].astype(str)))
    return {
        "changed": int((rows["change"] != "new").sum()),
        "new": int((rows["change"] == "new").sum()),
        "new_periods": new_periods,
    }


def _fmt(indicator: Indicator, value: Any) -> str:
    return "" if is_missing(value) else format_value(indicator, value)


def _group(
    ctx: FigureContext, raw: pd.DataFrame, refreshed: dict[str, Version]
) -> tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame]:
    """Per affected indicator: its changed values or its recomputation summary."""
    config = ctx.project.config
    shown = areas_within(ctx.connection, config.area.code, config.area.area_type)
    shown = shown | {config.area.code}
    shown |= {
        code for c in config.comparators if c.kind in ("england", "region") for code in c.codes
    }
    changed_measures = set(raw["indicator_id"].astype(str))
    groups: list[dict[str, Any]] = []
    value_frames: list[pd.DataFrame] = []
    summaries: list[dict[str, Any]] = []
    for indicator in sorted(ctx.project.indicators.values(), key=lambda i: i.title.lower()):
        measures = _measures(indicator, refreshed) & changed_measures
        if not measures:
            continue
        sources = sorted({s.source or indicator.source for s in _selections(indicator)})
        entry: dict[str, Any] = {
            "id": indicator.id,
            "title": indicator.title,
            "path": f"indicators/{indicator.id}.html",
            "sources": [
                ctx.project.sources[s].title if s in ctx.project.sources else s
                for s in sources
                if s in refreshed
            ],
            "rows": [],
            "recomputed": None,
        }
        if indicator.method == "value_only" and indicator.value is not None:
            rows = _value_rows(ctx, indicator, raw, shown)
            if rows.empty:
                continue
            frame = pd.DataFrame(
                {
                    "indicator_id": indicator.id,
                    "indicator": indicator.title,
                    "area_code": rows["area_code"].to_numpy(),
                    "area_name": rows["area_name"].to_numpy(),
                    "area_type": rows["area_type"].to_numpy(),
                    "period": rows["period"].astype(str).to_numpy(),
                    "change": rows["change"].map(CHANGE_WORDS).to_numpy(),
                    "previous_value": rows["old_value"].to_numpy(),
                    "new_value": rows["new_value"].to_numpy(),
                    "previous_comparison_with_england": rows["old_comparison"].to_numpy(),
                    "new_comparison_with_england": rows["new_comparison"].to_numpy(),
                }
            ).sort_values(["period", "area_name"], ascending=[False, True])
            value_frames.append(frame)
            entry["rows"] = [
                {
                    "area": f"{r.area_name} ({r.area_code})",
                    "period": r.period,
                    "change": r.change,
                    "old": _fmt(indicator, r.previous_value),
                    "new": _fmt(indicator, r.new_value),
                    "old_comparison": r.previous_comparison_with_england,
                    "new_comparison": r.new_comparison_with_england,
                }
                for r in frame.itertuples(index=False)
            ]
        else:
            summary = _recomputed(indicator, raw, measures)
            entry["recomputed"] = summary
            summaries.append(
                {
                    "indicator_id": indicator.id,
                    "indicator": indicator.title,
                    "source_figures_changed": summary["changed"],
                    "source_figures_new": summary["new"],
                    "new_periods": ", ".join(summary["new_periods"]),
                }
            )
        groups.append(entry)
    values = (
        pd.concat(value_frames, ignore_index=True)
        if value_frames
        else pd.DataFrame(columns=list(VALUE_COLUMNS))
    )
    return groups, values, pd.DataFrame(summaries, columns=_SUMMARY_COLUMNS)


_SUMMARY_COLUMNS = [
    "indicator_id",
    "indicator",
    "source_figures_changed",
    "source_figures_new",
    "new_periods",
]


def _value_figure(groups: list[dict[str, Any]], values: pd.DataFrame) -> Figure:
    labels = (
        "Indicator",
        "Area",
        "Period",
        "Change",
        "Previous value",
        "New value",
        "Previous comparison with England",
        "New comparison with England",
    )
    rows = tuple(
        (
            g["title"],
            r["area"],
            r["period"],
            r["change"],
            r["old"],
            r["new"],
            r["old_comparison"],
            r["new_comparison"],
        )
        for g in groups
        for r in g["rows"]
    )
    table = Table(
        caption="Changed figures",
        columns=tuple(Column(label, numeric=label.endswith("value")) for label in labels),
        rows=rows,
    )
    return Figure(
        id="changed-figures",
        kind="table",
        title="Changed figures",
        caption="Published figures whose value or comparison with England changed.",
        summary=f"{len(rows)} published figures changed since the previous vintage.",
        table=table,
        data=values.reset_index(drop=True),
        indicators=tuple(dict.fromkeys(values["indicator_id"].astype(str))),
    )


def _recomputed_figure(summaries: pd.DataFrame) -> Figure:
    labels = ("Indicator", "Source figures changed", "Source figures new", "New periods")
    rows = tuple(
        tuple(
            str(cell)
            for cell in (r.indicator, r.source_figures_changed, r.source_figures_new, r.new_periods)
        )
        for r in summaries.itertuples(index=False)
    )
    table = Table(
        caption="Indicators recomputed from new data",
        columns=tuple(Column(label, numeric="figures" in label) for label in labels),
        rows=rows,
    )
    return Figure(
        id="recomputed-indicators",
        kind="table",
        title="Indicators recomputed from new data",
        caption="Counts of source figures that changed; the current figures are on each "
        "indicator's page.",
        summary=f"{len(rows)} indicators were recomputed from a new version of their data.",
        table=table,
        data=summaries.reset_index(drop=True),
        indicators=tuple(summaries["indicator_id"].astype(str)),
    )


def changes_page(ctx: FigureContext) -> Page:
    """``changes.html``: changes by indicator since the previous vintage (or "first edition")."""
    refreshes = refreshed_sources(ctx.connection)
    common: dict[str, Any] = {
        "path": "changes.html",
        "kind": "changes",
        "title": "What changed",
        "template": "changes.html",
        "breadcrumbs": (("Home", "index.html"),),
        "topics": ("changes",),
    }
    if not refreshes:
        return Page(
            **common,
            context={"first": True, "groups": [], "sources": []},
            summary="First edition: nothing to compare with a previous vintage of the data.",
        )
    raw = changes_between(
        ctx.connection, [r.previous.id for r in refreshes], [r.current.id for r in refreshes]
    )
    groups, values, summaries = _group(ctx, raw, {r.source_id: r.current for r in refreshes})
    sources = [
        {
            "id": r.source_id,
            "title": ctx.project.sources[r.source_id].title
            if r.source_id in ctx.project.sources
            else r.source_id,
            "previous": f"{r.previous.file_name}, imported {r.previous.imported_at:%d %B %Y}",
            "current": f"{r.current.file_name}, imported {r.current.imported_at:%d %B %Y}",
        }
        for r in refreshes
    ]
    changed = len(groups)
    return Page(
        **common,
        context={"first": False, "groups": groups, "sources": sources},
        figures=[_value_figure(groups, values), _recomputed_figure(summaries)],
        summary=f"{changed} indicator{'s' if changed != 1 else ''} changed with new data from "
        f"{len(sources)} source{'s' if len(sources) != 1 else ''}.",
    )
