"""``jsna stats``: methods from the command line, with clear errors for bad files."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

import jsna.stats
from jsna.cli.main import cli
from jsna.cli.stats import METHODS, stats
from jsna.stats import crude_rate
from tests.stats.vectors import read_vector


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jsna.cli", *args], capture_output=True, text=True, check=False
    )


STATISTICS = sorted(
    name
    for name in jsna.stats.__all__
    if name[0].islower()
    and "suppress" not in name
    and name not in {"additive_relations", "recoverable_cells"}
)


def test_every_public_method_has_a_command() -> None:
    public = set(STATISTICS)
    assert public == set(METHODS)
    result = CliRunner().invoke(cli, ["stats", "--help"])
    assert result.exit_code == 0
    for name in public:
        assert name.replace("_", "-") in result.output


@pytest.mark.parametrize("name", STATISTICS)
def test_method_help_teaches(name: str) -> None:
    result = CliRunner().invoke(cli, ["stats", name.replace("_", "-"), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: cli stats" in result.output
    assert "--out" in result.output
    command = stats.get_command(click.Context(stats), name)
    assert command is not None
    undocumented = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert not undocumented


def test_grouped_rate_file_matches_library(tmp_path: Path) -> None:
    source = read_vector("rate.csv").dropna(subset=["Numerator", "Denominator"])
    infile = tmp_path / "rates.csv"
    source.to_csv(infile, index=False)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli,
        [
            "stats",
            "crude-rate",
            str(infile),
            "--x",
            "Numerator",
            "--n",
            "Denominator",
            "--group-by",
            "Area",
            "--confidence",
            "95",
            "--confidence",
            "99.8",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    expected = crude_rate(
        source, "Numerator", "Denominator", group_by="Area", confidence=(0.95, 0.998)
    )
    pd.testing.assert_frame_equal(
        written, expected.reset_index(drop=True), check_dtype=False, check_categorical=False
    )


def test_bad_row_is_reported_by_file_line_and_exit_code(tmp_path: Path) -> None:
    infile = tmp_path / "bad.csv"
    infile.write_text("area,count,pop\nA,5,100\nB,-3,200\n")
    result = run("stats", "proportion", str(infile), "--x", "count", "--n", "pop")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {infile}: x (column 'count'): must be >= 0 (counts cannot be negative); got -3 at row 3"
    )
    assert "Traceback" not in result.stderr


def test_unreadable_file(tmp_path: Path) -> None:
    infile = tmp_path / "empty.csv"
    infile.write_text("")
    result = run("stats", "proportion", str(infile), "--x", "count", "--n", "pop")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {infile}: cannot be read as CSV")


def test_traceback_flag_shows_the_stack(tmp_path: Path) -> None:
    infile = tmp_path / "bad.csv"
    infile.write_text("count,pop\n1,0\n")
    result = run("--traceback", "stats", "proportion", str(infile), "--x", "count", "--n", "pop")
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_bad_number_option(tmp_path: Path) -> None:
    infile = tmp_path / "ok.csv"
    infile.write_text("count,pop\n1,10\n")
    result = run(
        "stats", "proportion", str(infile), "--x", "count", "--n", "pop", "--multiplier", "abc"
    )
    assert result.returncode == 2
    assert "'abc' is not a number" in result.stderr


def test_life_expectancy_ages_from_the_command_line(tmp_path: Path) -> None:
    source = read_vector("life_expectancy_input.csv")
    infile = tmp_path / "le.csv"
    source.to_csv(infile, index=False)
    result = CliRunner().invoke(
        cli,
        [
            "stats",
            "life-expectancy",
            str(infile),
            "--deaths",
            "deaths",
            "--population",
            "pops",
            "--startage",
            "startage",
            "--group-by",
            "scenario",
            "--le-age",
            "0,65",
        ],
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(io.StringIO(result.output))
    standard = written[written["scenario"] == "df1_standard"].set_index("startage")
    assert list(standard.index) == [0, 65]
    assert round(standard.loc[0, "value"], 4) == 80.1696


def test_sii_seed_makes_the_simulation_repeatable(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "decile": range(1, 11),
            "pop": [1000 + 10 * i for i in range(10)],
            "value": [70 + 0.8 * i for i in range(10)],
            "se": [0.5] * 10,
        }
    )
    infile = tmp_path / "sii.csv"
    frame.to_csv(infile, index=False)
    args = [
        "stats",
        "sii",
        str(infile),
        "--quantile",
        "decile",
        "--population",
        "pop",
        "--value",
        "value",
        "--se",
        "se",
        "--seed",
        "7",
        "--repetitions",
        "1000",
    ]
    first, second = CliRunner().invoke(cli, args), CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    assert pd.read_csv(io.StringIO(first.output))["sii"].iloc[0] > 0
