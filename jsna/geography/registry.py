"""The kinds of area jsna knows: code, human name, level and boundary vintage.

Levels order the types from finest to coarsest so that "smallest units" can be
found without a lookup: 0 output area, 1 LSOA or GP practice, 2 MSOA or PCN,
3 ward or sub-ICB, 4 lower-tier LA, 5 upper-tier LA, 6 region, 7 country.
Custom areas (localities, neighbourhoods) are made by :func:`custom_area_type`.

``prefixes`` are the ONS code prefixes an area of the type may carry (a letter
and 8 digits in all); ``pattern`` is the full regular expression for codes that
are not ONS codes (NHS ODS codes of practices and PCNs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AREA_TYPES", "AreaType", "area_type", "custom_area_type"]

ONS_CODE = re.compile(r"[A-Z]\d{8}")
"""An ONS GSS code: one letter and eight digits (E01011949)."""

LA_PREFIXES = ("E06", "E07", "E08", "E09")


@dataclass(frozen=True)
class AreaType:
    """One kind of area (an ``area_type`` row)."""

    code: str
    """Short code used everywhere, e.g. ``lsoa21`` or ``ward23``."""
    name: str
    """Name shown to readers."""
    level: int
    """0 = finest ... 7 = England; custom types sit at the level of what they replace."""
    vintage: str
    """Boundary vintage, e.g. ``2021`` or ``2023-05``."""
    prefixes: tuple[str, ...] = ()
    """ONS code prefixes allowed (empty: any code matching ``pattern``)."""
    pattern: str = r"[A-Z]\d{8}"
    """Regular expression the whole code must match."""
    is_custom: bool = False
    """Defined by the project (localities, groups of practices)."""

    def rule(self) -> str:
        """The code rule in words, for error messages."""
        if self.is_custom:
            return "a non-empty code of at most 32 characters"
        if self.prefixes:
            return f"an ONS code (a letter and 8 digits) starting {' or '.join(self.prefixes)}"
        return f"a code matching {self.pattern}"

    def accepts(self, code: str) -> bool:
        """Whether ``code`` is a valid code for this type."""
        if self.is_custom:
            return 0 < len(code) <= 32
        if re.fullmatch(self.pattern, code) is None:
            return False
        return not self.prefixes or code.startswith(self.prefixes)


def _ons(code: str, name: str, level: int, vintage: str, *prefixes: str) -> AreaType:
    return AreaType(code, name, level, vintage, prefixes)


AREA_TYPES: dict[str, AreaType] = {
    t.code: t
    for t in (
        _ons("oa21", "Output area (2021)", 0, "2021", "E00"),
        _ons("lsoa11", "Lower layer super output area (2011)", 1, "2011", "E01"),
        _ons("lsoa21", "Lower layer super output area (2021)", 1, "2021", "E01"),
        _ons("msoa11", "Middle layer super output area (2011)", 2, "2011", "E02"),
        _ons("msoa21", "Middle layer super output area (2021)", 2, "2021", "E02"),
        _ons("ward17", "Electoral ward (2017)", 3, "2017", "E05"),
        _ons("ward22", "Electoral ward (2022, before May 2023)", 3, "2022", "E05"),
        _ons("ward23", "Electoral ward (May 2023)", 3, "2023", "E05"),
        _ons("ward24", "Electoral ward (2024)", 3, "2024", "E05"),
        _ons("ltla22", "Local authority district (2022)", 4, "2022", *LA_PREFIXES),
        _ons("ltla23", "Local authority district (2023)", 4, "2023", *LA_PREFIXES),
        _ons("ltla24", "Local authority district (2024)", 4, "2024", *LA_PREFIXES),
        _ons("utla21", "Upper-tier local authority (2021)", 5, "2021", "E06", "E08", "E09", "E10"),
        _ons("utla23", "Upper-tier local authority (2023)", 5, "2023", "E06", "E08", "E09", "E10"),
        _ons("combined_authority", "Combined authority", 6, "2024", "E47"),
        _ons("region", "Region", 6, "2021", "E12"),
        _ons("country", "Country", 7, "2021", "E92"),
        AreaType("gp_practice", "GP practice", 1, "2023/24", pattern=r"[A-Z]\d{5}"),
        AreaType("pcn", "Primary care network", 2, "2023/24", pattern=r"U\d{5}"),
        _ons("sub_icb", "Sub-ICB location", 3, "2023/24", "E38"),
    )
}
"""Every standard area type, by code."""


def area_type(code: str) -> AreaType:
    """The registered type ``code``; KeyError names the known types."""
    try:
        return AREA_TYPES[code]
    except KeyError:
        raise KeyError(f"unknown area type {code!r}; known: {', '.join(AREA_TYPES)}") from None


def custom_area_type(code: str, name: str, level: int, vintage: str) -> AreaType:
    """A project-defined type (e.g. ``locality``); its codes are free text up to 32 characters."""
    if code in AREA_TYPES:
        raise ValueError(f"custom area type {code!r} clashes with a standard type")
    return AreaType(code, name, level, vintage, pattern=r".+", is_custom=True)
