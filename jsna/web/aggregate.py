"""A custom area's figures: its member areas' published counts summed, the method re-run.

A reader names an indicator, an area type and the codes of some areas of
that type (a neighbourhood of wards, say). For every cell (period, sex, age,
breakdown) the members' numerators and denominators are summed and the
indicator's own method is applied once (:func:`jsna.compute.methods.apply_method`,
the same call ``jsna compute`` makes), giving the value and its confidence
limits. Only methods whose figure is a function of summed counts can be
re-aggregated (:data:`AGGREGABLE`).

Disclosure control, before anything leaves:

- the members' counts are the *published* ones (after primary and secondary
  suppression). A cell whose members include a suppressed (or missing) figure
  is not published: any sum over a hidden count, set against published
  figures, could give the hidden count back by subtraction, so only sums of
  published counts are ever answered (a custom area then reveals nothing the
  published tables do not);
- the project's rules (:func:`jsna.stats.suppress` with ``config.disclosure``)
  are then applied to the custom area's own figure (small counts, small
  denominators).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jsna.compute.methods import apply_method
from jsna.content.indicators import Indicator
from jsna.content.project_files import Project
from jsna.stats import DisclosureRules, suppress

__all__ = ["AGGREGABLE", "MAX_AREAS", "aggregate", "disclosure_rules"]

AGGREGABLE = ("proportion", "crude_rate", "count")
"""Methods whose figure is recomputed exactly from summed numerators and denominators."""
MAX_AREAS = 5000
"""Most member areas one custom area may have."""
CELL = ["period", "sex", "age", "breakdown_type", "breakdown"]
OUT = ["numerator", "denominator", "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]


def disclosure_rules(project: Project, indicator: Indicator) -> DisclosureRules:
    """The rules ``jsna compute`` publishes ``indicator`` with (none for counts of places)."""
    if not indicator.suppress_small_counts:
        return DisclosureRules(max_suppressed_count=0, suppress_zero=False, min_denominator=None)
    rules = project.config.disclosure
    return DisclosureRules(
        max_suppressed_count=rules.max_suppressed_count,
        suppress_zero=rules.suppress_zero,
        min_denominator=rules.min_denominator,
    )


def aggregate(
    project: Project,
    indicator: Indicator,
    published: pd.DataFrame,
    codes: Sequence[str],
    *,
    name: str,
    period: str | None = None,
) -> pd.DataFrame:
    """One row per cell of the custom area made of ``codes`` (rows of ``published``'s type).

    ``published`` is :func:`jsna.store.results.published_results` of the
    indicator at the members' area type. Columns: ``area_name``, ``members``,
    the cell, numerator, denominator, value, limits, ``method``,
    ``suppressed`` and ``suppression_reason``. Rows of cells with no member
    figure at all are left out.
    """
    rows = published[published["area_code"].isin(list(codes))]
    if period is not None:
        rows = rows[rows["period"] == period]
    rows = rows[~rows["method"].astype(str).str.contains("projection", na=False)]
    cells = rows[CELL].astype(object).fillna("")
    numerator = pd.to_numeric(rows["numerator"], errors="coerce").astype(np.float64)
    denominator = pd.to_numeric(rows["denominator"], errors="coerce").astype(np.float64)
    hidden = rows["suppressed"].to_numpy(dtype=bool) | np.isnan(numerator.to_numpy())
    frame = cells.assign(
        numerator=np.where(hidden, 0.0, numerator.to_numpy()),
        denominator=denominator.to_numpy(),
        _hidden=hidden,
        _one=1,
    )
    grouped = frame.groupby(CELL, sort=False, dropna=False)
    sums = grouped.agg(
        numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
        _hidden=("_hidden", "sum"),
        _members=("_one", "sum"),
    ).reset_index()
    wanted = len(set(codes))
    incomplete = (sums["_hidden"].to_numpy() > 0) | (sums["_members"].to_numpy() < wanted)
    usable = sums[~incomplete].drop(columns=["_hidden", "_members"])
    if indicator.method != "count":
        usable = usable[usable["denominator"] > 0]
    computed = apply_method(indicator, usable.reset_index(drop=True), CELL).rows
    out = sums[CELL].merge(computed, on=CELL, how="left")
    uncomputed = np.isnan(out["numerator"].to_numpy(dtype=np.float64)) & ~incomplete
    incomplete = incomplete | uncomputed
    out["numerator"] = np.where(incomplete, np.nan, out["numerator"].to_numpy(dtype=np.float64))
    out["denominator"] = sums["denominator"].to_numpy(dtype=np.float64)
    complete = out[~incomplete].reset_index(drop=True)
    checked = (
        suppress(
            complete[[*CELL, *OUT]],
            "numerator",
            denominator="denominator" if indicator.method != "count" else None,
            rules=disclosure_rules(project, indicator),
        )
        if len(complete)
        else complete.assign(suppressed=False, suppression_reason="")
    )
    safe = out[[*CELL, *OUT]].copy()
    safe["suppressed"] = True
    safe["suppression_reason"] = np.where(
        sums["_hidden"].to_numpy() > 0,
        "a member area's figure is suppressed",
        np.where(uncomputed, "no figure can be computed", "some member areas have no figure"),
    )
    whole = ~incomplete
    for column in OUT:
        values = pd.to_numeric(safe[column], errors="coerce").to_numpy(dtype=np.float64, copy=True)
        values[whole] = pd.to_numeric(checked[column], errors="coerce").to_numpy(np.float64)
        safe[column] = values
    flags = np.ones(len(safe), dtype=bool)
    flags[whole] = checked["suppressed"].to_numpy(dtype=bool)
    reasons = safe["suppression_reason"].to_numpy(dtype=object, copy=True)
    reasons[whole] = checked["suppression_reason"].to_numpy(dtype=object)
    safe["suppressed"], safe["suppression_reason"] = flags, reasons
    for column in ("numerator", "value", *[c for c in OUT if c.startswith(("lower", "upper"))]):
        safe.loc[safe["suppressed"].to_numpy(), column] = np.nan
    statistic = computed["statistic"].iloc[0] if len(computed) else indicator.method
    kept = [c for c in OUT if not (c.endswith("99_8") and safe[c].isna().all())]
    result = safe[[*CELL, *kept, "suppressed", "suppression_reason"]].copy()
    result.insert(0, "members", len(set(codes)))
    result.insert(0, "area_name", name)
    result["method"] = statistic
    return result.reset_index(drop=True)
