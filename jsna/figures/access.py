"""Pharmacy access figures (``pharmacy_access`` blocks): maps, charts by area and deprivation,
and opening hours.

The maths is :func:`jsna.analysis.access.pharmacy_access`, computed once per
block and figure context. :func:`build` returns, in order:

1. a map of the neighbourhoods (LSOAs) shaded by the distance from their
   centre to the nearest pharmacy, with the pharmacies marked (open on
   Sunday or not, when the list has opening hours);
2. with opening hours, the same map for pharmacies open on Sunday;
3. one chart per ``by`` area type (wards, deprivation deciles): the share of
   residents within each distance;
4. with opening hours, the share of residents within the last distance of a
   pharmacy open at all, on weekday evenings, on Saturday and on Sunday, with
   the wards that lose most at weekends.

The distance map's table lists every neighbourhood (furthest first) and its
data download adds the centre used and every opening-time group's distance.

Every summary states the method (straight-line distance from a centre
estimated from postcodes) and the edge effect (pharmacies outside the area
are not on its list). Populations are published ONS estimates: nothing here
needs suppression.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jsna.analysis.access import EDGE_NOTE, AccessResult, limit_key, pharmacy_access, summarise
from jsna.analysis.travel import StraightLine
from jsna.content.blocks.access import PharmacyAccessBlock

from .context import FigureContext
from .format import format_number
from .maps import (
    MAP_WIDTH,
    NO_DATA_COLOUR,
    VIRIDIS_5,
    _features,
    _height,
    _map_spec,
    _outline_layer,
    areas_in_jsna,
)
from .model import Column, Figure, Table
from .palette import INK, add_highlight, emphasis_encoding
from .summary import join_words

__all__ = ["access_result", "build", "distance_bands"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
BAR_COLOURS = ("#12436d", "#28a197", "#801650", "#f46a25")
"""Colour-blind-safe categorical colours (Analysis Function palette), one per distance."""
NO_PHARMACY = "no pharmacy listed"


# --- the analysis, once per context ------------------------------------------------------------


def access_result(ctx: FigureContext, block: PharmacyAccessBlock) -> AccessResult:
    """The block's analysis, computed once per figure context."""
    key = (
        "pharmacy_access",
        block.population,
        block.pharmacies,
        block.area_type,
        block.by,
        block.distances_km,
        block.centres_file,
        block.centres_column,
        block.evening_after,
        block.travel,
    )
    return ctx.memo(
        key,
        lambda: pharmacy_access(
            ctx.connection,
            ctx.project,
            pharmacies=block.pharmacies,
            population=block.population,
            area_type=block.area_type,
            by=block.by,
            limits=block.distances_km,
            centres_file=block.centres_file,
            centres_column=block.centres_column,
            evening_after=block.evening_after,
            travel=StraightLine(),
        ),
    )


# --- words and numbers -------------------------------------------------------------------------


def _km(value: Any) -> str:
    """``0.45 km``; ``no pharmacy listed`` for a missing or infinite distance."""
    if value is None or pd.isna(value) or not np.isfinite(float(value)):
        return NO_PHARMACY
    return f"{format_number(value, 2)} km"


def _limit(limit: float) -> str:
    return f"{format_number(limit, 1).removesuffix('.0')} km"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _share(value: float) -> str:
    return "no residents" if pd.isna(value) else f"{format_number(value, 1)}%"


def _people(value: float) -> str:
    return "no data" if pd.isna(value) else f"{round(value):,}"


def distance_bands(limits: tuple[float, ...]) -> list[tuple[float, float, str]]:
    """(low, high, label) bands of distance: 0.5 km first when the first limit is above it,
    then up to each limit, then beyond the last."""
    edges = [0.5, *limits] if limits[0] > 0.5 else list(limits)
    bands = []
    low = 0.0
    for high in edges:
        label = f"up to {_limit(high)}" if low == 0 else f"{_limit(low)} to {_limit(high)}"
        bands.append((low, high, label))
        low = high
    bands.append((low, np.inf, f"over {_limit(low)}"))
    return bands


def _band_of(costs: pd.Series, bands: list[tuple[float, float, str]]) -> pd.Series:
    labels = pd.Series(NO_PHARMACY, index=costs.index, dtype=object)
    for low, high, label in bands:
        inside = (
            (costs > low - 1e-9) & (costs <= high + 1e-9)
            if low == 0
            else (costs > low) & (costs <= high + 1e-9)
        )
        labels[inside & np.isfinite(costs)] = label
    return labels


def _method_note(result: AccessResult, block: PharmacyAccessBlock) -> str:
    centres = set(result.origins["centre"])
    how = (
        "the mean of its postcode centroids (an estimate of where its residents live)"
        if centres == {"mean of postcode centroids"}
        else "the mean of its postcode centroids, or a point inside its boundary where it has "
        "no postcodes"
        if len(centres) > 1
        else "a point inside its boundary"
    )
    return (
        f"Distances are {result.travel}s in km from each neighbourhood's centre, {how}, to the "
        f"pharmacies on the list; real journeys are longer."
    )


def _notes(result: AccessResult, block: PharmacyAccessBlock) -> tuple[str, ...]:
    return (
        _method_note(result, block),
        EDGE_NOTE,
        f"Residents: mid-{result.population_period} population estimates (ONS)."
        if result.population_period
        else "Residents: population estimates (ONS).",
    )


def _has_hours(result: AccessResult) -> bool:
    return any(s.key == "sunday" for s in result.scenarios)


# --- build -------------------------------------------------------------------------------------


def build(
    ctx: FigureContext, block: PharmacyAccessBlock, *, area_code: str | None = None
) -> list[Figure]:
    """The figures of a ``pharmacy_access`` block (see the module docstring)."""
    result = access_result(ctx, block)
    figures = [_distance_map(ctx, block, result, "all", area_code)]
    if _has_hours(result):
        figures.append(_distance_map(ctx, block, result, "sunday", area_code))
    figures += [_by_area(ctx, block, result, by, area_code) for by in block.by]
    if _has_hours(result):
        figures.append(_hours(ctx, block, result))
    return figures


def _overall(result: AccessResult) -> pd.Series:
    keys = [s.key for s in result.scenarios]
    return summarise(result.origins, None, keys, result.limits).iloc[0]


# --- maps --------------------------------------------------------------------------------------


def _distance_map(
    ctx: FigureContext,
    block: PharmacyAccessBlock,
    result: AccessResult,
    scenario: str,
    area_code: str | None,
) -> Figure:
    origins = result.origins
    chosen = next(s for s in result.scenarios if s.key == scenario)
    words = "a pharmacy" if scenario == "all" else f"a pharmacy {chosen.label}"
    title = f"Distance to the nearest pharmacy{'' if scenario == 'all' else ' ' + chosen.label}"
    figure_id = f"pharmacy-access-map-{scenario}-{block.pharmacies}"
    bands = distance_bands(result.limits)
    costs = origins[f"cost_{scenario}"].astype(float)
    band = _band_of(costs, bands)
    nearest = origins[f"nearest_{scenario}"].to_numpy()
    names = result.pharmacies["name"].to_numpy()
    nearest_name = np.where(nearest >= 0, names[np.clip(nearest, 0, None)], NO_PHARMACY)
    last = result.limits[-1]
    count_column = f"count_{scenario}_{limit_key(last)}"
    by_name = _first_name_column(origins, block)
    data = pd.DataFrame(
        {
            "area_code": origins["area_code"],
            "area_name": origins["area_name"],
            "in_area": origins[by_name] if by_name else "",
            "population": origins["population"],
            "distance_km": costs.replace(np.inf, np.nan).round(3),
            "nearest_pharmacy": nearest_name,
            f"pharmacies_within_{limit_key(last)}_km": origins[count_column],
            "distance_band": band,
        }
    )
    if scenario == "all":
        data = pd.concat([data, _every_scenario(origins, result, block)], axis=1)
    overall = _overall(result)
    share = overall[f"share_{scenario}_{limit_key(last)}"]
    far = data.sort_values("distance_km", ascending=False, na_position="first").iloc[0]
    open_count = int(np.asarray(chosen.open).sum())
    sentences = [
        f"The map shades {len(data)} neighbourhoods (LSOAs) of {ctx.area_name} by the "
        f"straight-line distance from their centre to the nearest of {open_count} "
        f"pharmacies{'' if scenario == 'all' else ' ' + chosen.label} on the list.",
        f"{_share(share)} of residents live within {_limit(last)} of {words}.",
        f"The furthest neighbourhood is {far['area_name']}"
        + (f" ({far['in_area']})" if far["in_area"] else "")
        + f", {_km(far['distance_km'])} from "
        f"{words}.",
        _bands_sentence(data, bands),
        "Pharmacies just outside the area are not on the list, so distances near the edge may "
        "be overstated.",
    ]
    which = "" if scenario == "all" else f" {chosen.label}"
    table = _map_table(title, data, _notes(result, block), which)
    spec = _map(ctx, figure_id, block, result, data, bands, scenario, area_code)
    return Figure(
        id=figure_id,
        kind="map",
        title=title,
        caption=block.caption,
        summary=" ".join(sentences),
        table=table,
        data=data,
        spec=spec,
        indicators=(block.population,),
        area_type=block.area_type,
        sources=(ctx.project.sources[block.pharmacies].title,),
    )


def _bands_sentence(data: pd.DataFrame, bands: list[tuple[float, float, str]]) -> str:
    """``By distance: up to 0.5 km, 94 neighbourhoods (68.8% of residents); ...``."""
    total = data["population"].sum()
    parts = []
    for label in [b[2] for b in bands] + [NO_PHARMACY]:
        inside = data[data["distance_band"] == label]
        if inside.empty:
            continue
        people = inside["population"].sum()
        count = len(inside)
        noun = "neighbourhood" if count == 1 else "neighbourhoods"
        share = _share(100 * people / total if total else np.nan)
        parts.append(f"{label}, {count} {noun} ({share} of residents)")
    return f"By distance: {'; '.join(parts)}."


def _map_table(title: str, data: pd.DataFrame, notes: tuple[str, ...], which: str) -> Table:
    """The map's table: every neighbourhood drawn, furthest first, with its nearest pharmacy,
    distance and band (so nothing is said by colour alone)."""
    ordered = data.sort_values(["distance_km", "area_name"], ascending=[False, True])
    decile = "imd_decile" in ordered.columns
    columns = [Column("Neighbourhood"), Column("Area")]
    columns += [Column("IMD decile", True)] if decile else []
    columns += [
        Column("Residents", True),
        Column(f"Nearest pharmacy{which}"),
        Column("Distance", True),
        Column("Distance band"),
    ]
    rows = tuple(
        (
            str(r.area_name),
            str(r.in_area),
            *((str(r.imd_decile),) if decile else ()),
            _people(r.population),
            str(r.nearest_pharmacy),
            _km(r.distance_km),
            str(r.distance_band),
        )
        for r in ordered.itertuples(index=False)
    )
    return Table(title, tuple(columns), rows, notes=notes)


def _every_scenario(
    origins: pd.DataFrame, result: AccessResult, block: PharmacyAccessBlock
) -> pd.DataFrame:
    """The data download's extra columns: IMD decile, the centre used, and each opening-time
    group's distance and pharmacies within the last limit."""
    key = limit_key(result.limits[-1])
    decile = next(
        (f"{b}_code" for b in block.by if "decile" in b and f"{b}_code" in origins.columns), None
    )
    extra = pd.DataFrame(index=origins.index)
    if decile is not None:
        extra["imd_decile"] = origins[decile]
    extra["centre"] = origins["centre"]
    extra["centre_lon"] = origins["lon"].round(5)
    extra["centre_lat"] = origins["lat"].round(5)
    for scenario in result.scenarios:
        cost = origins[f"cost_{scenario.key}"].replace(np.inf, np.nan)
        extra[f"distance_km_{scenario.key}"] = cost.round(3)
        extra[f"pharmacies_within_{key}_km_{scenario.key}"] = origins[f"count_{scenario.key}_{key}"]
    return extra


def _first_name_column(origins: pd.DataFrame, block: PharmacyAccessBlock) -> str | None:
    for by in block.by:
        if "decile" not in by and f"{by}_name" in origins.columns:
            return f"{by}_name"
    return None


def _map(
    ctx: FigureContext,
    figure_id: str,
    block: PharmacyAccessBlock,
    result: AccessResult,
    data: pd.DataFrame,
    bands: list[tuple[float, float, str]],
    scenario: str,
    area_code: str | None,
) -> dict[str, Any] | None:
    shapes = ctx.boundaries(block.area_type)
    shapes = shapes[shapes["area_code"].isin(areas_in_jsna(ctx, block.area_type))]
    shapes = shapes[shapes["area_code"].isin(data["area_code"])].reset_index(drop=True)
    if shapes.empty:
        return None
    chosen = next(s for s in result.scenarios if s.key == scenario)
    properties = shapes[["area_code"]].merge(data, on="area_code", how="left")
    properties["distance_text"] = [
        _km(v) if pd.notna(v) else NO_PHARMACY for v in properties["distance_km"]
    ]
    properties["population_text"] = [_people(v) for v in properties["population"]]
    labels = [b[2] for b in bands]
    steps = np.linspace(0, len(VIRIDIS_5) - 1, len(labels)).round().astype(int)
    colours = [VIRIDIS_5[i] for i in steps]
    domain, ranges = list(labels), list(colours)
    if (properties["distance_band"] == NO_PHARMACY).any():
        domain.append(NO_PHARMACY)
        ranges.append(NO_DATA_COLOUR)
    area_layer = {
        "data": {"name": "areas"},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
        "encoding": {
            "fill": {
                "field": "distance_band",
                "type": "ordinal",
                "title": "Distance to the nearest pharmacy"
                + ("" if scenario == "all" else f" {chosen.label}"),
                "scale": {"domain": domain, "range": ranges},
                "legend": {"orient": "right", "symbolType": "square", "titleLimit": 400},
            },
            "tooltip": [
                {"field": "area_name", "type": "nominal", "title": "Neighbourhood"},
                {"field": "in_area", "type": "nominal", "title": "Area"},
                {"field": "population_text", "type": "nominal", "title": "Residents"},
                {"field": "distance_text", "type": "nominal", "title": "Distance"},
                {"field": "nearest_pharmacy", "type": "nominal", "title": "Nearest pharmacy"},
            ],
        },
    }
    columns = [c for c in properties.columns if c != "geometry"]
    features = _features(shapes, properties[columns])
    layers = [area_layer, _outline_layer(area_code), _points_layer(result, scenario)]
    spec = _map_spec(figure_id, "map", layers, _height(shapes), features)
    spec["width"] = MAP_WIDTH
    return spec


def _points_layer(result: AccessResult, scenario: str) -> dict[str, Any]:
    """The pharmacies, outlined dark on white: circles, and squares for those open on Sunday
    (all on the first map; only the open ones on a scenario's map)."""
    listed = result.pharmacies
    chosen = next(s for s in result.scenarios if s.key == scenario)
    keep = np.asarray(chosen.open, dtype=bool)
    if _has_hours(result):
        sunday = next(s for s in result.scenarios if s.key == "sunday").open
        kind = np.where(sunday, "Pharmacy open on Sunday", "Pharmacy closed on Sunday")
    else:
        kind = np.full(len(listed), "Pharmacy")
    values = pd.DataFrame(
        {
            "name": listed["name"],
            "postcode": listed["postcode"],
            "lon": listed["lon"].round(5),
            "lat": listed["lat"].round(5),
            "service": kind,
        }
    )[keep]
    domain = [
        k
        for k in ("Pharmacy", "Pharmacy closed on Sunday", "Pharmacy open on Sunday")
        if k in set(values["service"])
    ]
    shapes = {
        "Pharmacy": "circle",
        "Pharmacy closed on Sunday": "circle",
        "Pharmacy open on Sunday": "square",
    }
    return {
        "data": {"values": values.to_dict(orient="records")},
        "mark": {"type": "point", "filled": True, "size": 70, "strokeWidth": 1.5, "opacity": 1},
        "encoding": {
            "longitude": {"field": "lon", "type": "quantitative"},
            "latitude": {"field": "lat", "type": "quantitative"},
            "shape": {
                "field": "service",
                "type": "nominal",
                "title": "Pharmacies",
                "scale": {"domain": domain, "range": [shapes[d] for d in domain]},
                "legend": {
                    "orient": "bottom",
                    "direction": "vertical",
                    "labelLimit": 400,
                    "symbolFillColor": "#ffffff",
                    "symbolStrokeColor": INK,
                    "symbolStrokeWidth": 1.5,
                },
            },
            "fill": {"value": "#ffffff"},
            "stroke": {"value": INK},
            "tooltip": [
                {"field": "name", "type": "nominal", "title": "Pharmacy"},
                {"field": "postcode", "type": "nominal", "title": "Postcode"},
                {"field": "service", "type": "nominal", "title": "Sunday"},
            ],
        },
    }


# --- by ward, by deprivation decile ------------------------------------------------------------


def _groups(ctx: FigureContext, result: AccessResult, by: str) -> pd.DataFrame:
    """Summary rows of one grouping, with ``area_code``/``area_name`` and a reading order."""
    keys = [s.key for s in result.scenarios]
    code, name = f"{by}_code", f"{by}_name"
    rows = summarise(result.origins, code, keys, result.limits)
    names = result.origins.drop_duplicates(code).set_index(code)[name]
    rows = rows.rename(columns={code: "area_code"})
    rows = rows[rows["area_code"] != "nan"]
    decile = "decile" in by
    if decile:
        number = pd.to_numeric(rows["area_code"], errors="coerce")
        rows = rows.assign(_order=number).sort_values("_order").drop(columns="_order")
        rows["area_name"] = [_decile_name(str(c)) for c in rows["area_code"]]
    else:
        rows["area_name"] = rows["area_code"].map(names).fillna(rows["area_code"])
        rows = rows.sort_values("area_name")
    return rows.reset_index(drop=True)


def _decile_name(code: str) -> str:
    extra = {"1": " (most deprived)", "10": " (least deprived)"}.get(code, "")
    return f"Decile {code}{extra}"


def _group_word(by: str, type_name: str) -> str:
    """``ward`` for ward types, ``deprivation decile`` for deciles, else the type's name."""
    if "decile" in by:
        return "deprivation decile"
    if by.startswith("ward"):
        return "ward"
    return type_name.split(" (")[0].lower()


def _by_area(
    ctx: FigureContext,
    block: PharmacyAccessBlock,
    result: AccessResult,
    by: str,
    area_code: str | None,
) -> Figure:
    type_name = ctx.area_type_names.get(by, by)
    decile = "decile" in by
    group_word = _group_word(by, type_name)
    rows = _groups(ctx, result, by)
    title = f"Residents within reach of a pharmacy by {group_word}"
    figure_id = f"pharmacy-access-{by}-{block.pharmacies}"
    limits = result.limits
    last = limit_key(limits[-1])
    bars = [(f"within {_limit(limit)}", "all", limit_key(limit)) for limit in limits]
    if _has_hours(result):
        bars.append((f"within {_limit(limits[-1])} of one open on Sunday", "sunday", last))
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "area_code": rows["area_code"],
                    "area_name": rows["area_name"],
                    "distance": label,
                    "share": rows[f"share_{scenario}_{key}"].round(1),
                    "population_within": rows[f"population_{scenario}_{key}"],
                    "population": rows["population"],
                }
            )
            for label, scenario, key in bars
        ],
        ignore_index=True,
    )
    columns = [Column(type_name if not decile else "IMD decile"), Column("Residents", True)]
    columns += [Column(f"Within {_limit(limit)}", True) for limit in limits]
    columns.append(Column("Average distance", True))
    if _has_hours(result):
        columns.append(Column(f"Within {_limit(limits[-1])} of one open on Sunday", True))
    body = []
    for _, r in rows.iterrows():
        cells = [str(r["area_name"]), _people(r["population"])]
        cells += [_share(r[f"share_all_{limit_key(limit)}"]) for limit in limits]
        cells.append(_km(r["mean_cost_all"]) if pd.notna(r["mean_cost_all"]) else "no data")
        if _has_hours(result):
            cells.append(_share(r[f"share_sunday_{last}"]))
        body.append(tuple(cells))
    data = rows[
        ["area_code", "area_name", "lsoas", "population", "mean_cost_all", "max_cost_all"]
        + [c for c in rows.columns if c.startswith(("population_", "share_"))]
    ].rename(columns={"mean_cost_all": "mean_distance_km", "max_cost_all": "max_distance_km"})
    summary = _by_area_summary(ctx, rows, limits, group_word, decile, _has_hours(result))
    labels = [label for label, _, _ in bars]
    spec = _bars(figure_id, long, labels, rows["area_name"].tolist(), group_word, area_code)
    return Figure(
        id=figure_id,
        kind="pharmacy_access",
        title=title,
        caption=block.caption,
        summary=summary,
        table=Table(title, tuple(columns), tuple(body), notes=_notes(result, block)),
        data=data.round(3),
        spec=spec,
        indicators=(block.population,),
        area_type=by,
        sources=(ctx.project.sources[block.pharmacies].title,),
    )


def _by_area_summary(
    ctx: FigureContext,
    rows: pd.DataFrame,
    limits: tuple[float, ...],
    word: str,
    decile: bool,
    hours: bool,
) -> str:
    last = limit_key(limits[-1])
    first = limit_key(limits[0])
    share = rows[f"share_all_{last}"]
    full = int((share >= 100 - 1e-9).sum())
    sentences = [
        f"In {full} of {len(rows)} {word}s every resident lives within {_limit(limits[-1])} "
        "of a pharmacy (straight line)."
    ]
    short = rows[share < 100 - 1e-9].sort_values(f"share_all_{last}")
    if not short.empty:
        parts = [
            f"{r.area_name} ({_share(getattr(r, f'share_all_{last}'))})"
            for r in short.head(3).itertuples()
        ]
        sentences.append(f"Lowest within {_limit(limits[-1])}: {join_words(parts)}.")
    if len(limits) > 1:
        low = rows.sort_values(f"share_all_{first}").iloc[0]
        sentences.append(
            f"Within {_limit(limits[0])}, the lowest share is in {low['area_name']} "
            f"({_share(low[f'share_all_{first}'])})."
        )
    if decile and len(rows) > 1:
        top, bottom = rows.iloc[0], rows.iloc[-1]
        sentences.append(
            f"In {str(top['area_name']).lower()}, {_share(top[f'share_all_{first}'])} of "
            f"residents live within {_limit(limits[0])}, against "
            f"{_share(bottom[f'share_all_{first}'])} in {str(bottom['area_name']).lower()}."
        )
    if hours:
        ordered = rows.sort_values(f"share_sunday_{last}")
        low, high = ordered.iloc[0], ordered.iloc[-1]
        sentences.append(
            f"Within {_limit(limits[-1])} of a pharmacy open on Sunday: from "
            f"{_share(low[f'share_sunday_{last}'])} in {low['area_name']} to "
            f"{_share(high[f'share_sunday_{last}'])} in {high['area_name']}."
        )
    return " ".join(sentences)


def _bars(
    figure_id: str,
    long: pd.DataFrame,
    labels: list[str],
    order: list[str],
    word: str,
    area_code: str | None,
) -> dict[str, Any]:
    long = long.assign(
        share_text=[_share(v) for v in long["share"]],
        population_text=[_people(v) for v in long["population"]],
    )
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": 560,
        "height": {"step": 10},
        "data": {"values": long.to_dict(orient="records")},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "area_name", "type": "nominal", "title": None, "sort": order},
            "yOffset": {"field": "distance", "sort": labels},
            "x": {
                "field": "share",
                "type": "quantitative",
                "title": "Share of residents (%)",
                "scale": {"domain": [0, 100]},
            },
            "color": {
                "field": "distance",
                "type": "nominal",
                "title": "Pharmacy",
                "sort": labels,
                "scale": {"domain": labels, "range": list(BAR_COLOURS[: len(labels)])},
                "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 400},
            },
            **emphasis_encoding(area_code),
            "tooltip": [
                {"field": "area_name", "type": "nominal", "title": word.capitalize()},
                {"field": "distance", "type": "nominal", "title": "Pharmacy"},
                {"field": "share_text", "type": "nominal", "title": "Share of residents"},
                {"field": "population_text", "type": "nominal", "title": "Residents"},
            ],
        },
        "padding": {"left": 24, "top": 5, "right": 5, "bottom": 5},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "pharmacy_access"}},
    }
    return add_highlight(spec)


# --- opening hours -----------------------------------------------------------------------------


def _hours(ctx: FigureContext, block: PharmacyAccessBlock, result: AccessResult) -> Figure:
    last = result.limits[-1]
    key = limit_key(last)
    overall = _overall(result)
    title = f"Residents within {_limit(last)} of a pharmacy, by when it is open"
    figure_id = f"pharmacy-access-hours-{block.pharmacies}"
    rows = pd.DataFrame(
        {
            "scenario": [s.key for s in result.scenarios],
            "pharmacies": [s.label for s in result.scenarios],
            "open_pharmacies": [int(np.asarray(s.open).sum()) for s in result.scenarios],
            "population_within": [overall[f"population_{s.key}_{key}"] for s in result.scenarios],
            "share": [round(float(overall[f"share_{s.key}_{key}"]), 1) for s in result.scenarios],
        }
    )
    rows["population"] = overall["population"]
    # Wards that lose most on Sunday
    ward = next((b for b in block.by if "decile" not in b), None)
    losing = ""
    if ward is not None:
        groups = _groups(ctx, result, ward)
        groups["loss"] = groups[f"share_all_{key}"] - groups[f"share_sunday_{key}"]
        worst = groups[groups["loss"] > 0.05].sort_values(f"share_sunday_{key}").head(3)
        if not worst.empty:
            parts = [
                f"{r.area_name} ({_share(getattr(r, f'share_sunday_{key}'))})"
                for r in worst.itertuples()
            ]
            losing = f"On Sunday the lowest shares are in {join_words(parts)}."
    sunday = rows[rows["scenario"] == "sunday"].iloc[0]
    evening = rows[rows["scenario"] == "evening"].iloc[0]
    everyone = rows[rows["scenario"] == "all"].iloc[0]
    summary = " ".join(
        s
        for s in (
            f"{_share(everyone['share'])} of residents live within {_limit(last)} of a pharmacy "
            f"({int(everyone['open_pharmacies'])} pharmacies); "
            f"{_share(evening['share'])} of one {evening['pharmacies']} "
            f"({int(evening['open_pharmacies'])}) and {_share(sunday['share'])} of one open on "
            f"Sunday ({int(sunday['open_pharmacies'])}).",
            losing,
            "Hours are as listed in the pharmacy file; bank holidays and rota cover are not "
            "included.",
        )
        if s
    )
    table = Table(
        caption=title,
        columns=(
            Column("Pharmacies"),
            Column("Number open", True),
            Column(f"Residents within {_limit(last)}", True),
            Column("Share of residents", True),
        ),
        rows=tuple(
            (
                _capital(r.pharmacies),
                str(r.open_pharmacies),
                _people(r.population_within),
                _share(r.share),
            )
            for r in rows.itertuples()
        ),
        notes=_notes(result, block),
    )
    values = rows.assign(
        label=[_capital(p) for p in rows["pharmacies"]],
        share_text=[_share(v) for v in rows["share"]],
        population_text=[_people(v) for v in rows["population_within"]],
    )
    spec = {
        "$schema": SCHEMA,
        "width": 560,
        "height": {"step": 28},
        "data": {"values": values.to_dict(orient="records")},
        "layer": [
            {
                "mark": {"type": "bar", "color": BAR_COLOURS[0]},
                "encoding": {
                    "y": {"field": "label", "type": "nominal", "title": None, "sort": None},
                    "x": {
                        "field": "share",
                        "type": "quantitative",
                        "title": f"Share of residents within {_limit(last)} (%)",
                        "scale": {"domain": [0, 100]},
                    },
                    "tooltip": [
                        {"field": "label", "type": "nominal", "title": "Pharmacies"},
                        {
                            "field": "open_pharmacies",
                            "type": "quantitative",
                            "title": "Number open",
                        },
                        {"field": "share_text", "type": "nominal", "title": "Share of residents"},
                        {"field": "population_text", "type": "nominal", "title": "Residents"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": INK},
                "encoding": {
                    "y": {"field": "label", "type": "nominal", "sort": None},
                    "x": {"field": "share", "type": "quantitative"},
                    "text": {"field": "share_text"},
                },
            },
        ],
        "padding": {"left": 24, "top": 5, "right": 5, "bottom": 5},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "pharmacy_access"}},
    }
    return Figure(
        id=figure_id,
        kind="pharmacy_access",
        title=title,
        caption=block.caption,
        summary=summary,
        table=table,
        data=rows,
        spec=add_highlight(spec),
        indicators=(block.population,),
        area_type=ctx.project.config.area.area_type,
        sources=(ctx.project.sources[block.pharmacies].title,),
    )
