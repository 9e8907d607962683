"""The additive relations between published cells, for secondary suppression.

A reader could subtract along any "total = sum of parts" among published
figures: an area summed exactly from published smaller areas (a PCN from its
practices, a locality from its wards), persons from males and females, all
ages from age bands, a total from its breakdown categories. Every such
relation is listed here so that :func:`jsna.store.results.publish_results`
hides enough cells that no suppressed count can be recovered.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from jsna.stats import StatsInputError, additive_relations

__all__ = ["relations"]

_KEYS = ["area_id", "period", "sex", "age", "_cut"]
_NO_LINK = "must link rows of data"


def _add(
    found: list[pd.DataFrame],
    frame: pd.DataFrame,
    column: str,
    parents: pd.DataFrame | dict[object, object],
    name: str,
) -> None:
    if isinstance(parents, dict) and not parents:
        return
    if isinstance(parents, pd.DataFrame) and parents.empty:
        return
    try:
        found.append(
            additive_relations(frame, keys=_KEYS, column=column, parents=parents, name=name)
        )
    except StatsInputError as error:
        if _NO_LINK not in str(error):
            raise


def relations(
    frame: pd.DataFrame,
    area_links: Sequence[pd.DataFrame],
    *,
    breakdowns: Sequence[str],
    total_sex: str,
    total_age: str,
) -> pd.DataFrame | None:
    """Relations (total, member, relation) between rows of ``frame`` (None when there are none).

    ``area_links`` are frames of (child_id, parent_id) where each parent is
    exactly the sum of its children.
    """
    if frame.empty:
        return None
    cells = frame[["area_id", "period", "sex", "age"]].copy()
    cells["_cut"] = frame["breakdown_type"].astype(str) + "\x1f" + frame["breakdown"].astype(str)
    found: list[pd.DataFrame] = []
    for number, links in enumerate(area_links):
        pairs = links[["child_id", "parent_id"]].drop_duplicates()
        _add(found, cells, "area_id", pairs, f"areas {number + 1}")
    if "sex" in breakdowns:
        sexes = {s: total_sex for s in set(cells["sex"]) if s != total_sex}
        _add(found, cells, "sex", sexes, "sex")
    if "age" in breakdowns:
        ages = {a: total_age for a in set(cells["age"]) if a != total_age}
        _add(found, cells, "age", ages, "age")
    cuts = {c: "\x1f" for c in set(cells["_cut"]) if c != "\x1f"}
    _add(found, cells, "_cut", cuts, "breakdown")
    if not found:
        return None
    return pd.concat(found, ignore_index=True)
