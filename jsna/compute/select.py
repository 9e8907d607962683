"""Selecting and summing observations as an indicator's Selection says.

Rows of the selection's measure are kept when they match its sex, age,
breakdown type and categories (and periods); the chosen column is then summed
per area, period and published breakdown. A *breakdown* of the indicator
(``sex``, ``age``, ``sex_age`` for both at once, as a population pyramid
needs, or a breakdown type such as ``deprivation decile``) keeps the rows of
each category apart instead of selecting the total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jsna.content.indicators import Selection

__all__ = ["ALL_AGES", "CELL", "PERSONS", "select_rows", "total_labels"]

BY_SEX = ("sex", "sex_age")
BY_AGE = ("age", "sex_age")
PERSON_BREAKDOWNS = ("sex", "age", "sex_age")
"""Breakdowns by the sex and age columns (any other is a breakdown type of the source)."""

PERSONS = "persons"
ALL_AGES = "all ages"
CELL = [
    "area_id",
    "area_code",
    "area_type",
    "period",
    "period_start",
    "sex",
    "age",
    "breakdown_type",
    "breakdown",
]
"""Columns that name one cell of a result (with the area)."""

DEFAULT_COLUMN = {
    "numerator": "numerator",
    "denominator": "denominator",
    "value": "value",
    "reference": "numerator",
}


def total_labels(selection: Selection) -> tuple[str, str]:
    """The sex and age a total is published under (persons / all ages when several are summed)."""
    sex = selection.sex if isinstance(selection.sex, str) else PERSONS
    age = selection.age if isinstance(selection.age, str) and selection.age != "bands" else ALL_AGES
    return sex, age


def _keep(
    frame: pd.DataFrame, selection: Selection, breakdown: str | None, bands: bool
) -> pd.Series:
    """Which rows of ``frame`` the selection (and breakdown) keeps."""
    keep = pd.Series(True, index=frame.index)
    if selection.periods is not None:
        keep &= frame["period"].isin(selection.periods)
    if breakdown in BY_SEX:
        keep &= ~frame["sex"].isin([PERSONS])
    else:
        keep &= frame["sex"].isin(selection.sexes())
    total_age = total_labels(selection)[1]
    if bands:
        if selection.age == "bands":
            keep &= frame["age"] != ALL_AGES
        else:
            keep &= frame["age"].isin(selection.ages())
    elif breakdown in BY_AGE:
        keep &= ~frame["age"].isin([ALL_AGES, total_age, *selection.ages()])
    else:
        keep &= frame["age"].isin(selection.ages())
    if breakdown not in (None, *PERSON_BREAKDOWNS):
        if selection.breakdown_type not in ("", breakdown):
            return pd.Series(False, index=frame.index)
        keep &= frame["breakdown_type"] == breakdown
        return keep
    keep &= frame["breakdown_type"] == selection.breakdown_type
    if selection.categories is None:
        keep &= frame["breakdown"] == ""
    elif selection.categories != "all":
        keep &= frame["breakdown"].isin(selection.categories)
    return keep


def select_rows(
    frame: pd.DataFrame,
    selection: Selection,
    role: str,
    *,
    breakdown: str | None = None,
    bands: bool = False,
    passthrough: bool = False,
    labels: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """The selected rows of ``frame`` summed per cell, in a column named ``role``.

    ``breakdown`` keeps the categories of sex, age or a breakdown type apart;
    ``bands`` keeps every age band apart in a ``band`` column (standardised
    methods, life expectancy). ``passthrough`` (published values) sums
    nothing: each cell's figures are kept as published, the value in ``role``.
    ``labels`` (sex, age) names the total cells (default: from the selection),
    so that a denominator's cells meet its numerator's.
    """
    column = selection.column or DEFAULT_COLUMN[role]
    rows = frame[_keep(frame, selection, breakdown, bands).to_numpy()]
    sex, age = labels or total_labels(selection)
    out = rows[["area_id", "area_code", "area_type", "period", "period_start"]].copy()
    out["sex"] = rows["sex"] if breakdown in BY_SEX else sex
    out["age"] = rows["age"] if breakdown in BY_AGE else age
    if breakdown in (None, *PERSON_BREAKDOWNS):
        out["breakdown_type"] = ""
        out["breakdown"] = ""
    else:
        out["breakdown_type"] = breakdown
        out["breakdown"] = rows["breakdown"]
    keys = [*CELL]
    if bands:
        out["band"] = rows["age"]
        keys.append("band")
    if passthrough:
        out[role] = rows[column].to_numpy(dtype=np.float64)
        for name in (
            "numerator",
            "denominator",
            "lower_95",
            "upper_95",
            "lower_99_8",
            "upper_99_8",
        ):
            if name != role:
                out[name] = rows[name].to_numpy(dtype=np.float64)
        return out.reset_index(drop=True)
    out[role] = rows[column].to_numpy(dtype=np.float64)
    if out.empty:
        return out.reset_index(drop=True)
    summed = out.groupby(keys, sort=True, dropna=False)[role].sum(min_count=1)
    return summed.reset_index()
