"""Population pyramids: five-year bands from single years, as % of residents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jsna.content.chapters import ChartBlock
from jsna.figures import pyramid
from jsna.figures.context import FigureContext
from jsna.figures.svg import to_svg

from .conftest import check_snapshot


@pytest.fixture
def ctx(trafford: FigureContext) -> FigureContext:
    """The shared read-only Trafford context (conftest)."""
    return trafford


def block(indicator: str = "population", area_type: str | None = None) -> ChartBlock:
    return ChartBlock(block="chart", chart="pyramid", indicator=indicator, area_type=area_type)


def single_years(frame: pd.DataFrame) -> pd.DataFrame:
    ages = frame["age"].astype(str)
    return frame[(frame["sex"] == "persons") & (ages.str.fullmatch(r"\d+") | (ages == "90+"))]


def test_bands_sum_the_published_single_years(ctx: FigureContext) -> None:
    figure = pyramid.build(ctx, block())
    published = single_years(ctx.results("population"))
    published = published[published["area_code"] == "E08000009"]
    assert figure.data["count"].sum() == pytest.approx(published["value"].sum())
    sixties = published[published["age"].isin([str(a) for a in range(60, 65)])]["value"].sum()
    # one row per band, or two (men, women) when the store has rows by sex and age
    row = figure.data.groupby("band")[["count", "percent"]].sum().loc["60-64"]
    assert row["count"] == pytest.approx(sixties)
    assert row["percent"] == pytest.approx(100 * sixties / published["value"].sum())
    assert len(figure.table.rows) == 19
    assert figure.table.rows[0][0] == "0-4"
    assert figure.table.rows[-1][0] == "90+"
    if set(figure.data["sex"]) == {"persons"}:
        assert "117,656 men and 123,369 women" in figure.summary
    else:
        assert "Men are 48.8% and women 51.2% of residents" in figure.summary
    assert 'role="img"' in to_svg(figure.spec, title=figure.title)


def test_aggregate_ages_are_not_counted_twice() -> None:
    bands = pyramid._band(pd.Series(["0", "4", "5", "65", "65+", "0-15", "89", "90+", "all ages"]))
    labels = [None if pd.isna(b) else b for b in bands]
    assert labels == ["0-4", "0-4", "5-9", "65-69", None, None, "85-89", "90+", None]


def test_ward_pyramid_carries_every_ward_and_follows_highlight(ctx: FigureContext) -> None:
    figure = pyramid.build(ctx, block("population_ward", "ward23"))
    assert figure.data["area_code"].nunique() == 21
    layer = figure.spec["layer"][0]
    assert "indexof([" in layer["transform"][0]["filter"]
    assert "until one is chosen" in figure.title
    chosen = pyramid.build(ctx, block("population_ward", "ward23"), area_code="E05015241")
    assert chosen.title.startswith(("Bowdon: residents by age", "Bowdon: residents by sex and age"))
    assert set(chosen.data["area_code"]) == {"E05015241"}
    assert chosen.spec["layer"][0]["transform"][0]["filter"] == "true"


def without_sex_by_age(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows without those by sex and age at once (stores computed after the sex_age
    breakdown have them), so a test can add its own."""
    return frame[~(frame["sex"].isin(["male", "female"]) & (frame["age"] != "all ages"))]


def test_a_sex_by_age_breakdown_makes_a_true_pyramid(ctx: FigureContext) -> None:
    rows = single_years(ctx.results("population"))
    rows = rows[rows["area_code"] == "E08000009"]
    men = rows.assign(sex="male", value=rows["value"] * 0.4)
    women = rows.assign(sex="female", value=rows["value"] * 0.6)
    ctx.results("population")
    saved = ctx._results["population"]
    base = without_sex_by_age(saved)
    ctx._results["population"] = pd.concat([base, men, women], ignore_index=True)
    try:
        figure = pyramid.build(ctx, block())
    finally:
        ctx._results["population"] = saved
    values = pd.DataFrame(figure.spec["layer"][0]["data"]["values"])
    assert (values.loc[values["sex_name"] == "Men", "signed"] < 0).all()
    assert (values.loc[values["sex_name"] == "Women", "signed"] > 0).all()
    assert "Men are 40.0% and women 60.0% of residents" in figure.summary
    assert [c.label for c in figure.table.columns][1] == "Men"
    assert 'role="img"' in to_svg(figure.spec, title=figure.title)


def test_no_rows_gives_no_spec(ctx: FigureContext) -> None:
    figure = pyramid.build(ctx, block("population", "ward23"))
    assert figure.spec is None
    assert figure.table.rows == ()


def test_snapshot_of_spec_and_table(ctx: FigureContext) -> None:
    figure = pyramid.build(ctx, block())
    check_snapshot("pyramid-population", {"spec": figure.spec, "table": figure.table})


def test_england_with_the_same_breakdown_is_drawn_as_an_outline(ctx: FigureContext) -> None:
    rows = single_years(ctx.results("population"))
    rows = rows[rows["area_code"] == "E08000009"]
    england = rows.assign(area_code="E92000001", area_name="England", value=rows["value"] * 200)
    saved = ctx.results("population")
    base = without_sex_by_age(saved)
    ctx._results["population"] = pd.concat([base, england], ignore_index=True)
    try:
        figure = pyramid.build(ctx, block())
    finally:
        ctx._results["population"] = saved
    outline = figure.spec["layer"][1]
    assert outline["mark"]["fillOpacity"] == 0
    lines = pd.DataFrame(outline["data"]["values"])
    bars = pd.DataFrame(figure.spec["layer"][0]["data"]["values"])
    # England is Trafford scaled: the same shares in every band
    np.testing.assert_allclose(lines["signed"].sum(), 100, atol=1e-3)
    np.testing.assert_allclose(sorted(lines["signed"]), sorted(bars["signed"]), atol=1e-3)
    assert "The outline shows England's age profile" in figure.summary
