"""Migrations create exactly the schema, on SQLite and PostgreSQL, and can be re-run."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Engine, inspect

from jsna.cli.main import cli
from jsna.errors import StoreError
from jsna.store import migrate, open_store
from jsna.store.schema import metadata


def test_empty_database_upgrades_to_head(empty_engine: Engine) -> None:
    assert migrate.current(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert migrate.current(empty_engine) == migrate.head()
    tables = set(inspect(empty_engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_migrated_database_matches_the_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    before = {name: inspect(engine).get_indexes(name) for name in metadata.tables}
    migrate.upgrade(engine)
    after = {name: inspect(engine).get_indexes(name) for name in metadata.tables}
    assert before == after


def test_query_indexes_exist(engine: Engine) -> None:
    for table in ("observation", "result"):
        indexes = {tuple(index["column_names"]) for index in inspect(engine).get_indexes(table)}
        assert ("indicator_id", "area_type", "period_start") in indexes
        assert ("area_id", "indicator_id") in indexes


def test_cli_creates_embedded_store_in_project(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("JSNA_DATABASE_URL", raising=False)
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "upgraded from empty to revision" in first.output
    assert (tmp_path / ".jsna" / "jsna.db").is_file()
    second = runner.invoke(cli, ["db", "upgrade", str(tmp_path)])
    assert "is up to date" in second.output
    status = runner.invoke(cli, ["db", "status", str(tmp_path)])
    assert "(up to date)" in status.output


def test_cli_uses_database_url(backend_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JSNA_DATABASE_URL", backend_url)
    result = CliRunner().invoke(cli, ["db", "status"])
    assert result.exit_code == 0, result.output
    assert "Revision:" in result.output


def test_open_store_creates_and_upgrades_on_first_use(tmp_path: Path) -> None:
    engine = open_store(tmp_path, url=None)
    try:
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()
    assert (tmp_path / ".jsna" / "jsna.db").is_file()


def test_open_store_names_an_unreachable_database() -> None:
    with pytest.raises(
        StoreError,
        match=r"cannot reach the database postgresql\+psycopg://nobody:\*\*\*@127.0.0.1:9/x",
    ):
        open_store(url="postgresql://nobody:secret@127.0.0.1:9/x")  # the password is not shown
