"""Reading what an indicator needs from the store: observations, areas and memberships.

Observations are read once per measure and source (current dataset versions
only) and then filtered in pandas by each :class:`~jsna.content.indicators.Selection`;
areas and memberships are read once per run, and only when something has to
be computed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, func, select
from sqlalchemy.orm import aliased

from jsna.store.queries import indicator_rows
from jsna.store.schema import area, area_membership, dataset_version, observation

from .rollup import Memberships

__all__ = [
    "FIGURES",
    "KEYS",
    "StoreInputs",
    "current_versions_by_source",
    "geography_fingerprint",
]

FIGURES = ("numerator", "denominator", "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8")
"""Figure columns of an observation."""
KEYS = ("period", "period_start", "sex", "age", "breakdown_type", "breakdown")
"""Columns that, with the area, name one cell of a result."""


def current_versions_by_source(connection: Connection) -> dict[str, list[int]]:
    """Ids of the current dataset versions of every source."""
    query = select(dataset_version.c.source_id, dataset_version.c.id).where(
        dataset_version.c.is_current.is_(True)
    )
    found: dict[str, list[int]] = {}
    for source_id, version_id in connection.execute(query):
        found.setdefault(str(source_id), []).append(int(version_id))
    return {key: sorted(value) for key, value in found.items()}


def geography_fingerprint(connection: Connection) -> str:
    """A cheap fingerprint of the areas and memberships (changes when the geography does)."""
    areas = connection.execute(select(func.count(), func.coalesce(func.sum(area.c.id), 0))).one()
    links = connection.execute(
        select(
            func.count(),
            func.coalesce(func.sum(area_membership.c.child_id), 0),
            func.coalesce(
                func.sum(area_membership.c.parent_id * 7 + area_membership.c.child_id), 0
            ),
            func.coalesce(
                func.sum(func.length(area_membership.c.method) * area_membership.c.child_id), 0
            ),
            func.coalesce(func.sum(area_membership.c.weight * area_membership.c.parent_id), 0.0),
        )
    ).one()
    text = json.dumps([list(map(str, areas)), [str(v) for v in links[:4]], f"{links[4]:.9g}"])
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class StoreInputs:
    """Observations, areas and memberships read from one connection, each read once."""

    connection: Connection
    versions: dict[str, list[int]]
    _observations: dict[tuple[str, tuple[int, ...]], pd.DataFrame] = field(default_factory=dict)
    _areas: pd.DataFrame | None = None
    _memberships: pd.DataFrame | None = None
    _graph: Memberships | None = None
    _area_index: pd.MultiIndex | None = None

    def observations(self, measure: str, source_id: str) -> pd.DataFrame:
        """Current observations of ``measure`` from ``source_id`` (area code and type included)."""
        version_ids = tuple(self.versions.get(source_id, ()))
        key = (measure, version_ids)
        if key not in self._observations:
            self._observations[key] = self._read(measure, version_ids)
        return self._observations[key]

    def _read(self, measure: str, version_ids: Iterable[int]) -> pd.DataFrame:
        """The rows of ``measure`` in ``version_ids``, one area type at a time.

        Each area type is read with :func:`jsna.store.queries.indicator_rows`
        (from the packed slice when one is fresh), then kept to the versions
        of the selection's source; area codes come from the areas read once.
        """
        ids = sorted(int(value) for value in version_ids)
        names = ["version_id", "area_id", "area_code", "area_type", *KEYS, *FIGURES]
        if not ids:
            return _typed(pd.DataFrame(columns=names))
        types = self.connection.scalars(
            select(observation.c.area_type)
            .where(and_(observation.c.indicator_id == measure, observation.c.version_id.in_(ids)))
            .distinct()
        ).all()
        parts = []
        for kind in sorted(types):
            rows = indicator_rows(self.connection, measure, kind)
            if not set(rows["version_id"].unique()) <= set(ids):
                rows = rows[rows["version_id"].isin(ids)]
            parts.append(rows)
        if not parts:
            return _typed(pd.DataFrame(columns=names))
        frame = pd.concat(parts, ignore_index=True)
        codes = self.areas().set_index("area_id")["area_code"]
        frame["area_code"] = codes.reindex(frame["area_id"].to_numpy()).to_numpy()
        return _typed(frame[names].copy())

    def areas(self) -> pd.DataFrame:
        """Every area: ``area_id``, ``area_type``, ``area_code``, ``area_name``."""
        if self._areas is None:
            rows = self.connection.execute(
                select(area.c.id, area.c.area_type, area.c.code, area.c.name)
            ).all()
            self._areas = _rows_frame(rows, ["area_id", "area_type", "area_code", "area_name"])
        return self._areas

    def area_index(self) -> pd.MultiIndex:
        """(area_type, area_code) of every area, in the row order of :meth:`areas`."""
        if self._area_index is None:
            areas = self.areas()
            self._area_index = pd.MultiIndex.from_arrays(
                [areas["area_type"].astype(object), areas["area_code"].astype(object)]
            )
        return self._area_index

    def graph(self) -> Memberships:
        """The memberships with their chains between area types (cached)."""
        if self._graph is None:
            self._graph = Memberships(self.memberships())
        return self._graph

    def memberships(self) -> pd.DataFrame:
        """Every membership: child and parent type and code, weight and method."""
        if self._memberships is None:
            child, parent = aliased(area), aliased(area)
            query = (
                select(
                    child.c.area_type,
                    child.c.code,
                    parent.c.area_type,
                    parent.c.code,
                    area_membership.c.weight,
                    area_membership.c.method,
                )
                .join(child, child.c.id == area_membership.c.child_id)
                .join(parent, parent.c.id == area_membership.c.parent_id)
            )
            rows = self.connection.execute(query).all()
            self._memberships = _rows_frame(
                rows,
                [
                    "child_type",
                    "child_code",
                    "parent_type",
                    "parent_code",
                    "weight",
                    "method",
                ],
            )
            self._memberships["weight"] = self._memberships["weight"].astype(np.float64)
        return self._memberships


def _rows_frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """A frame from result rows, via plain tuples (pandas probes Row objects slowly)."""
    return pd.DataFrame.from_records([tuple(row) for row in rows], columns=columns)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for name in FIGURES:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
    for name in ("version_id", "area_id", "period_start"):
        frame[name] = frame[name].astype(np.int64)
    if frame.empty:
        for name in ("area_code", "area_type", "period", "sex", "age", "breakdown_type"):
            frame[name] = frame[name].astype(object)
    return frame
