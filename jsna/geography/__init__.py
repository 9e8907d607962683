"""Areas, the lookups between them, boundaries and custom areas (pure: no store).

Readers turn the ONS and local lookup files into two tidy frames, ``areas`` and
``memberships`` (see :mod:`jsna.geography.frames`); :mod:`jsna.store.areas`
loads them into the store.
"""

from __future__ import annotations

from .aggregate import GEOGRAPHY_METHODS, aggregate_counts
from .boundaries import boundary_rows, mirror_boundaries, read_boundaries
from .custom import Apportion, AreaList, PointsInPolygons, chain, custom_area_memberships, reweight
from .frames import AREA_COLUMNS, MEMBERSHIP_COLUMNS, METHODS, Geography
from .lookups import read_england, read_trafford
from .registry import AREA_TYPES, AreaType, area_type, custom_area_type

__all__ = [
    "AREA_COLUMNS",
    "AREA_TYPES",
    "GEOGRAPHY_METHODS",
    "MEMBERSHIP_COLUMNS",
    "METHODS",
    "Apportion",
    "AreaList",
    "AreaType",
    "Geography",
    "PointsInPolygons",
    "aggregate_counts",
    "area_type",
    "boundary_rows",
    "chain",
    "custom_area_memberships",
    "custom_area_type",
    "mirror_boundaries",
    "read_boundaries",
    "read_england",
    "read_trafford",
    "reweight",
]
