"""Scatter plots of two indicators by LSOA, with the least-squares line and its R²."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine

from jsna.content.chapters import ChartBlock
from jsna.content.project_files import load_project
from jsna.figures import scatter
from jsna.figures.context import FigureContext
from jsna.figures.svg import to_svg

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "trafford"
STORE = Path(os.environ.get("JSNA_TRAFFORD_STORE", "/work/trafford-store/jsna.db"))


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FigureContext]:
    """A figure context on a private copy of the computed Trafford store."""
    if not STORE.is_file():
        pytest.skip(f"no computed Trafford store at {STORE}")
    copy = tmp_path_factory.mktemp("store") / "jsna.db"
    shutil.copy(STORE, copy)
    engine = create_engine(f"sqlite:///{copy}")
    with engine.connect() as connection:
        yield FigureContext(load_project(EXAMPLE), connection)
    engine.dispose()


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
