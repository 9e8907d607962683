"""The dashboard queries on SQLite and PostgreSQL: right rows, right columns, indexes used."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, Engine

from jsna.store import queries
from jsna.store.bulk import insert_rows
from jsna.store.schema import dataset_version, observation
from tests.store.builders import add_areas, add_source

NOW = datetime(2026, 11, 26, tzinfo=UTC)
YEARS = (2019, 2020, 2021)


@pytest.fixture
def store(engine: Engine) -> Engine:
    """Two area types (3 LSOAs, 1 LTLA), indicators i1 and i2, versions 1 (old) and 2 (current).

    Version 1 holds i1 for 2019 only, superseded by version 2 (all years of i1
    and i2). Values encode the row: area_id * 1000 + year + version / 10.
    """
    with engine.begin() as connection:
        add_areas(connection)
        add_source(connection)
        insert_rows(
            connection,
            dataset_version,
            pd.DataFrame(
                {
                    "id": [1, 2],
                    "source_id": "s",
                    "checksum": ["a" * 64, "b" * 64],
                    "file_name": "f.csv",
                    "retrieved_at": NOW,
                    "imported_at": NOW,
                    "row_count": 0,
                    "is_current": [False, True],
                }
            ),
        )
        rows = [
            (version, indicator, area_id, "lsoa21" if area_id < 4 else "ltla24", year)
            for version, indicators, years in ((1, ("i1",), (2019,)), (2, ("i1", "i2"), YEARS))
            for indicator in indicators
            for area_id in (1, 2, 3, 4)
            for year in years
        ]
        frame = pd.DataFrame(
            rows, columns=["version_id", "indicator_id", "area_id", "area_type", "period_start"]
        )
        frame["period"] = frame["period_start"].astype(str)
        frame["value"] = frame["area_id"] * 1000 + frame["period_start"] + frame["version_id"] / 10
        frame["numerator"] = np.where(frame["area_id"] == 2, np.nan, 5.0)
        insert_rows(connection, observation, frame)
    return engine


def test_indicator_rows_one_indicator_one_area_type_all_periods(store: Engine) -> None:
    with store.connect() as connection:
        frame = queries.indicator_rows(connection, "i1", "lsoa21")
    assert list(frame.columns) == list(queries.COLUMNS)
    assert len(frame) == 3 * len(YEARS)
    assert set(frame["indicator_id"]) == {"i1"}
    assert set(frame["area_type"]) == {"lsoa21"}
    assert set(frame["version_id"]) == {2}  # the current version only
    assert frame["period_start"].is_monotonic_increasing
    expected = frame["area_id"] * 1000 + frame["period_start"] + 0.2
    assert np.allclose(frame["value"], expected)
    assert frame.loc[frame["area_id"] == 2, "numerator"].isna().all()
    assert frame.loc[frame["area_id"] != 2, "numerator"].eq(5.0).all()
    assert frame["sex"].eq("persons").all()
    assert frame["period"].tolist() == frame["period_start"].astype(str).tolist()


def test_indicator_rows_for_chosen_versions(store: Engine) -> None:
    with store.connect() as connection:
        old = queries.indicator_rows(connection, "i1", "lsoa21", version_ids=[1])
        both = queries.indicator_rows(connection, "i1", "lsoa21", version_ids=[1, 2])
        none = queries.indicator_rows(connection, "i1", "lsoa21", version_ids=[])
        missing = queries.indicator_rows(connection, "i9", "lsoa21")
    assert sorted(old["area_id"]) == [1, 2, 3]
    assert set(old["period_start"]) == {2019}
    assert len(both) == 3 + 3 * len(YEARS)
    for empty in (none, missing):
        assert empty.empty
        assert list(empty.columns) == list(queries.COLUMNS)
        assert empty["value"].dtype == np.float64


def test_area_rows_one_area_all_indicators(store: Engine) -> None:
    with store.connect() as connection:
        frame = queries.area_rows(connection, 4)
        chosen = queries.area_rows(connection, 4, version_ids=[1])
    assert list(frame.columns) == list(queries.COLUMNS)
    assert frame["indicator_id"].tolist() == sorted(frame["indicator_id"])
    assert sorted(zip(frame["indicator_id"], frame["period_start"], strict=True)) == [
        (indicator, year) for indicator in ("i1", "i2") for year in YEARS
    ]
    assert set(frame["area_id"]) == {4}
    assert set(frame["area_type"]) == {"ltla24"}
    assert np.allclose(frame["value"], 4000 + frame["period_start"] + 0.2)
    assert chosen["period_start"].tolist() == [2019]
    assert chosen["version_id"].tolist() == [1]


def plan(connection: Connection, sql: str, parameters: list[object]) -> str:
    """The query plan as text (the index must be usable: no sequential scans allowed)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    if connection.dialect.name == "sqlite":
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", parameters)
        text = "\n".join(str(row[-1]) for row in cursor.fetchall())
    else:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", parameters)
        text = "\n".join(str(row[0]) for row in cursor.fetchall())
    cursor.close()
    return text


def test_queries_use_the_indexes(store: Engine) -> None:
    with store.begin() as connection:
        by_indicator = plan(connection, *queries.indicator_sql(connection, "i1", "lsoa21")[:2])
        by_area = plan(connection, *queries.area_sql(connection, 4, version_ids=[1, 2])[:2])
    assert "ix_observation_indicator" in by_indicator, by_indicator
    assert "ix_observation_area" in by_area, by_area
    if store.dialect.name == "sqlite":
        assert "SCAN observation" not in by_indicator + by_area
        assert "USE TEMP B-TREE FOR ORDER BY" not in by_indicator + by_area
