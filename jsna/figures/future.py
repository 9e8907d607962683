"""Future need figures: projected population, growth models and projected cases.

The maths is in :mod:`jsna.analysis.future`; this module draws it.

- ``population_projection``: the JSNA area's projected population by broad
  age band (stacked areas, base and target years marked), the change by age
  band, a pyramid of the target year over the base year, and (with ``base``
  and ``area_type``) the projected change by ward or locality (ratio method).
- ``growth``: straight lines through each area's counts with the 95%
  prediction band to the target year, and the growth a year with its 95%
  confidence interval by area; poor fits are flagged in words.
- ``projected_cases``: projected population x age-specific prevalence, by
  year and age band, with the sentence "By 2035 there will be about N more
  people aged ... living with ..." for chapters.

Every figure states its method and limits in its summary or notes. Projected
counts are modelled, not counted, but are rounded to whole people and those
the project's suppression rules would hide (1 to 4 by default) are shown as
suppressed all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from jsna.analysis.future import (
    AreaProjection,
    area_projection,
    growth_models,
    projected_cases,
    read_rates,
    small_area_projection,
)
from jsna.content.blocks.future import (
    GrowthBlock,
    PopulationProjectionBlock,
    ProjectedCasesBlock,
    ProjectionInputs,
    band_limits,
)
from jsna.errors import ContentError
from jsna.stats.regression import decimal_years, predict_linear

from .context import FigureContext
from .format import format_count, format_number, format_value
from .maps import areas_in_jsna
from .model import Column, Figure, Table
from .palette import CATEGORICAL, HIGHLIGHT_TEST, INK, MUTED, add_highlight
from .summary import area_noun, join_words

__all__ = ["PYRAMID_BANDS", "about", "age_words", "build"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH, HEIGHT = 640, 360
PYRAMID_BANDS = (*[f"{a}-{a + 4}" for a in range(0, 85, 5)], "85+")
"""Five-year bands of the projection pyramid (the top, 85+, fits census groups too)."""
SUPPRESSED = "suppressed"
_SEX_NAMES = {"male": "Men", "female": "Women", "persons": "All residents"}


def build(
    ctx: FigureContext,
    block: PopulationProjectionBlock | GrowthBlock | ProjectedCasesBlock,
    *,
    area_code: str | None = None,
) -> list[Figure]:
    """The figures of a future need block (see the module docstring)."""
    if isinstance(block, PopulationProjectionBlock):
        return population_figures(ctx, block, area_code=area_code)
    if isinstance(block, GrowthBlock):
        return growth_figures(ctx, block, area_code=area_code)
    return cases_figures(ctx, block)


# -- shared helpers ---------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for a spec's inline data, missing numbers as null (JSON has no NaN)."""
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]


def about(value: float) -> str:
    """A modelled count for a sentence: 1,234 -> ``1,200``; 456.4 -> ``456``."""
    step = 100 if abs(value) >= 1000 else 1
    return format_count(float(np.round(value / step) * step))


def _percent(part: float, whole: float) -> str:
    if whole == 0:
        return "n/a"
    return f"{100 * (part / whole - 1):+.1f}%".replace("-", "\u2212")


def _signed(value: float) -> str:
    """A change with its sign: ``+1,234``, ``+42``, ``−7.3``, ``+0.25`` (more places when small)."""
    size = abs(value)
    places = 0 if size >= 10 else 1 if size >= 1 else 2
    text = format_number(float(np.round(size, places)), places)
    return f"+{text}" if value >= 0 else f"−{text}"


def age_words(bands: list[str] | tuple[str, ...]) -> str:
    """``aged 85 and over``, ``aged 16 to 64``, ``of all ages`` for contiguous bands."""
    limits = [band_limits(b) for b in bands]
    low, high = min(x[0] for x in limits), max(x[1] for x in limits)
    if low == 0 and high >= 200:
        return "of all ages"
    if high >= 200:
        return f"aged {low} and over"
    if low == 0:
        return f"aged under {high + 1}"
    return f"aged {low} to {high}"


def _hidden(values: pd.Series, ctx: FigureContext) -> pd.Series:
    """Rounded modelled counts the project's suppression rules would hide."""
    rules = ctx.project.config.disclosure
    whole = values.round()
    hidden = (whole > 0) & (whole <= rules.max_suppressed_count)
    if rules.suppress_zero:
        hidden |= whole == 0
    return hidden.fillna(False).astype(bool)


def _count_cell(value: float, hidden: bool = False) -> str:
    if hidden:
        return SUPPRESSED
    if pd.isna(value):
        return ""
    return format_count(float(np.round(value)))


def _titles(ctx: FigureContext, ids: tuple[str, ...]) -> tuple[str, ...]:
    sources = ctx.project.sources
    return tuple(sources[i].title if i in sources else i for i in ids)


def _projection(
    ctx: FigureContext, block: ProjectionInputs, bands: tuple[str, ...]
) -> AreaProjection:
    key = (
        "future_projection",
        "",
        block.projection,
        tuple(block.trend_sources),
        block.trend_from,
        bands,
        block.target_year,
    )

    def make() -> AreaProjection:
        found = area_projection(
            ctx.connection,
            area_code=ctx.area_code,
            area_name=ctx.area_name,
            bands=bands,
            projection=block.projection,
            trend_sources=block.trend_sources,
            trend_from=block.trend_from,
            until=block.target_year,
        )
        years = set(found.frame["year"])
        for name, year in (("base_year", block.base_year), ("target_year", block.target_year)):
            if year not in years:
                raise ContentError(
                    [
                        f"block {block_kind(block)}: {name} {year} is outside the projection "
                        f"({min(years)} to {max(years)})"
                    ]
                )
        return found

    return ctx.memo(key, make)


def block_kind(block: Any) -> str:
    """The ``block:`` value of a block."""
    return str(getattr(block, "block", type(block).__name__))


def _method_text(projected: AreaProjection, titles: tuple[str, ...]) -> str:
    if projected.method == "official":
        return (
            f"Source: {join_words(list(titles))}. Projections carry recent trends in births, "
            "deaths and migration forward; they are not forecasts and do not know about "
            "future housing or policy."
        )
    years = sorted(set(projected.observed["year"]))
    poor = projected.fits[projected.fits["r_squared"] < 0.7]
    text = (
        f"Method: no official projection was supplied, so each sex and age band is projected "
        f"by a straight line through the past counts of {join_words(list(titles))} "
        f"({join_words([str(y) for y in years])}). A straight line only carries past growth "
        "forward: it knows nothing of births, deaths, migration or new homes, and its error "
        "grows the further it reaches."
    )
    if not poor.empty:
        names = [
            f"{_SEX_NAMES.get(s, s).lower()} {b}"
            for s, b in zip(poor["sex"], poor["band"], strict=True)
        ]
        text += f" The line fits poorly (R² below 0.7) for {join_words(names)}."
    return text


# -- population projection ---------------------------------------------------------------------


def population_figures(
    ctx: FigureContext, block: PopulationProjectionBlock, *, area_code: str | None = None
) -> list[Figure]:
    """Projected population: by band over time, change by band, pyramid, and small areas."""
    projected = _projection(ctx, block, block.age_bands)
    titles = _titles(ctx, ProjectionInputs.source_ids(block))
    figures = [
        _bands_over_time(ctx, block, projected, titles),
        _pyramid(ctx, block, _projection(ctx, block, PYRAMID_BANDS), titles),
    ]
    if block.base is not None and block.area_type is not None:
        figures.append(_small_areas(ctx, block, projected, titles, area_code))
        figures.append(_small_area_detail(ctx, block, projected, titles, area_code))
    return figures


def _slug(block: ProjectionInputs) -> str:
    return f"{block.projection or 'trend'}-{block.base_year}-{block.target_year}"


def _bands_over_time(
    ctx: FigureContext,
    block: PopulationProjectionBlock,
    projected: AreaProjection,
    titles: tuple[str, ...],
) -> Figure:
    years = sorted(set(projected.frame["year"]))
    table_rows = projected.by_band(years)
    base, target = block.base_year, block.target_year
    wide = table_rows.pivot_table(index="band", columns="year", values="population", aggfunc="sum")
    wide = wide.reindex(list(block.age_bands))
    total0, total1 = float(wide[base].sum()), float(wide[target].sum())
    change = (wide[target] / wide[base] - 1).replace([np.inf, -np.inf], np.nan)
    fastest = str(change.idxmax())
    name = ctx.area_name
    grow = "grow" if total1 >= total0 else "fall"
    summary = (
        f"{name}'s population is projected to {grow} from about {about(total0)} in {base} to "
        f"{about(total1)} in {target} ({_percent(total1, total0)}). The fastest-growing age "
        f"band is {fastest}: from about {about(wide.loc[fastest, base])} to "
        f"{about(wide.loc[fastest, target])} people ({_percent(wide.loc[fastest, target], wide.loc[fastest, base])})."
    )
    summary += " " + _method_text(projected, titles)
    limits = table_rows[table_rows["year"] == target].set_index("band")
    rows = []
    for band in [*block.age_bands, "All ages"]:
        if band == "All ages":
            first, last = total0, total1
            interval = ""
        else:
            first, last = float(wide.loc[band, base]), float(wide.loc[band, target])
            low, high = limits.loc[band, "lower_95"], limits.loc[band, "upper_95"]
            interval = (
                f"{format_count(np.round(low))} to {format_count(np.round(high))}"
                if pd.notna(low) and pd.notna(high)
                else ""
            )
        cells = [band, _count_cell(first), _count_cell(last), _signed(last - first)]
        cells.append(_percent(last, first))
        if projected.method == "trend":
            cells.append(interval)
        rows.append(tuple(cells))
    columns = [
        Column("Age band"),
        Column(str(base), True),
        Column(str(target), True),
        Column("Change", True),
        Column("Change (%)", True),
    ]
    if projected.method == "trend":
        columns.append(Column(f"{target}: 95% prediction interval", True))
    title = f"{name}: projected population by age band, {years[0]} to {years[-1]}"
    notes = (
        ("Counts are modelled and rounded to whole people; the all-ages row adds the bands.",)
        if projected.method == "official"
        else (
            "Trend method: each band's interval is for that band alone; intervals of the bands "
            "do not add up to one for all ages.",
        )
    )
    table = Table(title, tuple(columns), tuple(rows), notes=notes)
    data = table_rows.assign(
        population=table_rows["population"].round(),
        lower_95=table_rows["lower_95"].round(),
        upper_95=table_rows["upper_95"].round(),
        method=projected.method,
    )[["year", "band", "population", "lower_95", "upper_95", "method"]]
    return Figure(
        id=f"projection-bands-{_slug(block)}",
        kind="population_projection",
        title=title,
        caption=block.caption,
        summary=summary,
        table=table,
        data=data.reset_index(drop=True),
        spec=_bands_spec(data, projected, block),
        area_type=ctx.project.config.area.area_type,
        period=f"{base} to {target}",
        sources=titles,
    )


def _year_rules(base: int, target: int) -> dict[str, Any]:
    marks = pd.DataFrame({"year": [base, target], "label": [f"{base}", f"{target}"]})
    return {
        "data": {"values": _records(marks)},
        "layer": [
            {
                "mark": {"type": "rule", "color": INK, "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "year", "type": "quantitative"}},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 3, "dy": -6, "color": INK},
                "encoding": {
                    "x": {"field": "year", "type": "quantitative"},
                    "y": {"value": 0},
                    "text": {"field": "label"},
                },
            },
        ],
    }


def _bands_spec(
    data: pd.DataFrame, projected: AreaProjection, block: PopulationProjectionBlock
) -> dict[str, Any]:
    values = data.assign(people=[format_count(v) for v in data["population"]])
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": _records(values[["year", "band", "population", "people"]])},
            "mark": {"type": "area", "opacity": 0.85},
            "encoding": {
                "x": {
                    "field": "year",
                    "type": "quantitative",
                    "title": "Year (mid-year)",
                    "axis": {"format": "d"},
                },
                "y": {
                    "field": "population",
                    "type": "quantitative",
                    "stack": "zero",
                    "title": "People",
                },
                "color": {
                    "field": "band",
                    "type": "ordinal",
                    "title": "Age band",
                    "sort": list(block.age_bands),
                    "scale": {"range": list(CATEGORICAL[: len(block.age_bands)])},
                },
                "order": {"field": "band_order", "type": "quantitative"},
                "tooltip": [
                    {"field": "year", "type": "quantitative", "title": "Year"},
                    {"field": "band", "type": "nominal", "title": "Age band"},
                    {"field": "people", "type": "nominal", "title": "People"},
                ],
            },
            "transform": [
                {
                    "calculate": f"indexof({list(block.age_bands)!r}, datum.band)".replace(
                        "'", '"'
                    ),
                    "as": "band_order",
                }
            ],
        },
        _year_rules(block.base_year, block.target_year),
    ]
    if projected.method == "trend" and not projected.observed.empty:
        seen = projected.observed.groupby("year")["population"].sum().reset_index()
        seen["people"] = [format_count(np.round(v)) for v in seen["population"]]
        layers.append(
            {
                "data": {"values": _records(seen)},
                "mark": {"type": "point", "filled": True, "color": INK},
                "encoding": {
                    "x": {"field": "year", "type": "quantitative"},
                    "y": {"field": "population", "type": "quantitative"},
                    "tooltip": [
                        {"field": "year", "type": "quantitative", "title": "Counted in"},
                        {"field": "people", "type": "nominal", "title": "People (all ages)"},
                    ],
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": layers,
        "usermeta": {"jsna": {"kind": "population_projection"}},
    }


def _pyramid(
    ctx: FigureContext,
    block: PopulationProjectionBlock,
    projected: AreaProjection,
    titles: tuple[str, ...],
) -> Figure:
    base, target = block.base_year, block.target_year
    rows = projected.frame[projected.frame["year"].isin([base, target])]
    rows = rows.assign(population=rows["population"].round())
    totals = rows.groupby("year")["population"].transform("sum")
    rows = rows.assign(percent=100 * rows["population"] / totals)
    by_sex = bool(rows["sex"].isin(["female", "male"]).any())
    older = rows[rows["band"].map(lambda b: band_limits(b)[0] >= 65)]
    share = older.groupby("year")["percent"].sum()
    top = rows[rows["band"] == PYRAMID_BANDS[-1]].groupby("year")["population"].sum()
    name = ctx.area_name
    summary = (
        f"In {target}, {format_number(share.get(target, 0), 1)}% of {name}'s residents are "
        f"projected to be 65 or over, against {format_number(share.get(base, 0), 1)}% in {base}; "
        f"people aged 85 and over go from about {about(top.get(base, 0))} to "
        f"{about(top.get(target, 0))}. Bars show {target} and outlines {base}, each band as a "
        "percentage of all residents that year."
    )
    if not by_sex:
        summary += " The data give ages for all residents, not by sex."
    wide = rows.pivot_table(
        index="band", columns=["year", "sex"], values="population", aggfunc="sum"
    ).reindex(list(PYRAMID_BANDS))
    sexes = ["male", "female"] if by_sex else ["persons"]
    columns = [Column("Age band")]
    for year in (base, target):
        for sex in sexes:
            columns.append(Column(f"{_SEX_NAMES[sex]}, {year}", True))
    body = tuple(
        (band, *[_count_cell(wide.loc[band, (y, s)]) for y in (base, target) for s in sexes])
        for band in PYRAMID_BANDS
    )
    title = (
        f"{name}: residents by age{' and sex' if by_sex else ''}, {base} and {target} (projected)"
    )
    data = rows[["year", "sex", "band", "population", "percent"]].reset_index(drop=True)
    return Figure(
        id=f"projection-pyramid-{_slug(block)}",
        kind="population_projection",
        title=title,
        caption=block.caption,
        summary=summary,
        table=Table(title, tuple(columns), body),
        data=data.assign(percent=data["percent"].round(3)),
        spec=_pyramid_spec(data, base, target, by_sex),
        area_type=ctx.project.config.area.area_type,
        period=f"{base} and {target}",
        sources=titles,
    )


def _pyramid_spec(data: pd.DataFrame, base: int, target: int, by_sex: bool) -> dict[str, Any]:
    values = data.assign(
        signed=np.where(data["sex"] == "male", -data["percent"], data["percent"]).round(3),
        sex_name=data["sex"].map(_SEX_NAMES),
        people=[format_count(v) for v in data["population"]],
        share=[f"{format_number(v, 1)}%" for v in data["percent"]],
    )[["year", "band", "sex", "sex_name", "signed", "people", "share"]]
    order = list(PYRAMID_BANDS)[::-1]
    sexes = ["Men", "Women"] if by_sex else ["All residents"]
    tooltip = [
        {"field": "year", "type": "quantitative", "title": "Year"},
        {"field": "sex_name", "type": "nominal", "title": "Sex"},
        {"field": "band", "type": "nominal", "title": "Age band"},
        {"field": "people", "type": "nominal", "title": "People"},
        {"field": "share", "type": "nominal", "title": "% of residents"},
    ]
    y = {"field": "band", "type": "ordinal", "sort": order, "title": "Age band"}
    x_title = "% of residents (men left, women right)" if by_sex else "% of residents"
    return {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": _records(values)},
        "layer": [
            {
                "transform": [{"filter": f"datum.year === {target}"}],
                "mark": {"type": "bar"},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "signed",
                        "type": "quantitative",
                        "title": x_title,
                        "axis": {
                            "labelExpr": "format(abs(datum.value), '.1f') + '%'",
                            "tickCount": 6,
                        },
                    },
                    "color": {
                        "field": "sex_name",
                        "type": "nominal",
                        "title": f"{target} (projected)",
                        "scale": {"domain": sexes, "range": list(CATEGORICAL[: len(sexes)])},
                        "legend": {"orient": "top"},
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "transform": [{"filter": f"datum.year === {base}"}],
                "mark": {"type": "bar", "fillOpacity": 0, "stroke": INK, "strokeWidth": 1},
                "encoding": {
                    "y": y,
                    "x": {"field": "signed", "type": "quantitative"},
                    "detail": {"field": "sex"},
                    "tooltip": tooltip,
                },
            },
        ],
        "usermeta": {"jsna": {"kind": "population_projection"}},
    }


def _small_area_frame(
    ctx: FigureContext, block: PopulationProjectionBlock, projected: AreaProjection
) -> tuple[pd.DataFrame, int]:
    """:func:`small_area_projection` of the block, once per figure context."""
    return ctx.memo(
        ("future_small_areas", "", _slug(block), block.base, block.area_type, block.age_bands),
        lambda: small_area_projection(
            ctx.connection,
            projected,
            base=str(block.base),
            area_type=str(block.area_type),
            jsna_area_type=ctx.project.config.area.area_type,
        ),
    )


def _small_area_detail(
    ctx: FigureContext,
    block: PopulationProjectionBlock,
    projected: AreaProjection,
    titles: tuple[str, ...],
    area_code: str | None,
) -> Figure:
    """A table (no chart) of every area's projected residents by sex and age band in the base
    and target years: the detail analysts download."""
    assert block.area_type is not None
    frame, _ = _small_area_frame(ctx, block, projected)
    base, target = block.base_year, block.target_year
    rows = frame[frame["year"].isin([base, target])]
    if area_code is not None and area_code in set(rows["area_code"]):
        rows = rows[rows["area_code"] == area_code]
    rows = rows.assign(population=rows["population"].round())
    rows = rows.assign(suppressed=_hidden(rows["population"], ctx))
    rows.loc[rows["suppressed"], "population"] = np.nan
    sexes = [s for s in ("male", "female", "persons") if s in set(rows["sex"])]
    wide = rows.pivot_table(
        index=["area_name", "band"], columns=["year", "sex"], values="population", aggfunc="sum"
    )
    hidden = rows.pivot_table(
        index=["area_name", "band"], columns=["year", "sex"], values="suppressed", aggfunc="max"
    )
    order = {b: i for i, b in enumerate(block.age_bands)}
    keys = sorted(wide.index, key=lambda k: (k[0], order.get(k[1], 99)))
    body = tuple(
        (
            name,
            band,
            *[
                _count_cell(wide.loc[(name, band), (y, x)], bool(hidden.loc[(name, band), (y, x)]))
                for y in (base, target)
                for x in sexes
            ],
        )
        for name, band in keys
    )
    type_name = ctx.area_type_names.get(block.area_type, block.area_type)
    columns = (
        Column(type_name),
        Column("Age band"),
        *[Column(f"{_SEX_NAMES[x]}, {y}", True) for y in (base, target) for x in sexes],
    )
    title = (
        f"Projected residents by {area_noun(type_name, 1)}, sex and age band, {base} and {target}"
    )
    places = rows["area_code"].nunique()
    summary = (
        f"Projected residents of {places} {area_noun(type_name, places)} by sex and age band in "
        f"{base} and {target} (ratio method: each area keeps its share of {ctx.area_name}'s "
        "residents in every sex and age band). Download the data for the full detail."
    )
    data = rows[["area_code", "area_name", "year", "sex", "band", "population", "suppressed"]]
    figure_id = f"projection-detail-{block.area_type}-{_slug(block)}" + (
        f"-{area_code}" if area_code else ""
    )
    return Figure(
        id=figure_id,
        kind="population_projection",
        title=title,
        caption=block.caption,
        summary=summary,
        table=Table(title, columns, body, notes=("Modelled counts rounded to whole people.",)),
        data=data.assign(area_type=block.area_type).reset_index(drop=True),
        spec=None,
        area_type=block.area_type,
        period=f"{base} and {target}",
        sources=(*titles, *_titles(ctx, (str(block.base),))),
    )


def _small_areas(
    ctx: FigureContext,
    block: PopulationProjectionBlock,
    projected: AreaProjection,
    titles: tuple[str, ...],
    area_code: str | None,
) -> Figure:
    assert block.base is not None
    assert block.area_type is not None
    frame, base_year = _small_area_frame(ctx, block, projected)
    base, target = block.base_year, block.target_year
    oldest = block.age_bands[-1]
    rows = frame[frame["year"].isin([base, target])]
    total = rows.pivot_table(
        index=["area_code", "area_name"], columns="year", values="population", aggfunc="sum"
    )
    old = (
        rows[rows["band"] == oldest]
        .pivot_table(
            index=["area_code", "area_name"], columns="year", values="population", aggfunc="sum"
        )
        .reindex(total.index)
    )
    out = pd.DataFrame(
        {
            "population_base": total[base].round(),
            "population_target": total[target].round(),
            "oldest_base": old[base].round(),
            "oldest_target": old[target].round(),
        }
    ).reset_index()
    out["change"] = out["population_target"] - out["population_base"]
    out["change_percent"] = 100 * (out["population_target"] / out["population_base"] - 1)
    out["oldest_change_percent"] = 100 * (out["oldest_target"] / out["oldest_base"] - 1)
    for column in ("population_base", "population_target", "oldest_base", "oldest_target"):
        hidden = _hidden(out[column], ctx)
        out.loc[hidden, column] = np.nan
        if column.startswith("oldest"):
            out.loc[hidden, "oldest_change_percent"] = np.nan
    out = out.sort_values("change_percent", ascending=False).reset_index(drop=True)
    type_name = ctx.area_type_names.get(block.area_type, block.area_type)
    nouns = area_noun(type_name, len(out))
    top, bottom = out.iloc[0], out.iloc[-1]
    summary = (
        f"If each of the {len(out)} {nouns} keeps its mid-{base_year} share of {ctx.area_name}'s "
        f"residents in each age band{' and sex' if set(frame['sex']) != {'persons'} else ''}, "
        f"the largest growth from {base} to {target} is in {top['area_name']} "
        f"({top['change_percent']:+.1f}%) and the smallest in {bottom['area_name']} "
        f"({bottom['change_percent']:+.1f}%). "
    ).replace("+-", "\u2212")
    if area_code is not None and area_code in set(out["area_code"]):
        mine = out[out["area_code"] == area_code].iloc[0]
        summary += (
            f"{mine['area_name']}: about {about(mine['population_base'])} residents in {base} "
            f"and {about(mine['population_target'])} in {target} "
            f"({mine['change_percent']:+.1f}%). "
        )
    summary += (
        f"The {nouns} add up to the {ctx.area_name} projection, and within an age band every "
        f"area grows at the {ctx.area_name} rate, so the differences between areas come from "
        "their age mix alone. Limits: the shares are held "
        "constant, so new housing, regeneration or a new care home are not seen; treat small "
        "differences between areas with care."
    )
    title = f"Projected change in population by {area_noun(type_name, 1)}, {base} to {target}"
    table_rows = tuple(
        (
            str(r["area_name"]),
            _count_cell(r["population_base"], pd.isna(r["population_base"])),
            _count_cell(r["population_target"], pd.isna(r["population_target"])),
            f"{r['change_percent']:+.1f}%",
            _count_cell(r["oldest_base"], pd.isna(r["oldest_base"])),
            _count_cell(r["oldest_target"], pd.isna(r["oldest_target"])),
            "" if pd.isna(r["oldest_change_percent"]) else f"{r['oldest_change_percent']:+.1f}%",
        )
        for _, r in out.iterrows()
    )
    columns = (
        Column(type_name),
        Column(f"Residents, {base}", True),
        Column(f"Residents, {target}", True),
        Column("Change (%)", True),
        Column(f"Aged {oldest}, {base}", True),
        Column(f"Aged {oldest}, {target}", True),
        Column(f"Aged {oldest}: change (%)", True),
    )
    notes = (
        f"Ratio method: each area keeps its mid-{base_year} share ({block.base}) of the "
        f"{ctx.area_name} projection in every sex and age band.",
        "Modelled counts rounded to whole people; those of 1 to "
        f"{ctx.project.config.disclosure.max_suppressed_count} are shown as suppressed.",
    )
    figure_id = f"projection-areas-{block.area_type}-{_slug(block)}" + (
        f"-{area_code}" if area_code else ""
    )
    return Figure(
        id=figure_id,
        kind="population_projection",
        title=title,
        caption=block.caption,
        summary=summary,
        table=Table(title, columns, table_rows, notes=notes),
        data=out.assign(
            area_type=block.area_type,
            change_percent=out["change_percent"].round(2),
            oldest_change_percent=out["oldest_change_percent"].round(2),
        ),
        spec=_areas_spec(out, base, target),
        area_type=block.area_type,
        period=f"{base} to {target}",
        sources=(*titles, *_titles(ctx, (block.base,))),
    )


def _areas_spec(out: pd.DataFrame, base: int, target: int) -> dict[str, Any]:
    values = out.assign(
        change_text=[f"{v:+.1f}%" for v in out["change_percent"]],
        people=[_count_cell(v, pd.isna(v)) for v in out["population_target"]],
    )[["area_code", "area_name", "change_percent", "change_text", "people"]]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": {"step": 18},
        "data": {"values": _records(values)},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "area_name",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                "axis": {"labelLimit": 240},
            },
            "x": {
                "field": "change_percent",
                "type": "quantitative",
                "title": f"Projected change in residents, {base} to {target} (%)",
            },
            "color": {
                "condition": {"test": HIGHLIGHT_TEST, "value": INK},
                "value": CATEGORICAL[0],
            },
            "tooltip": [
                {"field": "area_name", "type": "nominal", "title": "Area"},
                {"field": "change_text", "type": "nominal", "title": "Change"},
                {"field": "people", "type": "nominal", "title": f"Residents, {target}"},
            ],
        },
        "usermeta": {"jsna": {"kind": "population_projection"}},
    }
    return add_highlight(spec)


# -- growth models ---------------------------------------------------------------------------

_MAX_LINES = 8


def _growth_rows(ctx: FigureContext, block: GrowthBlock) -> pd.DataFrame:
    own = ctx.project.config.area.area_type
    area_type = block.area_type or own
    frame = ctx.results(block.indicator)
    frame = frame[
        (frame["area_type"] == area_type)
        & ~frame["projected"].astype(bool)
        & ~frame["suppressed"].fillna(False).astype(bool)
        & (frame["sex"] == "persons")
        & (frame["age"] == "all ages")
        & (frame["breakdown_type"].fillna("") == "")
    ]
    codes = {ctx.area_code} if area_type == own else set(areas_in_jsna(ctx, area_type))
    if codes:  # types that do not nest (PCNs) are published for the JSNA's own areas only
        frame = frame[frame["area_code"].isin(codes)]
    starts = ctx._period_starts(block.indicator)  # published rows carry no period start
    return frame.assign(period_start=frame["period"].map(starts).fillna(0).astype(int))


def growth_figures(
    ctx: FigureContext, block: GrowthBlock, *, area_code: str | None = None
) -> list[Figure]:
    """Straight-line growth: the fits with prediction bands, and the growth a year by area."""
    indicator = ctx.indicator(block.indicator)
    rows = _growth_rows(ctx, block)
    area_type = block.area_type or ctx.project.config.area.area_type
    fits = growth_models(
        rows,
        target_year=block.target_year,
        from_year=block.from_year,
        min_points=block.min_points,
        min_r_squared=block.min_r_squared,
    )
    type_name = ctx.area_type_names.get(area_type, area_type)
    unit = "percentage points" if indicator.unit == "%" else indicator.unit or "people"
    title = f"{indicator.title}: straight-line growth, projected to {block.target_year}"
    figure_id = f"growth-{indicator.id}-{area_type}-{block.target_year}"
    if area_code:
        figure_id += f"-{area_code}"
    if fits.empty:
        summary = f"There are no published figures of {indicator.title} to fit a line to."
        table = Table(title, (Column(type_name),), ())
        return [
            Figure(figure_id, "growth", title, block.caption, summary, table, pd.DataFrame(), None)
        ]
    # a projected count of 1 to 4 people is hidden like a counted one (rates are not counts)
    hidden = _hidden(fits["projected"], ctx) if indicator.method == "count" else False
    fits = fits.assign(hidden=hidden)
    show = about if indicator.method == "count" else lambda v: format_value(indicator, v)
    summary = _growth_summary(block, fits, type_name, unit, area_code, show)
    cell = _count_cell if indicator.method == "count" else lambda v: format_value(indicator, v)
    table = _growth_table(block, fits, type_name, title, unit, cell)
    data = fits.drop(columns=["xbar", "ybar", "sxx", "sse", "hidden"]).assign(
        indicator_id=indicator.id, area_type=area_type
    )
    data.loc[fits["hidden"].to_numpy(), ["projected", "lower_95", "upper_95"]] = np.nan
    figures = [
        Figure(
            id=figure_id,
            kind="growth",
            title=title,
            caption=block.caption,
            summary=summary,
            table=table,
            data=data.reset_index(drop=True),
            spec=_fits_spec(rows, fits, block, unit),
            indicators=(indicator.id,),
            area_type=area_type,
            period=f"to {block.target_year}",
        )
    ]
    fitted = fits[np.isfinite(fits["slope"])]
    if len(fitted) > 1:
        figures.append(_slopes_figure(block, fitted, indicator.id, area_type, type_name, unit))
    return figures


def _growth_summary(
    block: GrowthBlock,
    fits: pd.DataFrame,
    type_name: str,
    unit: str,
    area_code: str | None,
    show: Callable[[float], str],
) -> str:
    rule = (
        f"a fit is called poor when it has fewer than {block.min_points} periods or an R² "
        f"below {block.min_r_squared:g}"
    )
    one = fits.iloc[0] if len(fits) == 1 else None
    if area_code is not None and area_code in set(fits["area_code"]):
        one = fits[fits["area_code"] == area_code].iloc[0]
    if one is not None:
        if not np.isfinite(one["slope"]):
            return f"{one['area_name']} has a single period, so no line can be fitted."
        text = (
            f"{one['area_name']}: a change of about {_signed(one['slope'])} {unit} a year between "
            f"{one['first_period']} and {one['last_period']} ({int(one['n'])} periods"
        )
        if np.isfinite(one["slope_lower_95"]):
            text += f"; 95% CI {_signed(one['slope_lower_95'])} to {_signed(one['slope_upper_95'])}"
        if np.isfinite(one["r_squared"]):
            text += f"; R² {one['r_squared']:.2f}"
        text += (
            f"). A straight line gives about {show(one['projected'])} in mid-{block.target_year}"
        )
        if np.isfinite(one["lower_95"]):
            text += f" (95% prediction interval {show(one['lower_95'])} to {show(one['upper_95'])})"
        text += "."
        if one["warning"]:
            text += f" Warning: {one['warning']}; {rule}, so treat the projection with caution."
        if len(fits) > 1:
            text += f" The table has all {len(fits)} {area_noun(type_name, len(fits))}."
        return text
    fitted = fits[np.isfinite(fits["slope"])]
    nouns = area_noun(type_name, len(fits))
    fastest = fitted.loc[fitted["slope"].idxmax()]
    slowest = fitted.loc[fitted["slope"].idxmin()]
    poor = int((fits["warning"] != "").sum())
    text = (
        f"Straight lines through the counts of {len(fits)} {nouns} to mid-{block.target_year}: "
        f"the fastest growth is {fastest['area_name']} ({_signed(fastest['slope'])} a year) and "
        f"the slowest {slowest['area_name']} ({_signed(slowest['slope'])} a year)."
    )
    if poor:
        reasons = join_words(
            sorted({w.split(" (")[0].removeprefix("poor fit: ") for w in fits["warning"] if w})
        )
        text += (
            f" Warning: {poor} of {len(fits)} fits are poor ({reasons}); {rule}. "
            "Treat their projections as illustrations, not plans."
        )
    if len(fitted) > _MAX_LINES:
        text += f" The chart shows the {_MAX_LINES} largest; the table has them all."
    return text


def _growth_table(
    block: GrowthBlock,
    fits: pd.DataFrame,
    type_name: str,
    title: str,
    unit: str,
    cell: Callable[[float], str],
) -> Table:
    body = []
    for _, r in fits.iterrows():
        fitted = np.isfinite(r["slope"])
        ci = (
            f"{_signed(r['slope_lower_95'])} to {_signed(r['slope_upper_95'])}"
            if np.isfinite(r["slope_lower_95"])
            else ""
        )
        interval = (
            f"{cell(r['lower_95'])} to {cell(r['upper_95'])}"
            if np.isfinite(r["lower_95"]) and not r["hidden"]
            else ""
        )
        body.append(
            (
                str(r["area_name"]),
                str(int(r["n"])),
                f"{r['first_period']}: {cell(r['first_value'])}",
                f"{r['last_period']}: {cell(r['last_value'])}",
                _signed(r["slope"]) if fitted else "",
                ci,
                f"{r['r_squared']:.2f}" if np.isfinite(r["r_squared"]) else "",
                (SUPPRESSED if r["hidden"] else cell(r["projected"])) if fitted else "",
                interval,
                str(r["warning"]),
            )
        )
    columns = (
        Column(type_name),
        Column("Periods", True),
        Column("First", True),
        Column("Latest", True),
        Column(f"Change a year ({unit})", True),
        Column("Change a year: 95% CI", True),
        Column("R²", True),
        Column(f"Mid-{block.target_year} (line)", True),
        Column("95% prediction interval", True),
        Column("Warning"),
    )
    notes = (
        "Least-squares straight line of the count on the year (mid-year for years, the first of "
        "the month for months). Two periods give a line but no interval.",
        f"A fit is flagged as poor when it has fewer than {block.min_points} periods or R² below "
        f"{block.min_r_squared:g}.",
    )
    return Table(title, columns, tuple(body), notes=notes)


def _fits_spec(
    rows: pd.DataFrame, fits: pd.DataFrame, block: GrowthBlock, unit: str
) -> dict[str, Any]:
    chosen = fits[np.isfinite(fits["slope"])].nlargest(_MAX_LINES, "last_value")
    codes = set(chosen["area_code"])
    points = rows[rows["area_code"].isin(codes)].copy()
    points["x"] = decimal_years(points["period"], points["period_start"])
    if block.from_year is not None:
        points = points[points["x"] >= block.from_year]
    points["people"] = [format_count(v) for v in points["value"]]
    start = float(points["x"].min()) if not points.empty else float(block.target_year)
    grid = np.linspace(start, block.target_year + 0.5, 24)
    line_parts = []
    for x in grid:
        line = predict_linear(chosen.set_index("area_code"), x)
        line_parts.append(line.assign(x=x).reset_index())
    lines = pd.concat(line_parts, ignore_index=True) if line_parts else pd.DataFrame()
    names = chosen.set_index("area_code")["area_name"]
    lines["area_name"] = lines["area_code"].map(names)
    for column in ("value", "lower_95", "upper_95"):
        lines[column] = lines[column].round(1)
    color: dict[str, Any] = {
        "field": "area_name",
        "type": "nominal",
        "title": None,
        "scale": {"range": list(CATEGORICAL)},
        "legend": {"orient": "bottom", "columns": 2},
    }
    if len(chosen) == 1:
        color = {"value": CATEGORICAL[0]}
    quiet = {**color, "legend": None} if "field" in color else color
    x = {"field": "x", "type": "quantitative", "title": "Year", "axis": {"format": "d"}}
    band = lines.dropna(subset=["lower_95", "upper_95"])
    layers: list[dict[str, Any]] = []
    if not band.empty:
        layers.append(
            {
                "data": {"values": _records(band)},
                "mark": {"type": "area", "opacity": 0.15},
                "encoding": {
                    "x": x,
                    "y": {"field": "lower_95", "type": "quantitative"},
                    "y2": {"field": "upper_95"},
                    "color": quiet,
                    "detail": {"field": "area_code"},
                },
            }
        )
    layers += [
        {
            "data": {"values": _records(lines.drop(columns=["lower_95", "upper_95"]))},
            "mark": {"type": "line", "strokeDash": [6, 3]},
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": unit.capitalize(),
                    "scale": {"zero": False},
                },
                "color": color,
                "detail": {"field": "area_code"},
            },
        },
        {
            "data": {
                "values": _records(
                    points[["area_code", "area_name", "period", "x", "value", "people"]].assign(
                        x=points["x"].round(3)
                    )
                )
            },
            "mark": {"type": "point", "filled": True, "size": 50},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "color": color,
                "stroke": {"condition": {"test": HIGHLIGHT_TEST, "value": INK}, "value": None},
                "tooltip": [
                    {"field": "area_name", "type": "nominal", "title": "Area"},
                    {"field": "period", "type": "nominal", "title": "Period"},
                    {"field": "people", "type": "nominal", "title": unit.capitalize()},
                ],
            },
        },
    ]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": layers,
        "usermeta": {"jsna": {"kind": "growth"}},
    }
    return add_highlight(spec)


def _slopes_figure(
    block: GrowthBlock,
    fitted: pd.DataFrame,
    indicator_id: str,
    area_type: str,
    type_name: str,
    unit: str,
) -> Figure:
    title = f"Change a year by {area_noun(type_name, 1)}, with 95% confidence intervals"
    data = fitted[
        ["area_code", "area_name", "n", "slope", "slope_lower_95", "slope_upper_95", "warning"]
    ].reset_index(drop=True)
    growing = int((data["slope_lower_95"] > 0).sum())
    falling = int((data["slope_upper_95"] < 0).sum())
    with_ci = int(data["slope_lower_95"].notna().sum())
    summary = (
        f"Of {len(data)} {area_noun(type_name, len(data))}, {int((data['slope'] > 0).sum())} grew "
        f"and {int((data['slope'] < 0).sum())} shrank."
    )
    if with_ci:
        summary += (
            f" With enough periods for an interval ({with_ci}), {growing} grew and {falling} "
            "shrank beyond doubt (95% CI clear of 0)."
        )
    else:
        summary += " None has three or more periods, so no growth has a confidence interval."
    body = tuple(
        (
            str(r["area_name"]),
            _signed(r["slope"]),
            f"{_signed(r['slope_lower_95'])} to {_signed(r['slope_upper_95'])}"
            if np.isfinite(r["slope_lower_95"])
            else "",
            str(r["warning"]),
        )
        for _, r in data.sort_values("slope", ascending=False).iterrows()
    )
    table = Table(
        title,
        (
            Column(type_name),
            Column(f"Change a year ({unit})", True),
            Column("95% CI", True),
            Column("Warning"),
        ),
        body,
    )
    values = data.assign(
        change=[_signed(v) for v in data["slope"]],
        fit=np.where(data["warning"] == "", "fit fine", "poor fit"),
    )
    rules = (
        [
            {
                "transform": [{"filter": "isValid(datum.slope_lower_95)"}],
                "mark": {"type": "rule", "color": MUTED},
                "encoding": {
                    "x": {"field": "slope_lower_95", "type": "quantitative"},
                    "x2": {"field": "slope_upper_95"},
                },
            }
        ]
        if with_ci
        else []
    )
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": {"step": 16},
        "data": {"values": _records(values.round(3))},
        "encoding": {
            "y": {
                "field": "area_name",
                "type": "nominal",
                "sort": {"field": "slope", "order": "descending"},
                "title": None,
                "axis": {"labelLimit": 240},
            },
        },
        "layer": [
            *rules,
            {
                "mark": {"type": "point", "filled": True, "size": 60},
                "encoding": {
                    "x": {
                        "field": "slope",
                        "type": "quantitative",
                        "title": f"Change a year ({unit})",
                    },
                    "shape": {"field": "fit", "type": "nominal", "title": None},
                    "color": {
                        "condition": {"test": HIGHLIGHT_TEST, "value": INK},
                        "value": CATEGORICAL[0],
                    },
                    "tooltip": [
                        {"field": "area_name", "type": "nominal", "title": "Area"},
                        {"field": "change", "type": "nominal", "title": "Change a year"},
                        {"field": "warning", "type": "nominal", "title": "Warning"},
                    ],
                },
            },
        ],
        "usermeta": {"jsna": {"kind": "growth"}},
    }
    return Figure(
        id=f"growth-slopes-{indicator_id}-{area_type}",
        kind="growth",
        title=title,
        caption=block.caption,
        summary=summary,
        table=table,
        data=data,
        spec=add_highlight(spec),
        indicators=(indicator_id,),
        area_type=area_type,
    )


# -- projected cases ---------------------------------------------------------------------------


def change_sentence(cases: pd.DataFrame, *, base: int, target: int, who: str, place: str) -> str:
    """``By 2035 there will be about 42 more people ... in Trafford than in 2025 (30 to 55)``.

    ``cases``: ``year``, ``cases``, ``cases_lower``, ``cases_upper`` (rows by band and sex).
    The range is given only when every row of both years has both limits; it runs from the
    change at the lower rates to the change at the upper rates.
    """
    both = cases[cases["year"].isin([base, target])]
    total = both.groupby("year")[["cases", "cases_lower", "cases_upper"]].sum()
    change = float(total.loc[target, "cases"] - total.loc[base, "cases"])
    more = "more" if change >= 0 else "fewer"
    text = (
        f"By {target} there will be about {about(abs(change))} {more} {who} in {place} than in "
        f"{base}"
    )
    if not both[["cases_lower", "cases_upper"]].isna().any().any():
        ends = sorted(
            float(total.loc[target, column] - total.loc[base, column])
            for column in ("cases_lower", "cases_upper")
        )
        text += f" ({_signed(np.round(ends[0]))} to {_signed(np.round(ends[1]))})"
    return text


def cases_figures(ctx: FigureContext, block: ProjectedCasesBlock) -> list[Figure]:
    """Projected cases by year and age band, and the headline change sentence."""
    rates = ctx.memo(
        ("future_rates", "", block.rates, block.measure, block.by_sex),
        lambda: read_rates(ctx.connection, block.rates, block.measure, by_sex=block.by_sex),
    )
    order = rates.drop_duplicates("age")
    order = order.assign(_low=[band_limits(a)[0] for a in order["age"]]).sort_values("_low")
    bands = tuple(order["age"])
    projected = _projection(ctx, block, bands)
    years = sorted(set(projected.frame["year"]))
    cases, missing = projected_cases(projected, rates, years, rate_per=block.rate_per)
    base, target = block.base_year, block.target_year
    covered = sorted(set(cases["band"]), key=lambda b: band_limits(b)[0])
    ages = age_words(covered)
    first, last = (float(cases.loc[cases["year"] == y, "cases"].sum()) for y in (base, target))
    summary = change_sentence(
        cases,
        base=base,
        target=target,
        who=f"people {ages} living with {block.condition}",
        place=ctx.area_name,
    )
    rates_title = _titles(ctx, (block.rates,))[0]
    summary += (
        f": about {about(first)} in {base} and {about(last)} in {target}, if the age-specific "
        f"rates of {rates_title} apply to the projected population."
    )
    if cases[["cases_lower", "cases_upper"]].isna().any().any():
        summary += " The rates come without confidence intervals, so no range is given."
    if missing:
        summary += f" There is no rate for {join_words(list(missing))}: those ages are left out."
    summary += " " + _method_text(projected, _titles(ctx, block.source_ids()[:-1]))
    title = f"Projected people {ages} living with {block.condition}, {ctx.area_name}"
    wide = cases[cases["year"].isin([base, target])]
    grouped = wide.groupby(["band", "year"])[["population", "cases"]].sum().unstack("year")
    known = rates.dropna(subset=["rate"])
    rate_text = {
        age: ", ".join(
            format_number(r, 2) if sex == "persons" else f"{_SEX_NAMES[sex].lower()} {r:.2f}"
            for sex, r in zip(group["sex"], group["rate"], strict=True)
        )
        for age, group in known.groupby("age")
    }
    body = [
        (
            band,
            rate_text.get(band, ""),
            _count_cell(grouped.loc[band, ("population", base)]),
            format_number(grouped.loc[band, ("cases", base)], 0),
            _count_cell(grouped.loc[band, ("population", target)]),
            format_number(grouped.loc[band, ("cases", target)], 0),
        )
        for band in covered
    ]
    body.append(
        (
            "All",
            "",
            _count_cell(grouped[("population", base)].sum()),
            format_number(first, 0),
            _count_cell(grouped[("population", target)].sum()),
            format_number(last, 0),
        )
    )
    per = "%" if block.rate_per == 100 else f" per {format_count(block.rate_per)}"
    columns = (
        Column("Age band"),
        Column(f"Rate ({per.strip()})", True),
        Column(f"People, {base}", True),
        Column(f"Cases, {base}", True),
        Column(f"People, {target}", True),
        Column(f"Cases, {target}", True),
    )
    notes = (
        "Cases = projected people in each age band"
        + (" and sex" if block.by_sex else "")
        + f" x the prevalence rate ({rates_title}). Rates are held constant over time.",
    )
    data = cases.assign(
        population=cases["population"].round(), cases=cases["cases"].round(1)
    ).reset_index(drop=True)
    return [
        Figure(
            id=f"cases-{block.measure}-{_slug(block)}",
            kind="projected_cases",
            title=title,
            caption=block.caption,
            summary=summary,
            table=Table(title, columns, tuple(body), notes=notes),
            data=data,
            spec=_cases_spec(cases, covered, block),
            area_type=ctx.project.config.area.area_type,
            period=f"{base} to {target}",
            sources=_titles(ctx, block.source_ids()),
        )
    ]


def _cases_spec(
    cases: pd.DataFrame, bands: list[str], block: ProjectedCasesBlock
) -> dict[str, Any]:
    summed = cases.groupby(["year", "band"], sort=False)["cases"].sum().reset_index()
    summed["people"] = [format_number(v, 0) for v in summed["cases"]]
    summed["band_order"] = summed["band"].map({b: i for i, b in enumerate(bands)})
    return {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "layer": [
            {
                "data": {"values": _records(summed.round(2))},
                "mark": {"type": "area", "opacity": 0.85},
                "encoding": {
                    "x": {
                        "field": "year",
                        "type": "quantitative",
                        "title": "Year (mid-year)",
                        "axis": {"format": "d"},
                    },
                    "y": {
                        "field": "cases",
                        "type": "quantitative",
                        "stack": "zero",
                        "title": f"People living with {block.condition}",
                    },
                    "color": {
                        "field": "band",
                        "type": "ordinal",
                        "title": "Age band",
                        "sort": bands,
                        "scale": {"range": list(CATEGORICAL[: len(bands)])},
                    },
                    "order": {"field": "band_order", "type": "quantitative"},
                    "tooltip": [
                        {"field": "year", "type": "quantitative", "title": "Year"},
                        {"field": "band", "type": "nominal", "title": "Age band"},
                        {"field": "people", "type": "nominal", "title": "Projected cases"},
                    ],
                },
            },
            _year_rules(block.base_year, block.target_year),
        ],
        "usermeta": {"jsna": {"kind": "projected_cases"}},
    }
