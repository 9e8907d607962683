"""Packed copies of the current observations, for the indicator query at national scale.

Reading one indicator for every LSOA and year row by row costs ~1 s, because
the driver makes Python objects for each of the 337,550 rows. A *slice* holds
the same rows (one indicator x one area type, current versions only) as one
blob of raw numpy columns in ``observation_slice``; decoding it is a few
``np.frombuffer`` calls.

Layout: ``observation_slice.payload`` holds 4 bytes little-endian header
length, a JSON header (row count, part count; per column its dtype, part,
byte offset and, for text, its categories), then the small column arrays,
each 8-byte aligned. Every array of :data:`PART_BYTES` or more is a row of its
own in ``observation_slice_part`` (part 1, 2, ...): PostgreSQL sends one
18 MB value about twice as slowly as the same bytes in a few rows. Figures
stay float64 unless they are all whole numbers, ids and counts are narrowed
to the smallest integer type that holds them, text columns are small integer
codes, a column that is one value repeated is stored as that value, and one
made of few runs (``period``; ``period_start``, or ``area_id`` when each period
lists the same areas in the same order, as runs of equal steps) as its runs.

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
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from threading import Lock
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, select

from .schema import dataset_version, observation, observation_slice, observation_slice_part

__all__ = [
    "current_versions_of",
    "decode",
    "encode",
    "encode_parts",
    "indicators_of_versions",
    "part_count",
    "read_slice",
    "refresh_slices",
    "version_key",
]

_TEXT = ("indicator_id", "area_type", "period", "sex", "age", "breakdown_type", "breakdown")
_HEADER = struct.Struct("<I")
PART_BYTES = 256 * 1024
"""Arrays at least this large go to a row of ``observation_slice_part`` of their own."""
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
    """Floats that are all whole int32 numbers (or NaN) as int16/int32 and a packed NaN mask.

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
    integers = _narrow(np.where(missing, 0.0, values).astype(np.int32))
    return integers, (np.packbits(missing) if missing.any() else None)


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(value of each run, its length) when ``values`` has few runs (at most 1 in 16)."""
    count = len(values)
    if count < 16:
        return None
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    if len(starts) * 16 > count:
        return None
    return values[starts], np.diff(np.append(starts, count))


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
        runs = _runs(np.asarray(codes))
        if runs is not None:
            return entry, {"run_codes": _narrow(runs[0], np.uint8), "run_lengths": _narrow(runs[1])}
        return entry, {"codes": _narrow(np.asarray(codes), np.uint8)}
    if pd.api.types.is_integer_dtype(series.dtype):
        entry["as"] = str(series.dtype)
        values = series.to_numpy()
        if len(values) and values.min() == values.max():
            entry["constant"] = int(values[0])
            return entry, {}
        runs = _runs(np.diff(values.astype(np.int64)))  # e.g. the same areas each period
        if runs is not None:
            entry["first"] = int(values[0])
            return entry, {"step_values": _narrow(runs[0]), "step_lengths": _narrow(runs[1])}
        return entry, {"values": _narrow(values)}
    values = series.to_numpy(dtype=np.float64)
    whole = _whole(values)
    if whole is None:
        return entry, {"values": values}
    integers, missing = whole
    return entry, {"values": integers} | ({} if missing is None else {"nan": missing})


def encode(frame: pd.DataFrame) -> bytes:
    """The payload of ``frame`` (columns :data:`jsna.store.queries.COLUMNS`) in one part.

    Lossless: text as codes of its categories (none when there is only one),
    constant integers as their value, integers narrowed, floats that are all
    whole numbers as int16/int32 plus a NaN bitmask, other floats as float64.
    """
    return _pack(frame, split=None)[0]


def encode_parts(frame: pd.DataFrame, part_bytes: int | None = None) -> list[bytes]:
    """:func:`encode`, with every array of ``part_bytes`` (default :data:`PART_BYTES`) or more in a part of its own.

    The first part is the header and the small arrays (``observation_slice.payload``);
    the others are the large arrays in order (``observation_slice_part`` 1, 2, ...).
    """
    return _pack(frame, split=PART_BYTES if part_bytes is None else part_bytes)


def _pack(frame: pd.DataFrame, split: int | None) -> list[bytes]:
    columns: list[dict[str, Any]] = []
    small: list[tuple[int, np.ndarray]] = []
    large: list[np.ndarray] = []
    offset = 0
    for name in frame.columns:
        entry, parts = _parts(str(name), frame[name])
        entry["parts"] = {}
        for key, array in parts.items():
            placed: dict[str, Any] = {"dtype": array.dtype.str, "count": len(array)}
            if split is not None and array.nbytes >= split:
                large.append(np.ascontiguousarray(array))
                placed |= {"part": len(large), "offset": 0}
            else:
                small.append((offset, np.ascontiguousarray(array)))
                placed["offset"] = offset
                offset += -(-array.nbytes // 8) * 8
            entry["parts"][key] = placed
        columns.append(entry)
    head: dict[str, Any] = {"rows": len(frame), "columns": columns}
    if large:
        head["parts"] = len(large) + 1
    header = json.dumps(head).encode()
    header += b" " * (-(len(header) + _HEADER.size) % 8)
    body = bytearray(offset)
    for position, array in small:
        body[position : position + array.nbytes] = array.tobytes()
    return [_HEADER.pack(len(header)) + header + bytes(body), *(a.tobytes() for a in large)]


TEXT_CACHE_SIZE = 16
"""Decoded text columns kept for reuse (at national scale 2.7 MB each)."""
_text_cache: OrderedDict[tuple[Any, ...], pd.Series] = OrderedDict()
_text_lock = Lock()


def _text(entry: dict[str, Any], arrays: dict[str, np.ndarray], rows: int) -> pd.Series:
    """A ``str`` column of ``rows`` values from its categories and codes (or runs).

    Constant columns and columns of few runs (``sex``, ``age``, ``period`` ...)
    look the same in every slice of a given size, so the last
    :data:`TEXT_CACHE_SIZE` of them are kept, read-only, and shared between
    frames: copy-on-write (pandas 3) copies a shared column before anything
    writes to it, so a caller's change never reaches another frame. Building
    one costs ~1 ms per column at 337,550 rows, freeing it as much again.
    """
    categories: list[str] = entry["categories"]
    if "codes" in arrays:
        codes = arrays["codes"].astype(np.intp)
        return pd.Series(_str_array(np.array(categories, dtype=object).take(codes)), copy=False)
    key: tuple[Any, ...] = (rows, tuple(categories))
    if "run_codes" in arrays:
        key += (arrays["run_codes"].tobytes(), arrays["run_lengths"].tobytes())
    with _text_lock:
        cached = _text_cache.get(key)
        if cached is not None:
            _text_cache.move_to_end(key)
            return cached
    if "run_codes" in arrays:
        runs = np.array(categories, dtype=object).take(arrays["run_codes"].astype(np.intp))
        values = runs.repeat(arrays["run_lengths"].astype(np.intp))
    else:  # one category: fill (take with small integer codes is ~7x slower)
        values = np.empty(rows, dtype=object)
        values.fill(categories[0] if categories else "")
    values.flags.writeable = False
    column = pd.Series(_str_array(values), copy=False)
    with _text_lock:
        _text_cache[key] = column
        while len(_text_cache) > TEXT_CACHE_SIZE:
            _text_cache.popitem(last=False)
    return column


def _str_array(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A ``str`` array on an object array known to hold only ``str``.

    Built on the values directly (``_from_backing_data``), without the
    per-value check of the public constructor (~2.5 ms at 337,550 rows).
    """
    if getattr(_EMPTY_TEXT.dtype, "storage", None) != "python":
        return pd.array(values, dtype="str")
    return _EMPTY_TEXT._from_backing_data(values)  # type: ignore[attr-defined,no-any-return]


def part_count(payload: bytes) -> int:
    """How many parts (the first included) the slice whose first part is ``payload`` has."""
    (length,) = _HEADER.unpack_from(payload)
    return int(json.loads(payload[_HEADER.size : _HEADER.size + length]).get("parts", 1))


def decode(payload: bytes | Sequence[bytes]) -> pd.DataFrame:
    """The frame :func:`encode` / :func:`encode_parts` packed (same columns, same dtypes).

    ``payload`` is the one part of :func:`encode` or the list of parts of
    :func:`encode_parts`, in order. The arrays are viewed in place
    (``np.frombuffer``, the payload is never copied whole); each number
    column is then converted once into its own writable array, and text
    columns of one value or few runs are shared, read-only, with other frames
    (see :func:`_text`; pandas copies them before any write).
    """
    parts = [payload] if isinstance(payload, bytes | bytearray | memoryview) else list(payload)
    first = parts[0]
    (length,) = _HEADER.unpack_from(first)
    header = json.loads(bytes(first[_HEADER.size : _HEADER.size + length]))
    if int(header.get("parts", 1)) != len(parts):
        raise ValueError(f"slice has {len(parts)} parts, its header says {header.get('parts', 1)}")
    start = _HEADER.size + length
    rows = int(header["rows"])
    data: dict[str, Any] = {}
    for entry in header["columns"]:
        arrays = {
            key: np.frombuffer(
                parts[int(place.get("part", 0))],
                dtype=np.dtype(place["dtype"]),
                count=place["count"],
                offset=place["offset"] + (0 if place.get("part", 0) else start),
            )
            for key, place in entry["parts"].items()
        }
        name = entry["name"]
        if "categories" in entry:
            data[name] = _text(entry, arrays, rows)
        elif "constant" in entry:
            data[name] = np.full(rows, entry["constant"], dtype=entry["as"])
        elif "step_values" in arrays:
            steps = arrays["step_values"].astype(np.int64).repeat(arrays["step_lengths"])
            values = np.empty(rows, dtype=np.int64)
            values[0] = entry["first"]
            np.cumsum(steps, out=values[1:])
            values[1:] += entry["first"]  # wraps exactly as np.diff did
            data[name] = values.astype(entry["as"], copy=False)
        elif "as" in entry:
            data[name] = arrays["values"].astype(entry["as"])
        else:
            values = arrays["values"].astype(np.float64)  # a writable copy either way
            if "nan" in arrays:
                values[np.unpackbits(arrays["nan"], count=rows).view(bool)] = np.nan
            data[name] = values
    return pd.DataFrame(data, copy=False)


def _current_of_sources(connection: Connection, version_ids: Sequence[int]) -> list[int]:
    """The current versions of the sources of ``version_ids``."""
    sources = select(dataset_version.c.source_id).where(dataset_version.c.id.in_(version_ids))
    query = select(dataset_version.c.id).where(
        dataset_version.c.is_current.is_(True), dataset_version.c.source_id.in_(sources)
    )
    return [int(value) for value in connection.scalars(query)]


_FETCH = (
    "SELECT version_key, 0 AS part, payload FROM observation_slice"
    " WHERE indicator_id = {mark} AND area_type = {mark}"
    " UNION ALL SELECT version_key, part, payload FROM observation_slice_part"
    " WHERE indicator_id = {mark} AND area_type = {mark}"
    " ORDER BY 1, 2"
)


def _fetch_slice(
    connection: Connection, indicator_id: str, area_type: str
) -> list[tuple[str, int, bytes]]:
    """(version_key, part, payload) rows of one indicator and area type, through the raw cursor.

    One round trip for the slice and its parts, ordered by key and part. On
    PostgreSQL the result comes in binary format: in text format ``bytea``
    travels as hex, twice the bytes, and is decoded again on arrival.
    """
    if not connection.in_transaction():
        connection.begin()
    driver: Any = connection.connection.driver_connection
    parameters = [indicator_id, area_type, indicator_id, area_type]
    if connection.dialect.name == "postgresql":
        with driver.cursor(binary=True) as cursor:
            cursor.execute(_FETCH.format(mark="%s"), parameters)
            return list(cursor.fetchall())
    cursor = driver.cursor()
    try:
        cursor.execute(_FETCH.format(mark="?"), parameters)
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
    is given and is not exactly the slice's ``version_key``, or its parts are
    not all there.
    """
    found = _fetch_slice(connection, indicator_id, area_type)
    if not found or {row[0] for row in found} != {found[0][0]}:
        return None
    if [row[1] for row in found] != list(range(part_count(found[0][2]))):
        return None  # a part missing (or a part without its slice): read the rows
    key = found[0][0]
    ids = [int(value) for value in key.split(",") if value]
    if not ids or version_key(_current_of_sources(connection, ids)) != key:
        return None
    if version_ids is not None and version_key(version_ids) != key:
        return None
    return decode([bytes(row[2]) for row in found])


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
    for table in (observation_slice_part, observation_slice):
        stale = delete(table)
        if chosen is not None:
            stale = stale.where(table.c.indicator_id.in_(chosen))
        connection.execute(stale)
    now = datetime.now(UTC)
    built = 0
    for indicator_id, area_type in pairs:
        frame = indicator_rows_from_rows(connection, indicator_id, area_type)
        if frame.empty:
            continue
        key = version_key(_current_of_sources(connection, frame["version_id"].unique().tolist()))
        first, *rest = encode_parts(frame)
        connection.execute(
            observation_slice.insert().values(
                indicator_id=indicator_id,
                area_type=area_type,
                version_key=key,
                row_count=len(frame),
                built_at=now,
                payload=first,
            )
        )
        if rest:
            connection.execute(
                observation_slice_part.insert(),
                [
                    {
                        "indicator_id": indicator_id,
                        "area_type": area_type,
                        "version_key": key,
                        "part": number,
                        "payload": payload,
                    }
                    for number, payload in enumerate(rest, start=1)
                ],
            )
        built += 1
    return built
