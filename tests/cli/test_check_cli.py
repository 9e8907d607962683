"""``jsna check``: every problem as path:line: field: message, warnings, a summary and exit codes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from jsna.cli.check import shorten
from jsna.cli.main import cli
from tests.content.projects import CHAPTER, INDICATOR, write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A valid project folder."""
    return write_project(tmp_path / "project")


def _check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["check", *args])
    return result.exit_code, result.stdout.splitlines()


def test_a_good_project_passes(project: Path) -> None:
    code, lines = _check(str(project))
    assert (code, lines) == (0, ["1 indicator, 1 chapter, 1 source: 0 problems, 0 warnings"])


def test_every_problem_then_warnings_then_the_summary(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        **{
            "indicators/death_rate.yml": INDICATOR.replace("low_is_good", "lower").replace(
                "licence: OGL-UK-3.0\n", ""
            ),
            "chapters/01-mortality.md": CHAPTER.replace("published", "draft"),
        },
    )
    code, lines = _check(str(root))
    indicator = root / "indicators" / "death_rate.yml"
    chapter = root / "chapters" / "01-mortality.md"
    assert code == 1
    assert lines == [
        f"{indicator}:1: licence: missing (required)",
        f"{indicator}:7: polarity: Input should be 'high_is_good', 'low_is_good' or 'no_judgement'",
        f"{chapter}:1: status: chapter is a draft [warning: draft_chapter]",
        "1 indicator, 1 chapter, 1 source: 2 problems, 1 warning",
    ]


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p", **{"chapters/01-mortality.md": CHAPTER.replace("published", "review")}
    )
    write_project(
        root, **{"indicators/other.yml": INDICATOR.replace("id: death_rate", "id: other")}
    )
    code, lines = _check(str(root))
    assert code == 0
    assert lines == [
        f"{root / 'indicators' / 'other.yml'}:1: id: no chapter shows indicator 'other' "
        "[warning: unused_indicator]",
        "2 indicators, 1 chapter, 1 source: 0 problems, 1 warning",
    ]
    assert _check(str(root), "--strict")[0] == 1


def test_paths_are_shown_relative_to_the_current_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "data" / "deaths.csv").unlink()
    monkeypatch.chdir(project.parent)
    code, lines = _check(str(project.resolve()))
    assert code == 1
    assert lines[0] == (
        f"{Path('project') / 'sources' / 'deaths.yml'}:1: file: source file not found: "
        f"{project.resolve() / 'data' / 'deaths.csv'}"
    )
    monkeypatch.chdir(project)
    assert _check()[1][0].startswith(f"{Path('sources') / 'deaths.yml'}:1: file:")


def test_shorten_keeps_a_path_that_would_grow() -> None:
    far = os.path.join(os.sep, "x", "y.yml") + ":3: id: bad"
    assert shorten(far) == far
    assert shorten("no location here") == "no location here"


def test_a_folder_without_jsna_yml(tmp_path: Path) -> None:
    code, lines = _check(str(tmp_path))
    assert code == 1
    assert (
        lines[0] == f"{tmp_path / 'jsna.yml'}:1: (file): no jsna.yml: is {tmp_path} a jsna project?"
    )
    assert lines[-1] == "0 indicators, 0 chapters, 0 sources: 2 problems, 0 warnings"


def test_help_teaches_what_is_checked() -> None:
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert "path:line: field: message" in result.output
    assert "jsna check my-jsna --strict" in result.output
