"""Stores with the Trafford example for web tests: an SQLite copy per process, and one
PostgreSQL database per run (ingested and computed once, shared by the xdist workers).

Web tests write (users, chapters, requests), so they never touch the shared prepared
store itself: :func:`sqlite_store` copies it with SQLite's backup API.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.render.site import _locked, prepared_store, run_folder
from tests.store.conftest import ADMIN_URL, _admin_connection

__all__ = ["postgres_store", "sqlite_store"]

_DONE: dict[str, tuple[Path, str]] = {}


def sqlite_store(target: Path) -> tuple[Path, str]:
    """(project, URL) of a private SQLite copy of the prepared Trafford store at ``target``."""
    project, store = prepared_store()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        sqlite3.connect(f"file:{store}?mode=ro", uri=True) as source,
        sqlite3.connect(target) as copy,
    ):
        source.backup(copy)
    return project, f"sqlite:///{target}"


def postgres_store() -> tuple[Path, str]:
    """(project, URL) of a PostgreSQL database holding the Trafford example (built once a run)."""
    if "pg" in _DONE:
        return _DONE["pg"]
    from jsna.compute import compute_project
    from jsna.content.project_files import load_project
    from jsna.ingest.pipeline import ingest_project
    from jsna.store import open_store

    project, _ = prepared_store()
    name = f"jsna_web_{run_folder().name}".lower().replace("-", "_")[:60]
    url = (
        make_url(ADMIN_URL)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )
    with _locked(run_folder(), "postgres") as folder:
        done = folder / "postgres.done"
        if not done.is_file():
            admin = _admin_connection()
            try:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
            finally:
                admin.close()
            engine = open_store(project, url)
            try:
                outcome = ingest_project(engine, project)
                assert not outcome.failures, outcome.failures
                summary = compute_project(engine, load_project(project))
                assert summary.failed == {}, summary.failed
            finally:
                engine.dispose()
            done.touch()
    _DONE["pg"] = (project, url)
    return project, url


# psycopg is imported so a missing driver fails here, loudly, not in a fixture.
_ = psycopg
