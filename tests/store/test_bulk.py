"""insert_rows and bulk_load on SQLite and PostgreSQL: values, defaults, transactions, indexes."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError

from jsna.store.bulk import bulk_load, column_values, insert_rows
from jsna.store.schema import area, area_type, dataset_version, metadata, observation, source

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def seed(engine: Engine, areas: int = 3) -> None:
    """One area type, ``areas`` areas, one source and one dataset version (id 1)."""
    with engine.begin() as connection:
        insert_rows(
            connection,
            area_type,
            pd.DataFrame([{"code": "lsoa21", "name": "LSOA", "level": 0, "vintage": "2021"}]),
        )
        codes = [f"E0100000{n}" for n in range(1, areas + 1)]
        insert_rows(
            connection,
            area,
            pd.DataFrame(
                {"id": range(1, areas + 1), "area_type": "lsoa21", "code": codes, "name": codes}
            ),
        )
        insert_rows(
            connection,
            source,
            pd.DataFrame(
                [
                    {
                        "id": "s",
                        "title": "T",
                        "publisher": "P",
                        "licence": "OGL",
                        "format": "csv",
                        "declaration": "{}",
                    }
                ]
            ),
        )
        insert_rows(
            connection,
            dataset_version,
            pd.DataFrame(
                [
                    {
                        "id": 1,
                        "source_id": "s",
                        "checksum": "c" * 64,
                        "file_name": "f.csv",
                        "retrieved_at": NOW,
                        "imported_at": NOW,
                        "row_count": 2,
                    }
                ]
            ),
        )


def observations(count: int, **columns: object) -> pd.DataFrame:
    """``count`` valid observation rows for area 1, version 1 (columns overridable)."""
    frame = pd.DataFrame(
        {
            "version_id": 1,
            "indicator_id": "i1",
            "area_id": 1,
            "area_type": "lsoa21",
            "period": [str(2010 + n) for n in range(count)],
            "period_start": [2010 + n for n in range(count)],
            "value": np.arange(count, dtype=float),
        }
    )
    return frame.assign(**columns)


def count_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(observation)).scalar_one())


def test_column_values_are_plain_python_with_none_for_missing() -> None:
    assert column_values(pd.Series([1.5, np.nan])) == [1.5, None]
    assert column_values(pd.Series(["a", None, np.nan])) == ["a", None, None]
    assert column_values(pd.Series([1, pd.NA], dtype="Int64")) == [1, None]
    mixed = column_values(pd.Series([np.int64(3), np.float64(0.5), None], dtype=object))
    assert mixed == [3, 0.5, None]
    assert [type(value) for value in mixed] == [int, float, type(None)]
    assert column_values(pd.Series([2**62])) == [2**62]


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_text_columns_give_str_and_none(dtype: object) -> None:
    values = column_values(pd.Series(["a", None, "é", pd.NA, ""], dtype=dtype))  # type: ignore[call-overload]
    assert values == ["a", None, "é", None, ""]
    assert [type(value) for value in values] == [str, type(None), str, type(None), str]


def test_round_trip_of_missing_values_strings_and_large_ints(engine: Engine) -> None:
    seed(engine)
    awkward = ["tab\there", 'quote " and \\ backslash', "new\nline", "café ñ", ""]
    frame = observations(
        5,
        id=[2**53 + 1, 2**40, 7, 8, 9],
        numerator=[1.0, np.nan, None, 4.0, np.nan],
        denominator=pd.array([10, None, 30, 40, 50], dtype="Float64"),
        breakdown=awkward,
        lower_95=[0.1, 0.2, float("nan"), 0.4, 0.5],
    )
    with engine.begin() as connection:
        assert insert_rows(connection, observation, frame) == 5
    with engine.connect() as connection:
        rows = connection.execute(select(observation).order_by(observation.c.period_start)).all()
    assert [row.id for row in rows] == [2**53 + 1, 2**40, 7, 8, 9]
    assert [row.numerator for row in rows] == [1.0, None, None, 4.0, None]
    assert [row.denominator for row in rows] == [10.0, None, 30.0, 40.0, 50.0]
    assert [row.lower_95 for row in rows] == [0.1, 0.2, None, 0.4, 0.5]
    assert [row.breakdown for row in rows] == awkward
    assert all(row.upper_95 is None for row in rows)
    assert not any(isinstance(row.value, float) and math.isnan(row.value) for row in rows)


def test_defaults_apply_to_absent_columns_and_datetimes_round_trip(engine: Engine) -> None:
    seed(engine)
    with engine.begin() as connection:
        insert_rows(connection, observation, observations(1))
    with engine.connect() as connection:
        row = connection.execute(select(observation)).one()
        version = connection.execute(select(dataset_version)).one()
    assert (row.sex, row.age, row.breakdown_type, row.breakdown) == ("persons", "all ages", "", "")
    assert version.is_current is True
    retrieved = version.retrieved_at
    if retrieved.tzinfo is None:  # SQLite keeps no zone
        retrieved = retrieved.replace(tzinfo=UTC)
    assert retrieved == NOW


def test_failure_mid_insert_leaves_nothing_after_rollback(engine: Engine) -> None:
    seed(engine)
    bad = observations(4, area_id=[1, 2, 999, 3])  # area 999 does not exist
    with engine.begin() as connection:
        insert_rows(connection, observation, observations(3))
        with pytest.raises(IntegrityError):
            insert_rows(connection, observation, bad)
        connection.rollback()
    assert count_rows(engine) == 0


def test_not_null_violation_is_an_integrity_error(engine: Engine) -> None:
    seed(engine)
    frame = observations(3, indicator_id=["i1", None, "i1"])
    with pytest.raises(IntegrityError), engine.begin() as connection:
        insert_rows(connection, observation, frame)
    assert count_rows(engine) == 0


def test_commit_on_a_plain_connection_keeps_the_rows(engine: Engine) -> None:
    seed(engine)
    with engine.connect() as connection:
        insert_rows(connection, observation, observations(2))
        connection.commit()
    assert count_rows(engine) == 2


def test_unknown_columns_and_empty_frames(engine: Engine) -> None:
    with engine.begin() as connection:
        with pytest.raises(ValueError, match="no such columns"):
            insert_rows(connection, observation, pd.DataFrame({"nonsense": [1]}))
        assert insert_rows(connection, observation, observations(0)) == 0


def test_bulk_load_restores_the_schema(engine: Engine) -> None:
    seed(engine)
    with engine.begin() as connection, bulk_load(connection, observation):
        names = {index["name"] for index in inspect(connection).get_indexes("observation")}
        assert names == set()
        insert_rows(connection, observation, observations(5))
    assert count_rows(engine) == 5
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def test_bulk_load_still_rejects_bad_references(engine: Engine) -> None:
    seed(engine)
    with (
        pytest.raises(IntegrityError),
        engine.begin() as connection,
        bulk_load(connection, observation),
    ):
        insert_rows(connection, observation, observations(2, area_id=[1, 999]))
    assert count_rows(engine) == 0
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
