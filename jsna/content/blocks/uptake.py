"""Uptake hot-spot block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["UptakeBlock"]


class UptakeBlock(AnalysisBlock):
    """Uptake hot spots: funnel plot against the local average and the most urgent areas."""

    block: Literal["uptake"] = Field(description="Block kind.")
