"""The project's geography, declared in the ``geographies:`` section of ``jsna.yml``.

Nothing about a place is built into jsna: a project names the lookup files that
give its areas and memberships, the boundary files for its maps, and its own
custom areas (localities, groups of GP practices, catchments). Paths may start
with ``${JSNA_DATA_MIRROR}`` (see :mod:`jsna.content.mirror`); others are
relative to the project folder. Example (Trafford, abridged)::

    geographies:
      lookups:
        - reader: lsoa21_to_ward
          file: ${JSNA_DATA_MIRROR}/england/lookups/lsoa21_to_ward24_ltla24_england.csv
          only: [E08000009]          # Trafford's LSOAs and wards; every LA still loaded
        - reader: ltla_to_utla
          file: ${JSNA_DATA_MIRROR}/england/lookups/ltla23_to_utla23_england.csv
      boundaries:
        - area_type: ward23
          file: ${JSNA_DATA_MIRROR}/trafford/boundaries/trafford_wards_2023.geojson
          code: ward_code
          name: ward_name
      custom_areas:
        - type: locality
          name: Locality
          of: ward23
          from_file:
            file: ${JSNA_DATA_MIRROR}/trafford/lookups/trafford_postcodes.csv
            member: ward_code
            group: locality

Each lookup ``reader`` is one of :data:`READERS` (one per reader of
:mod:`jsna.geography.lookups`). A custom area type is defined in exactly one of
four ways: ``areas`` (a list of member codes per area), ``from_file`` (a member
column and a group column of a CSV), ``points`` (points with lat/lon placed in
polygons) or ``apportion`` (smallest units shared between polygons by the share
of their residents' points inside; for areas that do not nest).

:func:`read_geographies` reads the section with the line of every key, so a
problem found later (a missing file, a member code that is not loaded) is
reported as ``path:line: field: message`` too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jsna.errors import ContentError

from ._yaml import Lines, field_problems, line_of, parse_yaml, read_text
from .mirror import resolve_path

__all__ = [
    "PROJECT_FILE",
    "READERS",
    "ApportionUnits",
    "BoundaryFile",
    "CustomAreas",
    "DeclaredGeographies",
    "Geographies",
    "GroupsFromFile",
    "LookupFile",
    "PointsInPolygons",
    "Polygons",
    "load_geographies",
    "read_geographies",
]

PROJECT_FILE = "jsna.yml"
"""The project settings file that holds the ``geographies:`` section."""

Reader = Literal[
    "lsoa21_to_ward",
    "lsoa11_to_lsoa21",
    "lsoa11_hierarchy",
    "ltla_to_utla",
    "regions",
    "oa_lsoa_msoa",
    "lsoa21_to_ward22_bestfit",
    "gp_practices",
]
READERS: tuple[str, ...] = (
    "lsoa21_to_ward",
    "lsoa11_to_lsoa21",
    "lsoa11_hierarchy",
    "ltla_to_utla",
    "regions",
    "oa_lsoa_msoa",
    "lsoa21_to_ward22_bestfit",
    "gp_practices",
)
"""Lookup file layouts jsna reads (see :mod:`jsna.geography.lookups`)."""
NO_LA_COLUMN = ("ltla_to_utla", "regions")
"""Readers whose files have no local-authority column to filter on (``only``)."""

WardType = Literal["ward17", "ward22", "ward23", "ward24"]
LtlaType = Literal["ltla22", "ltla23", "ltla24"]
TYPE_CODE = r"^[a-z][a-z0-9_]{0,31}$"
LA_CODE = r"^E(0[6-9]|10)\d{6}$"
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class LookupFile(BaseModel):
    """One lookup file: which reader understands its columns, and which rows to keep."""

    model_config = _FROZEN

    reader: Reader = Field(
        description="Layout of the file: " + ", ".join(READERS) + " (docs/geography.md)."
    )
    file: str = Field(
        min_length=1,
        description="The CSV file: ${JSNA_DATA_MIRROR}/... or relative to the project folder.",
    )
    ward_type: WardType | None = Field(
        default=None,
        description="lsoa21_to_ward only: ward vintage of the ward columns (default ward24).",
    )
    ltla_type: LtlaType | None = Field(
        default=None,
        description="lsoa21_to_ward only: LA vintage of the LA columns (default ltla24).",
    )
    only: tuple[str, ...] = Field(
        default=(),
        description="Keep only the rows in these local authorities (ONS codes E06-E10); "
        "every LA of the file is still loaded as an area. Empty: keep every row.",
    )

    @model_validator(mode="after")
    def _options(self) -> LookupFile:
        """Vintage options belong to one reader; ``only`` needs an LA column."""
        if self.reader != "lsoa21_to_ward" and (self.ward_type or self.ltla_type):
            raise ValueError("ward_type and ltla_type are only for reader lsoa21_to_ward")
        if self.only and self.reader in NO_LA_COLUMN:
            raise ValueError(f"reader {self.reader} has no local-authority column: remove only")
        bad = [code for code in self.only if re.fullmatch(LA_CODE, code) is None]
        if bad:
            raise ValueError(
                f"only: {', '.join(map(repr, bad))} not a local authority code "
                "(E06, E07, E08, E09 or E10 and 6 digits)"
            )
        return self


class BoundaryFile(BaseModel):
    """One GeoJSON boundary file: the area type of its features and their code/name properties."""

    model_config = _FROZEN

    area_type: str = Field(
        pattern=TYPE_CODE, description="Area type of every feature, e.g. ward23 or lsoa21."
    )
    file: str = Field(
        min_length=1,
        description="The GeoJSON file: ${JSNA_DATA_MIRROR}/... or relative to the project.",
    )
    code: str = Field(min_length=1, description="Property holding each feature's area code.")
    name: str = Field(min_length=1, description="Property holding each feature's area name.")
    tolerance: float = Field(
        default=25.0,
        gt=0,
        le=5000,
        description="Display simplification in metres (25 suits a borough map; 250 England).",
    )


class GroupsFromFile(BaseModel):
    """Custom areas read from two columns of a CSV: a member code and the group it belongs to."""

    model_config = _FROZEN

    file: str = Field(
        min_length=1, description="The CSV file: ${JSNA_DATA_MIRROR}/... or project-relative."
    )
    member: str = Field(min_length=1, description="Column with the member area code.")
    group: str = Field(min_length=1, description="Column with the custom area (its code and name).")


class Polygons(BaseModel):
    """A GeoJSON file whose features are the custom areas (e.g. a catchment drawn in a GIS)."""

    model_config = _FROZEN

    file: str = Field(
        min_length=1, description="The GeoJSON file: ${JSNA_DATA_MIRROR}/... or project-relative."
    )
    code: str = Field(min_length=1, description="Property with each custom area's code.")
    name: str = Field(min_length=1, description="Property with each custom area's name.")
    tolerance: float = Field(
        default=25.0, gt=0, le=5000, description="Display simplification in metres."
    )


class PointsInPolygons(BaseModel):
    """Members that are points (practices, postcodes), each placed in the polygon it falls in."""

    model_config = _FROZEN

    file: str = Field(
        min_length=1, description="The CSV of points: ${JSNA_DATA_MIRROR}/... or project-relative."
    )
    code: str = Field(min_length=1, description="Column with each point's member code.")
    lat: str = Field(default="lat", description="Column with the latitude (WGS84).")
    lon: str = Field(default="lon", description="Column with the longitude (WGS84).")
    polygons: Polygons = Field(description="The custom areas as polygons.")


class ApportionUnits(BaseModel):
    """Smallest units shared between polygons by the share of their residents' points inside."""

    model_config = _FROZEN

    file: str = Field(
        min_length=1,
        description="CSV of points standing for residents (e.g. postcodes) with their unit.",
    )
    unit: str = Field(min_length=1, description="Column with each point's unit code (e.g. LSOA).")
    lat: str = Field(default="lat", description="Column with the latitude (WGS84).")
    lon: str = Field(default="lon", description="Column with the longitude (WGS84).")
    polygons: Polygons = Field(description="The custom areas as polygons.")
    best_fit: bool = Field(
        default=False,
        description="Give each unit whole to the area holding most of its points (else share).",
    )
    min_share: float = Field(
        default=0.0, ge=0, lt=1, description="Shares at or below this are dropped."
    )


class CustomAreas(BaseModel):
    """One project-defined area type (localities, practice groups) and how its areas are made."""

    model_config = _FROZEN

    type: str = Field(pattern=TYPE_CODE, description="Code of the new area type, e.g. locality.")
    name: str = Field(min_length=1, max_length=200, description="Name shown, e.g. Locality.")
    of: str = Field(
        pattern=TYPE_CODE,
        description="Standard area type of the members, e.g. ward23, lsoa21 or gp_practice.",
    )
    level: int | None = Field(
        default=None,
        ge=0,
        le=7,
        description="Level (0 finest ... 7 England); default one above the members' level.",
    )
    areas: dict[str, tuple[str, ...]] | None = Field(
        default=None, description="Custom area code -> the codes of its members."
    )
    from_file: GroupsFromFile | None = Field(
        default=None, description="Areas from a member column and a group column of a CSV."
    )
    points: PointsInPolygons | None = Field(
        default=None, description="Members placed by point in polygon."
    )
    apportion: ApportionUnits | None = Field(
        default=None, description="Members shared by the share of their residents inside."
    )

    @model_validator(mode="after")
    def _one_way(self) -> CustomAreas:
        """Exactly one of areas, from_file, points, apportion; no empty or long codes."""
        given = [
            key
            for key in ("areas", "from_file", "points", "apportion")
            if getattr(self, key) is not None
        ]
        if len(given) != 1:
            shown = ", ".join(given) if given else "none"
            raise ValueError(
                f"give exactly one of areas, from_file, points or apportion (given: {shown})"
            )
        if self.type == self.of:
            raise ValueError(f"type {self.type!r} cannot be made of itself")
        for code, members in (self.areas or {}).items():
            if not 0 < len(str(code)) <= 32:
                raise ValueError(f"area code {code!r} must have 1 to 32 characters")
            if not members:
                raise ValueError(f"area {code!r} has no members")
        return self

    def method(self) -> str:
        """Which of the four ways defines the areas."""
        for key in ("areas", "from_file", "points", "apportion"):
            if getattr(self, key) is not None:
                return key
        raise AssertionError("validated: one way is given")


class Geographies(BaseModel):
    """The ``geographies:`` section of ``jsna.yml``: lookups, boundaries and custom areas."""

    model_config = _FROZEN

    lookups: tuple[LookupFile, ...] = Field(
        default=(), description="Lookup files giving the standard areas and their memberships."
    )
    boundaries: tuple[BoundaryFile, ...] = Field(
        default=(), description="GeoJSON boundary files for maps, one area type each."
    )
    custom_areas: tuple[CustomAreas, ...] = Field(
        default=(), description="Project-defined area types (localities, practice groups)."
    )

    @model_validator(mode="after")
    def _distinct(self) -> Geographies:
        """Something to load; each custom type and each boundary type declared once."""
        if not self.lookups:
            raise ValueError("declare at least one lookup file under lookups")
        for what, codes in (
            ("custom area type", [c.type for c in self.custom_areas]),
            ("boundary area type", [b.area_type for b in self.boundaries]),
        ):
            twice = sorted({code for code in codes if codes.count(code) > 1})
            if twice:
                raise ValueError(f"{what} declared more than once: {', '.join(twice)}")
        return self


@dataclass(frozen=True)
class DeclaredGeographies:
    """The validated section, where it came from, and the line of each of its keys."""

    project: Path
    """The project folder (relative paths are resolved from it)."""
    path: Path
    """The ``jsna.yml`` file."""
    geographies: Geographies
    """The declaration."""
    lines: Lines
    """Key path (``("geographies", "lookups", 0, "file")``) -> 1-based line."""

    def line(self, loc: tuple[Any, ...]) -> int:
        """The line of ``loc`` below ``geographies``, or of its nearest parent with one."""
        return line_of(("geographies", *loc), self.lines)

    def problem(self, loc: tuple[Any, ...], message: str) -> str:
        """``path:line: geographies.<loc>: message`` for a problem found in the declaration."""
        field = ".".join(str(part) for part in ("geographies", *loc))
        return f"{self.path}:{self.line(loc)}: {field}: {message}"

    def resolve(self, text: str) -> Path:
        """A path of the declaration: ``${JSNA_DATA_MIRROR}/...`` or relative to the project."""
        return resolve_path(self.project, text)


def read_geographies(project: Path | str) -> DeclaredGeographies:
    """The ``geographies:`` section of ``PROJECT/jsna.yml`` with its lines.

    Raises :class:`ContentError` (``path:line: field: message``, every problem
    at once) when the file is missing, broken, has no such section, or the
    section breaks a rule.
    """
    project = Path(project)
    path = project / PROJECT_FILE
    if not path.is_file():
        raise ContentError([f"{path}:1: (file): not found; a project needs a {PROJECT_FILE}"])
    text, problem = read_text(path)
    if text is None:
        raise ContentError([str(problem)])
    parsed = parse_yaml(path, text)
    if parsed.problems:
        raise ContentError(list(parsed.problems))
    if "geographies" not in parsed.data:
        raise ContentError(
            [
                f"{path}:1: geographies: missing: declare the project's lookups, boundaries "
                "and custom areas under geographies: (see docs/geography.md)"
            ]
        )
    section = parsed.data["geographies"]
    lines = parsed.lines
    try:
        declared = Geographies.model_validate(section if section is not None else {})
    except ValidationError as error:
        raise ContentError(field_problems(path, error, lines, ("geographies",))) from error
    return DeclaredGeographies(project, path, declared, lines)


def load_geographies(project: Path | str) -> Geographies:
    """The validated ``geographies:`` section of ``PROJECT/jsna.yml`` (ContentError if broken)."""
    return read_geographies(project).geographies
