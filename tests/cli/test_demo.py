"""``jsna demo`` on the real Fingertips extract in the shared data mirror."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from jsna.cli.main import cli
from tests.paths import DATA_MIRROR


def test_demo_recomputes_fingertips(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JSNA_DATA_MIRROR", str(DATA_MIRROR))
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "trafford_indicators.csv").set_index("indicator_id")
    assert len(summary) == 8
    # Values are recomputed from counts: they equal what Fingertips published,
    # to the precision it published (some values are rounded to 1 or 2 decimals).
    np.testing.assert_allclose(summary["value"], summary["fingertips_value"], atol=0.05)
    relative = np.abs(summary["value"] / summary["fingertips_value"] - 1)
    assert (relative < 1e-6).sum() >= 5
    # Limits: Wilson / Byars as Fingertips, except where it publishes its own wider interval.
    assert (summary["largest_difference_from_fingertips"] < 0.15).all()
    assert summary.loc[92266, "largest_difference_from_fingertips"] < 1e-5
    assert summary.loc[241, "compared_with_england"] == "lower"
    assert summary.loc[93085, "compared_with_england"] == "better"
    assert summary.loc[92266, "recent_trend"] == "decreasing"
    assert set(summary["compared_with_england"]) <= {
        "better",
        "similar",
        "worse",
        "higher",
        "lower",
    }
    assert "Trafford (E08000009)" in result.output


def test_demo_without_data_says_where_to_point(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JSNA_DATA_MIRROR", str(tmp_path / "nowhere"))
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "set JSNA_DATA_MIRROR" in str(result.exception)
