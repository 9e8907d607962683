"""``jsna geography load`` and ``areas`` on the real data mirror, on SQLite and PostgreSQL.

The geography comes from the Trafford fixture project's ``jsna.yml``
(``tests/geography/projects/trafford``); see ``tests/geography/test_declared.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

from jsna.cli.geography import geography
from jsna.store import migrate

TRAFFORD = Path(__file__).parents[1] / "geography" / "projects" / "trafford" / "jsna.yml"


def test_load_then_list(engine: Engine, backend_url: str, tmp_path: Path) -> None:
    shutil.copy(TRAFFORD, tmp_path / "jsna.yml")
    runner = CliRunner()
    result = runner.invoke(geography, ["load", str(tmp_path), "--db", backend_url])
    assert result.exit_code == 0, result.output
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
