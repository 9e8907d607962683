"""Recommendations tracker: the file's checks, statuses with history, overdue, progress, movement.

Movement cases are hand-made results for one area (E08000009), checked
against the rule: baseline = latest period ending on or before ``made_on``;
overlapping 95% intervals = no significant change; otherwise the direction
read with the polarity; no intervals = direction "not tested".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from jsna.analysis.tracker import (
    MOVEMENT_COLUMNS,
    movement,
    period_end,
    progress,
    record_status,
    status_history,
    store_statuses,
    tracker,
)
from jsna.content.recommendations import Recommendation, read_recommendations
from jsna.errors import InputFileError
from tests.store.conftest import backend_url, empty_engine, engine, postgres_url  # noqa: F401

AREA = "E08000009"
NO_STATUSES = pd.DataFrame(
    columns=["recommendation_id", "status", "note", "changed_at", "changed_by"]
)


def rec(
    id: str = "r1",
    *,
    made_on: date = date(2023, 6, 30),
    target: date = date(2025, 3, 31),
    status: str = "in progress",
    indicators: tuple[str, ...] = (),
    chapter: str = "older-people",
) -> Recommendation:
    return Recommendation(
        id=id,
        chapter=chapter,
        text=f"Do {id}",
        owner="Director of Public Health",
        made_on=made_on,
        target_date=target,
        status=status,  # type: ignore[arg-type]
        indicators=indicators,
    )


# --- the file ------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "recommendations.yml").write_text(text, encoding="utf-8")
    return tmp_path


GOOD = """\
recommendations:
  - id: falls
    chapter: older-people
    text: Commission a falls prevention pathway.
    owner: Adult social care
    made_on: 2023-06-30
    target_date: 2025-06-30
    indicators: [falls_admissions_65]
"""


def test_file_is_read_with_defaults(tmp_path: Path) -> None:
    found, problems = read_recommendations(
        write(tmp_path, GOOD), {"older-people"}, {"falls_admissions_65"}
    )
    assert problems == []
    (only,) = found
    assert only.status == "not started"
    assert only.updated_on == date(2023, 6, 30)
    assert only.indicators == ("falls_admissions_65",)


def test_no_file_means_no_recommendations(tmp_path: Path) -> None:
    assert read_recommendations(tmp_path, set(), set()) == ((), [])


def test_unknown_chapter_and_indicator_are_named_with_their_lines(tmp_path: Path) -> None:
    root = write(tmp_path, GOOD)
    found, problems = read_recommendations(root, {"summary"}, set())
    path = root / "recommendations.yml"
    assert found == ()
    assert problems == [
        f"{path}:3: recommendations.0.chapter: unknown chapter 'older-people'",
        f"{path}:8: recommendations.0.indicators.0: unknown indicator id 'falls_admissions_65'",
    ]


def test_broken_rules_are_all_reported(tmp_path: Path) -> None:
    bad_status = GOOD.replace("made_on: 2023-06-30", "made_on: 2023-06-30\n    status: finished")
    bad_dates = (
        GOOD.removeprefix("recommendations:\n")
        .replace("id: falls", "id: falls-2")
        .replace("target_date: 2025-06-30", "target_date: 2022-01-01")
    )
    root = write(tmp_path, bad_status + bad_dates)
    found, problems = read_recommendations(root, {"older-people"}, {"falls_admissions_65"})
    path = root / "recommendations.yml"
    assert found == ()
    assert problems == [
        f"{path}:7: recommendations.0.status: Input should be 'not started', 'in progress', "
        "'done' or 'dropped'",
        f"{path}:10: recommendations.1: target_date 2022-01-01 is before made_on 2023-06-30",
    ]


def test_an_id_twice_is_refused(tmp_path: Path) -> None:
    root = write(tmp_path, GOOD + GOOD.removeprefix("recommendations:\n"))
    _, problems = read_recommendations(root, {"older-people"}, {"falls_admissions_65"})
    assert problems == [
        f"{root / 'recommendations.yml'}:1: (file): recommendation id 'falls' is used twice"
    ]


# --- statuses, overdue, progress -------------------------------------------------------------


def test_overdue_needs_a_past_target_and_an_open_status() -> None:
    today = date(2026, 11, 27)
    items = [
        rec("late", target=date(2026, 11, 26)),
        rec("due-today", target=today),
        rec("done-late", target=date(2024, 1, 1), status="done"),
        rec("dropped-late", target=date(2024, 1, 1), status="dropped"),
        rec("not-started-late", target=date(2026, 1, 1), status="not started"),
    ]
    frame = tracker(items, NO_STATUSES, today)
    assert frame["overdue"].tolist() == [True, False, False, False, True]
    assert frame["days_overdue"].tolist() == [1, 0, 0, 0, 330]
    assert frame["updated_by"].unique().tolist() == ["recommendations.yml"]
    assert progress(frame) == {
        "not started": 1,
        "in progress": 2,
        "done": 1,
        "dropped": 1,
        "overdue": 2,
        "total": 5,
    }


def test_no_recommendations_give_zero_counts() -> None:
    frame = tracker([], NO_STATUSES, date(2026, 1, 1))
    assert frame.empty
    assert progress(frame)["total"] == 0
    assert progress(frame)["overdue"] == 0


def test_store_updates_keep_history_and_the_latest_wins(engine: Engine) -> None:  # noqa: F811
    first = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
    second = datetime(2025, 5, 2, 14, 30, tzinfo=UTC)
    with engine.begin() as connection:
        record_status(connection, "late", "in progress", actor="ann", note="Started", at=first)
        record_status(connection, "late", "done", actor="bob", note=" Finished ", at=second)
        record_status(connection, "other", "dropped", actor="ann", at=first)
    with engine.connect() as connection:
        history = status_history(connection, "late")
        latest = store_statuses(connection)
    assert history["status"].tolist() == ["done", "in progress"]
    assert history["changed_by"].tolist() == ["bob", "ann"]
    assert history["note"].tolist() == ["Finished", "Started"]
    assert sorted(latest["recommendation_id"]) == ["late", "other"]
    frame = tracker([rec("late", target=date(2025, 3, 31))], latest, date(2026, 1, 1))
    row = frame.iloc[0]
    assert (row["status"], row["updated_by"], row["note"]) == ("done", "bob", "Finished")
    assert row["updated_on"] == date(2025, 5, 2)
    assert not row["overdue"]


def test_a_bad_status_or_long_note_is_refused(engine: Engine) -> None:  # noqa: F811
    with engine.begin() as connection:
        with pytest.raises(InputFileError) as error:
            record_status(connection, "x", "finished", actor="ann")
        assert str(error.value) == (
            "status update, column 'status': must be one of not started, in progress, done, "
            "dropped, not 'finished'"
        )
        with pytest.raises(InputFileError, match="at most 500 characters"):
            record_status(connection, "x", "done", actor="ann", note="n" * 501)
    with engine.connect() as connection:
        assert store_statuses(connection).empty


# --- movement --------------------------------------------------------------------------------


def test_period_ends() -> None:
    periods = pd.Series(
        ["2023", "2023/24", "2021 - 23", "2018/19 - 22/23", "2021-02", "Q1", "1999/00"]
    )
    ends = period_end(periods)
    assert ends.dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "2023-12-31",
        "2024-03-31",
        "2023-12-31",
        "2023-03-31",
        "2021-02-28",
        "",
        "2000-03-31",
    ]


def results(
    rows: list[tuple[str, float, float | None, float | None]], **extra: object
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["period", "value", "lower_95", "upper_95"])
    columns: dict[str, object] = {
        "area_code": AREA,
        "breakdown_type": "",
        "sex": "persons",
        "age": "all ages",
        "projected": False,
    }
    return frame.assign(**{**columns, **extra})


SERIES = {
    # low is good, intervals apart: 2022/23 (baseline for made_on 2023-06-30) 20 [19, 21] -> 15 [14, 16]
    "falls": results([("2021/22", 30, 29, 31), ("2022/23", 20, 19, 21), ("2023/24", 15, 14, 16)]),
    # high is good, intervals overlap
    "screening": results([("2022/23", 70, 68, 72), ("2024/25", 71, 69, 73)]),
    # no intervals, low is good, value went up
    "obesity": results([("2022/23", 18.3, None, None), ("2024/25", 19.0, None, None)]),
    # no judgement, intervals apart, went down
    "births": results([("2022", 50, 49, 51), ("2023", 10, 9, 11)]),
    # only periods after made_on
    "new": results([("2024/25", 5, 4, 6)]),
    # latest is the baseline
    "old": results([("2018", 5, 4, 6)]),
    # nothing for the area
    "elsewhere": results([("2022", 5, 4, 6)]).assign(area_code="E08000003"),
}
POLARITY = {
    "falls": "low_is_good",
    "screening": "high_is_good",
    "obesity": "low_is_good",
    "births": "no_judgement",
    "new": "low_is_good",
    "old": "low_is_good",
    "elsewhere": "low_is_good",
}


def test_movement_words() -> None:
    item = rec("r1", indicators=tuple(SERIES))
    moved = movement([item], SERIES.__getitem__, AREA, POLARITY.__getitem__)
    assert list(moved.columns) == list(MOVEMENT_COLUMNS)
    assert moved.set_index("indicator_id")["change"].to_dict() == {
        "falls": "improved",
        "screening": "no significant change",
        "obesity": "got worse, not tested",
        "births": "went down",
        "new": "no figure from before it was made",
        "old": "no newer figure yet",
        "elsewhere": "no data",
    }
    falls = moved.set_index("indicator_id").loc["falls"]
    assert (falls["baseline_period"], falls["baseline_value"]) == ("2022/23", 20.0)
    assert (falls["latest_period"], falls["latest_value"]) == ("2023/24", 15.0)


def test_baseline_follows_each_recommendations_date() -> None:
    early = rec("early", made_on=date(2022, 3, 31), target=date(2025, 1, 1), indicators=("falls",))
    late = rec("late", made_on=date(2024, 4, 1), target=date(2025, 1, 1), indicators=("falls",))
    moved = movement([late, early], SERIES.__getitem__, AREA, POLARITY.__getitem__)
    assert moved["recommendation_id"].tolist() == ["late", "early"]
    assert moved["baseline_period"].tolist() == ["2023/24", "2021/22"]
    assert moved["change"].tolist() == ["no newer figure yet", "improved"]


def test_headline_rows_are_compared_not_breakdowns() -> None:
    frame = pd.concat(
        [
            SERIES["falls"],
            results([("2023/24", 99, 98, 100)], sex="female"),
            results([("2024/25", 1, 0.5, 1.5)]).assign(projected=True),
        ]
    )
    moved = movement(
        [rec(indicators=("falls",))], {"falls": frame}.__getitem__, AREA, POLARITY.__getitem__
    )
    assert (moved.loc[0, "latest_value"], moved.loc[0, "change"]) == (15.0, "improved")


def test_touching_intervals_overlap() -> None:
    frame = results([("2022", 10, 9, 11), ("2023", 12, 11, 13)])
    moved = movement(
        [rec(indicators=("x",))], {"x": frame}.__getitem__, AREA, lambda _: "low_is_good"
    )
    assert moved.loc[0, "change"] == "no significant change"
    same = results([("2022", 10, None, None), ("2023", 10, None, None)])
    moved = movement(
        [rec(indicators=("x",))], {"x": same}.__getitem__, AREA, lambda _: "low_is_good"
    )
    assert moved.loc[0, "change"] == "no change"


def test_no_linked_indicators_give_an_empty_frame() -> None:
    moved = movement([rec()], SERIES.__getitem__, AREA, POLARITY.__getitem__)
    assert moved.empty
    assert list(moved.columns) == list(MOVEMENT_COLUMNS)


def test_jsna_check_names_an_unknown_chapter_in_a_block(tmp_path: Path) -> None:
    from jsna.content.project_files import check_project
    from tests.render.site import copy_example

    project = tmp_path / "trafford"
    copy_example(project)
    chapter = project / "chapters" / "08-older-people.md"
    lines = chapter.read_text(encoding="utf-8").count("\n")
    with chapter.open("a", encoding="utf-8") as out:
        out.write("\n```jsna\nblock: recommendations\nchapter: no-such-chapter\n```\n")
    report = check_project(project)
    assert report.problems == (f"{chapter}:{lines + 2}: block: unknown chapter 'no-such-chapter'",)
