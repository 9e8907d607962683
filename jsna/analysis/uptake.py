"""Uptake hot spots: who is furthest from the target, and where uptake is unusually low.

For an uptake indicator (vaccination, screening, health checks: a proportion
with counts) by ward, GP practice or authority:

- **people to reach the target**: ``max(0, ceil(target x denominator) -
  numerator)``, the extra people who would have to take up the offer for the
  area to reach the target (e.g. 95%);
- **position in the funnel**: each area against the local average (all the
  published areas together, the JSNA area's value when they cover it),
  with the Wilson control limits of :func:`jsna.stats.funnel_significance`
  (OHID Fingertips' method), so small areas are not flagged for noise;
- **most urgent**: the areas *significantly below* the local average (below
  its 95% lower control limit) that are also below the target, ranked by the
  number of people to reach the target (largest first; ties by the lower
  uptake, then by name), the first ``top`` of them.

Disclosure control: a suppressed area (or one without both counts) is shown
as suppressed and is never ranked, so its hidden counts cannot be read back
from its rank. The local average and limits use the published areas only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jsna.stats import funnel_significance

__all__ = [
    "MIN_AREAS",
    "POSITIONS",
    "SIGNIFICANTLY_LOW",
    "UptakeResult",
    "hot_spots",
    "people_to_target",
]

MIN_AREAS = 3
"""Fewer published areas than this are not placed in a funnel."""

POSITIONS: dict[str, str] = {
    "High (0.001)": "above the 99.8% limit",
    "High (0.025)": "above the 95% limit",
    "Not significant": "within the limits",
    "Low (0.025)": "below the 95% limit",
    "Low (0.001)": "below the 99.8% limit",
}
"""Significance labels of :func:`jsna.stats.funnel_significance` -> words readers see."""

SIGNIFICANTLY_LOW = frozenset({"below the 95% limit", "below the 99.8% limit"})
"""Positions that count as significantly below the local average (95% level or beyond)."""

SUPPRESSED = "suppressed (not ranked)"
NOT_ASSESSED = f"not assessed (fewer than {MIN_AREAS} areas)"


@dataclass(frozen=True)
class UptakeResult:
    """Hot spots of one indicator at one area type and period.

    ``areas`` has one row per area (input order): ``area_code``, ``area_name``,
    ``numerator``, ``denominator``, ``value``, ``suppressed``, ``published``,
    ``people_to_target`` (NA when not published), ``below_target``,
    ``position`` (funnel words, ``suppressed (not ranked)`` or not assessed),
    ``significantly_low``, ``rank`` (1 = most people to reach the target; NA
    when not published) and ``urgent_rank`` (1..top for the most urgent, else NA).
    ``urgent`` is those rows in urgent order.
    """

    areas: pd.DataFrame
    urgent: pd.DataFrame
    average: float | None
    """Local average in the indicator's unit (sum of counts / sum of denominators x multiplier)."""
    target: float
    """Target in the indicator's unit (e.g. 95 for 95%)."""
    multiplier: float

    @property
    def published(self) -> pd.DataFrame:
        """Rows with both counts published, ordered by rank."""
        rows = self.areas[self.areas["published"]]
        return rows.sort_values(["rank", "area_name"], kind="stable")

    @property
    def total_to_target(self) -> int:
        """People to reach the target summed over the published areas."""
        return int(self.areas["people_to_target"].fillna(0).sum())


def people_to_target(
    numerator: np.ndarray | pd.Series,
    denominator: np.ndarray | pd.Series,
    target: float,
    multiplier: float = 100,
) -> np.ndarray:
    """``max(0, ceil(target / multiplier x denominator) - numerator)`` per area (floats, NaN kept).

    The product is rounded to 9 decimals before the ceiling, so 95% of 100
    people is 95, not 96 (0.95 x 100 is 95.00000000000001 in binary).
    """
    share = float(target) / float(multiplier)
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    needed = np.ceil(np.round(share * n, 9)) - x
    return np.where(np.isnan(needed), np.nan, np.maximum(needed, 0.0))


def hot_spots(
    rows: pd.DataFrame, *, target: float, top: int = 5, multiplier: float = 100
) -> UptakeResult:
    """People to reach ``target``, funnel positions, ranks and the most urgent areas.

    ``rows``: one row per area with ``area_code``, ``area_name``,
    ``numerator``, ``denominator``, ``value`` and (optional) ``suppressed``.
    ``target`` and ``value`` are in the indicator's unit (``multiplier`` 100:
    percentages). Raises :class:`jsna.stats.StatsInputError` when published
    counts break the proportion rules (numerator above denominator, negative).
    """
    frame = rows[["area_code", "area_name", "numerator", "denominator", "value"]].copy()
    frame = frame.reset_index(drop=True)
    hidden = rows.get("suppressed", pd.Series(False, index=rows.index))
    frame["suppressed"] = hidden.fillna(False).astype(bool).to_numpy()
    x = pd.to_numeric(frame["numerator"], errors="coerce").astype(float)
    n = pd.to_numeric(frame["denominator"], errors="coerce").astype(float)
    frame["numerator"], frame["denominator"] = x, n
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    published = ~frame["suppressed"] & x.notna() & n.notna() & (n > 0)
    frame["published"] = published
    people = pd.Series(people_to_target(x, n, target, multiplier), index=frame.index)
    frame["people_to_target"] = people.where(published).astype("Int64")
    frame["below_target"] = published & (frame["people_to_target"].fillna(0) > 0)
    frame["position"] = np.where(published, NOT_ASSESSED, SUPPRESSED)
    shown = frame[published]
    average = None
    if not shown.empty:
        average = float(shown["numerator"].sum() / shown["denominator"].sum() * multiplier)
    if len(shown) >= MIN_AREAS:
        judged = funnel_significance(shown, "numerator", "denominator", statistic="proportion")
        words = judged["significance"].astype(str).map(POSITIONS)
        frame.loc[shown.index, "position"] = words.to_numpy()
    frame["significantly_low"] = frame["position"].isin(SIGNIFICANTLY_LOW)
    frame["rank"] = (
        frame["people_to_target"].where(published).astype(float).rank(method="min", ascending=False)
    ).astype("Int64")
    urgent = frame[frame["significantly_low"] & frame["below_target"]]
    urgent = urgent.sort_values(
        ["people_to_target", "value", "area_name"], ascending=[False, True, True], kind="stable"
    ).head(top)
    frame["urgent_rank"] = pd.Series(
        range(1, len(urgent) + 1), index=urgent.index, dtype="Int64"
    ).reindex(frame.index)
    urgent = frame.loc[urgent.index]
    return UptakeResult(
        areas=frame,
        urgent=urgent.reset_index(drop=True),
        average=average,
        target=float(target),
        multiplier=float(multiplier),
    )
