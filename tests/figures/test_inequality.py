"""Inequality charts by IMD decile: bars equal published results, the SII equals jsna.stats.sii."""

from __future__ import annotations

import pandas as pd
import pytest

from jsna.content.chapters import ChartBlock
from jsna.figures import inequality
from jsna.figures.context import FigureContext
from jsna.figures.svg import to_svg
from jsna.stats.sii import sii

from .conftest import check_snapshot


@pytest.fixture
def ctx(trafford: FigureContext) -> FigureContext:
    """The shared read-only Trafford context (conftest)."""
    return trafford


def block(indicator: str = "bad_health") -> ChartBlock:
    return ChartBlock(
        block="chart", chart="inequality", indicator=indicator, area_type="imd25_decile"
    )


def test_bars_are_the_ten_deciles_in_order_with_published_values(ctx: FigureContext) -> None:
    figure = inequality.build(ctx, block())
    bars = figure.spec["data"]["values"]
    assert [b["area_code"] for b in bars] == [str(i) for i in range(1, 11)]
    assert bars[0]["label"] == "Decile 1 (most deprived)"
    assert bars[-1]["label"] == "Decile 10 (least deprived)"
    published = ctx.results("bad_health")
    published = published[published["area_type"] == "imd25_decile"].set_index("area_code")
    for bar in bars:
        row = published.loc[bar["area_code"]]
        assert bar["value"] == pytest.approx(float(row["value"]))
        assert bar["lower_95"] == pytest.approx(float(row["lower_95"]))
    assert figure.spec["params"][0] == {"name": "highlight", "value": None}
    assert 'role="img"' in to_svg(figure.spec, title=figure.title)


def test_sii_equals_jsna_stats(ctx: FigureContext) -> None:
    figure = inequality.build(ctx, block())
    rows = figure.data
    frame = pd.DataFrame(
        {
            "decile": rows["area_code"].astype(int),
            "population": rows["denominator"].astype(float),
            "value": rows["value"].astype(float) / 100,
            "lower": rows["lower_95"].astype(float) / 100,
            "upper": rows["upper_95"].astype(float) / 100,
        }
    )
    expected = sii(
        frame,
        "decile",
        "population",
        "value",
        lower_cl="lower",
        upper_cl="upper",
        value_type=2,
        multiplier=100,
        seed=inequality.SEED,
    ).iloc[0]
    assert rows["sii"].iloc[0] == pytest.approx(expected["sii"])
    assert rows["sii_lower_95"].iloc[0] == pytest.approx(expected["sii_lower_95"])
    assert rows["sii_upper_95"].iloc[0] == pytest.approx(expected["sii_upper_95"])
    assert expected["sii"] < 0  # less bad health in the least deprived deciles
    stated = f"{expected['sii']:.1f} percentage points"
    assert f"The slope index of inequality is {stated}" in figure.summary
    assert any(stated in note for note in figure.table.notes)


def test_table_lists_deciles_with_intervals(ctx: FigureContext) -> None:
    figure = inequality.build(ctx, block("disability"))
    assert figure.table.columns[0].label == "Decile"
    assert len(figure.table.rows) == 10
    assert figure.table.rows[0][0] == "Decile 1 (most deprived)"
    assert figure.table.rows[0][2].endswith("%")


def test_no_rows_gives_no_spec(ctx: FigureContext) -> None:
    figure = inequality.build(ctx, block("population_65_plus"))
    assert figure.spec is None
    assert figure.table.rows == ()
    assert "no published figures" in figure.summary


def test_snapshot_of_spec_and_table(ctx: FigureContext) -> None:
    figure = inequality.build(ctx, block())
    check_snapshot("inequality-bad_health", {"spec": figure.spec, "table": figure.table})


def test_an_area_type_that_is_not_a_grouping_gives_no_chart(ctx: FigureContext) -> None:
    chart = ChartBlock(
        block="chart", chart="inequality", indicator="diabetes_qof", area_type="gp_practice"
    )
    figure = inequality.build(ctx, chart)
    assert figure.spec is None
    assert "needs a deprivation grouping" in figure.summary
