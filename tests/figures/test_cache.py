"""Figures from a context whose caches are warm equal those from a fresh context.

A build makes one :class:`FigureContext` and builds every figure from it, so
slices cached while building one area's figures (``FigureContext.memo``)
serve the next. These tests build a sample of figures both ways and check
that nothing differs, and that a cached slice follows a replaced results
frame.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

from jsna.content.chapters import ChartBlock
from jsna.content.project_files import Project
from jsna.figures import Figure, Headline, area_profile, figure_for_block
from jsna.figures._select import area_rows, latest_rows, rows_at
from jsna.figures.context import FigureContext

from .conftest import drawn_blocks


def assert_same(one: Figure | Headline, other: Figure | Headline) -> None:
    """Every field equal (frames compared with dtypes and index)."""
    assert type(one) is type(other)
    for field in dataclasses.fields(one):
        left: Any = getattr(one, field.name)
        right: Any = getattr(other, field.name)
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right)
        else:
            assert left == right, f"{getattr(one, 'id', '')}: {field.name} differs"


def profile_areas(ctx: FigureContext, project: Project) -> list[tuple[str, str]]:
    """(area type, code) of a few areas of every profiled area type."""
    chosen = []
    for area_type in project.config.publication.profiles:
        codes = sorted(
            {c for rows in latest_rows(ctx, area_type).values() for c in rows["area_code"]}
        )
        chosen += [(area_type, code) for code in codes[:: max(1, len(codes) // 3)][:3]]
    return chosen


def test_profiles_from_a_warm_context_equal_fresh_ones(
    trafford: FigureContext, project: Project
) -> None:
    warm = FigureContext(project, trafford.connection)
    areas = profile_areas(warm, project)
    assert len(areas) >= 3
    for area_type, code in areas:  # warm the caches with every sampled area first
        area_profile(warm, area_type, code)
    for area_type, code in areas:
        fresh = area_profile(FigureContext(project, trafford.connection), area_type, code)
        again = area_profile(warm, area_type, code)
        assert len(fresh) == len(again)
        for one, other in zip(fresh, again, strict=True):
            assert_same(one, other)


def test_blocks_from_a_warm_context_equal_fresh_ones(
    trafford: FigureContext, project: Project
) -> None:
    warm = FigureContext(project, trafford.connection)
    blocks = drawn_blocks(project)[::10]
    focus = profile_areas(warm, project)[0][1]
    for block in blocks:  # warm: the JSNA area's figures, then a profiled area's
        figure_for_block(warm, block)
        figure_for_block(warm, block, area_code=focus)
    for block in blocks:
        for area_code in (None, focus):
            fresh = figure_for_block(
                FigureContext(project, trafford.connection), block, area_code=area_code
            )
            assert_same(fresh, figure_for_block(warm, block, area_code=area_code))


def test_cached_slices_follow_a_replaced_results_frame(
    trafford: FigureContext, project: Project
) -> None:
    ctx = FigureContext(project, trafford.connection)
    frame = ctx.results("population")
    period = ctx.latest_period("population", "ltla23")
    assert len(rows_at(ctx, "population", "ltla23", period)) > 0
    assert len(area_rows(ctx, "population", ctx.area_code)) > 0
    ctx._results["population"] = frame[frame["area_code"] != ctx.area_code]
    assert ctx.area_code not in set(rows_at(ctx, "population", "ltla23", period)["area_code"])
    assert area_rows(ctx, "population", ctx.area_code).empty


@pytest.mark.parametrize("area_type", [None, "pcn"])
def test_compare_rows_name_their_areas(trafford: FigureContext, area_type: str | None) -> None:
    block = ChartBlock(block="chart", chart="compare", indicator="copd_qof", area_type=area_type)
    figure = figure_for_block(trafford, block)
    assert figure.spec is not None
    values = figure.spec["data"]["values"] if "data" in figure.spec else []
    values = values or figure.spec["layer"][0].get("data", {}).get("values", [])
    assert values
    for row in values:
        assert row["area_code"]
        assert row["area_name"]
