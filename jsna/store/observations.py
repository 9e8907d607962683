"""Imported figures: writing a checked frame of observations, and reading them back.

Reads are for the current version of every source by default, or for the
versions given (old vintages stay queryable). Area codes are resolved to
``area`` rows here; an area type the store has no areas for is created from
the imported codes with vintage ``"data"`` (areas loaded by the geography
layer carry a real vintage, and only those are used to check imported codes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import Connection, Select, func, select

from jsna.geography.registry import AREA_TYPES

from .bulk import insert_rows
from .schema import area, area_type, dataset_version, observation

__all__ = [
    "DATA_VINTAGE",
    "OBSERVATION_COLUMNS",
    "checked_area_codes",
    "ensure_areas",
    "observations_of_versions",
    "write_observations",
]

DATA_VINTAGE = "data"
"""Vintage of area types created by an import (not loaded from a boundary or lookup set)."""

OBSERVATION_COLUMNS = [
    column.name
    for column in observation.columns
    if column.name not in ("id", "version_id", "area_id")
]
_FIGURES = ("numerator", "denominator", "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8")
_UNKNOWN_LEVEL = 4
"""Level given to an area type jsna does not know (that of a local authority district)."""


def checked_area_codes(connection: Connection, area_types: Iterable[str]) -> dict[str, set[str]]:
    """The known codes of each area type loaded by the geography layer (others are absent)."""
    wanted = sorted(set(area_types))
    if not wanted:
        return {}
    query = (
        select(area.c.area_type, area.c.code)
        .join(area_type, area_type.c.code == area.c.area_type)
        .where(area.c.area_type.in_(wanted), area_type.c.vintage != DATA_VINTAGE)
    )
    found: dict[str, set[str]] = {}
    for kind, code in connection.execute(query):
        found.setdefault(kind, set()).add(code)
    return found


def ensure_areas(connection: Connection, frame: pd.DataFrame) -> pd.Series:
    """The ``area.id`` of each row of ``frame`` (area_type, area_code, area_name).

    Missing area types and areas are created (vintage ``"data"``).
    """
    pairs = frame[["area_type", "area_code", "area_name"]].drop_duplicates(
        subset=["area_type", "area_code"]
    )
    kinds = sorted(pairs["area_type"].unique())
    existing_kinds = set(
        connection.scalars(select(area_type.c.code).where(area_type.c.code.in_(kinds)))
    )
    for kind in kinds:
        if kind not in existing_kinds:
            registered = AREA_TYPES.get(kind)
            connection.execute(
                area_type.insert().values(
                    code=kind,
                    name=registered.name if registered else kind,
                    level=registered.level if registered else _UNKNOWN_LEVEL,
                    vintage=DATA_VINTAGE,
                    is_custom=False,
                )
            )
    ids = _area_ids(connection, kinds)
    keys = list(zip(pairs["area_type"], pairs["area_code"], strict=True))
    missing = pairs[[key not in ids for key in keys]]
    if not missing.empty:
        new = pd.DataFrame(
            {
                "area_type": missing["area_type"].astype(object),
                "code": missing["area_code"].astype(object),
                "name": missing["area_name"].str.slice(0, 200).astype(object),
            }
        )
        insert_rows(connection, area, new)
        ids = _area_ids(connection, kinds)
    return pd.Series(
        [ids[key] for key in zip(frame["area_type"], frame["area_code"], strict=True)],
        index=frame.index,
        dtype="int64",
    )


def _area_ids(connection: Connection, kinds: Sequence[str]) -> dict[tuple[str, str], int]:
    query = select(area.c.area_type, area.c.code, area.c.id).where(area.c.area_type.in_(kinds))
    return {(kind, code): int(key) for kind, code, key in connection.execute(query)}


def write_observations(connection: Connection, version_id: int, frame: pd.DataFrame) -> int:
    """Store the checked observations of one version (areas created if needed); returns rows."""
    rows = frame[OBSERVATION_COLUMNS].copy()
    rows.insert(0, "area_id", ensure_areas(connection, frame))
    rows.insert(0, "version_id", version_id)
    return insert_rows(connection, observation, rows)


def _read(connection: Connection, query: Select[tuple[object, ...]]) -> pd.DataFrame:
    result = connection.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for name in _FIGURES:
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    return frame


def _selected(version_ids: Sequence[int] | None) -> Select[tuple[object, ...]]:
    columns = [observation.c[name] for name in OBSERVATION_COLUMNS]
    query = (
        select(observation.c.version_id, area.c.code.label("area_code"), *columns)
        .join(area, area.c.id == observation.c.area_id)
        .join(dataset_version, dataset_version.c.id == observation.c.version_id)
    )
    if version_ids is None:
        return query.where(dataset_version.c.is_current.is_(True))
    return query.where(observation.c.version_id.in_(list(version_ids)))


def _ordered(query: Select[tuple[object, ...]]) -> Select[tuple[object, ...]]:
    return query.order_by(
        observation.c.indicator_id,
        area.c.code,
        observation.c.period_start,
        observation.c.period,
        observation.c.sex,
        observation.c.age,
        observation.c.breakdown_type,
        observation.c.breakdown,
    )


def observations_of_versions(
    connection: Connection, version_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Every observation of the given versions (current versions by default)."""
    return _read(connection, _ordered(_selected(version_ids)))


def count_observations(connection: Connection, version_id: int) -> int:
    """How many observations a version has."""
    query = select(func.count()).where(observation.c.version_id == version_id)
    return int(connection.scalar(query) or 0)
