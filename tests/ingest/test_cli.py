"""``jsna ingest``, ``jsna import`` and ``jsna changes`` invoked as click commands on both backends."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner
from sqlalchemy import Engine

from jsna.cli.main import cli

from .conftest import CENSUS, write_project
from .test_pipeline import changed_devdata


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_ingest_then_nothing_new_then_quiet(
    engine: Engine, tmp_path: Path, census_source: dict[str, Any], devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source, devdata_source)
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", str(project), "--db", _url(engine)])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == (
        f"census_health: imported version 1 (105 rows) from {CENSUS}"
    )
    again = runner.invoke(
        cli, ["ingest", str(project), "--db", _url(engine), "--source", "census_health"]
    )
    assert again.exit_code == 0
    assert again.stdout == "census_health: unchanged (version 1, 105 rows)\n"
    quiet = runner.invoke(cli, ["ingest", str(project), "--db", _url(engine), "--quiet"])
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_import_of_a_bad_file_prints_every_problem_and_exits_1(
    engine: Engine, tmp_path: Path, census_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source)
    frame = pd.read_csv(CENSUS, dtype=str, keep_default_na=False)
    frame.loc[3, "area_code"] = "E0500081"
    frame.loc[7, "value"] = '=HYPERLINK("http://x")'
    bad = tmp_path / "new_release.csv"
    frame.to_csv(bad, index=False)
    result = CliRunner().invoke(
        cli, ["import", str(project), "census_health", str(bad), "--db", _url(engine), "-q"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: 2 problems in {bad}, nothing imported:",
        f"{bad}:5:area_code: not a ward22 code (an ONS code (a letter and 8 digits) "
        "starting E05) ('E0500081')",
        f"{bad}:9:value: formula-like text refused (starts with = + - @) "
        "('=HYPERLINK(\"http://x\")')",
    ]


def test_broken_declarations_are_listed_one_per_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "sources").mkdir(parents=True)
    (project / "sources" / "x.yml").write_text("id: x\nformat: pdf\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(project), "--db", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert lines[0].endswith("problems in the sources:")
    assert f"{project / 'sources' / 'x.yml'}:2: format: Input should be" in result.stderr


def test_changes_after_a_new_release(
    engine: Engine, tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", devdata_source)
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(project), "--db", _url(engine), "-q"]).exit_code == 0
    new = changed_devdata(tmp_path)
    imported = runner.invoke(
        cli, ["import", str(project), "diabetes_nw", str(new), "--db", _url(engine)]
    )
    assert imported.stdout.startswith("diabetes_nw: imported version 2 ")
    table = runner.invoke(cli, ["changes", str(project), "--since", "1", "--db", _url(engine)])
    assert table.exit_code == 0, table.output
    assert " changes since " in table.stdout.splitlines()[0]
    as_csv = runner.invoke(
        cli, ["changes", str(project), "--since", "1", "--db", _url(engine), "--csv"]
    )
    found = pd.read_csv(io.StringIO(as_csv.stdout), dtype={"indicator_id": str})
    assert found.loc[found["area_code"] == "E92000001", "change"].tolist() == ["value"]
    bad = runner.invoke(cli, ["changes", str(project), "--since", "soon", "--db", _url(engine)])
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: --since 'soon': give a version number or a date")


def test_progress_bars_are_drawn_on_a_terminal_only(
    engine: Engine, tmp_path: Path, census_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source)
    terminal = CliRunner(env={"TTY_COMPATIBLE": "1"})
    drawn = terminal.invoke(cli, ["ingest", str(project), "--db", _url(engine)])
    assert drawn.exit_code == 0
    assert "census_health: writing" in drawn.stderr
    assert drawn.stdout.startswith("census_health: imported version 1 (105 rows)")


def test_the_store_is_created_on_first_use(
    empty_engine: Engine, tmp_path: Path, census_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source)
    result = CliRunner().invoke(cli, ["ingest", str(project), "--db", _url(empty_engine), "-q"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(
        cli, ["changes", str(project), "--since", "2020-01-01", "--csv", "--db", _url(empty_engine)]
    )
    assert len(listed.stdout.splitlines()) == 1 + 105
