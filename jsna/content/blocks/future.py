"""Future need blocks: population projections, growth models and projected cases.

Example (a chapter's ```` ```jsna ```` block)::

    block: population_projection
    projection: population_projections_2022   # official projection (a source id)
    base: population_mid2024_ward              # small-area base population (ratio method)
    area_type: ward23
    base_year: 2025
    target_year: 2035

Without ``projection`` the population is projected by straight-line trends of
each sex and age band of the past counts in ``trend_sources`` (censuses,
mid-year estimates). The method and its limits are stated under the figures.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import AnalysisBlock

__all__ = [
    "DEFAULT_BANDS",
    "GrowthBlock",
    "PopulationProjectionBlock",
    "ProjectedCasesBlock",
    "ProjectionInputs",
    "band_limits",
]

DEFAULT_BANDS = ("0-14", "15-64", "65-74", "75-84", "85+")
"""Broad age bands of the projection charts (they fit single years and five-year groups)."""

_BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|(\+))$")
_OPEN = 200
"""Upper age of an open band (``85+``): older than anyone."""


def band_limits(label: str) -> tuple[int, int]:
    """First and last age of a band label: ``"65-74"`` -> (65, 74), ``"85+"`` -> (85, 200)."""
    found = _BAND.match(label.strip())
    if not found:
        raise ValueError(f"age band {label!r} is not like '65-74' or '85+'")
    low = int(found.group(1))
    high = _OPEN if found.group(3) else int(found.group(2))
    if high < low:
        raise ValueError(f"age band {label!r} ends before it starts")
    return low, high


def _check_bands(bands: tuple[str, ...]) -> tuple[str, ...]:
    if not bands:
        raise ValueError("give at least one age band")
    limits = [band_limits(b) for b in bands]
    for (_low, high), (next_low, _), label in zip(limits, limits[1:], bands[1:], strict=False):
        if next_low != high + 1:
            raise ValueError(
                f"age bands must follow on without gaps or overlaps, youngest first: {label!r} "
                f"should start at {high + 1}"
            )
    if limits[-1][1] != _OPEN:
        raise ValueError(f"the last age band must be open, like '85+' (got {bands[-1]!r})")
    return tuple(b.strip() for b in bands)


class ProjectionInputs(AnalysisBlock):
    """Where a projected population comes from (shared by projections and projected cases)."""

    projection: str | None = Field(
        default=None,
        description="Source id of an official population projection for the JSNA area by sex "
        "and age (e.g. the ONS subnational projections). Leave out to project past trends "
        "(`trend_sources`) instead.",
    )
    trend_sources: tuple[str, ...] = Field(
        default=(),
        description="Source ids of past population counts for the JSNA area by sex and age "
        "(censuses, mid-year estimates), used when no `projection` is given: each sex and age "
        "band is projected by a straight line through its counts.",
    )
    trend_from: int | None = Field(
        default=None,
        ge=1800,
        le=2200,
        description="First year of the past counts used by the trend method (default: all).",
    )
    base_year: int = Field(
        ge=1900, le=2200, description="Year the change is measured from (e.g. 2025)."
    )
    target_year: int = Field(
        ge=1900, le=2200, description="Year the change is measured to (e.g. 2035)."
    )

    @model_validator(mode="after")
    def _inputs(self) -> ProjectionInputs:
        if self.target_year <= self.base_year:
            raise ValueError(
                f"target_year ({self.target_year}) must come after base_year ({self.base_year})"
            )
        if self.projection is None and not self.trend_sources:
            raise ValueError("give either projection (a source id) or trend_sources")
        return self

    def source_ids(self) -> tuple[str, ...]:
        """The projection or trend sources."""
        return (self.projection,) if self.projection else tuple(self.trend_sources)


class PopulationProjectionBlock(ProjectionInputs):
    """Projected population by age and sex for the JSNA area and its wards or localities."""

    block: Literal["population_projection"] = Field(description="Block kind.")
    age_bands: tuple[str, ...] = Field(
        default=DEFAULT_BANDS,
        description="Broad age bands of the chart and table, youngest first, the last open "
        "(`85+`). Each must be made of whole age groups of the data.",
    )
    base: str | None = Field(
        default=None,
        description="Source id of the base-year population of small areas by sex and single "
        "year of age (e.g. mid-year estimates by ward): each area keeps its share of the JSNA "
        "area's population in each sex and age band (the ratio method).",
    )
    area_type: str | None = Field(
        default=None,
        description="Area type of the small-area projection: the type of `base`, or a type "
        "made of those areas (e.g. localities made of wards).",
    )

    @field_validator("age_bands")
    @classmethod
    def _bands(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_bands(value)

    @model_validator(mode="after")
    def _small_areas(self) -> PopulationProjectionBlock:
        if (self.base is None) != (self.area_type is None):
            raise ValueError("give base and area_type together (or neither)")
        return self

    def source_ids(self) -> tuple[str, ...]:
        """The projection or trend sources, and the small-area base."""
        return super().source_ids() + ((self.base,) if self.base else ())


class GrowthBlock(AnalysisBlock):
    """Linear growth models of counts (GP list sizes, ward populations) with prediction intervals."""

    block: Literal["growth"] = Field(description="Block kind.")
    indicator: str = Field(description="Id of a count indicator with several periods.")
    area_type: str | None = Field(
        default=None, description="Area type of the series (default: the JSNA's own area type)."
    )
    target_year: int = Field(
        ge=1900, le=2200, description="Year to project to (the middle of the year)."
    )
    from_year: int | None = Field(
        default=None, ge=1800, le=2200, description="First year fitted (default: all periods)."
    )
    min_points: int = Field(
        default=4,
        ge=2,
        le=100,
        description="A fit from fewer periods than this gets a warning (too few to trust).",
    )
    min_r_squared: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="A fit whose R² is below this gets a warning (a straight line fits poorly).",
    )

    def indicator_ids(self) -> tuple[str, ...]:
        """The modelled indicator."""
        return (self.indicator,)


class ProjectedCasesBlock(ProjectionInputs):
    """Projected cases of a condition: projected population x prevalence."""

    block: Literal["projected_cases"] = Field(description="Block kind.")
    rates: str = Field(
        description="Source id of age-specific prevalence rates (by age band, and by sex "
        "when the source has it), for example survey rates for England."
    )
    measure: str = Field(description="The rates' measure within that source (its indicator id).")
    condition: str = Field(
        description="The condition in words, as it reads after 'living with' "
        "(e.g. 'a psychotic disorder')."
    )
    rate_per: float = Field(
        default=100, gt=0, description="Rates are per this many people (100: percentages)."
    )
    by_sex: bool = Field(
        default=True,
        description="Apply the rates of each sex to that sex (false: the rates for persons to "
        "everyone, when the survey's rates by sex are too sparse).",
    )

    def source_ids(self) -> tuple[str, ...]:
        """The population sources and the rates."""
        return (*super().source_ids(), self.rates)
