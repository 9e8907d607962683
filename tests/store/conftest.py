"""Store fixtures: every store test runs on an SQLite file and on PostgreSQL.

PostgreSQL is the server at ``$JSNA_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``); each test session creates
its own database and drops it at the end. Under CI (``CI=true``) an
unreachable server fails the PostgreSQL tests; elsewhere they are skipped
with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from jsna.store import migrate
from jsna.store.engine import connect

ADMIN_URL = os.environ.get("JSNA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_connection() -> psycopg.Connection:
    url = make_url(ADMIN_URL)
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=True,
        connect_timeout=5,
    )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped afterwards)."""
    try:
        admin = _admin_connection()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL at {ADMIN_URL} unreachable: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"jsna_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (
            make_url(ADMIN_URL)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def empty_engine(backend_url: str) -> Iterator[Engine]:
    """An engine on an empty database (PostgreSQL: all tables dropped first)."""
    engine = connect(url=backend_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """An engine on a migrated, empty store."""
    migrate.upgrade(empty_engine)
    return empty_engine
