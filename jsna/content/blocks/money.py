"""Money flow block."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["MoneyFlowBlock"]


class MoneyFlowBlock(AnalysisBlock):
    """Spend from funder to care setting to priority, as a flow, per head and beside outcomes."""

    block: Literal["money_flow"] = Field(description="Block kind.")
