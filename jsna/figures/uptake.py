"""Uptake hot spots: a funnel with the target line, the ranking by people to reach the
target, and the most urgent areas in words.

An ``uptake`` block (:class:`jsna.content.blocks.UptakeBlock`) gives three or
four figures, all from :func:`jsna.analysis.uptake.hot_spots`:

1. the funnel plot of :mod:`jsna.figures.funnel` (areas against the local
   average, 95% and 99.8% control limits) with the target as a dashed line;
2. for areas with boundaries (wards, LSOAs), the map of
   :mod:`jsna.figures.maps` shading each area by its uptake;
3. a bar chart of the people each area needs to reach the target, bars of
   areas significantly below the local average drawn dark, with the full
   table (uptake, counts, people to reach the target, position, rank);
4. the most urgent areas (significantly below the local average and below
   the target, most people to reach first) as a table with sentences naming
   them.

Suppressed areas appear in the tables as suppressed and are never ranked.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pandas as pd

from jsna.analysis.uptake import SIGNIFICANTLY_LOW, UptakeResult, hot_spots
from jsna.content.blocks.uptake import UptakeBlock
from jsna.content.chapters import MapBlock
from jsna.content.indicators import Indicator
from jsna.stats import StatsInputError

from . import maps
from ._select import area_type_of, headline_at, period_of
from .context import FigureContext
from .format import format_count, format_value, value_format
from .funnel import _kind as funnel_kind
from .funnel import _spec as funnel_spec
from .funnel import funnel_frames
from .maps import areas_in_jsna
from .model import Column, Figure, Table
from .palette import COMPARISON_COLOURS, MUTED, add_highlight, emphasis_encoding
from .summary import area_noun, join_words, no_data_summary
from .tables import suppression_notes

__all__ = ["build", "urgent_sentences"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
LOW = "significantly below the local average"
NOT_LOW = "not significantly below"


def _rows(
    ctx: FigureContext, block: UptakeBlock, area_type: str, period: str | None
) -> pd.DataFrame:
    """The block's areas: inside the JSNA area, or at its own type the JSNA area and the
    ``compare_with`` comparator's areas (every authority with results without one)."""
    frame = headline_at(ctx, block.indicator, area_type, period) if period else pd.DataFrame()
    if frame.empty:
        return frame
    config = ctx.project.config
    if area_type == config.area.area_type and block.compare_with is not None:
        codes = {config.area.code, *config.comparator(block.compare_with).codes}
    else:
        codes = set(areas_in_jsna(ctx, area_type))
    frame = frame[frame["area_code"].isin(codes)]
    return frame.drop_duplicates("area_code").reset_index(drop=True)


def _places(ctx: FigureContext, block: UptakeBlock, area_type: str) -> tuple[str, str]:
    """(plural noun of the areas, the local average's name)."""
    config = ctx.project.config
    nouns = area_noun(ctx.area_type_names.get(area_type, area_type), 2)
    if area_type != config.area.area_type:
        return f"{nouns} of {ctx.area_name}", f"the {ctx.area_name} average"
    if block.compare_with is not None:
        group = config.comparator(block.compare_with).name
        return f"{nouns} of {group}", f"the {group} average"
    return nouns, f"the average of these {nouns}"


def build(ctx: FigureContext, block: UptakeBlock, *, area_code: str | None = None) -> list[Figure]:
    """The funnel, ranking and most-urgent figures of an uptake block."""
    indicator = ctx.indicator(block.indicator)
    known = [c.id for c in ctx.project.config.comparators]
    if block.compare_with is not None and block.compare_with not in known:
        raise ValueError(
            f"uptake block of {indicator.id}: compare_with {block.compare_with!r} is not a "
            f"comparator id of jsna.yml ({', '.join(known)})"
        )
    area_type = area_type_of(ctx, indicator.id, block.area_type) or (
        block.area_type or ctx.project.config.area.area_type
    )
    period = period_of(ctx, indicator.id, area_type, block.period)
    rows = _rows(ctx, block, area_type, period)
    where, average_name = _places(ctx, block, area_type)
    slug = f"{indicator.id}-{area_type}" + (f"-{block.compare_with}" if block.compare_with else "")
    base: dict[str, Any] = {
        "kind": "uptake",
        "caption": block.caption,
        "indicators": (indicator.id,),
        "area_type": area_type,
        "period": period,
        "sources": tuple(sorted(set(rows.get("dataset_versions", pd.Series()).dropna()))),
    }
    when = f", {period}" if period else ""
    if rows.empty or indicator.method != "proportion" or rows["numerator"].isna().all():
        why = (
            no_data_summary(indicator.title, f"for the {where}")
            if rows.empty
            else f"Uptake hot spots need counts: {indicator.title} has no published counts "
            f"for the {where}."
        )
        title = f"{indicator.title}: uptake hot spots, {where}{when}"
        return [
            Figure(
                id=f"uptake-{slug}",
                title=title,
                summary=why,
                table=Table(title, (Column("Area"), Column("Value", True)), ()),
                data=pd.DataFrame(),
                **base,
            )
        ]
    multiplier = float(indicator.multiplier or 100)
    try:
        result = hot_spots(rows, target=block.goal, top=block.top, multiplier=multiplier)
    except StatsInputError as error:
        raise StatsInputError(f"uptake block of {indicator.id}: {error}") from error
    focus = area_code or ctx.area_code
    figures = [
        _funnel(indicator, result, rows, base, slug, where, average_name, when, focus),
        _ranking(indicator, result, base, slug, where, average_name, when, focus),
        _urgent(indicator, result, base, slug, where, average_name, when),
    ]
    if area_type != ctx.project.config.area.area_type and not ctx.boundaries(area_type).empty:
        block_map = MapBlock(
            block="map", indicator=indicator.id, area_type=area_type, period=period
        )
        drawn = maps.build(ctx, block_map, area_code=area_code)
        spec = drawn.spec
        if spec is not None and "usermeta" in spec:
            spec = {**spec, "usermeta": {"jsna": {"figure": f"uptake-map-{slug}", "kind": "map"}}}
        figures.insert(1, replace(drawn, id=f"uptake-map-{slug}", caption=block.caption, spec=spec))
    return figures


# --- the funnel ------------------------------------------------------------------------------


def _funnel(
    indicator: Indicator,
    result: UptakeResult,
    rows: pd.DataFrame,
    base: dict[str, Any],
    slug: str,
    where: str,
    average_name: str,
    when: str,
    focus: str,
) -> Figure:
    figure_id = f"uptake-funnel-{slug}"
    title = f"{indicator.title}: {where} against {average_name}{when}"
    shown = rows[result.areas["published"].to_numpy()]
    table = _table(indicator, result, title)
    data = _data(result.areas)
    target = format_value(indicator, result.target)
    if len(shown) < 3:
        summary = (
            f"{len(shown)} of the {where} have published counts: a funnel needs at least 3. "
            f"The target is {target}."
        )
        return Figure(id=figure_id, title=title, summary=summary, table=table, data=data, **base)
    frames = funnel_frames(shown, indicator)
    assert frames is not None  # a proportion always has a funnel
    points, lines = frames
    kind = funnel_kind(indicator)
    if kind is not None:
        kind = replace(kind, x_label="Eligible people")
    spec = funnel_spec(figure_id, indicator, points, lines, kind, focus, "Local")
    _show_target(spec, result.target)
    spec["layer"].insert(1, _target_layer(indicator, result.target))
    spec["usermeta"]["jsna"]["kind"] = "uptake"
    counts = result.areas["position"].value_counts()
    low = int(result.areas["significantly_low"].sum())
    within = int(counts.get("within the limits", 0))
    high = int(counts.get("above the 95% limit", 0) + counts.get("above the 99.8% limit", 0))
    average = format_value(indicator, result.average)
    below = int(result.areas["below_target"].sum())
    summary = (
        f"{len(shown)} {where} compared with {average_name} of {average}: {low} significantly "
        f"below it, {within} within the limits and {high} significantly above it. "
        f"{below} of {len(shown)} are below the target of {target}."
    )
    return Figure(
        id=figure_id, title=title, summary=summary, table=table, data=data, spec=spec, **base
    )


def _show_target(spec: dict[str, Any], target: float) -> None:
    """Widen the funnel's fixed value axis (in place) so the target line is on the chart."""
    for layer in spec["layer"]:
        scale = layer.get("encoding", {}).get("y", {}).get("scale", {})
        domain = scale.get("domain")
        if isinstance(domain, list) and len(domain) == 2:
            pad = (domain[1] - domain[0]) * 0.05
            scale["domain"] = [
                round(min(domain[0], target - pad), 6),
                round(max(domain[1], target + pad), 6),
            ]


def _target_layer(indicator: Indicator, target: float) -> dict[str, Any]:
    return {
        "data": {"values": [{"target": round(target, 6), "label": "Target"}]},
        "mark": {"type": "rule", "color": COMPARISON_COLOURS["worse"], "strokeDash": [8, 4]},
        "encoding": {
            "y": {"field": "target", "type": "quantitative"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Line"},
                {
                    "field": "target",
                    "type": "quantitative",
                    "format": value_format(indicator),
                    "title": "Value",
                },
            ],
        },
    }


# --- the ranking -----------------------------------------------------------------------------


def _ranking(
    indicator: Indicator,
    result: UptakeResult,
    base: dict[str, Any],
    slug: str,
    where: str,
    average_name: str,
    when: str,
    focus: str,
) -> Figure:
    figure_id = f"uptake-ranking-{slug}"
    target = format_value(indicator, result.target)
    title = f"People to reach {target}: {indicator.title}, {where}{when}"
    table = _table(indicator, result, title)
    ranked = result.published
    needing = ranked[ranked["people_to_target"] > 0]
    hidden = int((~result.areas["published"]).sum())
    total = result.total_to_target
    if needing.empty:
        summary = f"All {len(ranked)} {where} with published counts have reached {target}."
    else:
        first = needing.iloc[0]
        summary = (
            f"{len(needing)} of {len(ranked)} {where} are below {target}; together "
            f"{total:,} more people would need to be reached to meet it. The most are needed "
            f"in {first['area_name']} ({int(first['people_to_target']):,} people)."
        )
    if hidden:
        summary += f" {hidden} with suppressed figures are not ranked."
    spec = _ranking_spec(figure_id, indicator, needing, focus) if not needing.empty else None
    return Figure(
        id=figure_id,
        title=title,
        summary=summary,
        table=table,
        data=_data(result.areas),
        spec=spec,
        **base,
    )


def _ranking_spec(
    figure_id: str, indicator: Indicator, needing: pd.DataFrame, focus: str
) -> dict[str, Any]:
    groups = needing["significantly_low"].map({True: LOW, False: NOT_LOW})
    values = pd.DataFrame(
        {
            "area_code": needing["area_code"],
            "area_name": needing["area_name"],
            "people": needing["people_to_target"].astype(int),
            "value_text": [format_value(indicator, v) for v in needing["value"]],
            "position": needing["position"],
            "group": groups,
        }
    )
    present = [g for g in (LOW, NOT_LOW) if g in set(groups)]
    colours = {LOW: COMPARISON_COLOURS["worse"], NOT_LOW: MUTED}
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": 560,
        "height": {"step": 18},
        "data": {"values": values.to_dict(orient="records")},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "area_name", "type": "nominal", "sort": "-x", "title": None},
            "x": {
                "field": "people",
                "type": "quantitative",
                "title": "People to reach the target",
                "axis": {"format": ",.0f"},
            },
            "color": {
                "field": "group",
                "type": "nominal",
                "title": "Funnel",
                "scale": {"domain": present, "range": [colours[g] for g in present]},
            },
            **emphasis_encoding(focus),
            "tooltip": [
                {"field": "area_name", "type": "nominal", "title": "Area"},
                {"field": "people", "type": "quantitative", "format": ",", "title": "People"},
                {"field": "value_text", "type": "nominal", "title": indicator.title},
                {"field": "position", "type": "nominal", "title": "Position in the funnel"},
            ],
        },
        "padding": {"left": 40, "top": 5, "right": 5, "bottom": 5},
        "config": {"legend": {"labelLimit": 300}, "axis": {"labelLimit": 260}},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "uptake"}},
    }
    return add_highlight(spec)


# --- the most urgent -------------------------------------------------------------------------


def urgent_sentences(
    indicator: Indicator, result: UptakeResult, where: str, average_name: str
) -> str:
    """Plain sentences naming the most urgent areas (or saying there are none)."""
    target = format_value(indicator, result.target)
    urgent = result.urgent
    if urgent.empty:
        text = (
            f"None of the {where} is both significantly below {average_name} and below the "
            f"target of {target}."
        )
        needing = result.published[result.published["people_to_target"] > 0]
        if not needing.empty:
            named = [
                f"{r.area_name} ({int(r.people_to_target):,})" for r in _records(needing.head(3))
            ]
            text += f" The most people to reach the target are needed in {join_words(named)}."
        return text
    first = urgent.iloc[0]
    parts = [
        f"Most urgent: {first['area_name']}, where uptake is "
        f"{format_value(indicator, first['value'])} ({first['position']} of {average_name}) "
        f"and {int(first['people_to_target']):,} more people would need to be reached to meet "
        f"{target}."
    ]
    if len(urgent) > 1:
        rest = [
            f"{r.area_name} ({int(r.people_to_target):,} people, "
            f"{format_value(indicator, r.value)})"
            for r in _records(urgent.iloc[1:])
        ]
        parts.append(f"Next: {join_words(rest)}.")
    return " ".join(parts)


def _urgent(
    indicator: Indicator,
    result: UptakeResult,
    base: dict[str, Any],
    slug: str,
    where: str,
    average_name: str,
    when: str,
) -> Figure:
    title = f"Most urgent {where}: {indicator.title}{when}"
    target = format_value(indicator, result.target)
    rows = tuple(
        (
            str(r.area_name),
            str(int(r.urgent_rank)),
            format_value(indicator, r.value),
            format_count(r.denominator),
            f"{int(r.people_to_target):,}",
            str(r.position),
        )
        for r in _records(result.urgent)
    )
    columns = (
        Column("Area"),
        Column("Rank", True),
        Column("Uptake", True),
        Column("Eligible", True),
        Column(f"People to reach {target}", True),
        Column(f"Position against {average_name}"),
    )
    rule = (
        f"Most urgent: significantly below {average_name} (below the 95% control limit) and "
        f"below the target of {target}, ranked by the people needed to reach the target."
    )
    table = Table(title, columns, rows, notes=(rule, *suppression_notes(result.areas)))
    return Figure(
        id=f"uptake-urgent-{slug}",
        title=title,
        summary=urgent_sentences(indicator, result, where, average_name),
        table=table,
        data=_data(result.urgent),
        **base,
    )


# --- shared tables ---------------------------------------------------------------------------


def _table(indicator: Indicator, result: UptakeResult, caption: str) -> Table:
    """Every area, ranked first (by people to reach the target), suppressed ones last."""
    areas = result.areas
    order = areas.assign(_hidden=~areas["published"]).sort_values(
        ["_hidden", "rank", "area_name"], kind="stable"
    )
    target = format_value(indicator, result.target)
    rows, judgements = [], []
    for r in _records(order):
        hidden = not r.published
        people = "" if hidden else f"{int(r.people_to_target):,}"
        rows.append(
            (
                str(r.area_name),
                format_value(indicator, r.value, suppressed=bool(r.suppressed)),
                format_count(r.numerator, suppressed=hidden),
                format_count(r.denominator, suppressed=hidden),
                people,
                str(r.position),
                "" if hidden else str(int(r.rank)),
            )
        )
        word = "worse" if r.position in SIGNIFICANTLY_LOW else ""
        judgements.append(("", "", "", "", "", word, ""))
    columns = (
        Column("Area"),
        Column("Uptake", True),
        Column("Took part", True),
        Column("Eligible", True),
        Column(f"People to reach {target}", True),
        Column("Position in the funnel"),
        Column("Rank", True),
    )
    return Table(
        caption, columns, tuple(rows), tuple(judgements), notes=suppression_notes(result.areas)
    )


def _data(frame: pd.DataFrame) -> pd.DataFrame:
    """The data twin: counts only where published."""
    columns = [
        "area_code",
        "area_name",
        "value",
        "numerator",
        "denominator",
        "people_to_target",
        "position",
        "rank",
        "urgent_rank",
        "suppressed",
    ]
    out = frame[columns].copy()
    hidden = ~frame["published"]
    out.loc[hidden, ["numerator", "denominator"]] = pd.NA
    out.loc[frame["suppressed"], "value"] = pd.NA
    return out.rename(columns={"position": "funnel_position"}).reset_index(drop=True)


def _records(frame: pd.DataFrame) -> list[Any]:
    """Rows as objects with one attribute per column (values typed Any for the checker)."""
    return [
        SimpleNamespace(**{str(k): v for k, v in row.items()})
        for row in frame.to_dict(orient="records")
    ]
