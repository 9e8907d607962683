"""Priority-setting block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["PrioritiesBlock"]


class PrioritiesBlock(AnalysisBlock):
    """The ranked priorities of a scoring round, with the evidence trail of each."""

    block: Literal["priorities"] = Field(description="Block kind.")
