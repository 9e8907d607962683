"""Areas, the lookups between them, boundaries and custom areas (pure: no store).

Readers turn the ONS and local lookup files into two tidy frames, ``areas`` and
``memberships`` (see :mod:`jsna.geography.frames`); :mod:`jsna.store.areas`
loads them into the store.
"""

from __future__ import annotations

from .frames import AREA_COLUMNS, MEMBERSHIP_COLUMNS, METHODS, Geography
from .lookups import read_england, read_trafford
from .registry import AREA_TYPES, AreaType, area_type, custom_area_type

__all__ = [
    "AREA_COLUMNS",
    "AREA_TYPES",
    "MEMBERSHIP_COLUMNS",
    "METHODS",
    "AreaType",
    "Geography",
    "area_type",
    "custom_area_type",
    "read_england",
    "read_trafford",
]
