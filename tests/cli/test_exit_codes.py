"""The real ``jsna`` entry point exits non-zero whenever a command reports failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SOURCE = """\
id: bad
title: A bad file
publisher: Test
licence: OGL v3.0
file: data/bad.csv
format: csv
geography: ltla23
columns: {area_code: area_code, period: period, numerator: count, denominator: pop}
fixed: {indicator_id: test}
"""


def test_refused_import_exits_one(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "sources" / "bad.yml").write_text(SOURCE)
    (tmp_path / "data" / "bad.csv").write_text(
        "area_code,period,count,pop\nE08000009,2019,-3,100\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "jsna.cli", "ingest", str(tmp_path), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "JSNA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"},
    )
    assert done.returncode == 1, done.stderr
    assert f"{tmp_path / 'data' / 'bad.csv'}:2:count: negative" in done.stderr


def test_success_exits_zero() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jsna.cli", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("jsna, version")
