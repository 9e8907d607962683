"""Community voices block: themes (counts and a bar chart), consented quotes, equality table.

The responses come from :func:`jsna.analysis.voices_store.project_responses`
(the store when it holds the current file, else the declared file) and are
chosen by the block's themes or linked indicators. What is published follows
the consent and disclosure rules of :mod:`jsna.analysis.voices`: only
consented responses are quoted, anonymous quotes show only widely shared
details, and counts the project's disclosure rules hide read "fewer than N"
and are left out of the chart. A made-up (illustrative) survey says so in
every figure's title, summary and notes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from jsna.analysis.voices import (
    effective_themes,
    equality_table,
    hidden_counts,
    population_groups,
    quotes,
    split_codes,
    theme_counts,
)
from jsna.analysis.voices_store import project_responses
from jsna.content.blocks.voices import VoicesBlock
from jsna.content.voices import THEMES_FILE, Survey, load_voices
from jsna.errors import ContentError

from .context import FigureContext
from .model import Column, Figure, Table
from .palette import INK
from .summary import join_words

__all__ = ["MADE_UP", "build"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
MADE_UP = "Illustrative: made-up responses for the example."
"""Said by every figure drawn from a survey declared ``made_up: true``."""
BAR = "#1d70b8"


def _digest(block: VoicesBlock) -> str:
    fields = block.model_dump(exclude={"caption"})
    return hashlib.sha1(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()[:6]


def _chosen(frame: pd.DataFrame, block: VoicesBlock) -> pd.DataFrame:
    if frame.empty or not (block.themes or block.indicators):
        return frame
    themes, indicators = set(block.themes), set(block.indicators)
    by_theme = effective_themes(frame).map(lambda codes: bool(themes.intersection(codes)))
    by_indicator = split_codes(frame["indicators"]).map(lambda ids: bool(indicators & set(ids)))
    return frame[(by_theme | by_indicator).to_numpy(dtype=bool)].reset_index(drop=True)


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def _responses(count: int) -> str:
    return f"{count} response" + ("" if count == 1 else "s")


def _survey_words(surveys: list[Survey]) -> str:
    return join_words(
        [
            f"{s.title} ({s.start:%B %Y} to {s.end:%B %Y}, {s.participants} took part)"
            for s in surveys
        ]
    )


def build(ctx: FigureContext, block: VoicesBlock, *, area_code: str | None = None) -> list[Figure]:
    """The themes figure, the quotes table and (when asked) the equality table."""
    _check(ctx, block)
    everything, voices = project_responses(ctx.connection, ctx.project, block.surveys)
    surveys = [voices.surveys[s] for s in (block.surveys or tuple(voices.surveys))]
    made_up = any(s.made_up for s in surveys)
    notice = (MADE_UP + " ") if made_up else ""
    notes = (MADE_UP,) if made_up else ()
    suffix = f"-{_digest(block)}" + (f"-{area_code}" if area_code else "")
    frame = _chosen(everything, block)
    limit = ctx.project.config.disclosure.max_suppressed_count
    figures = [
        _themes_figure(ctx, block, frame, voices.themes, surveys, notice, notes, suffix),
        _quotes_figure(ctx, block, frame, voices.themes, notice, notes, suffix, limit),
    ]
    if block.equality:
        figures.append(_equality_figure(ctx, block, everything, notice, notes, suffix))
    return figures


def _check(ctx: FigureContext, block: VoicesBlock) -> None:
    """A block naming an undeclared survey or theme is a content error, said plainly."""
    voices = load_voices(ctx.project.root)
    problems = [
        f"voices block: no survey {s!r} in {voices.folder}"
        for s in block.surveys
        if s not in voices.surveys
    ]
    problems += [
        f"voices block: no theme {t!r} in {voices.folder / THEMES_FILE}"
        for t in block.themes
        if t not in voices.themes
    ]
    if problems:
        raise ContentError(problems)


def _themes_figure(
    ctx: FigureContext,
    block: VoicesBlock,
    frame: pd.DataFrame,
    themes: dict[str, Any],
    surveys: list[Survey],
    notice: str,
    notes: tuple[str, ...],
    suffix: str,
) -> Figure:
    disclosure = ctx.project.config.disclosure
    fewer = f"fewer than {disclosure.max_suppressed_count + 1}"
    title = "What people told us: themes" + (" (illustrative, made-up)" if notice else "")
    counts = (
        theme_counts(frame, themes)
        if not frame.empty
        else pd.DataFrame(columns=["code", "theme", "responses", "share", "suggested_only"])
    )
    hidden = hidden_counts(counts["responses"].to_numpy(), disclosure)
    shown = counts.assign(
        responses=counts["responses"].astype(object).where(~hidden, None),
        share=counts["share"].astype(object).where(~hidden, None),
    )
    rows = tuple(
        (str(r.theme), fewer if h else f"{int(r.responses):,}", "" if h else _pct(r.share))
        for r, h in zip(counts.itertuples(), hidden, strict=True)
    )
    table_notes = list(notes)
    pending = int((frame["themes"].isna()).sum()) if not frame.empty else 0
    if pending:
        table_notes.append(
            f"The themes of {pending} of these responses are keyword suggestions an analyst "
            "has not yet checked."
        )
    if hidden.any():
        table_notes.append(f"Themes raised in {fewer} responses are not counted here.")
    table_notes.append("A response may raise several themes, so shares add up to more than 100%.")
    caption = block.caption or title
    table = Table(
        caption,
        (Column("Theme"), Column("Responses", True), Column("Share of responses", True)),
        rows,
        notes=tuple(table_notes),
    )
    where = _survey_words(surveys)
    if frame.empty:
        summary = f"{notice}No responses on this topic in {where or 'any survey'}."
        spec = None
    else:
        top = [
            f"{r.theme} ({int(r.responses)} responses, {_pct(r.share)})"
            for r, h in zip(counts.itertuples(), hidden, strict=True)
            if not h
        ][:3]
        summary = f"{notice}{len(frame)} responses on this topic to {where}. " + (
            f"The most common themes were {join_words(top)}." if top else ""
        )
        if pending:
            summary += (
                f" The themes of {_responses(pending)} are keyword suggestions not yet checked."
            )
        spec = _bar_spec(shown[~hidden], title)
    data = shown[["theme", "responses", "share", "suggested_only"]].rename(
        columns={"suggested_only": "from_suggestions"}
    )
    data["from_suggestions"] = data["from_suggestions"].astype(object).where(~hidden, None)
    return Figure(
        id=f"voices-themes{suffix}",
        kind="voices",
        title=title,
        caption=block.caption,
        summary=summary,
        table=table,
        data=data.reset_index(drop=True),
        spec=spec,
        indicators=block.indicators,
    )


def _bar_spec(counts: pd.DataFrame, title: str) -> dict[str, Any] | None:
    if counts.empty:
        return None
    values = [
        {"theme": str(r.theme), "responses": int(r.responses), "share": float(r.share)}
        for r in counts.itertuples()
    ]
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": 560,
        "height": {"step": 26},
        "data": {"values": values},
        "mark": {"type": "bar", "color": BAR},
        "encoding": {
            "y": {
                "field": "theme",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                "axis": {"labelLimit": 260, "labelColor": INK},
            },
            "x": {"field": "responses", "type": "quantitative", "title": "Responses"},
            "tooltip": [
                {"field": "theme", "title": "Theme"},
                {"field": "responses", "title": "Responses", "format": ","},
                {"field": "share", "title": "Share of responses", "format": ".0%"},
            ],
        },
    }


def _quotes_figure(
    ctx: FigureContext,
    block: VoicesBlock,
    frame: pd.DataFrame,
    themes: dict[str, Any],
    notice: str,
    notes: tuple[str, ...],
    suffix: str,
    limit: int,
) -> Figure:
    picked = quotes(frame, themes, ctx.project.config.disclosure, block.quotes)
    title = "In their own words" + (" (illustrative, made-up)" if notice else "")
    consented = int(frame["consent"].sum()) if not frame.empty else 0
    rows = tuple(
        (f"\u201c{r.quote}\u201d", str(r.themes), str(r.who) or "details not shown")
        for r in picked.itertuples()
    )
    table_notes = (
        *notes,
        "Only people who agreed to be quoted are quoted. For anonymous quotes we show only "
        f"details shared by more than {limit} respondents.",
    )
    table = Table(
        title,
        (Column("Quote"), Column("Themes"), Column("Who")),
        rows,
        notes=table_notes,
    )
    if picked.empty:
        summary = f"{notice}No quotes: nobody who responded on this topic agreed to be quoted."
    else:
        summary = (
            f"{notice}{len(picked)} quote{'s' if len(picked) != 1 else ''} chosen from the "
            f"{consented} of {len(frame)} responses whose authors agreed to be quoted."
        )
    return Figure(
        id=f"voices-quotes{suffix}",
        kind="voices",
        title=title,
        caption="",
        summary=summary,
        table=table,
        data=picked[["quote", "themes", "who"]].reset_index(drop=True),
        spec=None,
        indicators=block.indicators,
    )


def _population(ctx: FigureContext, block: VoicesBlock, under_16: bool) -> pd.DataFrame | None:
    if not block.population:
        return None
    results = ctx.results(block.population)
    wards = [t for t in ctx.project.config.area_types if t.startswith("ward")]
    if results.empty or not wards:
        return None
    rows = results[(results["area_type"] == wards[0]) & ~results["projected"]]
    if rows.empty:
        return None
    latest = ctx.latest_period(block.population, wards[0])
    rows = rows[rows["period"] == latest]
    return population_groups(rows, under_16=under_16)


def _equality_figure(
    ctx: FigureContext,
    block: VoicesBlock,
    frame: pd.DataFrame,
    notice: str,
    notes: tuple[str, ...],
    suffix: str,
) -> Figure:
    disclosure = ctx.project.config.disclosure
    fewer = "hidden"
    under_16 = bool((frame["age_band"] == "under 16").any()) if not frame.empty else False
    population = _population(ctx, block, under_16)
    table_frame = equality_table(frame, population, disclosure)
    hidden = table_frame["hidden"].to_numpy(dtype=bool)
    ages = "" if under_16 else " aged 16 and over"
    columns = (
        Column("Group"),
        Column("Respondents", True),
        Column("Share of respondents", True),
        Column(f"Share of residents{ages}", True),
    )
    rows = tuple(
        (
            f"{r.characteristic}: {r.group}",
            fewer if h else f"{int(r.respondents):,}",
            "" if h else _pct(r.respondents_share),
            _pct(r.population_share),
        )
        for r, h in zip(table_frame.itertuples(), hidden, strict=True)
    )
    title = "Who took part" + (" (illustrative, made-up)" if notice else "")
    table_notes = (
        *notes,
        f"Counts of 1 to {disclosure.max_suppressed_count} are hidden, with the next smallest of the same group when only one "
        "would be, so no small count can be worked out from the total.",
        "Shares of respondents are of those who stated the characteristic.",
    )
    source = (
        f" Residents: {ctx.indicator(block.population).title}." if population is not None else ""
    )
    data = table_frame.assign(
        respondents=table_frame["respondents"].astype(object).where(~hidden, None),
        respondents_share=table_frame["respondents_share"].astype(object).where(~hidden, None),
    ).drop(columns=["hidden", "people"])
    return Figure(
        id=f"voices-equality{suffix}",
        kind="voices",
        title=title,
        caption="",
        summary=notice + _equality_summary(table_frame, hidden) + source,
        table=Table(title, columns, rows, notes=table_notes),
        data=data.reset_index(drop=True),
        spec=None,
        indicators=(block.population,) if block.population else (),
    )


def _equality_summary(frame: pd.DataFrame, hidden: np.ndarray) -> str:
    total = frame[frame["characteristic"] == "Sex"]["respondents"].sum()
    gaps = frame.assign(gap=frame["respondents_share"] - frame["population_share"])
    gaps = gaps[~hidden & gaps["gap"].notna() & (frame["characteristic"] != "Ward")]
    if gaps.empty:
        return f"{total} people responded; their age, sex and ward are in the table."
    over = gaps.loc[gaps["gap"].idxmax()]
    under = gaps.loc[gaps["gap"].idxmin()]

    def words(row: pd.Series) -> str:
        name = (
            f"people aged {row['group']}"
            if row["characteristic"] == "Age band"
            else (
                "women"
                if row["group"] == "female"
                else "men"
                if row["group"] == "male"
                else row["group"]
            )
        )
        return (
            f"{name} were {_pct(row['respondents_share'])} of respondents against "
            f"{_pct(row['population_share'])} of residents"
        )

    return (
        f"{total} people responded. The most over-represented group: {words(over)}; "
        f"the most under-represented: {words(under)}."
    )
