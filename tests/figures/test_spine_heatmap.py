"""Spine charts and heatmaps on the Trafford store."""

from __future__ import annotations

import numpy as np

from jsna.content.chapters import ChartBlock
from jsna.content.project_files import Project
from jsna.figures import heatmap, spine
from jsna.figures.context import FigureContext
from jsna.figures.tables import main_slice

from .conftest import chart_blocks, published, render


def _spine(*indicators: str) -> ChartBlock:
    return ChartBlock(block="chart", chart="spine", indicators=indicators)


def test_spine_row_is_the_area_value_and_the_range_of_its_type(trafford: FigureContext) -> None:
    figure = spine.build(trafford, _spine("under18_conceptions", "smoking_at_delivery"))
    assert list(figure.data["indicator_id"]) == ["under18_conceptions", "smoking_at_delivery"]
    for _, row in figure.data.iterrows():
        store = main_slice(published(trafford, row["indicator_id"], "ltla23", row["period"]))
        values = store["value"].dropna()
        own = store[store["area_code"] == "E08000009"].iloc[0]
        assert row["value"] == own["value"]
        assert row["benchmark_value"] == own["england_value"]
        assert row["benchmark"] == "England"
        assert {row["worst_or_lowest"], row["best_or_highest"]} == {values.min(), values.max()}
        assert row["percentile_25"] == np.percentile(values, 25)
        assert row["compared_with_benchmark"] == (own["compared_with_england"] or "not compared")
    # low is good: the worst is the highest rate
    first = figure.data.iloc[0]
    assert first["worst_or_lowest"] > first["best_or_highest"]


def test_spine_spec_and_table(trafford: FigureContext) -> None:
    figure = spine.build(trafford, _spine("under18_conceptions", "alcohol_mortality"))
    records = figure.spec["data"]["values"]
    for record in records:
        assert -1 <= record["low"] <= record["q_low"] <= record["q_high"] <= record["high"] <= 1
        assert record["comparison_text"]
    assert {"name": "highlight", "value": None} in figure.spec["params"]
    labels = [c.label for c in figure.table.columns]
    assert labels == [
        "Indicator",
        "Period",
        "Trafford value",
        "Benchmark",
        "Worst or lowest",
        "Best or highest",
        "Comparison",
    ]
    assert figure.table.judgements[0][-1] == figure.data["compared_with_benchmark"].iloc[0]
    assert "Trafford" in figure.summary
    assert "2 indicators" in figure.summary
    render(figure.spec)


def test_spine_without_data_has_no_spec(trafford: FigureContext) -> None:
    figure = spine.build(trafford, _spine("smoking_at_delivery"), area_code="E00000000")
    assert figure.spec is None
    assert figure.table.rows == ()


def test_heatmap_cells_are_values_judged_against_trafford(trafford: FigureContext) -> None:
    block = ChartBlock(
        block="chart",
        chart="heatmap",
        indicators=("bad_health_ward", "life_expectancy_ward_female"),
        area_type="ward22",
    )
    figure = heatmap.build(trafford, block)
    assert len(figure.data) == 42
    store = published(trafford, "bad_health_ward", "ward22", figure.period).set_index("area_code")
    mine = figure.data[figure.data["indicator_id"] == "bad_health_ward"].set_index("area_code")
    assert (mine["value"] == store.loc[mine.index, "value"]).all()
    # Trafford's figure from the wards' counts: the benchmark every ward is judged against
    trafford_value = store["numerator"].sum() / store["denominator"].sum() * 100
    assert np.allclose(mine["trafford_value"], trafford_value)
    above = mine["lower_95"] > trafford_value
    assert (mine.loc[above, "compared_with_trafford"] == "worse").all()
    assert above.any()
    records = figure.spec["data"]["values"]
    assert len(records) == 42
    assert {"name": "highlight", "value": None} in figure.spec["params"]
    assert "worse" in figure.summary
    assert "Trafford" in figure.summary
    assert len(figure.table.rows) == 21
    render(figure.spec)


def test_every_spine_and_heatmap_block_builds(trafford: FigureContext, project: Project) -> None:
    blocks = chart_blocks(project, "spine", "heatmap")
    assert len(blocks) >= 4
    for block in blocks:
        figure = (spine if block.chart == "spine" else heatmap).build(trafford, block)
        assert figure.spec is not None
        assert figure.table.rows
        render(figure.spec)
