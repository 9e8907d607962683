"""The additive relations between published cells, for secondary suppression.

A reader could subtract along any "total = sum of parts" among published
figures: an area that is the exact sum of published smaller areas (a PCN of
its practices, an LA of its localities), persons from males and females, all
ages from age bands, a total from its breakdown categories. Every such
relation is listed here, in the layout of :func:`jsna.stats.additive_relations`
(``total``, ``member``, ``relation``), so that
:func:`jsna.store.results.publish_results` hides enough cells that no
suppressed count can be recovered. Built with integer codes and merges (the
frames of a whole JSNA have hundreds of thousands of cells).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["relations"]

_KEYS = ["area_id", "period", "sex", "age", "_cut"]


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def _links(
    cells: pd.DataFrame,
    column: str,
    pairs: pd.DataFrame,
    name: str,
) -> pd.DataFrame | None:
    """Rows whose ``column`` is a child linked to the row with its parent and the same other keys.

    ``pairs`` has columns ``child`` and ``parent`` (values of ``column``).
    """
    others = [key for key in _KEYS if key != column]
    group = cells.groupby(others, sort=False, dropna=False).ngroup().to_numpy(dtype=np.int64)
    values, uniques = _codes(cells[column])
    child = uniques.get_indexer(pd.Index(pairs["child"]))
    parent = uniques.get_indexer(pd.Index(pairs["parent"]))
    known = (child >= 0) & (parent >= 0)
    if not known.any():
        return None
    links = pd.DataFrame({"value": child[known], "parent": parent[known]}).drop_duplicates()
    rows = pd.DataFrame({"group": group, "value": values, "position": np.arange(len(cells))})
    members = rows.merge(links, on="value", how="inner")
    totals = rows.rename(columns={"value": "parent", "position": "total"})
    found = members.merge(totals, on=["group", "parent"], how="inner")
    if found.empty:
        return None
    found = found.sort_values(["total", "position"], kind="stable")
    return pd.DataFrame(
        {
            "total": cells.index[found["total"].to_numpy()],
            "member": cells.index[found["position"].to_numpy()],
            "relation": name,
        }
    )


def _pairs(mapping: Mapping[object, object]) -> pd.DataFrame:
    return pd.DataFrame({"child": list(mapping), "parent": list(mapping.values())})


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
    found: list[pd.DataFrame | None] = []
    for number, links in enumerate(area_links):
        pairs = links.rename(columns={"child_id": "child", "parent_id": "parent"})
        found.append(_links(cells, "area_id", pairs[["child", "parent"]], f"areas {number + 1}"))
    if {"sex", "sex_age"} & set(breakdowns):
        sexes = {s: total_sex for s in cells["sex"].unique() if s != total_sex}
        found.append(_links(cells, "sex", _pairs(sexes), "sex") if sexes else None)
    if {"age", "sex_age"} & set(breakdowns):
        ages = {a: total_age for a in cells["age"].unique() if a != total_age}
        found.append(_links(cells, "age", _pairs(ages), "age") if ages else None)
    cuts = {c: "\x1f" for c in cells["_cut"].unique() if c != "\x1f"}
    found.append(_links(cells, "_cut", _pairs(cuts), "breakdown") if cuts else None)
    kept = [part for part in found if part is not None]
    if not kept:
        return None
    return pd.concat(kept, ignore_index=True)
