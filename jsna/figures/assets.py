"""Community assets figures: assets per 1,000 residents by area beside need, a map, the list.

An ``assets`` block draws

- ``assets-<area type>``: assets per 1,000 residents by area (bars, highest
  need first when a need indicator is named), with a table of the counts by
  category, the population, the rate and the need figure of every area;
- ``assets-map-<need>-<area type>`` (when ``need`` is named): the need
  choropleth of :mod:`jsna.figures.maps` with the assets as points, one
  shape per category;
- ``assets-list``: every asset with its category, source and area (its data
  twin is the asset layer's export, with coordinates).

Counting and rates are in :mod:`jsna.analysis.assets`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from jsna.analysis.assets import assets_by_area, stored_assets
from jsna.content.blocks import AssetsBlock
from jsna.content.chapters import MapBlock

from .context import FigureContext
from .format import MISSING, format_number, format_value
from .maps import DECIMALS, POINT_FILLS, POINT_SHAPES, areas_in_jsna
from .maps import build as build_map
from .model import Column, Figure, Table
from .palette import HIGHLIGHT_TEST, INK, MUTED, add_highlight
from .summary import area_noun, join_words
from .tables import main_slice

__all__ = ["build", "collect_assets"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
NEED_COLOUR = "#3b528b"
"""Colour of the need bars (a step of the map's viridis scheme), apart from the assets' grey."""
CATEGORY_LIMIT = len(POINT_SHAPES)
"""Categories with their own shape on the map; more share the last one ("other")."""


def collect_assets(ctx: FigureContext, block: AssetsBlock) -> pd.DataFrame:
    """Every asset of the block: ``name``, ``category``, ``source``, ``lon``, ``lat``.

    A declared source's places are its file's rows with coordinates, one per
    name and position (a site listed once per facility counts once).
    """
    frames = []
    for item in block.sources:
        points = ctx.points(item.source).drop_duplicates(["name", "lon", "lat"])
        frames.append(
            points.assign(category=item.category, source=ctx.project.sources[item.source].title)
        )
    if block.lists:
        imported = stored_assets(ctx.connection, block.lists)
        frames.append(imported.assign(source="Imported list: " + imported["list_name"]))
    columns = ["name", "category", "source", "lon", "lat"]
    frames = [f[columns] for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


def _area_values(ctx: FigureContext, indicator_id: str, area_type: str) -> pd.DataFrame:
    """``area_code``, ``value``, ``period``, ``suppressed`` of an indicator's headline rows at
    the latest period of ``area_type``."""
    period = ctx.latest_period(indicator_id, area_type)
    frame = ctx.results(indicator_id)
    rows = frame[(frame["area_type"] == area_type) & (frame["period"] == period)]
    rows = main_slice(rows)
    return rows[["area_code", "value", "period", "suppressed"]].drop_duplicates("area_code")


def build(ctx: FigureContext, block: AssetsBlock, *, area_code: str | None = None) -> list[Figure]:
    """The assets-by-area figure, the map beside need (when ``need`` is named) and the list."""
    area_type = block.area_type
    type_name = ctx.area_type_names.get(area_type, area_type)
    assets = collect_assets(ctx, block)
    shapes = ctx.boundaries(area_type)
    shapes = shapes[shapes["area_code"].isin(areas_in_jsna(ctx, area_type))]
    people = _area_values(ctx, block.population, area_type)
    population = people.rename(columns={"value": "population"})
    population.loc[population["suppressed"].astype(bool), "population"] = np.nan
    by_area, placed = assets_by_area(assets, shapes, population)
    need = None
    if block.need:
        need = _area_values(ctx, block.need, area_type).rename(
            columns={"value": "need", "period": "need_period"}
        )
        by_area = by_area.merge(need.drop(columns="suppressed"), on="area_code", how="left")
    pop_period = str(people["period"].iloc[0]) if not people.empty else ""
    figures = [_rates_figure(ctx, block, by_area, placed, type_name, pop_period, area_code)]
    imported = set(assets["source"].str.removeprefix("Imported list: "))
    missing = [name for name in block.lists if name not in imported]
    if missing:
        names = join_words([repr(name) for name in missing])
        noun = "list" if len(missing) == 1 else "lists"
        note = f" The asset {noun} {names} {'is' if len(missing) == 1 else 'are'} not imported yet"
        note += " (jsna assets import)."
        figures[0] = replace(figures[0], summary=figures[0].summary + note)
    if block.need:
        figures.append(_map_figure(ctx, block, placed, by_area, area_code))
    figures.append(_list_figure(ctx, block, placed, type_name))
    return figures


# --- assets per 1,000 by area ------------------------------------------------------------------


def _rates_figure(
    ctx: FigureContext,
    block: AssetsBlock,
    by_area: pd.DataFrame,
    placed: pd.DataFrame,
    type_name: str,
    pop_period: str,
    focus: str | None,
) -> Figure:
    area_type = block.area_type
    categories = [c for c in by_area.columns if c.startswith("category: ")]
    need_indicator = ctx.indicator(block.need) if block.need else None
    title = f"Community assets per 1,000 residents by {area_noun(type_name, 1)}"
    if need_indicator is not None:
        title += f", beside {need_indicator.title}"
    order = by_area
    if need_indicator is not None:
        ascending = need_indicator.polarity == "high_is_good"
        order = by_area.sort_values("need", ascending=ascending, na_position="last", kind="stable")
    table = _rates_table(by_area, categories, need_indicator, title)
    summary = _rates_summary(ctx, by_area, placed, categories, type_name, pop_period, block)
    spec = None
    if not by_area.empty and by_area["per_1000"].notna().any():
        spec = _bars_spec(f"assets-{area_type}", order, need_indicator, focus)
    data = by_area.copy()
    data.insert(2, "area_type", area_type)
    data.insert(3, "population_period", pop_period)
    return Figure(
        id=f"assets-{area_type}",
        kind="assets",
        title=title,
        caption=block.caption,
        summary=summary,
        table=table,
        data=data.rename(columns={"per_1000": "assets_per_1000"}),
        spec=spec,
        indicators=(block.population, *((block.need,) if block.need else ())),
        area_type=area_type,
        period=pop_period or None,
    )


def _rates_table(by_area: pd.DataFrame, categories: list[str], need: Any, caption: str) -> Table:
    columns = [Column("Area"), Column("Residents", numeric=True)]
    columns += [Column(c.removeprefix("category: "), numeric=True) for c in categories]
    columns += [Column("All assets", numeric=True), Column("Per 1,000 residents", numeric=True)]
    if need is not None:
        columns.append(Column(need.title, numeric=True))
    rows = []
    for _, row in by_area.iterrows():
        cells = [str(row["area_name"]), format_number(row["population"], 0)]
        cells += [str(int(row[c])) for c in categories]
        cells += [str(int(row["assets"])), format_number(row["per_1000"], 2)]
        if need is not None:
            cells.append(format_value(need, row["need"]) if pd.notna(row["need"]) else MISSING)
        rows.append(tuple(cell if cell else MISSING for cell in cells))
    notes = []
    if need is not None and "need_period" in by_area.columns:
        periods = sorted({str(p) for p in by_area["need_period"].dropna()})
        if periods:
            notes.append(f"{need.title}: {', '.join(periods)}.")
    return Table(caption, tuple(columns), tuple(rows), (), tuple(notes))


def _rates_summary(
    ctx: FigureContext,
    by_area: pd.DataFrame,
    placed: pd.DataFrame,
    categories: list[str],
    type_name: str,
    pop_period: str,
    block: AssetsBlock,
) -> str:
    inside = int((placed["area_code"] != "").sum()) if not placed.empty else 0
    if by_area.empty or inside == 0:
        return f"No community assets are placed in {ctx.area_name}'s {area_noun(type_name, 2)}."
    areas = len(by_area)
    people = by_area["population"].sum(min_count=1)
    overall = inside / people * 1000 if people and pd.notna(people) else np.nan
    kinds = len(categories)
    text = (
        f"{inside} community assets in {kinds} {'category' if kinds == 1 else 'categories'} "
        f"across {areas} {area_noun(type_name, areas)} of {ctx.area_name}"
    )
    if pd.notna(overall):
        text += f": {format_number(overall, 2)} per 1,000 residents ({pop_period} population)"
    text += "."
    rated = by_area.dropna(subset=["per_1000"])
    if len(rated) > 1:
        high = rated.loc[rated["per_1000"].idxmax()]
        low = rated.loc[rated["per_1000"].idxmin()]
        text += (
            f" Most in {high['area_name']} ({format_number(high['per_1000'], 2)} per 1,000), "
            f"fewest in {low['area_name']} ({format_number(low['per_1000'], 2)})."
        )
    outside = len(placed) - inside
    if outside:
        text += (
            f" {outside} listed outside these areas {'is' if outside == 1 else 'are'} not counted."
        )
    if block.need and "need" in by_area.columns:
        text += _need_sentence(ctx, by_area, block.need)
    return text


def _need_sentence(ctx: FigureContext, by_area: pd.DataFrame, need_id: str) -> str:
    """Assets per 1,000 in the fifth of areas with the greatest need against the rest."""
    indicator = ctx.indicator(need_id)
    rated = by_area.dropna(subset=["per_1000", "need"])
    if len(rated) < 5 or indicator.polarity == "no_judgement":
        return ""
    worst_first = rated.sort_values("need", ascending=indicator.polarity == "high_is_good")
    top = max(1, len(rated) // 5)
    most, rest = worst_first.head(top), worst_first.iloc[top:]
    rate_most = most["assets"].sum() / most["population"].sum() * 1000
    rate_rest = rest["assets"].sum() / rest["population"].sum() * 1000
    names = join_words([str(n) for n in most["area_name"]])
    return (
        f" In the {top} with the greatest need on {indicator.title} ({names}) there are "
        f"{format_number(rate_most, 2)} assets per 1,000 residents, against "
        f"{format_number(rate_rest, 2)} in the other {len(rest)}."
    )


def _bars_spec(figure_id: str, order: pd.DataFrame, need: Any, focus: str | None) -> dict[str, Any]:
    """Bars of assets per 1,000 by area; with a need indicator, its bars beside them (same
    rows, greatest need first)."""
    values = []
    for _, row in order.iterrows():
        record = {
            "area_code": row["area_code"],
            "area_name": row["area_name"],
            "per_1000": None if pd.isna(row["per_1000"]) else round(float(row["per_1000"]), 3),
            "assets": int(row["assets"]),
            "rate_text": format_number(row["per_1000"], 2),
        }
        if need is not None:
            record["need"] = None if pd.isna(row["need"]) else round(float(row["need"]), 6)
            record["need_text"] = (
                format_value(need, row["need"]) if pd.notna(row["need"]) else MISSING
            )
        values.append(record)
    tooltip = [
        {"field": "area_name", "type": "nominal", "title": "Area"},
        {"field": "assets", "type": "quantitative", "title": "Assets"},
        {"field": "rate_text", "type": "nominal", "title": "Per 1,000 residents"},
    ]
    if need is not None:
        tooltip.append({"field": "need_text", "type": "nominal", "title": need.title})
    outline = (
        {"condition": {"test": f"datum.area_code === '{focus}'", "value": 2}, "value": 0}
        if focus
        else {"value": 0}
    )

    def bars(field: str, title: str, shown: bool, colour: str) -> dict[str, Any]:
        return {
            "width": 300 if need is not None else 480,
            "height": {"step": 18},
            "mark": {"type": "bar", "stroke": INK},
            "encoding": {
                "y": {
                    "field": "area_name",
                    "type": "nominal",
                    "sort": None,
                    "title": None,
                    "axis": {"labelLimit": 200} if shown else None,
                },
                "x": {"field": field, "type": "quantitative", "title": title},
                "color": {"condition": {"test": HIGHLIGHT_TEST, "value": INK}, "value": colour},
                "strokeWidth": outline,
                "tooltip": tooltip,
            },
        }

    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "data": {"values": values},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "assets"}},
    }
    rates = bars("per_1000", "Community assets per 1,000 residents", True, MUTED)
    if need is None:
        spec.update(rates)
    else:
        unit = f" ({need.unit})" if getattr(need, "unit", "") else ""
        spec["hconcat"] = [
            rates,
            bars("need", f"{need.title}{unit}", False, NEED_COLOUR),
        ]
        spec["title"] = {
            "text": f"Areas in order of need, greatest first: {need.title}",
            "anchor": "start",
            "fontSize": 12,
            "fontWeight": "normal",
        }
    return add_highlight(spec)


# --- the map ---------------------------------------------------------------------------------


def _category_layer(placed: pd.DataFrame) -> dict[str, Any]:
    """The assets as points, shaped and filled by category."""
    inside = placed[placed["area_code"] != ""]
    categories = list(dict.fromkeys(inside["category"]))
    shown = categories[: CATEGORY_LIMIT - 1] if len(categories) > CATEGORY_LIMIT else categories
    legend_category = inside["category"].where(inside["category"].isin(shown), "Other")
    domain = shown + (["Other"] if len(shown) < len(categories) else [])
    values = pd.DataFrame(
        {
            "name": inside["name"],
            "category": legend_category,
            "lon": inside["lon"].astype(float).round(DECIMALS),
            "lat": inside["lat"].astype(float).round(DECIMALS),
        }
    )
    count = len(domain)
    return {
        "data": {"values": values.to_dict(orient="records")},
        "mark": {"type": "point", "filled": True, "strokeWidth": 1, "opacity": 0.9, "size": 45},
        "encoding": {
            "longitude": {"field": "lon", "type": "quantitative"},
            "latitude": {"field": "lat", "type": "quantitative"},
            "shape": {
                "field": "category",
                "type": "nominal",
                "title": "Community assets",
                "scale": {"domain": domain, "range": list(POINT_SHAPES[:count])},
                "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 640},
            },
            "fill": {
                "field": "category",
                "type": "nominal",
                "scale": {"domain": domain, "range": list(POINT_FILLS[:count])},
                "legend": None,
            },
            "stroke": {"value": INK},
            "tooltip": [
                {"field": "name", "type": "nominal", "title": "Name"},
                {"field": "category", "type": "nominal", "title": "Category"},
            ],
        },
    }


def _map_figure(
    ctx: FigureContext,
    block: AssetsBlock,
    placed: pd.DataFrame,
    by_area: pd.DataFrame,
    focus: str | None,
) -> Figure:
    assert block.need is not None
    need_map = build_map(
        ctx,
        MapBlock(block="map", indicator=block.need, area_type=block.area_type),
        area_code=focus,
    )
    figure_id = f"assets-map-{block.need}-{block.area_type}"
    spec = need_map.spec
    if spec is not None:
        spec = {**spec, "layer": [*spec["layer"], _category_layer(placed)]}
        spec["usermeta"] = {"jsna": {"figure": figure_id, "kind": "map"}}
    inside = int((placed["area_code"] != "").sum())
    return replace(
        need_map,
        id=figure_id,
        title=f"{need_map.title}, with {inside} community assets",
        caption=block.caption,
        summary=f"{need_map.summary} The map shows {inside} community assets as points, "
        "one shape per category.",
        spec=spec,
    )


# --- the list (the layer's export) ------------------------------------------------------------


def _list_figure(
    ctx: FigureContext, block: AssetsBlock, placed: pd.DataFrame, type_name: str
) -> Figure:
    title = "Community assets: the list"
    ordered = placed.sort_values(["category", "name"], kind="stable").reset_index(drop=True)
    rows = tuple(
        (str(r["name"]), str(r["category"]), str(r["area_name"]), str(r["source"]))
        for _, r in ordered.iterrows()
    )
    counts = ordered["category"].value_counts()
    parts = [f"{counts[c]} {c}" for c in dict.fromkeys(ordered["category"])]
    summary = (
        f"{len(ordered)} community assets: {join_words(parts)}."
        if len(ordered)
        else "No community assets are listed."
    )
    data = ordered[["name", "category", "source", "area_code", "area_name", "lon", "lat"]].copy()
    data.insert(3, "area_type", block.area_type)
    return Figure(
        id="assets-list",
        kind="assets",
        title=title,
        caption=block.caption,
        summary=summary,
        table=Table(
            title,
            (Column("Name"), Column("Category"), Column(type_name), Column("Source")),
            rows,
        ),
        data=data,
        spec=None,
        area_type=block.area_type,
    )
