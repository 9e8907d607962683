"""Recommendations tracker block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["RecommendationsBlock"]


class RecommendationsBlock(AnalysisBlock):
    """Recommendations with owner, target date, status and their indicators' movement.

    The recommendations come from the project's ``recommendations.yml``, with
    the latest status update made in the web app. With ``chapter`` the block
    lists that chapter's recommendations and whether each linked indicator
    has moved since the recommendation was made; without it, it shows the
    progress of every recommendation (counts by status, overdue items).
    """

    block: Literal["recommendations"] = Field(description="Block kind.")
    chapter: str | None = Field(
        default=None,
        description="Chapter id whose recommendations are listed (default: every chapter, "
        "with a progress summary).",
    )
