"""Writing many rows at once: the one path every import takes into the store.

:func:`insert_rows` is fast on both backends without leaving the caller's
transaction: PostgreSQL gets a ``COPY ... FROM STDIN`` on the same psycopg 3
connection; SQLite gets one ``executemany`` on the raw sqlite3 cursor. Rows are
built column by column (one NumPy/pandas conversion per column, then ``zip``),
never as per-row dictionaries.

For loads of many millions of rows, :func:`bulk_load` drops a table's
secondary indexes for the duration and recreates them at the end (same
definitions as :mod:`jsna.store.schema`; on SQLite with a large sort cache),
which is cheaper than maintaining them row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Float, ForeignKeyConstraint, Integer, String, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import AddConstraint, DropConstraint

__all__ = ["bulk_load", "column_values", "insert_rows"]

_PLAIN_KINDS = {"string", "empty", "integer", "floating", "boolean", "bytes"}
"""``infer_dtype`` results whose values sqlite3 and psycopg take as they are."""


def column_values(series: pd.Series) -> list[Any]:
    """The values of ``series`` as plain Python objects, with None for NaN/NA/None.

    One vectorised conversion per column: floats via ``tolist`` (NaN patched to
    None by position), integers, booleans and ``str`` columns via ``tolist``,
    other columns via ``to_numpy(object)``; NumPy scalars hidden in object
    columns become Python scalars.
    """
    dtype = series.dtype
    if dtype.kind == "f" and isinstance(dtype, np.dtype):
        array = series.to_numpy()
        values: list[Any] = array.tolist()
        for position in np.flatnonzero(np.isnan(array)).tolist():
            values[position] = None
        return values
    if dtype.kind in "iub" and isinstance(dtype, np.dtype):
        return list(series.to_numpy().tolist())
    missing = series.isna().to_numpy()
    if isinstance(dtype, pd.StringDtype):
        # Only str and missing values: tolist is ~3x cheaper than to_numpy(na_value=None).
        values = series.tolist()
        for position in np.flatnonzero(missing).tolist():
            values[position] = None
        return values
    if dtype.kind == "M":
        stamps = series.astype(object).tolist()
        return [
            None if gone else stamp.to_pydatetime()
            for stamp, gone in zip(stamps, missing, strict=True)
        ]
    values = series.to_numpy(dtype=object, na_value=None).tolist()
    if missing.any():
        for position in np.flatnonzero(missing).tolist():
            values[position] = None
    plain_strings = dtype is np.dtype(object)
    if not plain_strings or pd.api.types.infer_dtype(series, skipna=True) not in _PLAIN_KINDS:
        # Extension dtypes and mixed object columns can hold NumPy scalars.
        values = [value.item() if isinstance(value, np.generic) else value for value in values]
    return values


_NATIVE = (Float, Integer, String, Boolean)
"""Column types whose values the drivers take as :func:`column_values` gives them."""


def _rows(connection: Connection, table: Table, frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The rows of ``frame`` as tuples, built column-wise (type bind processors applied).

    An iterator, not a list: each tuple is freed as soon as the driver has
    written it, so millions of live tuples never wake the cyclic garbage
    collector (which made a list of a 337,550-row frame ~2x slower to build).
    """
    dialect = connection.dialect
    columns = []
    for name in frame.columns:
        values = column_values(frame[name])
        kind = table.columns[name].type
        if not isinstance(kind, _NATIVE):
            process = kind.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                values = [process(value) for value in values]
        columns.append(values)
    return zip(*columns, strict=True)


def _quote(connection: Connection, name: str) -> str:
    return str(connection.dialect.identifier_preparer.quote(name))


def _copy_postgresql(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    columns = ", ".join(_quote(connection, str(name)) for name in frame.columns)
    name = _quote(connection, table.name)
    if table.schema:
        name = f"{_quote(connection, table.schema)}.{name}"
    with driver.cursor() as cursor, cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
        for row in _rows(connection, table, frame):
            copy.write_row(row)


def _executemany_sqlite(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    columns = ", ".join(_quote(connection, str(name)) for name in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    sql = f"INSERT INTO {_quote(connection, table.name)} ({columns}) VALUES ({marks})"
    cursor = driver.cursor()
    try:
        cursor.executemany(sql, _rows(connection, table, frame))
    finally:
        cursor.close()


def insert_rows(connection: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named as in ``table``) and return the count.

    Runs inside the caller's transaction, so a failed import writes nothing.
    Missing values (NaN, NA, None) are stored as NULL. Column defaults of
    ``table`` apply only to columns absent from ``frame``; server-side
    defaults and constraints are checked by the database as usual.
    """
    unknown = set(frame.columns) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name}: no such columns {sorted(map(str, unknown))}")
    if frame.empty:
        return 0
    frame = _with_defaults(table, frame)
    if not connection.in_transaction():
        # Autobegin, as connection.execute() would, so the caller's commit() commits.
        connection.begin()
    if connection.dialect.name not in ("postgresql", "sqlite"):  # pragma: no cover
        connection.execute(table.insert(), frame.to_dict("records"))
        return len(frame)
    dbapi = connection.dialect.loaded_dbapi
    try:
        if connection.dialect.name == "postgresql":
            _copy_postgresql(connection, table, frame)
        else:
            _executemany_sqlite(connection, table, frame)
    except dbapi.Error as error:
        # The same exception classes (IntegrityError, ...) as connection.execute() raises.
        raise DBAPIError.instance(
            f"bulk insert into {table.name}", None, error, dbapi.Error
        ) from error
    return len(frame)


def _with_defaults(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus the scalar Python-side defaults of columns it lacks."""
    extra: dict[str, object] = {}
    for column in table.columns:
        default = column.default
        if column.name in frame.columns or default is None:
            continue
        if getattr(default, "is_scalar", False):
            extra[column.name] = default.arg  # type: ignore[attr-defined]
    if not extra:
        return frame
    return frame.assign(**extra)


SQLITE_SORT_CACHE_KIB = 512 * 1024
"""SQLite page cache while :func:`bulk_load` rebuilds indexes (the default is 2 MiB).

``CREATE INDEX`` sorts in runs as large as the page cache; with 512 MiB it
merges far fewer runs and builds the observation indexes about a third
faster at national scale. The cache only grows as far as it is used and is
set back afterwards.
"""


@contextmanager
def _sort_memory(connection: Connection) -> Iterator[None]:
    """A larger SQLite page cache for the duration (nothing on other backends)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_SORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def bulk_load(connection: Connection, table: Table) -> Iterator[None]:
    """Drop ``table``'s secondary indexes (and, on PostgreSQL, foreign keys), run the block, then recreate them.

    Use inside one transaction around many :func:`insert_rows` calls of a very
    large load (millions of rows): building an index once after the load is
    much cheaper than maintaining it on every insert. The indexes come back
    exactly as :mod:`jsna.store.schema` defines them (re-adding a foreign key
    checks every row loaded, so bad references still fail); if the block raises, the
    caller's rollback restores them with everything else (on SQLite and
    PostgreSQL, DDL is transactional).
    """
    if not connection.in_transaction():
        connection.begin()
    if connection.dialect.name == "sqlite":
        # pysqlite does not open a transaction before DDL by itself: without this
        # BEGIN, DROP INDEX would commit at once and survive a rollback.
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN")
    indexes = sorted(table.indexes, key=lambda index: str(index.name))
    keys: list[ForeignKeyConstraint] = []
    if connection.dialect.name == "postgresql":
        # Row-by-row foreign key triggers dominate COPY; one validating join afterwards is cheap.
        keys = sorted(table.foreign_key_constraints, key=lambda key: str(key.name))
    for key in keys:
        connection.execute(DropConstraint(key))
    for index in indexes:
        index.drop(connection)
    yield
    with _sort_memory(connection):
        for index in indexes:
            index.create(connection)
    for key in keys:
        connection.execute(AddConstraint(key))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {_quote(connection, table.name)}")
