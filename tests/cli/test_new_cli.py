"""``jsna new``: scaffold a project by ONS code, check it, and ingest it from the England-wide files."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from jsna.cli.main import cli
from tests.paths import DATA_MIRROR

MYE = DATA_MIRROR / "england" / "population" / "ons_mye_mid2019_mid2020_england_la_syoa_sex.csv"


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
    db = f"sqlite:///{tmp_path / 'store.db'}"
    ingested = runner.invoke(cli, ["ingest", str(folder), "--quiet", "--db", db])
    assert ingested.exit_code == 0, ingested.output
    _compute_and_compare(folder, db)


def _compute_and_compare(folder: Path, db: str) -> None:
    """Medway's share aged 65+ (mid-2019) recomputed by hand from the raw ONS file."""
    commands = pytest.importorskip("jsna.cli.compute")
    runner = CliRunner()
    computed = runner.invoke(commands.compute, [str(folder), "--quiet", "--db", db])
    assert computed.exit_code == 0, computed.output
    exported = runner.invoke(
        commands.export,
        [str(folder), "--indicator", "population_65_plus", "--area-type", "ltla24", "--db", db],
    )
    assert exported.exit_code == 0, exported.output
    got = pd.read_csv(io.StringIO(exported.stdout), dtype={"period": str})
    row = got[(got["area_code"] == "E06000035") & (got["period"] == "2019")].iloc[0]
    raw = pd.read_csv(MYE)
    medway = raw[(raw["area_code"] == "E06000035") & (raw["year"] == 2019)]
    older = int(medway.loc[medway["age"] >= 65, "population"].sum())
    everyone = int(medway["population"].sum())
    assert everyone == 278_556  # SOURCES.md of the data mirror
    assert (row["numerator"], row["denominator"]) == (older, everyone)
    p, z = older / everyone, 1.959963984540054
    centre = (p + z * z / (2 * everyone)) / (1 + z * z / everyone)
    half = (
        z * math.sqrt(p * (1 - p) / everyone + z * z / (4 * everyone**2)) / (1 + z * z / everyone)
    )
    assert row["value"] == pytest.approx(100 * p, rel=1e-12)
    assert row["lower_95"] == pytest.approx(100 * (centre - half), rel=1e-9)
    assert row["upper_95"] == pytest.approx(100 * (centre + half), rel=1e-9)
    assert row["compared_with_england"] == "lower"


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
