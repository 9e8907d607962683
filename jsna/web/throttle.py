"""Sign-in throttling: too many recent failures for a username or a client address.

Every attempt is a ``login_attempt`` row. After :data:`MAX_PER_USERNAME`
failures for one username, or :data:`MAX_PER_CLIENT` for one client address,
within :data:`WINDOW`, further attempts are refused until the oldest of those
failures leaves the window. A success never erases anyone's failures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select

from jsna.store.schema import login_attempt

__all__ = ["MAX_PER_CLIENT", "MAX_PER_USERNAME", "WINDOW", "blocked_until", "record_attempt"]

MAX_PER_USERNAME = 5
MAX_PER_CLIENT = 20
WINDOW = timedelta(minutes=15)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _oldest_blocking(
    connection: Connection, column: str, value: str, limit: int, now: datetime
) -> datetime | None:
    since = now - WINDOW
    where = (
        (login_attempt.c[column] == value)
        & (login_attempt.c.at >= since)
        & (login_attempt.c.succeeded.is_(False))
    )
    count = connection.execute(select(func.count()).where(where)).scalar_one()
    if count < limit:
        return None
    times = connection.execute(
        select(login_attempt.c.at).where(where).order_by(login_attempt.c.at.desc()).limit(limit)
    ).scalars()
    return min(_aware(t) for t in times)


def blocked_until(
    connection: Connection, username: str, client: str, now: datetime | None = None
) -> datetime | None:
    """When attempts for ``username`` from ``client`` may start again, or None if allowed."""
    now = now or datetime.now(UTC)
    ends = []
    for column, value, limit in (
        ("username", username.strip().lower()[:64], MAX_PER_USERNAME),
        ("client", client[:64], MAX_PER_CLIENT),
    ):
        oldest = _oldest_blocking(connection, column, value, limit, now)
        if oldest is not None:
            ends.append(oldest + WINDOW)
    return max(ends) if ends else None


def record_attempt(connection: Connection, username: str, client: str, succeeded: bool) -> None:
    """Note one sign-in attempt."""
    connection.execute(
        login_attempt.insert().values(
            username=username.strip().lower()[:64],
            client=client[:64],
            at=datetime.now(UTC),
            succeeded=succeeded,
        )
    )
