"""The chapter lifecycle: draft -> in_review -> approved -> published, with its history.

No HTTP here: :mod:`jsna.web.workflow` turns :class:`NotAllowedError` into 403,
:class:`UnknownChapterError` into 404 and :class:`InvalidChangeError` into a form error.

- A chapter's ``chapter_state`` row is seeded from its file on first use
  (:func:`ensure_states`): the front matter's status (draft, review -> in_review,
  published), the whole file text as body, the owner if it names a user, and
  the review date.
- Every change (:func:`submit`, :func:`approve`, :func:`send_back`,
  :func:`publish`, :func:`edit`, :func:`assign`) checks who may do it, writes
  one ``chapter_event`` (with a unified diff for edits) and one audit row, in
  one transaction.
- Publishing writes the body back to the chapter file (status: published)
  atomically. A chapter with a future ``publish_on`` is scheduled: it stays
  approved until :func:`publish_due` is called on or after that day.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from jsna.content.chapters import read_chapter
from jsna.content.project_files import Project
from jsna.errors import JsnaError
from jsna.store.schema import chapter_event, chapter_state

from .auth import audit
from .users import User, find_user

__all__ = [
    "ACTIONS",
    "STATUSES",
    "ChapterEvent",
    "ChapterState",
    "InvalidChangeError",
    "NotAllowedError",
    "UnknownChapterError",
    "all_states",
    "allowed_actions",
    "approve",
    "assign",
    "edit",
    "ensure_states",
    "events",
    "get_state",
    "parse_day",
    "publish",
    "publish_due",
    "send_back",
    "submit",
    "validate_body",
]

STATUSES = ("draft", "in_review", "approved", "published")
"""The lifecycle, in order."""
ACTIONS = ("edit", "submit", "approve", "send-back", "publish", "assign")
"""What a user may do to a chapter (see :func:`allowed_actions`)."""
SCHEDULER = "jsna (scheduled)"
"""The actor recorded when :func:`publish_due` publishes a scheduled chapter."""

_FROM_FILE = {"draft": "draft", "review": "in_review", "published": "published"}
_STATUS_LINE = re.compile(r"^status:[^\n]*$", re.MULTILINE)


class UnknownChapterError(JsnaError):
    """No chapter has this id."""


class NotAllowedError(JsnaError):
    """The user may not do this to this chapter."""


class InvalidChangeError(JsnaError):
    """The change cannot be made as asked (wrong state, bad field); ``field`` names the input."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ChapterState:
    """Where a chapter is in its lifecycle, and its working text."""

    chapter_id: str
    title: str
    status: str
    owner: str | None
    reviewer: str | None
    review_due: date | None
    publish_on: date | None
    published_at: datetime | None
    body: str
    updated_at: datetime
    updated_by: str

    @property
    def scheduled(self) -> bool:
        """Approved and waiting for its publication day."""
        return self.status == "approved" and self.publish_on is not None


@dataclass(frozen=True)
class ChapterEvent:
    """One change in a chapter's history."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    comment: str
    diff: str


def _now() -> datetime:
    return datetime.now(UTC)


def _chapter(project: Project, chapter_id: str) -> Any:
    for chapter in project.chapters:
        if chapter.id == chapter_id:
            return chapter
    raise UnknownChapterError(f"no chapter {chapter_id!r}")


def _state(row: Any, title: str) -> ChapterState:
    return ChapterState(
        chapter_id=row.chapter_id,
        title=title,
        status=row.status,
        owner=row.owner,
        reviewer=row.reviewer,
        review_due=row.review_due,
        publish_on=row.publish_on,
        published_at=row.published_at,
        body=row.body,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _seed(connection: Connection, project: Project, chapter_id: str) -> None:
    chapter = _chapter(project, chapter_id)
    owner = find_user(connection, chapter.meta.owner)
    connection.execute(
        chapter_state.insert().values(
            chapter_id=chapter_id,
            status=_FROM_FILE[chapter.meta.status],
            owner=None if owner is None else owner.username,
            reviewer=None,
            review_due=chapter.meta.review_date,
            publish_on=None,
            published_at=None,
            body=chapter.path.read_text(encoding="utf-8"),
            updated_at=_now(),
            updated_by="jsna (from the chapter file)",
        )
    )


def ensure_states(engine: Engine, project: Project) -> None:
    """Seed a ``chapter_state`` row for every chapter that has none yet."""
    with engine.begin() as connection:
        known = set(connection.execute(select(chapter_state.c.chapter_id)).scalars())
        for chapter in project.chapters:
            if chapter.id not in known:
                _seed(connection, project, chapter.id)


def get_state(connection: Connection, project: Project, chapter_id: str) -> ChapterState:
    """The state of ``chapter_id`` (seeded when missing; :class:`UnknownChapterError` if none)."""
    chapter = _chapter(project, chapter_id)
    row = connection.execute(
        select(chapter_state).where(chapter_state.c.chapter_id == chapter_id)
    ).first()
    if row is None:
        _seed(connection, project, chapter_id)
        row = connection.execute(
            select(chapter_state).where(chapter_state.c.chapter_id == chapter_id)
        ).one()
    return _state(row, chapter.meta.title)


def all_states(connection: Connection, project: Project) -> list[ChapterState]:
    """Every chapter's state, in chapter order."""
    return [get_state(connection, project, chapter.id) for chapter in project.chapters]


def events(connection: Connection, chapter_id: str) -> list[ChapterEvent]:
    """The history of ``chapter_id``, newest first."""
    rows = connection.execute(
        select(chapter_event)
        .where(chapter_event.c.chapter_id == chapter_id)
        .order_by(chapter_event.c.at.desc(), chapter_event.c.id.desc())
    )
    return [
        ChapterEvent(r.at, r.actor, r.action, r.from_status, r.to_status, r.comment, r.diff)
        for r in rows
    ]


def _last_author(connection: Connection, chapter_id: str) -> str | None:
    return connection.execute(
        select(chapter_event.c.actor)
        .where(chapter_event.c.chapter_id == chapter_id)
        .where(chapter_event.c.action.in_(("edit", "submit")))
        .order_by(chapter_event.c.at.desc(), chapter_event.c.id.desc())
        .limit(1)
    ).scalar()


def _owns(user: User, state: ChapterState) -> bool:
    return user.can("admin") or (user.can("editor") and state.owner == user.username)


def allowed_actions(connection: Connection, user: User | None, state: ChapterState) -> list[str]:
    """The actions ``user`` may take on the chapter now, in :data:`ACTIONS` order."""
    if user is None:
        return []
    allowed: list[str] = []
    if _owns(user, state):
        allowed.append("edit")
        if state.status == "draft":
            allowed.append("submit")
    if user.can("approver"):
        last = _last_author(connection, state.chapter_id)
        if state.status == "in_review" and (user.can("admin") or last != user.username):
            allowed.append("approve")
        if state.status in ("in_review", "approved"):
            allowed.append("send-back")
        if state.status == "approved":
            allowed.append("publish")
        allowed.append("assign")
    return allowed


def _record(
    connection: Connection,
    user: User | str,
    state: ChapterState,
    action: str,
    to_status: str | None,
    *,
    comment: str = "",
    diff: str = "",
    **values: Any,
) -> None:
    """Update the state row, add the event and the audit row (caller's transaction)."""
    actor = user.username if isinstance(user, User) else user
    now = _now()
    changes = {"updated_at": now, "updated_by": actor, **values}
    if to_status is not None:
        changes["status"] = to_status
    connection.execute(
        update(chapter_state).where(chapter_state.c.chapter_id == state.chapter_id).values(changes)
    )
    connection.execute(
        chapter_event.insert().values(
            chapter_id=state.chapter_id,
            at=now,
            actor=actor,
            action=action,
            from_status=state.status,
            to_status=to_status or state.status,
            comment=comment,
            diff=diff,
        )
    )
    audit(
        connection,
        user,
        f"chapter.{action}",
        "chapter",
        state.chapter_id,
        from_status=state.status,
        to_status=to_status or state.status,
        comment=comment,
    )


def _check(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowedError(message)


def _in(state: ChapterState, statuses: tuple[str, ...], action: str) -> None:
    if state.status not in statuses:
        words = " or ".join(s.replace("_", " ") for s in statuses)
        raise InvalidChangeError(
            f"cannot {action} a chapter that is {state.status.replace('_', ' ')} "
            f"(it must be {words})"
        )


def submit(
    engine: Engine, project: Project, user: User, chapter_id: str, comment: str = ""
) -> None:
    """Send a draft for review (its owner, or an admin)."""
    with engine.begin() as connection:
        state = get_state(connection, project, chapter_id)
        _check(_owns(user, state), "only the chapter's owner (an editor) or an admin may submit it")
        _in(state, ("draft",), "submit")
        _record(connection, user, state, "submit", "in_review", comment=comment.strip())


def approve(
    engine: Engine, project: Project, user: User, chapter_id: str, comment: str = ""
) -> None:
    """Approve a chapter in review (an approver other than its last author, or an admin)."""
    with engine.begin() as connection:
        state = get_state(connection, project, chapter_id)
        _check(user.can("approver"), "only an approver may approve a chapter")
        _check(
            user.can("admin") or _last_author(connection, chapter_id) != user.username,
            "you edited or submitted this chapter last: another approver must approve it",
        )
        _in(state, ("in_review",), "approve")
        _record(connection, user, state, "approve", "approved", comment=comment.strip())


def send_back(engine: Engine, project: Project, user: User, chapter_id: str, comment: str) -> None:
    """Return a chapter in review or approved to draft, saying why (an approver)."""
    with engine.begin() as connection:
        state = get_state(connection, project, chapter_id)
        _check(user.can("approver"), "only an approver may send a chapter back")
        _in(state, ("in_review", "approved"), "send back")
        if not comment.strip():
            raise InvalidChangeError("comment: say what needs to change", "comment")
        _record(
            connection, user, state, "send-back", "draft", comment=comment.strip(), publish_on=None
        )


def _with_status_published(text: str) -> str:
    """The chapter file text with its front matter's status set to published."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if not lines or lines[0].strip() != "---" or end is None:
        raise InvalidChangeError(
            "the chapter has no front matter: edit it before publishing", "body"
        )
    front = "\n".join(lines[1:end])
    if _STATUS_LINE.search(front):
        front = _STATUS_LINE.sub("status: published", front, count=1)
    else:
        front = front + "\nstatus: published" if front else "status: published"
    return "\n".join([lines[0], front, *lines[end:]])


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _publish_now(
    connection: Connection, project: Project, actor: User | str, state: ChapterState, comment: str
) -> None:
    text = _with_status_published(state.body)
    path = _chapter(project, state.chapter_id).path
    validate_body(path, text)
    _record(
        connection,
        actor,
        state,
        "publish",
        "published",
        comment=comment,
        body=text,
        published_at=_now(),
        publish_on=None,
    )
    _write_atomically(path, text)  # last: a failure rolls the transaction back


def publish(
    engine: Engine,
    project: Project,
    user: User,
    chapter_id: str,
    *,
    today: date,
    publish_on: date | None = None,
    keep_schedule: bool = True,
    comment: str = "",
) -> bool:
    """Publish an approved chapter (an approver); True if published now, False if scheduled.

    ``publish_on`` after ``today`` schedules it instead; when it is None the chapter's own
    publish-on day counts, unless ``keep_schedule`` is False (a form's empty field: now).
    """
    with engine.begin() as connection:
        state = get_state(connection, project, chapter_id)
        _check(user.can("approver"), "only an approver may publish a chapter")
        _in(state, ("approved",), "publish")
        day = publish_on or (state.publish_on if keep_schedule else None)
        if day is not None and day > today:
            _record(
                connection, user, state, "schedule", None, comment=comment.strip(), publish_on=day
            )
            return False
        _publish_now(connection, project, user, state, comment.strip())
        return True


def publish_due(engine: Engine, project: Project, today: date) -> list[str]:
    """Publish every scheduled chapter whose day has come; their ids.

    Called when the workflow pages are opened and by ``jsna serve`` at start.
    """
    done: list[str] = []
    with engine.connect() as connection:
        due = list(
            connection.execute(
                select(chapter_state.c.chapter_id)
                .where(chapter_state.c.status == "approved")
                .where(chapter_state.c.publish_on.is_not(None))
                .where(chapter_state.c.publish_on <= today)
            ).scalars()
        )
    for chapter_id in due:
        if chapter_id not in {c.id for c in project.chapters}:
            continue
        with engine.begin() as connection:
            state = get_state(connection, project, chapter_id)
            if state.scheduled and state.publish_on is not None and state.publish_on <= today:
                _publish_now(
                    connection, project, SCHEDULER, state, f"scheduled for {state.publish_on}"
                )
                done.append(chapter_id)
    return done


def validate_body(path: Path, text: str) -> None:
    """Refuse text the project's chapter parser refuses, with its messages (naming lines)."""
    chapter, problems = read_chapter(path, text)
    if chapter is None or problems:
        raise InvalidChangeError(
            "\n".join(problems) or f"{path}: the chapter cannot be read", "body"
        )


def edit(
    engine: Engine, project: Project, user: User, chapter_id: str, body: str, comment: str = ""
) -> bool:
    """Save new Markdown (its owner or an admin); True if anything changed.

    Editing a chapter in review, approved or published makes it a draft again.
    """
    text = body.replace("\r\n", "\n")
    with engine.begin() as connection:
        state = get_state(connection, project, chapter_id)
        _check(_owns(user, state), "only the chapter's owner (an editor) or an admin may edit it")
        validate_body(_chapter(project, chapter_id).path, text)
        if text == state.body:
            return False
        diff = "".join(
            difflib.unified_diff(
                state.body.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile="before",
                tofile="after",
            )
        )
        _record(
            connection,
            user,
            state,
            "edit",
            "draft",
            comment=comment.strip(),
            diff=diff,
            body=text,
            publish_on=None,
        )
        return True


def _user_name(connection: Connection, text: str, field: str) -> str | None:
    name = text.strip().lower()
    if not name:
        return None
    if find_user(connection, name) is None:
        raise InvalidChangeError(f"{field}: no user called {name!r}", field)
    return name


def parse_day(text: str, field: str) -> date | None:
    """A YYYY-MM-DD day from a form field (None when empty); :class:`InvalidChangeError` if bad."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidChangeError(
            f"{field}: give a date as YYYY-MM-DD, not {text!r}", field
        ) from None


def assign(
    engine: Engine,
    project: Project,
    user: User,
    chapter_id: str,
    *,
    owner: str,
    reviewer: str,
    review_due: str,
    publish_on: str,
    comment: str = "",
) -> None:
    """Set owner, reviewer, review due and publish-on days (an approver or admin)."""
    with engine.begin() as connection:
        state = get_state(connection, project, chapter_id)
        _check(user.can("approver"), "only an approver or an admin may assign a chapter")
        values: dict[str, Any] = {
            "owner": _user_name(connection, owner, "owner"),
            "reviewer": _user_name(connection, reviewer, "reviewer"),
            "review_due": parse_day(review_due, "review_due"),
            "publish_on": parse_day(publish_on, "publish_on"),
        }
        changed: dict[str, Any] = {k: v for k, v in values.items() if getattr(state, k) != v}
        if not changed:
            return
        words = "; ".join(f"{k.replace('_', ' ')}: {v or 'none'}" for k, v in changed.items())
        note = f"{words}. {comment.strip()}" if comment.strip() else words
        _record(connection, user, state, "assign", None, comment=note, **changed)
