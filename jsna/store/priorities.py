"""Priority rounds in the store: rounds, candidates, scores, moderations and their history.

Scores are one row per (round, candidate, scorer, criterion), guarded by a
unique constraint and written with one ``INSERT .. ON CONFLICT DO UPDATE``
(the SQLite and PostgreSQL dialects' upserts): two scorers, or one scorer in
two tabs, writing at the same moment never lose or double a score. The
update runs only when the score or comment changed, and bumps ``version``
in the same statement (``version = version + 1``, under the row's lock), so
concurrent changes of one score get distinct versions. Every change is also
appended to ``priority_event`` (never updated), in the same transaction: the
round's full, auditable history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from jsna.content.priorities import CandidateSpec, EvidenceSpec, PrioritiesConfig
from jsna.errors import StoreError

from .schema import (
    priority_candidate,
    priority_event,
    priority_moderation,
    priority_round,
    priority_score,
)

__all__ = [
    "STATUSES",
    "RoundInfo",
    "ScoreEntry",
    "list_rounds",
    "read_candidates",
    "read_events",
    "read_moderations",
    "read_round",
    "read_scores",
    "record_scores",
    "save_round",
    "set_moderation",
    "set_status",
]

STATUSES = ("open", "closed", "published")
"""A round's lifecycle: open (scoring), closed (moderation), published (public)."""

SCORE_COLUMNS = ("candidate_id", "scorer", "criterion", "score", "comment", "version")
EVENT_COLUMNS = (
    "at",
    "kind",
    "actor",
    "via",
    "candidate_id",
    "scorer",
    "criterion",
    "score",
    "text",
    "version",
)


@dataclass(frozen=True)
class RoundInfo:
    """A round as stored: its title, status and the matrix it is scored on."""

    id: str
    title: str
    description: str
    status: str
    illustrative: bool
    origin: str
    matrix: PrioritiesConfig
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class ScoreEntry:
    """One score given by one scorer."""

    candidate_id: str
    criterion: str
    score: int
    comment: str = ""


def _insert(connection: Connection, table: Any) -> Any:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"priority scores need SQLite or PostgreSQL, not {dialect}")


def _info(row: Any) -> RoundInfo:
    return RoundInfo(
        id=row.id,
        title=row.title,
        description=row.description,
        status=row.status,
        illustrative=bool(row.illustrative),
        origin=row.origin,
        matrix=PrioritiesConfig.model_validate_json(row.matrix),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def read_round(connection: Connection, round_id: str) -> RoundInfo | None:
    """The round ``round_id``, or None."""
    row = connection.execute(select(priority_round).where(priority_round.c.id == round_id)).first()
    return None if row is None else _info(row)


def list_rounds(connection: Connection) -> list[RoundInfo]:
    """Every round, newest change first."""
    rows = connection.execute(
        select(priority_round).order_by(priority_round.c.updated_at.desc(), priority_round.c.id)
    )
    return [_info(row) for row in rows]


def _event(
    connection: Connection, round_id: str, kind: str, actor: str, via: str, **values: Any
) -> None:
    connection.execute(
        priority_event.insert().values(
            round_id=round_id,
            kind=kind,
            actor=actor,
            via=via,
            at=datetime.now(UTC),
            text=values.pop("text", ""),
            version=values.pop("version", 1),
            **values,
        )
    )


def save_round(
    connection: Connection,
    info: RoundInfo,
    candidates: Sequence[CandidateSpec],
    *,
    actor: str,
    via: str,
) -> bool:
    """Create the round, or update its title, description and candidates; True if created.

    Candidates no longer listed are removed with their scores and moderations
    (their history stays). The matrix of an existing round is kept: scores
    already given were given on it.
    """
    now = datetime.now(UTC)
    existing = read_round(connection, info.id)
    values = {
        "title": info.title,
        "description": info.description,
        "illustrative": info.illustrative,
        "updated_at": now,
        "updated_by": actor,
    }
    if existing is None:
        connection.execute(
            priority_round.insert().values(
                id=info.id,
                status=info.status,
                origin=info.origin,
                matrix=info.matrix.model_dump_json(),
                created_at=now,
                **values,
            )
        )
        _event(connection, info.id, "status", actor, via, text=info.status)
    else:
        connection.execute(
            priority_round.update().where(priority_round.c.id == info.id).values(**values)
        )
    keep = [c.id for c in candidates]
    for table in (priority_candidate, priority_score, priority_moderation):
        connection.execute(
            delete(table).where(table.c.round_id == info.id, table.c.candidate_id.not_in(keep))
        )
    connection.execute(delete(priority_candidate).where(priority_candidate.c.round_id == info.id))
    if candidates:
        connection.execute(
            priority_candidate.insert(),
            [
                {
                    "round_id": info.id,
                    "candidate_id": c.id,
                    "position": number,
                    "title": c.title,
                    "description": c.description,
                    "origin": c.origin,
                    "evidence": json.dumps([e.model_dump() for e in c.evidence]),
                }
                for number, c in enumerate(candidates)
            ],
        )
    return existing is None


def read_candidates(connection: Connection, round_id: str) -> list[CandidateSpec]:
    """The round's candidates, in their order."""
    rows = connection.execute(
        select(priority_candidate)
        .where(priority_candidate.c.round_id == round_id)
        .order_by(priority_candidate.c.position)
    )
    return [
        CandidateSpec(
            id=row.candidate_id,
            title=row.title,
            description=row.description,
            origin=row.origin,
            evidence=tuple(EvidenceSpec(**item) for item in json.loads(row.evidence)),
        )
        for row in rows
    ]


def record_scores(
    connection: Connection,
    round_id: str,
    scorer: str,
    entries: Iterable[ScoreEntry],
    *,
    actor: str,
    via: str,
) -> int:
    """Upsert one scorer's scores; returns how many changed (unchanged ones write nothing).

    Call inside a transaction (``engine.begin()``): the scores and their
    history rows land together or not at all.
    """
    now = datetime.now(UTC)
    changed = 0
    table = priority_score
    for entry in entries:
        statement = _insert(connection, table).values(
            round_id=round_id,
            candidate_id=entry.candidate_id,
            scorer=scorer,
            criterion=entry.criterion,
            score=int(entry.score),
            comment=entry.comment,
            version=1,
            updated_at=now,
        )
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["round_id", "candidate_id", "scorer", "criterion"],
            set_={
                "score": excluded.score,
                "comment": excluded.comment,
                "version": table.c.version + 1,
                "updated_at": excluded.updated_at,
            },
            where=(table.c.score != excluded.score) | (table.c.comment != excluded.comment),
        ).returning(table.c.version)
        version = connection.execute(statement).scalar()
        if version is None:
            continue
        changed += 1
        _event(
            connection,
            round_id,
            "score",
            actor,
            via,
            candidate_id=entry.candidate_id,
            scorer=scorer,
            criterion=entry.criterion,
            score=int(entry.score),
            text=entry.comment,
            version=version,
        )
    return changed


def set_moderation(
    connection: Connection,
    round_id: str,
    candidate_id: str,
    criterion: str,
    score: int | None,
    reason: str,
    *,
    moderator: str,
    via: str = "web",
) -> int:
    """Record (or, with ``score`` None, withdraw) a moderator's score; returns its version."""
    table = priority_moderation
    key = (
        (table.c.round_id == round_id)
        & (table.c.candidate_id == candidate_id)
        & (table.c.criterion == criterion)
    )
    previous = connection.execute(select(table.c.version).where(key)).scalar()
    version = (previous or 0) + 1
    if score is None:
        connection.execute(delete(table).where(key))
    else:
        statement = _insert(connection, table).values(
            round_id=round_id,
            candidate_id=candidate_id,
            criterion=criterion,
            score=int(score),
            reason=reason,
            moderator=moderator,
            version=1,
            updated_at=datetime.now(UTC),
        )
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["round_id", "candidate_id", "criterion"],
            set_={
                "score": excluded.score,
                "reason": excluded.reason,
                "moderator": excluded.moderator,
                "version": table.c.version + 1,
                "updated_at": excluded.updated_at,
            },
        ).returning(table.c.version)
        version = int(connection.execute(statement).scalar_one())
    _event(
        connection,
        round_id,
        "moderation",
        moderator,
        via,
        candidate_id=candidate_id,
        criterion=criterion,
        score=score,
        text=reason,
        version=version,
    )
    return version


def set_status(connection: Connection, round_id: str, status: str, *, actor: str, via: str) -> None:
    """Move the round to ``status`` (open, closed or published)."""
    if status not in STATUSES:
        raise StoreError(f"round status {status!r} is not one of {', '.join(STATUSES)}")
    connection.execute(
        priority_round.update()
        .where(priority_round.c.id == round_id)
        .values(status=status, updated_at=datetime.now(UTC), updated_by=actor)
    )
    _event(connection, round_id, "status", actor, via, text=status)


def _frame(connection: Connection, query: Any, columns: Sequence[str]) -> pd.DataFrame:
    rows = connection.execute(query).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns))


def read_scores(connection: Connection, round_id: str) -> pd.DataFrame:
    """Current scores: candidate_id, scorer, criterion, score, comment, version."""
    table = priority_score
    query = (
        select(*(table.c[name] for name in SCORE_COLUMNS))
        .where(table.c.round_id == round_id)
        .order_by(table.c.candidate_id, table.c.scorer, table.c.criterion)
    )
    frame = _frame(connection, query, SCORE_COLUMNS)
    frame["score"] = frame["score"].astype("int64")
    return frame


def read_moderations(connection: Connection, round_id: str) -> pd.DataFrame:
    """Moderators' scores: candidate_id, criterion, score, reason, moderator, updated_at."""
    table = priority_moderation
    columns = ("candidate_id", "criterion", "score", "reason", "moderator", "updated_at")
    query = select(*(table.c[name] for name in columns)).where(table.c.round_id == round_id)
    return _frame(connection, query, columns)


def read_events(connection: Connection, round_id: str) -> pd.DataFrame:
    """The round's history, oldest first (columns :data:`EVENT_COLUMNS`)."""
    table = priority_event
    query = (
        select(*(table.c[name] for name in EVENT_COLUMNS))
        .where(table.c.round_id == round_id)
        .order_by(table.c.id)
    )
    return _frame(connection, query, EVENT_COLUMNS)
