"""The editorial workflow pages: governance timetable, chapter history, edit and actions.

- ``GET /workflow/``: every chapter with status, owner, reviewer, review due
  (overdue and due soon said in words), publish-on day and last change;
  ``?status=`` and ``?due_within=<days>`` filter it.
- ``GET /workflow/{id}``: the chapter's state, the actions this user may take
  (forms with CSRF) and its full history with diffs.
- ``GET|POST /workflow/{id}/edit``: the Markdown in a textarea, checked by the
  project's chapter parser before anything is saved.
- ``POST /workflow/{id}/{submit|approve|send-back|publish|assign}``.

The rules live in :mod:`.chapters_store`; scheduled chapters whose day has come
are published whenever these pages are opened (:func:`publish_scheduled`).
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from . import chapters_store as store
from .auth import check_csrf, current_user, require
from .templating import render
from .users import User

__all__ = ["DUE_SOON_DAYS", "publish_scheduled", "router"]

router = APIRouter(prefix="/workflow", include_in_schema=False)

DUE_SOON_DAYS = 30
"""A review due within this many days is flagged as due soon."""

_STATUS_WORDS = {
    "draft": "Draft",
    "in_review": "In review",
    "approved": "Approved",
    "published": "Published",
}
_STATUS_TAGS = {
    "draft": "govuk-tag--grey",
    "in_review": "govuk-tag--yellow",
    "approved": "govuk-tag--blue",
    "published": "govuk-tag--green",
}
_ACTION_WORDS = {
    "edit": "Edited",
    "submit": "Submitted for review",
    "approve": "Approved",
    "send-back": "Sent back to draft",
    "publish": "Published",
    "schedule": "Scheduled for publication",
    "assign": "Assigned",
}

Text = Annotated[str, Form()]


def _state(request: Request) -> Any:
    return request.app.state.jsna


def _notify(request: Request, chapter_ids: list[str]) -> None:
    """Call ``settings.on_publish`` for each chapter, in a background thread."""
    callback = _state(request).settings.on_publish
    if callback is None or not chapter_ids:
        return

    def run() -> None:
        for chapter_id in chapter_ids:
            callback(chapter_id)

    threading.Thread(target=run, name="jsna-on-publish", daemon=True).start()


def publish_scheduled(request: Request, today: date | None = None) -> list[str]:
    """Publish scheduled chapters whose day has come (and tell ``on_publish``); their ids."""
    state = _state(request)
    done = store.publish_due(state.engine, state.project, today or date.today())
    _notify(request, done)
    return done


def _review_flag(due: date | None, today: date) -> str:
    if due is None:
        return ""
    if due < today:
        return "Overdue"
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return "Due soon"
    return ""


def _common(request: Request) -> dict[str, Any]:
    return {"status_words": _STATUS_WORDS, "status_tags": _STATUS_TAGS}


@router.get("/")
def timetable(
    request: Request,
    user: Annotated[User, Depends(require("viewer"))],
    status: str = "",
    due_within: str = "",
) -> Response:
    """The governance timetable of every chapter."""
    publish_scheduled(request)
    state = _state(request)
    today = date.today()
    errors: list[tuple[str, str]] = []
    if status and status not in store.STATUSES:
        errors.append(("status", f"status: choose one of {', '.join(store.STATUSES)}"))
    days: int | None = None
    if due_within.strip():
        try:
            days = int(due_within)
            if days < 0:
                raise ValueError
        except ValueError:
            errors.append(("due_within", "due_within: give a whole number of days, 0 or more"))
            days = None
    with state.engine.begin() as connection:
        states = store.all_states(connection, state.project)
    rows = []
    for chapter in states:
        if status and not errors and chapter.status != status:
            continue
        if days is not None and (
            chapter.review_due is None or chapter.review_due > today + timedelta(days=days)
        ):
            continue
        rows.append({"chapter": chapter, "flag": _review_flag(chapter.review_due, today)})
    return render(
        request,
        "workflow_timetable.html",
        status_code=400 if errors else 200,
        rows=rows,
        errors=errors,
        status=status,
        due_within=due_within,
        statuses=store.STATUSES,
        today=today,
        **_common(request),
    )


def _diff_lines(diff: str) -> list[tuple[str, str]]:
    """(kind, line) pairs: kind is added, removed, context or header."""
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "header"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        else:
            kind = "context"
        lines.append((kind, line))
    return lines


def _chapter_page(
    request: Request,
    chapter_id: str,
    *,
    errors: list[tuple[str, str]] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    state = _state(request)
    user = current_user(request)
    with state.engine.begin() as connection:
        chapter = store.get_state(connection, state.project, chapter_id)
        history = store.events(connection, chapter_id)
        actions = store.allowed_actions(connection, user, chapter)
    return render(
        request,
        "workflow_chapter.html",
        status_code=status_code,
        chapter=chapter,
        history=[(event, _diff_lines(event.diff)) for event in history],
        actions=actions,
        action_words=_ACTION_WORDS,
        errors=errors or [],
        form=form or {},
        flag=_review_flag(chapter.review_due, date.today()),
        **_common(request),
    )


def _known(request: Request, chapter_id: str) -> None:
    if chapter_id not in {c.id for c in _state(request).project.chapters}:
        raise HTTPException(404, f"There is no chapter {chapter_id!r}.")


@router.get("/{chapter_id}")
def chapter_page(
    request: Request, chapter_id: str, user: Annotated[User, Depends(require("viewer"))]
) -> Response:
    """A chapter's state, the actions open to this user, and its history."""
    _known(request, chapter_id)
    publish_scheduled(request)
    return _chapter_page(request, chapter_id)


def _edit_page(
    request: Request,
    chapter_id: str,
    body: str,
    comment: str = "",
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    state = _state(request)
    with state.engine.begin() as connection:
        chapter = store.get_state(connection, state.project, chapter_id)
    return render(
        request,
        "workflow_edit.html",
        status_code=status_code,
        chapter=chapter,
        body=body,
        comment=comment,
        errors=errors or [],
        **_common(request),
    )


@router.get("/{chapter_id}/edit")
def edit_form(
    request: Request, chapter_id: str, user: Annotated[User, Depends(require("editor"))]
) -> Response:
    """The chapter's Markdown in a form (its owner or an admin)."""
    _known(request, chapter_id)
    state = _state(request)
    with state.engine.begin() as connection:
        chapter = store.get_state(connection, state.project, chapter_id)
        if "edit" not in store.allowed_actions(connection, user, chapter):
            raise HTTPException(
                403, "Only the chapter's owner (an editor) or an admin may edit it."
            )
    return _edit_page(request, chapter_id, chapter.body)


@router.post("/{chapter_id}/edit")
def edit_save(
    request: Request,
    chapter_id: str,
    user: Annotated[User, Depends(require("editor"))],
    body: Text = "",
    comment: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Save the edited Markdown, or show the parser's problems and save nothing."""
    check_csrf(request, csrf_token)
    _known(request, chapter_id)
    state = _state(request)
    try:
        store.edit(state.engine, state.project, user, chapter_id, body, comment)
    except store.NotAllowedError as error:
        raise HTTPException(403, str(error)) from None
    except store.InvalidChangeError as error:
        problems = [("body", line) for line in str(error).splitlines() if line.strip()]
        return _edit_page(request, chapter_id, body, comment, problems, status_code=400)
    return RedirectResponse(f"/workflow/{chapter_id}", status_code=303)


def _act(request: Request, chapter_id: str, csrf: str, change: Any) -> Response:
    check_csrf(request, csrf)
    _known(request, chapter_id)
    try:
        change()
    except store.NotAllowedError as error:
        raise HTTPException(403, str(error)) from None
    except store.InvalidChangeError as error:
        return _chapter_page(
            request, chapter_id, errors=[(error.field or "action", str(error))], status_code=400
        )
    return RedirectResponse(f"/workflow/{chapter_id}", status_code=303)


@router.post("/{chapter_id}/submit")
def submit(
    request: Request,
    chapter_id: str,
    user: Annotated[User, Depends(require("editor"))],
    comment: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Send a draft for review."""
    state = _state(request)
    return _act(
        request,
        chapter_id,
        csrf_token,
        lambda: store.submit(state.engine, state.project, user, chapter_id, comment),
    )


@router.post("/{chapter_id}/approve")
def approve(
    request: Request,
    chapter_id: str,
    user: Annotated[User, Depends(require("approver"))],
    comment: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Approve a chapter in review."""
    state = _state(request)
    return _act(
        request,
        chapter_id,
        csrf_token,
        lambda: store.approve(state.engine, state.project, user, chapter_id, comment),
    )


@router.post("/{chapter_id}/send-back")
def send_back(
    request: Request,
    chapter_id: str,
    user: Annotated[User, Depends(require("approver"))],
    comment: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Return a chapter to draft with a comment."""
    state = _state(request)
    return _act(
        request,
        chapter_id,
        csrf_token,
        lambda: store.send_back(state.engine, state.project, user, chapter_id, comment),
    )


@router.post("/{chapter_id}/publish")
def publish(
    request: Request,
    chapter_id: str,
    user: Annotated[User, Depends(require("approver"))],
    publish_on: Text = "",
    comment: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Publish an approved chapter now, or schedule it for ``publish_on``."""
    state = _state(request)

    def change() -> None:
        day = store.parse_day(publish_on, "publish_on")
        published = store.publish(
            state.engine,
            state.project,
            user,
            chapter_id,
            today=date.today(),
            publish_on=day,
            keep_schedule=False,
            comment=comment,
        )
        if published:
            _notify(request, [chapter_id])

    return _act(request, chapter_id, csrf_token, change)


@router.post("/{chapter_id}/assign")
def assign(
    request: Request,
    chapter_id: str,
    user: Annotated[User, Depends(require("approver"))],
    owner: Text = "",
    reviewer: Text = "",
    review_due: Text = "",
    publish_on: Text = "",
    comment: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Set owner, reviewer, review due and publish-on days."""
    state = _state(request)
    return _act(
        request,
        chapter_id,
        csrf_token,
        lambda: store.assign(
            state.engine,
            state.project,
            user,
            chapter_id,
            owner=owner,
            reviewer=reviewer,
            review_due=review_due,
            publish_on=publish_on,
            comment=comment,
        ),
    )
