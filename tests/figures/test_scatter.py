"""Scatter plots of two indicators by LSOA, with the least-squares line and its R²."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsna.content.chapters import ChartBlock
from jsna.figures import scatter
from jsna.figures.context import FigureContext
from jsna.figures.svg import to_svg

from .conftest import check_snapshot


@pytest.fixture
def ctx(trafford: FigureContext) -> FigureContext:
    """The shared read-only Trafford context (conftest)."""
    return trafford


BLOCK = ChartBlock(
    block="chart", chart="scatter", indicators=("imd_score_lsoa", "bad_health"), area_type="lsoa21"
)


def test_points_pair_the_published_values_of_139_lsoas(ctx: FigureContext) -> None:
    figure = scatter.build(ctx, BLOCK)
    points = pd.DataFrame(figure.spec["layer"][0]["data"]["values"]).set_index("area_code")
    assert len(points) == 139
    for indicator, axis in (("imd_score_lsoa", "x"), ("bad_health", "y")):
        published = ctx.results(indicator)
        published = published[published["area_type"] == "lsoa21"].set_index("area_code")
        np.testing.assert_allclose(
            points[axis], published.loc[points.index, "value"].astype(float), rtol=1e-6
        )
    assert figure.spec["params"][0] == {"name": "highlight", "value": None}
    assert 'role="img"' in to_svg(figure.spec, title=figure.title)


def test_line_and_r2_are_least_squares(ctx: FigureContext) -> None:
    figure = scatter.build(ctx, BLOCK)
    x, y = figure.data["x_value"].to_numpy(), figure.data["y_value"].to_numpy()
    r2 = np.corrcoef(x, y)[0, 1] ** 2
    assert f"R² is {r2:.2f}" in figure.summary
    slope, intercept = np.polyfit(x, y, 1)
    line = figure.spec["layer"][1]["data"]["values"]
    assert line[0]["y"] == pytest.approx(slope * x.min() + intercept, abs=1e-5)
    assert line[1]["y"] == pytest.approx(slope * x.max() + intercept, abs=1e-5)
    assert "rises" in figure.summary
    assert figure.table.notes == (f"Least-squares line: R² = {r2:.2f}.",)


def test_fit_line_is_nan_without_variation() -> None:
    slope, _, r2 = scatter.fit_line(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))
    assert np.isnan(slope)
    assert np.isnan(r2)


def test_no_pairs_gives_no_spec(ctx: FigureContext) -> None:
    chart = ChartBlock(
        block="chart",
        chart="scatter",
        indicators=("imd_score_lsoa", "bad_health"),
        area_type="ward23",
    )
    figure = scatter.build(ctx, chart)
    assert figure.spec is None
    assert figure.table.rows == ()
    assert "no published figures" in figure.summary


def test_snapshot_of_table_and_line(ctx: FigureContext) -> None:
    figure = scatter.build(ctx, BLOCK)
    check_snapshot(
        "scatter-imd-bad_health", {"line": figure.spec["layer"][1], "table": figure.table}
    )
