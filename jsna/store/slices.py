"""Packed copies of the current observations, for the indicator query at national scale.

Reading one indicator for every LSOA and year row by row costs ~1 s, because
the driver makes Python objects for each of the 337,550 rows. A *slice* holds
the same rows (one indicator x one area type, current versions only) as one
blob of raw numpy columns in ``observation_slice``; decoding it is a few
``np.frombuffer`` calls.

Layout of ``payload``: 4 bytes little-endian header length, a JSON header
(row count; per column its dtype, byte offset and, for text, its categories),
then the column arrays, each 8-byte aligned. Figures stay float64, ids int32,
``period_start`` int16 (when it fits), text columns small integer codes.

A slice records the dataset versions it was built from (``version_key``,
e.g. ``"3,7"``): every version that was current, at build time, of a source
with rows in the slice. It is *fresh* while the current versions of those
sources are exactly those versions; a new import or a restore of another
vintage of any of them makes it stale, and :func:`read_slice` then returns
None (the caller reads rows). A version of a source new to the indicator is
not seen by this check: the import pipeline calls :func:`refresh_slices` for
the indicators of every import, in its transaction, so slices are fresh
again when it commits; other writers (``bulk_load``) must call it too.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, select

from .schema import dataset_version, observation, observation_slice

__all__ = [
    "current_versions_of",
    "decode",
    "encode",
    "indicators_of_versions",
    "read_slice",
    "refresh_slices",
    "version_key",
]

_TEXT = ("indicator_id", "area_type", "period", "sex", "age", "breakdown_type", "breakdown")
_HEADER = struct.Struct("<I")
_EMPTY_TEXT = pd.array(np.array([], dtype=object), dtype="str")  # as queries builds text


def version_key(version_ids: Iterable[int]) -> str:
    """The key of a set of dataset versions: sorted ids joined by commas."""
    return ",".join(str(value) for value in sorted({int(value) for value in version_ids}))


def _narrow(values: np.ndarray, smallest: type[np.integer[Any]] = np.int16) -> np.ndarray:
    """Integers in the smallest of ``smallest`` / int16 / int32 / int64 that holds them."""
    kinds: list[type[np.integer[Any]]] = [smallest, np.int16, np.int32]
    if not len(values):
        return values.astype(smallest)
    low, high = int(values.min()), int(values.max())
    for kind in kinds:
        info = np.iinfo(kind)
        if info.min <= low and high <= info.max:
            return values.astype(kind)
    return values.astype(np.int64)


def _whole(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Floats that are all whole int32 numbers (or NaN) as int32 and a packed NaN mask.

    None when that would lose anything (fractions, -0.0, infinities, large values).
    """
    missing = np.isnan(values)
    present = values[~missing]
    if not len(present):
        return None
    info = np.iinfo(np.int32)
    if present.min() < info.min or present.max() > info.max:
        return None
    if not np.array_equal(present, np.trunc(present)) or np.signbit(present[present == 0]).any():
        return None
    integers = np.where(missing, 0.0, values).astype(np.int32)
    return integers, (np.packbits(missing) if missing.any() else None)


def _parts(name: str, series: pd.Series) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header entry of one column and the arrays that hold it."""
    entry: dict[str, Any] = {"name": name}
    if name in _TEXT:
        codes, categories = pd.factorize(series, sort=False)
        if (codes < 0).any():
            raise ValueError(f"column {name} has missing text; slices cannot hold it")
        entry["categories"] = [str(value) for value in categories]
        if len(categories) == 1:
            return entry, {}
        return entry, {"codes": _narrow(np.asarray(codes), np.uint8)}
    if pd.api.types.is_integer_dtype(series.dtype):
        entry["as"] = str(series.dtype)
        values = series.to_numpy()
        if len(values) and values.min() == values.max():
            entry["constant"] = int(values[0])
            return entry, {}
        return entry, {"values": _narrow(values)}
    values = series.to_numpy(dtype=np.float64)
    whole = _whole(values)
    if whole is None:
        return entry, {"values": values}
    integers, missing = whole
    return entry, {"values": integers} | ({} if missing is None else {"nan": missing})


def encode(frame: pd.DataFrame) -> bytes:
    """The payload of ``frame`` (columns :data:`jsna.store.queries.COLUMNS`).

    Lossless: text as codes of its categories (none when there is only one),
    constant integers as their value, integers narrowed, floats that are all
    whole numbers as int32 plus a NaN bitmask, other floats as float64.
    """
    columns: list[dict[str, Any]] = []
    arrays: list[np.ndarray] = []
    offset = 0
    for name in frame.columns:
        entry, parts = _parts(str(name), frame[name])
        entry["parts"] = {}
        for key, array in parts.items():
            entry["parts"][key] = {"dtype": array.dtype.str, "offset": offset, "count": len(array)}
            arrays.append(np.ascontiguousarray(array))
            offset += -(-array.nbytes // 8) * 8
        columns.append(entry)
    header = json.dumps({"rows": len(frame), "columns": columns}).encode()
    header += b" " * (-(len(header) + _HEADER.size) % 8)
    body = bytearray(offset)
    position = 0
    for array in arrays:
        body[position : position + array.nbytes] = array.tobytes()
        position += -(-array.nbytes // 8) * 8
    return _HEADER.pack(len(header)) + header + bytes(body)


def _text(
    codes: np.ndarray | None, categories: list[str], rows: int
) -> pd.api.extensions.ExtensionArray:
    """A ``str`` column from codes: one ``take`` of the category strings.

    The values are known to be ``str`` objects, so the array is built on them
    directly (``_from_backing_data``) without the per-value check of the
    public constructor, which costs ~2.5 ms per column at 337,550 rows.
    """
    if codes is None:  # one category: fill (take with small integer codes is ~7x slower)
        values = np.empty(rows, dtype=object)
        values.fill(categories[0] if categories else "")
    else:
        values = np.array(categories, dtype=object).take(codes.astype(np.intp))
    if getattr(_EMPTY_TEXT.dtype, "storage", None) != "python":
        return pd.array(values, dtype="str")
    return _EMPTY_TEXT._from_backing_data(values)  # type: ignore[attr-defined,no-any-return]


def decode(payload: bytes) -> pd.DataFrame:
    """The frame :func:`encode` packed (columns in the same order, same dtypes)."""
    (length,) = _HEADER.unpack_from(payload)
    header = json.loads(payload[_HEADER.size : _HEADER.size + length])
    start = _HEADER.size + length
    rows = int(header["rows"])
    data: dict[str, Any] = {}
    for entry in header["columns"]:
        parts = {
            key: np.frombuffer(
                payload,
                dtype=np.dtype(part["dtype"]),
                count=part["count"],
                offset=start + part["offset"],
            )
            for key, part in entry["parts"].items()
        }
        name = entry["name"]
        if "categories" in entry:
            data[name] = _text(parts.get("codes"), entry["categories"], rows)
        elif "constant" in entry:
            data[name] = np.full(rows, entry["constant"], dtype=entry["as"])
        elif "as" in entry:
            data[name] = parts["values"].astype(entry["as"])
        else:
            values = parts["values"].astype(np.float64)  # a writable copy either way
            if "nan" in parts:
                values[np.unpackbits(parts["nan"], count=rows).view(bool)] = np.nan
            data[name] = values
    return pd.DataFrame(data, copy=False)


def _current_of_sources(connection: Connection, version_ids: Sequence[int]) -> list[int]:
    """The current versions of the sources of ``version_ids``."""
    sources = select(dataset_version.c.source_id).where(dataset_version.c.id.in_(version_ids))
    query = select(dataset_version.c.id).where(
        dataset_version.c.is_current.is_(True), dataset_version.c.source_id.in_(sources)
    )
    return [int(value) for value in connection.scalars(query)]


def _fetch_slice(
    connection: Connection, indicator_id: str, area_type: str
) -> list[tuple[str, bytes]]:
    """(version_key, payload) rows of one indicator and area type, through the raw cursor.

    On PostgreSQL the result comes in binary format: in text format ``bytea``
    travels as hex, twice the bytes, and is decoded again on arrival.
    """
    if not connection.in_transaction():
        connection.begin()
    driver: Any = connection.connection.driver_connection
    sql = "SELECT version_key, payload FROM observation_slice"
    if connection.dialect.name == "postgresql":
        with driver.cursor(binary=True) as cursor:
            cursor.execute(
                f"{sql} WHERE indicator_id = %s AND area_type = %s", [indicator_id, area_type]
            )
            return list(cursor.fetchall())
    cursor = driver.cursor()
    try:
        cursor.execute(f"{sql} WHERE indicator_id = ? AND area_type = ?", [indicator_id, area_type])
        return list(cursor.fetchall())
    finally:
        cursor.close()


def read_slice(
    connection: Connection,
    indicator_id: str,
    area_type: str,
    version_ids: Sequence[int] | None = None,
) -> pd.DataFrame | None:
    """The frame of ``queries.indicator_rows`` from a fresh slice, or None.

    None when no slice was built, or it is stale (the current versions of its
    sources are no longer the versions it was built from), or ``version_ids``
    is given and is not exactly the slice's ``version_key``.
    """
    found = _fetch_slice(connection, indicator_id, area_type)
    if len(found) != 1:
        return None
    key, payload = found[0]
    ids = [int(value) for value in key.split(",") if value]
    if not ids or version_key(_current_of_sources(connection, ids)) != key:
        return None
    if version_ids is not None and version_key(version_ids) != key:
        return None
    return decode(bytes(payload))


def indicators_of_versions(connection: Connection, version_ids: Iterable[int]) -> set[str]:
    """The indicators with observations in any of ``version_ids``."""
    ids = [int(value) for value in version_ids]
    if not ids:
        return set()
    query = select(observation.c.indicator_id).distinct().where(observation.c.version_id.in_(ids))
    return {str(value) for value in connection.scalars(query)}


def current_versions_of(connection: Connection, source_id: str) -> list[int]:
    """The current versions of one source (normally one)."""
    query = select(dataset_version.c.id).where(
        dataset_version.c.source_id == source_id, dataset_version.c.is_current.is_(True)
    )
    return [int(value) for value in connection.scalars(query)]


def _pairs(connection: Connection, indicator_ids: Sequence[str] | None) -> list[tuple[str, str]]:
    """(indicator, area type) pairs with observations (any version: an index-only read)."""
    query = (
        select(observation.c.indicator_id, observation.c.area_type)
        .distinct()
        .order_by(observation.c.indicator_id, observation.c.area_type)
    )
    if indicator_ids is not None:
        query = query.where(observation.c.indicator_id.in_(list(indicator_ids)))
    return [(str(row[0]), str(row[1])) for row in connection.execute(query)]


def refresh_slices(connection: Connection, indicator_ids: Iterable[str] | None = None) -> int:
    """Rebuild the slices of ``indicator_ids`` (all indicators when None); returns slices built.

    Every slice of those indicators is replaced by one per area type built
    from the current observations; indicators without current rows are left
    without slices. Runs inside the caller's transaction.
    """
    from .queries import indicator_rows_from_rows  # queries reads slices: import late

    chosen = None if indicator_ids is None else sorted(set(indicator_ids))
    if chosen is not None and not chosen:
        return 0
    pairs = _pairs(connection, chosen)
    stale = delete(observation_slice)
    if chosen is not None:
        stale = stale.where(observation_slice.c.indicator_id.in_(chosen))
    connection.execute(stale)
    now = datetime.now(UTC)
    built = 0
    for indicator_id, area_type in pairs:
        frame = indicator_rows_from_rows(connection, indicator_id, area_type)
        if frame.empty:
            continue
        connection.execute(
            observation_slice.insert().values(
                indicator_id=indicator_id,
                area_type=area_type,
                version_key=version_key(
                    _current_of_sources(connection, frame["version_id"].unique().tolist())
                ),
                row_count=len(frame),
                built_at=now,
                payload=encode(frame),
            )
        )
        built += 1
    return built
