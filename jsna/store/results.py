"""Publishing computed results: disclosure control first, then the ``result`` table.

This is the only way into the ``result`` table, and pages, downloads, PDFs and
the API read published figures only from there, so no small number can reach
a reader without passing :func:`jsna.stats.suppress` (primary suppression of
small counts and denominators, then secondary suppression across every
relation given: areas within areas, sexes within persons, bands within all
ages).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, delete

from jsna.stats import DisclosureRules, suppress

from .bulk import insert_rows
from .schema import result

__all__ = ["BLANKED_WITH_COUNT", "publish_results"]

CELL_LABEL = ("area_type", "area_id", "sex", "age", "breakdown", "period")
"""Columns that name a cell in the reason of a secondary suppression."""

BLANKED_WITH_COUNT = ("comparison", "trend")
"""Besides value and limits, judgements that would hint at a hidden count."""


def publish_results(
    connection: Connection,
    results: pd.DataFrame,
    *,
    input_versions: Sequence[int],
    rules: DisclosureRules | None = None,
    relations: pd.DataFrame | None = None,
    computed_at: datetime | None = None,
) -> pd.DataFrame:
    """Suppress small numbers in ``results`` and write them, replacing those indicators' results.

    ``results`` has the ``result`` table's columns (indicator_id, area_id,
    area_type, period, period_start, sex, age, breakdown_type, breakdown,
    numerator, denominator, value, limits, and optionally confidence,
    statistic, method, comparison, trend). ``relations`` (from
    :func:`jsna.stats.additive_relations`, by index label of ``results``) lists
    every "total = sum of members" a reader could subtract along. Runs in the
    caller's transaction: on any error nothing is replaced.

    Returns the rows as written (suppressed cells blanked, with
    ``suppressed`` and ``suppression_reason``).
    """
    rules = rules or DisclosureRules()
    limits = [name for name in results.columns if str(name).startswith(("lower_", "upper_"))]
    chosen = rules.columns_to_blank if rules.columns_to_blank is not None else ("value", *limits)
    judgements = [name for name in BLANKED_WITH_COUNT if name in results.columns]
    rules = replace(rules, columns_to_blank=(*chosen, *judgements))  # type: ignore[misc]
    published = suppress(
        results,
        "numerator",
        denominator="denominator" if "denominator" in results.columns else None,
        relations=relations,
        rules=rules,
        label=[name for name in CELL_LABEL if name in results.columns],
    )
    published["input_versions"] = json.dumps(sorted(int(v) for v in input_versions))
    published["computed_at"] = computed_at or datetime.now(UTC)
    indicators = sorted(published["indicator_id"].unique().tolist())
    connection.execute(delete(result).where(result.c.indicator_id.in_(indicators)))
    insert_rows(connection, result, published)
    return published
