"""Pharmacy access block (pharmaceutical needs assessment)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from .base import AnalysisBlock

__all__ = ["PharmacyAccessBlock"]

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PharmacyAccessBlock(AnalysisBlock):
    """Distance to the nearest pharmacy and the share of people within reach, by area and deprivation.

    For every LSOA of the area: the straight-line distance from its centre to
    the nearest pharmacy, and the share of residents within each distance, by
    ward and by deprivation decile; with opening hours in the pharmacy list,
    the same for pharmacies open on weekday evenings, Saturdays and Sundays.
    Draws maps, charts and tables (see docs/analyses/pharmacy-access.md).
    """

    block: Literal["pharmacy_access"] = Field(description="Block kind.")
    pharmacies: str = Field(
        description=(
            "Source id whose file lists the pharmacies: one row each with 'lon' and 'lat' "
            "(WGS84), a name ('pharmacy_name' or 'name') and, optionally, opening hours in "
            "columns 'opening_hours_monday' ... 'opening_hours_sunday' (09:00-18:00, spans "
            "separated by commas, or CLOSED)."
        )
    )
    population: str = Field(
        description=(
            "Indicator id of the resident population by LSOA (all ages, persons; the latest "
            "period is used): weights each LSOA's residents."
        )
    )
    area_type: str = Field(
        default="lsoa21",
        description="Area type of the neighbourhoods measured from (their centres are the origins).",
    )
    by: tuple[str, ...] = Field(
        default=("ward23", "imd25_decile"),
        description=(
            "Area types the neighbourhoods are summarised by (each neighbourhood's parent in the "
            "store), in the order shown; an area type called '*decile*' is read as a "
            "deprivation decile (1 = most deprived)."
        ),
    )
    distances_km: tuple[float, ...] = Field(
        default=(1.0, 1.6),
        description=(
            "Distances in km the share of residents within reach is given for, ascending "
            "(1.6 km is about 20 minutes' walk). The last one is used for the opening-hours "
            "figures."
        ),
    )
    centres_file: str | None = Field(
        default=None,
        description=(
            "CSV of postcode centroids ('lon', 'lat' and the neighbourhood code column "
            "'centres_column'): a neighbourhood's centre is the mean of its postcodes, a proxy "
            "for its population-weighted centre. Without it (or for a neighbourhood with no "
            "postcode) a point inside the boundary is used. ${JSNA_DATA_MIRROR}/... or relative "
            "to the project."
        ),
    )
    centres_column: str = Field(
        default="lsoa_code",
        description="Column of 'centres_file' holding each postcode's neighbourhood code.",
    )
    evening_after: str = Field(
        default="18:00",
        description=(
            "A pharmacy is open in the evening when it closes after this time (HH:MM) on every "
            "weekday, Monday to Friday."
        ),
    )
    travel: Literal["straight_line"] = Field(
        default="straight_line",
        description=(
            "How journeys are costed: 'straight_line' (distance as the crow flies on the British "
            "National Grid). Routing engines plug in through jsna.analysis.travel.TravelCosts."
        ),
    )

    @field_validator("distances_km")
    @classmethod
    def _ascending(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value:
            raise ValueError("give at least one distance")
        if len(value) > 4:
            raise ValueError("give at most 4 distances")
        if any(not 0 < d <= 50 for d in value):
            raise ValueError("distances must be more than 0 and at most 50 km")
        if list(value) != sorted(set(value)):
            raise ValueError("distances must be different and in ascending order")
        return value

    @field_validator("evening_after")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _TIME.match(value):
            raise ValueError(f"must be a time of day as HH:MM, e.g. 18:00; got {value!r}")
        return value

    def indicator_ids(self) -> tuple[str, ...]:
        """The population indicator."""
        return (self.population,)

    def source_ids(self) -> tuple[str, ...]:
        """The pharmacy list."""
        return (self.pharmacies,)
