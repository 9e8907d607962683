"""Community assets block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["AssetsBlock"]


class AssetsBlock(AnalysisBlock):
    """Community assets as a layer: counts and rates per 1,000 people by area beside need."""

    block: Literal["assets"] = Field(description="Block kind.")
