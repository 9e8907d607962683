"""Counts for custom and larger areas: sum the members' numerators and denominators.

Rates and proportions are never averaged: numerators, denominators (and, for
DSR, ISR and life expectancy, the counts of every age band) are summed over the
members, each multiplied by its membership weight, and the statistic is then
computed afresh by :mod:`jsna.stats`. Each output row says how it was built in
``geography_method``:

- ``exact``: every member nests (lookup, custom list or point in polygon);
- ``best_fit``: at least one member was given whole to a parent it only mostly
  lies in (ONS best fit): the figure is approximate;
- ``apportioned``: at least one member was shared by weight (a count times a
  share): the figure is an estimate, and counts may not be whole numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["GEOGRAPHY_METHODS", "aggregate_counts"]

GEOGRAPHY_METHODS = ("exact", "best_fit", "apportioned")
_RANK = {"lookup": 0, "custom": 0, "point_in_polygon": 0, "best_fit": 1, "apportioned": 2}
"""How far each membership method is from exact (the worst member decides the flag)."""


def aggregate_counts(
    frame: pd.DataFrame,
    memberships: pd.DataFrame,
    counts: Sequence[str],
    *,
    area: str = "area_code",
    by: Sequence[str] = (),
    allow_missing: bool = False,
) -> pd.DataFrame:
    """Sum ``counts`` columns of ``frame`` from member areas to their parents.

    ``frame`` has one row per member area (column ``area``) and per ``by`` key
    (sex, age band, period...). Returns ``area_type``, ``area_code``, the ``by``
    columns, the summed ``counts``, ``members`` (member areas found) and
    ``geography_method``. A parent with a member missing from ``frame`` raises
    ValueError unless ``allow_missing`` (then its ``members`` shows how many were used).
    """
    missing_columns = [c for c in [area, *by, *counts] if c not in frame.columns]
    if missing_columns:
        raise ValueError(f"frame has no column(s) {', '.join(map(repr, missing_columns))}")
    links = memberships[["child_code", "parent_type", "parent_code", "weight", "method"]]
    unknown = sorted(set(links["method"]) - set(_RANK))
    if unknown:
        raise ValueError(f"unknown membership method(s): {', '.join(unknown)}")
    present = set(frame[area])
    absent = links[~links["child_code"].isin(present)]
    if not absent.empty and not allow_missing:
        listed = ", ".join(sorted(set(absent["child_code"]))[:10])
        raise ValueError(
            f"{absent['child_code'].nunique()} member area(s) have no rows in the data "
            f"(e.g. {listed}): their parents would be undercounted; pass allow_missing=True to accept"
        )
    merged = frame.merge(links, left_on=area, right_on="child_code", how="inner")
    weighted = merged[list(counts)].mul(merged["weight"], axis=0)
    weighted = weighted.assign(
        parent_type=merged["parent_type"].to_numpy(),
        parent_code=merged["parent_code"].to_numpy(),
        _member=merged["child_code"].to_numpy(),
        _rank=merged["method"].map(_RANK).to_numpy(),
        **{key: merged[key].to_numpy() for key in by},
    )
    keys = ["parent_type", "parent_code", *by]
    grouped = weighted.groupby(keys, sort=True, dropna=False)
    out = grouped[list(counts)].sum(min_count=1)
    out["members"] = grouped["_member"].nunique()
    out["geography_method"] = grouped["_rank"].max().map(dict(enumerate(GEOGRAPHY_METHODS)))
    out = out.reset_index().rename(columns={"parent_type": "area_type", "parent_code": "area_code"})
    return out[["area_type", "area_code", *by, *counts, "members", "geography_method"]]
