"""What the API reads from the store, cached per store generation.

Published results of one indicator cost tens of milliseconds to read and
label, so they are kept in ``WebState.cache``. The store's *generation*
(:func:`generation`: one cheap query over dataset versions and compute state)
changes whenever something is imported or computed; the app compares it
before cached answers are served and empties the cache when it moved, so an
import or compute in any process invalidates every cached frame.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection, func, select

from jsna.ingest.changes import changes_between
from jsna.store.areas import areas_within
from jsna.store.results import published_results
from jsna.store.schema import (
    area,
    area_type,
    chapter_event,
    compute_state,
    dataset_version,
    source,
)
from jsna.store.versions import Version, list_versions

__all__ = [
    "CacheMiss",
    "Cached",
    "Rows",
    "area_frame",
    "area_frame_of",
    "area_types_frame",
    "changed_sources",
    "generation",
    "result_rows",
    "results_of",
    "sources_frame",
    "within",
]

T = TypeVar("T")
_KEEP = 64
"""Cached entries kept per generation before the oldest are dropped."""


def generation(connection: Connection) -> tuple[Any, ...]:
    """A value that changes whenever data is imported, results are computed or a chapter's
    workflow moves (one query; the last item is the newest chapter event)."""
    query = select(
        select(func.max(dataset_version.c.id)).scalar_subquery(),
        select(func.count()).select_from(dataset_version).scalar_subquery(),
        select(func.count())
        .select_from(dataset_version)
        .where(dataset_version.c.is_current.is_(True))
        .scalar_subquery(),
        select(func.max(compute_state.c.computed_at)).scalar_subquery(),
        select(func.sum(compute_state.c.result_rows)).scalar_subquery(),
        select(func.count()).select_from(compute_state).scalar_subquery(),
        select(func.max(chapter_event.c.id)).scalar_subquery(),
    )
    row = connection.execute(query).one()
    return tuple(str(value) for value in row)


class CacheMiss(Exception):  # noqa: N818 (not an error: a signal to read in a thread)
    """A cached read was missing and ``Cached(fill=False)`` may not make it."""


class Cached:
    """Reads of one request, served from ``cache`` (which the app empties when the store's
    generation changes: ``WebState.follow_store``).

    With ``fill=False`` a missing entry raises :class:`CacheMiss` instead of being
    read (the caller then reads again where slow work is allowed).
    """

    def __init__(self, cache: dict[Any, Any], connection: Connection, *, fill: bool = True):
        self.cache = cache
        self.connection = connection
        self.fill = fill

    def get(self, name: tuple[Any, ...], make: Callable[[Connection], T]) -> T:
        """The cached value called ``name``, made with ``make(connection)`` when missing."""
        key = ("api", *name)
        if key not in self.cache:
            if not self.fill:
                raise CacheMiss(repr(name))
            entries = [k for k in self.cache if isinstance(k, tuple) and k[:1] == ("api",)]
            for old in entries[: max(0, len(entries) - _KEEP + 1)]:
                del self.cache[old]
            self.cache[key] = make(self.connection)
        value: T = self.cache[key]
        return value


class Rows:
    """Rows of a frame as JSON-ready dicts, with an index per filter column.

    Made once per store generation, so a request only looks up the rows it
    keeps (index arrays) and serialises one page of them.
    """

    def __init__(self, frame: pd.DataFrame, keys: Sequence[str]):
        text = frame.to_json(
            orient="records", double_precision=15, force_ascii=False, date_format="iso"
        )
        self.records: list[dict[str, Any]] = json.loads(text)
        self.positions = {
            key: {
                value: np.flatnonzero(codes == number)
                for number, value in enumerate(uniques.tolist())
            }
            for key in keys
            for codes, uniques in [pd.factorize(frame[key].astype(str), sort=False)]
        }

    def __len__(self) -> int:
        return len(self.records)

    def where(self, **wanted: str | None) -> npt.NDArray[np.intp]:
        """Positions of the rows whose columns equal every value given (None: any)."""
        kept: npt.NDArray[np.intp] | None = None
        for key, value in wanted.items():
            if value is not None:
                found = self.positions[key].get(value, np.empty(0, dtype=np.intp))
                kept = found if kept is None else np.intersect1d(kept, found, assume_unique=True)
        return np.arange(len(self.records)) if kept is None else kept

    def take(self, positions: Sequence[int] | npt.NDArray[np.intp]) -> list[dict[str, Any]]:
        """The rows at ``positions`` (one page)."""
        return [self.records[int(i)] for i in positions]


RESULT_KEYS = ("area_type", "area_code", "period")
"""Columns of published results the API filters on."""


def results_of(cached: Cached, indicator_id: str) -> pd.DataFrame:
    """:func:`published_results` of one indicator (after disclosure control), cached."""
    return cached.get(("results", indicator_id), lambda c: published_results(c, indicator_id))


def result_rows(cached: Cached, indicator_id: str) -> Rows:
    """:func:`results_of` as :class:`Rows` indexed by area type, area code and period."""
    return cached.get(
        ("result_rows", indicator_id), lambda c: Rows(results_of(cached, indicator_id), RESULT_KEYS)
    )


def area_frame(cached: Cached) -> pd.DataFrame:
    """Every area: ``code``, ``name``, ``type``, ordered by type and code."""

    def make(connection: Connection) -> pd.DataFrame:
        query = select(area.c.code, area.c.name, area.c.area_type.label("type")).order_by(
            area.c.area_type, area.c.code
        )
        rows = [tuple(row) for row in connection.execute(query)]
        return pd.DataFrame.from_records(rows, columns=["code", "name", "type"])

    return cached.get(("areas",), make)


def area_frame_of(cached: Cached, kind: str) -> pd.DataFrame:
    """:func:`area_frame` of one area type (a slice made once per type)."""

    def make(_: Connection) -> pd.DataFrame:
        frame = area_frame(cached)
        return frame[frame["type"] == kind].reset_index(drop=True)

    return cached.get(("areas", kind), make)


def area_types_frame(cached: Cached) -> pd.DataFrame:
    """Every area type: ``code``, ``name``, ``level``, ``vintage``, ``is_custom``, ``areas``."""

    def make(connection: Connection) -> pd.DataFrame:
        counts = (
            select(area.c.area_type, func.count().label("areas"))
            .group_by(area.c.area_type)
            .subquery()
        )
        query = (
            select(
                area_type.c.code,
                area_type.c.name,
                area_type.c.level,
                area_type.c.vintage,
                area_type.c.is_custom,
                func.coalesce(counts.c.areas, 0).label("areas"),
            )
            .outerjoin(counts, counts.c.area_type == area_type.c.code)
            .order_by(area_type.c.level, area_type.c.code)
        )
        rows = [tuple(row) for row in connection.execute(query)]
        frame = pd.DataFrame.from_records(
            rows, columns=["code", "name", "level", "vintage", "is_custom", "areas"]
        )
        frame["is_custom"] = frame["is_custom"].astype(bool)
        return frame

    return cached.get(("area_types",), make)


def within(cached: Cached, code: str, kind: str) -> frozenset[str]:
    """Codes of areas inside (or overlapping) the area ``code`` of type ``kind``."""
    return cached.get(("within", code, kind), lambda c: areas_within(c, code, kind))


def _iso(value: datetime) -> str:
    """ISO 8601 text (nested values go into CSV cells as JSON, which has no dates)."""
    return value.isoformat()


def _version_row(version: Version) -> dict[str, Any]:
    return {
        "id": version.id,
        "name": f"{version.source_id} v{version.id}",
        "file_name": version.file_name,
        "checksum": version.checksum,
        "retrieved_at": _iso(version.retrieved_at),
        "imported_at": _iso(version.imported_at),
        "row_count": version.row_count,
        "is_current": bool(version.is_current),
    }


def sources_frame(cached: Cached) -> list[dict[str, Any]]:
    """Every declared source with its versions, oldest first, by source id."""

    def make(connection: Connection) -> list[dict[str, Any]]:
        versions: dict[str, list[dict[str, Any]]] = {}
        for version in list_versions(connection):
            versions.setdefault(version.source_id, []).append(_version_row(version))
        query = select(
            source.c.id, source.c.title, source.c.publisher, source.c.licence, source.c.url
        ).order_by(source.c.id)
        rows = []
        for row in connection.execute(query):
            listed = versions.get(row.id, [])
            current = next((v for v in listed if v["is_current"]), None)
            rows.append(
                {
                    "id": row.id,
                    "title": row.title,
                    "publisher": row.publisher,
                    "licence": row.licence,
                    "url": row.url,
                    "current_version": None if current is None else current["id"],
                    "versions": listed,
                }
            )
        return rows

    return cached.get(("sources",), make)


def changed_sources(cached: Cached) -> list[dict[str, Any]]:
    """Per re-imported source: its previous and current version and how many figures changed.

    Counts only, by kind of change (new, removed, value, significance), never
    the figures themselves: previous source figures are counts before
    disclosure control.
    """

    def make(connection: Connection) -> list[dict[str, Any]]:
        listed: dict[str, list[Version]] = {}
        for version in list_versions(connection):
            listed.setdefault(version.source_id, []).append(version)
        rows = []
        for source_id, versions in sorted(listed.items()):
            current = next((v for v in versions if v.is_current), None)
            if current is None:
                continue
            older = [
                v for v in versions if (v.imported_at, v.id) < (current.imported_at, current.id)
            ]
            if not older:
                continue
            previous = older[-1]
            changed = changes_between(connection, [previous.id], [current.id])
            kinds = changed["change"].astype(str).value_counts() if len(changed) else pd.Series()
            rows.append(
                {
                    "source_id": source_id,
                    "previous_version": previous.id,
                    "previous_imported_at": _iso(previous.imported_at),
                    "current_version": current.id,
                    "current_imported_at": _iso(current.imported_at),
                    "changed_figures": len(changed),
                    "new": int(kinds.get("new", 0)),
                    "removed": int(kinds.get("removed", 0)),
                    "value_changed": int(
                        kinds.get("value", 0) + kinds.get("value, significance", 0)
                    ),
                    "comparison_changed": int(
                        kinds.get("significance", 0) + kinds.get("value, significance", 0)
                    ),
                    "indicators": sorted(changed["indicator_id"].astype(str).unique().tolist())
                    if len(changed)
                    else [],
                }
            )
        return rows

    return cached.get(("changes",), make)
