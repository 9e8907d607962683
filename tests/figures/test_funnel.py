"""Funnel plots of GP practices: limits and positions equal jsna.stats' own output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsna.content.chapters import ChartBlock
from jsna.figures import funnel
from jsna.figures.context import FigureContext
from jsna.figures.svg import to_svg
from jsna.stats import funnel_limits, funnel_significance

from .conftest import check_snapshot


@pytest.fixture
def ctx(trafford: FigureContext) -> FigureContext:
    """The shared read-only Trafford context (conftest)."""
    return trafford


def block(indicator: str = "diabetes_qof") -> ChartBlock:
    return ChartBlock(block="chart", chart="funnel", indicator=indicator, area_type="gp_practice")


def test_points_are_the_26_trafford_practices_with_published_values(ctx: FigureContext) -> None:
    figure = funnel.build(ctx, block())
    points = figure.spec["layer"][2]["data"]["values"]
    assert len(points) == 26
    published = ctx.results("diabetes_qof")
    published = published[published["area_type"] == "gp_practice"].set_index("area_code")
    for point in points:
        assert point["value"] == pytest.approx(float(published.loc[point["area_code"], "value"]))
        assert point["x"] == pytest.approx(float(published.loc[point["area_code"], "denominator"]))
    assert figure.spec["params"][0] == {"name": "highlight", "value": None}


def test_limits_and_positions_equal_jsna_stats(ctx: FigureContext) -> None:
    figure = funnel.build(ctx, block())
    rows = figure.data.astype({"numerator": float, "denominator": float})
    limits = funnel_limits(rows, "numerator", "denominator", statistic="proportion", multiplier=100)
    lines = pd.DataFrame(figure.spec["layer"][0]["data"]["values"])
    for line, column in (("upper 95%", "upper_2s_limit"), ("lower 99.8%", "lower_3s_limit")):
        drawn = lines[lines["line"] == line]
        np.testing.assert_allclose(drawn["x"], limits["Population"])
        np.testing.assert_allclose(drawn["y"], limits[column], atol=1e-6)  # spec rounds to 6 dp
    baseline = figure.spec["layer"][1]["data"]["values"][0]["baseline"]
    assert baseline == pytest.approx(rows["numerator"].sum() / rows["denominator"].sum() * 100)
    judged = funnel_significance(rows, "numerator", "denominator", statistic="proportion")
    expected = judged["significance"].astype(str).map(funnel.POSITIONS)
    assert figure.data["funnel_position"].tolist() == expected.tolist()
    assert figure.table.columns[-1].label == "Position in the funnel"
    assert [row[-1] for row in figure.table.rows] == expected.tolist()


def test_summary_counts_positions_in_words(ctx: FigureContext) -> None:
    figure = funnel.build(ctx, block())
    counts = figure.data["funnel_position"].value_counts()
    assert f"{counts['within the limits']} lie within the 95% limits" in figure.summary
    assert f"{counts['above the 99.8% limit']} above the 99.8% limit" in figure.summary
    assert "Trafford average of 6.44%" in figure.summary
    tooltip = [t["title"] for t in figure.spec["layer"][2]["encoding"]["tooltip"]]
    assert "Position in the funnel" in tooltip


def test_every_funnel_block_renders(ctx: FigureContext) -> None:
    for indicator in ("obesity_register", "diabetes_qof", "hypertension_qof"):
        figure = funnel.build(ctx, block(indicator))
        svg = to_svg(figure.spec, title=figure.title)
        assert 'role="img"' in svg


def test_no_rows_gives_no_spec(ctx: FigureContext) -> None:
    empty = ChartBlock(block="chart", chart="funnel", indicator="diabetes_qof", area_type="ward23")
    figure = funnel.build(ctx, empty)
    assert figure.spec is None
    assert figure.table.rows == ()
    assert "no published figures" in figure.summary


def test_a_value_only_indicator_has_a_table_but_no_funnel(ctx: FigureContext) -> None:
    chart = ChartBlock(
        block="chart", chart="funnel", indicator="imd_score_lsoa", area_type="lsoa21"
    )
    figure = funnel.build(ctx, chart)
    assert figure.spec is None
    assert len(figure.table.rows) == 139
    assert "A funnel plot needs counts" in figure.summary


def test_snapshot_of_table_and_point_layer(ctx: FigureContext) -> None:
    figure = funnel.build(ctx, block())
    check_snapshot(
        "funnel-diabetes_qof", {"points": figure.spec["layer"][2], "table": figure.table}
    )


def test_at_the_jsna_area_type_the_average_is_of_the_areas_shown(ctx: FigureContext) -> None:
    chart = ChartBlock(
        block="chart", chart="funnel", indicator="crude_death_rate", area_type="ltla23"
    )
    figure = funnel.build(ctx, chart)
    assert figure.spec is not None
    assert "with the average of these local authority districts of" in figure.summary
    shown = figure.data[figure.data["funnel_position"] != "not shown"]
    derived = 100_000 * shown["numerator"].astype(float) / shown["value"].astype(float)
    average = shown["numerator"].astype(float).sum() / derived.sum() * 100_000
    baseline = figure.spec["layer"][1]["data"]["values"][0]["baseline"]
    assert baseline == pytest.approx(average, rel=1e-6)


def test_fewer_than_three_areas_make_no_funnel(ctx: FigureContext) -> None:
    chart = ChartBlock(
        block="chart", chart="funnel", indicator="old_age_dependency", area_type="ltla23"
    )
    figure = funnel.build(ctx, chart)
    assert figure.spec is None
    assert "needs at least 3 areas" in figure.summary
