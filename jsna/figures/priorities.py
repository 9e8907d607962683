"""Priority setting: the ranked list with its evidence, the matrix chart, and agreement.

A ``priorities`` block shows one scoring round (:mod:`jsna.analysis.priorities`):

- the **ranked list** (table): rank, need, total out of the maximum, band in
  words, the moderated score on each criterion, and the evidence trail;
- the **matrix chart**: size of the problem against severity, one bubble per
  need, bubble area = total, colour = band (the band is also written in each
  label and the legend, never shown by colour alone);
- **agreement** (table): per need, how far the scorers agreed, the outliers
  (scorers not named: "one scorer gave 0 against a median of 2") and the
  moderator's changes with their reasons.

A round is shown only once published; an illustrative round says so in
every title and summary. The ``headline`` view shows the ranked list only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jsna.analysis.priorities import (
    RoundData,
    agreement,
    evidence_trail,
    load_round,
    moderated,
    outliers,
)
from jsna.content.blocks import PrioritiesBlock

from .context import FigureContext
from .format import format_number
from .model import Column, Figure, Table
from .palette import INK

__all__ = ["BAND_COLOURS", "build", "round_figures"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH, HEIGHT = 560, 420

BAND_COLOURS = {"High": "#d55e00", "Medium": "#f2c744", "Low": "#56b4e9"}
"""Band word -> bubble colour (orange, gold, light blue; dark rank numbers read on each)."""


def _number(value: float) -> str:
    return "" if pd.isna(value) else format_number(float(value), 1).removesuffix(".0")


def _prefix(data: RoundData) -> str:
    return "Illustrative exercise: " if data.info.illustrative else ""


def _empty(figure_id: str, title: str, summary: str, caption: str) -> Figure:
    table = Table(caption=title, columns=(Column("Priority"),), rows=())
    return Figure(
        id=figure_id,
        kind="priorities",
        title=title,
        caption=caption,
        summary=summary,
        table=table,
        data=pd.DataFrame(),
    )


def build(
    ctx: FigureContext, block: PrioritiesBlock, *, area_code: str | None = None
) -> list[Figure]:
    """The figures of a ``priorities`` block (``area_code`` is not used: rounds are area-wide)."""
    data = load_round(ctx.connection, ctx.project, block.round)
    figure_id = f"priorities-{block.round}"
    if data is None:
        return [
            _empty(
                figure_id,
                "Priorities",
                f"There is no priority round called {block.round} yet.",
                block.caption,
            )
        ]
    if data.info.status != "published":
        return [
            _empty(
                figure_id,
                _prefix(data) + data.info.title,
                f"The priorities of {data.info.title} are not published yet.",
                block.caption,
            )
        ]
    return round_figures(ctx, data, block)


def round_figures(ctx: FigureContext, data: RoundData, block: PrioritiesBlock) -> list[Figure]:
    """The figures of a round whatever its status (the web app shows staff unpublished ones)."""
    ranked = data.ranking()
    if block.limit is not None:
        ranked = ranked.head(block.limit)
    figures = [_ranked_list(ctx, data, ranked, block)]
    if block.view == "full":
        figures.append(_matrix_chart(data, ranked, block))
        figures.append(_agreement(data, block))
    return figures


def _evidence_text(ctx: FigureContext, data: RoundData) -> dict[str, str]:
    texts = {}
    for candidate in data.candidates:
        parts = []
        for link in evidence_trail(ctx.connection, ctx.project, candidate):
            if link.staff_only:
                parts.append(f"Analysis request {link.label}")
                continue
            detail = f" ({link.detail})" if link.detail else ""
            parts.append(f"{link.kind.capitalize()}: {link.label}{detail}")
        texts[candidate.id] = "; ".join(parts)
    return texts


def _band_counts(ranked: pd.DataFrame) -> str:
    counts = ranked["band_words"].value_counts()
    parts = [
        f"{counts[word]} {word.lower()}"
        for word in ("High", "Medium", "Low", "Not fully scored")
        if counts.get(word, 0)
    ]
    return ", ".join(parts)


def _ranked_list(
    ctx: FigureContext, data: RoundData, ranked: pd.DataFrame, block: PrioritiesBlock
) -> Figure:
    matrix = data.info.matrix
    maximum = _number(matrix.max_total)
    evidence = _evidence_text(ctx, data)
    criteria = list(matrix.criteria)
    full = block.view == "full"
    columns = [Column("Rank", True), Column("Need"), Column(f"Score (of {maximum})", True)]
    columns.append(Column("Priority"))
    if full:
        columns += [Column(c.name, True) for c in criteria]
    columns.append(Column("Evidence"))
    rows = []
    for record in ranked.to_dict("records"):
        row = [str(record["rank"] or ""), record["title"], _number(record["total"])]
        row.append(record["band_words"])
        if full:
            row += [_number(record[c.id]) for c in criteria]
        row.append(evidence.get(record["candidate_id"], ""))
        rows.append(tuple(row))
    bands = matrix.bands
    notes = (
        f"Each need is scored 0 to 3 on {len(criteria)} criteria by each scorer on their own; "
        f"the score of each criterion is the median of the scorers unless a moderator changed it. "
        f"High priority: a total above {_number(bands.high_above)}; medium: "
        f"{_number(bands.low_below)} to {_number(bands.high_above)}; "
        f"low: below {_number(bands.low_below)}.",
    )
    if data.info.illustrative:
        notes = (
            "Illustrative exercise: the scorers and their scores are made up to show the "
            "method. These are not the council's priorities.",
            *notes,
        )
    scorers = int(data.scores["scorer"].nunique()) if not data.scores.empty else 0
    title = _prefix(data) + data.info.title
    if ranked.empty:
        summary = f"{data.info.title} has no candidate needs."
    else:
        top = ranked.iloc[0]
        summary = (
            f"{_prefix(data)}{len(ranked)} needs were scored by {scorers} "
            f"scorer{'s' if scorers != 1 else ''} on {len(criteria)} criteria "
            f"(at most {maximum} points): {_band_counts(ranked)} priority. "
            f"Ranked first: {top['title']} ({_number(top['total'])} of {maximum}, "
            f"{top['band_words'].lower()})."
        )
    shown = ranked.drop(columns=["band"]).rename(
        columns={"band_words": "priority", **{c.id: c.name for c in criteria}}
    )
    shown["evidence"] = shown["candidate_id"].map(evidence)
    return Figure(
        id=f"priorities-{block.round}" + ("" if full else "-headline"),
        kind="priorities",
        title=title,
        caption=block.caption or data.info.description,
        summary=summary,
        table=Table(
            caption=f"{title}: ranked list", columns=tuple(columns), rows=tuple(rows), notes=notes
        ),
        data=shown.reset_index(drop=True),
        spec=None,
    )


def _matrix_chart(data: RoundData, ranked: pd.DataFrame, block: PrioritiesBlock) -> Figure:
    matrix = data.info.matrix
    size = matrix.criterion(matrix.size_criterion)
    severity = matrix.criterion(matrix.severity_criterion)
    points = ranked[ranked["total"].notna()].copy()
    # needs at the same place are spread a little sideways so each bubble shows
    shared = points.groupby([size.id, severity.id]).cumcount().to_numpy()
    counts = points.groupby([size.id, severity.id])[size.id].transform("size").to_numpy()
    offset = (shared - (counts - 1) / 2) * 0.3
    points["x"] = points[size.id].to_numpy(float) + offset
    points["label"] = (
        points["rank"].astype(str) + ". " + points["title"] + " (" + points["band_words"] + ")"
    )
    values = [
        {
            "need": r["title"],
            "label": r["label"],
            "x": round(float(r["x"]), 3),
            size.name: float(r[size.id]),
            severity.name: float(r[severity.id]),
            "total": float(r["total"]),
            "priority": r["band_words"],
            "rank": int(r["rank"]),
        }
        for r in points.to_dict("records")
    ]
    bands = [w for w in ("High", "Medium", "Low") if w in set(points["band_words"])]
    scale = {"domain": bands, "range": [BAND_COLOURS[w] for w in bands]}
    x_scale = {"domain": [size.scale_min - 0.5, size.scale_max + 0.5], "nice": False}
    y_scale = {"domain": [severity.scale_min - 0.5, severity.scale_max + 0.5], "nice": False}
    axis_x = {"title": size.name, "values": list(range(size.scale_min, size.scale_max + 1))}
    axis_y = {
        "title": severity.name,
        "values": list(range(severity.scale_min, severity.scale_max + 1)),
    }
    tooltip = [
        {"field": "need", "title": "Need"},
        {"field": "priority", "title": "Priority"},
        {"field": "total", "title": "Score"},
        {"field": size.name},
        {"field": severity.name},
    ]
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "config": {"legend": {"orient": "bottom", "direction": "horizontal"}},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "scale": x_scale, "axis": axis_x},
            "y": {"field": severity.name, "type": "quantitative", "scale": y_scale, "axis": axis_y},
        },
        "layer": [
            {
                "mark": {"type": "circle", "opacity": 0.85, "stroke": INK, "strokeWidth": 1},
                "encoding": {
                    "size": {
                        "field": "total",
                        "type": "quantitative",
                        "title": f"Score (of {_number(matrix.max_total)})",
                        "scale": {"domain": [0, matrix.max_total], "range": [30, 1600]},
                    },
                    "color": {
                        "field": "priority",
                        "type": "nominal",
                        "title": "Priority",
                        "scale": scale,
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold"},
                "encoding": {"text": {"field": "rank"}, "color": {"value": INK}},
            },
        ],
    }
    title = f"{_prefix(data)}{size.name} and {severity.name.lower()} of each need"
    if points.empty:
        summary = "No need is fully scored yet."
    else:
        corner = points[
            (points[size.id] >= size.scale_max - 0.5)
            & (points[severity.id] >= severity.scale_max - 0.5)
        ]
        named = ", ".join(corner["title"]) if not corner.empty else "none"
        summary = (
            f"{_prefix(data)}Each bubble is a need, placed by its moderated score for "
            f"{size.name.lower()} (across) and {severity.name.lower()} (up); bigger bubbles "
            f"have higher totals. Scored highest on both: {named}."
        )
    table_rows = tuple(
        (
            r["title"],
            _number(r[size.id]),
            _number(r[severity.id]),
            _number(r["total"]),
            r["band_words"],
        )
        for r in points.to_dict("records")
    )
    table = Table(
        caption=title,
        columns=(
            Column("Need"),
            Column(size.name, True),
            Column(severity.name, True),
            Column("Score", True),
            Column("Priority"),
        ),
        rows=table_rows,
    )
    data_frame = pd.DataFrame(
        {
            "need": points["title"].to_numpy(),
            size.name: points[size.id].to_numpy(),
            severity.name: points[severity.id].to_numpy(),
            "total": points["total"].to_numpy(),
            "priority": points["band_words"].to_numpy(),
        }
    )
    return Figure(
        id=f"priorities-matrix-{block.round}",
        kind="priorities",
        title=title,
        caption="Numbers in the bubbles are the ranks in the list; bubble area shows the total "
        "score; colour shows the priority band (named in the legend, the list and the table).",
        summary=summary,
        table=table,
        data=data_frame,
        spec=spec,
    )


def _agreement(data: RoundData, block: PrioritiesBlock) -> Figure:
    matrix = data.info.matrix
    names = {c.id: c.name for c in matrix.criteria}
    titles = {c.id: c.title for c in data.candidates}
    agree = agreement(data.scores, matrix)
    flagged = outliers(data.scores, matrix)
    moderation = moderated(data.scores, data.moderations, matrix)
    moderation = moderation[moderation["source"] == "moderator"]
    rows = []
    records = []
    for candidate in data.candidates:
        mine = agree[agree["candidate_id"] == candidate.id]
        if mine.empty:
            continue
        widest = mine.sort_values(["range", "criterion"], ascending=[False, True]).iloc[0]
        sd = float(np.nanmean(mine["sd"].to_numpy(float))) if mine["sd"].notna().any() else np.nan
        odd = flagged[flagged["candidate_id"] == candidate.id]
        odd_text = "; ".join(
            f"{names.get(r['criterion'], r['criterion'])}: one scorer gave {r['score']} "
            f"against a median of {_number(r['median'])}"
            for r in odd.to_dict("records")
        )
        mods = moderation[moderation["candidate_id"] == candidate.id]
        mod_text = "; ".join(
            f"{names.get(r['criterion'], r['criterion'])}: {_number(r['score'])} "
            f"(median {_number(r['median'])}), {r['reason']}"
            for r in mods.to_dict("records")
        )
        record = {
            "need": titles[candidate.id],
            "scorers": int(mine["scorers"].max()),
            "mean_sd": None if pd.isna(sd) else round(sd, 2),
            "widest_range": int(widest["range"]),
            "widest_on": names.get(widest["criterion"], widest["criterion"]),
            "outliers": odd_text or "None",
            "moderated": mod_text or "None",
        }
        records.append(record)
        rows.append(
            (
                record["need"],
                str(record["scorers"]),
                "" if pd.isna(sd) else format_number(sd, 2),
                f"{record['widest_range']} ({record['widest_on']})",
                record["outliers"],
                record["moderated"],
            )
        )
    total_outliers = len(flagged)
    total_moderated = len(moderation)
    title = f"{_prefix(data)}How far the scorers agreed"
    summary = (
        f"{_prefix(data)}{total_outliers} score{'s' if total_outliers != 1 else ''} "
        f"{'were' if total_outliers != 1 else 'was'} {_number(matrix.outlier_points)} or more "
        f"points from the median of all scorers (outliers), and a moderator changed "
        f"{total_moderated} criterion score{'s' if total_moderated != 1 else ''}."
    )
    table = Table(
        caption=title,
        columns=(
            Column("Need"),
            Column("Scorers", True),
            Column("Average spread (SD)", True),
            Column("Widest range"),
            Column("Outliers"),
            Column("Moderated"),
        ),
        rows=tuple(rows),
        notes=(
            f"Outlier: a score {_number(matrix.outlier_points)} or more points from the median "
            "of all scorers of that need and criterion. Spread: the standard deviation of the "
            "scorers' scores, averaged over the criteria.",
        ),
    )
    return Figure(
        id=f"priorities-agreement-{block.round}",
        kind="priorities",
        title=title,
        caption="Scorers are not named in published results.",
        summary=summary,
        table=table,
        data=pd.DataFrame.from_records(records),
        spec=None,
    )
