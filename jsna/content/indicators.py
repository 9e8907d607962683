"""Indicator definitions: one ``indicators/<id>.yml`` per indicator of the project.

An indicator says what is measured and why (title, definition, rationale),
how it is computed from the store (``method`` over a ``numerator`` and a
``denominator``, or a published ``value``), how to read it (``polarity``,
``multiplier``, ``unit``), where the data come from (``source``, ``licence``)
and for which areas, breakdowns and comparators it is published.

Example (Census 2021, bad or very bad health, recomputed from counts)::

    id: bad_health
    title: Bad or very bad health
    definition: Residents whose general health is bad or very bad, of all residents.
    rationale: Self-reported health predicts need for health and care services.
    method: proportion
    multiplier: 100
    unit: "%"
    polarity: low_is_good
    source: census_general_health_ward
    licence: OGL-UK-3.0
    numerator:
      measure: census_general_health
      breakdown_type: general health
      categories: [Bad health, Very bad health]
      column: value
    denominator:
      measure: census_general_health
      breakdown_type: general health
      categories: all
      column: value
    geographies: [ward22, ltla23, locality]
    owner: Public health intelligence team

The selection rules are in :class:`Selection`; the methods are those of
:mod:`jsna.stats` plus ``value_only`` (a published value shown with its source,
never recomputed) and ``count`` (a sum, no interval).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "METHODS",
    "POLARITIES",
    "RECOMPUTED_METHODS",
    "Indicator",
    "Projection",
    "Selection",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

Method = Literal[
    "proportion", "crude_rate", "dsr", "isr", "life_expectancy", "mean", "value_only", "count"
]
METHODS: tuple[str, ...] = (
    "proportion",
    "crude_rate",
    "dsr",
    "isr",
    "life_expectancy",
    "mean",
    "value_only",
    "count",
)
RECOMPUTED_METHODS: tuple[str, ...] = tuple(m for m in METHODS if m != "value_only")
"""Methods computed by jsna from counts (official method); ``value_only`` shows published values."""

Polarity = Literal["high_is_good", "low_is_good", "no_judgement"]
POLARITIES: tuple[str, ...] = ("high_is_good", "low_is_good", "no_judgement")
ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class Selection(BaseModel):
    """Which imported observations give a numerator, a denominator or a value, and how to sum them.

    Rows of ``measure`` are kept when they match ``sex``, ``age``,
    ``breakdown_type`` and ``categories``; ``column`` of the kept rows is
    summed per area and period (counts add up; values are never averaged).
    """

    model_config = _FROZEN

    measure: str = Field(
        min_length=1,
        description="Measure id of the observations (the indicator id a source writes).",
    )
    source: str | None = Field(
        default=None,
        description="Source id the measure comes from (default: the indicator's source).",
    )
    column: Literal["numerator", "denominator", "value"] | None = Field(
        default=None,
        description="Observation column to sum (default: numerator for a numerator, "
        "denominator for a denominator, value for a value).",
    )
    sex: str | tuple[str, ...] = Field(
        default="persons",
        description="Sex of the rows to keep (persons, male, female), or a list to sum.",
    )
    age: str | tuple[str, ...] = Field(
        default="all ages",
        description="Age band of the rows to keep, or a list of bands to sum "
        "(``bands``: keep every band, for age-standardised methods).",
    )
    breakdown_type: str = Field(
        default="",
        description="Kind of breakdown of the rows (empty: rows without a breakdown).",
    )
    categories: tuple[str, ...] | Literal["all"] | None = Field(
        default=None,
        description="Breakdown categories to sum; 'all' sums every category of "
        "breakdown_type; none keeps rows without a category.",
    )
    periods: tuple[str, ...] | None = Field(
        default=None, description="Only these periods (default: every period)."
    )

    def ages(self) -> tuple[str, ...]:
        """The age bands to keep, as a tuple."""
        return (self.age,) if isinstance(self.age, str) else self.age

    def sexes(self) -> tuple[str, ...]:
        """The sexes to keep, as a tuple."""
        return (self.sex,) if isinstance(self.sex, str) else self.sex


class Projection(BaseModel):
    """A linear growth model of a count over its periods, projected to a later year.

    Only for method ``count`` (a list size, a population): a straight line
    through a rate or a percentage can leave its range and is not additive
    across areas. Each area and breakdown needs at least two periods.
    """

    model_config = _FROZEN

    to: int = Field(
        ge=1900,
        le=2200,
        description="Year to project to, e.g. 2030 (the middle of that year); published as "
        "period '2030 (projected)'.",
    )


class Indicator(BaseModel):
    """One indicator of the JSNA (``indicators/<id>.yml``)."""

    model_config = _FROZEN

    id: str = Field(
        pattern=ID_PATTERN,
        description="Short id, the file name: lower-case letters, digits and underscores.",
    )
    code: str | None = Field(
        default=None,
        description="Catalogue code shown beside the title (e.g. CEN01, Fingertips 241).",
    )
    title: str = Field(min_length=1, max_length=200, description="Title shown to readers.")
    definition: str = Field(
        min_length=1, description="What is counted, of whom: numerator and denominator in words."
    )
    rationale: str = Field(
        default="", description="Why it matters for the population's health and services."
    )
    method: Method = Field(
        description="How the figure is computed: proportion, crude_rate, dsr, isr, "
        "life_expectancy, mean, count (from counts, official method) or value_only "
        "(the published value, shown with its source)."
    )
    multiplier: float = Field(
        default=1, gt=0, description="Scale of the value: 100 for a percentage, 100000 for a rate."
    )
    unit: str = Field(default="", description='Unit shown after values, e.g. "%" or "per 100,000".')
    decimals: int = Field(default=1, ge=0, le=6, description="Decimal places shown.")
    polarity: Polarity = Field(
        description="high_is_good, low_is_good or no_judgement (comparisons say higher/lower)."
    )
    source: str = Field(description="Id of the declared source (sources/<id>.yml).")
    licence: str = Field(min_length=1, description="Licence of the data, e.g. OGL-UK-3.0.")
    numerator: Selection | None = Field(
        default=None, description="Observations summed for the numerator (count of events)."
    )
    denominator: Selection | None = Field(
        default=None, description="Observations summed for the denominator (population at risk)."
    )
    value: Selection | None = Field(
        default=None,
        description="Observations giving a published value and its limits (value_only).",
    )
    standard: Literal["esp2013"] | None = Field(
        default=None,
        description="Standard population of a dsr (esp2013, the 2013 European Standard "
        "Population); the numerator and denominator then keep every age band.",
    )
    reference: Selection | None = Field(
        default=None,
        description="isr: the reference rates' numerator measure by age band "
        "(its denominator column gives the reference population).",
    )
    geographies: tuple[str, ...] = Field(
        min_length=1,
        description="Area types the indicator is computed and published for "
        "(standard types such as ward23 or ltla24, or custom types such as locality).",
    )
    breakdowns: tuple[str, ...] = Field(
        default=(),
        description="Breakdowns published besides the total: sex, age, sex_age (both at "
        "once, for population pyramids), or a breakdown_type of the source such as "
        "'deprivation decile'.",
    )
    comparators: tuple[str, ...] | None = Field(
        default=None,
        description="Comparator ids of jsna.yml to benchmark against (default: all of them).",
    )
    confidence: tuple[float, ...] = Field(
        default=(0.95,), description="Confidence levels of the intervals (0.95, 0.998)."
    )
    trend: bool = Field(default=True, description="Add a recent-trend marker when periods allow.")
    projection: Projection | None = Field(
        default=None,
        description="method count only: fit a straight line to each area's periods and "
        "publish its annual growth and a projected row for the year ``to``.",
    )
    suppress_small_counts: bool = Field(
        default=True,
        description="False for counts of places or services (pharmacies, libraries), which "
        "are not about people: published without small-number suppression.",
    )
    quality_note: str = Field(
        default="", description="Caveats: breaks in series, rounding, modelled data."
    )
    owner: str = Field(default="", description="Who answers questions about this indicator.")
    tags: tuple[str, ...] = Field(default=(), description="Topics, for search and the catalogue.")

    @model_validator(mode="after")
    def _inputs(self) -> Indicator:
        """The inputs a method needs are given, and nothing it cannot use."""
        if self.method == "value_only":
            if self.value is None:
                raise ValueError("method value_only needs a value selection")
            if self.numerator is not None or self.denominator is not None:
                raise ValueError("method value_only takes a value, not numerator/denominator")
        elif self.method == "count":
            if self.numerator is None:
                raise ValueError("method count needs a numerator selection")
        elif self.method == "mean":
            if self.value is None:
                raise ValueError("method mean needs a value selection")
        else:
            missing = [name for name in ("numerator", "denominator") if getattr(self, name) is None]
            if missing:
                raise ValueError(f"method {self.method} needs {' and '.join(missing)}")
        if self.method == "dsr" and self.standard is None:
            raise ValueError("method dsr needs standard: esp2013")
        if self.method == "isr" and self.reference is None:
            raise ValueError("method isr needs a reference selection")
        if self.projection is not None:
            if self.method != "count":
                raise ValueError(
                    f"projection needs method count (not {self.method}): a linear projection "
                    "of a rate or percentage can leave its range"
                )
            periods = self.numerator.periods if self.numerator is not None else None
            if periods is not None and len(set(periods)) < 2:
                raise ValueError("projection needs at least two periods (numerator.periods)")
        if any(level not in (0.95, 0.998) for level in self.confidence):
            raise ValueError("confidence levels must be 0.95 and/or 0.998")
        return self

    @property
    def recomputed(self) -> bool:
        """Whether jsna computes the figure from counts (not a published value)."""
        return self.method != "value_only"

    def selections(self) -> dict[str, Selection]:
        """The selections given, by role (numerator, denominator, value, reference)."""
        roles = ("numerator", "denominator", "value", "reference")
        return {role: s for role in roles if (s := getattr(self, role)) is not None}

    def sources(self) -> tuple[str, ...]:
        """Every source id the indicator reads, its own first."""
        ids = [self.source, *(s.source for s in self.selections().values() if s.source)]
        return tuple(dict.fromkeys(ids))
