"""Recommendations tracker block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["RecommendationsBlock"]


class RecommendationsBlock(AnalysisBlock):
    """Recommendations with owner, target date, status and their indicators' movement."""

    block: Literal["recommendations"] = Field(description="Block kind.")
