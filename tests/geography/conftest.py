"""Geography fixtures: the store fixtures (SQLite and PostgreSQL) shared with ``tests/store``."""

from __future__ import annotations

from tests.store.conftest import backend_url, empty_engine, engine, postgres_url

__all__ = ["backend_url", "empty_engine", "engine", "postgres_url"]
