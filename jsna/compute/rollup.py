"""Figures for area types that are not the data's own: sum the smallest units up.

For a target area type the data does not have (results by PCN or local
authority from GP practice rows, by locality from ward rows), the smallest
area type in the data that reaches the target through ``area_membership`` is
found (a path of memberships, chained: LSOA -> ward -> locality), and its
counts are summed to the target's areas with the memberships' weights by
:func:`jsna.geography.aggregate_counts`; rates are never averaged. Each row
says in ``fit`` whether it is exact, best_fit or apportioned.

A target area is left out for a cell (period, breakdown) when a member that
has data for the indicator in some cell has none in that one: its figure would
be an undercount. Members with no data at all (a practice that did not exist
yet, areas outside the source's coverage) are not expected.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from jsna.geography.aggregate import aggregate_counts
from jsna.geography.custom import chain
from jsna.geography.registry import AREA_TYPES

__all__ = ["EXACT_METHODS", "Memberships", "Rolled", "membership_path", "nested_via", "roll_up"]

EXACT_METHODS = ("lookup", "custom", "point_in_polygon")
"""Membership methods whose parents are exactly the sum of their children."""
_UNKNOWN_LEVEL = 9


@dataclass(frozen=True)
class Rolled:
    """Rows for one target area type and how they were made."""

    rows: pd.DataFrame
    """Cells of the target type: area code and type, keys, counts and ``fit``."""
    from_type: str
    """Area type of the data used (the target itself when the data has it)."""
    links: pd.DataFrame | None
    """Chained memberships from ``from_type`` to the target when every step is exact
    (parents are sums of children: a relation for secondary suppression)."""


def _level(area_type: str, levels: dict[str, int]) -> int:
    if area_type in levels:
        return levels[area_type]
    known = AREA_TYPES.get(area_type)
    return known.level if known is not None else _UNKNOWN_LEVEL


class Memberships:
    """The store's memberships with the chains between area types worked out once.

    Paths, chained links and the relations between types are cached: one run
    of compute asks the same questions for every indicator.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._steps = {
            (str(child), str(parent)): part.reset_index(drop=True)
            for (child, parent), part in frame.groupby(["child_type", "parent_type"], sort=True)
        }
        self._following: dict[str, list[str]] = {}
        for child, parent in sorted(self._steps):
            self._following.setdefault(child, []).append(parent)
        self._paths: dict[tuple[str, str], list[tuple[str, str]] | None] = {}
        self._links: dict[tuple[str, str], pd.DataFrame | None] = {}
        self._exact: dict[tuple[str, str], pd.DataFrame | None] = {}
        self._nested: dict[tuple[str, str, str], pd.DataFrame] = {}

    def path(self, start: str, target: str) -> list[tuple[str, str]] | None:
        """The shortest chain of (child type, parent type) steps from ``start`` to ``target``."""
        key = (start, target)
        if key not in self._paths:
            self._paths[key] = _shortest(self._following, start, target)
        return self._paths[key]

    def links(self, start: str, target: str) -> pd.DataFrame | None:
        """Memberships of ``start`` areas in ``target`` areas along :meth:`path` (chained)."""
        key = (start, target)
        if key not in self._links:
            path = self.path(start, target)
            linked: pd.DataFrame | None = None
            for step in path or ():
                part = self._steps[step]
                linked = part if linked is None else chain(linked, part)
            self._links[key] = None if linked is None else linked.reset_index(drop=True)
        return self._links[key]

    def exact(self, child_type: str, parent_type: str) -> pd.DataFrame | None:
        """:meth:`links` when every step is exact with weight 1 (parents are sums), else None."""
        key = (child_type, parent_type)
        if key not in self._exact:
            links = self.links(child_type, parent_type)
            if links is not None and not _all_exact(links):
                links = None
            self._exact[key] = links
        return self._exact[key]

    def nested(self, base: str, finer: str, coarser: str) -> pd.DataFrame:
        """:func:`nested_via` of the exact links of ``base`` in ``finer`` and ``coarser``."""
        key = (base, finer, coarser)
        if key not in self._nested:
            small, large = self.exact(base, finer), self.exact(base, coarser)
            empty = pd.DataFrame(columns=["child_type", "child_code", "parent_type", "parent_code"])
            self._nested[key] = (
                empty if small is None or large is None else nested_via(small, large)
            )
        return self._nested[key]


def _all_exact(links: pd.DataFrame) -> bool:
    return bool(links["method"].isin(EXACT_METHODS).all() and (links["weight"] == 1).all())


def _shortest(
    following: dict[str, list[str]], start: str, target: str
) -> list[tuple[str, str]] | None:
    seen = {start: [start]}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == target:
            path = seen[here]
            return list(itertools.pairwise(path))
        for parent in following.get(here, []):
            if parent not in seen:
                seen[parent] = [*seen[here], parent]
                queue.append(parent)
    return None


def membership_path(
    memberships: pd.DataFrame, start: str, target: str
) -> list[tuple[str, str]] | None:
    """The shortest chain of (child type, parent type) steps from ``start`` to ``target``."""
    return Memberships(memberships).path(start, target)


def roll_up(
    base: pd.DataFrame,
    target: str,
    memberships: Memberships,
    counts: Sequence[str],
    keys: Sequence[str],
    levels: dict[str, int] | None = None,
) -> Rolled | None:
    """The cells of ``target`` from ``base`` (rows of any area types), or None if unreachable.

    ``counts`` are summed (with weights) over members; ``keys`` are the cell
    columns besides the area (period, sex, age, breakdown, band ...).
    """
    levels = levels or {}
    present = sorted(set(base["area_type"].unique()), key=lambda t: (_level(t, levels), t))
    if target in present:
        rows = base[base["area_type"] == target].copy()
        rows["fit"] = "exact"
        return Rolled(rows.reset_index(drop=True), target, None)
    for start in present:
        links = memberships.links(start, target)
        if links is None:
            continue
        data = base[base["area_type"] == start]
        data = data[data["area_code"].isin(links["child_code"])]
        if data.empty:
            continue
        out = aggregate_counts(
            data, links, list(counts), area="area_code", by=list(keys), allow_missing=True
        )
        present_members = links[links["child_code"].isin(data["area_code"].unique())]
        expected = present_members.groupby("parent_code")["child_code"].nunique()
        out = out[out["members"].to_numpy() == out["area_code"].map(expected).to_numpy()]
        out = out.rename(columns={"geography_method": "fit"}).drop(columns="members")
        exact = memberships.exact(start, target)
        return Rolled(out.reset_index(drop=True), start, exact)
    return None


def nested_via(finer: pd.DataFrame, coarser: pd.DataFrame) -> pd.DataFrame:
    """Pairs (child_type, child_code, parent_type, parent_code) of areas built from one base.

    ``finer`` and ``coarser`` are exact memberships of the same base units in
    two area types (practices in clusters, practices in LAs). A coarser area
    is the exact sum of the finer areas whose units all lie in it when those
    finer areas hold every one of its units, each once.
    """
    columns = ["child_type", "child_code", "parent_type", "parent_code"]
    small = finer[["child_code", "parent_type", "parent_code"]].rename(
        columns={"parent_type": "c_type", "parent_code": "c"}
    )
    twice = small["child_code"].duplicated(keep=False)
    small = small[~small["c"].isin(small.loc[twice, "c"].unique())]
    large = coarser[["child_code", "parent_type", "parent_code"]].rename(
        columns={"parent_type": "p_type", "parent_code": "p"}
    )
    large = large[~large["child_code"].duplicated(keep=False)]
    joined = small.merge(large, on="child_code", how="left")
    joined["_missing"] = joined["p"].isna()
    per_small = joined.groupby("c").agg(parents=("p", "nunique"), missing=("_missing", "any"))
    inside = per_small[(per_small["parents"] == 1) & ~per_small["missing"]].index
    kept = joined[joined["c"].isin(inside)]
    covered = kept.groupby("p")["child_code"].nunique()
    needed = large.groupby("p")["child_code"].nunique()
    full = covered[covered == needed.reindex(covered.index)].index
    pairs = kept[kept["p"].isin(full)].drop_duplicates(["c", "p"])
    out = pd.DataFrame(
        {
            "child_type": pairs["c_type"].to_numpy(),
            "child_code": pairs["c"].to_numpy(),
            "parent_type": pairs["p_type"].to_numpy(),
            "parent_code": pairs["p"].to_numpy(),
        }
    )
    return out[columns]
