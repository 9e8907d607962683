"""Trend charts on the Trafford store."""

from __future__ import annotations

import pandas as pd

from jsna.content.chapters import ChartBlock
from jsna.content.project_files import Project
from jsna.figures import trend
from jsna.figures.context import FigureContext
from jsna.store.results import published_results

from .conftest import chart_blocks, render


def _block(*indicators: str, **extra: object) -> ChartBlock:
    if len(indicators) == 1:
        return ChartBlock(block="chart", chart="trend", indicator=indicators[0], **extra)
    return ChartBlock(block="chart", chart="trend", indicators=indicators, **extra)


def test_values_over_periods_equal_published_results(trafford: FigureContext) -> None:
    figure = trend.build(trafford, _block("smoking_at_delivery"))
    store = published_results(trafford.connection, indicator_id="smoking_at_delivery")
    store = store[(store["area_code"] == "E08000009") & (store["area_type"] == "ltla23")]
    store = store[store["sex"] == store["sex"].iloc[0]].reset_index(drop=True)
    assert len(store) == 6
    assert list(figure.data["period"]) == list(store["period"])
    for column in ("value", "lower_95", "upper_95", "england_value"):
        pd.testing.assert_series_equal(
            figure.data[column].astype(float), store[column].astype(float), check_names=False
        )
    assert figure.data["lower_95"].notna().all()
    assert not figure.data["projected"].any()


def test_area_line_band_and_comparator_lines(trafford: FigureContext) -> None:
    figure = trend.build(trafford, _block("smoking_at_delivery"))
    values = figure.spec["data"]["values"]
    series = {v["series"] for v in values}
    assert {"Trafford", "England"} <= series
    marks = [layer["mark"]["type"] for layer in figure.spec["layer"]]
    assert marks[:3] == ["area", "line", "point"]
    assert {"name": "highlight", "value": None} in figure.spec["params"]
    england = [v for v in values if v["series"] == "England"]
    assert len(england) == len(figure.data)
    assert "Trafford" in figure.summary
    assert "England" in figure.summary
    assert any(
        v["comparison_text"].endswith("England") for v in values if v["series"] == "Trafford"
    )
    render(figure.spec)


def test_projected_rows_are_dashed_and_labelled(trafford: FigureContext) -> None:
    figure = trend.build(trafford, _block("gp_registered_patients"))
    assert figure.data["projected"].sum() == 1
    assert figure.data["projected"].iloc[-1]
    values = figure.spec["data"]["values"]
    projected = [v for v in values if v["status"] == "projected"]
    assert len(projected) == 2  # the projection and the bridge from the last observed point
    assert [layer["mark"]["type"] for layer in figure.spec["layer"]][-1] == "text"
    assert figure.spec["layer"][-1]["encoding"]["text"] == {"value": "projected"}
    assert "Projected" in figure.summary
    assert figure.table.rows[-1][-1] == "projected"
    assert "2030" in figure.table.rows[-1][0]
    assert figure.period == figure.data["period"].iloc[-2]
    render(figure.spec)


def test_several_indicators_are_lines_of_the_area(trafford: FigureContext) -> None:
    figure = trend.build(trafford, _block("life_expectancy_female", "life_expectancy_male"))
    series = {v["series"] for v in figure.spec["data"]["values"]}
    assert series == {"Life expectancy at birth, females", "Life expectancy at birth, males"}
    assert figure.table.columns[1].label == "Indicator"
    render(figure.spec)


def test_no_data_gives_no_spec(trafford: FigureContext) -> None:
    figure = trend.build(trafford, _block("smoking_at_delivery"), area_code="E00000000")
    assert figure.spec is None
    assert "no published figures" in figure.summary


def test_every_trend_block_builds_and_renders(trafford: FigureContext, project: Project) -> None:
    blocks = chart_blocks(project, "trend")
    assert len(blocks) > 15
    for block in blocks:
        figure = trend.build(trafford, block)
        assert figure.spec is not None, figure.id
        assert len(figure.table.rows) == len(figure.data)
        render(figure.spec)
