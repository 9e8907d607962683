"""Compare areas: one bar per area for the latest period, after Fingertips' "compare areas".

For each indicator of a ``compare`` chart block the figure shows

- at the JSNA's own area type (local authorities), the JSNA area and the
  areas of its comparators (CIPFA and statistical neighbours, Greater
  Manchester ...) that have results; at smaller area types (wards, MSOAs,
  practice localities, GP practices) the areas within the JSNA area;
- bars sorted by value, with 95% confidence intervals as error bars;
- the benchmark as a dashed rule: England's value, and for sub-areas the JSNA
  area's own value, which they are judged against (Fingertips'
  overlapping-interval rule) when the store holds no judgement for them;
- bars coloured by comparison word (colour-blind-safe palette), with the word
  in the tooltip, the legend and the table; the JSNA area (or the area of a
  profile page) outlined, and any area emphasised when a page sets
  ``highlight``.

An indicator published for one area only (England's deprivation deciles,
psychotic disorder by sex and age), or one with a breakdown such as
deprivation quintiles within areas, is drawn as one bar per category of that
area instead, judged against the area's overall value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator

from ._select import (
    area_benchmark,
    area_type_of,
    headline_at,
    jsna_areas,
    observed,
    period_of,
    rows_at,
    slug,
    sources_for,
)
from .context import FigureContext
from .format import format_count, format_limits, format_value, value_format
from .model import Figure, Table
from .palette import INK, MUTED, add_highlight, comparison_scale, emphasis_encoding
from .summary import (
    area_noun,
    comparison_counts_sentence,
    comparison_phrase,
    extremes_sentence,
    no_data_summary,
    value_sentence,
)
from .tables import (
    ComparatorRef,
    area_table,
    comparators_of,
    compare_with_area,
    empty_table,
    figure_data,
    main_slice,
    stack_tables,
)

__all__ = ["Panel", "build", "panel_spec", "select_panel"]

KIND = "compare"
WIDTH = 560
BAR_STEP = 18
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
_SEX_AGE = {"sex", "age", "sex_age"}
"""Breakdowns by the sex and age columns, not categories of the source."""


@dataclass(frozen=True)
class Panel:
    """The rows of one indicator a compare chart draws, and how they are judged."""

    indicator: Indicator
    area_type: str | None
    period: str | None
    rows: pd.DataFrame
    """All rows shown (suppressed ones too), with ``label`` and ``comparison`` columns."""
    judged_by: ComparatorRef | None
    """Whose comparison colours the bars (England, or the JSNA area for sub-areas)."""
    comparators: tuple[ComparatorRef, ...]
    benchmarks: tuple[tuple[str, float], ...]
    """(name, value) of the dashed benchmark rules."""
    categories: bool
    """True when bars are categories of one area rather than areas."""


def _category_label(rows: pd.DataFrame) -> pd.Series:
    """``Most deprived quintile``, ``female``, ``persons 25-34``: what differs between rows."""
    parts = []
    for column in ("breakdown", "sex", "age"):
        values = rows[column].fillna("").astype(str)
        if values.nunique() > 1:
            parts.append(values)
    if not parts:
        return rows["area_name"].astype(str)
    numeric = parts[0].str.fullmatch(r"\d+")
    if "breakdown" in rows and numeric.any():
        kind = rows["breakdown_type"].fillna("").astype(str)
        parts[0] = parts[0].where(~numeric, kind.str.cat(parts[0], sep=" ").str.strip())
    label = parts[0]
    for part in parts[1:]:
        label = label.str.cat(part, sep=" ").str.strip()
    return label


def _other_categories(frame: pd.DataFrame, headline: pd.DataFrame) -> pd.DataFrame:
    """When one area only is shown, its rows besides the headline one (sexes, ages, bands)."""
    codes = headline["area_code"].unique()
    if len(codes) != 1:
        return frame.iloc[0:0]
    same = frame[frame["area_code"] == codes[0]]
    return same[~same.index.isin(headline.index)]


def _benchmark_value(rows: pd.DataFrame, ref_id: str) -> float | None:
    column = f"{ref_id}_value"
    if column not in rows.columns:
        return None
    values = rows[column].dropna()
    return None if values.empty else float(values.iloc[0])


def _first_judging(rows: pd.DataFrame, refs: Sequence[ComparatorRef]) -> ComparatorRef | None:
    """The first comparator whose words say more than "not compared" on some row."""
    for ref in refs:
        words = rows.get(ref.word_column, pd.Series(dtype=str)).fillna("")
        if (~words.isin(["", "not compared"])).any():
            return ref
    return None


def _judge(
    ctx: FigureContext, rows: pd.DataFrame, indicator: Indicator, period: str, categories: bool
) -> tuple[pd.DataFrame, ComparatorRef | None, tuple[ComparatorRef, ...], list[tuple[str, float]]]:
    """Add ``comparison`` (the word colouring each bar) and say against whom."""
    refs = tuple(comparators_of(ctx.project, indicator, rows))
    judged_by = _first_judging(rows, refs)
    benchmarks: list[tuple[str, float]] = []
    england = next((r for r in refs if r.id == "england"), None)
    if england is not None and (value := _benchmark_value(rows, "england")) is not None:
        benchmarks.append((england.name, value))
    local: pd.Series | None = None
    name = ctx.area_name
    if categories:
        whole = ctx.memo(
            ("headline_rows", indicator.id), lambda: main_slice(observed(ctx, indicator.id))
        )
        whole = whole[
            (whole["period"] == period) & (whole["area_code"] == rows["area_code"].iloc[0])
        ]
        local = None if whole.empty or pd.isna(whole["value"].iloc[0]) else whole.iloc[0]
        name = f"{rows['area_name'].iloc[0]} overall"
    elif rows["area_type"].iloc[0] != ctx.project.config.area.area_type:
        found = area_benchmark(ctx, indicator.id, rows, period)
        if found is not None and not (found[0] == "England" and benchmarks):
            name = found[0]
            local = pd.Series({"area_code": "", "value": found[1]})
    if local is not None and (categories or local["area_code"] not in set(rows["area_code"])):
        benchmarks.append((name, float(local["value"])))
    if judged_by is None and local is not None:
        judged_by = ComparatorRef(slug(name), name)
        rows = compare_with_area(
            rows, float(local["value"]), indicator.polarity, judged_by.word_column
        )
        rows[judged_by.value_column] = float(local["value"])
        refs = (*(r for r in refs if r.id != judged_by.id), judged_by)
    word = (
        rows[judged_by.word_column].fillna("")
        if judged_by is not None
        else pd.Series("", index=rows.index)
    )
    rows = rows.assign(comparison=word.replace("", "not compared").astype(str))
    return rows, judged_by, refs, benchmarks


def select_panel(
    ctx: FigureContext,
    indicator_id: str,
    area_type: str | None,
    period: str | None,
    focus: str,
) -> Panel:
    """The rows of one indicator a compare chart shows (see the module doc)."""
    kind = area_type_of(ctx, indicator_id, area_type)
    when = period_of(ctx, indicator_id, kind, period)
    codes = ctx.memo(
        ("panel_codes", indicator_id, kind, when),
        lambda: frozenset(rows_at(ctx, indicator_id, kind, when)["area_code"]),
    )
    # the panel depends on the focus only through the area whose categories it may show
    area = focus if focus in codes else ctx.area_code
    return ctx.memo(
        ("panel", indicator_id, kind, when, area),
        lambda: _select_panel(ctx, indicator_id, kind, when, area),
    )


def _select_panel(
    ctx: FigureContext, indicator_id: str, kind: str | None, when: str | None, area: str
) -> Panel:
    """The panel of one indicator at a resolved area type and period (see :func:`select_panel`)."""
    indicator = ctx.indicator(indicator_id)
    frame = rows_at(ctx, indicator_id, kind, when)
    if frame.empty or when is None:
        return Panel(
            indicator, kind, when, frame.assign(label=[], comparison=[]), None, (), (), False
        )
    headline = headline_at(ctx, indicator_id, str(kind), when)
    chosen = jsna_areas(ctx, indicator_id, str(kind), headline["area_code"])
    if chosen:
        headline = headline[headline["area_code"].isin(chosen)]
    breakdowns = set(indicator.breakdowns) - _SEX_AGE
    if breakdowns and (frame["area_code"] == area).any():
        rows = frame[(frame["area_code"] == area) & (frame["breakdown_type"].fillna("") != "")]
        categories = True
    elif len(others := _other_categories(frame, headline)) > 1:
        rows, categories = others, True
    else:
        rows, categories = headline, False
    rows = rows.copy()
    rows["label"] = _category_label(rows) if categories else rows["area_name"].astype(str)
    rows, judged_by, refs, benchmarks = _judge(ctx, rows, indicator, str(when), categories)
    rows = rows.sort_values(["value", "label"], ascending=[False, True], na_position="last")
    return Panel(indicator, kind, when, rows, judged_by, refs, tuple(benchmarks), categories)


def _chart_values(panel: Panel) -> list[dict[str, Any]]:
    """Records the marks draw: drawn rows only (no suppressed or missing value)."""
    shown = panel.rows[panel.rows["value"].notna()]
    name = panel.judged_by.name if panel.judged_by is not None else "a benchmark"
    indicator = panel.indicator
    frame = pd.DataFrame(
        {
            "area_code": shown["area_code"].astype(str),
            "area_name": shown["area_name"].astype(str),
            "label": shown["label"].astype(str),
            "value": shown["value"].astype(float),
            "lower_95": shown["lower_95"].astype(float),
            "upper_95": shown["upper_95"].astype(float),
            "comparison": shown["comparison"],
            "value_text": [format_value(indicator, v) for v in shown["value"]],
            "interval_text": [
                format_limits(indicator, lo, hi)
                for lo, hi in zip(shown["lower_95"], shown["upper_95"], strict=True)
            ],
            "comparison_text": [comparison_phrase(w, name) for w in shown["comparison"]],
            "count_text": [format_count(v) for v in shown["numerator"]],
        }
    )
    records = frame.to_dict(orient="records")
    return [{k: (None if _nan(v) else v) for k, v in r.items()} for r in records]


def _nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def _axis_title(indicator: Indicator) -> str:
    return f"{indicator.title} ({indicator.unit})" if indicator.unit else indicator.title


def panel_spec(panel: Panel, focus: str | None, *, width: int = WIDTH) -> dict[str, Any]:
    """One layered bar chart (no ``$schema``): bars, CI rules, benchmark rules and labels."""
    values = _chart_values(panel)
    order = [v["label"] for v in values]
    words = sorted({v["comparison"] for v in values})
    y = {"field": "label", "type": "nominal", "sort": order, "title": None}
    y["axis"] = {"labelLimit": 220}
    tooltip = [
        {"field": "label", "title": "Category" if panel.categories else "Area"},
        {"field": "value_text", "title": "Value"},
        {"field": "interval_text", "title": "95% CI"},
        {"field": "comparison_text", "title": "Comparison"},
    ]
    bars: dict[str, Any] = {
        "mark": {"type": "bar", "height": {"band": 0.8}},
        "encoding": {
            "y": y,
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": _axis_title(panel.indicator),
                "axis": {"format": value_format(panel.indicator)},
                "scale": {"zero": True},
            },
            "color": {
                "field": "comparison",
                "type": "nominal",
                "scale": comparison_scale(words),
                "legend": {
                    "title": f"Compared with {panel.judged_by.name}"
                    if panel.judged_by is not None
                    else "Comparison",
                    "orient": "bottom",
                    "labelLimit": 300,
                    "titleLimit": 400,
                },
            },
            "tooltip": tooltip,
            **emphasis_encoding(focus),
        },
    }
    layers: list[dict[str, Any]] = [bars]
    if any(v["lower_95"] is not None for v in values):
        layers.append(
            {
                "mark": {"type": "rule", "color": INK, "strokeWidth": 1.2},
                "encoding": {
                    "y": {"field": "label", "type": "nominal", "sort": order},
                    "x": {"field": "lower_95", "type": "quantitative"},
                    "x2": {"field": "upper_95"},
                    "tooltip": tooltip,
                },
            }
        )
    if panel.benchmarks:
        marks = [
            {
                "benchmark": name,
                "value": value,
                "value_text": format_value(panel.indicator, value),
                "text": f"{name}: {format_value(panel.indicator, value)}",
            }
            for name, value in panel.benchmarks
        ]
        layers.append(
            {
                "data": {"values": marks},
                "mark": {"type": "rule", "color": MUTED, "strokeDash": [6, 3], "strokeWidth": 1.5},
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "tooltip": [
                        {"field": "benchmark", "title": "Benchmark"},
                        {"field": "value_text", "title": "Value"},
                    ],
                },
            }
        )
        layers.extend(
            {
                "data": {"values": [mark]},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "bottom",
                    "dx": 3,
                    "y": -3 - 13 * number,
                    "color": INK,
                    "fontSize": 11,
                },
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            }
            for number, mark in enumerate(marks)
        )
    return {
        "title": {"text": panel.indicator.title, "subtitle": _subtitle(panel), "anchor": "start"},
        "data": {"values": values},
        "width": width,
        "height": max(BAR_STEP * 3, BAR_STEP * len(values)),
        "layer": layers,
    }


def _subtitle(panel: Panel) -> str:
    what = "by category" if panel.categories else "by area"
    return f"{panel.period}, {what}" if panel.period else what


def _noun(ctx: FigureContext, panel: Panel) -> str:
    name = ctx.area_type_names.get(str(panel.area_type), str(panel.area_type))
    return "categories" if panel.categories else area_noun(name, len(panel.rows))


def _panel_summary(ctx: FigureContext, panel: Panel, focus: str) -> str:
    rows = panel.rows
    sentences = []
    own = rows[rows["area_code"] == focus]
    if not panel.categories and not own.empty:
        comparisons = [
            (str(own.iloc[0].get(ref.word_column, "") or ""), ref.name)
            for ref in panel.comparators
            if ref.word_column in own.columns
        ]
        comparisons = [(w, n) for w, n in comparisons if w not in ("", "not compared")]
        sentences.append(value_sentence(panel.indicator, own.iloc[0], comparisons=comparisons))
    sentences.append(extremes_sentence(rows, panel.indicator, label="label"))
    if panel.judged_by is not None:
        sentences.append(
            comparison_counts_sentence(rows["comparison"], panel.judged_by.name, _noun(ctx, panel))
        )
    if not sentences or not any(sentences):
        sentences.append(
            f"{len(rows)} {_noun(ctx, panel)} are shown for {panel.indicator.title}, {panel.period}."
        )
    prefix = f"{panel.indicator.title}: " if not own.empty and panel.categories else ""
    return prefix + " ".join(s for s in sentences if s)


def _panel_table(panel: Panel, caption: str) -> Table:
    return area_table(
        panel.rows,
        panel.indicator,
        caption=caption,
        comparators=panel.comparators,
        first="Category" if panel.categories else "Area",
        label="label",
    )


def _title(ctx: FigureContext, panels: Sequence[Panel]) -> str:
    titles = " and ".join(p.indicator.title for p in panels)
    first = panels[0]
    if first.categories:
        return f"{titles}, {first.rows['area_name'].iloc[0]} by category"
    name = ctx.area_type_names.get(str(first.area_type), str(first.area_type))
    return f"{titles} by {area_noun(name, 1)}"


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """The compare-areas figure of a chart block (one panel per indicator, stacked)."""
    ids = [block.indicator] if block.indicator else list(block.indicators)
    focus = area_code or ctx.area_code
    panels = [select_panel(ctx, i, block.area_type, block.period, focus) for i in ids]
    first = panels[0]
    figure_id = "-".join([KIND, *ids, str(first.area_type or "none")])
    if area_code is not None:
        figure_id += f"-{area_code}"
    drawn = [p for p in panels if p.rows["value"].notna().any()]
    caption = block.caption
    if not drawn:
        title = " and ".join(p.indicator.title for p in panels)
        return Figure(
            id=figure_id,
            kind=KIND,
            title=title,
            caption=caption,
            summary=no_data_summary(title),
            table=empty_table(caption or title),
            data=figure_data(first.rows),
            spec=None,
            indicators=tuple(ids),
            area_type=first.area_type,
            period=first.period,
        )
    title = _title(ctx, drawn)
    charts = [panel_spec(p, None if p.categories else focus) for p in drawn]
    spec: dict[str, Any] = {"$schema": SCHEMA}
    if len(charts) == 1:
        spec.update(charts[0])
    else:
        spec["vconcat"] = charts
        spec["resolve"] = {"scale": {"color": "independent", "x": "independent"}}
    spec["usermeta"] = {"jsna": {"figure": figure_id, "kind": KIND}}
    spec["config"] = {"view": {"stroke": None}, "axis": {"labelFontSize": 11}}
    add_highlight(spec)
    tables = [_panel_table(p, caption or title) for p in drawn]
    table = (
        tables[0]
        if len(tables) == 1
        else stack_tables(tables, [p.indicator.title for p in drawn], caption=caption or title)
    )
    data = pd.concat([figure_data(p.rows) for p in drawn], ignore_index=True)
    data = figure_data(data)
    return Figure(
        id=figure_id,
        kind=KIND,
        title=title,
        caption=caption,
        summary=" ".join(_panel_summary(ctx, p, focus) for p in drawn),
        table=table,
        data=data,
        spec=spec,
        indicators=tuple(ids),
        area_type=first.area_type,
        period=first.period,
        sources=sources_for(ctx, [p.indicator.id for p in drawn], data),
    )
