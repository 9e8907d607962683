"""Population pyramids: residents by five-year age band, men to the left and women to the right.

A ``pyramid`` chart block names a population indicator (a count published
by ``age``, and by ``sex`` when it can) and optionally an area type. Bands
are built from the published single years of age (``0`` ... ``89``,
``90+``; published aggregates such as ``0-15`` or ``65+`` are left out so
nobody is counted twice) and shown as a **percentage of all the area's
residents**, so areas of any size compare; counts are in the tooltip, the
table and the data.

Published results carry sex for all ages and age for persons, but not
always both at once. When rows split by sex *and* age exist the chart is a
true pyramid; otherwise it shows persons by age (one-sided bars) and the
summary gives the numbers of men and women, saying the figures are not split
by both. When the first comparator (England) has the same breakdown in the
results, its profile is drawn as an outline over the bars.

Without an ``area_code``, sub-area types (wards, MSOAs) carry every area of
the JSNA area in the spec and show the one chosen by the page's ``highlight``
parameter (the first area by name until one is chosen), so an area
selector switches the pyramid (a highlighted code of another area type leaves it
on the default area).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.indicators import Indicator

from .context import FigureContext
from .format import format_count, format_number
from .maps import areas_in_jsna
from .model import Column, Figure, Table
from .palette import CATEGORICAL, INK, add_highlight
from .summary import area_noun, no_data_summary

__all__ = ["BAND_WIDTH", "TOP_BAND", "age_bands", "build"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH, HEIGHT = 640, 420
BAND_WIDTH = 5
TOP_BAND = 90
"""The last band is ``90+``."""

_SEX_NAMES = {"male": "Men", "female": "Women", "persons": "All residents"}


def _band(age: pd.Series) -> pd.Series:
    """Single years (``37``) and the open top (``90+``) -> ``35-39`` / ``90+``; others
    (``0-15``, ``65+``, ``all ages``) -> NA."""
    text = age.astype(str).str.strip()
    single = text.str.fullmatch(r"\d+")
    years = pd.to_numeric(text.str.rstrip("+"), errors="coerce")
    # an open top ("90+") is a band; a wider aggregate ("65+") would count people twice
    years = years.where(single | (text.str.fullmatch(r"\d+\+") & (years >= TOP_BAND)))
    start = (years // BAND_WIDTH * BAND_WIDTH).clip(upper=TOP_BAND)
    label = start.map(
        lambda s: (
            pd.NA
            if pd.isna(s)
            else f"{int(s)}+"
            if s >= TOP_BAND
            else f"{int(s)}-{int(s) + BAND_WIDTH - 1}"
        )
    )
    return label.astype(object)


def _band_order() -> list[str]:
    starts = range(0, TOP_BAND, BAND_WIDTH)
    return [f"{s}-{s + BAND_WIDTH - 1}" for s in starts] + [f"{TOP_BAND}+"]


def age_bands(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts per area, sex and five-year band from single-year rows, with ``percent`` of the
    area's total (over the sexes shown). Columns: ``area_code``, ``area_name``, ``sex``,
    ``band``, ``count``, ``percent``."""
    rows = frame.assign(band=_band(frame["age"])).dropna(subset=["band"])
    rows = rows[~rows["suppressed"].fillna(False).astype(bool)]
    counts = (
        rows.groupby(["area_code", "area_name", "sex", "band"], sort=False)["value"]
        .sum(min_count=1)
        .reset_index(name="count")
    )
    totals = counts.groupby("area_code")["count"].transform("sum")
    counts["percent"] = 100 * counts["count"] / totals
    order = {b: i for i, b in enumerate(_band_order())}
    counts["_order"] = counts["band"].map(order)
    return counts.sort_values(["area_code", "sex", "_order"]).drop(columns="_order")


def _split_by_sex(frame: pd.DataFrame) -> bool:
    sexes = frame["sex"].isin(["male", "female"])
    return bool((sexes & _band(frame["age"]).notna()).any())


def _slice(frame: pd.DataFrame, by_sex: bool) -> pd.DataFrame:
    frame = frame[frame["breakdown_type"].fillna("") == ""]
    frame = frame[~frame["projected"].astype(bool)] if "projected" in frame else frame
    if by_sex:
        return frame[frame["sex"].isin(["male", "female"])]
    return frame[frame["sex"] == "persons"]


def build(ctx: FigureContext, block: ChartBlock, *, area_code: str | None = None) -> Figure:
    """A pyramid (or age profile) of ``block.indicator`` for ``area_code`` (default: the JSNA
    area, or the first area of a sub-area type)."""
    indicator = ctx.indicator(block.indicator or block.indicators[0])
    own_type = ctx.project.config.area.area_type
    area_type = block.area_type or own_type
    type_name = ctx.area_type_names.get(area_type, area_type)
    period = block.period or ctx.latest_period(indicator.id, area_type)
    # at a sub-area type the rows and bands are those of every area, whatever area_code is
    chosen_code = (area_code or ctx.area_code) if area_type == own_type else None
    frame, by_sex, bands = ctx.memo(
        ("pyramid", indicator.id, area_type, period, chosen_code),
        lambda: _area_bands(ctx, indicator.id, area_type, period, chosen_code),
    )
    figure_id = f"pyramid-{indicator.id}-{area_type}"
    if bands.empty:
        title = f"{indicator.title} by age"
        summary = no_data_summary(f"{indicator.title} by age", f"for {type_name}")
        table = Table(caption=title, columns=(Column("Age band"),), rows=())
        data = pd.DataFrame(columns=["area_code", "area_name", "sex", "band", "count", "percent"])
        return Figure(figure_id, "pyramid", title, block.caption, summary, table, data, None)
    names = bands.drop_duplicates("area_code").set_index("area_code")["area_name"]
    default = area_code if area_code in names.index else sorted(names.index, key=names.get)[0]
    name = str(names[default])
    what = "residents by sex and age" if by_sex else "residents by age"
    chosen = area_code in names.index or len(names) == 1
    place = name if chosen else f"the chosen {area_noun(type_name, 1)} ({name} until one is chosen)"
    title = f"{place[0].upper()}{place[1:]}: {what}" + (f", {period}" if period else "")
    mine = bands[bands["area_code"] == default]
    outline = _comparator(ctx, indicator, period, by_sex)
    summary = _summary(ctx, indicator, frame, mine, name, by_sex, outline)
    # A profile page shows its own area only; a chapter carries every area for the selector.
    shown = mine if chosen else bands
    data = shown.assign(area_type=area_type, period=period)[
        ["area_code", "area_name", "area_type", "period", "sex", "band", "count", "percent"]
    ].reset_index(drop=True)
    spec = _spec(figure_id, data, outline, default, by_sex, not chosen)
    return Figure(
        id=figure_id,
        kind="pyramid",
        title=title,
        caption=block.caption,
        summary=summary,
        table=_table(mine, title, by_sex),
        data=data,
        spec=spec,
        indicators=(indicator.id,),
        area_type=area_type,
        period=period,
    )


def _area_bands(
    ctx: FigureContext, indicator_id: str, area_type: str, period: str | None, code: str | None
) -> tuple[pd.DataFrame, bool, pd.DataFrame]:
    """(rows, split by sex?, :func:`age_bands`) of one area (``code``), or of every area of the
    JSNA at a sub-area type (``code`` None)."""
    frame = ctx.results(indicator_id)
    frame = frame[(frame["area_type"] == area_type) & (frame["period"] == period)]
    codes = {code} if code is not None else set(areas_in_jsna(ctx, area_type))
    frame = frame[frame["area_code"].isin(codes)]
    by_sex = _split_by_sex(frame)
    return frame, by_sex, age_bands(_slice(frame, by_sex))


def _comparator(
    ctx: FigureContext, indicator: Indicator, period: str | None, by_sex: bool
) -> pd.DataFrame | None:
    """The first comparator's (England's) bands, when the results have them (cached)."""
    return ctx.memo(
        ("pyramid_comparator", indicator.id, period, by_sex),
        lambda: _make_comparator(ctx, indicator, period, by_sex),
    )


def _make_comparator(
    ctx: FigureContext, indicator: Indicator, period: str | None, by_sex: bool
) -> pd.DataFrame | None:
    comparators = ctx.project.config.comparators
    if not comparators:
        return None
    code = comparators[0].codes[0]
    frame = ctx.results(indicator.id)
    frame = frame[(frame["area_code"] == code) & (frame["period"] == period)]
    if frame.empty or _split_by_sex(frame) != by_sex:
        return None
    bands = age_bands(_slice(frame, by_sex))
    return None if bands.empty else bands.assign(area_name=comparators[0].name)


def _sex_totals(frame: pd.DataFrame, code: str) -> dict[str, float]:
    rows = frame[(frame["area_code"] == code) & (frame["age"] == "all ages")]
    rows = rows[rows["breakdown_type"].fillna("") == ""]
    return {
        str(s): float(v) for s, v in zip(rows["sex"], rows["value"], strict=True) if pd.notna(v)
    }


def _summary(
    ctx: FigureContext,
    indicator: Indicator,
    frame: pd.DataFrame,
    mine: pd.DataFrame,
    name: str,
    by_sex: bool,
    outline: pd.DataFrame | None,
) -> str:
    total = float(mine["count"].sum())
    persons = mine.groupby("band", sort=False)[["count", "percent"]].sum()
    largest = persons["percent"].idxmax()
    children = persons.loc[
        [b for b in persons.index if b in ("0-4", "5-9", "10-14")], "percent"
    ].sum()
    older = persons.loc[
        [b for b in persons.index if b[:2].isdigit() and int(b.split("-")[0].rstrip("+")) >= 65],
        "percent",
    ].sum()
    text = (
        f"{name} has {format_count(total)} residents. The largest five-year age band is "
        f"{largest} ({format_number(persons.loc[largest, 'percent'], 1)}% of residents); "
        f"{format_number(children, 1)}% are under 15 and {format_number(older, 1)}% are 65 or over."
    )
    code = str(mine["area_code"].iloc[0])
    sexes = _sex_totals(frame, code)
    if by_sex:
        shares = mine.groupby("sex")["percent"].sum()
        text += (
            f" Men are {format_number(shares.get('male', 0), 1)}% and women "
            f"{format_number(shares.get('female', 0), 1)}% of residents."
        )
    elif "male" in sexes and "female" in sexes:
        text += (
            f" There are {format_count(sexes['male'])} men and {format_count(sexes['female'])} "
            "women; the published figures give sex for all ages only, so the bars are not "
            "split by sex."
        )
    if outline is not None:
        text += f" The outline shows {outline['area_name'].iloc[0]}'s age profile for comparison."
    return text + " Bars show each band as a percentage of all residents."


def _table(mine: pd.DataFrame, title: str, by_sex: bool) -> Table:
    order = _band_order()
    if by_sex:
        wide = mine.pivot_table(
            index="band", columns="sex", values=["count", "percent"], aggfunc="sum"
        )
        bands = [b for b in order if b in wide.index]
        rows = tuple(
            (
                band,
                format_count(wide.loc[band, ("count", "male")]),
                f"{format_number(wide.loc[band, ('percent', 'male')], 1)}%",
                format_count(wide.loc[band, ("count", "female")]),
                f"{format_number(wide.loc[band, ('percent', 'female')], 1)}%",
            )
            for band in bands
        )
        columns = (
            Column("Age band"),
            Column("Men", numeric=True),
            Column("Men (% of residents)", numeric=True),
            Column("Women", numeric=True),
            Column("Women (% of residents)", numeric=True),
        )
    else:
        indexed = mine.set_index("band")
        bands = [b for b in order if b in indexed.index]
        rows = tuple(
            (
                band,
                format_count(indexed.loc[band, "count"]),
                f"{format_number(indexed.loc[band, 'percent'], 1)}%",
            )
            for band in bands
        )
        columns = (
            Column("Age band"),
            Column("Residents", numeric=True),
            Column("% of residents", numeric=True),
        )
    return Table(caption=title, columns=columns, rows=rows)


def _js(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _spec(
    figure_id: str,
    data: pd.DataFrame,
    outline: pd.DataFrame | None,
    default: str,
    by_sex: bool,
    selectable: bool,
) -> dict[str, Any]:
    order = _band_order()[::-1]
    values = data.assign(
        signed=np.where(data["sex"] == "male", -data["percent"], data["percent"]).round(4),
        percent=data["percent"].round(4),
        count_text=[format_count(v) for v in data["count"]],
        percent_text=[f"{format_number(v, 1)}%" for v in data["percent"]],
        sex_name=data["sex"].map(_SEX_NAMES).fillna(data["sex"]),
    )
    records = values[
        ["area_code", "area_name", "band", "sex_name", "signed", "percent_text", "count_text"]
    ].to_dict(orient="records")
    codes = "[" + ", ".join(_js(c) for c in sorted(data["area_code"].unique())) + "]"
    chosen = (
        f"datum.area_code === (indexof({codes}, highlight) >= 0 ? highlight : {_js(default)})"
        if selectable
        else "true"
    )
    x_title = "% of residents (men left, women right)" if by_sex else "% of residents"
    sexes = ["Men", "Women"] if by_sex else ["All residents"]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": records},
            "transform": [{"filter": chosen}],
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "band", "type": "ordinal", "sort": order, "title": "Age band"},
                "x": {
                    "field": "signed",
                    "type": "quantitative",
                    "title": x_title,
                    "axis": {"labelExpr": "format(abs(datum.value), '.1f') + '%'", "tickCount": 6},
                },
                "color": {
                    "field": "sex_name",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": sexes, "range": list(CATEGORICAL[: len(sexes)])},
                    "legend": {"orient": "top"},
                },
                "tooltip": [
                    {"field": "area_name", "type": "nominal", "title": "Area"},
                    {"field": "sex_name", "type": "nominal", "title": "Sex"},
                    {"field": "band", "type": "nominal", "title": "Age band"},
                    {"field": "count_text", "type": "nominal", "title": "Residents"},
                    {"field": "percent_text", "type": "nominal", "title": "% of residents"},
                ],
            },
        }
    ]
    if outline is not None:
        lines = outline.assign(
            signed=np.where(
                outline["sex"] == "male", -outline["percent"], outline["percent"]
            ).round(4),
            percent_text=[f"{format_number(v, 1)}%" for v in outline["percent"]],
        )[["area_name", "band", "sex", "signed", "percent_text"]]
        layers.append(
            {
                "data": {"values": lines.to_dict(orient="records")},
                "mark": {"type": "bar", "fillOpacity": 0, "stroke": INK, "strokeWidth": 1},
                "encoding": {
                    "y": {"field": "band", "type": "ordinal", "sort": order},
                    "x": {"field": "signed", "type": "quantitative"},
                    "detail": {"field": "sex"},
                    "tooltip": [
                        {"field": "area_name", "type": "nominal", "title": "Comparator"},
                        {"field": "band", "type": "nominal", "title": "Age band"},
                        {"field": "percent_text", "type": "nominal", "title": "% of residents"},
                    ],
                },
            }
        )
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": layers,
        "usermeta": {"jsna": {"figure": figure_id, "kind": "pyramid"}},
    }
    return add_highlight(spec)
