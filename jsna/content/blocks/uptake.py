"""Uptake hot-spot block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import AnalysisBlock

__all__ = ["VACCINATION_TARGET", "UptakeBlock"]

VACCINATION_TARGET = 95.0
"""Default target of a vaccination programme: 95% coverage (WHO, for herd immunity)."""


class UptakeBlock(AnalysisBlock):
    """Uptake hot spots: funnel plot against the local average and the most urgent areas.

    For an uptake indicator (a proportion with counts: vaccination, screening,
    health checks) by ward, GP practice or authority: a funnel plot against
    the local average with the target line, the areas ranked by the number
    of people needed to reach the target, and the most urgent areas (those
    significantly below the local average, by people to reach the target).
    """

    block: Literal["uptake"] = Field(description="Block kind.")
    indicator: str = Field(
        min_length=1,
        description="Indicator id: a proportion computed from counts (numerator and denominator).",
    )
    area_type: str | None = Field(
        default=None,
        description="Area type compared, e.g. ward23 or gp_practice (default: the indicator's "
        "first area type with results).",
    )
    period: str | None = Field(default=None, description="Period (default: the latest).")
    programme: Literal["vaccination", "screening", "health_check", "other"] = Field(
        default="other",
        description="Kind of programme: vaccination (target defaults to 95%), screening, "
        "health_check or other.",
    )
    target: float | None = Field(
        default=None,
        gt=0,
        description="Target in the indicator's unit (95 for 95%); required unless the "
        "programme is vaccination (default 95).",
    )
    compare_with: str | None = Field(
        default=None,
        description="At the JSNA's own area type only: a comparator id of jsna.yml whose areas "
        "(with the JSNA area) are compared, e.g. greater_manchester (default: every authority "
        "with results).",
    )
    top: int = Field(
        default=5, ge=1, le=20, description="How many areas the most urgent list names (1 to 20)."
    )

    @model_validator(mode="after")
    def _target_given(self) -> UptakeBlock:
        if self.target is None and self.programme != "vaccination":
            raise ValueError(
                "target is required unless programme is vaccination (default 95): "
                "give the target in the indicator's unit, e.g. target: 80"
            )
        return self

    @property
    def goal(self) -> float:
        """The target in force: the block's, else 95 for vaccination."""
        return self.target if self.target is not None else VACCINATION_TARGET

    def indicator_ids(self) -> tuple[str, ...]:
        """The uptake indicator."""
        return (self.indicator,)
