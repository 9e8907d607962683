"""Block dispatch, table blocks, headlines and area profiles on the Trafford store."""

from __future__ import annotations

import pytest

from jsna.content.chapters import ChartBlock, IndicatorBlock, TableBlock
from jsna.content.project_files import Project
from jsna.figures import Figure, Headline, area_profile, figure_for_block, headline
from jsna.figures.context import FigureContext

from .conftest import drawn_blocks, published, render


def test_every_chart_map_and_table_block_builds(trafford: FigureContext, project: Project) -> None:
    blocks = drawn_blocks(project)
    assert len(blocks) > 80
    ids: dict[str, str] = {}
    for block in blocks:
        figure = figure_for_block(trafford, block)
        assert isinstance(figure, Figure)
        expected = block.chart if isinstance(block, ChartBlock) else block.block
        assert figure.kind == expected
        assert figure.summary
        if figure.kind == "table":
            assert figure.spec is None
            assert figure.table.rows
        ids.setdefault(figure.id, figure.kind)


def test_table_block_has_values_cis_and_words(trafford: FigureContext) -> None:
    block = TableBlock(
        block="table", indicators=("copd_qof", "chd_qof"), area_type="practice_locality"
    )
    figure = figure_for_block(trafford, block)
    labels = [c.label for c in figure.table.columns]
    assert labels[0] == "Area"
    assert "COPD recorded prevalence (QOF): 95% CI" in labels
    assert any(label.endswith("compared with Trafford") for label in labels)
    assert len(figure.table.rows) == 4
    store = published(trafford, "copd_qof", "practice_locality", figure.period)
    mine = figure.data[figure.data["indicator_id"] == "copd_qof"].set_index("area_code")
    assert (mine["value"] == store.set_index("area_code").loc[mine.index, "value"]).all()
    assert "Trafford" in figure.summary


def test_other_blocks_have_no_figure(trafford: FigureContext) -> None:
    with pytest.raises(TypeError, match="headline"):
        figure_for_block(trafford, IndicatorBlock(block="indicator", indicator="population"))  # type: ignore[arg-type]


def test_headline_of_the_jsna_area(trafford: FigureContext) -> None:
    result = headline(trafford, IndicatorBlock(block="indicator", indicator="smoking_at_delivery"))
    assert isinstance(result, Headline)
    store = published(trafford, "smoking_at_delivery", "ltla23", result.period)
    own = store[store["area_code"] == "E08000009"].iloc[0]
    assert result.value == f"{own['value']:.1f}%"
    assert result.interval == f"95% CI {own['lower_95']:.1f}% to {own['upper_95']:.1f}%"
    assert ("England", own["compared_with_england"], f"{own['england_value']:.1f}%") in (
        result.comparisons
    )
    assert result.value in result.summary
    assert "Trafford" in result.summary
    assert result.data["value"].iloc[0] == own["value"]


def test_headline_of_a_sub_icb_indicator_and_of_nothing(trafford: FigureContext) -> None:
    block = IndicatorBlock(block="indicator", indicator="diabetes_qof", area_type="sub_icb")
    result = headline(trafford, block)
    assert result.period == "2019/20"
    assert result.value.endswith("%")
    missing = headline(
        trafford, IndicatorBlock(block="indicator", indicator="population"), area_code="E00000000"
    )
    assert missing.value == "no data"
    assert "no published figures" in missing.summary


def test_ward_profile(trafford: FigureContext) -> None:
    figures = area_profile(trafford, "ward23", "E05015239")
    kinds = [f.kind for f in figures if isinstance(f, Figure)]
    assert kinds[:2] == ["spine", "table"]
    assert "pyramid" in kinds
    spine, table = figures[0], figures[1]
    assert isinstance(spine, Figure)
    assert isinstance(table, Figure)
    assert "Altrincham" in spine.summary
    assert len(table.table.rows) == len(spine.data)
    assert set(spine.data["area_code"]) == {"E05015239"}
    benchmarks = spine.data.set_index("indicator_id")["benchmark"]
    assert benchmarks["pharmacies"] == "the median"  # a ward's count is not Trafford's
    assert benchmarks["bad_health"] == "Trafford"
    store = published(trafford, "bad_health", "ward23", "2021").set_index("area_code")
    row = table.data.set_index("indicator_id").loc["bad_health"]
    assert row["value"] == store.loc["E05015239", "value"]
    for figure in figures:
        if isinstance(figure, Figure) and figure.spec is not None:
            render(figure.spec)
