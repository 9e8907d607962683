"""FigureContext.latest_period: the latest period of any area, not of the last area code."""

from __future__ import annotations

from jsna.figures.context import FigureContext


def test_latest_period_does_not_depend_on_the_last_area(trafford: FigureContext) -> None:
    ctx = FigureContext(trafford.project, trafford.connection)
    frame = trafford.results("crude_death_rate")
    latest = trafford.latest_period("crude_death_rate", "ltla23")
    last_code = frame.loc[frame["area_type"] == "ltla23", "area_code"].max()
    # the last area code (rows come ordered by area) has no row of the latest period
    ctx._results["crude_death_rate"] = frame[
        ~((frame["area_code"] == last_code) & (frame["period"] == latest))
    ]
    assert ctx.latest_period("crude_death_rate", "ltla23") == latest
    assert ctx.latest_period("crude_death_rate", "no_such_type") is None


def test_latest_period_skips_projections(trafford: FigureContext) -> None:
    frame = trafford.results("gp_registered_patients")
    assert frame["projected"].any()
    assert trafford.latest_period("gp_registered_patients", "sub_icb") == "2026-01"
    assert "projected" not in str(trafford.latest_period("gp_registered_patients"))
