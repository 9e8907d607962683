"""What changed since a version or a date: ``jsna changes --since VERSION_OR_DATE``.

The store as it was at that time (for each source, the version that was the
newest import then) is compared with the current versions. Every figure
whose value changed is listed, with new and removed figures; where both the
area and England (``E92000001``) have 95% limits, each figure is compared with
the England value (:func:`jsna.stats.compare_to_benchmark`, Fingertips method
1, no polarity: "higher", "similar", "lower") at both times, and a change of
that comparison is listed as a change of significance even if the value itself
did not change (e.g. when England's value moved).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from jsna.errors import JsnaError
from jsna.stats import compare_to_benchmark
from jsna.store.observations import observations_of_versions
from jsna.store.versions import current_versions, get_version, versions_current_at

__all__ = ["CHANGE_COLUMNS", "ENGLAND", "changes_between", "changes_since", "resolve_since"]

ENGLAND = "E92000001"
KEYS = ["indicator_id", "area_code", "area_type", "period", "sex", "age"]
KEYS += ["breakdown_type", "breakdown"]
_BENCHMARK_KEYS = ["indicator_id", "period", "sex", "age", "breakdown_type", "breakdown"]
CHANGE_COLUMNS = [
    *KEYS,
    "old_value",
    "new_value",
    "old_comparison",
    "new_comparison",
    "change",
]
"""Columns of the :func:`changes_since` frame."""
_RELATIVE = 1e-9


def resolve_since(connection: Connection, since: str) -> datetime:
    """The moment ``since`` means: a version id (when it was imported) or an ISO date/time (UTC).

    A date means the start of that day, so ``--since 2025-04-01`` lists what
    was imported on or after 1 April 2025.
    """
    text = since.strip()
    if re.fullmatch(r"\d+", text):
        version = get_version(connection, int(text))
        if version is None:
            raise JsnaError(f"--since {since}: no dataset version {text} in the store")
        return version.imported_at.replace(tzinfo=version.imported_at.tzinfo or UTC)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), time(0), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise JsnaError(
            f"--since {since!r}: give a version number or a date (YYYY-MM-DD)"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _compared(frame: pd.DataFrame) -> pd.Series:
    """The comparison of each figure with England's, or "" where it cannot be made."""
    if frame.empty:
        return pd.Series([], dtype=object)
    england = frame.loc[frame["area_code"] == ENGLAND, [*_BENCHMARK_KEYS, "value"]]
    england = england.drop_duplicates(subset=_BENCHMARK_KEYS).rename(columns={"value": "benchmark"})
    joined = frame.merge(england, on=_BENCHMARK_KEYS, how="left")
    joined.index = frame.index
    compared = compare_to_benchmark(
        joined, "value", "lower_95", "upper_95", "benchmark", polarity="no_judgement"
    )["comparison"]
    compared = compared.where(compared != "not compared", "").astype(object)
    compared[(frame["area_code"] == ENGLAND).to_numpy()] = ""
    return compared


def _snapshot(connection: Connection, version_ids: list[int]) -> pd.DataFrame:
    if not version_ids:
        return pd.DataFrame(columns=[*KEYS, "value", "comparison"])
    frame = observations_of_versions(connection, version_ids)
    frame["comparison"] = _compared(frame)
    return frame[[*KEYS, "value", "comparison"]]


def changes_since(connection: Connection, since: datetime) -> pd.DataFrame:
    """Figures whose value or comparison with England changed since ``since``.

    Columns :data:`CHANGE_COLUMNS`; ``change`` is "new", "removed", "value",
    "significance" or "value, significance". Empty when nothing was imported since.
    """
    return changes_between(
        connection, versions_current_at(connection, since), current_versions(connection)
    )


def changes_between(connection: Connection, before: list[int], now: list[int]) -> pd.DataFrame:
    """Figures whose value or comparison with England differ between two sets of versions.

    :func:`changes_since` with the versions given (e.g. only the previous and
    current version of the sources that were refreshed, which reads far fewer
    observations than the whole store). Same columns.
    """
    if set(before) == set(now):
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    old = _snapshot(connection, before)
    new = _snapshot(connection, now)
    merged = old.merge(new, on=KEYS, how="outer", suffixes=("_old", "_new"), indicator=True)
    old_value = merged["value_old"].astype(float).to_numpy()
    new_value = merged["value_new"].astype(float).to_numpy()
    both_missing = np.isnan(old_value) & np.isnan(new_value)
    with np.errstate(invalid="ignore"):
        close = np.abs(old_value - new_value) <= _RELATIVE * np.maximum(
            1.0, np.maximum(np.abs(old_value), np.abs(new_value))
        )
    value_changed = ~(both_missing | close)
    old_cmp = merged["comparison_old"].fillna("").astype(str)
    new_cmp = merged["comparison_new"].fillna("").astype(str)
    sig_changed = ((old_cmp != new_cmp) & (old_cmp != "") & (new_cmp != "")).to_numpy()
    side = merged["_merge"].astype(str).to_numpy()
    change = np.where(
        side == "right_only",
        "new",
        np.where(
            side == "left_only",
            "removed",
            np.where(
                value_changed & sig_changed,
                "value, significance",
                np.where(value_changed, "value", np.where(sig_changed, "significance", "")),
            ),
        ),
    )
    result = pd.DataFrame({key: merged[key].astype(object) for key in KEYS})
    result["old_value"] = old_value
    result["new_value"] = new_value
    result["old_comparison"] = old_cmp.to_numpy()
    result["new_comparison"] = new_cmp.to_numpy()
    result["change"] = change
    result = result[result["change"] != ""]
    return result.sort_values(["indicator_id", "area_code", "period", "sex", "age"]).reset_index(
        drop=True
    )[CHANGE_COLUMNS]
