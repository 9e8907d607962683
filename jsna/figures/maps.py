"""Choropleth maps of an indicator by area, with service locations, and locator maps.

A map block names an indicator and an area type (``ward23``, ``lsoa21``).
:func:`build` draws every area of that type inside the JSNA area (all of
them when the type is the JSNA's own) from the store's display boundaries,
as a Vega-Lite ``geoshape`` layer with the GeoJSON features inline.

Shading never relies on colour alone:

- the areas fall into (up to) five quantile classes of their values, and
  each legend entry states its range in numbers (``4.1 to 7.9``); colours
  come from the colour-blind-safe sequential scheme of :mod:`.palette`,
  dark where need is greatest (dark = high unless high is good);
- areas without a figure are grey and read ``no data`` or ``suppressed``
  in the legend, tooltip and table;
- the tooltip gives each area's name, value, 95% interval, comparison in
  words and class; the table alternative lists every area with the same.

``colour_by="comparison"`` instead colours each area by its comparison
with the JSNA area's value (better / similar / worse, or higher / lower),
the words again in legend, tooltip and table.

Service points (``points:`` source ids) are drawn over the areas, one shape
per source, with a legend naming the sources and the place name in the
tooltip. :func:`locator` outlines one area among its neighbours, for area
profile pages.

Coordinates are rounded to 5 decimals (about a metre) to keep specs small.
Vega needs clockwise outer rings; :meth:`FigureContext.boundaries` already
orients them.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import select

from jsna.content.chapters import MapBlock
from jsna.geography.registry import AREA_TYPES
from jsna.store.areas import areas_within
from jsna.store.schema import area, area_membership

from .context import FigureContext
from .format import MISSING, SUPPRESSED, format_interval, format_number, format_value
from .model import Column, Figure, Table
from .palette import (
    COMPARISON_ORDER,
    HIGHLIGHT_TEST,
    INK,
    MUTED,
    SEQUENTIAL_SCHEME,
    add_highlight,
    comparison_scale,
    emphasis_encoding,
)
from .summary import (
    area_noun,
    comparison_counts_sentence,
    extremes_sentence,
    no_data_summary,
)
from .tables import (
    ComparatorRef,
    area_table,
    comparators_of,
    compare_with_area,
    empty_table,
    figure_data,
    main_slice,
)

__all__ = ["CLASSES", "MAP_WIDTH", "areas_in_jsna", "build", "locator"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
MAP_WIDTH = 640
"""Width of every map in pixels (CSS scales the SVG); the height follows the area's shape."""
CLASSES = 5
"""Quantile classes of a choropleth."""
AREAS = "areas"
"""Name of the spec's dataset of area features (drawn filled, then the highlight outlined)."""
DECIMALS = 5
"""Decimal places kept in coordinates (about 1 m)."""

VIRIDIS_5 = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
"""Five even steps of the palette's sequential scheme (viridis), light to dark."""
NO_DATA_COLOUR = "#d9d9d9"
SUPPRESSED_COLOUR = "#9e9e9e"
POINT_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down")
POINT_SIZES = (130, 60, 40, 30, 25, 20)
"""Later sources draw smaller, on top, so a shared site shows both marks (a square in a circle)."""
POINT_FILLS = ("#0b0c0c", "#ffffff", "#0b0c0c", "#ffffff", "#0b0c0c", "#ffffff")

assert SEQUENTIAL_SCHEME == "viridis", "VIRIDIS_5 samples the palette's scheme"


_CACHE = "_jsna_figures_areas_in_jsna"
"""Key of the per-context cache of :func:`areas_in_jsna` (area type -> codes)."""

# --- which areas ---------------------------------------------------------------------------


def areas_in_jsna(ctx: FigureContext, area_type: str) -> frozenset[str]:
    """Codes of the areas of ``area_type`` inside (or overlapping) the JSNA area.

    Follows the store's memberships down from the JSNA area. Areas of types
    that do not nest in it (GP practices nest in PCNs and sub-ICB locations,
    not in local authorities) are found through the project's own custom
    areas (practice localities, localities), which lie in the JSNA area by
    definition. The JSNA's own area type gives every area of that type.
    """
    cache: dict[str, frozenset[str]] = ctx.__dict__.setdefault(_CACHE, {})
    if area_type not in cache:
        cache[area_type] = _areas_in_jsna(ctx, area_type)
    return cache[area_type]


def _areas_in_jsna(ctx: FigureContext, area_type: str) -> frozenset[str]:
    config = ctx.project.config.area
    if area_type == config.area_type:
        rows = ctx.connection.execute(select(area.c.code).where(area.c.area_type == area_type))
        return frozenset(rows.scalars())
    within = areas_within(ctx.connection, config.code, config.area_type)
    of_type = _codes_of_type(ctx, area_type)
    found = of_type & within
    if found:
        return found
    return of_type & _members_of_custom_areas(ctx)


def _codes_of_type(ctx: FigureContext, area_type: str) -> frozenset[str]:
    rows = ctx.connection.execute(select(area.c.code).where(area.c.area_type == area_type))
    return frozenset(rows.scalars())


def _members_of_custom_areas(ctx: FigureContext) -> frozenset[str]:
    """Codes of every area that is a member of one of the project's custom areas."""
    parent = area.alias("parent")
    child = area.alias("child")
    query = (
        select(child.c.code)
        .select_from(area_membership)
        .join(parent, parent.c.id == area_membership.c.parent_id)
        .join(child, child.c.id == area_membership.c.child_id)
        .where(parent.c.area_type.notin_(list(AREA_TYPES)))
    )
    return frozenset(ctx.connection.execute(query).scalars())


# --- geometry ------------------------------------------------------------------------------


def _round(geometries: np.ndarray) -> np.ndarray:
    return shapely.transform(geometries, lambda xy: np.round(xy, DECIMALS))


def _features(frame: gpd.GeoDataFrame, properties: pd.DataFrame) -> list[dict[str, Any]]:
    """GeoJSON features with the row's fields beside ``type`` and ``geometry`` (Vega reads
    ``datum.<field>``), in the order of ``frame``."""
    geometries = shapely.to_geojson(_round(frame.geometry.to_numpy()))
    records = properties.to_dict(orient="records")
    return [
        {"type": "Feature", "geometry": json.loads(g), **_clean(r)}
        for g, r in zip(geometries, records, strict=True)
    ]


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe values: NaN/NA -> None, numpy scalars -> Python."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            out[key] = None
        elif isinstance(value, np.generic):
            out[key] = value.item()
        else:
            out[key] = value
    return out


def _height(frame: gpd.GeoDataFrame) -> int:
    """Height that fits the areas' shape at :data:`MAP_WIDTH` in a Mercator projection."""
    west, south, east, north = frame.total_bounds
    if not np.isfinite([west, south, east, north]).all() or east <= west:
        return 400
    middle = math.radians((south + north) / 2)
    ratio = (north - south) / ((east - west) * math.cos(middle))
    return int(min(900, max(240, round(MAP_WIDTH * ratio))))


# --- classes -------------------------------------------------------------------------------


def _classes(values: pd.Series, indicator: Any) -> tuple[pd.Series, list[str]]:
    """Quantile class (1 = lowest) of each value, and each class's label ``low to high``.

    Ties never straddle two classes: breaks that coincide merge their classes,
    so few distinct values give fewer classes.
    """
    present = values.dropna().astype(float)
    classes = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if present.empty:
        return classes, []
    if present.nunique() == 1:
        codes = pd.Series(0, index=present.index)
    else:
        cut = pd.qcut(present, min(CLASSES, present.nunique()), labels=False, duplicates="drop")
        codes = pd.Series(cut, index=present.index).astype(int)
    codes = codes.rank(method="dense").astype(int)
    classes.loc[codes.index] = codes
    bounds = present.groupby(codes).agg(["min", "max"])
    labels = [
        _range(indicator, low, high) for low, high in zip(bounds["min"], bounds["max"], strict=True)
    ]
    return classes, labels


def _range(indicator: Any, low: float, high: float) -> str:
    """``4.1 to 7.9%`` / ``1 to 2 pharmacies``: the unit once, after the upper end."""
    if format_value(indicator, low) == format_value(indicator, high):
        return format_value(indicator, low)
    return f"{format_number(low, indicator.decimals)} to {format_value(indicator, high)}"


def _class_colours(count: int, polarity: str) -> list[str]:
    """``count`` colours of the sequential scheme, light to dark with need (dark = high unless
    high is good)."""
    if count == 0:
        return []
    steps = np.linspace(0, len(VIRIDIS_5) - 1, count).round().astype(int)
    colours = [VIRIDIS_5[i] for i in steps]
    return colours[::-1] if polarity == "high_is_good" else colours


# --- the map -------------------------------------------------------------------------------


def _rows(
    ctx: FigureContext, indicator_id: str, area_type: str, period: str | None
) -> pd.DataFrame:
    frame = ctx.results(indicator_id)
    frame = frame[frame["area_type"] == area_type]
    frame = main_slice(frame)
    if period is not None:
        frame = frame[frame["period"] == period]
    return frame.drop_duplicates("area_code")


def _benchmark(ctx: FigureContext, indicator_id: str, period: str | None) -> float | None:
    """The JSNA area's own value of the indicator for ``period`` (None if not published)."""
    frame = ctx.results(indicator_id)
    frame = main_slice(frame[frame["area_code"] == ctx.area_code])
    if period is not None:
        frame = frame[frame["period"] == period]
    values = frame["value"].dropna()
    return None if values.empty else float(values.iloc[0])


def _statuses(rows: pd.DataFrame) -> pd.Series:
    suppressed = rows["suppressed"].fillna(False).astype(bool)
    status = pd.Series("", index=rows.index, dtype=object)
    status[rows["value"].isna()] = MISSING
    status[suppressed] = SUPPRESSED
    return status


def build(
    ctx: FigureContext,
    block: MapBlock,
    *,
    area_code: str | None = None,
    colour_by: Literal["value", "comparison"] = "value",
) -> Figure:
    """A choropleth of ``block.indicator`` by ``block.area_type`` with ``block.points``.

    ``area_code`` (a profile page's area) is outlined; ``colour_by``
    chooses value classes (default) or comparison with the JSNA area.
    """
    indicator = ctx.indicator(block.indicator)
    area_type = block.area_type
    period = block.period or ctx.latest_period(indicator.id, area_type)
    type_name = ctx.area_type_names.get(area_type, area_type)
    title = f"{indicator.title} by {type_name.lower()}" + (f", {period}" if period else "")
    figure_id = "-".join(["map", indicator.id, area_type, *block.points])
    local = areas_in_jsna(ctx, area_type)
    shapes = ctx.boundaries(area_type)
    shapes = shapes[shapes["area_code"].isin(local)].reset_index(drop=True)
    rows = _rows(ctx, indicator.id, area_type, period)
    rows = rows[rows["area_code"].isin(local)]
    if area_type == ctx.project.config.area.area_type:
        # the JSNA's own type: its area and whichever comparators have figures, not all of England
        shapes = shapes[shapes["area_code"].isin(rows["area_code"])].reset_index(drop=True)
    base = {
        "id": figure_id,
        "kind": "map",
        "title": title,
        "caption": block.caption,
        "indicators": (indicator.id,),
        "area_type": area_type,
        "period": period,
        "sources": _sources(rows),
    }
    if rows.empty:
        return Figure(
            summary=no_data_summary(indicator.title, f"by {area_noun(type_name, 1)}"),
            table=empty_table(title),
            data=figure_data(rows),
            spec=None,
            **base,
        )
    rows = _judge(ctx, indicator, rows, period)
    refs = [*comparators_of(ctx.project, indicator, rows), _jsna_ref(ctx, rows)]
    refs = [r for r in refs if r is not None]
    # Every area drawn gets a row: areas with boundaries but no published figure read "no data".
    names = shapes[["area_code", "area_name"]]
    missing = names[~names["area_code"].isin(rows["area_code"])]
    table_rows = pd.concat([rows, missing.assign(area_type=area_type, period=period)])
    table_rows = table_rows.sort_values("area_name", kind="stable").reset_index(drop=True)
    status = _statuses(table_rows)
    classes, labels = _classes(table_rows["value"].where(status.eq("")), indicator)
    table_rows["map_class"] = classes
    table_rows["shading"] = [
        s if s else labels[int(c) - 1] for s, c in zip(status, classes.fillna(0), strict=True)
    ]
    table = _table(table_rows, indicator, refs, title, status)
    spec = None
    if not shapes.empty:
        properties = _properties(shapes, table_rows, indicator, refs)
        layers = [
            _area_layer(properties, shapes, indicator, labels, refs, colour_by, area_code),
            _outline_layer(area_code),
            *_point_layers(ctx, block.points),
        ]
        features = _features(shapes, properties)
        spec = _map_spec(figure_id, "map", layers, _height(shapes), features)
    return Figure(
        summary=_summary(ctx, indicator, table_rows, type_name, shapes.empty, block.points),
        table=table,
        data=figure_data(
            table_rows.drop(columns=["map_class"]).rename(columns={"shading": "map_class"}),
            extra=("quintile", "map_class"),
        ),
        spec=spec,
        **base,
    )


def _sources(rows: pd.DataFrame) -> tuple[str, ...]:
    if "dataset_versions" not in rows.columns:
        return ()
    versions = {v for text in rows["dataset_versions"].dropna() for v in str(text).split("; ") if v}
    return tuple(sorted(versions))


def _judge(
    ctx: FigureContext, indicator: Any, rows: pd.DataFrame, period: str | None
) -> pd.DataFrame:
    """Add ``compared_with_jsna``: each area against the JSNA area's value, where areas have
    intervals to judge by (blank otherwise)."""
    benchmark = _benchmark(ctx, indicator.id, period)
    if benchmark is None or rows["lower_95"].isna().all():
        return rows
    return compare_with_area(rows, benchmark, indicator.polarity, "compared_with_jsna")


def _jsna_ref(ctx: FigureContext, rows: pd.DataFrame) -> ComparatorRef | None:
    if "compared_with_jsna" not in rows.columns:
        return None
    return ComparatorRef("jsna", ctx.area_name)


def _comparison_word(rows: pd.DataFrame, refs: list[ComparatorRef]) -> pd.Series:
    """The word a comparison-coloured map shows: against the JSNA area, else the first one."""
    if not refs:
        return pd.Series("not compared", index=rows.index)
    column = refs[-1].word_column
    return rows[column].fillna("").replace("", "not compared")


def _properties(
    shapes: gpd.GeoDataFrame, rows: pd.DataFrame, indicator: Any, refs: list[ComparatorRef]
) -> pd.DataFrame:
    """One record per boundary: what the tooltip and colour read."""
    merged = shapes[["area_code"]].merge(rows, on="area_code", how="left")
    status = _statuses(merged)
    suppressed = status.eq(SUPPRESSED)
    out = pd.DataFrame(
        {
            "area_code": merged["area_code"],
            "area_name": merged["area_name"].fillna(merged["area_code"]),
            "value": merged["value"].astype(float).round(6),
            "value_text": [
                format_value(indicator, v, suppressed=s)
                for v, s in zip(merged["value"], suppressed, strict=True)
            ],
            "interval_text": [
                format_interval(indicator, lo, hi) or "none published"
                for lo, hi in zip(merged["lower_95"], merged["upper_95"], strict=True)
            ],
            "shading": merged["shading"].fillna(MISSING),
        }
    )
    for ref in refs:
        words = merged.get(ref.word_column, pd.Series("", index=merged.index))
        out[ref.word_column] = words.fillna("").replace("", "not compared").to_numpy()
    out["comparison"] = _comparison_word(out, refs) if refs else "not compared"
    return out


def _area_layer(
    properties: pd.DataFrame,
    shapes: gpd.GeoDataFrame,
    indicator: Any,
    labels: list[str],
    refs: list[ComparatorRef],
    colour_by: str,
    focus: str | None,
) -> dict[str, Any]:
    tooltip: list[dict[str, Any]] = [
        {"field": "area_name", "type": "nominal", "title": "Area"},
        {"field": "value_text", "type": "nominal", "title": indicator.title},
        {"field": "interval_text", "type": "nominal", "title": "95% confidence interval"},
    ]
    tooltip += [
        {"field": r.word_column, "type": "nominal", "title": f"Compared with {r.name}"}
        for r in refs
    ]
    tooltip.append({"field": "shading", "type": "nominal", "title": "Map class"})
    if colour_by == "comparison":
        words = [w for w in COMPARISON_ORDER if w in set(properties["comparison"])]
        name = refs[-1].name if refs else "the area"
        colour = {
            "field": "comparison",
            "type": "nominal",
            "title": f"Compared with {name}",
            "scale": comparison_scale(words),
        }
    else:
        others = [s for s in (MISSING, SUPPRESSED) if s in set(properties["shading"])]
        colours = _class_colours(len(labels), indicator.polarity)
        others_colours = [NO_DATA_COLOUR if s == MISSING else SUPPRESSED_COLOUR for s in others]
        unit = f" ({indicator.unit})" if indicator.unit else ""
        colour = {
            "field": "shading",
            "type": "ordinal",
            "title": f"{indicator.title}{unit}",
            "scale": {"domain": [*labels, *others], "range": [*colours, *others_colours]},
            "legend": {
                "labelLimit": 260,
                "titleLimit": 400,
                "orient": "right",
                "symbolType": "square",
            },
        }
    colour.setdefault(
        "legend", {"orient": "right", "titleLimit": 400, "labelLimit": 260, "symbolType": "square"}
    )
    return {
        "data": {"name": AREAS},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
        "encoding": {"fill": colour, "tooltip": tooltip},
    }


def _outline_layer(focus: str | None) -> dict[str, Any]:
    """The highlighted (and the page's own) area outlined on top of every other area."""
    test = HIGHLIGHT_TEST + (f" || datum.area_code === {_js(focus)}" if focus else "")
    return {
        "data": {"name": AREAS},
        "transform": [{"filter": test}],
        "mark": {"type": "geoshape", "filled": False},
        "encoding": emphasis_encoding(focus),
    }


def _js(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _point_layers(ctx: FigureContext, source_ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """One layer of every source's service locations, shaped by source."""
    if not source_ids:
        return []
    frames = []
    titles = []
    for source_id in source_ids:
        title = ctx.project.sources[source_id].title
        titles.append(title)
        points = ctx.points(source_id)
        frames.append(
            pd.DataFrame(
                {
                    "name": points["name"],
                    "service": title,
                    "size": POINT_SIZES[min(len(titles) - 1, len(POINT_SIZES) - 1)],
                    "lon": points["lon"].round(DECIMALS),
                    "lat": points["lat"].round(DECIMALS),
                }
            )
        )
    values = pd.concat(frames, ignore_index=True)
    count = len(titles)
    return [
        {
            "data": {"values": values.to_dict(orient="records")},
            "mark": {"type": "point", "filled": True, "strokeWidth": 1, "opacity": 1},
            "encoding": {
                "longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"},
                "shape": {
                    "field": "service",
                    "type": "nominal",
                    "title": "Services",
                    "scale": {"domain": titles, "range": list(POINT_SHAPES[:count])},
                    "legend": {
                        "orient": "bottom",
                        "direction": "vertical",
                        "labelLimit": 640,
                        "symbolSize": 80,
                    },
                },
                "fill": {
                    "field": "service",
                    "type": "nominal",
                    "scale": {"domain": titles, "range": list(POINT_FILLS[:count])},
                    "legend": None,
                },
                "size": {"field": "size", "type": "quantitative", "scale": None, "legend": None},
                "stroke": {"value": INK},
                "tooltip": [
                    {"field": "name", "type": "nominal", "title": "Name"},
                    {"field": "service", "type": "nominal", "title": "Service"},
                ],
            },
        }
    ]


def _map_spec(
    figure_id: str,
    kind: str,
    layers: list[dict[str, Any]],
    height: int,
    features: list[dict[str, Any]],
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "datasets": {AREAS: features},
        "width": MAP_WIDTH,
        "height": height,
        "projection": {"type": "mercator"},
        "layer": layers,
        "config": {"view": {"stroke": None}, "legend": {"labelFontSize": 12, "titleFontSize": 12}},
        "resolve": {"scale": {"fill": "independent"}},
        "usermeta": {"jsna": {"figure": figure_id, "kind": kind}},
    }
    return add_highlight(spec)


# --- table and summary -----------------------------------------------------------------------


def _table(
    rows: pd.DataFrame,
    indicator: Any,
    refs: list[ComparatorRef],
    title: str,
    status: pd.Series,
) -> Table:
    base = area_table(rows, indicator, caption=title, comparators=refs)
    classes = [
        s if s else f"{int(c)} of {int(rows['map_class'].max())}: {label}"
        for s, c, label in zip(status, rows["map_class"].fillna(0), rows["shading"], strict=True)
    ]
    new_rows = tuple((*row, cls) for row, cls in zip(base.rows, classes, strict=True))
    judgements = tuple((*j, "") for j in base.judgements)
    notes = (*base.notes, "Map class: quantile classes of the values, 1 the lowest.")
    if (status == MISSING).any():
        notes = (*notes, "Areas reading 'no data' have no published figure.")
    return replace(
        base,
        columns=(*base.columns, Column("Map class")),
        rows=new_rows,
        judgements=judgements,
        notes=notes,
    )


def _summary(
    ctx: FigureContext,
    indicator: Any,
    rows: pd.DataFrame,
    type_name: str,
    no_shapes: bool,
    points: tuple[str, ...],
) -> str:
    shown = rows[_statuses(rows).eq("")]
    nouns = area_noun(type_name, len(rows))
    if shown.empty:
        return no_data_summary(indicator.title, f"for the {nouns} of {ctx.area_name}")
    values = shown["value"].astype(float)
    sentences = [
        f"The map shades {len(rows)} {nouns} of {ctx.area_name} by {indicator.title} "
        f"in {int(rows['map_class'].max())} classes.",
        extremes_sentence(shown, indicator),
    ]
    if len(shown) > 1:
        spread = format_value(indicator, values.max() - values.min())
        sentences.append(f"The range is {spread}.")
    hidden = len(rows) - len(shown)
    if hidden:
        sentences.append(f"{hidden} of the {nouns} have no figure (no data or suppressed).")
    if "compared_with_jsna" in rows.columns:
        sentences.append(
            comparison_counts_sentence(rows["compared_with_jsna"], ctx.area_name, nouns)
        )
    if points:
        counts = [f"{ctx.project.sources[s].title} ({len(ctx.points(s))})" for s in points]
        sentences.append(f"Locations shown: {'; '.join(counts)}.")
    if no_shapes:
        sentences.append("No boundaries are loaded for this area type, so only the table is shown.")
    return " ".join(s for s in sentences if s)


# --- locator ---------------------------------------------------------------------------------


def locator(ctx: FigureContext, area_type: str, area_code: str) -> Figure:
    """The area ``area_code`` filled dark among the other areas of its type in the JSNA area."""
    type_name = ctx.area_type_names.get(area_type, area_type)
    local = areas_in_jsna(ctx, area_type) | {area_code}
    shapes = ctx.boundaries(area_type)
    shapes = shapes[shapes["area_code"].isin(local)].reset_index(drop=True)
    match = shapes[shapes["area_code"] == area_code]
    name = str(match["area_name"].iloc[0]) if not match.empty else area_code
    title = f"Where {name} is"
    figure_id = f"locator-{area_type}-{area_code}"
    data = pd.DataFrame({"area_code": [area_code], "area_name": [name], "area_type": [area_type]})
    table = Table(
        caption=title,
        columns=(Column("Area"), Column("Area type"), Column("Code")),
        rows=((name, type_name, area_code),),
    )
    base = {"id": figure_id, "kind": "map", "title": title, "caption": "", "area_type": area_type}
    if match.empty:
        summary = f"No boundary of {name} ({type_name.lower()}) is loaded."
        return Figure(summary=summary, table=table, data=data, spec=None, **base)
    others = f"Other {area_noun(type_name, 2)}"
    properties = shapes[["area_code", "area_name"]].assign(
        status=np.where(shapes["area_code"] == area_code, name, others)
    )
    layer = {
        "data": {"name": AREAS},
        "mark": {"type": "geoshape", "stroke": MUTED, "strokeWidth": 0.5},
        "encoding": {
            "fill": {
                "field": "status",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [name, others], "range": [INK, "#dee0e2"]},
                "legend": {"orient": "bottom", "symbolType": "square", "labelLimit": 300},
            },
            "tooltip": [{"field": "area_name", "type": "nominal", "title": "Area"}],
        },
    }
    features = _features(shapes, properties)
    spec = _map_spec(figure_id, "map", [layer, _outline_layer(None)], _height(shapes), features)
    spec["width"] = 320
    spec["height"] = max(160, spec["height"] // 2)
    summary = (
        f"{name} is one of {len(shapes)} {area_noun(type_name, len(shapes))} in {ctx.area_name}; "
        "it is filled dark on the map."
    )
    return Figure(summary=summary, table=table, data=data, spec=spec, **base)
