"""Requests for bespoke analysis: a public form, and the staff's list, detail and answer.

Anyone may ask (no account; CSRF token from the session cookie; at most
:data:`PER_HOUR` requests an hour from one client address). Viewers read the
requests; analysts change their status, assign them, answer them and attach
an answer file (stored in ``analysis_request.answer_file``).
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import deque
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection, select

from jsna.store.schema import analysis_request

from .auth import audit, check_csrf, current_user, require
from .templating import render
from .users import User, list_users

__all__ = [
    "MAX_ANSWER_BYTES",
    "PER_HOUR",
    "STATUSES",
    "reference",
    "router",
]

router = APIRouter()

STATUSES = {
    "received": "Received",
    "in_progress": "In progress",
    "answered": "Answered",
    "declined": "Declined",
}
"""Status -> its words on the pages."""

_TAGS = {
    "received": "govuk-tag--blue",
    "in_progress": "govuk-tag--yellow",
    "answered": "govuk-tag--green",
    "declined": "govuk-tag--grey",
}

PER_HOUR = 5
"""Requests one client address may send an hour."""

MAX_ANSWER_BYTES = 20 * 1024 * 1024
"""Largest answer file."""

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_LOCK = threading.Lock()


def reference(request_id: int) -> str:
    """The reference shown to requesters, e.g. REQ-000123."""
    return f"REQ-{request_id:06d}"


def _allowed(request: Request) -> bool:
    """Whether this client address may send another request now (and count it)."""
    state = request.app.state
    with _LOCK:
        if not hasattr(state, "analysis_requests_sent"):
            state.analysis_requests_sent = {}
        sent: dict[str, deque[float]] = state.analysis_requests_sent
        address = request.client.host if request.client else "unknown"
        now = time.monotonic()
        times = sent.setdefault(address, deque())
        while times and now - times[0] > 3600:
            times.popleft()
        if len(times) >= PER_HOUR:
            return False
        times.append(now)
        return True


def _form_page(
    request: Request, values: dict[str, str], errors: list[dict[str, str]], status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "request_new.html",
        status_code=status,
        values=values,
        errors=errors,
        by_field={e["field"]: e["message"] for e in errors},
    )


_EMPTY = {"requester": "", "email": "", "question": "", "population": "", "deadline": ""}


@router.get("/requests/new", include_in_schema=False, response_class=HTMLResponse)
def new_request(request: Request) -> HTMLResponse:
    """The public form to ask for bespoke analysis."""
    return _form_page(request, dict(_EMPTY), [])


def _validate(values: dict[str, str]) -> tuple[list[dict[str, str]], date | None]:
    errors: list[dict[str, str]] = []

    def need(field: str, label: str, limit: int) -> None:
        text = values[field]
        if not text:
            errors.append({"field": field, "message": f"Enter {label}."})
        elif len(text) > limit:
            errors.append(
                {
                    "field": field,
                    "message": f"{label[0].upper()}{label[1:]} must be "
                    f"{limit} characters or fewer.",
                }
            )

    need("requester", "your name", 200)
    if values["email"] and not _EMAIL.match(values["email"]):
        errors.append(
            {"field": "email", "message": "Enter an email address like name@example.org."}
        )
    else:
        need("email", "your email address", 320)
    need("question", "the question you want answered", 10_000)
    need("population", "the population concerned", 5_000)
    deadline: date | None = None
    if values["deadline"]:
        try:
            deadline = date.fromisoformat(values["deadline"])
        except ValueError:
            errors.append(
                {"field": "deadline", "message": "Deadline must be a real date, like 2027-03-31."}
            )
        else:
            if deadline < date.today():
                errors.append({"field": "deadline", "message": "Deadline must not be in the past."})
    return errors, deadline


def _clean(text: str | None) -> str:
    """Form text without control characters (other than new lines) and outer spaces."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


@router.post("/requests/new", include_in_schema=False, response_class=HTMLResponse)
def submit_request(
    request: Request,
    csrf_token: Annotated[str | None, Form()] = None,
    requester: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form()] = None,
    question: Annotated[str | None, Form()] = None,
    population: Annotated[str | None, Form()] = None,
    deadline: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    """Record a request and show its reference; errors name the field."""
    check_csrf(request, csrf_token)
    values = {
        "requester": _clean(requester),
        "email": _clean(email),
        "question": _clean(question),
        "population": _clean(population),
        "deadline": _clean(deadline),
    }
    errors, when = _validate(values)
    if errors:
        return _form_page(request, values, errors, 422)
    if not _allowed(request):
        raise HTTPException(
            429,
            f"You have sent {PER_HOUR} requests in the last hour: wait an hour, or email the "
            "intelligence team directly.",
        )
    user = current_user(request)
    now = datetime.now(UTC)
    with request.app.state.jsna.engine.begin() as connection:
        new_id = connection.execute(
            analysis_request.insert()
            .values(
                requester=values["requester"],
                email=values["email"],
                question=values["question"],
                population=values["population"],
                deadline=when,
                status="received",
                answer="",
                created_at=now,
                created_by=user.username if user else None,
                updated_at=now,
            )
            .returning(analysis_request.c.id)
        ).scalar_one()
        audit(connection, user or "public", "create", "analysis_request", new_id)
    return render(request, "request_sent.html", reference=reference(new_id), values=values)


def _row(connection: Connection, request_id: int) -> Any:
    row = connection.execute(
        select(analysis_request).where(analysis_request.c.id == request_id)
    ).first()
    if row is None:
        raise HTTPException(404, f"There is no request {reference(request_id)}.")
    return row


def _shown(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "reference": reference(row.id),
        "requester": row.requester,
        "email": row.email,
        "question": row.question,
        "population": row.population,
        "deadline": row.deadline,
        "status": row.status,
        "status_words": STATUSES.get(row.status, row.status),
        "tag": _TAGS.get(row.status, ""),
        "assigned_to": row.assigned_to,
        "answer": row.answer,
        "answer_file_name": row.answer_file_name,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


@router.get("/requests/", include_in_schema=False, response_class=HTMLResponse)
def list_requests(
    request: Request,
    user: Annotated[User, Depends(require("viewer"))],
    status: str | None = None,
) -> HTMLResponse:
    """Every request, newest first; ``?status=`` keeps one status."""
    chosen = status if status in STATUSES else None
    columns = [c for c in analysis_request.c if c.name != "answer_file"]
    query = select(*columns).order_by(analysis_request.c.id.desc())
    if chosen:
        query = query.where(analysis_request.c.status == chosen)
    with request.app.state.jsna.engine.connect() as connection:
        rows = [_shown(r) for r in connection.execute(query)]
    return render(request, "requests.html", requests=rows, statuses=STATUSES, chosen=chosen or "")


def _detail(
    request: Request,
    request_id: int,
    errors: list[dict[str, str]] | None = None,
    status: int = 200,
    saved: bool = False,
) -> HTMLResponse:
    with request.app.state.jsna.engine.connect() as connection:
        row = _shown(_row(connection, request_id))
        staff = [u.username for u in list_users(connection) if u.active and u.can("analyst")]
    errors = errors or []
    return render(
        request,
        "request_detail.html",
        status_code=status,
        item=row,
        statuses=STATUSES,
        staff=staff,
        errors=errors,
        by_field={e["field"]: e["message"] for e in errors},
        saved=saved,
        max_mb=MAX_ANSWER_BYTES // (1024 * 1024),
    )


@router.get("/requests/{request_id}", include_in_schema=False, response_class=HTMLResponse)
def show_request(
    request: Request,
    request_id: int,
    user: Annotated[User, Depends(require("viewer"))],
    saved: bool = False,
) -> HTMLResponse:
    """One request, with the form to answer it (analysts)."""
    return _detail(request, request_id, saved=saved)


def _safe_file_name(name: str) -> str:
    base = unicodedata.normalize("NFKD", name.replace("\\", "/").rsplit("/", 1)[-1])
    cleaned = re.sub(r"[^A-Za-z0-9._ -]+", "_", base.encode("ascii", "ignore").decode())
    return cleaned.strip(" ._")[:200] or "answer"


@router.post("/requests/{request_id}", include_in_schema=False, response_model=None)
def update_request(
    request: Request,
    request_id: int,
    user: Annotated[User, Depends(require("analyst"))],
    csrf_token: Annotated[str | None, Form()] = None,
    status: Annotated[str | None, Form()] = None,
    assigned_to: Annotated[str | None, Form()] = None,
    answer: Annotated[str | None, Form()] = None,
    answer_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Change the status, assignee and answer of a request; attach an answer file."""
    check_csrf(request, csrf_token)
    engine = request.app.state.jsna.engine
    with engine.connect() as connection:
        _row(connection, request_id)
        staff = {u.username for u in list_users(connection) if u.active and u.can("analyst")}
    errors: list[dict[str, str]] = []
    if status not in STATUSES:
        errors.append({"field": "status", "message": "Choose a status from the list."})
    assignee = _clean(assigned_to) or None
    if assignee is not None and assignee not in staff:
        errors.append({"field": "assigned_to", "message": "Choose an analyst from the list."})
    text = _clean(answer)
    if len(text) > 100_000:
        errors.append(
            {"field": "answer", "message": "The answer must be 100,000 characters or fewer."}
        )
    content: bytes | None = None
    file_name: str | None = None
    if answer_file is not None and answer_file.filename:
        content = answer_file.file.read(MAX_ANSWER_BYTES + 1)
        if len(content) > MAX_ANSWER_BYTES:
            errors.append(
                {
                    "field": "answer_file",
                    "message": f"The answer file must be {MAX_ANSWER_BYTES // (1024 * 1024)} MB "
                    "or smaller.",
                }
            )
        elif not content:
            errors.append({"field": "answer_file", "message": "The answer file is empty."})
        file_name = _safe_file_name(answer_file.filename)
    if errors:
        return _detail(request, request_id, errors, 422)
    values: dict[str, Any] = {
        "status": status,
        "assigned_to": assignee,
        "answer": text,
        "updated_at": datetime.now(UTC),
    }
    if content is not None:
        values["answer_file"] = content
        values["answer_file_name"] = file_name
    with engine.begin() as connection:
        connection.execute(
            analysis_request.update().where(analysis_request.c.id == request_id).values(**values)
        )
        audit(
            connection,
            user,
            "update",
            "analysis_request",
            request_id,
            status=status,
            assigned_to=assignee,
            answer_file=file_name,
        )
    return RedirectResponse(f"/requests/{request_id}?saved=1", status_code=303)


@router.get("/requests/{request_id}/answer", include_in_schema=False, response_model=None)
def answer_file(
    request: Request, request_id: int, user: Annotated[User, Depends(require("viewer"))]
) -> Response:
    """The answer file of a request, as a download."""
    with request.app.state.jsna.engine.connect() as connection:
        row = _row(connection, request_id)
    if row.answer_file is None:
        raise HTTPException(404, f"{reference(request_id)} has no answer file.")
    name = _safe_file_name(row.answer_file_name or "answer")
    return Response(
        bytes(row.answer_file),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"; '
            f"filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
