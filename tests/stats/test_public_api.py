"""The public surface of jsna.stats is deliberate: pinned here."""

from __future__ import annotations

import subprocess
import sys

import jsna.stats
from tests.paths import ROOT

PUBLIC = [
    "DisclosureRules",
    "StatsInputError",
    "additive_relations",
    "benchmark_quintiles",
    "compare_to_benchmark",
    "crude_rate",
    "dsr",
    "funnel_limits",
    "funnel_points",
    "funnel_significance",
    "isr",
    "isratio",
    "life_expectancy",
    "mean",
    "primary_suppression",
    "proportion",
    "quantiles",
    "recoverable_cells",
    "secondary_suppression",
    "sii",
    "suppress",
    "trend_marker",
]


DISCLOSURE_HELPERS = {"additive_relations", "recoverable_cells", "suppress"}
"""Documented on the disclosure page rather than in the methods table."""


def test_public_names_are_pinned() -> None:
    assert sorted(jsna.stats.__all__) == PUBLIC
    for name in PUBLIC:
        assert callable(getattr(jsna.stats, name)), name


def test_every_public_function_has_a_method_page() -> None:
    pages = {path.stem for path in (ROOT / "docs" / "methods").glob("*.md")}
    documented = (ROOT / "docs" / "methods" / "README.md").read_text()
    for name in PUBLIC:
        if name[0].islower() and name not in DISCLOSURE_HELPERS:
            assert f"`{name}`" in documented, name
    assert {
        "proportion",
        "crude_rate",
        "mean",
        "dsr",
        "isr",
        "isratio",
        "life_expectancy",
        "sii",
        "quantiles",
        "funnels",
        "compare_to_benchmark",
        "benchmark_quintiles",
        "trend_marker",
        "disclosure",
    } <= pages


def test_importing_stats_loads_no_web_or_database_stack() -> None:
    code = (
        "import sys, jsna.stats; "
        "heavy = [m for m in ('click', 'rich', 'sqlalchemy', 'jinja2', 'jsna.cli') if m in sys.modules]; "
        "print(heavy)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"
