"""Money flow: a Sankey of spend from funder to care setting to priority, and spend per head
beside outcomes.

A ``money_flow`` block (:class:`jsna.content.blocks.MoneyFlowBlock`) gives two
figures from the spend file it names (:mod:`jsna.analysis.money`):

1. the flow: nodes (funders, care settings, priorities) as rectangles and
   each link as an ``area`` band along a smooth curve, laid out in Python
   (Vega-Lite has no Sankey mark); its table lists every flow;
2. spend per head by priority (the JSNA area's population from the store)
   as bars, with each priority's related outcome (the area's latest value
   and how it compares with England) in the table and the text.

Made-up data (``illustrative: true``) is said in every title, summary and
table note.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

import pandas as pd

from jsna.analysis.money import STAGES, flows, per_head, read_spend, sankey_layout
from jsna.content.blocks.money import MoneyFlowBlock
from jsna.content.mirror import resolve_path

from ._select import area_rows
from .context import FigureContext
from .format import format_value
from .model import Column, Figure, Table
from .palette import CATEGORICAL, INK
from .summary import join_words
from .tables import main_slice

__all__ = ["ILLUSTRATIVE", "build", "pounds"]

_JUDGED = ("best", "better", "similar", "worse", "worst")

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
ILLUSTRATIVE = "Illustrative (made-up) figures"
WIDTH, HEIGHT = 840, 400
LEFT_ROOM, RIGHT_ROOM = 250, 240
"""Room left of the funders and right of the priorities for their labels."""
STAGE_NAMES = {"funder": "Funder", "care_setting": "Care setting", "priority": "Priority"}


def pounds(amount: float) -> str:
    """``£12.3m`` from a million up, ``£45,600`` below, ``£7.50`` under £10 (per head)."""
    if abs(amount) >= 1_000_000:
        return f"£{amount / 1_000_000:,.1f}m"
    if abs(amount) >= 10:
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def build(
    ctx: FigureContext, block: MoneyFlowBlock, *, area_code: str | None = None
) -> list[Figure]:
    """The flow and the per-head figures of a money flow block."""
    spend = read_spend(resolve_path(ctx.project.root, block.data))
    year = block.year or max(spend["year"])
    if year not in set(spend["year"]):
        years = join_words(sorted(set(spend["year"])))
        raise ValueError(f"money_flow block: year {year!r} is not in {block.data} ({years})")
    digest = hashlib.sha1(block.data.encode()).hexdigest()[:6]
    mark = f"{ILLUSTRATIVE}: " if block.illustrative else ""
    note = (
        f"{ILLUSTRATIVE}. {block.data_title}. These are not real spending figures."
        if block.illustrative
        else f"Source: {block.data_title}."
    )
    base: dict[str, Any] = {
        "kind": "money_flow",
        "caption": block.caption,
        "period": year,
        "sources": (block.data_title,),
    }
    links = flows(spend, year)
    population = _population(ctx, block.population, year)
    return [
        _flow(ctx, links, f"money-flow-{digest}", mark, note, year, base),
        _per_head(
            ctx, block, spend, year, population, f"money-per-head-{digest}", mark, note, base
        ),
    ]


def _population(ctx: FigureContext, indicator_id: str, year: str) -> tuple[float, str] | None:
    """The JSNA area's population (value, period): the period starting in the spend year if
    there is one, else the latest."""
    rows = main_slice(area_rows(ctx, indicator_id, ctx.area_code))
    rows = rows[~rows["projected"] & rows["value"].notna() & ~rows["suppressed"].astype(bool)]
    if rows.empty:
        return None
    start = year[:4]
    same = rows[rows["period"].astype(str).str.startswith(start)]
    row = (same if not same.empty else rows).iloc[-1]
    return float(row["value"]), str(row["period"])


# --- the flow --------------------------------------------------------------------------------


def _flow(
    ctx: FigureContext,
    links: pd.DataFrame,
    figure_id: str,
    mark: str,
    note: str,
    year: str,
    base: dict[str, Any],
) -> Figure:
    title = f"{mark}Spend in {ctx.area_name} from funder to care setting to priority, {year}"
    total = float(links.loc[links["stage"] == 0, "amount"].sum())
    rows = tuple(
        (
            str(r.source),
            str(r.target),
            STAGE_NAMES[STAGES[r.stage]] + " to " + STAGE_NAMES[STAGES[r.stage + 1]].lower(),
            pounds(r.amount),
            f"{100 * r.amount / total:.1f}%" if total else "",
        )
        for r in _records(links)
    )
    table = Table(
        title,
        (
            Column("From"),
            Column("To"),
            Column("Step"),
            Column("Amount", True),
            Column("Share of all spend", True),
        ),
        rows,
        notes=(note,),
    )
    data = links.rename(columns={"amount": "amount_gbp"}).assign(
        step=[f"{STAGES[s]} to {STAGES[s + 1]}" for s in links["stage"]], year=year
    )[["year", "step", "source", "target", "amount_gbp"]]
    if links.empty:
        summary = f"{mark}no spend is recorded for {year}."
        return Figure(id=figure_id, title=title, summary=summary, table=table, data=data, **base)
    layout = sankey_layout(links, width=WIDTH - LEFT_ROOM - RIGHT_ROOM, height=HEIGHT, gap=12)
    summary = _flow_summary(links, total, year, mark, ctx.area_name)
    return Figure(
        id=figure_id,
        title=title,
        summary=summary,
        table=table,
        data=data,
        spec=_flow_spec(figure_id, layout),
        **base,
    )


def _largest(links: pd.DataFrame, column: str, stage: int) -> tuple[str, float]:
    sums = links[links["stage"] == stage].groupby(column)["amount"].sum()
    sums = sums.sort_values(ascending=False, kind="stable")
    return str(sums.index[0]), float(sums.iloc[0])


def _flow_summary(links: pd.DataFrame, total: float, year: str, mark: str, place: str) -> str:
    funder, funded = _largest(links, "source", 0)
    setting, set_amount = _largest(links, "target", 0)
    priority, prioritised = _largest(links, "target", 1)

    def share(amount: float) -> str:
        return f"{100 * amount / total:.0f}%"

    start = f"{mark}{pounds(total)}" if mark else pounds(total)
    return (
        f"{start} was spent on {place}'s residents in {year}. The largest funder was "
        f"{funder} ({pounds(funded)}, {share(funded)}); the largest care setting "
        f"{setting} ({pounds(set_amount)}, {share(set_amount)}); the largest priority "
        f"{priority} ({pounds(prioritised)}, {share(prioritised)})."
    )


def _flow_spec(figure_id: str, layout: Any) -> dict[str, Any]:
    nodes, links, curves = layout.nodes, layout.links, layout.curves
    nodes = nodes.assign(x0=nodes["x0"] + LEFT_ROOM, x1=nodes["x1"] + LEFT_ROOM)
    curves = curves.assign(x=curves["x"] + LEFT_ROOM)
    funders = list(nodes.loc[nodes["column"] == 0, "name"])
    colours = [CATEGORICAL[i % len(CATEGORICAL)] for i in range(len(funders))]
    # each band takes the colour of the funder whose money it carries most of
    first = links[links["stage"] == 0].set_index("target")
    main_funder = first.sort_values("amount", ascending=False).groupby(level=0)["source"].first()
    colour_of = links["source"].where(links["stage"] == 0, links["source"].map(main_funder))
    info = links.assign(
        colour=colour_of.fillna(""),
        amount_text=[pounds(a) for a in links["amount"]],
    )[["link", "source", "target", "amount_text", "colour"]]
    bands = curves.merge(info, on="link").round({"x": 2, "y0": 2, "y1": 2})
    node_rows = nodes.assign(
        amount_text=[pounds(a) for a in nodes["amount"]],
        stage_name=nodes["stage"].map(STAGE_NAMES),
        label_x=nodes["x1"].where(nodes["column"] > 0, nodes["x0"] - 8) + 4,
        align=nodes["column"].map({0: "right", 1: "left", 2: "left"}),
        mid=(nodes["y0"] + nodes["y1"]) / 2,
        label=[
            f"{n}{'|' if c == 1 else ' '}({pounds(a)})"
            for n, a, c in zip(nodes["name"], nodes["amount"], nodes["column"], strict=True)
        ],
    ).round({"x0": 2, "x1": 2, "y0": 2, "y1": 2, "mid": 2, "label_x": 2})
    x = {"type": "quantitative", "scale": {"domain": [0, WIDTH]}, "axis": None}
    y = {"type": "quantitative", "scale": {"domain": [HEIGHT, 0]}, "axis": None}
    tooltip_link = [
        {"field": "source", "type": "nominal", "title": "From"},
        {"field": "target", "type": "nominal", "title": "To"},
        {"field": "amount_text", "type": "nominal", "title": "Amount"},
    ]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": bands.to_dict(orient="records")},
            "mark": {"type": "area", "opacity": 0.45, "interpolate": "linear"},
            "encoding": {
                "x": {"field": "x", **x},
                "y": {"field": "y0", **y},
                "y2": {"field": "y1"},
                "detail": {"field": "link", "type": "nominal"},
                "color": {
                    "field": "colour",
                    "type": "nominal",
                    "title": "Funder",
                    "scale": {"domain": funders, "range": colours},
                    "legend": {"orient": "bottom", "columns": 2, "labelLimit": 320},
                },
                "tooltip": tooltip_link,
            },
        },
        {
            "data": {"values": node_rows[_NODE_COLUMNS].to_dict(orient="records")},
            "layer": [
                {
                    "mark": {"type": "rect", "color": INK},
                    "encoding": {
                        "x": {"field": "x0", **x},
                        "x2": {"field": "x1"},
                        "y": {"field": "y0", **y},
                        "y2": {"field": "y1"},
                        "tooltip": [
                            {"field": "stage_name", "type": "nominal", "title": "Column"},
                            {"field": "name", "type": "nominal", "title": "Name"},
                            {"field": "amount_text", "type": "nominal", "title": "Amount"},
                        ],
                    },
                },
                *(
                    {
                        "transform": [{"filter": f"datum.align === '{side}'"}],
                        "mark": {
                            "type": "text",
                            "align": side,
                            "fontSize": 10,
                            "color": INK,
                            "lineBreak": "|",
                        },
                        "encoding": {
                            "x": {"field": "label_x", **x},
                            "y": {"field": "mid", **y},
                            "text": {"field": "label"},
                        },
                    }
                    for side in ("left", "right")
                ),
            ],
        },
    ]
    return {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": layers,
        "view": {"stroke": None},
        "padding": {"left": 20, "top": 5, "right": 20, "bottom": 5},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "money_flow"}},
    }


_NODE_COLUMNS = [
    "node",
    "name",
    "stage_name",
    "amount_text",
    "x0",
    "x1",
    "y0",
    "y1",
    "mid",
    "label_x",
    "align",
    "label",
]


# --- per head and outcomes -------------------------------------------------------------------


def _outcome(ctx: FigureContext, indicator_id: str) -> dict[str, str]:
    """The JSNA area's latest observed value of an indicator, with England's and the word."""
    indicator = ctx.indicator(indicator_id)
    rows = main_slice(area_rows(ctx, indicator_id, ctx.area_code))
    rows = rows[~rows["projected"] & rows["value"].notna()]
    if rows.empty:
        return {"outcome": indicator.title, "value": "no data", "england": "", "word": ""}
    row = rows.iloc[-1]
    suppressed = bool(row.get("suppressed", False))
    england = row.get("england_value")
    word = str(row.get("compared_with_england", "") or "not compared")
    return {
        "outcome": f"{indicator.title} ({row['period']})",
        "value": format_value(indicator, row["value"], suppressed=suppressed),
        "england": format_value(indicator, england) if pd.notna(england) else "",
        "word": word,
    }


def _per_head(
    ctx: FigureContext,
    block: MoneyFlowBlock,
    spend: pd.DataFrame,
    year: str,
    population: tuple[float, str] | None,
    figure_id: str,
    mark: str,
    note: str,
    base: dict[str, Any],
) -> Figure:
    title = f"{mark}Spend per resident by priority in {ctx.area_name}, {year}"
    outcomes = {o.priority: _outcome(ctx, o.indicator) for o in block.outcomes}
    if population is None:
        by = per_head(spend, 1.0, "priority", year).assign(per_head=float("nan"))
        people_note = "No population figure is in the store: spend per head is not shown."
    else:
        by = per_head(spend, population[0], "priority", year)
        people_note = (
            f"Per head: divided by {ctx.area_name}'s population of {population[0]:,.0f} "
            f"({ctx.indicator(block.population).title}, {population[1]})."
        )
    blank = {"outcome": "", "value": "", "england": "", "word": ""}
    found = [outcomes.get(name, blank) for name in by["name"]]
    rows = tuple(
        (
            str(r.name),
            pounds(r.amount),
            f"{100 * r.share:.1f}%",
            pounds(r.per_head) if pd.notna(r.per_head) else "",
            o["outcome"],
            o["value"],
            o["england"],
            o["word"],
        )
        for r, o in zip(_records(by), found, strict=True)
    )
    judgements = tuple(("", "", "", "", "", "", "", o["word"]) for o in found)
    columns = (
        Column("Priority"),
        Column("Spend", True),
        Column("Share", True),
        Column("Per resident", True),
        Column("Related outcome"),
        Column(ctx.area_name, True),
        Column("England", True),
        Column("Compared with England"),
    )
    table = Table(title, columns, rows, judgements, notes=(note, people_note))
    data = pd.DataFrame(
        {
            "year": year,
            "priority": by["name"],
            "amount_gbp": by["amount"],
            "share": by["share"].round(4),
            "per_head_gbp": by["per_head"].round(2),
            "outcome": [o["outcome"] for o in found],
            "outcome_value": [o["value"] for o in found],
            "england_value": [o["england"] for o in found],
            "compared_with_england": [o["word"] for o in found],
        }
    )
    summary = _per_head_summary(ctx, by, found, population, mark)
    spec = None if population is None else _per_head_spec(figure_id, data)
    return Figure(
        id=figure_id,
        title=title,
        summary=summary,
        table=table,
        data=data,
        spec=spec,
        indicators=block.indicator_ids(),
        **base,
    )


def _per_head_summary(
    ctx: FigureContext,
    by: pd.DataFrame,
    found: list[dict[str, str]],
    population: tuple[float, str] | None,
    mark: str,
) -> str:
    if population is None:
        return f"{mark}spend by priority (no population figure for spend per head)."
    total = float(by["amount"].sum()) / population[0]
    top = by.iloc[0]
    text = (
        f"{mark}{pounds(total)} per resident in all; the most on {top['name']} "
        f"({pounds(top['per_head'])} per resident), the least on {by.iloc[-1]['name']} "
        f"({pounds(by.iloc[-1]['per_head'])})."
    )
    linked = [
        f"{name}: {o['outcome']} is {o['value']}"
        + (f" (England {o['england']}" if o["england"] else "")
        + (f", {o['word']})" if o["word"] in _JUDGED else (")" if o["england"] else ""))
        for name, o in zip(by["name"], found, strict=True)
        if o["outcome"]
    ]
    if linked:
        text += f" Beside the spend: {'; '.join(linked)}."
    return text


def _per_head_spec(figure_id: str, data: pd.DataFrame) -> dict[str, Any]:
    values = data.assign(
        per_head_text=[pounds(v) for v in data["per_head_gbp"]],
        outcome_text=[
            f"{o}: {v}" + (f" ({w} than England)" if w in ("better", "worse") else "")
            if o
            else "no outcome linked"
            for o, v, w in zip(
                data["outcome"], data["outcome_value"], data["compared_with_england"], strict=True
            )
        ],
    )
    values = values.assign(
        outcome_label=[
            f"{o}|{v}" + (f" (England {e})" if e else "") if o else ""
            for o, v, e in zip(
                data["outcome"], data["outcome_value"], data["england_value"], strict=True
            )
        ]
    )
    order = list(values["priority"])
    y = {"field": "priority", "type": "nominal", "sort": order, "title": None}
    tooltip = [
        {"field": "priority", "type": "nominal", "title": "Priority"},
        {"field": "per_head_text", "type": "nominal", "title": "Per resident"},
        {"field": "outcome_text", "type": "nominal", "title": "Related outcome"},
    ]
    return {
        "$schema": SCHEMA,
        "data": {"values": values.to_dict(orient="records")},
        "hconcat": [
            {
                "width": 340,
                "height": {"step": 34},
                "mark": {"type": "bar", "color": CATEGORICAL[0]},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "per_head_gbp",
                        "type": "quantitative",
                        "title": "Spend per resident (£)",
                        "axis": {"format": ",.0f"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "width": 330,
                "height": {"step": 34},
                "title": {"text": "Related outcome", "fontSize": 11, "anchor": "start"},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "fontSize": 10,
                    "lineBreak": "|",
                    "color": INK,
                },
                "encoding": {
                    "y": {**y, "axis": None},
                    "x": {"value": 0},
                    "text": {"field": "outcome_label"},
                    "tooltip": tooltip,
                },
            },
        ],
        "padding": {"left": 40, "top": 5, "right": 5, "bottom": 5},
        "config": {"axis": {"labelLimit": 260}, "view": {"stroke": None}},
        "usermeta": {"jsna": {"figure": figure_id, "kind": "money_flow"}},
    }


def _records(frame: pd.DataFrame) -> list[Any]:
    """Rows as objects with one attribute per column (values typed Any for the checker)."""
    return [
        SimpleNamespace(**{str(k): v for k, v in row.items()})
        for row in frame.to_dict(orient="records")
    ]
