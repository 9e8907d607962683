"""Data twins: every page ``X.html`` has ``X.json`` and ``X.csv`` holding exactly its figures.

The twin's rows are the concatenation of the ``data`` of the page's figures
and headlines (already after disclosure control), each row labelled with the
``figure`` it belongs to, and with the figure's area type and period where
its data do not carry them. The JSON twin is one envelope, the shape of
``jsna export --format json`` and of the future API::

    {"data": [...], "meta": {"title", "url", "edition", "generated", "licence",
                             "geography", "dataset_versions", "disclosure", ...}}

The CSV twin has the same rows with column names a person reads
("Lower 95% limit", "Compared with England"). Each figure's own data is also
written as ``data/<page>/<figure>.csv`` and ``.json`` for its download links.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from jsna.content.project_files import Project
from jsna.figures.model import Figure, Headline

__all__ = [
    "figure_frame",
    "frame_csv",
    "frame_json",
    "page_frame",
    "readable_columns",
    "records",
]

_LABELS = {
    "figure": "Figure",
    "indicator_id": "Indicator id",
    "indicator": "Indicator",
    "area_code": "Area code",
    "area_name": "Area name",
    "area_type": "Area type",
    "period": "Period",
    "sex": "Sex",
    "age": "Age",
    "breakdown_type": "Breakdown type",
    "breakdown": "Breakdown",
    "numerator": "Count (numerator)",
    "denominator": "Denominator",
    "value": "Value",
    "lower_95": "Lower 95% limit",
    "upper_95": "Upper 95% limit",
    "lower_99_8": "Lower 99.8% limit",
    "upper_99_8": "Upper 99.8% limit",
    "method": "Method",
    "fit": "Geography fit",
    "trend": "Trend",
    "quintile": "Quintile",
    "suppressed": "Suppressed",
    "suppression_reason": "Suppression reason",
    "dataset_versions": "Dataset versions",
    "projected": "Projected",
}


def readable_columns(columns: Sequence[str], names: dict[str, str] | None = None) -> list[str]:
    """Column names for people: ``lower_95`` -> ``Lower 95% limit``,
    ``compared_with_england`` -> ``Compared with England`` (``names``: comparator id -> name)."""
    names = names or {}
    out = []
    for column in columns:
        if column in _LABELS:
            out.append(_LABELS[column])
        elif column.startswith("compared_with_"):
            key = column.removeprefix("compared_with_")
            out.append(f"Compared with {names.get(key, key.replace('_', ' '))}")
        elif column.endswith("_value") and column.removesuffix("_value") in names:
            out.append(f"{names[column.removesuffix('_value')]} value")
        else:
            text = str(column).replace("_", " ").strip()
            out.append(text[:1].upper() + text[1:])
    return out


def figure_frame(item: Figure | Headline) -> pd.DataFrame:
    """A figure's (or headline's) data with ``figure``, ``area_type`` and ``period`` columns."""
    if isinstance(item, Figure):
        name, area_type, period = item.id, item.area_type, item.period
    else:
        name, area_type, period = f"headline-{item.indicator_id}", None, item.period
    frame = item.data.copy() if item.data is not None else pd.DataFrame()
    frame.insert(0, "figure", name)
    if "area_type" not in frame.columns:
        frame["area_type"] = area_type
    if "period" not in frame.columns:
        frame["period"] = period
    return frame.drop(columns=["projected"], errors="ignore")


def page_frame(figures: Sequence[Figure | Headline]) -> pd.DataFrame:
    """Every figure's rows, one after the other (columns in order of first appearance)."""
    frames = [figure_frame(item) for item in figures]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame({"figure": pd.Series(dtype=str)})
    return pd.concat(frames, ignore_index=True, sort=False)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (the rows :func:`frame_json` writes)."""
    return list(json.loads(_data_json(frame)))


def _data_json(frame: pd.DataFrame) -> str:
    """Rows as a JSON array, written by pandas' C writer: missing cells null, times ISO 8601,
    numbers to 15 significant digits (the most a double always keeps)."""
    frame = frame.rename(columns=str)
    return frame.to_json(
        orient="records", double_precision=15, force_ascii=False, date_format="iso"
    )


def frame_json(frame: pd.DataFrame, meta: dict[str, Any]) -> str:
    """The JSON envelope ``{"data": [...], "meta": {...}}``, compact."""
    head = json.dumps(meta, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return f'{{"data":{_data_json(frame)},"meta":{head}}}\n'


def frame_csv(frame: pd.DataFrame, names: dict[str, str] | None = None) -> str:
    """CSV with readable column names; blank cells for no figure."""
    out = frame.copy()
    out.columns = readable_columns([str(c) for c in frame.columns], names)
    return out.to_csv(index=False, lineterminator="\n")


def dataset_versions(frame: pd.DataFrame) -> list[str]:
    """Distinct dataset versions behind the rows (the data's vintage)."""
    if "dataset_versions" not in frame.columns:
        return []
    found: set[str] = set()
    for value in frame["dataset_versions"].dropna().unique():
        for part in str(value).split(";"):
            if part.strip():
                found.add(part.strip())
    return sorted(found)


def twin_meta(
    project: Project,
    *,
    title: str,
    url: str,
    generated: datetime,
    frame: pd.DataFrame,
    disclosure: list[str],
) -> dict[str, Any]:
    """The ``meta`` of a twin: what, where, when, under which licence and rules."""
    config = project.config
    types = (
        sorted({str(t) for t in frame["area_type"].dropna().unique()})
        if "area_type" in frame.columns
        else []
    )
    return {
        "title": title,
        "url": url,
        "edition": config.publication.edition,
        "generated": generated.isoformat(),
        "licence": config.publication.licence,
        "publisher": config.branding.organisation,
        "geography": {"area": config.area.code, "area_name": config.area.name, "area_types": types},
        "dataset_versions": dataset_versions(frame),
        "disclosure": disclosure,
        "rows": len(frame),
        "figures": sorted({str(f) for f in frame["figure"].dropna().unique()})
        if "figure" in frame.columns
        else [],
    }
