"""Judgements added to computed figures: comparison with each comparator, trend, quintile.

Comparator values come from the same data as the areas' figures: a
comparator's own rows when the data has them (England, the region), else the
figure computed for it at one of the indicator's area types. A group of areas
(statistical neighbours) is benchmarked on its SUMMED counts, recomputed with
the indicator's method, never on an average of rates; a group without counts
for every member is not compared.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jsna.content.indicators import Indicator
from jsna.content.project import Comparator
from jsna.stats import StatsInputError, benchmark_quintiles, compare_to_benchmark, trend_marker

from .methods import apply_method

__all__ = ["SERIES", "comparator_values", "compare", "json_objects", "quintiles", "trends"]

KEYS = ["period", "period_start", "sex", "age", "breakdown_type", "breakdown"]
SERIES = ["area_type", "area_id", "sex", "age", "breakdown_type", "breakdown"]
"""Columns of one time series (an area and breakdown over periods)."""
SUMMED = ("numerator", "denominator")


def comparator_values(
    indicator: Indicator,
    comparators: Sequence[Comparator],
    own: pd.DataFrame,
    computed: pd.DataFrame,
    *,
    bands: bool,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each comparator's value per cell: columns ``comparator``, the keys, ``value`` and limits.

    ``own`` are the data's rows (any area type) and ``computed`` the rows
    rolled up to the indicator's area types, both before the method.
    """
    keys = [*KEYS, "band"] if bands else list(KEYS)
    codes = {code for comparator in comparators for code in comparator.codes}
    pool = pd.concat(
        [
            own[own["area_code"].isin(codes)].assign(_rank=0),
            computed[computed["area_code"].isin(codes)].assign(_rank=1),
        ],
        ignore_index=True,
    )
    if pool.empty:
        return pd.DataFrame(columns=["comparator", *KEYS, "value"])
    # One area type per code: the data's own rows first, then the first type by name.
    pool = pool.sort_values(["area_code", "_rank", "area_type"], kind="stable")
    chosen = pool.drop_duplicates("area_code")[["area_code", "area_type"]]
    pool = pool.merge(chosen, on=["area_code", "area_type"], how="inner")
    recomputed = indicator.method not in ("value_only", "mean")
    parts = []
    for comparator in comparators:
        rows = pool[pool["area_code"].isin(comparator.codes)]
        if rows.empty:
            continue
        if comparator.is_group:
            if not recomputed:
                continue
            found = rows.groupby(keys, dropna=False)["area_code"].transform("nunique")
            rows = rows[found.to_numpy() == len(set(comparator.codes))]
            counts = [name for name in SUMMED if name in rows.columns]
            rows = rows.groupby(keys, dropna=False, sort=True)[counts].sum(min_count=1)
            rows = rows.reset_index()
        parts.append(rows.assign(comparator=comparator.id))
    if not parts:
        return pd.DataFrame(columns=["comparator", *KEYS, "value"])
    cells = pd.concat(parts, ignore_index=True)
    done = apply_method(indicator, cells, ["comparator", *KEYS], reference=reference)
    return done.rows


def compare(
    frame: pd.DataFrame,
    indicator: Indicator,
    comparators: Sequence[Comparator],
    values: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Comparison labels and benchmark values per comparator, as two frames (one column each)."""
    labels = pd.DataFrame(index=frame.index)
    benchmarks = pd.DataFrame(index=frame.index)
    two_levels = 0.998 in indicator.confidence
    lower: str | tuple[str, str] = ("lower_95", "lower_99_8") if two_levels else "lower_95"
    upper: str | tuple[str, str] = ("upper_95", "upper_99_8") if two_levels else "upper_95"
    for comparator in comparators:
        mine = values[values["comparator"] == comparator.id][[*KEYS, "value"]]
        mine = mine.rename(columns={"value": "_benchmark"})
        joined = frame[[*KEYS, "value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]].merge(
            mine, on=KEYS, how="left"
        )
        joined.index = frame.index
        benchmarks[comparator.id] = joined["_benchmark"].to_numpy(dtype=np.float64)
        if joined.empty:
            labels[comparator.id] = pd.Series(dtype=object)
            continue
        compared = compare_to_benchmark(
            joined, "value", lower, upper, "_benchmark", polarity=indicator.polarity
        )
        labels[comparator.id] = compared["comparison"].to_numpy(dtype=object)
    return labels, benchmarks


def json_objects(frame: pd.DataFrame, *, numbers: bool) -> pd.Series:
    """One JSON object per row of ``frame`` (column -> value), built column by column."""
    if frame.shape[1] == 0:
        return pd.Series("{}", index=frame.index, dtype=object)
    text = pd.Series("{", index=frame.index, dtype=object)
    for position, name in enumerate(frame.columns):
        column = frame[name]
        if numbers:
            values = column.to_numpy(dtype=np.float64)
            numbers_text = np.where(np.isfinite(values), values.astype(str), "null")
            shown = pd.Series(numbers_text, index=frame.index, dtype=object)
        else:
            shown = '"' + column.fillna("not compared").astype(str) + '"'
        separator = ", " if position else ""
        text = text + f'{separator}"{name}": ' + shown
    return text + "}"


def trends(frame: pd.DataFrame, indicator: Indicator) -> tuple[pd.Series, str | None]:
    """The trend assessment of each series, on its latest period's row (others None)."""
    out = pd.Series(None, index=frame.index, dtype=object)
    if not indicator.trend or frame.empty:
        return out, None
    proportion = indicator.method == "proportion"
    needed = ["numerator", "denominator"] if proportion else ["value", "lower_95", "upper_95"]
    usable = frame.dropna(subset=needed)
    if proportion:
        usable = usable[usable["denominator"] > 0]
    if usable.empty:
        return out, None
    try:
        if proportion:
            marked = trend_marker(
                usable,
                "period_start",
                x="numerator",
                n="denominator",
                group_by=SERIES,
                polarity=indicator.polarity,
            )
        else:
            marked = trend_marker(
                usable,
                "period_start",
                value="value",
                lower="lower_95",
                upper="upper_95",
                group_by=SERIES,
                polarity=indicator.polarity,
            )
    except StatsInputError as error:
        return out, f"{indicator.id}: no trend markers: {error}"
    latest = frame.groupby(SERIES, dropna=False)["period_start"].transform("max")
    at_latest = frame[frame["period_start"] == latest][SERIES].reset_index()
    placed = at_latest.merge(marked[[*SERIES, "trend_assessment"]], on=SERIES, how="inner")
    out.loc[placed["index"].to_numpy()] = placed["trend_assessment"].to_numpy(dtype=object)
    return out, None


def quintiles(frame: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """Quintile 1..5 of each value within its area type, period and breakdown (NA if < 5)."""
    if frame.empty:
        return pd.Series(pd.array([], dtype="Int64"), index=frame.index)
    group = ["area_type", "period", "sex", "age", "breakdown_type", "breakdown"]
    out = benchmark_quintiles(frame, "value", polarity=indicator.polarity, group_by=group)
    return out["quintile"]
