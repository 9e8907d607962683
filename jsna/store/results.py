"""Publishing computed results: disclosure control first, then the ``result`` table.

:func:`published_results` reads them back with the columns a person
understands (area code and name, comparison with each comparator, fit,
suppression and its reason, the dataset versions used): the rows of
``jsna export`` and the site's CSV downloads.

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

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, select

from jsna.stats import DisclosureRules, suppress

from .bulk import insert_rows
from .schema import area, dataset_version, result

__all__ = [
    "BLANKED_WITH_COUNT",
    "FIRST_COLUMNS",
    "LAST_COLUMNS",
    "publish_results",
    "published_results",
]

CELL_LABEL = ("area_type", "area_code", "area_id", "sex", "age", "breakdown", "period")
"""Columns that name a cell in the reason of a secondary suppression (``area_code``, when
given, instead of ``area_id``; it is not written)."""

BLANKED_WITH_COUNT = ("comparison", "trend", "quintile")
"""Besides value and limits, judgements that would hint at a hidden count."""


def publish_results(
    connection: Connection,
    results: pd.DataFrame,
    *,
    input_versions: Sequence[int],
    rules: DisclosureRules | None = None,
    relations: pd.DataFrame | None = None,
    computed_at: datetime | None = None,
    check_totals: bool = True,
) -> pd.DataFrame:
    """Suppress small numbers in ``results`` and write them, replacing those indicators' results.

    ``results`` has the ``result`` table's columns (indicator_id, area_id,
    area_type, period, period_start, sex, age, breakdown_type, breakdown,
    numerator, denominator, value, limits, and optionally confidence,
    statistic, method, comparison, trend). ``relations`` (from
    :func:`jsna.stats.additive_relations`, by index label of ``results``) lists
    every "total = sum of members" a reader could subtract along. Runs in the
    caller's transaction: on any error nothing is replaced.

    ``check_totals=False`` accepts relations whose totals include parts that
    are not among the rows (a total with an unknown sex, a breakdown with an
    unknown category): they are still treated as exact, which protects more.

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
        label=[
            name
            for name in CELL_LABEL
            if name in results.columns and not (name == "area_id" and "area_code" in results)
        ],
        check_totals=check_totals,
    )
    published["input_versions"] = json.dumps(sorted(int(v) for v in input_versions))
    published["computed_at"] = computed_at or datetime.now(UTC)
    indicators = sorted(published["indicator_id"].unique().tolist())
    connection.execute(delete(result).where(result.c.indicator_id.in_(indicators)))
    insert_rows(connection, result, published.drop(columns=["area_code"], errors="ignore"))
    return published


FIRST_COLUMNS = (
    "indicator_id",
    "area_code",
    "area_name",
    "area_type",
    "period",
    "sex",
    "age",
    "breakdown_type",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
    "method",
    "fit",
)
"""Columns of :func:`published_results` before the comparator columns (99.8% limits only
when some row has them)."""
LAST_COLUMNS = ("trend", "quintile", "suppressed", "suppression_reason", "dataset_versions")
"""Columns of :func:`published_results` after the comparator columns."""
_BLANKED = ("numerator", "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8")


def _json_columns(texts: pd.Series, prefix: str, suffix: str) -> pd.DataFrame:
    """One column per key of the JSON objects in ``texts`` (keys in first-seen order)."""
    unique = pd.unique(texts.fillna("{}"))
    parsed = {text: json.loads(text) for text in unique}
    keys: list[str] = []
    for value in parsed.values():
        keys.extend(key for key in value if key not in keys)
    codes = pd.Index(unique).get_indexer(texts.fillna("{}"))
    columns = {}
    for key in keys:
        per_text = np.array([parsed[text].get(key) for text in unique], dtype=object)
        columns[f"{prefix}{key}{suffix}"] = per_text[codes] if len(codes) else per_text[:0]
    return pd.DataFrame(columns, index=texts.index)


def published_results(
    connection: Connection,
    indicator_id: str | None = None,
    area_type: str | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """Published results with person-readable columns (docs/compute.md lists them).

    Columns: :data:`FIRST_COLUMNS`, then ``compared_with_<comparator>`` and
    ``<comparator>_value`` for each comparator, then :data:`LAST_COLUMNS`.
    Suppressed cells have numerator, value and limits blank; counts that are
    all whole numbers come as integers (apportioned counts stay fractional). Rows are ordered
    by indicator, area type, area code, period and breakdown.
    """
    query = select(
        result.c.indicator_id,
        area.c.code.label("area_code"),
        area.c.name.label("area_name"),
        result.c.area_type,
        result.c.period,
        result.c.period_start,
        result.c.sex,
        result.c.age,
        result.c.breakdown_type,
        result.c.breakdown,
        *(result.c[name] for name in ("numerator", "denominator", "value")),
        *(result.c[name] for name in ("lower_95", "upper_95", "lower_99_8", "upper_99_8")),
        result.c.statistic,
        result.c.method,
        result.c.fit,
        result.c.comparison,
        result.c.benchmarks,
        result.c.trend,
        result.c.quintile,
        result.c.suppressed,
        result.c.suppression_reason,
        result.c.input_versions,
    ).join(area, area.c.id == result.c.area_id)
    if indicator_id is not None:
        query = query.where(result.c.indicator_id == indicator_id)
    if area_type is not None:
        query = query.where(result.c.area_type == area_type)
    if period is not None:
        query = query.where(result.c.period == period)
    query = query.order_by(
        result.c.indicator_id,
        result.c.area_type,
        area.c.code,
        result.c.period_start,
        result.c.period,
        result.c.sex,
        result.c.age,
        result.c.breakdown_type,
        result.c.breakdown,
    )
    executed = connection.execute(query)
    rows = [tuple(row) for row in executed.fetchall()]
    frame = pd.DataFrame.from_records(rows, columns=list(executed.keys()))
    for name in (
        "numerator",
        "denominator",
        "value",
        "lower_95",
        "upper_95",
        "lower_99_8",
        "upper_99_8",
    ):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
    frame["suppressed"] = frame["suppressed"].astype(bool)
    hidden = frame["suppressed"].to_numpy()
    for name in _BLANKED:
        frame.loc[hidden, name] = np.nan
    for name in ("numerator", "denominator"):
        values = frame[name].to_numpy()
        known = values[~np.isnan(values)]
        if np.array_equal(known, np.trunc(known)) and (np.abs(known) < 2**53).all():
            frame[name] = pd.array(
                np.where(np.isnan(values), 0, values).astype(np.int64), dtype="Int64"
            )
            frame.loc[np.isnan(values), name] = pd.NA
    statistic = frame["statistic"].fillna("").astype(str)
    method = frame["method"].fillna("").astype(str)
    both = (statistic != "") & (method != "")
    frame["method"] = np.where(both, statistic + " (" + method + ")", statistic + method)
    frame["fit"] = frame["fit"].fillna("exact")
    frame["quintile"] = pd.array(frame["quintile"].to_numpy(dtype=object), dtype="Int64")
    frame["trend"] = frame["trend"].fillna("")
    compared = _json_columns(frame["comparison"], "compared_with_", "")
    values = _json_columns(frame["benchmarks"], "", "_value")
    compared[hidden] = None
    compared = compared.fillna("")
    for name in values.columns:
        values[name] = pd.to_numeric(values[name], errors="coerce").astype(np.float64)
    frame["dataset_versions"] = _version_names(connection, frame["input_versions"])
    first = [
        name
        for name in FIRST_COLUMNS
        if not (name in ("lower_99_8", "upper_99_8") and frame[name].isna().all())
    ]
    paired = []
    for name in compared.columns:
        comparator = name.removeprefix("compared_with_")
        paired.append(compared[name])
        if f"{comparator}_value" in values.columns:
            paired.append(values[f"{comparator}_value"])
    out = pd.concat([frame[first], *paired, frame[list(LAST_COLUMNS)]], axis=1)
    return out.reset_index(drop=True)


def _version_names(connection: Connection, texts: pd.Series) -> pd.Series:
    """``source_id v3; source_id v7`` for each JSON list of dataset_version ids."""
    names = {
        int(key): f"{source_id} v{key}"
        for key, source_id in connection.execute(
            select(dataset_version.c.id, dataset_version.c.source_id)
        )
    }
    shown = {
        text: "; ".join(names.get(int(v), f"v{v}") for v in json.loads(text))
        for text in pd.unique(texts)
    }
    return texts.map(shown).astype(object)
