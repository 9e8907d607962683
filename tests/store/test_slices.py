"""Packed slices on SQLite and PostgreSQL: the same frame as the rows, fresh or ignored."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, func, select

from jsna.store import queries, slices
from jsna.store.bulk import insert_rows
from jsna.store.schema import (
    dataset_version,
    observation,
    observation_slice,
    observation_slice_part,
)
from jsna.store.slices import decode, encode, encode_parts, read_slice, refresh_slices
from jsna.store.versions import add_version
from tests.store.builders import add_areas, add_source

NOW = datetime(2026, 11, 26, tzinfo=UTC)
YEARS = (2019, 2020, 2021)
BREAKDOWNS = (("", ""), ("Sex", "Male"), ("Deprivation decile", "Most deprived 10%"))


def observations(version_id: int, indicators: tuple[str, ...], shift: float) -> pd.DataFrame:
    """Rows of ``indicators`` for areas 1-4 (two types), every year and breakdown.

    Areas come in descending order so that the id order differs from area order;
    area 2 has no numerator (NULL) and area 3 no value in 2020.
    """
    rows = [
        (indicator, area_id, year, kind, name)
        for indicator in indicators
        for area_id in (4, 3, 2, 1)
        for kind, name in BREAKDOWNS
        for year in YEARS
    ]
    frame = pd.DataFrame(
        rows, columns=["indicator_id", "area_id", "period_start", "breakdown_type", "breakdown"]
    )
    frame["version_id"] = version_id
    frame["area_type"] = np.where(frame["area_id"] < 4, "lsoa21", "ltla24")
    frame["period"] = (
        frame["period_start"].astype(str) + "/" + (frame["period_start"] % 100 + 1).astype(str)
    )
    frame["sex"] = np.where(frame["breakdown"] == "Male", "male", "persons")
    frame["value"] = frame["area_id"] * 1000 + frame["period_start"] + shift
    frame.loc[(frame["area_id"] == 3) & (frame["period_start"] == 2020), "value"] = np.nan
    frame["numerator"] = np.where(frame["area_id"] == 2, np.nan, 5.0)
    frame["lower_95"] = frame["value"] - 1.5
    return frame


@pytest.fixture
def store(engine: Engine) -> Engine:
    """Areas 1-3 (lsoa21) and 4 (ltla24); source s, version 1 (current) with i1 and i2."""
    with engine.begin() as connection:
        add_areas(connection)
        add_source(connection)
        version = new_version(connection, "a")
        insert_rows(connection, observation, observations(version, ("i1", "i2"), 0.1))
    return engine


def new_version(connection: Connection, letter: str) -> int:
    return add_version(
        connection,
        "s",
        checksum=letter * 64,
        file_name="f.csv",
        retrieved_at=NOW,
        imported_at=NOW,
        row_count=0,
    )


def slice_count(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(observation_slice)) or 0)


@pytest.mark.parametrize("kind", ["lsoa21", "ltla24"])
def test_slice_frame_equals_row_frame(store: Engine, kind: str) -> None:
    with store.begin() as connection:
        assert refresh_slices(connection) == 4
    with store.connect() as connection:
        for indicator in ("i1", "i2"):
            rows = queries.indicator_rows_from_rows(connection, indicator, kind)
            packed = read_slice(connection, indicator, kind)
            assert packed is not None
            pd.testing.assert_frame_equal(packed, rows)
            pd.testing.assert_frame_equal(queries.indicator_rows(connection, indicator, kind), rows)
            assert rows["value"].isna().any() == (kind == "lsoa21")
            assert set(rows["breakdown"]) == {name for _, name in BREAKDOWNS}
            assert rows["period_start"].is_monotonic_increasing
            assert len(rows) == (3 if kind == "lsoa21" else 1) * len(BREAKDOWNS) * len(YEARS)
            packed.loc[0, "value"] = -1.0  # the frame is writable
        assert read_slice(connection, "nothing", "lsoa21") is None


def test_encode_decode_round_trip_is_lossless() -> None:
    frame = pd.DataFrame(
        {
            "version_id": np.array([1, 70_000, 3, 3], dtype=np.int64),
            "area_id": np.array([7, 7, 7, 7], dtype=np.int64),  # constant
            "breakdown": pd.array(["a", "b", "a", "é"], dtype="str"),
            "sex": pd.array(["persons"] * 4, dtype="str"),  # one category
            "value": [np.nan, 2.5, 1e300, -1.0],
            "numerator": [np.nan, 2.0, 3.0, -4.0],  # whole numbers and NaN
            "denominator": [0.0, -0.0, 1.0, 2.0],  # -0.0 must survive
            "lower_95": [2.0**31, 1.0, 2.0, 3.0],  # beyond int32
            "upper_95": [np.inf, 1.0, 2.0, 3.0],
        }
    )
    for part in (frame, frame.iloc[:0], frame.iloc[:1]):
        decoded = decode(encode(part))
        pd.testing.assert_frame_equal(decoded, part.reset_index(drop=True))
    assert np.signbit(decode(encode(frame))["denominator"].to_numpy()).tolist() == [
        False,
        True,
        False,
        False,
    ]


def test_columns_of_few_runs_are_stored_as_runs_losslessly() -> None:
    rows = 4000
    frame = pd.DataFrame(
        {
            "area_id": np.tile(np.arange(1, 401, dtype=np.int64), 10),  # same areas each period
            "period_start": np.repeat(np.arange(2014, 2024, dtype=np.int64), 400),
            "version_id": np.tile(np.array([-(2**63), 2**63 - 1], dtype=np.int64), rows // 2),
            "period": pd.array(np.repeat(np.array(["2014", "2015/16"] * 5), 400), dtype="str"),
        }
    )
    payload = encode(frame)
    assert len(payload) < 2 * 8 * rows  # version_id alternates: no runs, 8 bytes a row
    decoded = decode(payload)
    pd.testing.assert_frame_equal(decoded, frame)
    decoded.loc[0, "area_id"] = 7  # writable
    wrapping = frame.assign(area_id=np.repeat(np.array([2**63 - 1, -(2**63)]), rows // 2))
    pd.testing.assert_frame_equal(decode(encode(wrapping)), wrapping)  # steps overflow


def test_shared_text_columns_are_copied_before_a_write() -> None:
    frame = pd.DataFrame(
        {
            "sex": pd.array(["persons"] * 40, dtype="str"),
            "breakdown": pd.array([""] * 40, dtype="str"),
            "breakdown_type": pd.array([""] * 40, dtype="str"),
            "period": pd.array(["2019"] * 20 + ["2020"] * 20, dtype="str"),
        }
    )
    payload = encode(frame)
    first, second = decode(payload), decode(payload)
    first.loc[0, ["sex", "breakdown", "period"]] = ["male", "x", "2021"]
    first.loc[1:3, "breakdown_type"] = "Sex"
    assert first.loc[0].tolist() == ["male", "x", "", "2021"]
    assert first.loc[1].tolist() == ["persons", "", "Sex", "2019"]
    pd.testing.assert_frame_equal(second, frame)  # shared columns untouched
    pd.testing.assert_frame_equal(decode(payload), frame)


def test_new_version_makes_slice_stale_until_refreshed(store: Engine) -> None:
    with store.begin() as connection:
        refresh_slices(connection)
    with store.begin() as connection:
        version = new_version(connection, "b")
        insert_rows(connection, observation, observations(version, ("i1",), 0.2))
    with store.connect() as connection:
        assert read_slice(connection, "i1", "lsoa21") is None
        frame = queries.indicator_rows(connection, "i1", "lsoa21")
        assert set(frame["version_id"]) == {version}  # rows of the new version, not the slice
        assert read_slice(connection, "i2", "lsoa21") is None  # its version is superseded too
        assert queries.indicator_rows(connection, "i2", "lsoa21").empty
    with store.begin() as connection:
        assert refresh_slices(connection, ["i1", "i2"]) == 2  # i1 on both area types
    with store.connect() as connection:
        packed = read_slice(connection, "i1", "lsoa21")
        assert packed is not None
        pd.testing.assert_frame_equal(packed, frame)
        assert read_slice(connection, "i2", "lsoa21") is None  # no current rows, no slice
        assert slice_count(connection) == 2


def test_version_ids_bypass_slices(store: Engine) -> None:
    with store.begin() as connection:
        refresh_slices(connection)
        version = new_version(connection, "b")
        insert_rows(connection, observation, observations(version, ("i1",), 0.2))
        refresh_slices(connection, ["i1"])
    with store.connect() as connection:
        old = queries.indicator_rows(connection, "i1", "lsoa21", version_ids=[version - 1])
        assert set(old["version_id"]) == {version - 1}
        both = queries.indicator_rows(connection, "i1", "lsoa21", version_ids=[1, version])
        assert len(both) == 2 * len(old)
        assert read_slice(connection, "i1", "lsoa21", [version - 1]) is None
        assert read_slice(connection, "i1", "lsoa21", [version]) is not None


def test_refresh_is_idempotent(store: Engine) -> None:
    with store.begin() as connection:
        refresh_slices(connection)
        first = connection.execute(
            select(
                observation_slice.c.indicator_id,
                observation_slice.c.area_type,
                observation_slice.c.version_key,
                observation_slice.c.row_count,
                observation_slice.c.payload,
            ).order_by(observation_slice.c.indicator_id, observation_slice.c.area_type)
        ).all()
        refresh_slices(connection)
        refresh_slices(connection, ["i1"])
        second = connection.execute(
            select(
                observation_slice.c.indicator_id,
                observation_slice.c.area_type,
                observation_slice.c.version_key,
                observation_slice.c.row_count,
                observation_slice.c.payload,
            ).order_by(observation_slice.c.indicator_id, observation_slice.c.area_type)
        ).all()
    assert [tuple(row) for row in first] == [tuple(row) for row in second]
    assert len(first) == 4
    with store.begin() as connection:
        assert refresh_slices(connection, []) == 0
        assert slice_count(connection) == 4


def test_a_source_with_several_current_versions_keeps_fresh_slices(store: Engine) -> None:
    with store.begin() as connection:
        insert_rows(
            connection,
            dataset_version,
            pd.DataFrame(
                [
                    {
                        "id": 50,
                        "source_id": "s",
                        "checksum": "c" * 64,
                        "file_name": "g.csv",
                        "retrieved_at": NOW,
                        "imported_at": NOW,
                        "row_count": 0,
                        "is_current": True,
                    }
                ]
            ),
        )
        insert_rows(connection, observation, observations(50, ("i3",), 0.3))
        refresh_slices(connection)
    with store.connect() as connection:
        key = connection.scalar(
            select(observation_slice.c.version_key).where(observation_slice.c.indicator_id == "i3")
        )
        assert key == "1,50"
        packed = read_slice(connection, "i3", "lsoa21")
        assert packed is not None
        pd.testing.assert_frame_equal(
            packed, queries.indicator_rows_from_rows(connection, "i3", "lsoa21")
        )
        assert set(packed["version_id"]) == {50}


def part_rows(connection: Connection) -> list[tuple[str, str, str, int]]:
    query = select(
        observation_slice_part.c.indicator_id,
        observation_slice_part.c.area_type,
        observation_slice_part.c.version_key,
        observation_slice_part.c.part,
    ).order_by(*observation_slice_part.primary_key.columns)
    return [tuple(row) for row in connection.execute(query)]  # type: ignore[misc]


def test_encode_parts_puts_each_large_array_in_a_part_of_its_own() -> None:
    rows = 5000
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "area_id": rng.permutation(rows) + 100_000,  # int32: 20,000 bytes
            "period_start": np.repeat(np.arange(2000, 2010), rows // 10),  # 10 runs of steps
            "period": pd.array(np.where(np.arange(rows) % 2, "2020", "2021"), dtype="str"),
            "value": rng.random(rows),  # float64: 40,000 bytes
            "numerator": np.where(np.arange(rows) % 7 == 0, np.nan, 3.0),
        }
    )
    parts = encode_parts(frame, part_bytes=10_001)  # numerator: int16, 10,000 bytes
    assert [len(part) for part in parts[1:]] == [20_000, 40_000]  # area_id, value
    assert len(parts[0]) < 20_000  # header, period codes and runs, numerator and its NaN mask
    pd.testing.assert_frame_equal(decode(parts), frame)
    assert encode_parts(frame, part_bytes=10**9) == [encode(frame)]
    with pytest.raises(ValueError, match="slice has 2 parts, its header says 3"):
        decode(parts[:2])


def test_slices_in_parts_read_back_and_are_replaced(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slices, "PART_BYTES", 16)  # every array of two or more rows
    with store.begin() as connection:
        assert refresh_slices(connection) == 4
        first = part_rows(connection)
        assert {row[:3] for row in first} == {
            ("i1", "lsoa21", "1"),
            ("i1", "ltla24", "1"),
            ("i2", "lsoa21", "1"),
            ("i2", "ltla24", "1"),
        }
        refresh_slices(connection, ["i1"])
        assert part_rows(connection) == first  # replaced, not added to
    with store.connect() as connection:
        for indicator in ("i1", "i2"):
            packed = read_slice(connection, indicator, "lsoa21")
            assert packed is not None
            rows = queries.indicator_rows_from_rows(connection, indicator, "lsoa21")
            pd.testing.assert_frame_equal(packed, rows)
    with store.begin() as connection:
        connection.execute(
            observation_slice_part.delete().where(
                observation_slice_part.c.indicator_id == "i1",
                observation_slice_part.c.area_type == "lsoa21",
                observation_slice_part.c.part == 2,
            )
        )
    with store.connect() as connection:
        assert read_slice(connection, "i1", "lsoa21") is None  # a part missing: not trusted
        assert read_slice(connection, "i1", "ltla24") is not None


def test_a_slice_written_in_one_part_still_reads(store: Engine) -> None:
    with store.begin() as connection:
        rows = queries.indicator_rows_from_rows(connection, "i1", "lsoa21")
        connection.execute(
            observation_slice.insert().values(
                indicator_id="i1",
                area_type="lsoa21",
                version_key="1",
                row_count=len(rows),
                built_at=NOW,
                payload=encode(rows),
            )
        )
    with store.connect() as connection:
        packed = read_slice(connection, "i1", "lsoa21")
        assert packed is not None
        pd.testing.assert_frame_equal(packed, rows)
