"""The import pipeline on SQLite and PostgreSQL: versions, reads, and all-or-nothing writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from jsna.content.sources import load_sources
from jsna.errors import InputFileError, StoreError
from jsna.ingest.pipeline import import_file, ingest_project
from jsna.ingest.problems import ImportRejectedError
from jsna.store import migrate
from jsna.store.areas import area_ids
from jsna.store.queries import area_rows, indicator_rows, indicator_rows_from_rows
from jsna.store.schema import audit_log, dataset_version, metadata, observation, source
from jsna.store.slices import read_slice
from jsna.store.versions import list_versions

from .conftest import (
    CENSUS,
    DEVDATA,
    ENGLAND,
    TRAFFORD,
    devdata_rows,
    write_census_xlsx,
    write_fingertips_csv,
    write_project,
    write_wards_geojson,
)

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every table, in primary-key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def changed_devdata(tmp_path: Path, value: str = "7.5") -> Path:
    """The real dev-data file with England's 2019 diabetes prevalence changed."""
    frame = pd.read_csv(DEVDATA, dtype=str, keep_default_na=False)
    chosen = (frame["area_code"] == ENGLAND) & (frame["indicator_id"] == "241")
    chosen &= frame["year"] == "2019"
    frame.loc[chosen, ["value", "lower_ci_95", "upper_ci_95"]] = [value, "7.45", "7.55"]
    path = tmp_path / "devdata_v2.csv"
    frame.to_csv(path, index=False)
    return path


def test_ingest_loads_every_source_once(
    engine: Engine, tmp_path: Path, census_source: dict[str, Any], devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source, devdata_source)
    outcome = ingest_project(engine, project)
    assert outcome.failures == {}
    rows = {result.source_id: result.rows for result in outcome.results}
    assert rows["census_health"] == 105
    assert {result.status for result in outcome.results} == {"imported"}
    assert count(engine, observation) == sum(rows.values())
    assert count(engine, source) == 2
    assert count(engine, audit_log) == 2
    with engine.connect() as connection:
        stored = list_versions(connection)
    assert [v.source_id for v in stored] == ["census_health", "diabetes_nw"]
    assert stored[0].file_name == CENSUS.name
    assert len(stored[0].checksum) == 64
    assert all(v.is_current for v in stored)

    before = snapshot(engine)
    again = ingest_project(engine, project)
    assert [result.status for result in again.results] == ["unchanged", "unchanged"]
    assert snapshot(engine) == before


def test_a_changed_file_is_a_new_version_and_the_old_one_stays_queryable(
    engine: Engine, tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", devdata_source)
    declared = load_sources(project)["diabetes_nw"]
    first = import_file(engine, project, declared)
    second = import_file(engine, project, declared, changed_devdata(tmp_path))
    assert second.status == "imported"
    assert second.version_id != first.version_id
    assert second.rows == first.rows
    assert count(engine, observation) == 2 * first.rows
    with engine.connect() as connection:
        current = {v.id: v.is_current for v in list_versions(connection)}
        now = indicator_rows(connection, "241", "country")
        then = indicator_rows(connection, "241", "country", version_ids=[first.version_id])
        trafford = area_rows(connection, area_ids(connection, [TRAFFORD])[TRAFFORD])
    trafford = trafford.sort_values("period_start", ignore_index=True)
    assert current == {first.version_id: False, second.version_id: True}
    assert now.loc[now["period"] == "2019", "value"].tolist() == [7.5]
    assert then.loc[then["period"] == "2019", "value"].round(6).tolist() == [7.082609]
    assert set(now["version_id"]) == {second.version_id}
    assert trafford["period"].tolist() == ["2018", "2019", "2020", "2021", "2022", "2023"]
    assert trafford["value"].iloc[0] == pytest.approx(6.4, abs=1.5)

    restored = import_file(engine, project, declared)
    assert (restored.status, restored.version_id) == ("restored", first.version_id)
    with engine.connect() as connection:
        assert {v.id: v.is_current for v in list_versions(connection)} == {
            first.version_id: True,
            second.version_id: False,
        }
    assert count(engine, dataset_version) == 2


def test_a_rejected_file_leaves_every_table_as_it_was(
    engine: Engine, tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", devdata_source)
    declared = load_sources(project)["diabetes_nw"]
    import_file(engine, project, declared)
    before = snapshot(engine)
    frame = pd.read_csv(DEVDATA, dtype=str, keep_default_na=False)
    chosen = (frame["indicator_id"] == "241") & (frame["area_code"] == TRAFFORD)
    frame.loc[chosen, "count"] = "999999999"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    with pytest.raises(ImportRejectedError) as caught:
        import_file(engine, project, declared, bad)
    assert len(caught.value.problems) == int(chosen.sum())
    assert str(caught.value.problems[0]).startswith(f"{bad}:")
    assert "count: numerator above denominator ('999999999')" in str(caught.value.problems[0])
    assert snapshot(engine) == before


def _refuse_observations(engine: Engine) -> None:
    """A real trigger that makes the database refuse every observation row."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON observation "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        else:
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON observation "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )


def test_a_failure_while_writing_rolls_back_source_version_and_areas(
    engine: Engine, tmp_path: Path, census_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source)
    _refuse_observations(engine)
    before = snapshot(engine)
    with pytest.raises(StoreError, match="refused by the test"):
        import_file(engine, project, load_sources(project)["census_health"])
    assert snapshot(engine) == before


def test_an_unmigrated_store_and_a_url_only_source_are_refused(
    empty_engine: Engine, tmp_path: Path, census_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", census_source)
    with pytest.raises(StoreError, match="run 'jsna db upgrade' first"):
        ingest_project(empty_engine, project)
    migrate.upgrade(empty_engine)
    declared = census_source | {"url": "https://www.nomisweb.co.uk/sources/census_2021"}
    declared.pop("file")
    project = write_project(tmp_path / "other", declared)
    outcome = ingest_project(empty_engine, project)
    assert outcome.results == []
    error = outcome.failures["census_health"]
    assert isinstance(error, InputFileError)
    assert "declares only a url" in str(error)


def test_fingertips_deprivation_breakdowns_with_long_category_types(
    engine: Engine, tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    declared = devdata_source | {"id": "smoking_deciles", "measure": None}
    declared["filters"] = [
        {"column": "indicator_id", "equals": "92904"},
        devdata_source["filters"][1],
    ]
    project = write_project(tmp_path / "project", declared)
    result = import_file(engine, project, load_sources(project)["smoking_deciles"])
    with engine.connect() as connection:
        stored = indicator_rows(connection, "92904", "country")
    longest = stored["breakdown_type"].str.len().max()
    assert longest > 64
    assert len(stored[stored["breakdown_type"] != ""]) > 300
    assert result.rows >= len(stored)


def test_xlsx_geojson_and_fingertips_sources_in_one_project(
    engine: Engine, tmp_path: Path, census_source: dict[str, Any], devdata_source: dict[str, Any]
) -> None:
    data = tmp_path / "project" / "data"
    data.mkdir(parents=True)
    write_census_xlsx(data / "health.xlsx")
    write_wards_geojson(data / "wards.geojson")
    write_fingertips_csv(data / "fingertips.csv", devdata_rows())
    workbook = census_source | {"id": "health_xlsx", "file": "data/health.xlsx", "format": "xlsx"}
    workbook |= {"sheet": "Health", "filters": []}
    workbook["columns"] = {"area_code": "Ward code", "breakdown": "Health", "value": "Persons"}
    workbook["fixed"] = workbook["fixed"] | {"period": "2021"}
    shapes = census_source | {"id": "wards_geojson", "file": "data/wards.geojson"}
    shapes |= {"format": "geojson", "filters": []}
    shapes["columns"] = {
        "area_code": "ward_code",
        "area_name": "ward_name",
        "value": "very_good_health",
    }
    shapes["fixed"] = {"indicator_id": "very_good_health", "period": "2021"}
    api = {key: devdata_source[key] for key in ("publisher", "licence", "title", "measure")}
    api |= {"id": "fingertips_api", "file": "data/fingertips.csv", "format": "fingertips"}
    api |= {"geography": "utla23"}
    api["filters"] = [{"column": "Area Type", "equals": ["Unitary authority", "England"]}]
    project = write_project(tmp_path / "project", workbook, shapes, api)
    outcome = ingest_project(engine, project)
    assert outcome.failures == {}
    rows = {result.source_id: result.rows for result in outcome.results}
    assert rows["health_xlsx"] == 105
    assert rows["wards_geojson"] == 21
    assert rows["fingertips_api"] > 50
    assert count(engine, observation) == sum(rows.values())
    with engine.connect() as connection:
        altrincham = area_rows(connection, area_ids(connection, ["E05000819"])["E05000819"])
    assert sorted(altrincham["indicator_id"].unique()) == ["general_health", "very_good_health"]
    assert altrincham.loc[altrincham["indicator_id"] == "very_good_health", "value"].tolist() == [
        7484.0
    ]


def test_imports_and_restores_leave_fresh_slices(
    engine: Engine, tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", devdata_source)
    declared = load_sources(project)["diabetes_nw"]
    first = import_file(engine, project, declared)
    second = import_file(engine, project, declared, changed_devdata(tmp_path))
    with engine.connect() as connection:
        packed = read_slice(connection, "241", "country")
        assert packed is not None
        rows = indicator_rows_from_rows(connection, "241", "country")
    pd.testing.assert_frame_equal(packed, rows)
    assert set(packed["version_id"]) == {second.version_id}
    assert packed.loc[packed["period"] == "2019", "value"].tolist() == [7.5]

    import_file(engine, project, declared)  # the first file again: restored
    with engine.connect() as connection:
        restored = read_slice(connection, "241", "country")
        assert restored is not None
        pd.testing.assert_frame_equal(
            restored, indicator_rows_from_rows(connection, "241", "country")
        )
    assert set(restored["version_id"]) == {first.version_id}


def test_a_changed_declaration_of_the_same_file_is_a_new_version(
    engine: Engine, tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    project = write_project(tmp_path / "project", devdata_source)
    first = import_file(engine, project, load_sources(project)["diabetes_nw"])
    devdata_source["title"] = "Diabetes (QOF), renamed"
    devdata_source["filters"] = [
        *devdata_source.get("filters", []),
        {"column": "year", "equals": "2019"},
    ]
    project = write_project(tmp_path / "project", devdata_source)
    second = import_file(engine, project, load_sources(project)["diabetes_nw"])
    assert second.status == "imported"
    assert second.version_id != first.version_id
    assert second.rows < first.rows
    again = import_file(engine, project, load_sources(project)["diabetes_nw"])
    assert (again.status, again.version_id) == ("unchanged", second.version_id)
