"""Trend: an area's value over time with its 95% confidence band, beside its comparators.

For one indicator the chart draws the JSNA area (or the area of a profile
page) as a line with points and a shaded 95% interval, and each comparator
with a value beside the area's rows (England, the region, neighbours) as a
thinner line, read from the ``<comparator>_value`` columns of the area's own
rows. With several indicators (life expectancy of women and men) each is a
line of the area. Projected rows (a linear projection such as ``2030
(projected)``) continue the line dashed and are labelled "projected".

An indicator with no "all ages" row but a count per age (population
projections) is drawn as the sum of its ages, which a count allows.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator

from ._select import area_rows, area_type_of, sources_for
from .context import FigureContext
from .format import format_limits, format_value, value_format
from .model import Column, Figure, Table
from .palette import CATEGORICAL, HIGHLIGHT_TEST, INK, MUTED, add_highlight
from .summary import comparison_phrase, no_data_summary
from .tables import comparators_of, figure_data, main_slice, suppression_notes

__all__ = ["build", "series_rows"]

KIND = "trend"
WIDTH = 560
HEIGHT = 300
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


def _summed_ages(rows: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Counts by single age with no "all ages" row: one summed row per period."""
    if indicator.method != "count" or (rows["age"] == "all ages").any() or rows.empty:
        return rows
    persons = rows[rows["sex"] == "persons"] if (rows["sex"] == "persons").any() else rows
    keys = ["area_code", "area_name", "area_type", "period", "sex", "projected"]
    summed = persons.groupby(keys, sort=False, as_index=False).agg(
        value=("value", lambda v: v.sum(min_count=len(v)))
    )
    summed["age"] = "all ages"
    return summed


def series_rows(
    ctx: FigureContext, indicator_id: str, area_type: str | None, area_code: str
) -> pd.DataFrame:
    """The headline rows of one area over every period (projected ones included), in order.

    When the area has no rows of the indicator (GP registers are published
    for the sub-ICB location, not the local authority), the indicator's one
    area of the chosen area type stands in.
    """
    indicator = ctx.indicator(indicator_id)
    every = ctx.results(indicator_id)
    rows = area_rows(ctx, indicator_id, area_code)
    if area_type is not None:
        rows = rows[rows["area_type"] == area_type]
    if rows.empty and area_code == ctx.area_code:
        kind = area_type
        if kind is None:
            counts = every.groupby("area_type")["area_code"].nunique()
            singles = [t for t, n in counts.items() if n == 1 and t not in ("country", "region")]
            kind = singles[0] if singles else area_type_of(ctx, indicator_id, None)
        frame = every[every["area_type"] == kind]
        rows = frame if frame["area_code"].nunique() == 1 else rows
    if rows.empty:
        return rows
    rows = main_slice(_summed_ages(rows, indicator), keep_projected=True)
    for column in ("lower_95", "upper_95", "numerator", "denominator"):
        if column not in rows.columns:
            rows = rows.assign(**{column: float("nan")})
    return rows.reset_index(drop=True)


def _records(
    rows: pd.DataFrame, indicator: Indicator, series: str, compared: tuple[str, str] | None
) -> list[dict[str, Any]]:
    """Long-format marks of one series; a bridge row joins the dashed projection to the line."""
    shown = rows[rows["value"].notna()]
    status = ["projected" if p else "observed" for p in shown["projected"]]
    words = (
        shown.get(f"compared_with_{compared[0]}", pd.Series("", index=shown.index)).fillna("")
        if compared
        else pd.Series("", index=shown.index)
    )
    records = [
        {
            "series": series,
            "area_code": str(row["area_code"]),
            "period": str(row["period"]),
            "value": float(row["value"]),
            "lower_95": None if pd.isna(row["lower_95"]) else float(row["lower_95"]),
            "upper_95": None if pd.isna(row["upper_95"]) else float(row["upper_95"]),
            "status": state,
            "value_text": format_value(indicator, row["value"]),
            "interval_text": format_limits(indicator, row["lower_95"], row["upper_95"]),
            "comparison_text": comparison_phrase(word, compared[1]) if compared and word else "",
        }
        for (_, row), state, word in zip(shown.iterrows(), status, words, strict=True)
    ]
    observed = [r for r in records if r["status"] == "observed"]
    if observed and len(observed) < len(records):
        records.append({**observed[-1], "status": "projected", "bridge": True})
    return records


def _comparator_records(
    rows: pd.DataFrame, indicator: Indicator, ctx: FigureContext
) -> list[dict[str, Any]]:
    """Lines of the comparators' values beside the area's observed rows."""
    records = []
    observed = rows[~rows["projected"].astype(bool)]
    for ref in comparators_of(ctx.project, indicator, rows):
        if ref.value_column not in observed.columns:
            continue
        values = observed[["period", ref.value_column]].dropna()
        records.extend(
            {
                "series": ref.name,
                "area_code": None,
                "period": str(period),
                "value": float(value),
                "lower_95": None,
                "upper_95": None,
                "status": "observed",
                "value_text": format_value(indicator, value),
                "interval_text": "",
                "comparison_text": "",
            }
            for period, value in zip(values["period"], values[ref.value_column], strict=True)
        )
    return records


def _spec(
    figure_id: str,
    title: str,
    indicator: Indicator,
    records: list[dict[str, Any]],
    order: list[str],
) -> dict[str, Any]:
    series = list(dict.fromkeys(r["series"] for r in records))
    colours = [CATEGORICAL[i % len(CATEGORICAL)] for i in range(len(series))]
    x = {
        "field": "period",
        "type": "ordinal",
        "sort": order,
        "title": "Period",
        "axis": {"labelAngle": -45 if len(order) > 8 else 0, "labelOverlap": True},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": f"{indicator.title} ({indicator.unit})" if indicator.unit else indicator.title,
        "axis": {"format": value_format(indicator)},
        "scale": {"zero": False},
    }
    colour = {
        "field": "series",
        "type": "nominal",
        "scale": {"domain": series, "range": colours},
        "legend": {"title": None, "orient": "bottom", "labelLimit": 400, "columns": 2},
    }
    tooltip = [
        {"field": "series", "title": "Series"},
        {"field": "period", "title": "Period"},
        {"field": "value_text", "title": "Value"},
        {"field": "interval_text", "title": "95% CI"},
        {"field": "comparison_text", "title": "Comparison"},
        {"field": "status", "title": "Status"},
    ]
    layers: list[dict[str, Any]] = []
    if any(r["lower_95"] is not None for r in records):
        layers.append(
            {
                "transform": [{"filter": "datum.lower_95 != null && !datum.bridge"}],
                "mark": {"type": "area", "opacity": 0.2},
                "encoding": {
                    "x": x,
                    "y": {"field": "lower_95", "type": "quantitative"},
                    "y2": {"field": "upper_95"},
                    "color": colour,
                },
            }
        )
    layers.append(
        {
            "mark": {"type": "line", "strokeWidth": 2},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "detail": {"field": "status"},
                "strokeDash": {
                    "field": "status",
                    "type": "nominal",
                    "scale": {"domain": ["observed", "projected"], "range": [[1, 0], [6, 4]]},
                    "legend": None,
                },
            },
        }
    )
    layers.append(
        {
            "transform": [{"filter": "!datum.bridge"}],
            "mark": {"type": "point", "filled": True, "size": 40},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "tooltip": tooltip,
                "size": {
                    "condition": {"test": HIGHLIGHT_TEST, "value": 110},
                    "value": 40,
                },
            },
        }
    )
    if any(r["status"] == "projected" and not r.get("bridge") for r in records):
        layers.append(
            {
                "transform": [
                    {"filter": "datum.status === 'projected' && !datum.bridge"},
                    {
                        "window": [{"op": "rank", "as": "rank"}],
                        "sort": [{"field": "period", "order": "descending"}],
                        "groupby": ["series"],
                    },
                    {"filter": "datum.rank === 1"},
                ],
                "mark": {"type": "text", "dy": -10, "color": MUTED, "fontStyle": "italic"},
                "encoding": {"x": x, "y": y, "text": {"value": "projected"}},
            }
        )
    return add_highlight(
        {
            "$schema": SCHEMA,
            "title": {"text": title, "anchor": "start"},
            "data": {"values": records},
            "width": WIDTH,
            "height": HEIGHT,
            "layer": layers,
            "config": {"view": {"stroke": None}, "line": {"color": INK}},
            "usermeta": {"jsna": {"figure": figure_id, "kind": KIND}},
        }
    )


def _summary(name: str, indicator: Indicator, rows: pd.DataFrame, series: str) -> str:
    observed = rows[~rows["projected"].astype(bool) & rows["value"].notna()]
    if observed.empty:
        return f"{series}: no published values for {name}."
    first, last = observed.iloc[0], observed.iloc[-1]
    text = (
        f"{series}: {name}'s value was {format_value(indicator, last['value'])} in {last['period']}"
    )
    if len(observed) > 1:
        text += f", from {format_value(indicator, first['value'])} in {first['period']}"
    text += "."
    england = last.get("england_value")
    if england is not None and not pd.isna(england):
        word = str(last.get("compared_with_england", "") or "")
        judged = (
            f" ({comparison_phrase(word, 'England')})" if word not in ("", "not compared") else ""
        )
        text += f" England's was {format_value(indicator, england)}{judged}."
    trend = str(last.get("trend", "") or "")
    if trend and trend != "cannot be calculated":
        text += f" Recent trend: {trend}."
    projected = rows[rows["projected"].astype(bool) & rows["value"].notna()]
    if not projected.empty:
        end = projected.iloc[-1]
        text += f" Projected: {format_value(indicator, end['value'])} in {end['period']}."
    return text


def _table(
    rows: pd.DataFrame,
    indicators: list[Indicator],
    caption: str,
    many: bool,
    names: dict[str, str],
) -> Table:
    columns = [Column("Period")]
    if many:
        columns.append(Column("Indicator"))
    columns += [Column("Value", numeric=True), Column("95% CI", numeric=True)]
    comparators = [c for c in rows.columns if c.endswith("_value") and rows[c].notna().any()]
    columns += [Column(_comparator_heading(c, names), numeric=True) for c in comparators]
    words = [
        c
        for c in rows.columns
        if c.startswith("compared_with_") and (~rows[c].fillna("").isin(["", "not compared"])).any()
    ]
    columns += [Column(f"Compared with {names.get(c[14:], c[14:])}") for c in words]
    columns.append(Column("Status"))
    by_id = {i.id: i for i in indicators}
    body = []
    judgements = []
    for _, row in rows.iterrows():
        indicator = by_id[row["indicator_id"]]
        cells = [str(row["period"])]
        if many:
            cells.append(indicator.title)
        cells += [
            format_value(indicator, row["value"], suppressed=bool(row.get("suppressed", False))),
            format_limits(indicator, row["lower_95"], row["upper_95"]),
        ]
        cells += ["" if pd.isna(row[c]) else format_value(indicator, row[c]) for c in comparators]
        said = [str(row[c] or "") or "not compared" for c in words]
        cells += said
        cells.append("projected" if row["projected"] else "observed")
        body.append(tuple(cells))
        judgements.append(("",) * (len(cells) - len(said) - 1) + tuple(said) + ("",))
    return Table(
        caption=caption,
        columns=tuple(columns),
        rows=tuple(body),
        judgements=tuple(judgements),
        notes=suppression_notes(rows),
    )


def _comparator_heading(column: str, names: dict[str, str]) -> str:
    """``england_value`` -> ``England``: the comparator's name from jsna.yml."""
    key = column.removesuffix("_value")
    return names.get(key, key.replace("_", " ").capitalize())


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """The trend figure of a chart block (one or several indicators, one area)."""
    ids = [block.indicator] if block.indicator else list(block.indicators)
    focus = area_code or ctx.area_code
    indicators = [ctx.indicator(i) for i in ids]
    frames = [series_rows(ctx, i, block.area_type, focus) for i in ids]
    figure_id = "-".join([KIND, *ids]) + (f"-{area_code}" if area_code else "")
    title = " and ".join(i.title for i in indicators)
    rows = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else frames[0]
    )
    caption = block.caption
    name = str(rows["area_name"].iloc[0]) if not rows.empty else ctx.area_name
    data = figure_data(rows, extra=("projected",))
    if rows.empty or rows["value"].notna().sum() == 0:
        return Figure(
            id=figure_id,
            kind=KIND,
            title=title,
            caption=caption,
            summary=no_data_summary(title, f"in {name}"),
            table=Table(caption or title, (Column("Period"), Column("Value", True)), ()),
            data=data,
            spec=None,
            indicators=tuple(ids),
            area_type=block.area_type,
        )
    many = len(ids) > 1
    records: list[dict[str, Any]] = []
    summaries = []
    for indicator, frame in zip(indicators, frames, strict=True):
        if frame.empty:
            continue
        series = indicator.title if many else name
        refs = comparators_of(ctx.project, indicator, frame)
        compared = (refs[0].id, refs[0].name) if refs else None
        records += _records(frame, indicator, series, compared)
        if not many:
            records += _comparator_records(frame, indicator, ctx)
        summaries.append(_summary(name, indicator, frame, indicator.title))
    order = list(dict.fromkeys(str(p) for p in rows["period"]))
    full_title = f"{title}, {name}"
    return Figure(
        id=figure_id,
        kind=KIND,
        title=full_title,
        caption=caption,
        summary=" ".join(summaries),
        table=_table(
            rows,
            indicators,
            caption or full_title,
            many,
            {c.id: c.name for c in ctx.project.config.comparators},
        ),
        data=data,
        spec=_spec(figure_id, full_title, indicators[0], records, order),
        indicators=tuple(ids),
        area_type=str(rows["area_type"].iloc[0]),
        period=str(rows.loc[~rows["projected"].astype(bool), "period"].iloc[-1])
        if (~rows["projected"].astype(bool)).any()
        else None,
        sources=sources_for(ctx, ids, rows),
    )
