"""Community voices block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["VoicesBlock"]


class VoicesBlock(AnalysisBlock):
    """Community voices: themes and consented quotes next to the related indicators."""

    block: Literal["voices"] = Field(description="Block kind.")
