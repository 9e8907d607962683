"""Unmet need blocks: expected cases against services, and diagnosis gaps.

``unmet_need`` applies survey prevalence rates by age and sex to the resident
population of every area (ward, LSOA, or a custom area such as a locality) to
give the expected number of people with a condition, and sets services
(capacity) and known activity (observed) beside it::

    block: unmet_need
    condition: psychosis (past year)
    rates: {source: apms_2007_rates, measure: apms_psychotic_disorder}
    population: {source: population_mid2024_ward, area_type: ward23}
    area_type: locality
    capacity: {source: illustrative_mh_capacity, measure: mh_community_places,
               label: community mental health places}

``diagnosis_gap`` compares a register (people diagnosed) with the number
expected from a practice's list at a reference prevalence, by GP practice::

    block: diagnosis_gap
    condition: diabetes
    diagnosed: {source: qof_practice_registers_2019_20, measure: qof_dm}
    population: {source: qof_practice_lists_2019_20, measure: qof_list, age: 17+}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import AnalysisBlock

__all__ = [
    "DiagnosisGapBlock",
    "MeasureRef",
    "PopulationRef",
    "RatesRef",
    "ReferenceRate",
    "ServiceRef",
    "UnmetNeedBlock",
]

_ID = r"^[A-Za-z0-9_.\-]+$"


class MeasureRef(BaseModel):
    """A measure of a declared source, as stored by ``jsna ingest``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(pattern=_ID, description="Id of the source (``sources/<id>.yml``).")
    measure: str = Field(
        pattern=_ID, description="The stored measure (the rows' indicator id) of that source."
    )


class RatesRef(MeasureRef):
    """Prevalence rates by age band (and sex), in percent, with 95% limits where published."""

    by_sex: bool = Field(
        True,
        description="Apply the rates of females and males to each sex's population (False: "
        "the persons rates to the persons population).",
    )


class PopulationRef(BaseModel):
    """The population the rates apply to: a source of counts by single year of age and sex."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(pattern=_ID, description="Id of the population source.")
    measure: str = Field("population", pattern=_ID, description="Its stored measure.")
    area_type: str = Field(
        "ward23",
        pattern=_ID,
        description="Area type of the population rows (ward23, lsoa21).",
    )


class ServiceRef(MeasureRef):
    """A service measure by area: capacity (places, caseload limit, spend) or activity."""

    label: str = Field(
        min_length=1, max_length=120, description="What it counts, in words (``places``)."
    )


class UnmetNeedBlock(AnalysisBlock):
    """Expected cases (population x prevalence rates) against services, and the gap, by area."""

    block: Literal["unmet_need"] = Field(description="Block kind.")
    condition: str = Field(
        min_length=1, max_length=120, description="The condition in words (``psychosis``)."
    )
    rates: RatesRef = Field(description="Survey prevalence rates by age band and sex.")
    population: PopulationRef = Field(description="Resident population by age and sex.")
    area_type: str | None = Field(
        None,
        pattern=_ID,
        description="Areas shown: the population's own type, or a custom type made of it "
        "(``locality``). Default: the population's type.",
    )
    capacity: ServiceRef | None = Field(
        None, description="Service capacity by area (same area type): gap = expected - capacity."
    )
    observed: ServiceRef | None = Field(
        None, description="People known to services by area (same area type), if recorded."
    )
    illustrative: bool = Field(
        False,
        description="The service figures are made up (a worked example): every figure says so.",
    )

    def source_ids(self) -> tuple[str, ...]:
        """The rates, population and service sources."""
        ids = [self.rates.source, self.population.source]
        ids += [ref.source for ref in (self.capacity, self.observed) if ref is not None]
        return tuple(dict.fromkeys(ids))


class ReferenceRate(MeasureRef):
    """Where the expected prevalence comes from: one area's register over its list."""

    area: str | None = Field(
        None,
        pattern=_ID,
        description="Area whose rate is used (a region, England). None: the sum of every "
        "practice of the register source (England) over the same practices' lists.",
    )
    age: str | None = Field(None, description="Age group of the reference rows (default: any).")


class DiagnosisGapBlock(AnalysisBlock):
    """Recorded (register) against expected cases of a condition, by GP practice."""

    block: Literal["diagnosis_gap"] = Field(description="Block kind.")
    condition: str = Field(
        min_length=1, max_length=120, description="The condition in words (``diabetes``)."
    )
    diagnosed: MeasureRef = Field(
        description="The disease register (people diagnosed, the numerator) by practice."
    )
    population: MeasureRef = Field(
        description="Practice list sizes by age group (the people the expected rate applies to)."
    )
    age: str = Field(
        "all ages",
        min_length=1,
        description="Age group of the list the rate applies to (``17+``; ``65+`` for dementia).",
    )
    reference: ReferenceRate | None = Field(
        None,
        description="The expected prevalence. None: England's register over England's list of "
        "the same age group, both summed over every practice.",
    )
    area_type: Literal["gp_practice"] = Field(
        "gp_practice", description="Areas compared (GP practices)."
    )
    locations: str | None = Field(
        None,
        pattern=_ID,
        description="Optional: a source whose file gives each practice's ``practice_code``, "
        "``lat`` and ``lon``: the practices are then mapped too, coloured by their ratio.",
    )
    base_area_type: str = Field(
        "ward23", pattern=_ID, description="Areas drawn under the practices on the map."
    )

    def source_ids(self) -> tuple[str, ...]:
        """The register, list and reference sources."""
        ids = [self.diagnosed.source, self.population.source]
        if self.reference is not None:
            ids.append(self.reference.source)
        if self.locations is not None:
            ids.append(self.locations)
        return tuple(dict.fromkeys(ids))
