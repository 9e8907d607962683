"""Unmet need blocks: expected cases against services, and diagnosis gaps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import AnalysisBlock

__all__ = ["DiagnosisGapBlock", "UnmetNeedBlock"]


class UnmetNeedBlock(AnalysisBlock):
    """Expected cases (population x prevalence rates) against services, and the gap, by locality."""

    block: Literal["unmet_need"] = Field(description="Block kind.")


class DiagnosisGapBlock(AnalysisBlock):
    """Recorded (register) against expected cases of a condition, by GP practice."""

    block: Literal["diagnosis_gap"] = Field(description="Block kind.")
