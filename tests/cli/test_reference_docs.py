"""docs/cli.md is generated from --help and must be up to date."""

from __future__ import annotations

from jsna.cli.reference import cli_reference
from tests.paths import ROOT


def test_cli_reference_is_current() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text()
    assert committed == cli_reference(), "docs/cli.md is stale: run `make docs`"
