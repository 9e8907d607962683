"""Importing a declared source: check everything first, then write it all in one transaction.

1. the file is found (``file:`` of the declaration, relative to the project,
   or a new file given to ``jsna import``), its size checked and the SHA-256
   of the declaration and the file computed; a checksum the source already
   has means nothing to do (a changed filter or mapping is a new version);
2. it is read by the adapter of its format and checked (every problem of
   every row collected; any problem -> :class:`ImportRejectedError`, nothing
   written);
3. the source, a new dataset version, the areas it needs, its observations
   and an ``audit_log`` row are written in ONE transaction: a failure at any
   point leaves every table as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from jsna.content.geographies import PROJECT_FILE, read_geographies
from jsna.content.mirror import resolve_path
from jsna.content.sources import Source, load_sources
from jsna.errors import ContentError, InputFileError, JsnaError, StoreError
from jsna.store import migrate
from jsna.store.areas import GEOGRAPHY_SOURCE, load_project_geography
from jsna.store.observations import checked_area_codes, write_observations
from jsna.store.schema import audit_log
from jsna.store.slices import current_versions_of, indicators_of_versions, refresh_slices
from jsna.store.versions import add_version, find_version, make_current, save_source

from .formats import read_table
from .formats.base import CHUNK, check_size
from .problems import ImportRejectedError, Limits, Problem
from .validate import check_table

__all__ = [
    "ImportResult",
    "IngestOutcome",
    "Progress",
    "import_file",
    "ingest_project",
    "resolve_file",
]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` while a file is read and written."""


@dataclass(frozen=True)
class ImportResult:
    """What one import did: ``status`` is "imported", "unchanged" or "restored".

    ``duplicates_dropped`` counts the exact duplicate rows the declaration
    dropped (``drop_duplicates: exact``).
    """

    source_id: str
    file: str
    status: str
    version_id: int
    rows: int
    duplicates_dropped: int = 0


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


def resolve_file(project: Path, declared: Source, file: Path | None = None) -> Path:
    """The file to import: the one given, else the declared file relative to the project."""
    if file is not None:
        return Path(file)
    if declared.file is None:
        raise InputFileError(
            project / "sources" / f"{declared.id}.yml",
            f"source {declared.id!r} declares only a url ({declared.url}); download the file "
            f"and load it with 'jsna import {project} {declared.id} FILE'",
        )
    return resolve_path(project, declared.file)


def _checksum(path: Path, declared: Source, progress: Progress) -> str:
    """SHA-256 of the declaration and the file: changing either makes a new version."""
    digest = hashlib.sha256()
    digest.update(declared.model_dump_json().encode())
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            progress("checksum", done, total)
    return digest.hexdigest()


def _require_store(engine: Engine) -> None:
    if migrate.current(engine) != migrate.head():
        raise StoreError("the store is not up to date: run 'jsna db upgrade' first")


def import_file(
    engine: Engine,
    project: Path | str,
    declared: Source,
    file: Path | str | None = None,
    *,
    limits: Limits | None = None,
    actor: str = "cli",
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file of a declared source (the declared file by default); all or nothing."""
    limits = limits or Limits()
    report = progress or _quiet
    path = resolve_file(Path(project), declared, Path(file) if file is not None else None)
    shown = str(path)
    check_size(path, limits)
    _require_store(engine)
    checksum = _checksum(path, declared, report)
    with engine.connect() as connection:
        seen = find_version(connection, declared.id, checksum)
    if seen is not None:
        if seen.is_current:
            return ImportResult(declared.id, shown, "unchanged", seen.id, seen.row_count)
        with engine.begin() as connection:
            replaced = current_versions_of(connection, declared.id)
            make_current(connection, seen)
            refresh_slices(connection, indicators_of_versions(connection, [*replaced, seen.id]))
            _audit(connection, actor, "restore", declared.id, seen.id, shown, seen.row_count)
        return ImportResult(declared.id, shown, "restored", seen.id, seen.row_count)

    report("reading", 0, 1)
    table = read_table(path, declared, limits)
    report("checking", 0, 1)
    kinds = {declared.geography, *declared.area_type_of_prefix().values()}
    with engine.connect() as connection:
        known = checked_area_codes(connection, kinds)
    checked = check_table(table, declared, shown, limits, known)
    problems = list(checked.problems)
    if not problems and checked.frame.empty:
        problems.append(
            Problem(shown, table.header_row, "(file)", "no rows to import after the filters", "")
        )
    if problems:
        raise ImportRejectedError(path, problems)

    now = datetime.now(UTC)
    retrieved = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    rows = len(checked.frame)
    report("writing", 0, rows)
    try:
        with engine.begin() as connection:
            version_id = _write(connection, declared, checksum, path, retrieved, now, checked.frame)
            _audit(connection, actor, "import", declared.id, version_id, shown, rows)
    except DBAPIError as error:
        reason = str(error.orig).splitlines()[0] if error.orig is not None else str(error)
        raise StoreError(
            f"{path}: the database refused the import, nothing was written: {reason}"
        ) from error
    report("writing", rows, rows)
    return ImportResult(declared.id, shown, "imported", version_id, rows, checked.dropped)


def _write(
    connection: Connection,
    declared: Source,
    checksum: str,
    path: Path,
    retrieved: datetime,
    now: datetime,
    frame: pd.DataFrame,
) -> int:
    """Source, version, areas, observations and slices, inside the caller's transaction.

    The slices of the new version's indicators and of the version it replaces
    are rebuilt, so the dashboards read fresh slices once the import commits.
    """
    save_source(connection, declared)
    replaced = current_versions_of(connection, declared.id)
    version_id = add_version(
        connection,
        declared.id,
        checksum=checksum,
        file_name=path.name,
        retrieved_at=retrieved,
        imported_at=now,
        row_count=len(frame),
    )
    write_observations(connection, version_id, frame)
    indicators = {str(value) for value in frame["indicator_id"].unique()}
    refresh_slices(connection, indicators | indicators_of_versions(connection, replaced))
    return version_id


def _audit(
    connection: Connection,
    actor: str,
    action: str,
    source_id: str,
    version_id: int,
    file: str,
    rows: int,
) -> None:
    detail = {"source": source_id, "version": version_id, "file": file, "rows": rows}
    connection.execute(
        audit_log.insert().values(
            at=datetime.now(UTC),
            actor=actor,
            action=action,
            entity="dataset_version",
            entity_id=str(version_id),
            detail=json.dumps(detail),
        )
    )


@dataclass(frozen=True)
class IngestOutcome:
    """Every source of a project: what was imported, and the errors of those that failed."""

    results: list[ImportResult]
    failures: dict[str, JsnaError]


def _geography_first(
    engine: Engine, project: Path, declared: dict[str, Source], actor: str
) -> ImportResult | None:
    """The project's declared geography, loaded first when it changed (none without jsna.yml).

    Sources are checked against the areas it loads. A declaration whose
    checksum (declaration and every file it names) is current is skipped.
    """
    settings = project / PROJECT_FILE
    if not settings.is_file():
        return None
    if GEOGRAPHY_SOURCE in declared:
        raise ContentError(
            [
                f"{project / 'sources' / GEOGRAPHY_SOURCE}.yml:1: id: {GEOGRAPHY_SOURCE!r} is "
                f"reserved for the geography declared in {PROJECT_FILE}: rename the source"
            ]
        )
    _require_store(engine)
    done = load_project_geography(engine, read_geographies(project), actor=actor)
    status = "imported" if done.status == "loaded" else "unchanged"
    return ImportResult(GEOGRAPHY_SOURCE, str(settings), status, done.version_id, done.rows)


def ingest_project(
    engine: Engine,
    project: Path | str,
    only: list[str] | None = None,
    *,
    limits: Limits | None = None,
    actor: str = "cli",
    progress: Callable[[str], Progress] | None = None,
) -> IngestOutcome:
    """Import every declared source (or ``only`` these), each in its own transaction.

    The geography declared in ``jsna.yml`` comes first, in its own transaction,
    when it changed (its result is the first, with source id ``geography``).

    A source that fails leaves the store as it was for that source; the others
    are still imported, and every failure is returned.
    """
    declared = load_sources(project, only)
    results: list[ImportResult] = []
    failures: dict[str, JsnaError] = {}
    geography = _geography_first(engine, Path(project), declared, actor)
    if geography is not None:
        results.append(geography)
    for source_id, source in declared.items():
        try:
            results.append(
                import_file(
                    engine,
                    project,
                    source,
                    limits=limits,
                    actor=actor,
                    progress=progress(source_id) if progress else None,
                )
            )
        except StoreError:
            raise
        except JsnaError as error:
            failures[source_id] = error
    return IngestOutcome(results, failures)
