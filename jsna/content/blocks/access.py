"""Pharmacy access block (pharmaceutical needs assessment)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["PharmacyAccessBlock"]


class PharmacyAccessBlock(AnalysisBlock):
    """Distance to the nearest pharmacy and the share of people within reach, by area and deprivation."""

    block: Literal["pharmacy_access"] = Field(description="Block kind.")
