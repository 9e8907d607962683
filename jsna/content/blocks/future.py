"""Future need blocks: population projections, growth models and projected cases."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["GrowthBlock", "PopulationProjectionBlock", "ProjectedCasesBlock"]


class PopulationProjectionBlock(AnalysisBlock):
    """Projected population by age and sex for the JSNA area and its wards or localities."""

    block: Literal["population_projection"] = Field(description="Block kind.")


class GrowthBlock(AnalysisBlock):
    """Linear growth models of counts (GP list sizes, ward populations) with prediction intervals."""

    block: Literal["growth"] = Field(description="Block kind.")


class ProjectedCasesBlock(AnalysisBlock):
    """Projected cases of a condition: projected population x prevalence."""

    block: Literal["projected_cases"] = Field(description="Block kind.")
