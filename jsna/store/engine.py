"""Where the store lives and how to connect to it.

The database is chosen in this order: an explicit URL (``--db URL``), then
the ``JSNA_DATABASE_URL`` environment variable, then an embedded SQLite file
in the project folder, ``.jsna/jsna.db``, created on first use. PostgreSQL
URLs (``postgresql://user@host/db``) use the psycopg 3 driver.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from jsna.errors import StoreError

DATABASE_ENV = "JSNA_DATABASE_URL"
EMBEDDED_PATH = Path(".jsna") / "jsna.db"


def database_url(project: Path | str = ".", url: str | None = None) -> str:
    """The URL of the store for ``project``: ``url``, else $JSNA_DATABASE_URL, else SQLite."""
    chosen = url or os.environ.get(DATABASE_ENV)
    if not chosen:
        return f"sqlite:///{(Path(project) / EMBEDDED_PATH).resolve()}"
    parsed = make_url(chosen)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"database URL {parsed.render_as_string(hide_password=True)!r}: "
            "only sqlite:/// and postgresql:// are supported"
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def connect(project: Path | str = ".", url: str | None = None) -> Engine:
    """An engine for the project's store (the SQLite folder is created if needed)."""
    resolved = make_url(database_url(project, url))
    if resolved.get_backend_name() == "sqlite" and resolved.database:
        Path(resolved.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(resolved, pool_pre_ping=True)
