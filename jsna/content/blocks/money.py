"""Money flow block."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import AnalysisBlock

__all__ = ["MoneyFlowBlock", "SpendOutcome"]


class SpendOutcome(BaseModel):
    """An outcome indicator shown beside the spend on one priority."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    priority: str = Field(min_length=1, description="Priority as written in the spend file.")
    indicator: str = Field(min_length=1, description="Indicator id of a related outcome.")


class MoneyFlowBlock(AnalysisBlock):
    """Spend from funder to care setting to priority, as a flow, per head and beside outcomes.

    The spend is a CSV file of the project with columns ``funder``,
    ``care_setting``, ``priority`` (programme budget category or local
    priority), ``year`` and ``amount_gbp``. Made-up data must be declared
    ``illustrative: true``: every figure then says so in its title and text.
    """

    block: Literal["money_flow"] = Field(description="Block kind.")
    data: str = Field(
        min_length=1,
        description="Spend CSV file, relative to the project folder (or ${JSNA_DATA_MIRROR}/...).",
    )
    data_title: str = Field(
        min_length=1,
        description="What the spend data is and where it comes from (shown to readers).",
    )
    illustrative: bool = Field(
        default=False,
        description="True when the figures are made up (an example): every figure says so.",
    )
    year: str | None = Field(
        default=None, description="Year shown (default: the latest in the file)."
    )
    population: str = Field(
        default="population",
        description="Indicator id of the JSNA area's resident population (for spend per head).",
    )
    outcomes: tuple[SpendOutcome, ...] = Field(
        default=(), description="Outcome indicators shown beside the spend on each priority."
    )

    def indicator_ids(self) -> tuple[str, ...]:
        """The population indicator and the outcome indicators."""
        return (self.population, *dict.fromkeys(o.indicator for o in self.outcomes))
