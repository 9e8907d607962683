"""``changes_since``: values and significance against England, before and after a new vintage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from jsna.content.sources import load_sources
from jsna.errors import JsnaError
from jsna.ingest.changes import changes_since, resolve_since
from jsna.ingest.pipeline import import_file

from .conftest import ENGLAND, write_project
from .test_pipeline import changed_devdata

BURY = "E08000002"


def test_a_new_england_value_changes_its_value_and_the_significance_of_areas(
    engine: Engine, tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", devdata_source)
    declared = load_sources(project)["diabetes_nw"]
    first = import_file(engine, project, declared)
    import_file(engine, project, declared, changed_devdata(tmp_path))
    with engine.connect() as connection:
        found = changes_since(connection, resolve_since(connection, str(first.version_id)))
    england = found[found["area_code"] == ENGLAND]
    assert england[["period", "old_value", "new_value", "change"]].round(6).values.tolist() == [
        ["2019", 7.082609, 7.5, "value"]
    ]
    assert set(found["period"]) == {"2019"}
    assert set(found["change"]) == {"value", "significance"}
    bury = found[found["area_code"] == BURY].iloc[0]
    assert (bury["old_comparison"], bury["new_comparison"], bury["change"]) == (
        "higher",
        "similar",
        "significance",
    )
    assert bury["old_value"] == bury["new_value"]
    assert len(found) > 2


def test_since_a_date_before_the_first_import_everything_is_new(
    engine: Engine, tmp_path: Path, census_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source)
    import_file(engine, project, load_sources(project)["census_health"])
    with engine.connect() as connection:
        found = changes_since(connection, resolve_since(connection, "2020-01-01"))
        later = changes_since(connection, datetime.now(UTC) + timedelta(days=1))
    assert len(found) == 105
    assert set(found["change"]) == {"new"}
    assert later.empty


def test_since_must_be_a_version_or_a_date(engine: Engine) -> None:
    with engine.connect() as connection:
        with pytest.raises(JsnaError, match="give a version number or a date"):
            resolve_since(connection, "last year")
        with pytest.raises(JsnaError, match="no dataset version 42"):
            resolve_since(connection, "42")
        assert resolve_since(connection, "2025-04-01") == datetime(2025, 4, 1, tzinfo=UTC)
