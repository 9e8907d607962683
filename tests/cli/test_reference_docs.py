"""docs/cli.md is generated from --help and must be up to date.

The reference is generated in a fresh interpreter, as ``make docs`` does:
click caches each command's help option the first time a command runs, so a
command invoked on its own by another test would otherwise change the text.
"""

from __future__ import annotations

import subprocess
import sys

from tests.paths import ROOT


def test_cli_reference_is_current() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text()
    generated = subprocess.run(
        [sys.executable, "-m", "jsna.cli.reference"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert committed == generated, "docs/cli.md is stale: run `make docs`"
