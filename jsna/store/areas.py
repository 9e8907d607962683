"""Areas in the store: load the geography frames and boundaries, and look areas up.

A project's geography is declared in its ``jsna.yml`` (``geographies:``):
:func:`load_project_geography` builds it (:func:`jsna.geography.build_geography`)
and writes areas, memberships, boundaries and custom areas in one transaction,
recorded like a dataset version of the source ``geography`` whose checksum
covers the declaration and every file it names, so an unchanged geography is
not loaded twice.

All writes run in the caller's transaction (``with engine.begin() as connection``)
and are idempotent: loading the same frames twice leaves the store as it was;
a changed name, weight or method replaces the old one. Upserts use the
backend's ``INSERT ... ON CONFLICT`` (SQLite and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Table, and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from jsna.content.geographies import PROJECT_FILE, DeclaredGeographies
from jsna.errors import StoreError
from jsna.geography import BuiltGeography, build_geography, declared_files
from jsna.geography.registry import AREA_TYPES, AreaType
from jsna.store.schema import area, area_membership, area_type, audit_log, boundary, source

from .versions import add_version, find_version, make_current

__all__ = [
    "GEOGRAPHY_SOURCE",
    "GeographyLoad",
    "area_ids",
    "areas_within",
    "children",
    "geography_checksum",
    "load_boundaries",
    "load_built_geography",
    "load_geography",
    "load_project_geography",
    "parents",
]

GEOGRAPHY_SOURCE = "geography"
"""The source id under which each loaded geography declaration is recorded as a version."""
GEOGRAPHY_FORMAT = "jsna-geography-1"
"""Part of the checksum: a new way of building the geography reloads every project once."""

CHUNK = 5000
"""Rows per INSERT statement and codes per IN (...) query."""


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upsert(
    connection: Connection, table: Table, records: list[dict[str, Any]], keys: list[str]
) -> None:
    """Insert ``records``, replacing the non-key columns of rows whose ``keys`` already exist."""
    if not records:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for part in _chunks(records):
        statement = dialect.insert(table)
        updates = {c: statement.excluded[c] for c in part[0] if c not in keys}
        statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
        connection.execute(statement, list(part))


def _type_rows(codes: Iterable[str], custom: Sequence[AreaType]) -> list[dict[str, Any]]:
    known = {**AREA_TYPES, **{t.code: t for t in custom}}
    missing = sorted(set(codes) - set(known))
    if missing:
        raise StoreError(f"unknown area type(s) {', '.join(missing)}: register custom types first")
    return [
        {
            "code": known[c].code,
            "name": known[c].name,
            "level": known[c].level,
            "vintage": known[c].vintage,
            "is_custom": known[c].is_custom,
        }
        for c in sorted(set(codes))
    ]


def _id_map(connection: Connection, types: Iterable[str]) -> dict[tuple[str, str], int]:
    query = select(area.c.area_type, area.c.code, area.c.id).where(
        area.c.area_type.in_(sorted(set(types)))
    )
    return {(t, c): i for t, c, i in connection.execute(query)}


def _upsert_areas(connection: Connection, areas: pd.DataFrame, custom: Sequence[AreaType]) -> None:
    types = set(areas["area_type"])
    _upsert(connection, area_type, _type_rows(types, custom), ["code"])
    unique = areas.drop_duplicates(["area_type", "code"])
    records = [
        {"area_type": t, "code": c, "name": n}
        for t, c, n in unique[["area_type", "code", "name"]].itertuples(index=False)
    ]
    _upsert(connection, area, records, ["area_type", "code"])


def load_geography(
    connection: Connection,
    areas: pd.DataFrame,
    memberships: pd.DataFrame,
    custom_types: Sequence[AreaType] = (),
) -> dict[str, int]:
    """Upsert area types, areas and memberships; returns the row counts written.

    Every membership must name areas in ``areas`` or already in the store.
    ``custom_types`` describes project-defined types (e.g. ``locality``).
    """
    _upsert_areas(connection, areas, custom_types)
    types = set(memberships["child_type"]) | set(memberships["parent_type"])
    ids = _id_map(connection, types)
    child = list(zip(memberships["child_type"], memberships["child_code"], strict=True))
    parent = list(zip(memberships["parent_type"], memberships["parent_code"], strict=True))
    unknown = sorted({key for key in child + parent if key not in ids})
    if unknown:
        listed = ", ".join(f"{t} {c}" for t, c in unknown[:5])
        raise StoreError(f"{len(unknown)} membership area(s) not in the store (e.g. {listed})")
    records = [
        {"child_id": ids[c], "parent_id": ids[p], "weight": float(w), "method": str(m)}
        for c, p, w, m in zip(
            child, parent, memberships["weight"], memberships["method"], strict=True
        )
    ]
    _upsert(connection, area_membership, records, ["child_id", "parent_id"])
    return {"areas": len(areas), "memberships": len(records)}


def load_boundaries(
    connection: Connection, rows: pd.DataFrame, custom_types: Sequence[AreaType] = ()
) -> int:
    """Upsert boundaries (rows of :func:`jsna.geography.boundaries.boundary_rows`).

    Areas without a row yet are created from the rows' ``area_type``, ``code``, ``name``.
    """
    if rows.empty:
        return 0
    _upsert_areas(connection, rows, custom_types)
    ids = _id_map(connection, set(rows["area_type"]))
    columns = ["geojson", "min_x", "min_y", "max_x", "max_y"]
    records = [
        {"area_id": ids[(t, c)], **dict(zip(columns, values, strict=True))}
        for t, c, *values in rows[["area_type", "code", *columns]].itertuples(index=False)
    ]
    _upsert(connection, boundary, records, ["area_id"])
    return len(records)


def area_ids(
    connection: Connection, codes: Iterable[str], area_type: str | None = None
) -> dict[str, int]:
    """Store ids of ``codes`` (absent codes are left out).

    Without ``area_type``, a code held by areas of several types (the same ward in
    ``ward17`` and ``ward22``) is an error: say which type is meant.
    """
    wanted = sorted(set(codes))
    found: dict[str, int] = {}
    types: dict[str, list[str]] = {}
    for part in _chunks(wanted):
        query = select(area.c.code, area.c.id, area.c.area_type).where(area.c.code.in_(part))
        if area_type is not None:
            query = query.where(area.c.area_type == area_type)
        for code, identifier, kind in connection.execute(query):
            found[code] = identifier
            types.setdefault(code, []).append(kind)
    ambiguous = {code: kinds for code, kinds in types.items() if len(kinds) > 1}
    if ambiguous:
        code, kinds = next(iter(sorted(ambiguous.items())))
        raise StoreError(
            f"{len(ambiguous)} code(s) are areas of several types (e.g. {code}: "
            f"{', '.join(sorted(kinds))}); give area_type"
        )
    return found


def _related(
    connection: Connection, code: str, code_type: str | None, other_type: str, up: bool
) -> pd.DataFrame:
    me, other = aliased(area), aliased(area)
    mine, theirs = (area_membership.c.child_id, area_membership.c.parent_id)
    if not up:
        mine, theirs = theirs, mine
    query = (
        select(other.c.code, other.c.name, area_membership.c.weight, area_membership.c.method)
        .select_from(area_membership)
        .join(me, and_(me.c.id == mine, me.c.code == code))
        .join(other, and_(other.c.id == theirs, other.c.area_type == other_type))
        .order_by(other.c.code)
    )
    if code_type is not None:
        query = query.where(me.c.area_type == code_type)
    rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=["code", "name", "weight", "method"])


def children(
    connection: Connection, parent_code: str, child_type: str, parent_type: str | None = None
) -> pd.DataFrame:
    """Direct members of ``child_type`` in an area: code, name, weight, method (ordered by code)."""
    return _related(connection, parent_code, parent_type, child_type, up=False)


def parents(
    connection: Connection, child_code: str, parent_type: str, child_type: str | None = None
) -> pd.DataFrame:
    """Areas of ``parent_type`` an area directly belongs to: code, name, weight, method."""
    return _related(connection, child_code, child_type, parent_type, up=True)


def load_built_geography(connection: Connection, built: BuiltGeography) -> dict[str, int]:
    """Write a built geography in the caller's transaction: areas, memberships, boundaries.

    The memberships of each custom type are replaced (a ward moved to another
    locality leaves no link to its old one); everything else is upserted.
    """
    custom = [kind.code for kind in built.custom_types]
    if custom:
        parents_of_custom = select(area.c.id).where(area.c.area_type.in_(custom))
        connection.execute(
            delete(area_membership).where(area_membership.c.parent_id.in_(parents_of_custom))
        )
    geography = built.geography
    written = load_geography(connection, geography.areas, geography.memberships, built.custom_types)
    written["boundaries"] = load_boundaries(connection, built.boundaries, built.custom_types)
    return written


def geography_checksum(declared: DeclaredGeographies) -> str:
    """SHA-256 of the declaration and of every file it names (a missing file counts as absent)."""
    digest = hashlib.sha256(GEOGRAPHY_FORMAT.encode())
    digest.update(declared.geographies.model_dump_json().encode())
    for _, text in declared_files(declared.geographies):
        path = declared.resolve(text)
        digest.update(str(text).encode() + b"\0")
        if path.is_file():
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class GeographyLoad:
    """What loading a project's geography did: ``status`` is "loaded" or "unchanged"."""

    status: str
    version_id: int
    counts: dict[str, int]
    """Rows written: areas, memberships, boundaries (empty when unchanged)."""
    rows: int
    """Rows of the version (written now, or when it was loaded)."""
    seconds: float
    outside: dict[str, int]
    """Custom type -> points that fell in no polygon."""


def _save_geography_source(connection: Connection, declared: DeclaredGeographies) -> None:
    values = {
        "title": "Areas, lookups, boundaries and custom areas of the project",
        "publisher": f"the project ({PROJECT_FILE}, geographies:)",
        "licence": "as published for each declared file",
        "url": None,
        "format": "geography",
        "declaration": declared.geographies.model_dump_json(),
    }
    exists = connection.execute(select(source.c.id).where(source.c.id == GEOGRAPHY_SOURCE)).first()
    if exists is None:
        connection.execute(source.insert().values(id=GEOGRAPHY_SOURCE, **values))
    else:
        connection.execute(source.update().where(source.c.id == GEOGRAPHY_SOURCE).values(**values))


def load_project_geography(
    engine: Engine, declared: DeclaredGeographies, *, force: bool = False, actor: str = "cli"
) -> GeographyLoad:
    """Build the declared geography and write it in ONE transaction, unless it is unchanged.

    Unchanged (same checksum as the current ``geography`` version) and not
    ``force``: nothing is read or written. A broken declaration raises
    :class:`jsna.errors.ContentError` (every problem, ``jsna.yml:line: field:
    message``) before anything is written.
    """
    start = time.perf_counter()
    checksum = geography_checksum(declared)
    with engine.connect() as connection:
        seen = find_version(connection, GEOGRAPHY_SOURCE, checksum)
    if seen is not None and seen.is_current and not force:
        return GeographyLoad(
            "unchanged", seen.id, {}, seen.row_count, time.perf_counter() - start, {}
        )
    built = build_geography(declared.geographies, declared.resolve, declared.problem)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        written = load_built_geography(connection, built)
        _save_geography_source(connection, declared)
        if seen is not None:
            make_current(connection, seen)
            version_id = seen.id
        else:
            version_id = add_version(
                connection,
                GEOGRAPHY_SOURCE,
                checksum=checksum,
                file_name=PROJECT_FILE,
                retrieved_at=datetime.fromtimestamp(declared.path.stat().st_mtime, UTC),
                imported_at=now,
                row_count=sum(written.values()),
            )
        detail = {"source": GEOGRAPHY_SOURCE, "version": version_id, **written}
        connection.execute(
            audit_log.insert().values(
                at=now,
                actor=actor,
                action="geography",
                entity="dataset_version",
                entity_id=str(version_id),
                detail=json.dumps(detail),
            )
        )
    seconds = time.perf_counter() - start
    return GeographyLoad(
        "loaded", version_id, written, sum(written.values()), seconds, built.outside
    )


def areas_within(connection: Connection, code: str, area_type: str) -> frozenset[str]:
    """Codes of the areas inside the area ``code`` of ``area_type``, and of those overlapping it.

    Members are followed down the store's memberships (wards, LSOAs, OAs,
    practices ...); an area that has any of them as a member (an MSOA, a PCN,
    a locality) overlaps the area and is included too.
    """
    start = connection.execute(
        select(area.c.id).where(area.c.code == code, area.c.area_type == area_type)
    ).scalars()
    inside: set[int] = set(start)
    frontier = set(inside)
    while frontier:
        found: set[int] = set()
        for chunk in _chunks(sorted(frontier)):
            query = select(area_membership.c.child_id).where(area_membership.c.parent_id.in_(chunk))
            found.update(connection.execute(query).scalars())
        frontier = found - inside
        inside |= frontier
    overlapping: set[int] = set()
    for chunk in _chunks(sorted(inside)):
        query = select(area_membership.c.parent_id).where(area_membership.c.child_id.in_(chunk))
        overlapping.update(connection.execute(query).scalars())
    codes: set[str] = set()
    for chunk in _chunks(sorted(inside | overlapping)):
        codes.update(connection.execute(select(area.c.code).where(area.c.id.in_(chunk))).scalars())
    return frozenset(codes)
