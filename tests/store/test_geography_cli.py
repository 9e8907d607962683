"""``jsna geography load`` and ``areas`` on the real data mirror, on SQLite and PostgreSQL."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine

from jsna.cli.geography import geography
from jsna.store import migrate
from tests.paths import DATA_MIRROR


def test_load_then_list(engine: Engine, backend_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(geography, ["load", str(DATA_MIRROR), "--db", backend_url, "-q"])
    assert result.exit_code == 0, result.output
    print(result.output)
    assert "boundaries from" in result.output
    listed = runner.invoke(geography, ["areas", "ward23", "--db", backend_url])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 21
    assert lines[0] == "E05015239\tAltrincham"
    missing = runner.invoke(geography, ["areas", "ward99", "--db", backend_url])
    assert missing.exit_code == 1
    assert "no areas of type 'ward99'" in missing.output


def test_an_empty_store_is_created_on_first_use(empty_engine: Engine, backend_url: str) -> None:
    result = CliRunner().invoke(geography, ["areas", "ward23", "--db", backend_url])
    assert result.exit_code == 1
    assert "no areas of type 'ward23' in the store" in result.output
    assert migrate.current(empty_engine) == migrate.head()
