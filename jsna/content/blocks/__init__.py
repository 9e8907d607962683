"""Analysis blocks: the chapter blocks that embed an analysis rather than one chart.

Each kind is a pydantic model in its own module, drawn by the figures module
named in ``jsna.figures.blocks.ANALYSIS_MODULES``. ``ANALYSIS_BLOCKS`` lists
them all; :mod:`jsna.content.chapters` joins them to the other block kinds.
"""

from __future__ import annotations

from typing import Literal, get_args

from .access import PharmacyAccessBlock
from .assets import AssetsBlock
from .base import AnalysisBlock
from .future import GrowthBlock, PopulationProjectionBlock, ProjectedCasesBlock
from .money import MoneyFlowBlock
from .need import DiagnosisGapBlock, UnmetNeedBlock
from .priorities import PrioritiesBlock
from .tracker import RecommendationsBlock
from .uptake import UptakeBlock
from .voices import VoicesBlock

__all__ = [
    "ANALYSIS_BLOCKS",
    "ANALYSIS_KINDS",
    "AnalysisBlock",
    "AnalysisKind",
    "AssetsBlock",
    "DiagnosisGapBlock",
    "GrowthBlock",
    "MoneyFlowBlock",
    "PharmacyAccessBlock",
    "PopulationProjectionBlock",
    "PrioritiesBlock",
    "ProjectedCasesBlock",
    "RecommendationsBlock",
    "UnmetNeedBlock",
    "UptakeBlock",
    "VoicesBlock",
]

ANALYSIS_BLOCKS: tuple[type[AnalysisBlock], ...] = (
    UnmetNeedBlock,
    DiagnosisGapBlock,
    PopulationProjectionBlock,
    GrowthBlock,
    ProjectedCasesBlock,
    PharmacyAccessBlock,
    UptakeBlock,
    MoneyFlowBlock,
    PrioritiesBlock,
    RecommendationsBlock,
    AssetsBlock,
    VoicesBlock,
)
AnalysisKind = Literal[
    "unmet_need",
    "diagnosis_gap",
    "population_projection",
    "growth",
    "projected_cases",
    "pharmacy_access",
    "uptake",
    "money_flow",
    "priorities",
    "recommendations",
    "assets",
    "voices",
]
ANALYSIS_KINDS: tuple[str, ...] = get_args(AnalysisKind)
"""The ``block:`` value of each analysis block, in the order of ``ANALYSIS_BLOCKS``."""
