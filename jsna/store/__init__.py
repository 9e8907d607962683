"""The jsna store: SQLite by default, PostgreSQL for teams (SQLAlchemy Core + Alembic).

Commands open the store with :func:`open_store`, which creates it on first use
and brings it up to date, so an analyst never has to run a migration by hand.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from jsna.errors import StoreError

from . import migrate
from .engine import connect, database_url

__all__ = ["open_store"]


def open_store(project: Path | str = ".", url: str | None = None) -> Engine:
    """An engine on the project's store, created or upgraded to this version of jsna.

    Raises :class:`StoreError` with the (password-free) URL when the database
    cannot be reached.
    """
    engine = connect(project, url)
    try:
        if migrate.current(engine) != migrate.head():
            migrate.upgrade(engine)
    except OperationalError as error:
        engine.dispose()
        shown = make_url(database_url(project, url)).render_as_string(hide_password=True)
        raise StoreError(f"cannot reach the database {shown}: {error.orig}") from error
    return engine
