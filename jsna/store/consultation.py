"""Consultations on draft chapters: the rows, and the few rules that belong with them.

A consultation shares one chapter's draft (a copy of its Markdown, frozen when
opened) from ``opens_on`` to ``closes_on`` (both days included) with the
public or with invited partners. Each invitee has a link holding a random
token; only the token's SHA-256 is stored (:func:`token_hash`), so a copy of
the database cannot be used to comment as someone else.

Comments are held for moderation (``held``) until an editor approves or
rejects them; the chapter owner then responds, saying whether the text was
changed and how. The report (comments whose writers consented to
publication, with responses) is public once published.

No HTTP and no audit here: :mod:`jsna.web.consultation` checks who may do what,
validates forms and writes the audit row in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from .schema import consultation, consultation_comment, consultation_invitee

__all__ = [
    "AUDIENCES",
    "COMMENT_STATUSES",
    "Comment",
    "Consultation",
    "Invitee",
    "add_comment",
    "add_invitees",
    "close",
    "comment",
    "comments",
    "create",
    "find_invitee",
    "get",
    "invitees",
    "list_all",
    "moderate",
    "new_token",
    "publish_report",
    "recent_comments_from",
    "respond",
    "token_hash",
]

AUDIENCES = ("public", "invited")
"""Who may read and comment: anyone, or only people holding an invitation link."""
COMMENT_STATUSES = ("held", "approved", "rejected")
"""A comment's moderation state, in order."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Consultation:
    """One consultation on a chapter's draft."""

    id: int
    chapter_id: str
    title: str
    introduction: str
    audience: str
    opens_on: date
    closes_on: date
    body: str
    closed_at: datetime | None
    closed_by: str | None
    report_published_at: datetime | None
    report_published_by: str | None
    created_at: datetime
    created_by: str

    def phase(self, today: date) -> str:
        """``scheduled`` (before opening), ``open`` or ``closed`` (after the last day or
        closed early)."""
        if self.closed_at is not None or today > self.closes_on:
            return "closed"
        if today < self.opens_on:
            return "scheduled"
        return "open"

    @property
    def report_published(self) -> bool:
        """Whether the report is public."""
        return self.report_published_at is not None


@dataclass(frozen=True)
class Invitee:
    """A person or organisation invited to an invited consultation."""

    id: int
    consultation_id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class Comment:
    """A comment on one section, its moderation and the owner's response."""

    id: int
    consultation_id: int
    section: str
    section_title: str
    name: str
    organisation: str
    body: str
    consent: bool
    invitee_id: int | None
    created_at: datetime
    status: str
    moderated_by: str | None
    moderated_at: datetime | None
    reject_reason: str
    response: str
    changed: bool | None
    change_note: str
    responded_by: str | None
    responded_at: datetime | None

    @property
    def responded(self) -> bool:
        """Whether the owner has responded."""
        return self.responded_at is not None


def _consultation(row: Any) -> Consultation:
    return Consultation(
        id=row.id,
        chapter_id=row.chapter_id,
        title=row.title,
        introduction=row.introduction,
        audience=row.audience,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        body=row.body,
        closed_at=_aware(row.closed_at),
        closed_by=row.closed_by,
        report_published_at=_aware(row.report_published_at),
        report_published_by=row.report_published_by,
        created_at=_aware(row.created_at) or row.created_at,
        created_by=row.created_by,
    )


def _comment(row: Any) -> Comment:
    return Comment(
        id=row.id,
        consultation_id=row.consultation_id,
        section=row.section,
        section_title=row.section_title,
        name=row.name,
        organisation=row.organisation,
        body=row.body,
        consent=bool(row.consent),
        invitee_id=row.invitee_id,
        created_at=_aware(row.created_at) or row.created_at,
        status=row.status,
        moderated_by=row.moderated_by,
        moderated_at=_aware(row.moderated_at),
        reject_reason=row.reject_reason,
        response=row.response,
        changed=None if row.changed is None else bool(row.changed),
        change_note=row.change_note,
        responded_by=row.responded_by,
        responded_at=_aware(row.responded_at),
    )


def new_token() -> str:
    """A fresh invitation token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of an invitation token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(
    connection: Connection,
    *,
    chapter_id: str,
    title: str,
    introduction: str,
    audience: str,
    opens_on: date,
    closes_on: date,
    body: str,
    created_by: str,
) -> int:
    """Record a new consultation; its id."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    if closes_on < opens_on:
        raise ValueError("a consultation cannot close before it opens")
    new_id: int = connection.execute(
        consultation.insert()
        .values(
            chapter_id=chapter_id,
            title=title,
            introduction=introduction,
            audience=audience,
            opens_on=opens_on,
            closes_on=closes_on,
            body=body,
            created_at=_now(),
            created_by=created_by,
        )
        .returning(consultation.c.id)
    ).scalar_one()
    return new_id


def get(connection: Connection, consultation_id: int) -> Consultation | None:
    """The consultation with this id, or None."""
    row = connection.execute(
        select(consultation).where(consultation.c.id == consultation_id)
    ).first()
    return None if row is None else _consultation(row)


def list_all(connection: Connection, chapter_id: str | None = None) -> list[Consultation]:
    """Every consultation (of one chapter when ``chapter_id`` is given), newest first."""
    query = select(consultation).order_by(consultation.c.id.desc())
    if chapter_id is not None:
        query = query.where(consultation.c.chapter_id == chapter_id)
    return [_consultation(row) for row in connection.execute(query)]


def add_invitees(
    connection: Connection, consultation_id: int, labels: list[str]
) -> list[tuple[Invitee, str]]:
    """Invite each of ``labels``; each new invitee with its token (the only time it exists)."""
    made: list[tuple[Invitee, str]] = []
    now = _now()
    for label in labels:
        token = new_token()
        new_id = connection.execute(
            consultation_invitee.insert()
            .values(
                consultation_id=consultation_id,
                label=label,
                token_hash=token_hash(token),
                created_at=now,
            )
            .returning(consultation_invitee.c.id)
        ).scalar_one()
        made.append((Invitee(new_id, consultation_id, label, now, None), token))
    return made


def invitees(connection: Connection, consultation_id: int) -> list[Invitee]:
    """The consultation's invitees, in the order they were added."""
    rows = connection.execute(
        select(consultation_invitee)
        .where(consultation_invitee.c.consultation_id == consultation_id)
        .order_by(consultation_invitee.c.id)
    )
    return [
        Invitee(
            r.id,
            r.consultation_id,
            r.label,
            _aware(r.created_at) or r.created_at,
            _aware(r.last_used_at),
        )
        for r in rows
    ]


def find_invitee(connection: Connection, token: str) -> Invitee | None:
    """The invitee whose link holds ``token`` (and note that it was used), or None."""
    row = connection.execute(
        select(consultation_invitee).where(consultation_invitee.c.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    now = _now()
    connection.execute(
        consultation_invitee.update()
        .where(consultation_invitee.c.id == row.id)
        .values(last_used_at=now)
    )
    return Invitee(row.id, row.consultation_id, row.label, _aware(row.created_at) or now, now)


def recent_comments_from(connection: Connection, client_hash: str, within: timedelta) -> int:
    """How many comments (on any consultation) came from ``client_hash`` within ``within``."""
    since = _now() - within
    count: int = connection.execute(
        select(func.count())
        .select_from(consultation_comment)
        .where(
            (consultation_comment.c.client_hash == client_hash)
            & (consultation_comment.c.created_at >= since)
        )
    ).scalar_one()
    return count


def add_comment(
    connection: Connection,
    consultation_id: int,
    *,
    section: str,
    section_title: str,
    name: str,
    organisation: str,
    body: str,
    consent: bool,
    invitee_id: int | None,
    client_hash: str,
) -> int:
    """Record a comment, held for moderation; its id."""
    new_id: int = connection.execute(
        consultation_comment.insert()
        .values(
            consultation_id=consultation_id,
            section=section,
            section_title=section_title,
            name=name,
            organisation=organisation,
            body=body,
            consent=consent,
            invitee_id=invitee_id,
            client_hash=client_hash,
            created_at=_now(),
            status="held",
            reject_reason="",
            response="",
            change_note="",
        )
        .returning(consultation_comment.c.id)
    ).scalar_one()
    return new_id


def comments(
    connection: Connection, consultation_id: int, *, status: str | None = None
) -> list[Comment]:
    """The consultation's comments (of one moderation ``status`` if given), oldest first."""
    query = (
        select(consultation_comment)
        .where(consultation_comment.c.consultation_id == consultation_id)
        .order_by(consultation_comment.c.id)
    )
    if status is not None:
        query = query.where(consultation_comment.c.status == status)
    return [_comment(row) for row in connection.execute(query)]


def comment(connection: Connection, consultation_id: int, comment_id: int) -> Comment | None:
    """One comment of the consultation, or None."""
    row = connection.execute(
        select(consultation_comment).where(
            (consultation_comment.c.id == comment_id)
            & (consultation_comment.c.consultation_id == consultation_id)
        )
    ).first()
    return None if row is None else _comment(row)


def moderate(
    connection: Connection, comment_id: int, *, approve: bool, reason: str, by: str
) -> None:
    """Approve or reject a comment (``reason`` kept for a rejection)."""
    connection.execute(
        consultation_comment.update()
        .where(consultation_comment.c.id == comment_id)
        .values(
            status="approved" if approve else "rejected",
            reject_reason="" if approve else reason,
            moderated_by=by,
            moderated_at=_now(),
        )
    )


def respond(
    connection: Connection,
    comment_id: int,
    *,
    response: str,
    changed: bool,
    change_note: str,
    by: str,
) -> None:
    """Record the owner's response to a comment (a later response replaces it)."""
    connection.execute(
        consultation_comment.update()
        .where(consultation_comment.c.id == comment_id)
        .values(
            response=response,
            changed=changed,
            change_note=change_note if changed else "",
            responded_by=by,
            responded_at=_now(),
        )
    )


def close(connection: Connection, consultation_id: int, *, by: str) -> None:
    """Close a consultation now (before its last day)."""
    connection.execute(
        consultation.update()
        .where(consultation.c.id == consultation_id)
        .values(closed_at=_now(), closed_by=by)
    )


def publish_report(connection: Connection, consultation_id: int, *, by: str) -> None:
    """Make the consultation's report public."""
    connection.execute(
        consultation.update()
        .where(consultation.c.id == consultation_id)
        .values(report_published_at=_now(), report_published_by=by)
    )
