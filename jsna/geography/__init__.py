"""Areas, the lookups between them, boundaries and custom areas (pure: no store).

Which files a project reads is declared in its ``jsna.yml`` (``geographies:``);
:func:`build_geography` reads them. Readers turn the ONS lookup files into two tidy frames, ``areas`` and
``memberships`` (see :mod:`jsna.geography.frames`); :mod:`jsna.store.areas`
loads them into the store.
"""

from __future__ import annotations

from .aggregate import GEOGRAPHY_METHODS, aggregate_counts
from .boundaries import BoundaryFile, boundary_rows, read_boundaries, read_boundary_files
from .custom import Apportion, AreaList, PointsInPolygons, chain, custom_area_memberships, reweight
from .declared import BuiltGeography, GeographySpec, build_geography, declared_files
from .frames import AREA_COLUMNS, MEMBERSHIP_COLUMNS, METHODS, Geography
from .lookups import READERS, read_lookup
from .registry import AREA_TYPES, AreaType, area_type, custom_area_type

__all__ = [
    "AREA_COLUMNS",
    "AREA_TYPES",
    "GEOGRAPHY_METHODS",
    "MEMBERSHIP_COLUMNS",
    "METHODS",
    "READERS",
    "Apportion",
    "AreaList",
    "AreaType",
    "BoundaryFile",
    "BuiltGeography",
    "Geography",
    "GeographySpec",
    "PointsInPolygons",
    "aggregate_counts",
    "area_type",
    "boundary_rows",
    "build_geography",
    "chain",
    "custom_area_memberships",
    "custom_area_type",
    "declared_files",
    "read_boundaries",
    "read_boundary_files",
    "read_lookup",
    "reweight",
]
