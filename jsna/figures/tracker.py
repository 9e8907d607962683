"""Recommendations tracker figures: progress by status, the recommendations, and indicator movement.

A ``recommendations`` block draws

- without ``chapter``: a bar chart of the recommendations by status with the
  overdue count (``recommendations-progress``) and a table of every
  recommendation (``recommendations-all``);
- with ``chapter``: a table of that chapter's recommendations
  (``recommendations-<chapter>``) and a table of whether each linked
  indicator moved since the recommendation was made
  (``recommendations-<chapter>-indicators``).

The status shown is the latest update made in the web app (with who made it
and when), else the one in ``recommendations.yml``. The maths is in
:mod:`jsna.analysis.tracker`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from jsna.analysis.tracker import movement, progress, store_statuses, tracker
from jsna.content.blocks import RecommendationsBlock
from jsna.content.recommendations import STATUSES

from .context import FigureContext
from .format import MISSING, format_value
from .model import Column, Figure, Table
from .palette import INK

__all__ = ["STATUS_COLOURS", "build", "today"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
STATUS_COLOURS = {
    "not started": "#b1b4b6",
    "in progress": "#1d70b8",
    "done": "#00703c",
    "dropped": "#505a5f",
}
"""Bar colours by status (GOV.UK palette); the status is always written beside the bar."""


def today() -> date:
    """Today's date (tests replace it to pin overdue items)."""
    return date.today()


def _when(value: Any) -> str:
    return pd.Timestamp(value).strftime("%d %b %Y").lstrip("0")


def _status_cell(row: pd.Series) -> str:
    by = str(row["updated_by"])
    source = "in recommendations.yml" if by == "recommendations.yml" else f"by {by}"
    return f"{row['status']} (updated {_when(row['updated_on'])} {source})"


def _overdue_cell(row: pd.Series) -> str:
    if not row["overdue"]:
        return ""
    days = int(row["days_overdue"])
    return f"overdue by {days} day{'s' if days != 1 else ''}"


def _recommendations_table(frame: pd.DataFrame, caption: str, *, chapters: bool) -> Table:
    columns = [Column("Recommendation")]
    if chapters:
        columns.append(Column("Chapter"))
    columns += [Column("Owner"), Column("Target date"), Column("Status"), Column("Overdue")]
    rows, judgements = [], []
    for _, row in frame.iterrows():
        cells = [str(row["text"])]
        if chapters:
            cells.append(str(row["chapter_title"]))
        cells += [str(row["owner"]), _when(row["target_date"]), _status_cell(row)]
        cells.append(_overdue_cell(row))
        rows.append(tuple(cells))
        judgements.append(tuple([""] * (len(cells) - 1) + ["worse" if row["overdue"] else ""]))
    notes = tuple(
        f"{row['text'][:60]}...: {row['note']}" if len(row["text"]) > 60 else row["note"]
        for _, row in frame.iterrows()
        if row["note"]
    )
    return Table(caption, tuple(columns), tuple(rows), tuple(judgements), notes)


def _data(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns=["chapter_title"], errors="ignore").copy()
    for column in ("made_on", "target_date", "updated_on"):
        out[column] = out[column].astype(str)
    return out.reset_index(drop=True)


def _progress_sentence(counts: dict[str, int]) -> str:
    total = counts["total"]
    parts = [f"{counts[s]} {s}" for s in STATUSES if counts[s]]
    noun = "recommendation" if total == 1 else "recommendations"
    text = f"{total} {noun}: {', '.join(parts)}." if parts else f"No {noun} yet."
    overdue = counts["overdue"]
    if overdue:
        verb = "is" if overdue == 1 else "are"
        text += f" {overdue} {verb} overdue (past the target date and not done or dropped)."
    elif total:
        text += " None is overdue."
    return text


def _progress_spec(figure_id: str, counts: dict[str, int]) -> dict[str, Any]:
    values = [{"status": s, "count": counts[s], "label": f"{counts[s]}"} for s in STATUSES]
    bar_y = {"field": "status", "type": "nominal", "sort": list(STATUSES), "title": None}
    return {
        "$schema": SCHEMA,
        "width": 480,
        "height": {"step": 32},
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "y": bar_y,
                    "x": {
                        "field": "count",
                        "type": "quantitative",
                        "title": "Recommendations",
                        "axis": {"tickMinStep": 1, "format": "d"},
                    },
                    "color": {
                        "field": "status",
                        "type": "nominal",
                        "scale": {
                            "domain": list(STATUSES),
                            "range": [STATUS_COLOURS[s] for s in STATUSES],
                        },
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "status", "type": "nominal", "title": "Status"},
                        {"field": "count", "type": "quantitative", "title": "Recommendations"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": INK},
                "encoding": {
                    "y": bar_y,
                    "x": {"field": "count", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            },
        ],
        "usermeta": {"jsna": {"figure": figure_id, "kind": "recommendations"}},
    }


def _movement_table(ctx: FigureContext, moved: pd.DataFrame, texts: dict[str, str]) -> Table:
    columns = (
        Column("Recommendation"),
        Column("Indicator"),
        Column("When it was made", numeric=True),
        Column("Latest", numeric=True),
        Column("Change"),
    )
    rows, judgements = [], []
    for _, row in moved.iterrows():
        indicator = ctx.indicator(str(row["indicator_id"]))

        def cell(prefix: str, indicator: Any = indicator, row: pd.Series = row) -> str:
            period = row[f"{prefix}_period"]
            if pd.isna(period):
                return MISSING
            return f"{format_value(indicator, row[f'{prefix}_value'])} ({period})"

        change = str(row["change"])
        rows.append(
            (
                texts[str(row["recommendation_id"])],
                indicator.title,
                cell("baseline"),
                cell("latest"),
                change,
            )
        )
        word = change.split(",")[0]
        judgement = {"improved": "better", "got worse": "worse"}.get(word, "")
        judgements.append(("", "", "", "", judgement))
    notes = (
        "Change: the figure at the latest period ending on or before the date the recommendation "
        "was made, against the latest figure. Where both have 95% confidence intervals, "
        "overlapping intervals mean no significant change; 'not tested' means there were no "
        "intervals to test the difference.",
    )
    caption = "Have the linked indicators moved since the recommendations were made?"
    return Table(caption, columns, tuple(rows), tuple(judgements), notes)


def _movement_sentence(moved: pd.DataFrame) -> str:
    """How many linked indicators improved, got worse or did not change significantly."""
    words = moved["change"].replace({"no change": "no significant change"})
    shown = {
        "improved": "improved",
        "got worse": "got worse",
        "no significant change": "showed no significant change",
        "went up": "went up",
        "went down": "went down",
        "improved, not tested": "improved (no intervals to test it)",
        "got worse, not tested": "got worse (no intervals to test it)",
        "went up, not tested": "went up (no intervals to test it)",
        "went down, not tested": "went down (no intervals to test it)",
    }
    counts = words.value_counts()
    parts = [f"{counts[w]} {phrase}" for w, phrase in shown.items() if w in counts]
    total = len(moved)
    rest = int((~words.isin(list(shown))).sum())
    noun = "linked indicator" if total == 1 else "linked indicators"
    text = f"Of {total} {noun}, since the recommendations were made "
    text += ", ".join(parts) if parts else "none has a newer figure to compare"
    if parts and rest:
        text += f"; {rest} had no figure to compare"
    return text + "."


def build(
    ctx: FigureContext, block: RecommendationsBlock, *, area_code: str | None = None
) -> list[Figure]:
    """The progress summary (no ``chapter``) or one chapter's recommendations and their
    indicators' movement."""
    recommendations = ctx.project.recommendations
    titles = {c.id: c.meta.title for c in ctx.project.chapters}
    frame = tracker(recommendations, store_statuses(ctx.connection), today())
    frame["chapter_title"] = frame["chapter"].map(titles).fillna(frame["chapter"])
    if block.chapter is None:
        return _all(ctx, block, frame)
    return _chapter(ctx, block, frame, block.chapter, titles.get(block.chapter, block.chapter))


def _all(ctx: FigureContext, block: RecommendationsBlock, frame: pd.DataFrame) -> list[Figure]:
    counts = progress(frame)
    title = f"Progress of the {ctx.area_name} JSNA recommendations"
    summary = _progress_sentence(counts)
    figure_id = "recommendations-progress"
    table = Table(
        title,
        (Column("Status"), Column("Recommendations", numeric=True)),
        (
            *tuple((s, str(counts[s])) for s in STATUSES),
            ("overdue (not done or dropped, past target)", str(counts["overdue"])),
        ),
    )
    data = pd.DataFrame(
        {"status": [*STATUSES, "overdue", "total"]},
    ).assign(recommendations=lambda f: f["status"].map(counts))
    progress_figure = Figure(
        id=figure_id,
        kind="recommendations",
        title=title,
        caption=block.caption,
        summary=summary,
        table=table,
        data=data,
        spec=_progress_spec(figure_id, counts) if counts["total"] else None,
    )
    listing_title = "Every recommendation, its owner, target date and status"
    listing = Figure(
        id="recommendations-all",
        kind="recommendations",
        title=listing_title,
        caption=block.caption,
        summary=summary,
        table=_recommendations_table(
            frame, "Recommendations by chapter: owner, target date, status", chapters=True
        ),
        data=_data(frame),
        spec=None,
    )
    return [progress_figure, listing]


def _chapter(
    ctx: FigureContext,
    block: RecommendationsBlock,
    frame: pd.DataFrame,
    chapter: str,
    chapter_title: str,
) -> list[Figure]:
    mine = frame[frame["chapter"] == chapter].reset_index(drop=True)
    counts = progress(mine)
    title = f"Recommendations: {chapter_title}"
    chosen = [r for r in ctx.project.recommendations if r.chapter == chapter]
    moved = movement(
        chosen,
        ctx.results,
        ctx.area_code,
        lambda indicator_id: str(ctx.indicator(indicator_id).polarity),
    )
    texts = {r.id: r.text for r in chosen}
    figures = [
        Figure(
            id=f"recommendations-{chapter}",
            kind="recommendations",
            title=title,
            caption=block.caption,
            summary=_progress_sentence(counts),
            table=_recommendations_table(
                mine, "Owner, target date and status of each recommendation", chapters=False
            ),
            data=_data(mine),
            spec=None,
        )
    ]
    if not moved.empty:
        figures.append(
            Figure(
                id=f"recommendations-{chapter}-indicators",
                kind="recommendations",
                title="Linked indicators since the recommendations were made",
                caption=block.caption,
                summary=_movement_sentence(moved),
                table=_movement_table(ctx, moved, texts),
                data=moved.reset_index(drop=True),
                spec=None,
                indicators=tuple(dict.fromkeys(moved["indicator_id"])),
                area_type=ctx.project.config.area.area_type,
            )
        )
    return figures
