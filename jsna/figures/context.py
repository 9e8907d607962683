"""Where figures read from: one project and one open store connection, with caches.

A :class:`FigureContext` is made once per build (or per web request) and
handed to every figure builder. It reads published results only (after
disclosure control), boundaries from the store, and service locations from
the project's declared source files (local files, never the network).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Connection, func, select

from jsna.compute.projection import is_projected
from jsna.content.indicators import Indicator
from jsna.content.mirror import resolve_path
from jsna.content.project_files import Project
from jsna.store.results import published_results
from jsna.store.schema import area, area_type, boundary, result

__all__ = ["FigureContext"]

T = TypeVar("T")

_NAME_COLUMNS = ("name", "practice_name", "pharmacy_name", "site_name", "organisation_name")


@dataclass
class FigureContext:
    """The project, the store connection, and cached reads of both."""

    project: Project
    connection: Connection
    _results: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _boundaries: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)
    _points: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _memo: dict[tuple[Hashable, ...], tuple[Any, Any]] = field(default_factory=dict, repr=False)
    breakdown: str | None = None
    """Only this slice of every indicator (``sex:female``, ``age:65+``, ``<breakdown type>:
    <breakdown>``) where the indicator has it; see :meth:`viewed`."""
    without_breakdown: set[str] = field(default_factory=set, repr=False)
    """Indicators read without rows in ``breakdown`` (drawn with all their rows instead)."""
    base: FigureContext | None = field(default=None, repr=False)
    """The context this one was made from by :meth:`viewed` (results are read from it)."""

    def viewed(
        self, *, breakdown: str | None = None, comparator: str | None = None
    ) -> FigureContext:
        """A context showing one breakdown of every indicator and judging against one comparator
        first (a dashboard's selectors), sharing this one's connection, boundaries and points.

        ``breakdown`` keeps the rows of that slice (an indicator without it keeps all its
        rows and is listed in ``without_breakdown``); ``comparator`` (an id of jsna.yml
        ``comparators``) moves that comparator first, so charts colour by it.
        """
        project = self.project
        if comparator is not None:
            chosen = [c for c in project.config.comparators if c.id == comparator]
            if not chosen:
                raise KeyError(f"no comparator {comparator!r} in jsna.yml")
            others = [c for c in project.config.comparators if c.id != comparator]
            config = project.config.model_copy(update={"comparators": (*chosen, *others)})
            project = replace(project, config=config)
        return FigureContext(
            project,
            self.connection,
            _boundaries=self._boundaries,
            _points=self._points,
            breakdown=breakdown,
            base=self,
        )

    def memo(self, key: tuple[Hashable, ...], make: Callable[[], T]) -> T:
        """``make()`` computed once per ``key`` for this context (slices shared by figures).

        Figures of one build ask for the same slices again and again (an
        indicator's rows at an area type and period, once per area profile):
        builders keep them here so each is computed once. Callers must not
        modify what they get back.

        ``key`` is ``(name, indicator_id, ...)``: an entry is made again when
        that indicator's results frame has been replaced since (tests swap
        frames in ``_results``), so nothing stale is ever returned.
        """
        indicator_id = key[1] if len(key) > 1 else None
        found = self._memo.get(key)
        if found is not None and found[0] is self._results.get(indicator_id):  # type: ignore[arg-type]
            return found[1]  # type: ignore[no-any-return]
        value = make()
        self._memo[key] = (self._results.get(indicator_id), value)  # type: ignore[arg-type]
        return value

    @property
    def area_code(self) -> str:
        """Code of the JSNA's own area (e.g. E08000009)."""
        return self.project.config.area.code

    @property
    def area_name(self) -> str:
        """Name of the JSNA's own area (e.g. Trafford)."""
        return self.project.config.area.name

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator definition."""
        return self.project.indicators[indicator_id]

    def results(self, indicator_id: str) -> pd.DataFrame:
        """Published results of one indicator (``jsna export`` columns) plus ``projected``.

        ``projected`` is True on rows of a linear projection (period such as
        ``2030 (projected)``): figures draw them apart (dashed) or leave them
        out, and never take them as "the latest period".
        """
        if indicator_id not in self._results:
            if self.base is not None:
                frame = self._sliced(indicator_id, self.base.results(indicator_id))
            else:
                frame = published_results(self.connection, indicator_id=indicator_id)
                frame["projected"] = is_projected(frame).to_numpy(dtype=bool)
            self._results[indicator_id] = frame
        return self._results[indicator_id]

    def _sliced(self, indicator_id: str, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``breakdown`` (all rows when the indicator has none of them)."""
        if self.breakdown is None or frame.empty:
            return frame
        kind, _, value = self.breakdown.partition(":")
        if kind in ("sex", "age"):
            keep = frame[kind].astype(str) == value
        else:
            keep = (frame["breakdown_type"].fillna("") == kind) & (
                frame["breakdown"].astype(str) == value
            )
        if not keep.any():
            self.without_breakdown.add(indicator_id)
            return frame
        return frame[keep.to_numpy()].reset_index(drop=True)

    def latest_period(self, indicator_id: str, area_type: str | None = None) -> str | None:
        """The last observed (not projected) period of an indicator, for an area type if given.

        Periods are ordered as the store orders them (period start, then the
        period's name), across all areas: rows come ordered by area first, so
        the last row belongs to the last area code, which may lack the latest
        period.
        """
        return self.memo(
            ("latest_period", indicator_id, area_type),
            lambda: self._latest_period(indicator_id, area_type),
        )

    def _latest_period(self, indicator_id: str, area_type: str | None) -> str | None:
        pairs = self._observed_pairs(indicator_id)
        if area_type is not None:
            pairs = pairs[pairs["area_type"] == area_type]
        if pairs.empty:
            return None
        starts = self._period_starts(indicator_id)
        periods = set(pairs["period"].astype(str))
        return max(periods, key=lambda period: (starts.get(period, 0), period))

    def _observed_pairs(self, indicator_id: str) -> pd.DataFrame:
        """Distinct (area_type, period) of the indicator's observed rows (cached).

        A few dozen rows instead of the whole frame, for :meth:`latest_period`
        at each area type.
        """

        def pairs() -> pd.DataFrame:
            frame = self.results(indicator_id)
            return frame.loc[~frame["projected"], ["area_type", "period"]].drop_duplicates()

        return self.memo(("observed_pairs", indicator_id), pairs)

    def _period_starts(self, indicator_id: str) -> dict[str, int]:
        """Period -> its start year in the store (the first key of the store's period order)."""
        key = f"_starts_{indicator_id}"
        if key not in self.__dict__:
            query = (
                select(result.c.period, func.max(result.c.period_start))
                .where(result.c.indicator_id == indicator_id)
                .group_by(result.c.period)
            )
            self.__dict__[key] = {
                str(period): int(start or 0) for period, start in self.connection.execute(query)
            }
        return dict(self.__dict__[key])

    @cached_property
    def area_type_names(self) -> dict[str, str]:
        """Area type code -> name shown to readers (``ward23`` -> ``Ward (2023)``)."""
        rows = self.connection.execute(select(area_type.c.code, area_type.c.name))
        return {str(row[0]): str(row[1]) for row in rows}

    def boundaries(self, area_type_code: str) -> gpd.GeoDataFrame:
        """Display boundaries of one area type (WGS84, clockwise outer rings for Vega).

        Columns: ``area_code``, ``area_name``, ``geometry``.
        """
        if area_type_code not in self._boundaries:
            query = (
                select(area.c.code, area.c.name, boundary.c.geojson)
                .join(boundary, boundary.c.area_id == area.c.id)
                .where(area.c.area_type == area_type_code)
                .order_by(area.c.code)
            )
            rows = self.connection.execute(query).fetchall()
            geometries = shapely.from_geojson([r[2] for r in rows])
            self._boundaries[area_type_code] = gpd.GeoDataFrame(
                {"area_code": [r[0] for r in rows], "area_name": [r[1] for r in rows]},
                geometry=shapely.orient_polygons(geometries, exterior_cw=True),
                crs="EPSG:4326",
            )
        return self._boundaries[area_type_code]

    def points(self, source_id: str) -> pd.DataFrame:
        """Service locations of a source's file: ``name``, ``lon``, ``lat`` (rows without both
        coordinates dropped)."""
        if source_id not in self._points:
            source = self.project.sources[source_id]
            if source.file is None:
                raise KeyError(f"source {source_id} has no file of locations")
            raw = pd.read_csv(resolve_path(self.project.root, source.file), dtype=str)
            name = next((c for c in _NAME_COLUMNS if c in raw.columns), raw.columns[0])
            frame = pd.DataFrame(
                {
                    "name": raw[name].fillna(""),
                    "lon": pd.to_numeric(raw.get("lon"), errors="coerce"),
                    "lat": pd.to_numeric(raw.get("lat"), errors="coerce"),
                }
            ).dropna(subset=["lon", "lat"])
            self._points[source_id] = frame.reset_index(drop=True)
        return self._points[source_id]
