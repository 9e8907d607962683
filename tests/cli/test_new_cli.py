"""``jsna new``: scaffold a project by ONS code, check it, and ingest it from the England-wide files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from jsna.cli.main import cli


def test_new_then_check_then_ingest_a_second_authority(tmp_path: Path) -> None:
    folder = tmp_path / "medway-jsna"
    runner = CliRunner()
    made = runner.invoke(cli, ["new", str(folder), "--area", "E06000035"])
    assert made.exit_code == 0, made.output
    assert made.stdout.splitlines()[0] == f"Made a JSNA project for Medway (E06000035) in {folder}:"
    assert "  jsna.yml" in made.stdout.splitlines()
    checked = runner.invoke(cli, ["check", str(folder)])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines()[-1] == (
        "12 indicators, 3 chapters, 5 sources: 0 problems, 3 warnings"
    )
    strict = runner.invoke(cli, ["check", str(folder), "--strict"])
    assert strict.exit_code == 1  # the chapters are drafts until the analyst publishes them
    ingested = runner.invoke(
        cli, ["ingest", str(folder), "--quiet", "--db", f"sqlite:///{tmp_path / 'store.db'}"]
    )
    assert ingested.exit_code == 0, ingested.output


def test_an_unknown_code_exits_one_with_a_way_to_find_codes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jsna.cli", "new", str(tmp_path / "x"), "--area", "E05000819"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        "error: --area E05000819: not the code of an English local authority. Give the ONS code"
    )
    assert "ltla23_to_utla23_england.csv" in done.stderr
    assert not (tmp_path / "x").exists()
