"""Unmet need and diagnosis gap figures: maps of need and of the gap, ranked tables, practices.

An ``unmet_need`` block gives (see :mod:`jsna.analysis.need` for the maths)

- a map of the expected number of people with the condition in each area
  (quantile classes, the numbers in the legend, tooltip and table);
- with capacity: a map of the gap (expected - capacity);
- a table ranking the areas: people covered by the rates, expected cases
  (95% interval when the rates have one), per 1,000, capacity, people known
  to services, gap, unmet, capacity per 100 expected.

A ``diagnosis_gap`` block gives a chart of every practice's diagnosed /
expected ratio with its 95% interval, and a table ranking practices by gap,
after the project's disclosure rules (small registers hidden, and one more
when a single one would be recoverable from the total).

:func:`need_figures` draws a computed :class:`~jsna.analysis.need.NeedResult`,
so the what-if page draws a reallocation with the same figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jsna.analysis.need import (
    TOTAL,
    GapResult,
    NeedResult,
    diagnosis_gaps,
    members_of,
    read_measure,
    unmet_need,
)
from jsna.content.blocks.need import DiagnosisGapBlock, UnmetNeedBlock
from jsna.content.mirror import resolve_path
from jsna.errors import InputFileError
from jsna.stats import DisclosureRules

from .context import FigureContext
from .format import format_number
from .maps import _features, _height, _map_spec, _outline_layer, areas_in_jsna
from .model import Column, Figure, Table
from .palette import INK, MUTED, SEQUENTIAL_SCHEME, add_highlight, emphasis_encoding
from .summary import area_noun
from .tables import suppression_notes

__all__ = ["build", "diagnosis_figures", "need_figures", "need_shapes", "slug"]

CLASSES = 5
VIRIDIS_5 = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
"""Light (least need) to dark (most need), as the indicator maps."""
NO_DATA = "#d9d9d9"
ILLUSTRATIVE = (
    "ILLUSTRATIVE: the service figures are made up for this worked example; they are not "
    "real services."
)
assert SEQUENTIAL_SCHEME == "viridis"


def slug(text: str) -> str:
    """``Psychosis (past year)`` -> ``psychosis-past-year``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "need"


def build(
    ctx: FigureContext, block: UnmetNeedBlock | DiagnosisGapBlock, *, area_code: str | None = None
) -> list[Figure]:
    """The figures of an ``unmet_need`` or ``diagnosis_gap`` block."""
    if isinstance(block, DiagnosisGapBlock):
        return diagnosis_figures(ctx, block, area_code=area_code)
    result = ctx.memo(
        ("unmet_need", None, block), lambda: unmet_need(ctx.connection, block, read=_reader(ctx))
    )
    return need_figures(ctx, block, result, area_code=area_code)


def _reader(ctx: FigureContext) -> Callable[..., pd.DataFrame]:
    """:func:`read_measure` with each read kept for the context (blocks share sources)."""

    def read(connection: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        key = ("need_read", None, args, tuple(sorted(kwargs.items())))
        return ctx.memo(key, lambda: read_measure(connection, *args, **kwargs))

    return read


# --- unmet need --------------------------------------------------------------------------------


def need_shapes(ctx: FigureContext, area_type: str, member_type: str) -> gpd.GeoDataFrame:
    """Boundaries of ``area_type``: the store's, else its members' (``member_type``) dissolved."""
    shapes = ctx.boundaries(area_type)
    if not shapes.empty:
        return shapes
    members = members_of(ctx.connection, area_type, member_type)
    parts = ctx.boundaries(member_type).merge(members, left_on="area_code", right_on="child")
    if parts.empty:
        return shapes
    dissolved = parts.dissolve(by="parent", as_index=False)[["parent", "parent_name", "geometry"]]
    return gpd.GeoDataFrame(
        {"area_code": dissolved["parent"], "area_name": dissolved["parent_name"]},
        geometry=shapely.orient_polygons(dissolved.geometry.to_numpy(), exterior_cw=True),
        crs="EPSG:4326",
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _whole(value: Any) -> str:
    return format_number(value, 0)


def _interval(lower: Any, upper: Any) -> str:
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return f"{_whole(lower)} to {_whole(upper)}"


def _classes(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Quantile class labels (``"120 to 150"``) of each value (``no data`` when missing)."""
    present = values.dropna().astype(float)
    labels = pd.Series("no data", index=values.index, dtype=object)
    if present.empty:
        return labels, []
    if present.nunique() == 1:
        codes = pd.Series(0, index=present.index)
    else:
        count = min(CLASSES, present.nunique())
        codes = pd.Series(
            pd.qcut(present, count, labels=False, duplicates="drop"), index=present.index
        )
    codes = codes.rank(method="dense").astype(int)
    bounds = present.groupby(codes).agg(["min", "max"])
    names = [
        _whole(lo) if _whole(lo) == _whole(hi) else f"{_whole(lo)} to {_whole(hi)}"
        for lo, hi in zip(bounds["min"], bounds["max"], strict=True)
    ]
    labels.loc[codes.index] = [names[c - 1] for c in codes]
    return labels, names


def _choropleth(
    figure_id: str,
    kind: str,
    shapes: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    value: str,
    legend: str,
    tooltip: list[tuple[str, str]],
    focus: str | None,
) -> dict[str, Any] | None:
    """A map of ``rows[value]`` by area in quantile classes (dark = more need)."""
    if shapes.empty:
        return None
    merged = shapes[["area_code"]].merge(rows, on="area_code", how="left")
    shading, names = _classes(merged[value])
    steps = np.linspace(0, len(VIRIDIS_5) - 1, max(len(names), 1)).round().astype(int)
    colours = [VIRIDIS_5[i] for i in steps][: len(names)]
    domain, colour_range = list(names), list(colours)
    if (shading == "no data").any():
        domain.append("no data")
        colour_range.append(NO_DATA)
    properties = pd.DataFrame({"area_code": merged["area_code"]})
    properties["area_name"] = merged["area_name"].fillna(merged["area_code"]).to_numpy()
    for field, _ in tooltip:
        properties[field] = merged[field].fillna("").astype(str).to_numpy()
    properties["shading"] = shading.to_numpy()
    area_layer = {
        "data": {"name": "areas"},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
        "encoding": {
            "fill": {
                "field": "shading",
                "type": "ordinal",
                "title": legend,
                "scale": {"domain": domain, "range": colour_range},
                "legend": {
                    "orient": "right",
                    "titleLimit": 400,
                    "labelLimit": 260,
                    "symbolType": "square",
                },
            },
            "tooltip": [
                {"field": "area_name", "type": "nominal", "title": "Area"},
                *({"field": f, "type": "nominal", "title": t} for f, t in tooltip),
                {"field": "shading", "type": "nominal", "title": "Map class"},
            ],
        },
    }
    features = _features(shapes, properties)
    return _map_spec(
        figure_id, kind, [area_layer, _outline_layer(focus)], _height(shapes), features
    )


def _need_rows(result: NeedResult) -> pd.DataFrame:
    """Display text columns for the tooltips and table."""
    rows = result.frame.copy()
    rows["expected_text"] = rows["expected"].map(_whole)
    rows["interval_text"] = [
        _interval(lo, hi) or "none (the rates have no intervals)"
        for lo, hi in zip(rows["lower_95"], rows["upper_95"], strict=True)
    ]
    rows["per_1000_text"] = rows["per_1000"].map(lambda v: format_number(v, 1))
    rows["people_text"] = rows["people"].map(_whole)
    rows["capacity_text"] = rows["capacity"].map(_whole)
    rows["observed_text"] = rows["observed"].map(_whole)
    rows["gap_text"] = rows["gap"].map(_whole)
    return rows


def need_figures(
    ctx: FigureContext,
    block: UnmetNeedBlock,
    result: NeedResult,
    *,
    area_code: str | None = None,
    suffix: str = "",
) -> list[Figure]:
    """The maps and ranked table of a computed unmet-need result (``suffix``: id ending)."""
    kind = result.area_type
    type_name = ctx.area_type_names.get(kind, kind)
    noun = area_noun(type_name, 1)
    nouns = area_noun(type_name, 2)
    base_id = f"unmet-need-{slug(block.condition)}-{kind}{suffix}"
    rows = _need_rows(result)
    shapes = need_shapes(ctx, kind, block.population.area_type)
    local = set(rows["area_code"])
    shapes = shapes[shapes["area_code"].isin(local)].reset_index(drop=True)
    sources = tuple(ctx.project.sources[s].title for s in block.source_ids())
    common = {"area_type": kind, "period": result.period, "sources": sources}
    cond = block.condition
    total = float(rows["expected"].sum())
    top = rows.sort_values("expected", ascending=False).iloc[0]
    low = rows.sort_values("expected").iloc[0]
    assumption = (
        f"Expected = residents aged {result.rates_cover} in {result.period} x survey rates "
        f"by age{' and sex' if block.rates.by_sex else ''}."
    )
    figures = [
        Figure(
            id=f"{base_id}-map",
            kind="map",
            title=f"Expected number of people with {cond} by {noun}, {result.period}",
            caption=block.caption,
            summary=(
                f"About {_whole(total)} people in {ctx.area_name} are expected to have {cond}. "
                f"{top['area_name']} has the most ({top['expected_text']}) and "
                f"{low['area_name']} the fewest ({low['expected_text']}). {assumption}"
            ),
            table=_need_table(rows, block, f"Expected people with {cond} by {noun}", False),
            data=_need_data(rows, block, with_services=False),
            spec=_choropleth(
                f"{base_id}-map",
                "map",
                shapes,
                rows,
                "expected",
                f"Expected people with {cond}",
                [
                    ("expected_text", "Expected people"),
                    ("interval_text", "95% interval"),
                    ("per_1000_text", f"Per 1,000 aged {result.rates_cover}"),
                ],
                area_code,
            ),
            **common,
        )
    ]
    capacity = block.capacity
    if capacity is not None and rows["capacity"].notna().any():
        note = f" {ILLUSTRATIVE}" if block.illustrative else ""
        prefix = "ILLUSTRATIVE: " if block.illustrative else ""
        ranked = rows.sort_values(["rank", "area_name"])
        first = ranked.iloc[0]
        short = rows[rows["gap"] > 0]
        figures.append(
            Figure(
                id=f"{base_id}-gap-map",
                kind="map",
                title=f"{prefix}Gap between expected {cond} and {capacity.label} by {noun}",
                caption=block.caption,
                summary=(
                    f"Gap = expected people minus {capacity.label}. {len(short)} of {len(rows)} "
                    f"{nouns} have fewer {capacity.label} than expected people; the largest "
                    f"gap is in {first['area_name']} ({first['gap_text']})." + note
                ),
                table=_need_table(ranked, block, f"{prefix}Gap by {noun}", True),
                data=_need_data(ranked, block, with_services=True),
                spec=_choropleth(
                    f"{base_id}-gap-map",
                    "map",
                    shapes,
                    rows,
                    "gap",
                    "Gap (expected minus capacity)",
                    [
                        ("gap_text", "Gap"),
                        ("expected_text", "Expected people"),
                        ("capacity_text", capacity.label.capitalize()),
                    ],
                    area_code,
                ),
                **common,
            )
        )
    ranked = rows.sort_values(["rank", "area_name"])
    with_services = capacity is not None or block.observed is not None
    what = "gap" if capacity is not None else "expected people"
    figures.append(
        Figure(
            id=f"{base_id}-table",
            kind="unmet_need",
            title=f"{_cap(nouns)} ranked by {what}: {cond}",
            caption=block.caption,
            summary=_ranking_summary(ranked, block, noun),
            table=_need_table(ranked, block, f"{_cap(nouns)} ranked by {what}", True),
            data=_need_data(ranked, block, with_services=with_services),
            spec=None,
            **common,
        )
    )
    return figures


def _ranking_summary(ranked: pd.DataFrame, block: UnmetNeedBlock, noun: str) -> str:
    first = ranked.iloc[0]
    if block.capacity is None:
        return (
            f"{first['area_name']} ranks first with {first['expected_text']} people expected "
            f"to have {block.condition} ({first['per_1000_text']} per 1,000)."
        )
    label = block.capacity.label
    text = (
        f"{first['area_name']} ranks first: {first['expected_text']} people expected and "
        f"{first['capacity_text']} {label}, a gap of {first['gap_text']} "
        f"({format_number(first['capacity_per_100'], 0)} {label} per 100 expected)."
    )
    return text + (f" {ILLUSTRATIVE}" if block.illustrative else "")


def _need_table(
    rows: pd.DataFrame, block: UnmetNeedBlock, caption: str, with_services: bool
) -> Table:
    columns = [Column("Area"), Column("People covered", True), Column("Expected people", True)]
    has_ci = rows["lower_95"].notna().any()
    if has_ci:
        columns.append(Column("95% interval", True))
    columns.append(Column("Per 1,000", True))
    cap, obs = block.capacity, block.observed
    show_cap = with_services and cap is not None
    show_obs = with_services and obs is not None
    if show_cap and cap is not None:
        columns += [
            Column(cap.label.capitalize(), True),
            Column("Gap (expected minus capacity)", True),
            Column("Capacity per 100 expected", True),
        ]
    if show_obs and obs is not None:
        columns += [Column(obs.label.capitalize(), True), Column("Expected but not known", True)]
    if with_services:
        columns.append(Column("Rank", True))
    body = []
    for _, row in rows.iterrows():
        cells = [str(row["area_name"]), row["people_text"], row["expected_text"]]
        if has_ci:
            cells.append(_interval(row["lower_95"], row["upper_95"]))
        cells.append(row["per_1000_text"])
        if show_cap:
            cells += [
                row["capacity_text"],
                row["gap_text"],
                format_number(row["capacity_per_100"], 0),
            ]
        if show_obs:
            cells += [row["observed_text"], _whole(row["unmet"])]
        if with_services:
            cells.append("" if pd.isna(row["rank"]) else str(row["rank"]))
        body.append(tuple(cells))
    notes = [
        "Expected = population x survey prevalence rates by age band"
        + (" and sex" if block.rates.by_sex else "")
        + ": an estimate, not a count of people."
    ]
    missing = str(rows["bands_without_rate"].iloc[0]) if len(rows) else ""
    if missing:
        notes.append(
            f"The survey gives no rate for {missing}: counted as 0, so expected numbers may be low."
        )
    if not has_ci:
        notes.append("The survey rates were published without intervals: no interval is shown.")
    if with_services and block.illustrative:
        notes.append(ILLUSTRATIVE)
    return Table(caption, tuple(columns), tuple(body), notes=tuple(notes))


def _need_data(rows: pd.DataFrame, block: UnmetNeedBlock, *, with_services: bool) -> pd.DataFrame:
    wanted = ["area_code", "area_name", "people", "expected", "lower_95", "upper_95", "per_1000"]
    if with_services:
        wanted += ["capacity", "observed", "gap", "unmet", "capacity_per_100", "rank"]
    data = rows[wanted].copy()
    for name in ("expected", "lower_95", "upper_95", "gap", "unmet"):
        if name in data:
            data[name] = data[name].round(1)
    for name in ("per_1000", "capacity_per_100"):
        if name in data:
            data[name] = data[name].round(2)
    data["bands_without_rate"] = rows["bands_without_rate"].to_numpy()
    if with_services:
        data["illustrative"] = block.illustrative
    return data.reset_index(drop=True)


# --- diagnosis gap -----------------------------------------------------------------------------


def _rules(ctx: FigureContext) -> DisclosureRules:
    rules = ctx.project.config.disclosure
    return DisclosureRules(
        max_suppressed_count=rules.max_suppressed_count,
        suppress_zero=rules.suppress_zero,
        min_denominator=rules.min_denominator,
    )


def diagnosis_figures(
    ctx: FigureContext, block: DiagnosisGapBlock, *, area_code: str | None = None
) -> list[Figure]:
    """A ratio chart and a ranked table of the practices of the JSNA area."""
    local = areas_in_jsna(ctx, block.area_type)
    result: GapResult = ctx.memo(
        ("diagnosis_gap", None, block),
        lambda: diagnosis_gaps(
            ctx.connection,
            block,
            local,
            _rules(ctx),
            total_name=f"{ctx.area_name} practices",
            read=_reader(ctx),
        ),
    )
    frame = result.frame
    practices = frame[frame["area_code"] != TOTAL].copy()
    total = frame[frame["area_code"] == TOTAL].iloc[0]
    cond = block.condition
    base_id = f"diagnosis-gap-{slug(cond)}-{slug(block.diagnosed.measure)}"
    ages = "all ages" if block.age == "all ages" else f"aged {block.age}"
    rate_text = f"{result.rate * 100:.2f}%"
    assumption = (
        f"Expected = each practice's patients {ages} x {rate_text}, the recorded prevalence in "
        f"{result.reference}; a ratio of 1 means the practice records {cond} as often as that, "
        "not that everyone is diagnosed."
    )
    shown = practices[~practices["suppressed"]]
    below = shown[shown["ratio_upper_95"] < 1]
    above = shown[shown["ratio_lower_95"] > 1]
    summary = (
        f"{ctx.area_name}'s {len(practices)} practices have {_whole(total['observed'])} "
        f"patients on the {cond} register against {_whole(total['expected'])} expected "
        f"(ratio {format_number(total['ratio'], 2)}, 95% CI "
        f"{format_number(total['ratio_lower_95'], 2)} to "
        f"{format_number(total['ratio_upper_95'], 2)}). {len(below)} practices are "
        f"significantly below expected and {len(above)} above. {assumption}"
        if not bool(total["suppressed"])
        else f"{len(practices)} practices. {assumption}"
    )
    ranked = pd.concat(
        [practices.sort_values(["gap", "area_name"], ascending=[False, True]), frame.tail(1)]
    )
    table = _gap_table(ranked, f"{_cap(cond)}: diagnosed against expected, {ages}, {result.period}")
    notes = (*table.notes, assumption, *suppression_notes(frame))
    table = Table(table.caption, table.columns, table.rows, notes=notes)
    sources = tuple(ctx.project.sources[s].title for s in block.source_ids())
    common = {"area_type": block.area_type, "period": result.period, "sources": sources}
    data = _gap_data(ranked, result)
    located = _practice_map(ctx, block, shown, f"{base_id}-map", cond, area_code)
    return [
        *located,
        Figure(
            id=f"{base_id}-ratio",
            kind="diagnosis_gap",
            title=f"{_cap(cond)}: diagnosed against expected by GP practice, {result.period}",
            caption=block.caption,
            summary=summary,
            table=table,
            data=data,
            spec=_ratio_spec(f"{base_id}-ratio", shown, cond, area_code),
            **common,
        ),
        Figure(
            id=f"{base_id}-table",
            kind="table",
            title=f"{_cap(cond)}: practices ranked by the gap (expected minus diagnosed)",
            caption=block.caption,
            summary=_gap_summary(shown, cond),
            table=table,
            data=data,
            spec=None,
            **common,
        ),
    ]


def _gap_summary(shown: pd.DataFrame, cond: str) -> str:
    if shown.empty:
        return f"No practice's {cond} register can be published."
    first = shown.sort_values("gap", ascending=False).iloc[0]
    return (
        f"The largest gap is at {first['area_name']}: {_whole(first['expected'])} expected and "
        f"{_whole(first['observed'])} diagnosed, about {_whole(first['gap'])} fewer "
        f"(95% CI {_whole(first['gap_lower_95'])} to {_whole(first['gap_upper_95'])})."
    )


def _gap_table(rows: pd.DataFrame, caption: str) -> Table:
    columns = (
        Column("Practice"),
        Column("Patients in the age group", True),
        Column("Expected", True),
        Column("Diagnosed (register)", True),
        Column("Gap (expected minus diagnosed)", True),
        Column("Gap: 95% CI", True),
        Column("Diagnosed / expected", True),
        Column("Ratio: 95% CI", True),
        Column("Compared with expected"),
    )
    body, judgements = [], []
    for _, row in rows.iterrows():
        if bool(row["suppressed"]):
            word = "suppressed"
            cells = (
                str(row["area_name"]),
                _whole(row["population"]),
                _whole(row["expected"]),
                *(["suppressed"] * 5),
                word,
            )
        else:
            word = _word(row)
            cells = (
                str(row["area_name"]),
                _whole(row["population"]),
                _whole(row["expected"]),
                _whole(row["observed"]),
                _whole(row["gap"]),
                _interval(row["gap_lower_95"], row["gap_upper_95"]),
                format_number(row["ratio"], 2),
                f"{format_number(row['ratio_lower_95'], 2)} to "
                f"{format_number(row['ratio_upper_95'], 2)}",
                word,
            )
        body.append(cells)
        judgements.append(("",) * 8 + (word if word in ("lower", "higher") else "",))
    notes = (
        "95% intervals: exact Poisson limits of the register below 10, Byars' from 10 up; "
        "the expected number is taken as exact.",
    )
    return Table(caption, columns, tuple(body), tuple(judgements), notes)


def _word(row: pd.Series) -> str:
    if pd.isna(row["ratio"]):
        return "no data"
    if row["ratio_upper_95"] < 1:
        return "lower"
    if row["ratio_lower_95"] > 1:
        return "higher"
    return "similar"


def _gap_data(rows: pd.DataFrame, result: GapResult) -> pd.DataFrame:
    columns = [
        "area_code",
        "area_name",
        "population",
        "expected",
        "observed",
        "gap",
        "gap_lower_95",
        "gap_upper_95",
        "ratio",
        "ratio_lower_95",
        "ratio_upper_95",
        "method",
        "suppressed",
        "suppression_reason",
    ]
    data = rows[columns].copy()
    for name in ("expected", "gap", "gap_lower_95", "gap_upper_95"):
        data[name] = data[name].astype(float).round(1)
    for name in ("ratio", "ratio_lower_95", "ratio_upper_95"):
        data[name] = data[name].astype(float).round(3)
    data["reference_rate"] = round(result.rate, 6)
    data["period"] = result.period
    return data.reset_index(drop=True)


def _ratio_spec(
    figure_id: str, shown: pd.DataFrame, cond: str, focus: str | None
) -> dict[str, Any] | None:
    if shown.empty:
        return None
    ordered = shown.sort_values("ratio")
    values = [
        {
            "area_code": r["area_code"],
            "area_name": r["area_name"],
            "ratio": round(float(r["ratio"]), 3),
            "lower": round(float(r["ratio_lower_95"]), 3),
            "upper": round(float(r["ratio_upper_95"]), 3),
            "expected": _whole(r["expected"]),
            "observed": _whole(r["observed"]),
            "word": _word(r),
        }
        for _, r in ordered.iterrows()
    ]
    order = [v["area_name"] for v in values]
    y = {
        "field": "area_name",
        "type": "nominal",
        "sort": order,
        "title": None,
        "axis": {"labelLimit": 260},
    }
    x_title = f"{_cap(cond)}: diagnosed / expected (1 = as expected)"
    spec: dict[str, Any] = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": values},
        "width": 360,
        "height": {"step": 18},
        "layer": [
            {
                "mark": {"type": "rule", "color": MUTED, "strokeDash": [4, 3]},
                "encoding": {"x": {"datum": 1}},
            },
            {
                "mark": {"type": "rule", "color": MUTED},
                "encoding": {
                    "y": y,
                    "x": {"field": "lower", "type": "quantitative", "title": x_title},
                    "x2": {"field": "upper"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 60, "color": INK},
                "encoding": {
                    "y": y,
                    "x": {"field": "ratio", "type": "quantitative"},
                    "shape": {
                        "field": "word",
                        "type": "nominal",
                        "title": "Compared with expected",
                        "legend": {"orient": "bottom", "direction": "horizontal"},
                        "scale": {
                            "domain": ["lower", "similar", "higher"],
                            "range": ["triangle-left", "circle", "triangle-right"],
                        },
                    },
                    "tooltip": [
                        {"field": "area_name", "title": "Practice"},
                        {"field": "observed", "title": "Diagnosed"},
                        {"field": "expected", "title": "Expected"},
                        {"field": "ratio", "title": "Diagnosed / expected"},
                        {"field": "lower", "title": "Lower 95%"},
                        {"field": "upper", "title": "Upper 95%"},
                        {"field": "word", "title": "Compared with expected"},
                    ],
                    **emphasis_encoding(focus),
                },
            },
        ],
        "usermeta": {"jsna": {"figure": figure_id, "kind": "diagnosis_gap"}},
    }
    return add_highlight(spec)


WORD_COLOURS = {"lower": "#d55e00", "similar": "#f2c744", "higher": "#2166ac"}
"""Practice map: fewer diagnosed than expected (orange), similar (yellow), more (blue)."""
WORD_SHAPES = {"lower": "triangle-down", "similar": "circle", "higher": "triangle-up"}
"""... and shapes, so colour is never the only cue."""


def _practice_map(
    ctx: FigureContext,
    block: DiagnosisGapBlock,
    shown: pd.DataFrame,
    figure_id: str,
    cond: str,
    focus: str | None,
) -> list[Figure]:
    """Practices as points over the base areas, coloured by their ratio in words."""
    if block.locations is None or shown.empty:
        return []
    source = ctx.project.sources[block.locations]
    if source.file is None:
        return []
    places = pd.read_csv(resolve_path(ctx.project.root, source.file), dtype=str)
    wanted = {"practice_code", "lat", "lon"}
    if not wanted <= set(places.columns):
        raise InputFileError(
            source.file, f"needs columns practice_code, lat and lon for the {cond} practice map"
        )
    places = places.assign(
        lat=pd.to_numeric(places["lat"], errors="coerce"),
        lon=pd.to_numeric(places["lon"], errors="coerce"),
    ).dropna(subset=["lat", "lon"])
    points = shown.merge(places, left_on="area_code", right_on="practice_code", how="inner")
    if points.empty:
        return []
    words = [_word(r) for _, r in points.iterrows()]
    values = [
        {
            "area_code": r["area_code"],
            "area_name": r["area_name"],
            "lon": round(float(r["lon"]), 5),
            "lat": round(float(r["lat"]), 5),
            "word": word,
            "ratio": format_number(r["ratio"], 2),
            "observed": _whole(r["observed"]),
            "expected": _whole(r["expected"]),
        }
        for (_, r), word in zip(points.iterrows(), words, strict=True)
    ]
    base = block.base_area_type
    shapes = ctx.boundaries(base)
    shapes = shapes[shapes["area_code"].isin(areas_in_jsna(ctx, base))].reset_index(drop=True)
    properties = shapes[["area_code", "area_name"]]
    present = [w for w in ("lower", "similar", "higher") if w in set(words)]
    layers: list[dict[str, Any]] = [
        {
            "data": {"name": "areas"},
            "mark": {"type": "geoshape", "fill": "#f3f2f1", "stroke": "#b1b4b6"},
            "encoding": {"tooltip": [{"field": "area_name", "title": "Area"}]},
        },
        {
            "data": {"values": values},
            "mark": {"type": "point", "filled": True, "size": 110, "opacity": 1},
            "encoding": {
                "longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"},
                "fill": {
                    "field": "word",
                    "type": "nominal",
                    "title": "Diagnosed compared with expected",
                    "scale": {"domain": present, "range": [WORD_COLOURS[w] for w in present]},
                    "legend": {"orient": "bottom", "titleLimit": 400, "symbolStrokeColor": INK},
                },
                "shape": {
                    "field": "word",
                    "type": "nominal",
                    "scale": {
                        "domain": present,
                        "range": [WORD_SHAPES[w] for w in present],
                    },
                    "title": "Diagnosed compared with expected",
                    "legend": {"orient": "bottom", "titleLimit": 400, "symbolStrokeColor": INK},
                },
                "tooltip": [
                    {"field": "area_name", "title": "Practice"},
                    {"field": "observed", "title": "Diagnosed"},
                    {"field": "expected", "title": "Expected"},
                    {"field": "ratio", "title": "Diagnosed / expected"},
                    {"field": "word", "title": "Compared with expected"},
                ],
                **emphasis_encoding(focus, base_stroke=INK),
            },
        },
    ]
    spec = _map_spec(figure_id, "map", layers, _height(shapes), _features(shapes, properties))
    spec.pop("resolve", None)  # one legend for colour and shape
    counts = {w: words.count(w) for w in ("lower", "similar", "higher")}
    summary = (
        f"{counts['lower']} practices diagnose {cond} significantly less often than expected, "
        f"{counts['similar']} about as often and {counts['higher']} more often "
        "(95% intervals). Practices whose register is suppressed are not shown."
    )
    rows = tuple(
        (str(v["area_name"]), v["word"], v["ratio"], v["observed"], v["expected"]) for v in values
    )
    table = Table(
        f"{_cap(cond)}: practices by diagnosed compared with expected",
        (
            Column("Practice"),
            Column("Compared with expected"),
            Column("Diagnosed / expected", True),
            Column("Diagnosed", True),
            Column("Expected", True),
        ),
        rows,
        tuple(("", v["word"] if v["word"] != "similar" else "", "", "", "") for v in values),
    )
    data = pd.DataFrame(values).drop(columns=["ratio", "observed", "expected"])
    return [
        Figure(
            id=figure_id,
            kind="map",
            title=f"{_cap(cond)}: GP practices diagnosing less or more often than expected",
            caption=block.caption,
            summary=summary,
            table=table,
            data=data,
            spec=spec,
            area_type=block.area_type,
            sources=(source.title,),
        )
    ]
