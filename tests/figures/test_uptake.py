"""Uptake block figures on the Trafford store: people to reach the target checked by hand,
the funnel reused with a target line, the most urgent list in words, suppression."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jsna.content.blocks.uptake import UptakeBlock
from jsna.figures import uptake
from jsna.figures.blocks import figures_for_block
from jsna.figures.context import FigureContext

from .conftest import render


def _block(**fields: object) -> UptakeBlock:
    defaults: dict[str, object] = {
        "block": "uptake",
        "indicator": "health_checks_offered",
        "area_type": "ltla23",
        "programme": "health_check",
        "target": 20,
    }
    return UptakeBlock.model_validate({**defaults, **fields})


def test_north_west_health_checks(trafford: FigureContext) -> None:
    figures = figures_for_block(trafford, _block())
    # no map at the JSNA's own area type (the store has only Trafford's boundary there)
    assert [f.id for f in figures] == [
        "uptake-funnel-health_checks_offered-ltla23",
        "uptake-ranking-health_checks_offered-ltla23",
        "uptake-urgent-health_checks_offered-ltla23",
    ]
    funnel, ranking, urgent = figures
    assert {f.kind for f in figures} == {"uptake"}
    assert funnel.period == "2023/24"
    # by hand: ceil(20% of eligible) - offered
    liverpool = math.ceil(0.2 * 124324) - 7008
    sefton = math.ceil(0.2 * 83630) - 1282
    blackburn = math.ceil(0.2 * 41736) - 7186
    assert (liverpool, sefton, blackburn) == (17857, 15444, 1162)
    rows = {r[0]: r for r in ranking.table.rows}
    assert rows["Liverpool"][4] == "17,857"
    assert rows["Liverpool"][6] == "1"
    assert rows["Sefton"][4] == "15,444"
    assert rows["Blackburn with Darwen"][4] == "1,162"
    assert rows["Trafford"][4] == "0"
    total = liverpool + sefton + blackburn
    assert f"together {total:,} more people" in ranking.summary
    assert urgent.summary.startswith(
        "Most urgent: Liverpool, where uptake is 5.6% (below the 99.8% limit of the average of "
        "these local authority districts) and 17,857 more people would need to be reached to "
        "meet 20.0%. Next: Sefton (15,444 people, 1.5%) and Blackburn with Darwen (1,162 "
        "people, 17.2%)."
    )
    assert [r[0] for r in urgent.table.rows] == ["Liverpool", "Sefton", "Blackburn with Darwen"]
    target = [layer for layer in funnel.spec["layer"] if layer["data"]["values"][0].get("target")]
    assert target[0]["data"]["values"][0]["target"] == 20
    assert funnel.spec["params"][0] == {"name": "highlight", "value": None}
    for figure in (funnel, ranking):
        assert "<svg" in render(figure.spec)
    data = ranking.data.set_index("area_code")
    assert int(data.loc["E08000012", "people_to_target"]) == 17857


def test_greater_manchester_all_reached(trafford: FigureContext) -> None:
    figures = uptake.build(trafford, _block(compare_with="greater_manchester"))
    funnel, ranking, urgent = figures
    assert funnel.id == "uptake-funnel-health_checks_offered-ltla23-greater_manchester"
    names = {r[0] for r in ranking.table.rows}
    assert "Trafford" in names
    assert "Liverpool" not in names
    assert ranking.summary.startswith(
        f"All {len(names)} local authority districts of Greater Manchester with published "
        "counts have reached 20.0%."
    )
    assert ranking.spec is None
    assert urgent.table.rows == ()
    assert urgent.summary == (
        "None of the local authority districts of Greater Manchester is both significantly "
        "below the Greater Manchester average and below the target of 20.0%."
    )
    # Trafford: 17,286 of 69,800 against Greater Manchester's own average
    offered = sum(int(r[2].replace(",", "")) for r in ranking.table.rows)
    eligible = sum(int(r[3].replace(",", "")) for r in ranking.table.rows)
    assert f"Greater Manchester average of {100 * offered / eligible:.1f}%" in funnel.summary


def test_suppressed_wards_are_not_ranked(trafford: FigureContext) -> None:
    ctx = FigureContext(trafford.project, trafford.connection)
    frame = trafford.results("bad_health").copy()
    hale = (frame["area_name"] == "Hale") & (frame["area_type"] == "ward23")
    frame.loc[hale, ["numerator", "denominator", "value"]] = pd.NA
    frame.loc[hale, "suppressed"] = True
    frame.loc[hale, "suppression_reason"] = "small numbers"
    ctx._results["bad_health"] = frame
    block = _block(indicator="bad_health", area_type="ward23", programme="other", target=5)
    funnel, drawn_map, ranking, urgent = uptake.build(ctx, block)
    assert drawn_map.id == "uptake-map-bad_health-ward23"
    assert drawn_map.kind == "map"
    assert "<svg" in render(drawn_map.spec)
    shaded = drawn_map.data.set_index("area_name")
    assert bool(shaded.loc["Hale", "suppressed"])
    assert pd.isna(shaded.loc["Hale", "numerator"])
    rows = {r[0]: r for r in ranking.table.rows}
    assert rows["Hale"][1:] == (
        "suppressed",
        "suppressed",
        "suppressed",
        "",
        "suppressed (not ranked)",
        "",
    )
    assert ranking.table.rows[-1][0] == "Hale"  # suppressed areas come last
    # Broadheath: ceil(5% of 12,786) - 385 = 255, now first
    assert ranking.table.rows[0][0] == "Broadheath"
    assert ranking.table.rows[0][4] == str(math.ceil(0.05 * 12786) - 385)
    assert "1 with suppressed figures are not ranked" in ranking.summary
    data = ranking.data.set_index("area_name")
    assert pd.isna(data.loc["Hale", "numerator"])
    assert pd.isna(data.loc["Hale", "rank"])
    assert "Hale," not in urgent.summary
    assert "Hale (" not in urgent.summary
    assert any("suppressed to protect confidentiality" in n for n in urgent.table.notes)
    assert funnel.summary.startswith("20 wards of Trafford compared with the Trafford average")


def test_indicator_without_counts(trafford: FigureContext) -> None:
    block = UptakeBlock(block="uptake", indicator="mmr_two_doses_age5", programme="vaccination")
    (figure,) = uptake.build(trafford, block)
    assert figure.spec is None
    assert figure.summary.startswith("Uptake hot spots need counts:")


def test_chapter_blocks_draw(trafford: FigureContext) -> None:
    blocks = [
        p.block
        for chapter in trafford.project.chapters
        for p in chapter.blocks
        if isinstance(p.block, UptakeBlock)
    ]
    assert len(blocks) >= 2
    ids = [f.id for b in blocks for f in figures_for_block(trafford, b)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("top", [1, 2])
def test_top(trafford: FigureContext, top: int) -> None:
    *_, urgent = uptake.build(trafford, _block(top=top))
    assert len(urgent.table.rows) == top


def test_target_is_on_the_funnel_axis(trafford: FigureContext) -> None:
    block = _block(indicator="bad_health", area_type="ward23", programme="other", target=30)
    funnel = uptake.build(trafford, block)[0]
    (domain,) = [
        layer["encoding"]["y"]["scale"]["domain"]
        for layer in funnel.spec["layer"]
        if "scale" in layer.get("encoding", {}).get("y", {})
    ]
    assert domain[0] < 2.1  # Hale, the lowest ward
    assert domain[1] > 30
    titles = [
        layer["encoding"]["x"].get("title")
        for layer in funnel.spec["layer"]
        if "x" in layer.get("encoding", {})
    ]
    assert "Eligible people" in titles


def test_unknown_comparator(trafford: FigureContext) -> None:
    with pytest.raises(ValueError, match="is not a comparator id") as caught:
        uptake.build(trafford, _block(compare_with="greater_london"))
    assert str(caught.value) == (
        "uptake block of health_checks_offered: compare_with 'greater_london' is not a "
        "comparator id of jsna.yml (england, north_west, cipfa_neighbours, "
        "children_neighbours, greater_manchester)"
    )
