"""Sources and their dataset versions (vintages): what was imported, from which file, when.

An imported file is identified by its SHA-256 checksum. Importing a file
whose checksum a source already has creates nothing (if that version is not
the current one, e.g. a file reverted to last year's, it becomes current
again). A changed file is a new version; the previous one is marked not
current and its observations stay in the store, queryable by version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, select, update

from jsna.content.sources import Source

from .schema import dataset_version, source

__all__ = [
    "Version",
    "add_version",
    "current_versions",
    "find_version",
    "get_version",
    "list_versions",
    "make_current",
    "save_source",
    "versions_current_at",
]


@dataclass(frozen=True)
class Version:
    """One imported file of a source."""

    id: int
    source_id: str
    checksum: str
    file_name: str
    retrieved_at: datetime
    imported_at: datetime
    row_count: int
    is_current: bool


def _version(row: object) -> Version:
    mapping = row._mapping  # type: ignore[attr-defined]
    return Version(**{key: mapping[key] for key in Version.__dataclass_fields__})


def save_source(connection: Connection, declared: Source) -> None:
    """Insert the declaration of a source, or update it if the source is already stored."""
    values = {
        "title": declared.title,
        "publisher": declared.publisher,
        "licence": declared.licence,
        "url": declared.url,
        "format": declared.format,
        "declaration": declared.model_dump_json(),
    }
    exists = connection.execute(select(source.c.id).where(source.c.id == declared.id)).first()
    if exists is None:
        connection.execute(source.insert().values(id=declared.id, **values))
    else:
        connection.execute(source.update().where(source.c.id == declared.id).values(**values))


def find_version(connection: Connection, source_id: str, checksum: str) -> Version | None:
    """The version of ``source_id`` with this checksum, if it was imported before."""
    row = connection.execute(
        select(dataset_version).where(
            and_(dataset_version.c.source_id == source_id, dataset_version.c.checksum == checksum)
        )
    ).first()
    return None if row is None else _version(row)


def add_version(
    connection: Connection,
    source_id: str,
    *,
    checksum: str,
    file_name: str,
    retrieved_at: datetime,
    imported_at: datetime,
    row_count: int,
) -> int:
    """Record a new current version of ``source_id`` (the previous one stops being current)."""
    connection.execute(
        update(dataset_version)
        .where(dataset_version.c.source_id == source_id)
        .values(is_current=False)
    )
    result = connection.execute(
        dataset_version.insert().values(
            source_id=source_id,
            checksum=checksum,
            file_name=file_name,
            retrieved_at=retrieved_at,
            imported_at=imported_at,
            row_count=row_count,
            is_current=True,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def make_current(connection: Connection, version: Version) -> None:
    """Make ``version`` the current one of its source again."""
    connection.execute(
        update(dataset_version)
        .where(dataset_version.c.source_id == version.source_id)
        .values(is_current=dataset_version.c.id == version.id)
    )


def list_versions(connection: Connection, source_id: str | None = None) -> list[Version]:
    """Every version (of one source, or of all), oldest first."""
    query = select(dataset_version).order_by(dataset_version.c.imported_at, dataset_version.c.id)
    if source_id is not None:
        query = query.where(dataset_version.c.source_id == source_id)
    return [_version(row) for row in connection.execute(query)]


def get_version(connection: Connection, version_id: int) -> Version | None:
    """The version with this id, if any."""
    row = connection.execute(
        select(dataset_version).where(dataset_version.c.id == version_id)
    ).first()
    return None if row is None else _version(row)


def current_versions(connection: Connection) -> list[int]:
    """Ids of the current version of every source."""
    query = select(dataset_version.c.id).where(dataset_version.c.is_current.is_(True))
    return sorted(int(value) for value in connection.scalars(query))


def versions_current_at(connection: Connection, when: datetime) -> list[int]:
    """Ids of the version of each source that was the newest import at ``when``."""
    latest = (
        select(
            dataset_version.c.source_id,
            func.max(dataset_version.c.imported_at).label("at"),
        )
        .where(dataset_version.c.imported_at <= when)
        .group_by(dataset_version.c.source_id)
        .subquery()
    )
    query = (
        select(func.max(dataset_version.c.id))
        .join(
            latest,
            and_(
                dataset_version.c.source_id == latest.c.source_id,
                dataset_version.c.imported_at == latest.c.at,
            ),
        )
        .group_by(dataset_version.c.source_id)
    )
    return sorted(int(value) for value in connection.scalars(query))
