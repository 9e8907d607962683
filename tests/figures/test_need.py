"""Unmet need and diagnosis gap figures on the Trafford store: ids, maps, tables, summaries,
the ILLUSTRATIVE labels, disclosure control, and specs that render."""

from __future__ import annotations

import pandas as pd
import pytest

from jsna.analysis.need import unmet_need
from jsna.content.blocks.need import DiagnosisGapBlock, UnmetNeedBlock
from jsna.content.project_files import Project
from jsna.figures.blocks import figures_for_block
from jsna.figures.context import FigureContext
from jsna.figures.need import need_shapes
from jsna.stats import DisclosureRules

from .conftest import render


def _blocks(project: Project) -> list[UnmetNeedBlock | DiagnosisGapBlock]:
    chapter = next(c for c in project.chapters if c.id == "unmet-need")
    return [
        p.block for p in chapter.blocks if isinstance(p.block, UnmetNeedBlock | DiagnosisGapBlock)
    ]


def test_chapter_has_the_four_blocks(project: Project) -> None:
    kinds = [(b.block, getattr(b, "area_type", None)) for b in _blocks(project)]
    assert kinds == [
        ("unmet_need", None),
        ("unmet_need", "locality"),
        ("diagnosis_gap", "gp_practice"),
        ("diagnosis_gap", "gp_practice"),
    ]
    sources = {s for b in _blocks(project) for s in b.source_ids()}
    assert {"illustrative_mh_capacity", "qof_practice_lists_2019_20", "apms_2007_rates"} <= sources


def test_ward_need_map_and_ranking(trafford: FigureContext, project: Project) -> None:
    block = _blocks(project)[0]
    figures = figures_for_block(trafford, block)
    assert [f.id for f in figures] == [
        "unmet-need-psychosis-ward23-map",
        "unmet-need-psychosis-ward23-table",
    ]
    drawn, table = figures
    result = unmet_need(trafford.connection, block)
    total = result.frame["expected"].sum()
    assert f"About {total:,.0f} people in Trafford are expected to have psychosis" in drawn.summary
    assert "aged 16 and over in 2024" in drawn.summary
    assert drawn.kind == "map"
    assert drawn.spec is not None
    assert len(drawn.spec["datasets"]["areas"]) == 21
    assert len(drawn.table.rows) == 21
    assert drawn.data["expected"].sum() == pytest.approx(total, abs=0.2)
    notes = " ".join(drawn.table.notes)
    assert "no rate for males 16-24, 55-64, 65-74, 75+; females 65-74, 75+" in notes
    assert "without intervals" in notes
    # the ranking: first row is the ward with the most expected cases
    top = result.frame.sort_values("expected", ascending=False).iloc[0]
    assert table.table.rows[0][0] == top["area_name"]
    assert table.table.rows[0][-1] == "1"
    assert table.spec is None
    assert "<svg" in render(drawn.spec)


def test_locality_gap_map_is_labelled_illustrative(
    trafford: FigureContext, project: Project
) -> None:
    block = _blocks(project)[1]
    figures = figures_for_block(trafford, block)
    assert [f.id for f in figures] == [
        "unmet-need-psychosis-locality-map",
        "unmet-need-psychosis-locality-gap-map",
        "unmet-need-psychosis-locality-table",
    ]
    need, gap, table = figures
    assert gap.title.startswith("ILLUSTRATIVE: ")
    assert "ILLUSTRATIVE" in gap.summary
    assert "ILLUSTRATIVE" in table.summary
    assert any("ILLUSTRATIVE" in n for n in table.table.notes)
    assert bool(table.data["illustrative"].all())
    # localities are drawn from their wards' boundaries: four shapes
    assert len(gap.spec["datasets"]["areas"]) == 4
    shapes = need_shapes(trafford, "locality", "ward23")
    assert sorted(shapes["area_code"]) == ["Central", "North", "South", "West"]
    frame = unmet_need(trafford.connection, block).frame.set_index("area_code")
    north = table.data.set_index("area_code").loc["North"]
    assert north["capacity"] == 120
    assert north["gap"] == pytest.approx(round(frame.loc["North", "expected"] - 120, 1))
    assert table.table.columns[-1].label == "Rank"
    assert [r[0] for r in table.table.rows] == list(frame.sort_values("rank").index)
    # the need map has no service figures
    assert "capacity" not in need.data.columns
    for figure in (need, gap):
        assert "<svg" in render(figure.spec)


def test_diagnosis_gap_figures(trafford: FigureContext, project: Project) -> None:
    diabetes, dementia = _blocks(project)[2:]
    located, ratio, table = figures_for_block(trafford, diabetes)
    assert located.id == "diagnosis-gap-diabetes-qof-dm-map"
    assert located.kind == "map"
    assert len(located.spec["layer"][1]["data"]["values"]) == 26
    assert "significantly less often than expected" in located.summary
    assert "<svg" in render(located.spec)
    assert ratio.id == "diagnosis-gap-diabetes-qof-dm-ratio"
    assert table.id == "diagnosis-gap-diabetes-qof-dm-table"
    data = ratio.data.set_index("area_code")
    assert len(data) == 27  # 26 practices and the total
    assert data.loc["TOTAL", "area_name"] == "Trafford practices"
    p = data.loc["P91004"]  # 239 on the register of 6,063 aged 17+
    rate = 3_455_176 / 48_783_947
    assert p["observed"] == 239
    assert p["expected"] == pytest.approx(round(6063 * rate, 1))
    assert p["ratio"] == pytest.approx(round(239 / (6063 * rate), 3))
    practices = data.drop(index="TOTAL")
    assert data.loc["TOTAL", "observed"] == practices["observed"].sum()
    assert "7.08%" in ratio.summary
    assert "not that everyone is diagnosed" in ratio.summary
    # ranked by gap, largest first; the total last
    gaps = [float(r[4].replace(",", "")) for r in table.table.rows[:-1]]
    assert gaps == sorted(gaps, reverse=True)
    assert table.table.rows[-1][0] == "Trafford practices"
    assert "<svg" in render(ratio.spec)
    _, ratio_dem, _ = figures_for_block(trafford, dementia)
    assert "aged 65+" in ratio_dem.summary


def test_small_registers_are_suppressed(trafford: FigureContext, project: Project) -> None:
    from jsna.analysis.need import TOTAL, diagnosis_gaps

    block = _blocks(project)[3]
    # with a threshold above every practice's dementia register, all are hidden
    rules = DisclosureRules(max_suppressed_count=1000, min_denominator=50)
    result = diagnosis_gaps(trafford.connection, block, ["P91019", "P91631", "P91003"], rules)
    frame = result.frame.set_index("area_code")
    practices = frame.drop(index=TOTAL)
    assert practices["suppressed"].all()
    assert practices["observed"].isna().all()
    assert practices["ratio"].isna().all()
    assert (practices["expected"] > 0).all()
    assert set(practices["suppression_reason"]) == {"count 1 to 1000"}


def test_figure_data_has_no_hidden_registers(trafford: FigureContext, project: Project) -> None:
    for block in _blocks(project)[2:]:
        for figure in figures_for_block(trafford, block):
            if figure.kind == "map":
                assert "observed" not in figure.data.columns
                continue
            hidden = figure.data[figure.data["suppressed"]]
            assert hidden["observed"].isna().all()
            assert pd.api.types.is_bool_dtype(figure.data["suppressed"])
