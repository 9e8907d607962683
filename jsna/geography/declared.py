"""A project's geography built from its declaration, and nothing else.

:func:`build_geography` takes the ``geographies:`` section of ``jsna.yml``
(any object shaped like :class:`GeographySpec`: the pydantic models of
:mod:`jsna.content.geographies` are; this layer does not import them), a
function that turns a declared path into a file, and a function that turns a
location in the declaration and a message into a problem line. It reads every
lookup, boundary and custom-area file, checks every member code against the
areas the lookups load, and returns one :class:`BuiltGeography`, or raises one
:class:`ContentError` listing every problem (``jsna.yml:line: field: message``).

Custom area types get the level above their members (unless declared) and
the vintage of their members; their memberships carry the method of the way
they were made: ``custom`` (``areas``, ``from_file``), ``point_in_polygon``
(``points``) or ``apportioned``/``best_fit`` (``apportion``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd

from jsna.errors import ContentError, InputFileError

from .boundaries import BOUNDARY_COLUMNS, boundary_rows, read_boundaries
from .codes import read_table
from .custom import Apportion, AreaList, PointsInPolygons, custom_area_memberships
from .frames import Geography
from .lookups import read_lookup
from .registry import AREA_TYPES, AreaType, area_type, custom_area_type

__all__ = ["BuiltGeography", "GeographySpec", "build_geography", "declared_files"]

Location = tuple[Any, ...]
"""Where in the section a problem is: ``("custom_areas", 0, "areas", "North")``."""
Where = Callable[[Location, str], str]
Resolve = Callable[[str], Path]
MAX_LISTED = 5
_LINE = re.compile(r"^.*?:(\d+): ")


class LookupSpec(Protocol):
    """One declared lookup file (see ``jsna.content.geographies.LookupFile``)."""

    @property
    def reader(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def only(self) -> Sequence[str]: ...
    @property
    def ward_type(self) -> str | None: ...
    @property
    def ltla_type(self) -> str | None: ...


class BoundarySpec(Protocol):
    """One declared boundary file."""

    @property
    def area_type(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def tolerance(self) -> float: ...


class GroupsSpec(Protocol):
    """Custom areas from a member column and a group column of a CSV."""

    @property
    def file(self) -> str: ...
    @property
    def member(self) -> str: ...
    @property
    def group(self) -> str: ...


class PolygonsSpec(Protocol):
    """A GeoJSON file whose features are the custom areas."""

    @property
    def file(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def tolerance(self) -> float: ...


class PointsSpec(Protocol):
    """Members as points, placed in polygons."""

    @property
    def file(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def lat(self) -> str: ...
    @property
    def lon(self) -> str: ...
    @property
    def polygons(self) -> PolygonsSpec: ...


class ApportionSpec(Protocol):
    """Units shared between polygons by the share of their residents' points inside."""

    @property
    def file(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def lat(self) -> str: ...
    @property
    def lon(self) -> str: ...
    @property
    def polygons(self) -> PolygonsSpec: ...
    @property
    def best_fit(self) -> bool: ...
    @property
    def min_share(self) -> float: ...


class CustomSpec(Protocol):
    """One declared custom area type."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def of(self) -> str: ...
    @property
    def level(self) -> int | None: ...
    @property
    def areas(self) -> Mapping[str, Sequence[str]] | None: ...
    @property
    def from_file(self) -> GroupsSpec | None: ...
    @property
    def points(self) -> PointsSpec | None: ...
    @property
    def apportion(self) -> ApportionSpec | None: ...


class GeographySpec(Protocol):
    """The ``geographies:`` section of ``jsna.yml``."""

    @property
    def lookups(self) -> Sequence[LookupSpec]: ...
    @property
    def boundaries(self) -> Sequence[BoundarySpec]: ...
    @property
    def custom_areas(self) -> Sequence[CustomSpec]: ...


@dataclass(frozen=True)
class BuiltGeography:
    """Everything a declaration gives, ready for :func:`jsna.store.areas.load_built_geography`."""

    geography: Geography
    """Areas (standard and custom) and every membership."""
    boundaries: pd.DataFrame
    """Rows of :func:`jsna.geography.boundaries.boundary_rows` (standard and custom polygons)."""
    custom_types: tuple[AreaType, ...]
    """The project's own area types."""
    outside: dict[str, int]
    """Custom type -> points that fell in no polygon (left out)."""


def _line_number(problem: str) -> int:
    """The line of a ``path:line: field: message`` problem (0 when it has none), for sorting."""
    found = _LINE.match(problem)
    return int(found.group(1)) if found else 0


def _plain_where(loc: Location, message: str) -> str:
    return f"geographies.{'.'.join(map(str, loc))}: {message}"


def declared_files(spec: GeographySpec) -> list[tuple[Location, str]]:
    """Every file the declaration names, with where it is named, in declaration order."""
    found: list[tuple[Location, str]] = []
    for number, lookup in enumerate(spec.lookups):
        found.append((("lookups", number, "file"), lookup.file))
    for number, shape in enumerate(spec.boundaries):
        found.append((("boundaries", number, "file"), shape.file))
    for number, custom in enumerate(spec.custom_areas):
        if custom.from_file is not None:
            found.append((("custom_areas", number, "from_file", "file"), custom.from_file.file))
        for key, way in (("points", custom.points), ("apportion", custom.apportion)):
            if way is not None:
                found.append((("custom_areas", number, key, "file"), way.file))
                found.append((("custom_areas", number, key, "polygons", "file"), way.polygons.file))
    return found


def _listed(codes: Sequence[str]) -> str:
    shown = ", ".join(map(str, codes[:MAX_LISTED]))
    more = len(codes) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


class _Builder:
    """Collects every problem while reading the declared files."""

    def __init__(self, resolve: Resolve, where: Where):
        self.resolve = resolve
        self.where = where
        self.problems: list[str] = []
        self.lookups_failed = False
        """A lookup could not be read: members it would load are not called unknown."""

    def problem(self, loc: Location, message: str) -> None:
        self.problems.append(self.where(loc, message))

    def file(self, loc: Location, text: str) -> Path | None:
        path = self.resolve(text)
        if not path.is_file():
            self.problem(loc, f"no such file: {path}")
            return None
        return path

    def lookups(self, spec: GeographySpec) -> Geography:
        parts = []
        for number, item in enumerate(spec.lookups):
            path = self.file(("lookups", number, "file"), item.file)
            if path is None:
                continue
            try:
                parts.append(
                    read_lookup(
                        item.reader,
                        path,
                        only=tuple(item.only),
                        ward_type=item.ward_type,
                        ltla_type=item.ltla_type,
                    )
                )
            except (InputFileError, ValueError) as error:
                self.problem(("lookups", number), str(error))
        self.lookups_failed = bool(self.problems)
        return Geography.combine(*parts) if parts else Geography.empty()

    def members(self, loc: Location, kind: AreaType, codes: Sequence[str], known: set[str]) -> bool:
        """Whether every code is valid for ``kind`` and loaded by the lookups."""
        bad = [code for code in codes if not kind.accepts(code)]
        if bad:
            self.problem(loc, f"{_listed(bad)}: not {kind.rule()} (area type {kind.code})")
            return False
        unknown = sorted(set(codes) - known)
        if unknown and not self.lookups_failed:
            self.problem(
                loc, f"{_listed(unknown)}: not among the {kind.code} areas the lookups load"
            )
            return False
        return True

    def polygons(
        self, loc: Location, spec: PolygonsSpec, kind: AreaType
    ) -> gpd.GeoDataFrame | None:
        path = self.file((*loc, "file"), spec.file)
        if path is None:
            return None
        try:
            return read_boundaries(path, kind.code, spec.code, spec.name, kind)
        except InputFileError as error:
            self.problem(loc, str(error))
            return None

    def points(
        self, loc: Location, text: str, code: str, lat: str, lon: str
    ) -> pd.DataFrame | None:
        path = self.file((*loc, "file"), text)
        if path is None:
            return None
        try:
            frame = read_table(path, [code, lat, lon])
        except InputFileError as error:
            self.problem(loc, str(error))
            return None
        out = pd.DataFrame(
            {
                "code": frame[code],
                "lat": pd.to_numeric(frame[lat], errors="coerce"),
                "lon": pd.to_numeric(frame[lon], errors="coerce"),
            }
        )
        bad = ~(out["lat"].between(-90, 90) & out["lon"].between(-180, 180)) | (out["code"] == "")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            self.problem(
                loc,
                f"{path}, row {row + 2}: a code and a latitude/longitude in degrees are needed "
                f"({bad.sum()} rows without)",
            )
            return None
        return out

    def custom(
        self, number: int, item: CustomSpec, standard: Geography
    ) -> tuple[AreaType, Geography, pd.DataFrame, int] | None:
        """One custom type: its type, areas + memberships, polygon boundaries, points outside."""
        loc: Location = ("custom_areas", number)
        if item.type in AREA_TYPES:
            self.problem((*loc, "type"), f"{item.type!r} is a standard area type: choose another")
            return None
        try:
            member = area_type(item.of)
        except KeyError as error:
            self.problem((*loc, "of"), str(error.args[0]))
            return None
        kind = custom_area_type(
            item.type,
            item.name,
            item.level if item.level is not None else min(member.level + 1, 7),
            member.vintage,
        )
        areas = standard.areas
        known = set(areas.loc[areas["area_type"] == member.code, "code"])
        if not known:
            if not self.lookups_failed:
                self.problem((*loc, "of"), f"no declared lookup loads areas of type {member.code}")
            return None
        shapes = pd.DataFrame(columns=BOUNDARY_COLUMNS)
        placed = 0
        if item.areas is not None:
            ok = True
            for name, codes in item.areas.items():
                ok &= self.members((*loc, "areas", name), member, list(codes), known)
            if not ok:
                return None
            groups = {str(name): list(codes) for name, codes in item.areas.items()}
            definition: AreaList | PointsInPolygons | Apportion = AreaList(
                kind.code, member.code, groups
            )
            names = pd.DataFrame(
                {"area_type": kind.code, "code": list(groups), "name": list(groups)}
            )
            where: Location = (*loc, "areas")
        elif item.from_file is not None:
            where = (*loc, "from_file")
            spec = item.from_file
            path = self.file((*where, "file"), spec.file)
            if path is None:
                return None
            try:
                frame = read_table(path, [spec.member, spec.group])
            except InputFileError as error:
                self.problem(where, str(error))
                return None
            pairs = frame.drop_duplicates().loc[lambda f: f[spec.member] != ""]
            pairs = pairs[pairs[spec.group] != ""]
            long = sorted({g for g in pairs[spec.group] if len(g) > 32})
            if long:
                self.problem(where, f"group(s) {_listed(long)}: a code has at most 32 characters")
                return None
            if pairs.empty:
                self.problem(where, f"{path}: no rows with both {spec.member} and {spec.group}")
                return None
            if not self.members(where, member, list(pairs[spec.member].unique()), known):
                return None
            grouped = pairs.groupby(spec.group, sort=True)[spec.member].agg(list)
            members = {str(code): list(codes) for code, codes in grouped.items()}
            definition = AreaList(kind.code, member.code, members)
            names = pd.DataFrame(
                {"area_type": kind.code, "code": list(members), "name": list(members)}
            )
        else:
            way: PointsSpec | ApportionSpec
            if item.points is not None:
                way, column, where = item.points, item.points.code, (*loc, "points")
            else:
                assert item.apportion is not None, "validated: one way is given"
                way, column = item.apportion, item.apportion.unit
                where = (*loc, "apportion")
            points = self.points(where, way.file, column, way.lat, way.lon)
            polygons = self.polygons((*where, "polygons"), way.polygons, kind)
            if points is None or polygons is None:
                return None
            codes = list(points["code"].unique())
            bad = [code for code in codes if not member.accepts(code)]
            if bad:
                self.problem(
                    where, f"{_listed(bad)}: not {member.rule()} (area type {member.code})"
                )
                return None
            targets = polygons[["code", "geometry"]]
            placed = int(points["code"].nunique()) if item.points is not None else 0
            if item.points is not None:
                definition = PointsInPolygons(member.code, points, kind.code, targets)
            else:
                spec_a = item.apportion
                assert spec_a is not None
                definition = Apportion(
                    member.code,
                    kind.code,
                    targets,
                    points.rename(columns={"code": "unit_code"}),
                    best_fit=spec_a.best_fit,
                    min_share=spec_a.min_share,
                )
            names = pd.DataFrame(polygons[["area_type", "code", "name"]])
            shapes = boundary_rows(polygons, way.polygons.tolerance)
        try:
            links = custom_area_memberships(definition)
        except ValueError as error:
            self.problem(where, str(error))
            return None
        # points outside every polygon may be anything (an England-wide file);
        # the members placed in a polygon must be areas the lookups load
        spatial = item.areas is None and item.from_file is None
        placed_codes = list(links["child_code"].unique())
        if spatial and not self.members(where, member, placed_codes, known):
            return None
        outside = max(placed - int(links["child_code"].nunique()), 0)
        return kind, Geography(names.reset_index(drop=True), links), shapes, outside

    def boundaries(self, spec: GeographySpec, custom: dict[str, AreaType]) -> list[pd.DataFrame]:
        parts = []
        for number, item in enumerate(spec.boundaries):
            loc: Location = ("boundaries", number)
            kind = custom.get(item.area_type)
            if kind is None:
                try:
                    kind = area_type(item.area_type)
                except KeyError as error:
                    self.problem((*loc, "area_type"), str(error.args[0]))
                    continue
            path = self.file((*loc, "file"), item.file)
            if path is None:
                continue
            try:
                frame = read_boundaries(path, kind.code, item.code, item.name, kind)
            except InputFileError as error:
                self.problem(loc, str(error))
                continue
            parts.append(boundary_rows(frame, item.tolerance))
        return parts


def build_geography(
    spec: GeographySpec, resolve: Resolve, where: Where = _plain_where
) -> BuiltGeography:
    """Read every file the declaration names into one geography; ContentError lists all problems.

    ``resolve`` turns a declared path into a file (``${JSNA_DATA_MIRROR}/...`` or
    relative to the project); ``where(loc, message)`` formats a problem found at
    ``loc`` of the section (e.g. as ``jsna.yml:12: geographies.lookups.0.file: ...``).
    """
    builder = _Builder(resolve, where)
    standard = builder.lookups(spec)
    parts = [standard]
    shapes: list[pd.DataFrame] = []
    kinds: dict[str, AreaType] = {}
    outside: dict[str, int] = {}
    for number, item in enumerate(spec.custom_areas):
        made = builder.custom(number, item, standard)
        if made is None:
            continue
        kind, geography, polygons, missed = made
        kinds[kind.code] = kind
        parts.append(geography)
        if not polygons.empty:
            shapes.append(polygons)
        if missed:
            outside[kind.code] = missed
    shapes = builder.boundaries(spec, kinds) + shapes
    if builder.problems:
        raise ContentError(sorted(builder.problems, key=_line_number))
    rows = (
        pd.concat(shapes, ignore_index=True) if shapes else pd.DataFrame(columns=BOUNDARY_COLUMNS)
    )
    return BuiltGeography(Geography.combine(*parts), rows, tuple(kinds.values()), outside)
