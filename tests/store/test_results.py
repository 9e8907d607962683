"""Publishing results: small numbers are suppressed before they reach the result table."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select

from jsna.stats import additive_relations, recoverable_cells
from jsna.store.results import publish_results
from jsna.store.schema import area, area_type, result

WARDS = {"W1": 3, "W2": 40, "W3": 55, "W4": 61}
"""Counts by ward of one locality; W1 is small."""


def _areas(engine: Engine) -> dict[str, int]:
    with engine.begin() as connection:
        connection.execute(
            insert(area_type),
            [
                {
                    "code": "ward23",
                    "name": "Ward",
                    "level": 2,
                    "vintage": "2023",
                    "is_custom": False,
                },
                {
                    "code": "locality",
                    "name": "Locality",
                    "level": 3,
                    "vintage": "2023",
                    "is_custom": True,
                },
            ],
        )
        rows = [{"area_type": "ward23", "code": code, "name": code} for code in WARDS]
        rows.append({"area_type": "locality", "code": "L1", "name": "North"})
        connection.execute(insert(area), rows)
        return dict(connection.execute(select(area.c.code, area.c.id)).all())


def _results(ids: dict[str, int]) -> pd.DataFrame:
    counts = {**WARDS, "L1": sum(WARDS.values())}
    frame = pd.DataFrame(
        {
            "indicator_id": "smoking",
            "area_id": [ids[code] for code in counts],
            "area_type": ["ward23"] * 4 + ["locality"],
            "period": "2023",
            "period_start": 2023,
            "sex": "persons",
            "age": "all ages",
            "breakdown_type": "",
            "breakdown": "",
            "numerator": list(counts.values()),
            "denominator": [1000.0] * 4 + [4000.0],
            "comparison": "similar",
        },
        index=list(counts),
    )
    frame["value"] = frame["numerator"] / frame["denominator"] * 100
    frame["lower_95"] = frame["value"] * 0.9
    frame["upper_95"] = frame["value"] * 1.1
    return frame


def test_small_count_and_its_complement_are_hidden(engine: Engine) -> None:
    frame = _results(_areas(engine))
    relations = additive_relations(
        frame.assign(code=frame.index),
        keys="code",
        column="code",
        parents=dict.fromkeys(WARDS, "L1"),
    )
    with engine.begin() as connection:
        written = publish_results(connection, frame, input_versions=[3, 1], relations=relations)
    with engine.connect() as connection:
        stored = pd.read_sql(select(result).order_by(result.c.area_id), connection)
    assert len(stored) == 5
    hidden = stored[stored["suppressed"]]
    assert len(hidden) == 2  # W1 (count 3) and one more, so W1 cannot be subtracted from L1
    for column in ("numerator", "value", "lower_95", "upper_95", "comparison"):
        assert hidden[column].isna().all(), column
    assert set(hidden["suppression_reason"].str.split(":").str[0]) == {"count 1 to 4", "secondary"}
    assert stored["input_versions"].unique().tolist() == ["[1, 3]"]
    assert recoverable_cells(written, "numerator", relations=relations).sum() == 0


def test_republishing_replaces_and_errors_change_nothing(engine: Engine) -> None:
    frame = _results(_areas(engine))
    with engine.begin() as connection:
        publish_results(
            connection, frame, input_versions=[1], computed_at=datetime(2026, 1, 1, tzinfo=UTC)
        )
    with engine.begin() as connection:
        publish_results(connection, frame, input_versions=[2])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(result)).scalar_one() == 5
    broken = frame.assign(numerator=frame["numerator"].where(frame.index != "W2", -1))
    with pytest.raises(ValueError, match="must be >= 0"), engine.begin() as connection:
        publish_results(connection, broken, input_versions=[3])
    with engine.connect() as connection:
        versions = connection.execute(select(result.c.input_versions).distinct()).scalars().all()
    assert versions == ["[2]"]
