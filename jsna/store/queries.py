"""The two reads the dashboards make of the observation table.

* :func:`indicator_rows`: one indicator, one area type, all periods (a map or
  a league table over time), served by ``ix_observation_indicator``;
* :func:`area_rows`: one area, all indicators (an area profile), served by
  ``ix_observation_area``.

Both read through the raw DBAPI cursor and build the DataFrame column by
column; columns fixed by the query (indicator, area type, area) are not read
back from the database but filled in afterwards. On SQLite the index is named
(``INDEXED BY``) so the planner can never prefer a full scan or the
``version_id`` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from .slices import read_slice

__all__ = [
    "COLUMNS",
    "area_rows",
    "area_sql",
    "indicator_rows",
    "indicator_rows_from_rows",
    "indicator_sql",
]

FIGURES = (
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
)
TEXT_KEYS = ("period", "sex", "age", "breakdown_type", "breakdown")
COLUMNS = (
    "version_id",
    "indicator_id",
    "area_id",
    "area_type",
    *TEXT_KEYS,
    "period_start",
    *FIGURES,
)
"""The columns of every frame returned here, in this order."""

_INTEGER = {"version_id", "area_id", "period_start"}


def _version_filter(connection: Connection, version_ids: Sequence[int] | None) -> tuple[str, list]:
    """SQL (and parameters) restricting rows to ``version_ids``, or to current versions."""
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    if version_ids is None:
        return " AND version_id IN (SELECT id FROM dataset_version WHERE is_current)", []
    ids = [int(value) for value in version_ids]
    if not ids:
        return " AND 1 = 0", []
    return f" AND version_id IN ({', '.join(mark for _ in ids)})", ids


def _fetch(connection: Connection, sql: str, parameters: list[Any]) -> list[tuple[Any, ...]]:
    if not connection.in_transaction():
        connection.begin()
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.execute(sql, parameters)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    return rows


def _frame(
    rows: list[tuple[Any, ...]], read: Sequence[str], fixed: dict[str, object]
) -> pd.DataFrame:
    """A frame with :data:`COLUMNS` from ``rows`` (columns ``read``) and constants ``fixed``.

    The rows become one 2-D object array (one C loop), sliced per column:
    much cheaper than transposing with ``zip(*rows)``.
    """
    count = len(rows)
    table = np.empty((count, len(read)), dtype=object)
    if count:
        table[:] = rows
    data: dict[str, Any] = {}
    for position, name in enumerate(read):
        values = table[:, position]
        if name in _INTEGER:
            data[name] = values.astype(np.int64)
        elif name in FIGURES:
            data[name] = values.astype(np.float64)  # None -> NaN
        else:
            data[name] = pd.array(values, dtype="str")
    for name, value in fixed.items():
        if isinstance(value, int):
            data[name] = np.full(count, value, dtype=np.int64)
        else:
            data[name] = pd.array(np.full(count, value, dtype=object), dtype="str")
    return pd.DataFrame({name: data[name] for name in COLUMNS}, copy=False)


def _select(connection: Connection, read: Sequence[str], index: str) -> str:
    source = "observation"
    if connection.dialect.name == "sqlite":
        source = f"observation INDEXED BY {index}"
    return f"SELECT {', '.join(read)} FROM {source}"


def indicator_rows(
    connection: Connection,
    indicator_id: str,
    area_type: str,
    *,
    version_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Every observation of one indicator for one area type, all periods.

    ``version_ids`` limits the rows to those dataset versions; by default only
    current versions (``dataset_version.is_current``) count, and the frame
    comes from the packed slice (:mod:`jsna.store.slices`) when a fresh one
    exists. Rows come ordered by ``period_start``, then ``observation.id``
    (the index order); columns are :data:`COLUMNS`.
    """
    if version_ids is None:
        packed = read_slice(connection, indicator_id, area_type)
        if packed is not None:
            return packed
    return indicator_rows_from_rows(connection, indicator_id, area_type, version_ids=version_ids)


def indicator_rows_from_rows(
    connection: Connection,
    indicator_id: str,
    area_type: str,
    *,
    version_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """:func:`indicator_rows` read row by row from ``observation`` (never from a slice)."""
    sql, parameters, read = indicator_sql(connection, indicator_id, area_type, version_ids)
    rows = _fetch(connection, sql, parameters)
    return _frame(rows, read, {"indicator_id": indicator_id, "area_type": area_type})


def indicator_sql(
    connection: Connection,
    indicator_id: str,
    area_type: str,
    version_ids: Sequence[int] | None = None,
) -> tuple[str, list[Any], list[str]]:
    """The SQL of :func:`indicator_rows`, its parameters and the columns it reads."""
    read = [name for name in COLUMNS if name not in ("indicator_id", "area_type")]
    where, parameters = _version_filter(connection, version_ids)
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    sql = (
        f"{_select(connection, read, 'ix_observation_indicator')}"
        f" WHERE indicator_id = {mark} AND area_type = {mark}{where}"
        " ORDER BY period_start, id"
    )
    return sql, [indicator_id, area_type, *parameters], read


def area_rows(
    connection: Connection,
    area_id: int,
    *,
    version_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Every observation of one area, all indicators and periods.

    ``version_ids`` as in :func:`indicator_rows`. Rows come ordered by
    indicator (the index order); columns are :data:`COLUMNS`.
    """
    sql, parameters, read = area_sql(connection, area_id, version_ids)
    rows = _fetch(connection, sql, parameters)
    return _frame(rows, read, {"area_id": int(area_id)})


def area_sql(
    connection: Connection, area_id: int, version_ids: Sequence[int] | None = None
) -> tuple[str, list[Any], list[str]]:
    """The SQL of :func:`area_rows`, its parameters and the columns it reads."""
    read = [name for name in COLUMNS if name != "area_id"]
    where, parameters = _version_filter(connection, version_ids)
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    sql = (
        f"{_select(connection, read, 'ix_observation_area')}"
        f" WHERE area_id = {mark}{where} ORDER BY indicator_id"
    )
    return sql, [int(area_id), *parameters], read
