"""The project file ``jsna.yml``: the area of the JSNA and how it is built and published.

Example (abridged from ``examples/trafford/jsna.yml``)::

    title: Trafford Joint Strategic Needs Assessment
    area: {code: E08000009, name: Trafford, area_type: ltla23}
    comparators:
      - {id: england, name: England, kind: england, codes: [E92000001]}
      - {id: north_west, name: North West, kind: region, codes: [E12000002]}
      - id: neighbours
        name: CIPFA nearest neighbours
        kind: neighbours
        codes: [E06000036, E06000040, E08000002, ...]
    area_types: [ltla23, ward23, ward22, msoa21, lsoa21, gp_practice, pcn, locality]
    geographies: {...}          # lookups, boundaries and custom areas (jsna.content.geographies)
    branding: {organisation: Trafford Council, primary_colour: "#1d70b8"}
    disclosure: {max_suppressed_count: 4, min_denominator: 50}
    publication: {edition: "2025", contact_email: jsna@example.org}

Every field is documented below; ``jsna check`` reports problems as
``jsna.yml:line: field: message``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .geographies import Geographies
from .priorities import PrioritiesConfig
from .sources import ONS_CODE_PATTERN

__all__ = [
    "VALIDATION_RULES",
    "Branding",
    "Comparator",
    "Disclosure",
    "FindingEdit",
    "JsnaArea",
    "ProjectConfig",
    "Publication",
    "Validation",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_COLOUR = r"^#[0-9a-fA-F]{6}$"


class JsnaArea(BaseModel):
    """The area the JSNA describes (a local authority)."""

    model_config = _FROZEN

    code: str = Field(pattern=f"^{ONS_CODE_PATTERN}$", description="ONS code, e.g. E08000009.")
    name: str = Field(min_length=1, description="Name shown to readers, e.g. Trafford.")
    area_type: str = Field(description="Area type of the code in the store, e.g. ltla23 or utla23.")


class Comparator(BaseModel):
    """An area, or a group of areas, the JSNA's figures are benchmarked against."""

    model_config = _FROZEN

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="Short id, e.g. england.")
    name: str = Field(min_length=1, description="Name shown to readers, e.g. North West.")
    kind: Literal["england", "region", "neighbours", "other"] = Field(
        description="england, region, neighbours (a set of similar areas) or other."
    )
    codes: tuple[str, ...] = Field(
        min_length=1,
        description="ONS code of the area, or codes of the group's areas. A group is "
        "benchmarked on its summed counts where counts exist (never an average of rates), "
        "and otherwise shown as a range.",
    )

    @property
    def is_group(self) -> bool:
        """Whether the comparator is several areas (summed), not one."""
        return len(self.codes) > 1


class Branding(BaseModel):
    """How the published site and PDFs look: a neutral, configurable council brand."""

    model_config = _FROZEN

    organisation: str = Field(min_length=1, description="Publishing organisation's name.")
    logo: str | None = Field(
        default=None, description="Logo image (SVG or PNG), relative to the project folder."
    )
    primary_colour: str = Field(
        default="#1d70b8", pattern=_COLOUR, description="Main brand colour, #rrggbb."
    )
    secondary_colour: str = Field(
        default="#0b0c0c", pattern=_COLOUR, description="Header and footer colour, #rrggbb."
    )
    footer: str = Field(default="", description="Text shown in every page's footer.")


class Disclosure(BaseModel):
    """Small-number suppression rules applied before anything is published."""

    model_config = _FROZEN

    max_suppressed_count: int = Field(
        default=4, ge=0, description="Counts from 1 up to this are hidden, with their rates/CIs."
    )
    suppress_zero: bool = Field(default=False, description="Hide counts of 0 too.")
    min_denominator: int | None = Field(
        default=None, ge=1, description="Hide figures whose denominator is below this."
    )
    secondary: bool = Field(
        default=True,
        description="Hide the fewest extra cells so no hidden count can be recovered by "
        "subtraction across published totals (areas, custom areas, breakdowns).",
    )


class Publication(BaseModel):
    """Edition and publication settings of the site and PDFs."""

    model_config = _FROZEN

    edition: str = Field(
        pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$",
        description="Edition name, e.g. 2025; editions stay browsable at /editions/<edition>/.",
    )
    published: date | None = Field(default=None, description="Publication date (YYYY-MM-DD).")
    base_url: str = Field(default="", description="Public address of the site, for links/feeds.")
    contact_email: str = Field(default="", description="Where readers send questions.")
    licence: str = Field(
        default="OGL-UK-3.0", description="Licence of the published JSNA text and figures."
    )
    profiles: tuple[str, ...] = Field(
        default=(),
        description="Area types that get an area profile page and PDF each (e.g. ward23, "
        "practice_locality, gp_practice, msoa21).",
    )
    archive: str = Field(
        default="editions",
        description="Folder, relative to the project, keeping every published edition as built "
        "(jsna build adds the current one); all are browsable at /editions/<edition>/.",
    )


VALIDATION_RULES: tuple[str, ...] = (
    "missing_rationale",
    "missing_owner",
    "review_overdue",
    "draft_chapter",
    "unused_indicator",
    "unused_source",
)
"""Rules ``jsna check`` reports as warnings by default (``--strict`` makes them fail)."""


class Validation(BaseModel):
    """How strict ``jsna check`` is: each rule is an error, a warning or off."""

    model_config = _FROZEN

    levels: dict[str, Literal["error", "warning", "off"]] = Field(
        default_factory=dict,
        description="Rule -> level, overriding the default 'warning'. Rules: "
        + ", ".join(VALIDATION_RULES)
        + ".",
    )

    @field_validator("levels", mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        """YAML reads an unquoted ``off`` as false: take it as "off"."""
        if isinstance(value, dict):
            return {rule: "off" if level is False else level for rule, level in value.items()}
        return value

    @model_validator(mode="after")
    def _known(self) -> Validation:
        unknown = sorted(set(self.levels) - set(VALIDATION_RULES))
        if unknown:
            raise ValueError(f"unknown rule {unknown[0]!r}; rules: {', '.join(VALIDATION_RULES)}")
        return self

    def level(self, rule: str) -> str:
        """The level of ``rule``: error, warning or off."""
        return self.levels.get(rule, "warning")


class FindingEdit(BaseModel):
    """An analyst's edit of a generated key finding: pin it, order it, annotate or hide it."""

    model_config = _FROZEN

    id: str = Field(min_length=1, description="Id of the finding, as listed by 'jsna findings'.")
    pin: bool = Field(default=False, description="Always show it, before unpinned findings.")
    order: int | None = Field(default=None, description="Position among pinned findings.")
    note: str = Field(default="", description="Text shown after the generated sentence.")
    hide: bool = Field(default=False, description="Leave it out of the JSNA.")


class ProjectConfig(BaseModel):
    """The whole ``jsna.yml`` of a project."""

    model_config = _FROZEN

    title: str = Field(min_length=1, description="Title of the JSNA.")
    area: JsnaArea = Field(description="The area the JSNA describes.")
    comparators: tuple[Comparator, ...] = Field(
        min_length=1, description="Benchmarks: England first, then region, neighbours, others."
    )
    area_types: tuple[str, ...] = Field(
        min_length=1,
        description="Area types results are computed and published for (standard types "
        "such as ward23 and msoa21, and the custom types of geographies.custom_areas).",
    )
    geographies: Geographies = Field(
        description="Lookups, boundaries and custom areas loaded into the store."
    )
    branding: Branding = Field(description="Look of the site and PDFs.")
    disclosure: Disclosure = Field(
        default_factory=Disclosure, description="Small-number suppression rules."
    )
    publication: Publication = Field(description="Edition and publication settings.")
    validation: Validation = Field(
        default_factory=Validation, description="Levels of the checks of 'jsna check'."
    )
    findings: tuple[FindingEdit, ...] = Field(
        default=(), description="Pinned, ordered, annotated or hidden key findings."
    )
    priorities: PrioritiesConfig = Field(
        default_factory=PrioritiesConfig,
        description="Scoring matrix of priority setting (default: the Portsmouth scheme, "
        "six criteria scored 0-3, high above 12, medium 8-12, low below 8).",
    )

    @model_validator(mode="after")
    def _unique(self) -> ProjectConfig:
        ids = [comparator.id for comparator in self.comparators]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"comparator id {repeated[0]!r} is used twice")
        if self.comparators[0].kind != "england":
            raise ValueError("the first comparator must be England (kind: england)")
        unknown = [name for name in self.publication.profiles if name not in self.area_types]
        if unknown:
            raise ValueError(f"publication.profiles: {unknown[0]!r} is not in area_types")
        return self

    def comparator(self, comparator_id: str) -> Comparator:
        """The comparator with id ``comparator_id`` (KeyError if none)."""
        for comparator in self.comparators:
            if comparator.id == comparator_id:
                return comparator
        raise KeyError(comparator_id)
