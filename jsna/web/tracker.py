"""Recommendations tracker pages: every recommendation with its status, and status updates.

Staff (viewers) read the list (``/recommendations/``, filtered by chapter or
status) and each recommendation's page: owner, dates, the status with who set
it and when, the full history of updates, and whether its linked indicators
moved since it was made. Editors update the status with a note; the update
is kept in the store (``recommendation_status``, never overwritten), audited,
and wins over ``recommendations.yml`` everywhere the recommendation is shown
(the caches are dropped so dashboards redraw).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from jsna.analysis.tracker import (
    NOTE_LIMIT,
    movement,
    progress,
    record_status,
    status_history,
    store_statuses,
    tracker,
)
from jsna.content.recommendations import STATUSES, Recommendation
from jsna.figures.context import FigureContext
from jsna.figures.format import MISSING, format_value

from .auth import audit, check_csrf, require
from .templating import render
from .users import User

__all__ = ["TAGS", "router"]

router = APIRouter()

TAGS = {
    "not started": "govuk-tag--grey",
    "in progress": "govuk-tag--blue",
    "done": "govuk-tag--green",
    "dropped": "govuk-tag--purple",
}
"""GOV.UK tag colour of each status (the status is always written in the tag)."""


def _recommendation(request: Request, recommendation_id: str) -> Recommendation:
    for item in request.app.state.jsna.project.recommendations:
        if item.id == recommendation_id:
            return item  # type: ignore[no-any-return]
    raise HTTPException(404, f"There is no recommendation {recommendation_id!r}.")


def _rows(frame: pd.DataFrame, titles: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict(orient="records"):
        record["chapter_title"] = titles.get(record["chapter"], record["chapter"])
        record["tag"] = TAGS.get(record["status"], "")
        rows.append(record)
    return rows


@router.get("/recommendations/", include_in_schema=False, response_class=HTMLResponse)
def list_recommendations(
    request: Request,
    user: Annotated[User, Depends(require("viewer"))],
    chapter: str | None = None,
    status: str | None = None,
) -> HTMLResponse:
    """Every recommendation with its current status; ``?chapter=`` and ``?status=`` filter
    (``status=overdue`` keeps the overdue ones)."""
    state = request.app.state.jsna
    project = state.project
    titles = {c.id: c.meta.title for c in project.chapters}
    with state.engine.connect() as connection:
        frame = tracker(project.recommendations, store_statuses(connection), date.today())
    counts = progress(frame)
    chosen_chapter = chapter if chapter in titles else ""
    chosen_status = status if status in (*STATUSES, "overdue") else ""
    if chosen_chapter:
        frame = frame[frame["chapter"] == chosen_chapter]
    if chosen_status == "overdue":
        frame = frame[frame["overdue"]]
    elif chosen_status:
        frame = frame[frame["status"] == chosen_status]
    used = [c for c in titles if c in {r.chapter for r in project.recommendations}]
    return render(
        request,
        "tracker/recommendations.html",
        items=_rows(frame, titles),
        counts=counts,
        statuses=STATUSES,
        chapters={c: titles[c] for c in used},
        chosen_chapter=chosen_chapter,
        chosen_status=chosen_status,
    )


def _movement(request: Request, item: Recommendation) -> list[dict[str, str]]:
    state = request.app.state.jsna
    project = state.project
    if not item.indicators:
        return []
    with state.engine.connect() as connection:
        ctx = FigureContext(project, connection)
        moved = movement(
            [item],
            ctx.results,
            ctx.area_code,
            lambda indicator_id: str(project.indicators[indicator_id].polarity),
        )
    rows = []
    for record in moved.to_dict(orient="records"):
        indicator = project.indicators[record["indicator_id"]]

        def cell(prefix: str, record: dict[str, Any] = record, indicator: Any = indicator) -> str:
            period = record[f"{prefix}_period"]
            if period is None or pd.isna(period):
                return MISSING
            return f"{format_value(indicator, record[f'{prefix}_value'])} ({period})"

        rows.append(
            {
                "indicator": indicator.title,
                "baseline": cell("baseline"),
                "latest": cell("latest"),
                "change": str(record["change"]),
            }
        )
    return rows


def _detail(
    request: Request,
    item: Recommendation,
    *,
    errors: list[dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    state = request.app.state.jsna
    titles = {c.id: c.meta.title for c in state.project.chapters}
    with state.engine.connect() as connection:
        frame = tracker([item], store_statuses(connection), date.today())
        history = status_history(connection, item.id)
    current = _rows(frame, titles)[0]
    updates = [
        {
            "status": row["status"],
            "tag": TAGS.get(row["status"], ""),
            "note": row["note"],
            "when": pd.Timestamp(row["changed_at"]).strftime("%d %B %Y %H:%M"),
            "by": row["changed_by"],
        }
        for row in history.to_dict(orient="records")
    ]
    updates.append(
        {
            "status": item.status,
            "tag": TAGS.get(item.status, ""),
            "note": "As recorded in recommendations.yml",
            "when": item.updated_on.strftime("%d %B %Y"),
            "by": "recommendations.yml",
        }
    )
    errors = errors or []
    return render(
        request,
        "tracker/recommendation.html",
        status_code=status_code,
        item=current,
        updates=updates,
        moved=_movement(request, item),
        statuses=STATUSES,
        errors=errors,
        by_field={e["field"]: e["message"] for e in errors},
        values=values or {"status": current["status"], "note": ""},
        saved=saved,
        note_limit=NOTE_LIMIT,
    )


@router.get(
    "/recommendations/{recommendation_id}", include_in_schema=False, response_class=HTMLResponse
)
def show_recommendation(
    request: Request,
    recommendation_id: str,
    user: Annotated[User, Depends(require("viewer"))],
    saved: bool = False,
) -> HTMLResponse:
    """One recommendation: status with who and when, history, linked indicators, update form."""
    return _detail(request, _recommendation(request, recommendation_id), saved=saved)


@router.post("/recommendations/{recommendation_id}", include_in_schema=False, response_model=None)
def update_recommendation(
    request: Request,
    recommendation_id: str,
    user: Annotated[User, Depends(require("editor"))],
    csrf_token: Annotated[str | None, Form()] = None,
    status: Annotated[str | None, Form()] = None,
    note: Annotated[str | None, Form()] = None,
) -> Response:
    """Record a new status (with a note) for a recommendation; audited."""
    check_csrf(request, csrf_token)
    item = _recommendation(request, recommendation_id)
    text = (note or "").strip()
    errors: list[dict[str, str]] = []
    if status not in STATUSES:
        errors.append({"field": "status", "message": "Choose a status from the list."})
    if len(text) > NOTE_LIMIT:
        errors.append(
            {"field": "note", "message": f"The note must be {NOTE_LIMIT} characters or fewer."}
        )
    if errors:
        values = {"status": status or "", "note": text}
        return _detail(request, item, errors=errors, values=values, status_code=422)
    assert status is not None
    state = request.app.state.jsna
    with state.engine.begin() as connection:
        record_status(connection, item.id, status, actor=user.username, note=text)
        audit(connection, user, "update", "recommendation", item.id, status=status, note=text)
    clear = getattr(state, "clear_caches", None)
    if callable(clear):
        clear()
    else:
        state.cache.clear()
    return RedirectResponse(f"/recommendations/{item.id}?saved=1", status_code=303)
