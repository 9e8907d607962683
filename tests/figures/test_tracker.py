"""Recommendations figures on the Trafford example (today pinned): progress, chapter lists,
linked indicators' movement (checked against the store's published figures), and a status
update from the store winning over the file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from jsna.analysis.tracker import record_status
from jsna.content.blocks import RecommendationsBlock
from jsna.content.project_files import Project
from jsna.figures import tracker
from jsna.figures.context import FigureContext
from jsna.store import migrate

from .conftest import published, render

TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracker, "today", lambda: TODAY)


def block(**fields: object) -> RecommendationsBlock:
    return RecommendationsBlock.model_validate({"block": "recommendations", **fields})


def test_progress_of_every_recommendation(trafford: FigureContext) -> None:
    progress, listing = tracker.build(trafford, block())
    assert progress.id == "recommendations-progress"
    assert progress.summary == (
        "10 recommendations: 1 not started, 5 in progress, 3 done, 1 dropped. 4 are overdue "
        "(past the target date and not done or dropped)."
    )
    assert progress.table.rows == (
        ("not started", "1"),
        ("in progress", "5"),
        ("done", "3"),
        ("dropped", "1"),
        ("overdue (not done or dropped, past target)", "4"),
    )
    assert progress.data["recommendations"].tolist() == [1, 5, 3, 1, 4, 10]
    assert "<svg" in render(progress.spec)  # type: ignore[arg-type]
    assert listing.id == "recommendations-all"
    assert len(listing.table.rows) == 10
    falls = next(r for r in listing.table.rows if r[0].startswith("Commission a falls"))
    # target 30 June 2025, not started: 515 days late on 27 November 2026
    assert falls[1:] == (
        "Older people and dementia",
        "Adult social care commissioning, Trafford Council",
        "30 Jun 2025",
        "not started (updated 30 Jun 2023 in recommendations.yml)",
        "overdue by 515 days",
    )
    assert listing.data["overdue"].sum() == 4


def test_a_chapters_recommendations_and_movement(trafford: FigureContext) -> None:
    listing, moved = tracker.build(trafford, block(chapter="children-young-people"))
    assert listing.id == "recommendations-children-young-people"
    assert listing.summary == (
        "3 recommendations: 2 in progress, 1 done. 2 are overdue (past the target date and not "
        "done or dropped)."
    )
    assert moved.id == "recommendations-children-young-people-indicators"
    assert moved.indicators == (
        "smoking_at_delivery",
        "obesity_year6",
        "dental_decay_age5",
        "mmr_two_doses_age5",
    )
    # smoking at delivery: 2022/23 (baseline for 30 June 2023) against 2023/24, from the store
    before = published(trafford, "smoking_at_delivery", "ltla23", "2022/23")
    after = published(trafford, "smoking_at_delivery", "ltla23", "2023/24")
    before = before[before["area_code"] == "E08000009"].iloc[0]
    after = after[after["area_code"] == "E08000009"].iloc[0]
    row = moved.data.iloc[0]
    assert row["baseline_value"] == pytest.approx(before["value"])
    assert row["latest_value"] == pytest.approx(after["value"])
    overlap = before["lower_95"] <= after["upper_95"] and after["lower_95"] <= before["upper_95"]
    assert row["change"] == ("no significant change" if overlap else "improved")
    assert moved.table.rows[0][2:] == (
        f"{before['value']:.1f}% (2022/23)",
        f"{after['value']:.1f}% (2023/24)",
        row["change"],
    )
    assert moved.summary.startswith("Of 4 linked indicators, since the recommendations were made ")


def test_a_chapter_without_indicators_has_one_figure(trafford: FigureContext) -> None:
    figures = tracker.build(trafford, block(chapter="summary"))
    assert [f.id for f in figures] == ["recommendations-summary"]
    assert figures[0].summary == "No recommendations yet."
    assert figures[0].table.rows == ()


@pytest.fixture
def with_update(
    project: Project, trafford: FigureContext, tmp_path: Path
) -> Iterator[FigureContext]:
    """A context whose store holds one status update (results borrowed from Trafford's)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        record_status(
            connection,
            "older-falls-pathway",
            "done",
            actor="ann",
            note="Pathway commissioned",
            at=datetime(2026, 10, 1, 12, tzinfo=UTC),
        )
    with engine.connect() as connection:
        ctx = FigureContext(project, connection)
        for indicator_id in ("falls_admissions_65", "deaths_in_hospital"):
            ctx._results[indicator_id] = trafford.results(indicator_id)
        yield ctx
    engine.dispose()


def test_a_store_update_wins_over_the_file(with_update: FigureContext) -> None:
    listing, _ = tracker.build(with_update, block(chapter="older-people"))
    first = listing.table.rows[0]
    assert first[0].startswith("Commission a falls prevention pathway")
    assert first[3:] == ("done (updated 1 Oct 2026 by ann)", "")
    assert listing.table.notes == (
        "Commission a falls prevention pathway, including strength an...: Pathway commissioned",
    )
    assert listing.summary == "2 recommendations: 1 in progress, 1 done. None is overdue."
