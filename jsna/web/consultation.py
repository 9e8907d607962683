"""Consultations on draft chapters: share a draft, collect comments per section, respond.

- ``GET /consultations/``: open public consultations and published reports (staff: all).
- ``GET|POST /consultations/new?chapter=<id>``: the chapter's owner (an editor; any
  editor when the chapter has no owner; an admin) opens one: dates, audience,
  introduction, invitees. Invitation links are shown once (only a hash is kept).
- ``GET /consultations/invite/<token>``: an invitee's link; remembered in the session.
- ``GET /consultations/<id>``: the draft as consulted on, section by section, with a
  comment form under each section while it is open, and the approved comments.
- ``POST /consultations/<id>/comment``: anyone who may read it (CSRF from the session
  cookie, like the analysis request form). Spam protection: a hidden honeypot field,
  a signed time stamp (a form sent within :data:`MIN_SECONDS` of being shown is
  refused), at most :data:`PER_HOUR` comments an hour from one address (counted in
  the store, by a keyed hash of the address), length and link limits. Comments are
  held until an editor approves them.
- ``GET /consultations/<id>/manage`` and its POSTs: moderation (editors), responses,
  invitations, closing early and publishing the report (the chapter's owner).
- ``GET /consultations/<id>/report``: consented, approved comments with responses and
  the changes made, and counts by section; public once published; ``?format=csv``.

Markdown is rendered with raw HTML off (the same rules as the chapter pages; the web
layer may not import :mod:`jsna.render`), ``jsna`` blocks shown as a note.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

from jsna.content.chapters import read_chapter, section_starts
from jsna.store import consultation as store

from . import chapters_store
from .auth import audit, check_csrf, current_user, require
from .envelope import api_response, wants_csv
from .templating import render
from .users import User

__all__ = [
    "MAX_COMMENT",
    "MAX_LINKS",
    "MIN_SECONDS",
    "PER_HOUR",
    "Section",
    "may_manage",
    "router",
    "sections_of",
]

router = APIRouter(prefix="/consultations", include_in_schema=False)

MIN_SECONDS = 3.0
"""A comment sent sooner than this after its form was shown is refused (people read first)."""
MAX_FORM_AGE = timedelta(days=1)
"""A comment form older than this has expired."""
PER_HOUR = 10
"""Comments one client address may send an hour, across every consultation."""
MAX_COMMENT = 5000
"""Longest comment, in characters."""
MAX_NAME = 200
"""Longest name or organisation."""
MAX_LINKS = 2
"""Most web links a comment may hold."""
MAX_INTRODUCTION = 5000
MAX_INVITEES = 200
MAX_DAYS = 366
"""Longest consultation, in days."""
HONEYPOT = "website"
"""The hidden field people never fill in (and form-filling robots do)."""

_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_SESSION_INVITES = "consultation_invites"
_PHASE_WORDS = {"scheduled": "Not open yet", "open": "Open for comments", "closed": "Closed"}
_PHASE_TAGS = {
    "scheduled": "govuk-tag--grey",
    "open": "govuk-tag--green",
    "closed": "govuk-tag--blue",
}
_STATUS_WORDS = {"held": "Awaiting moderation", "approved": "Approved", "rejected": "Rejected"}

Text = Annotated[str, Form()]


# --- The draft: sections and safe Markdown -----------------------------------------------


@dataclass(frozen=True)
class Section:
    """One part of the draft readers comment on: the introduction or a ``## `` section."""

    id: str
    """``s0`` (text before the first heading), ``s1``, ``s2`` ... in order."""
    title: str
    text: str


def _body_of(text: str, chapter_path: Any) -> str:
    """The chapter's Markdown without its front matter."""
    chapter, _ = read_chapter(chapter_path, text)
    if chapter is not None:
        return chapter.body
    lines = text.splitlines(keepends=True)
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], start=1):
            if line.strip() == "---":
                return "".join(lines[number + 1 :])
    return text


def sections_of(body: str) -> list[Section]:
    """The draft split at its ``## `` headings (outside fenced code); the text before the
    first heading is the introduction (left out when empty)."""
    lines = body.splitlines(keepends=True)
    starts = section_starts(body)
    first = starts[0][0] if starts else len(lines)
    sections = []
    intro = "".join(lines[:first])
    if intro.strip() or not starts:
        sections.append(Section("s0", "Introduction", intro))
    for number, (start, title) in enumerate(starts, start=1):
        end = starts[number][0] if number < len(starts) else len(lines)
        sections.append(Section(f"s{number}", title, "".join(lines[start + 1 : end])))
    return sections


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


_MD = _markdown()
_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "table_open": "govuk-table",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
    "blockquote_open": "govuk-inset-text",
}
_HEADINGS = {3: "govuk-heading-m", 4: "govuk-heading-s"}
_BLOCK_NAME = re.compile(r"^(?:caption|title):\s*(.+)$|^block:\s*(\S+)", re.MULTILINE)


def _placeholder(token: Token) -> str:
    """What a reader of the draft sees instead of a ``jsna`` block: its caption, else its kind."""
    found: dict[str, str] = {}
    for match in _BLOCK_NAME.finditer(token.content):
        if match.group(1):
            found.setdefault("caption", match.group(1))
        elif match.group(2):
            found.setdefault("kind", match.group(2))
    name = (found.get("caption") or found.get("kind") or "figure").strip().strip("\"'")
    return f"A figure or table goes here in the published chapter: {name}"


def render_text(text: str) -> Markup:
    """Markdown to HTML with raw HTML shown as text, headings one level below the section's."""
    tokens = _MD.parse(text)
    for token in tokens:
        if token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
        if token.type in {"heading_open", "heading_close"}:
            depth = max(3, min(6, int(token.tag[1])))
            token.tag = f"h{depth}"
            if token.type == "heading_open":
                token.attrSet("class", _HEADINGS.get(depth, "govuk-heading-s"))
        for child in token.children or []:
            if child.type == "link_open":
                child.attrSet("class", "govuk-link")
                child.attrSet("rel", "nofollow noopener")
        if token.type == "fence" and token.info.strip() == "jsna":
            token.type = "paragraph_text"
            token.content = _placeholder(token)
    html = _MD.renderer.render(tokens, _MD.options, {})
    return Markup(html)  # markdown-it escapes all text; raw HTML is off


def _paragraph_text(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return f'<div class="govuk-inset-text">{escape(tokens[idx].content)}</div>\n'


_MD.add_render_rule("paragraph_text", _paragraph_text)


# --- Who may do what -----------------------------------------------------------------------


def may_manage(user: User | None, owner: str | None) -> bool:
    """Whether ``user`` may open, respond to, close and publish consultations on a chapter
    whose owner is ``owner``: its owner (an editor), any editor when it has none, an admin."""
    if user is None or not user.can("editor"):
        return False
    return user.can("admin") or owner is None or owner == user.username


def _state(request: Request) -> Any:
    return request.app.state.jsna


def _chapter_state(request: Request, chapter_id: str) -> chapters_store.ChapterState:
    state = _state(request)
    if chapter_id not in {c.id for c in state.project.chapters}:
        raise HTTPException(404, f"There is no chapter {chapter_id!r}.")
    with state.engine.begin() as connection:
        return chapters_store.get_state(connection, state.project, chapter_id)


def _consultation(request: Request, consultation_id: int) -> store.Consultation:
    with _state(request).engine.connect() as connection:
        found = store.get(connection, consultation_id)
    if found is None:
        raise HTTPException(404, "There is no such consultation.")
    return found


def _check_manager(request: Request, user: User, found: store.Consultation) -> None:
    owner = _chapter_state(request, found.chapter_id).owner
    if not may_manage(user, owner):
        raise HTTPException(403, "Only the chapter's owner (an editor) or an admin may do this.")


def _invitee_of(request: Request, consultation_id: int) -> int | None:
    invites = request.session.get(_SESSION_INVITES)
    if isinstance(invites, dict):
        value = invites.get(str(consultation_id))
        if isinstance(value, int):
            return value
    return None


def _may_read(request: Request, found: store.Consultation, today: date) -> bool:
    user = current_user(request)
    if user is not None and user.can("viewer"):
        return True
    if found.phase(today) == "scheduled":
        return False
    return found.audience == "public" or _invitee_of(request, found.id) is not None


def _today() -> date:
    return date.today()


# --- Form helpers ----------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    """Form text without control characters (other than new lines and tabs) and outer spaces."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def _signer(request: Request) -> TimestampSigner:
    return TimestampSigner(_state(request).settings.secret, salt="jsna-consultation-form")


def form_stamp(request: Request, consultation_id: int) -> str:
    """The signed time stamp a comment form carries."""
    return _signer(request).sign(str(consultation_id)).decode()


def _client_hash(request: Request) -> str:
    address = request.client.host if request.client else "unknown"
    key = str(_state(request).settings.secret).encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _day(text: str, field: str, label: str, errors: list[tuple[str, str]]) -> date | None:
    if not text:
        errors.append((field, f"Enter the day the consultation {label}, like 2027-03-31."))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append((field, f"The day it {label} must be a real date, like 2027-03-31."))
        return None


def _long_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _common() -> dict[str, Any]:
    return {
        "phase_words": _PHASE_WORDS,
        "phase_tags": _PHASE_TAGS,
        "status_words": _STATUS_WORDS,
        "long_day": _long_day,
        "today": _today(),
    }


# --- Listing and opening -------------------------------------------------------------------


@router.get("/")
def list_consultations(request: Request, chapter: str = "") -> Response:
    """Open consultations and published reports (staff see every consultation)."""
    user = current_user(request)
    staff = user is not None and user.can("viewer")
    today = _today()
    with _state(request).engine.connect() as connection:
        everything = store.list_all(connection, chapter or None)
    shown = [
        c
        for c in everything
        if staff or (c.audience == "public" and c.phase(today) == "open") or c.report_published
    ]
    chapter_state = _chapter_state(request, chapter) if chapter else None
    return render(
        request,
        "consultation/list.html",
        consultations=shown,
        chapter=chapter_state,
        may_open=chapter_state is not None and may_manage(user, chapter_state.owner),
        **_common(),
    )


_NEW = {"audience": "public", "opens_on": "", "closes_on": "", "introduction": "", "invitees": ""}


def _new_page(
    request: Request,
    chapter: chapters_store.ChapterState,
    values: dict[str, str],
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "consultation/new.html",
        status_code=status_code,
        chapter=chapter,
        values=values,
        errors=errors or [],
        by_field=dict(reversed(errors or [])),
        max_days=MAX_DAYS,
        **_common(),
    )


@router.get("/new")
def new_form(
    request: Request, user: Annotated[User, Depends(require("editor"))], chapter: str = ""
) -> Response:
    """The form to open a consultation on ``chapter``."""
    state = _chapter_state(request, chapter)
    if not may_manage(user, state.owner):
        raise HTTPException(403, "Only the chapter's owner (an editor) or an admin may do this.")
    today = _today()
    values = dict(
        _NEW, opens_on=today.isoformat(), closes_on=(today + timedelta(days=28)).isoformat()
    )
    return _new_page(request, state, values)


def _invitee_labels(text: str, errors: list[tuple[str, str]]) -> list[str]:
    labels: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        label = " ".join(line.split())
        if not label or label.casefold() in seen:
            continue
        if len(label) > 320:
            errors.append(("invitees", "Each invitee must be 320 characters or fewer."))
            return []
        seen.add(label.casefold())
        labels.append(label)
    if len(labels) > MAX_INVITEES:
        errors.append(("invitees", f"Invite at most {MAX_INVITEES} people or organisations."))
    return labels


def _links(request: Request, made: list[tuple[store.Invitee, str]]) -> list[dict[str, str]]:
    base = str(request.base_url).rstrip("/")
    return [
        {"label": invitee.label, "url": f"{base}/consultations/invite/{token}"}
        for invitee, token in made
    ]


@router.post("/new")
def open_consultation(
    request: Request,
    user: Annotated[User, Depends(require("editor"))],
    chapter: Text = "",
    audience: Text = "",
    opens_on: Text = "",
    closes_on: Text = "",
    introduction: Text = "",
    invitees: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Open a consultation on the chapter's current draft; invitation links are shown once."""
    check_csrf(request, csrf_token)
    chapter_state = _chapter_state(request, _clean(chapter))
    if not may_manage(user, chapter_state.owner):
        raise HTTPException(403, "Only the chapter's owner (an editor) or an admin may do this.")
    values = {
        "audience": _clean(audience),
        "opens_on": _clean(opens_on),
        "closes_on": _clean(closes_on),
        "introduction": _clean(introduction),
        "invitees": _clean(invitees),
    }
    errors: list[tuple[str, str]] = []
    if values["audience"] not in store.AUDIENCES:
        errors.append(("audience", "Choose who may comment: the public, or invited partners."))
    first = _day(values["opens_on"], "opens_on", "opens", errors)
    last = _day(values["closes_on"], "closes_on", "closes", errors)
    today = _today()
    if first is not None and first < today:
        errors.append(("opens_on", "The consultation cannot open in the past."))
    if first is not None and last is not None:
        if last < first:
            errors.append(
                ("closes_on", "The consultation must close on or after the day it opens.")
            )
        elif (last - first).days + 1 > MAX_DAYS:
            errors.append(("closes_on", f"A consultation may last at most {MAX_DAYS} days."))
    if len(values["introduction"]) > MAX_INTRODUCTION:
        errors.append(
            ("introduction", f"The introduction must be {MAX_INTRODUCTION:,} characters or fewer.")
        )
    labels = _invitee_labels(values["invitees"], errors)
    if (
        values["audience"] == "invited"
        and not labels
        and not any(f == "invitees" for f, _ in errors)
    ):
        errors.append(("invitees", "Enter at least one e-mail address or organisation to invite."))
    state = _state(request)
    with state.engine.connect() as connection:
        running = [
            c
            for c in store.list_all(connection, chapter_state.chapter_id)
            if c.phase(today) != "closed"
        ]
    if running:
        errors.append(
            (
                "opens_on",
                "This chapter already has a consultation that is open or about to open: "
                "close it first.",
            )
        )
    if errors or first is None or last is None:
        return _new_page(request, chapter_state, values, errors, status_code=400)
    chapter_file = next(c for c in state.project.chapters if c.id == chapter_state.chapter_id)
    body = _body_of(chapter_state.body, chapter_file.path)
    with state.engine.begin() as connection:
        new_id = store.create(
            connection,
            chapter_id=chapter_state.chapter_id,
            title=chapter_state.title,
            introduction=values["introduction"],
            audience=values["audience"],
            opens_on=first,
            closes_on=last,
            body=body,
            created_by=user.username,
        )
        made = (
            store.add_invitees(connection, new_id, labels)
            if values["audience"] == "invited"
            else []
        )
        audit(
            connection,
            user,
            "open",
            "consultation",
            new_id,
            chapter=chapter_state.chapter_id,
            audience=values["audience"],
            opens_on=first,
            closes_on=last,
            invitees=len(made),
        )
    found = _consultation(request, new_id)
    return render(
        request,
        "consultation/links.html",
        consultation=found,
        invitation_links=_links(request, made),
        opened=True,
        **_common(),
    )


# --- Reading and commenting ----------------------------------------------------------------


@router.get("/invite/{token}")
def invitation(request: Request, token: str) -> Response:
    """An invitee's link: remember the invitation in the session, then show the draft."""
    with _state(request).engine.begin() as connection:
        invitee = store.find_invitee(connection, token) if len(token) < 100 else None
    if invitee is None:
        raise HTTPException(404, "This invitation link is not valid: check you copied all of it.")
    invites = dict(request.session.get(_SESSION_INVITES) or {})
    invites[str(invitee.consultation_id)] = invitee.id
    request.session[_SESSION_INVITES] = invites
    return RedirectResponse(f"/consultations/{invitee.consultation_id}", status_code=303)


def _read_page(
    request: Request,
    found: store.Consultation,
    *,
    errors: list[tuple[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    sent: bool = False,
) -> Response:
    today = _today()
    with _state(request).engine.connect() as connection:
        approved = store.comments(connection, found.id, status="approved")
    user = current_user(request)
    staff = user is not None and user.can("viewer")
    shown = [c for c in approved if c.consent or staff]
    by_section: dict[str, list[store.Comment]] = {}
    for item in shown:
        by_section.setdefault(item.section, []).append(item)
    sections = sections_of(found.body)
    return render(
        request,
        "consultation/read.html",
        status_code=status_code,
        consultation=found,
        phase=found.phase(today),
        sections=sections,
        rendered={s.id: render_text(s.text) for s in sections},
        comments=by_section,
        stamp=form_stamp(request, found.id),
        honeypot=HONEYPOT,
        errors=errors or [],
        by_field=dict(reversed(errors or [])),
        values=values or {},
        sent=sent,
        staff=staff,
        may_moderate=user is not None and user.can("editor"),
        max_comment=MAX_COMMENT,
        intro=render_text(found.introduction) if found.introduction else "",
        **_common(),
    )


def _readable(request: Request, consultation_id: int) -> store.Consultation:
    found = _consultation(request, consultation_id)
    if not _may_read(request, found, _today()):
        if found.phase(_today()) == "scheduled":
            raise HTTPException(
                404, f"This consultation opens on {_long_day(found.opens_on)}: come back then."
            )
        raise HTTPException(
            403,
            "This consultation is for invited partners: open it with the link in your invitation.",
        )
    return found


@router.get("/{consultation_id}")
def read(request: Request, consultation_id: int, sent: bool = False) -> Response:
    """The draft as consulted on, section by section, with comment forms while open."""
    return _read_page(request, _readable(request, consultation_id), sent=sent)


def _stamp_problem(request: Request, consultation_id: int, stamp: str) -> str | None:
    """Why the form's time stamp is not acceptable, or None."""
    signer = _signer(request)
    try:
        value, signed_at = signer.unsign(
            stamp, max_age=int(MAX_FORM_AGE.total_seconds()), return_timestamp=True
        )
    except SignatureExpired:
        return "This page was open for more than a day: copy your comment, reload the page and send it again."
    except BadSignature:
        return "We could not check this form: reload the page and send your comment again."
    if value.decode() != str(consultation_id):
        return "We could not check this form: reload the page and send your comment again."
    age = time.time() - signed_at.timestamp()
    if age < MIN_SECONDS:
        return (
            "Your comment was sent very quickly after the page opened, as automated spam "
            "is. Please check it and send it again."
        )
    return None


@router.post("/{consultation_id}/comment")
def comment(
    request: Request,
    consultation_id: int,
    section: Text = "",
    name: Text = "",
    organisation: Text = "",
    body: Text = "",
    consent: Text = "",
    stamp: Text = "",
    website: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Take a comment on one section (held for moderation)."""
    check_csrf(request, csrf_token)
    found = _readable(request, consultation_id)
    today = _today()
    phase = found.phase(today)
    if phase == "closed":
        raise HTTPException(
            403,
            "This consultation has closed: it no longer takes comments. Thank you for your "
            "interest.",
        )
    if phase != "open":
        raise HTTPException(403, "This consultation is not open for comments yet.")
    values = {
        "section": _clean(section),
        "name": _clean(name),
        "organisation": _clean(organisation),
        "body": _clean(body),
        "consent": "yes" if consent == "yes" else "",
    }
    sections = {s.id: s for s in sections_of(found.body)}
    target = sections.get(values["section"])
    if target is None:
        raise HTTPException(400, "Choose a section of the draft to comment on.")
    field = f"body-{target.id}"
    if website.strip():
        return _read_page(
            request,
            found,
            errors=[
                (
                    field,
                    "We could not accept this comment. If you are a person, please "
                    "leave the field marked 'Leave this empty' empty and send it again.",
                )
            ],
            values=values,
            status_code=400,
        )
    problem = _stamp_problem(request, found.id, stamp)
    if problem:
        return _read_page(request, found, errors=[(field, problem)], values=values, status_code=400)
    errors: list[tuple[str, str]] = []
    if not values["body"]:
        errors.append((field, "Enter your comment."))
    elif len(values["body"]) > MAX_COMMENT:
        errors.append((field, f"Your comment must be {MAX_COMMENT:,} characters or fewer."))
    elif len(_LINK.findall(values["body"])) > MAX_LINKS:
        errors.append((field, f"Your comment may hold at most {MAX_LINKS} web links: remove some."))
    for key, label in (("name", "Your name"), ("organisation", "Your organisation")):
        if len(values[key]) > MAX_NAME:
            errors.append(
                (f"{key}-{target.id}", f"{label} must be {MAX_NAME} characters or fewer.")
            )
    if errors:
        return _read_page(request, found, errors=errors, values=values, status_code=422)
    client = _client_hash(request)
    engine = _state(request).engine
    with engine.begin() as connection:
        if store.recent_comments_from(connection, client, timedelta(hours=1)) >= PER_HOUR:
            raise HTTPException(
                429,
                f"{PER_HOUR} comments have been sent from your address in the last hour: "
                "please wait an hour and send it again.",
            )
        invitee = _invitee_of(request, found.id)
        new_id = store.add_comment(
            connection,
            found.id,
            section=target.id,
            section_title=target.title[:200],
            name=values["name"],
            organisation=values["organisation"],
            body=values["body"],
            consent=values["consent"] == "yes",
            invitee_id=invitee,
            client_hash=client,
        )
        user = current_user(request)
        audit(
            connection,
            user or ("invitee" if invitee else "public"),
            "comment",
            "consultation_comment",
            new_id,
            consultation=found.id,
            section=target.id,
            invitee=invitee,
        )
    return RedirectResponse(
        f"/consultations/{found.id}?sent=1#section-{target.id}", status_code=303
    )


# --- Managing: moderation, responses, invitations, closing, the report ----------------------


def _manage_page(
    request: Request,
    found: store.Consultation,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    user = current_user(request)
    owner = _chapter_state(request, found.chapter_id).owner
    with _state(request).engine.connect() as connection:
        everything = store.comments(connection, found.id)
        invited = store.invitees(connection, found.id)
    labels = {i.id: i.label for i in invited}
    return render(
        request,
        "consultation/manage.html",
        status_code=status_code,
        consultation=found,
        phase=found.phase(_today()),
        held=[c for c in everything if c.status == "held"],
        approved=[c for c in everything if c.status == "approved"],
        rejected=[c for c in everything if c.status == "rejected"],
        invitees=invited,
        invitee_labels=labels,
        owner=owner,
        may_manage=may_manage(user, owner),
        errors=errors or [],
        by_field=dict(reversed(errors or [])),
        **_common(),
    )


@router.get("/{consultation_id}/manage")
def manage(
    request: Request, consultation_id: int, user: Annotated[User, Depends(require("editor"))]
) -> Response:
    """Moderation queue, responses, invitations and the consultation's controls."""
    return _manage_page(request, _consultation(request, consultation_id))


def _comment_of(request: Request, found: store.Consultation, comment_id: int) -> store.Comment:
    with _state(request).engine.connect() as connection:
        item = store.comment(connection, found.id, comment_id)
    if item is None:
        raise HTTPException(404, "There is no such comment on this consultation.")
    return item


def _back(found: store.Consultation, anchor: str = "") -> Response:
    return RedirectResponse(f"/consultations/{found.id}/manage{anchor}", status_code=303)


@router.post("/{consultation_id}/comments/{comment_id}/moderate")
def moderate(
    request: Request,
    consultation_id: int,
    comment_id: int,
    user: Annotated[User, Depends(require("editor"))],
    decision: Text = "",
    reason: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Approve a held comment, or reject it with a reason (any editor)."""
    check_csrf(request, csrf_token)
    found = _consultation(request, consultation_id)
    _comment_of(request, found, comment_id)
    why = _clean(reason)
    field = f"reason-{comment_id}"
    if decision not in {"approve", "reject"}:
        return _manage_page(
            request, found, errors=[(field, "Choose approve or reject.")], status_code=400
        )
    if decision == "reject" and not why:
        return _manage_page(
            request,
            found,
            errors=[(field, "Give the reason for rejecting the comment.")],
            status_code=400,
        )
    if len(why) > 2000:
        return _manage_page(
            request,
            found,
            errors=[(field, "The reason must be 2,000 characters or fewer.")],
            status_code=400,
        )
    with _state(request).engine.begin() as connection:
        store.moderate(
            connection, comment_id, approve=decision == "approve", reason=why, by=user.username
        )
        audit(
            connection,
            user,
            decision,
            "consultation_comment",
            comment_id,
            consultation=found.id,
            reason=why,
        )
    return _back(found, f"#comment-{comment_id}")


@router.post("/{consultation_id}/comments/{comment_id}/respond")
def respond(
    request: Request,
    consultation_id: int,
    comment_id: int,
    user: Annotated[User, Depends(require("editor"))],
    response: Text = "",
    changed: Text = "",
    change_note: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Record the owner's response to an approved comment, and any change made."""
    check_csrf(request, csrf_token)
    found = _consultation(request, consultation_id)
    _check_manager(request, user, found)
    item = _comment_of(request, found, comment_id)
    text, note = _clean(response), _clean(change_note)
    errors: list[tuple[str, str]] = []
    if item.status != "approved":
        errors.append((f"response-{comment_id}", "Approve the comment before responding to it."))
    if not text:
        errors.append((f"response-{comment_id}", "Enter your response to the comment."))
    elif len(text) > MAX_COMMENT:
        errors.append(
            (f"response-{comment_id}", f"The response must be {MAX_COMMENT:,} characters or fewer.")
        )
    if changed not in {"yes", "no"}:
        errors.append((f"changed-{comment_id}", "Say whether you changed the text."))
    elif changed == "yes" and not note:
        errors.append((f"change_note-{comment_id}", "Say what you changed in the text."))
    elif len(note) > MAX_COMMENT:
        errors.append(
            (
                f"change_note-{comment_id}",
                f"The change must be {MAX_COMMENT:,} characters or fewer.",
            )
        )
    if errors:
        return _manage_page(request, found, errors=errors, status_code=400)
    with _state(request).engine.begin() as connection:
        store.respond(
            connection,
            comment_id,
            response=text,
            changed=changed == "yes",
            change_note=note,
            by=user.username,
        )
        audit(
            connection,
            user,
            "respond",
            "consultation_comment",
            comment_id,
            consultation=found.id,
            changed=changed == "yes",
            change_note=note,
        )
    return _back(found, f"#comment-{comment_id}")


@router.post("/{consultation_id}/invitees")
def invite_more(
    request: Request,
    consultation_id: int,
    user: Annotated[User, Depends(require("editor"))],
    invitees: Text = "",
    csrf_token: Text = "",
) -> Response:
    """Invite more people or organisations to an invited consultation (links shown once)."""
    check_csrf(request, csrf_token)
    found = _consultation(request, consultation_id)
    _check_manager(request, user, found)
    errors: list[tuple[str, str]] = []
    if found.audience != "invited":
        errors.append(
            ("invitees", "Anyone may comment on a public consultation: no invitations are needed.")
        )
    elif found.phase(_today()) == "closed":
        errors.append(("invitees", "The consultation has closed."))
    labels = _invitee_labels(_clean(invitees), errors)
    if not labels and not errors:
        errors.append(("invitees", "Enter at least one e-mail address or organisation to invite."))
    if errors:
        return _manage_page(request, found, errors=errors, status_code=400)
    with _state(request).engine.begin() as connection:
        made = store.add_invitees(connection, found.id, labels)
        audit(connection, user, "invite", "consultation", found.id, invitees=len(made))
    return render(
        request,
        "consultation/links.html",
        consultation=found,
        invitation_links=_links(request, made),
        opened=False,
        **_common(),
    )


@router.post("/{consultation_id}/close")
def close(
    request: Request,
    consultation_id: int,
    user: Annotated[User, Depends(require("editor"))],
    csrf_token: Text = "",
) -> Response:
    """Close the consultation now, before its last day."""
    check_csrf(request, csrf_token)
    found = _consultation(request, consultation_id)
    _check_manager(request, user, found)
    if found.phase(_today()) == "closed":
        return _manage_page(
            request,
            found,
            errors=[("close", "The consultation has already closed.")],
            status_code=400,
        )
    with _state(request).engine.begin() as connection:
        store.close(connection, found.id, by=user.username)
        audit(connection, user, "close", "consultation", found.id)
    return _back(found)


@router.post("/{consultation_id}/publish-report")
def publish_report(
    request: Request,
    consultation_id: int,
    user: Annotated[User, Depends(require("editor"))],
    csrf_token: Text = "",
) -> Response:
    """Make the report public (once the consultation has closed)."""
    check_csrf(request, csrf_token)
    found = _consultation(request, consultation_id)
    _check_manager(request, user, found)
    if found.phase(_today()) != "closed":
        return _manage_page(
            request,
            found,
            errors=[("publish", "The report can be published once the consultation has closed.")],
            status_code=400,
        )
    with _state(request).engine.connect() as connection:
        held = store.comments(connection, found.id, status="held")
    if held:
        return _manage_page(
            request,
            found,
            errors=[
                (
                    "publish",
                    f"Moderate the {len(held)} comment{'s' if len(held) != 1 else ''} "
                    "awaiting moderation first.",
                )
            ],
            status_code=400,
        )
    with _state(request).engine.begin() as connection:
        store.publish_report(connection, found.id, by=user.username)
        audit(connection, user, "publish_report", "consultation", found.id)
    return RedirectResponse(f"/consultations/{found.id}/report", status_code=303)


def _csv_cell(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@router.get("/{consultation_id}/report")
def report(request: Request, consultation_id: int) -> Response:
    """The consultation report: public once published; staff may preview it."""
    found = _consultation(request, consultation_id)
    user = current_user(request)
    staff = user is not None and user.can("viewer")
    if not found.report_published and not staff:
        raise HTTPException(404, "The report of this consultation is not published yet.")
    with _state(request).engine.connect() as connection:
        everything = store.comments(connection, found.id)
    published = [c for c in everything if c.status == "approved" and c.consent]
    sections = sections_of(found.body)
    titles = {s.id: s.title for s in sections}
    counts: list[dict[str, Any]] = [
        {
            "section": s.title,
            "received": sum(c.section == s.id for c in everything),
            "approved": sum(c.section == s.id and c.status == "approved" for c in everything),
            "rejected": sum(c.section == s.id and c.status == "rejected" for c in everything),
            "awaiting": sum(c.section == s.id and c.status == "held" for c in everything),
            "published": sum(c.section == s.id for c in published),
            "changed": sum(c.section == s.id and bool(c.changed) for c in published),
        }
        for s in sections
    ]
    if wants_csv(request) or request.query_params.get("format", "").lower() == "json":
        rows = [
            {
                "section": titles.get(c.section, c.section_title),
                "name": _csv_cell(c.name),
                "organisation": _csv_cell(c.organisation),
                "comment": _csv_cell(c.body),
                "received": c.created_at.date(),
                "response": _csv_cell(c.response),
                "text_changed": "" if c.changed is None else ("yes" if c.changed else "no"),
                "change_made": _csv_cell(c.change_note),
                "responded": c.responded_at.date() if c.responded_at else None,
            }
            for c in published
        ]
        return api_response(
            request,
            rows,
            meta={"consultation": found.id, "chapter": found.chapter_id, "title": found.title},
            name=f"consultation-{found.id}-report",
        )
    return render(
        request,
        "consultation/report.html",
        consultation=found,
        phase=found.phase(_today()),
        published=published,
        counts=counts,
        total={k: sum(int(row[k]) for row in counts) for k in counts[0] if k != "section"}
        if counts
        else {},
        titles=titles,
        staff=staff,
        **_common(),
    )
