"""Computing a project's indicators from the store: selection, roll-up, statistics, judgements.

:func:`compute_project` turns the imported observations into published
results (after disclosure control) for every indicator, area type, breakdown
and period of a project, incrementally and deterministically.
"""

from __future__ import annotations

from .findings import Finding, FindingsResult, key_findings
from .pipeline import COMPUTE_VERSION, ComputeSummary, Progress, compute_project, inputs_hash

__all__ = [
    "COMPUTE_VERSION",
    "ComputeSummary",
    "Finding",
    "FindingsResult",
    "Progress",
    "compute_project",
    "inputs_hash",
    "key_findings",
]
