"""``changes.html``: a first edition says so; a refreshed source lists its published changes.

Runs on a copy of the ready Trafford store (never the original): the first
test sees one version per source, the others import a changed file of a real
source (a value-only indicator's, or a recomputed one's) and compute again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine

from jsna.compute import compute_project
from jsna.content.project_files import Project, load_project
from jsna.figures.context import FigureContext
from jsna.ingest.pipeline import import_file
from jsna.render.changes import changes_page, refreshed_sources
from tests.paths import DATA_MIRROR, ROOT
from tests.render.site import prepared_store

TRAFFORD = "E08000009"
AGE_STANDARDISED = "census_general_health_age_standardised"
WARD_HEALTH = "census_general_health_ward"


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(ROOT / "examples" / "trafford")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the Trafford store."""
    copy = tmp_path / "jsna.db"
    shutil.copyfile(prepared_store()[1], copy)
    engine = create_engine(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


def _refresh(
    engine: Engine, project: Project, source_id: str, edit: pd.DataFrame, tmp: Path
) -> None:
    """Import ``edit`` as a new version of ``source_id`` and compute what it changes."""
    path = tmp / f"{source_id}.csv"
    edit.to_csv(path, index=False)
    import_file(engine, project.root, project.sources[source_id], path)
    compute_project(engine, project)


def _source_frame(project: Project, source_id: str) -> pd.DataFrame:
    declared = str(project.sources[source_id].file).replace("${JSNA_DATA_MIRROR}", "")
    return pd.read_csv(DATA_MIRROR / declared.lstrip("/"), dtype=str, keep_default_na=False)


def test_a_first_edition_has_nothing_to_compare(engine: Engine, project: Project) -> None:
    with engine.connect() as connection:
        assert refreshed_sources(connection) == []
        page = changes_page(FigureContext(project, connection))
    assert page.path == "changes.html"
    assert page.kind == "changes"
    assert page.context["first"] is True
    assert page.summary.startswith("First edition: nothing to compare")
    assert page.figures == []


def test_a_changed_published_value_is_listed_old_to_new(
    engine: Engine, project: Project, tmp_path: Path
) -> None:
    frame = _source_frame(project, AGE_STANDARDISED)
    chosen = (
        (frame["area_code"] == TRAFFORD)
        & (frame["general_health"] == "Very bad health")
        & (frame["measure"] == "Percentage")
    )
    assert frame.loc[chosen, "value"].tolist() == ["1.1"]
    frame.loc[chosen, "value"] = "1.9"
    _refresh(engine, project, AGE_STANDARDISED, frame, tmp_path)
    with engine.connect() as connection:
        page = changes_page(FigureContext(project, connection))
    assert page.context["first"] is False
    assert [s["id"] for s in page.context["sources"]] == [AGE_STANDARDISED]
    [group] = page.context["groups"]
    assert group["id"] == "bad_health_age_standardised"
    assert group["rows"] == [
        {
            "area": "Trafford (E08000009)",
            "period": "2021",
            "change": "value changed",
            "old": "1.1%",
            "new": "1.9%",
            "old_comparison": "",
            "new_comparison": "",
        }
    ]
    values = page.figures[0].data
    assert values[["area_code", "previous_value", "new_value"]].values.tolist() == [
        [TRAFFORD, 1.1, 1.9]
    ]
    assert "previous_comparison_with_england" in values.columns
    assert page.figures[0].table.rows[0][4:6] == ("1.1%", "1.9%")
    assert page.summary == "1 indicator changed with new data from 1 source."


def test_a_recomputed_indicator_lists_counts_of_changes_never_the_counts(
    engine: Engine, project: Project, tmp_path: Path
) -> None:
    frame = _source_frame(project, WARD_HEALTH)
    first = frame.index[frame["measure"] == "Count"][0] if "measure" in frame else frame.index[0]
    original = frame.loc[first, "value"]
    frame.loc[first, "value"] = str(int(float(original)) + 7)
    _refresh(engine, project, WARD_HEALTH, frame, tmp_path)
    with engine.connect() as connection:
        page = changes_page(FigureContext(project, connection))
    groups = {g["id"]: g for g in page.context["groups"]}
    assert groups, "a changed census count changes the indicators computed from it"
    for group in groups.values():
        assert group["rows"] == []
        assert group["recomputed"]["changed"] >= 1
    recomputed = page.figures[1].data
    assert set(recomputed["indicator_id"]) == set(groups)
    assert not recomputed.isin([original, int(float(original)) + 7]).any().any()


def test_the_changes_template_says_first_edition(engine: Engine, project: Project) -> None:
    from jsna.render.html import environment, render_page

    with engine.connect() as connection:
        page = changes_page(FigureContext(project, connection))
    html = render_page(environment(), page, project, {}, generated=datetime.now(UTC))
    assert "First edition: nothing to compare." in html
