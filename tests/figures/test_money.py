"""Money flow figures on the Trafford example: the illustrative spend file's flows and
per-head spend checked by hand, the made-up status said everywhere, the Sankey drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from jsna.content.blocks.money import MoneyFlowBlock
from jsna.errors import InputFileError
from jsna.figures import money
from jsna.figures.blocks import figures_for_block
from jsna.figures.context import FigureContext

from .conftest import render

AMOUNTS_2024_25 = [
    38.0, 41.5, 22.0, 6.5, 14.0, 9.5, 8.0, 7.0, 31.0, 4.2,
    5.6, 0.9, 0.6, 0.8, 9.0, 5.5, 3.0, 2.5, 2.0,
]  # fmt: skip
"""The file's 2024/25 amounts in millions, in file order (typed from the file)."""


def _chapter_block(ctx: FigureContext) -> MoneyFlowBlock:
    blocks = [
        p.block
        for chapter in ctx.project.chapters
        for p in chapter.blocks
        if isinstance(p.block, MoneyFlowBlock)
    ]
    assert len(blocks) == 1
    return blocks[0]


def test_chapter_block(trafford: FigureContext) -> None:
    block = _chapter_block(trafford)
    assert block.illustrative
    flow, per_head = figures_for_block(trafford, block)
    assert flow.id.startswith("money-flow-")
    assert per_head.id.startswith("money-per-head-")
    total = sum(AMOUNTS_2024_25) * 1_000_000
    assert total == pytest.approx(211_600_000)
    assert flow.summary.startswith(
        "Illustrative (made-up) figures: £211.6m was spent on Trafford's residents in 2024/25. "
        "The largest funder was NHS Greater Manchester (ICB) (£177.5m, 84%)"
    )
    # ICB: 38 + 41.5 + 22 + 6.5 + 14 + 9.5 + 8 + 7 + 31 = 177.5 (84% of 211.6)
    assert sum(AMOUNTS_2024_25[:9]) == pytest.approx(177.5)
    # every flow in the table: 8 funder-setting pairs (ICB 3, public health grant 2, adult
    # social care 1, Better Care Fund 2) and 16 setting-priority pairs (hospital 4, primary
    # and community 5, mental health services 1, prevention 4, social care 2)
    steps = [r[2] for r in flow.table.rows]
    assert steps.count("Funder to care setting") == 8
    assert steps.count("Care setting to priority") == 16
    assert flow.data["amount_gbp"][flow.data["step"] == "funder to care_setting"].sum() == (
        pytest.approx(total)
    )
    # per head: 211,600,000 / 241,025 residents (mid-2024) = £878
    assert per_head.summary.startswith(
        "Illustrative (made-up) figures: £878 per resident in all; the most on Heart disease "
        "and stroke (£263 per resident)"
    )
    assert round(63_400_000 / 241_025) == 263
    rows = {r[0]: r for r in per_head.table.rows}
    assert rows["Heart disease and stroke"][1:4] == ("£63.4m", "30.0%", "£263")
    assert (
        rows["Heart disease and stroke"][4] == "Under-75 mortality from preventable causes (2024)"
    )
    assert rows["Cancer"][4] == ""
    bars, beside = per_head.spec["hconcat"]
    labels = {v["priority"]: v["outcome_label"] for v in per_head.spec["data"]["values"]}
    assert labels["Heart disease and stroke"] == (
        "Under-75 mortality from preventable causes (2024)|138.7 per 100,000 "
        "(England 145.8 per 100,000)"
    )
    assert bars["encoding"]["y"]["sort"] == beside["encoding"]["y"]["sort"]
    assert bars["encoding"]["y"]["sort"][0] == "Heart disease and stroke"
    for figure in (flow, per_head):
        assert figure.title.startswith("Illustrative (made-up) figures: ")
        assert any("These are not real spending figures" in n for n in figure.table.notes)
        assert "<svg" in render(figure.spec)
    assert set(per_head.indicators) == {
        "population",
        "preventable_mortality_u75",
        "self_harm_admissions",
        "obesity_year6",
        "smoking_adults",
    }


def test_sankey_spec_has_every_link(trafford: FigureContext) -> None:
    flow, _ = money.build(trafford, _chapter_block(trafford))
    bands, nodes = flow.spec["layer"]
    links = {(v["source"], v["target"]) for v in bands["data"]["values"]}
    assert len(links) == len(flow.table.rows) == 24
    assert {v["name"] for v in nodes["data"]["values"]} >= {"Cancer", "Social care"}
    assert bands["mark"]["type"] == "area"
    assert bands["encoding"]["y2"] == {"field": "y1"}


def test_earlier_year(trafford: FigureContext) -> None:
    block = _chapter_block(trafford).model_copy(update={"year": "2023/24"})
    flow, _ = money.build(trafford, block)
    # 2023/24 is 96% of 2024/25 row by row (rounded to £10,000): £203.1m
    assert "£203.1m was spent" in flow.summary
    with pytest.raises(ValueError, match=r"year '2019/20' is not in data/illustrative_spend\.csv"):
        money.build(trafford, block.model_copy(update={"year": "2019/20"}))


def test_real_data_is_not_marked(trafford: FigureContext, tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text(
        "funder,care_setting,priority,year,amount_gbp\n"
        "ICB,Hospital,Cancer,2024/25,1000000\n"
        "Council,Community,Cancer,2024/25,500000\n",
        encoding="utf-8",
    )
    block = MoneyFlowBlock(block="money_flow", data=str(path), data_title="Council accounts")
    flow, per_head = money.build(trafford, block)
    assert "llustrative" not in flow.title + flow.summary + per_head.summary
    assert flow.table.notes == ("Source: Council accounts.",)
    assert per_head.summary.startswith("£6.22 per resident in all")  # 1.5m / 241,025


def test_bad_file(trafford: FigureContext, tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("funder,care_setting,priority,year,amount_gbp\nICB,,Cancer,2024/25,1\n")
    block = MoneyFlowBlock(block="money_flow", data=str(path), data_title="x")
    with pytest.raises(InputFileError) as caught:
        money.build(trafford, block)
    assert str(caught.value) == f"{path}, row 2, column 'care_setting': must not be empty"


def test_pounds() -> None:
    assert money.pounds(211_600_000) == "£211.6m"
    assert money.pounds(45_600) == "£45,600"
    assert money.pounds(877.9) == "£878"
    assert money.pounds(6.2234) == "£6.22"
