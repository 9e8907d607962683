"""One call of a :mod:`jsna.stats` method per indicator and set of cells.

Every function takes the summed cells (one row per group and, for
standardised methods and life expectancy, per age band) and the group
columns, and returns one row per group with ``numerator``, ``denominator``,
``value``, the limits, ``confidence``, ``statistic`` and ``method``. Cells
whose inputs a method cannot use (a missing or zero denominator, a count above
its denominator for a proportion, a dsr group without its 19 age bands) are
left out and counted in ``dropped``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jsna.content.indicators import Indicator
from jsna.stats import crude_rate, dsr, isr, life_expectancy, mean, proportion
from jsna.stats.dsr import ESP2013, ESP2013_BANDS

__all__ = ["LIMITS", "OUTPUT", "Computed", "apply_method", "limit_columns"]

LIMITS = ("lower_95", "upper_95", "lower_99_8", "upper_99_8")
OUTPUT = ("numerator", "denominator", "value", *LIMITS, "confidence", "statistic", "method")
"""Figure and label columns every method returns (missing ones are NA)."""


@dataclass(frozen=True)
class Computed:
    """The method's rows and how many cells had to be left out."""

    rows: pd.DataFrame
    dropped: int


def limit_columns(indicator: Indicator) -> list[str]:
    """The limit columns the indicator's confidence levels give."""
    names = []
    if 0.95 in indicator.confidence:
        names += ["lower_95", "upper_95"]
    if 0.998 in indicator.confidence:
        names += ["lower_99_8", "upper_99_8"]
    return names


def _levels(indicator: Indicator) -> list[float]:
    return sorted(set(indicator.confidence) | {0.95})


def _finish(out: pd.DataFrame, group: Sequence[str]) -> pd.DataFrame:
    for name in OUTPUT:
        if name not in out.columns:
            out[name] = np.nan if name not in ("confidence", "statistic", "method") else ""
    for name in ("confidence", "statistic", "method"):
        out[name] = out[name].astype(str)
    return out[[*group, *OUTPUT]].reset_index(drop=True)


def _counts(cells: pd.DataFrame, group: Sequence[str], *, at_most_n: bool) -> Computed:
    x = cells["numerator"].to_numpy(dtype=np.float64)
    n = cells["denominator"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok = (x >= 0) & (n > 0)
        if at_most_n:
            ok &= x <= n
    return Computed(cells[ok].reset_index(drop=True), int((~ok).sum()))


def apply_method(
    indicator: Indicator,
    cells: pd.DataFrame,
    group: Sequence[str],
    *,
    reference: pd.DataFrame | None = None,
) -> Computed:
    """The indicator's statistic for each group of ``cells`` (one stats call)."""
    group = list(group)
    levels = _levels(indicator)
    scale = indicator.multiplier
    if cells.empty:
        return Computed(_finish(cells.reindex(columns=group), group), 0)
    if indicator.method in ("proportion", "crude_rate"):
        usable = _counts(cells, group, at_most_n=indicator.method == "proportion")
        if usable.rows.empty:
            return Computed(_finish(usable.rows.reindex(columns=group), group), usable.dropped)
        function = proportion if indicator.method == "proportion" else crude_rate
        out = function(
            usable.rows,
            "numerator",
            "denominator",
            group_by=group,
            confidence=levels,
            multiplier=scale,
        )
        return Computed(_finish(out, group), usable.dropped)
    if indicator.method == "count":
        out = cells[group].copy()
        out["numerator"] = cells["numerator"].to_numpy(dtype=np.float64)
        if "denominator" in cells.columns:
            out["denominator"] = cells["denominator"].to_numpy(dtype=np.float64)
        out["value"] = out["numerator"] * (scale if scale != 1 else 1)
        out["statistic"] = "count"
        out["method"] = "sum of counts"
        return Computed(_finish(out, group), 0)
    if indicator.method == "value_only":
        out = cells[group].copy()
        for name in ("numerator", "denominator", "value", *LIMITS):
            if name in cells.columns:
                out[name] = cells[name].to_numpy(dtype=np.float64)
        out["statistic"] = "published value"
        out["method"] = "as published"
        return Computed(_finish(out, group), 0)
    if indicator.method == "mean":
        out = mean(cells, "value", group_by=group, confidence=levels)
        out = out.rename(columns={"value_sum": "numerator", "value_count": "denominator"})
        return Computed(_finish(out, group), 0)
    if indicator.method == "dsr":
        return _dsr(indicator, cells, group, levels)
    if indicator.method == "isr":
        return _isr(indicator, cells, group, levels, reference)
    return _life_expectancy(cells, group, levels)


def _complete_bands(cells: pd.DataFrame, group: Sequence[str], bands: Sequence[str]) -> Computed:
    """Cells of groups that have every band in ``bands`` once, with a usable population."""
    rows = cells[cells["band"].isin(bands)]
    n = rows["denominator"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~(n > 0)
    rows = rows.assign(_bad=bad)
    per_group = rows.groupby(list(group), sort=False, dropna=False).agg(
        _bands=("band", "nunique"), _rows=("band", "size"), _bad=("_bad", "any")
    )
    good = per_group[
        (per_group["_bands"] == len(bands))
        & (per_group["_rows"] == len(bands))
        & ~per_group["_bad"]
    ].index
    keep = (
        pd.MultiIndex.from_frame(rows[list(group)]).isin(good)
        if len(group) > 1
        else rows[group[0]].isin(good)
    )
    dropped = int(len(per_group) - len(good))
    return Computed(rows[np.asarray(keep)].drop(columns="_bad").reset_index(drop=True), dropped)


def _dsr(
    indicator: Indicator, cells: pd.DataFrame, group: Sequence[str], levels: list[float]
) -> Computed:
    usable = _complete_bands(cells, group, ESP2013_BANDS)
    rows = usable.rows.copy()
    weights = dict(zip(ESP2013_BANDS, ESP2013, strict=True))
    rows["stdpop"] = rows["band"].map(weights).astype(np.float64)
    if rows.empty:
        return Computed(_finish(rows.reindex(columns=group), group), usable.dropped)
    out = dsr(
        rows,
        "numerator",
        "denominator",
        group_by=list(group),
        stdpop="stdpop",
        confidence=levels,
        multiplier=indicator.multiplier,
    )
    out = out.rename(columns={"total_count": "numerator", "total_pop": "denominator"})
    return Computed(_finish(out, group), usable.dropped)


def _isr(
    indicator: Indicator,
    cells: pd.DataFrame,
    group: Sequence[str],
    levels: list[float],
    reference: pd.DataFrame | None,
) -> Computed:
    if reference is None or reference.empty:
        return Computed(_finish(cells.iloc[:0].reindex(columns=group), group), len(cells))
    on = ["band", "period"] if reference["period"].nunique() > 1 else ["band"]
    ref = reference[[*on, "x_ref", "n_ref"]]
    rows = cells.merge(ref, on=on, how="inner")
    with np.errstate(invalid="ignore"):
        ok = (rows["n_ref"].to_numpy(dtype=np.float64) > 0) & (
            rows["denominator"].to_numpy(dtype=np.float64) >= 0
        )
    rows = rows[ok]
    if rows.empty:
        return Computed(_finish(rows.reindex(columns=group), group), len(cells))
    out = isr(
        rows,
        "numerator",
        "denominator",
        "x_ref",
        "n_ref",
        group_by=list(group),
        confidence=levels,
        multiplier=indicator.multiplier,
    )
    population = rows.groupby(list(group), sort=False, dropna=False)["denominator"].sum()
    out = out.rename(columns={"observed": "numerator"})
    out = out.merge(population.rename("denominator").reset_index(), on=list(group), how="left")
    return Computed(_finish(out, group), len(cells) - len(rows))


def _life_expectancy(cells: pd.DataFrame, group: Sequence[str], levels: list[float]) -> Computed:
    under_one = cells["band"].astype(str).str.strip().str.lower().isin(["<1", "under 1", "0"])
    cells = cells.assign(band=np.where(under_one, "0", cells["band"].astype(str)))
    out = life_expectancy(
        cells,
        "numerator",
        "denominator",
        "band",
        group_by=list(group),
        confidence=levels,
        le_age=0,
    )
    out = out.rename(columns={"dths_used": "numerator", "pops_used": "denominator"})
    return Computed(_finish(out, group), 0)
