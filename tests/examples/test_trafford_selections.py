"""Every selection of the Trafford example keeps rows of what its source really writes.

Each source of ``examples/trafford`` is read and checked exactly as ``jsna
ingest`` would (``read_table`` then ``check_table``, no store), giving the tidy
observations: measure, sex, age, breakdown type, category and period. Every
numerator, denominator and value selection of every indicator must then find
its measure in its own source, with the sexes, ages, breakdown type, categories
and periods it asks for; breakdowns published besides the total must exist too.
A label that drifts in a source (``All ages`` recoded to ``all ages``, a
renamed category) fails here, before any compute.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jsna.content.indicators import Indicator, Selection
from jsna.content.project_files import Project, load_project
from jsna.ingest.formats import read_table
from jsna.ingest.pipeline import resolve_file
from jsna.ingest.problems import Limits
from jsna.ingest.validate import check_table

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trafford"
KEYS = ["indicator_id", "sex", "age", "breakdown_type", "breakdown", "period"]


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(EXAMPLE)


@pytest.fixture(scope="module")
def tidy(project: Project) -> dict[str, pd.DataFrame]:
    """The distinct keys of every source's tidy observations, by source id."""
    found: dict[str, pd.DataFrame] = {}
    for source_id, declared in project.sources.items():
        path = resolve_file(EXAMPLE, declared)
        checked = check_table(read_table(path, declared, Limits()), declared, str(path), Limits())
        assert checked.problems == [], (source_id, checked.problems[:3])
        found[source_id] = checked.frame[KEYS].drop_duplicates().reset_index(drop=True)
    return found


def _rows(frame: pd.DataFrame, selection: Selection, breakdown: str | None) -> pd.DataFrame:
    rows = frame[frame["indicator_id"] == selection.measure]
    if selection.periods is not None:
        rows = rows[rows["period"].isin(selection.periods)]
    if breakdown in ("sex", "sex_age"):
        rows = rows[rows["sex"] != "persons"]
    else:
        rows = rows[rows["sex"].isin(selection.sexes())]
    if breakdown in ("age", "sex_age"):
        rows = rows[~rows["age"].isin(["all ages", *selection.ages()])]
    elif selection.age != "bands":
        rows = rows[rows["age"].isin(selection.ages())]
    if breakdown not in (None, "sex", "age", "sex_age"):
        return rows[rows["breakdown_type"] == breakdown]
    rows = rows[rows["breakdown_type"] == selection.breakdown_type]
    if selection.categories is None:
        return rows[rows["breakdown"] == ""]
    if selection.categories != "all":
        rows = rows[rows["breakdown"].isin(selection.categories)]
    return rows


def _problems(indicator: Indicator, tidy: dict[str, pd.DataFrame]) -> list[str]:
    problems = []
    for role, selection in indicator.selections().items():
        source = selection.source or indicator.source
        frame = tidy[source]
        if not (frame["indicator_id"] == selection.measure).any():
            problems.append(f"{role}: no measure {selection.measure!r} in {source}")
            continue
        for breakdown in [None, *indicator.breakdowns]:
            rows = _rows(frame, selection, breakdown)
            if rows.empty:
                problems.append(f"{role}: nothing kept for breakdown {breakdown} in {source}")
        if isinstance(selection.sex, tuple) or isinstance(selection.age, tuple):
            rows = _rows(frame, selection, None)
            for name, wanted in (("sex", selection.sexes()), ("age", selection.ages())):
                missing = sorted(set(wanted) - set(rows[name]))
                if missing:
                    problems.append(f"{role}: {name} {missing} absent in {source}")
        if isinstance(selection.categories, tuple):
            rows = frame[
                (frame["indicator_id"] == selection.measure)
                & (frame["breakdown_type"] == selection.breakdown_type)
            ]
            missing = sorted(set(selection.categories) - set(rows["breakdown"]))
            if missing:
                problems.append(f"{role}: categories {missing} absent in {source}")
        if selection.periods is not None:
            rows = frame[frame["indicator_id"] == selection.measure]
            missing = sorted(set(selection.periods) - set(rows["period"]))
            if missing:
                problems.append(f"{role}: periods {missing} absent in {source}")
    return problems


def test_every_selection_keeps_observations_of_its_source(
    project: Project, tidy: dict[str, pd.DataFrame]
) -> None:
    found = {
        indicator.id: problems
        for indicator in project.indicators.values()
        if (problems := _problems(indicator, tidy))
    }
    assert found == {}


def test_numerators_and_denominators_meet_on_some_period(
    project: Project, tidy: dict[str, pd.DataFrame]
) -> None:
    for indicator in project.indicators.values():
        if indicator.numerator is None or indicator.denominator is None:
            continue
        periods = []
        for selection in (indicator.numerator, indicator.denominator):
            frame = tidy[selection.source or indicator.source]
            periods.append(set(_rows(frame, selection, None)["period"]))
        assert periods[0] & periods[1], indicator.id


def test_a_drifted_label_is_caught(project: Project, tidy: dict[str, pd.DataFrame]) -> None:
    indicator = project.indicators["dementia_prevalence"]
    assert _problems(indicator, tidy) == []
    assert indicator.numerator is not None
    drifted = indicator.model_copy(
        update={"numerator": indicator.numerator.model_copy(update={"age": "All ages"})}
    )
    assert _problems(drifted, tidy) == [
        "numerator: nothing kept for breakdown None in fingertips_counts_northwest"
    ]
