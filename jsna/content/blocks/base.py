"""What every analysis block shares: a caption and the ids it refers to.

Analysis blocks embed an analysis (unmet need, projections, pharmacy access,
uptake, money flow, priorities, recommendations, assets, community voices)
in a chapter, like a chart block embeds a chart. Each kind lives in its own
module of this package and is drawn by ``jsna.figures.<module>.build``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AnalysisBlock"]


class AnalysisBlock(BaseModel):
    """Fields and methods every analysis block has."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    caption: str = Field(default="", description="Caption under the figures.")

    def indicator_ids(self) -> tuple[str, ...]:
        """Indicator ids the block reads (checked by ``jsna check``)."""
        return ()

    def source_ids(self) -> tuple[str, ...]:
        """Source ids the block reads (checked by ``jsna check``; they count as used)."""
        return ()
