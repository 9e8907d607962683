"""Snapshots of specs and table models of a few example blocks (``JSNA_UPDATE_SNAPSHOTS=1``)."""

from __future__ import annotations

import pytest

from jsna.content.chapters import ChartBlock, IndicatorBlock, TableBlock
from jsna.content.project_files import Project
from jsna.figures import figure_for_block, headline
from jsna.figures.context import FigureContext

from .conftest import chart_blocks, check_snapshot

CHARTS = {
    "compare-copd_qof-pcn": ("compare", "copd_qof"),
    "compare-falls_admissions_65-ltla23": ("compare", "falls_admissions_65"),
    "trend-smoking_at_delivery": ("trend", "smoking_at_delivery"),
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_block_snapshot(trafford: FigureContext, project: Project, name: str) -> None:
    kind, indicator = CHARTS[name]
    block = next(b for b in chart_blocks(project, kind) if b.indicator == indicator)
    figure = figure_for_block(trafford, block)
    assert figure.id == name
    check_snapshot(name, {"spec": figure.spec, "table": figure.table, "summary": figure.summary})


def test_spine_and_heatmap_snapshots(trafford: FigureContext, project: Project) -> None:
    spine = chart_blocks(project, "spine")[1]
    heatmap = chart_blocks(project, "heatmap")[0]
    for block in (spine, heatmap):
        figure = figure_for_block(trafford, block)
        check_snapshot(
            figure.id, {"spec": figure.spec, "table": figure.table, "summary": figure.summary}
        )


def test_table_and_headline_snapshots(trafford: FigureContext) -> None:
    table = figure_for_block(
        trafford,
        TableBlock(
            block="table", indicators=("copd_qof", "chd_qof"), area_type="practice_locality"
        ),
    )
    assert table.spec is None
    check_snapshot(table.id, {"table": table.table, "summary": table.summary})
    result = headline(trafford, IndicatorBlock(block="indicator", indicator="smoking_at_delivery"))
    check_snapshot(
        "headline-smoking_at_delivery",
        {
            "value": result.value,
            "interval": result.interval,
            "comparisons": result.comparisons,
            "trend": result.trend,
            "summary": result.summary,
        },
    )


def test_a_missing_snapshot_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JSNA_UPDATE_SNAPSHOTS", raising=False)
    with pytest.raises(pytest.fail.Exception, match="missing"):
        check_snapshot("no-such-snapshot", {"a": 1})


def test_an_unused_chart_block_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="chart"):
        ChartBlock(block="chart", chart="pie", indicator="population")  # type: ignore[arg-type]
