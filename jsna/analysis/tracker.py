"""Recommendations tracker: status (file, then the store's updates), overdue items, progress,
and whether each linked indicator moved since the recommendation was made.

The recommendations are the project's ``recommendations.yml``
(:mod:`jsna.content.recommendations`). Editors update a status in the web
app: :func:`record_status` adds a row to ``recommendation_status`` (never
updated, so the history stays), and the latest row wins over the file.

*Overdue*: the target date has passed (``target_date < today``) and the
status is neither done nor dropped.

*Moved since it was made*: for each linked indicator, the JSNA area's
headline figure (no breakdown, persons, all ages) at the latest period that
ended on or before the recommendation's ``made_on`` date (the baseline) is
compared with its latest figure. When both have a 95% confidence interval,
overlapping intervals mean "no significant change"; otherwise the direction is
read with the indicator's polarity: "improved" or "got worse" ("went up" or
"went down" for indicators with no judgement). Figures without intervals are
compared by value only, and say so ("improved, not tested").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from jsna.content.recommendations import STATUSES, Recommendation
from jsna.errors import InputFileError
from jsna.store.schema import recommendation_status

__all__ = [
    "CHANGE_WORDS",
    "MOVEMENT_COLUMNS",
    "TRACKER_COLUMNS",
    "movement",
    "period_end",
    "progress",
    "record_status",
    "status_history",
    "store_statuses",
    "tracker",
]

TRACKER_COLUMNS = (
    "id",
    "chapter",
    "text",
    "owner",
    "made_on",
    "target_date",
    "status",
    "updated_on",
    "updated_by",
    "note",
    "overdue",
    "days_overdue",
    "indicators",
)
"""Columns of :func:`tracker`."""

MOVEMENT_COLUMNS = (
    "recommendation_id",
    "indicator_id",
    "baseline_period",
    "baseline_value",
    "baseline_lower_95",
    "baseline_upper_95",
    "latest_period",
    "latest_value",
    "latest_lower_95",
    "latest_upper_95",
    "change",
)
"""Columns of :func:`movement`."""

CHANGE_WORDS = (
    "improved",
    "got worse",
    "went up",
    "went down",
    "no significant change",
    "no change",
    "improved, not tested",
    "got worse, not tested",
    "went up, not tested",
    "went down, not tested",
    "no figure from before it was made",
    "no newer figure yet",
    "no data",
)
"""Every word :func:`movement` may give."""

NOTE_LIMIT = 500
"""Longest note of a status update, in characters."""

# --- statuses ------------------------------------------------------------------------------


def record_status(
    connection: Connection,
    recommendation_id: str,
    status: str,
    *,
    actor: str,
    note: str = "",
    at: datetime | None = None,
) -> None:
    """Add a status update (the caller's transaction; the caller audits it).

    Raises :class:`InputFileError` naming the field when the status is not
    one of :data:`STATUSES` or the note is too long.
    """
    if status not in STATUSES:
        raise InputFileError(
            "status update",
            f"must be one of {', '.join(STATUSES)}, not {status!r}",
            column="status",
        )
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise InputFileError(
            "status update", f"must be at most {NOTE_LIMIT} characters", column="note"
        )
    connection.execute(
        recommendation_status.insert().values(
            recommendation_id=recommendation_id,
            status=status,
            note=note,
            changed_at=at or datetime.now(UTC),
            changed_by=actor,
        )
    )


def status_history(connection: Connection, recommendation_id: str) -> pd.DataFrame:
    """Every update of one recommendation, newest first: status, note, changed_at, changed_by."""
    table = recommendation_status
    query = (
        select(table.c.status, table.c.note, table.c.changed_at, table.c.changed_by)
        .where(table.c.recommendation_id == recommendation_id)
        .order_by(table.c.changed_at.desc(), table.c.id.desc())
    )
    rows = connection.execute(query).fetchall()
    return pd.DataFrame(rows, columns=["status", "note", "changed_at", "changed_by"])


def store_statuses(connection: Connection) -> pd.DataFrame:
    """The latest update of every recommendation with one: recommendation_id, status, note,
    changed_at, changed_by."""
    table = recommendation_status
    latest = (
        select(table.c.recommendation_id, func.max(table.c.id).label("last"))
        .group_by(table.c.recommendation_id)
        .subquery()
    )
    query = select(
        table.c.recommendation_id,
        table.c.status,
        table.c.note,
        table.c.changed_at,
        table.c.changed_by,
    ).join(latest, latest.c.last == table.c.id)
    rows = connection.execute(query).fetchall()
    return pd.DataFrame(
        rows, columns=["recommendation_id", "status", "note", "changed_at", "changed_by"]
    )


def tracker(
    recommendations: Sequence[Recommendation], statuses: pd.DataFrame, today: date
) -> pd.DataFrame:
    """One row per recommendation (file order) with its current status and whether it is overdue.

    ``statuses`` is :func:`store_statuses`; a recommendation with a store
    update takes its status, date (``updated_on``), editor (``updated_by``)
    and note from it; one without keeps the file's, ``updated_by`` reading
    ``recommendations.yml``.
    """
    frame = pd.DataFrame(
        {
            "id": [r.id for r in recommendations],
            "chapter": [r.chapter for r in recommendations],
            "text": [r.text for r in recommendations],
            "owner": [r.owner for r in recommendations],
            "made_on": [r.made_on for r in recommendations],
            "target_date": [r.target_date for r in recommendations],
            "status": [r.status for r in recommendations],
            "updated_on": [r.updated_on for r in recommendations],
            "updated_by": "recommendations.yml",
            "note": "",
            "indicators": [", ".join(r.indicators) for r in recommendations],
        },
        columns=[c for c in TRACKER_COLUMNS if c not in ("overdue", "days_overdue")],
    )
    if not statuses.empty and not frame.empty:
        latest = statuses.set_index("recommendation_id")
        mine = frame["id"].isin(latest.index)
        ids = frame.loc[mine, "id"]
        frame.loc[mine, "status"] = latest.loc[ids, "status"].to_numpy()
        changed = pd.to_datetime(latest.loc[ids, "changed_at"], utc=True)
        frame.loc[mine, "updated_on"] = changed.dt.date.to_numpy()
        frame.loc[mine, "updated_by"] = latest.loc[ids, "changed_by"].to_numpy()
        frame.loc[mine, "note"] = latest.loc[ids, "note"].fillna("").to_numpy()
    targets = pd.to_datetime(frame["target_date"])
    late = (targets < pd.Timestamp(today)) & ~frame["status"].isin(["done", "dropped"])
    frame["overdue"] = late.to_numpy(dtype=bool)
    frame["days_overdue"] = np.where(late, (pd.Timestamp(today) - targets).dt.days, 0)
    return frame[list(TRACKER_COLUMNS)]


def progress(frame: pd.DataFrame) -> dict[str, int]:
    """Counts by status (every status, in :data:`STATUSES` order), plus ``overdue`` and ``total``."""
    counts = {status: int((frame["status"] == status).sum()) for status in STATUSES}
    counts["overdue"] = int(frame["overdue"].sum())
    counts["total"] = len(frame)
    return counts


# --- movement of linked indicators -------------------------------------------------------------


def period_end(periods: pd.Series) -> pd.Series:
    """The last day of each period label, as datetimes (NaT when the label is not understood).

    ``2023`` -> 31 Dec 2023; ``2023/24`` (financial year) -> 31 Mar 2024;
    ``2021 - 23`` (pooled years) -> 31 Dec 2023; ``2018/19 - 22/23`` -> 31 Mar
    2023; ``2021-02`` (month) -> 28 Feb 2021.
    """
    text = periods.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=periods.index, dtype="datetime64[ns]")
    patterns = (
        (r"^(\d{4})$", None, "12-31"),
        (r"^(\d{4})/(\d{2})$", 1, "03-31"),
        (r"^(\d{4}) - (\d{2})$", 0, "12-31"),
        (r"^(\d{4})/\d{2} - \d{2}/(\d{2})$", 1, "03-31"),
    )
    for pattern, offset, day in patterns:
        found = text.str.extract(pattern).astype(float)
        mask = found[0].notna()
        if not mask.any():
            continue
        start = found.loc[mask, 0]
        if offset is None:
            year = start
        else:
            # two-digit end year: the first year at or after start + offset ending in those digits
            year = start - start % 100 + found.loc[mask, 1]
            year = year.where(year >= start + offset, year + 100)
        out.loc[mask] = pd.to_datetime(year.astype(int).astype(str) + "-" + day)
    month = text.str.extract(r"^(\d{4})-(\d{2})$")
    months = month[0].notna()
    if months.any():
        starts = pd.to_datetime(month[0][months] + "-" + month[1][months] + "-01")
        out.loc[months] = starts + pd.offsets.MonthEnd(0)
    return out


def _headline(frame: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The area's headline rows: observed, no breakdown, persons, all ages (or the nearest)."""
    rows = frame[frame["area_code"] == area_code]
    if "projected" in rows.columns:
        rows = rows[~rows["projected"].astype(bool)]
    for column, preferred in (("breakdown_type", ""), ("sex", "persons"), ("age", "all ages")):
        if rows.empty or column not in rows.columns:
            continue
        values = rows[column].fillna("")
        keep = preferred if (values == preferred).any() else values.value_counts().index[0]
        rows = rows[values == keep]
    return rows


def _words(pairs: pd.DataFrame) -> pd.Series:
    """The change word of each baseline/latest pair (vectorised)."""
    b, latest = pairs["baseline_value"], pairs["latest_value"]
    diff = latest - b
    tested = (
        pairs[["baseline_lower_95", "baseline_upper_95", "latest_lower_95", "latest_upper_95"]]
        .notna()
        .all(axis=1)
    )
    overlap = (pairs["baseline_lower_95"] <= pairs["latest_upper_95"]) & (
        pairs["latest_lower_95"] <= pairs["baseline_upper_95"]
    )
    sign = pairs["polarity"].map({"high_is_good": 1.0, "low_is_good": -1.0}).fillna(0.0)
    good = diff * sign
    judged = sign != 0
    direction = np.select(
        [judged & (good > 0), judged & (good < 0), diff > 0, diff < 0],
        ["improved", "got worse", "went up", "went down"],
        "no change",
    )
    untested = pd.Series(direction, index=pairs.index)
    untested = untested.where(untested == "no change", untested + ", not tested")
    return pd.Series(
        np.select(
            [
                pairs["latest_period"].isna(),
                pairs["baseline_period"].isna(),
                pairs["baseline_period"] == pairs["latest_period"],
                tested & overlap,
                tested,
            ],
            [
                "no data",
                "no figure from before it was made",
                "no newer figure yet",
                "no significant change",
                direction,
            ],
            untested.to_numpy(),
        ),
        index=pairs.index,
    )


def movement(
    recommendations: Sequence[Recommendation],
    results: Callable[[str], pd.DataFrame],
    area_code: str,
    polarity: Callable[[str], str],
) -> pd.DataFrame:
    """Whether each linked indicator moved since its recommendation was made (:data:`MOVEMENT_COLUMNS`).

    ``results(indicator_id)`` gives an indicator's published results
    (``FigureContext.results``), ``polarity(indicator_id)`` its polarity and
    ``area_code`` the JSNA area. One row per (recommendation, indicator), in
    file order.
    """
    pairs = pd.DataFrame(
        [(r.id, i, pd.Timestamp(r.made_on)) for r in recommendations for i in r.indicators],
        columns=["recommendation_id", "indicator_id", "made_on"],
    )
    if pairs.empty:
        return pd.DataFrame(columns=list(MOVEMENT_COLUMNS))
    frames = []
    for indicator_id in pairs["indicator_id"].unique():
        rows = _headline(results(indicator_id), area_code)
        rows = rows.assign(end=period_end(rows["period"])).dropna(subset=["end"])
        frames.append(
            rows.assign(indicator_id=indicator_id)[
                ["indicator_id", "period", "end", "value", "lower_95", "upper_95"]
            ].sort_values("end", kind="stable")
        )
    series = pd.concat(frames, ignore_index=True)
    series = series.dropna(subset=["value"]).drop_duplicates(["indicator_id", "end"], keep="last")
    latest = series.drop_duplicates("indicator_id", keep="last").set_index("indicator_id")
    # the baseline: per pair, the last period ending on or before made_on (an as-of join)
    ordered = pairs.reset_index().sort_values("made_on")
    ordered["made_on"] = ordered["made_on"].astype("datetime64[ns]")
    series["end"] = series["end"].astype("datetime64[ns]")
    base = (
        pd.merge_asof(
            ordered,
            series.sort_values("end"),
            left_on="made_on",
            right_on="end",
            by="indicator_id",
            direction="backward",
        )
        .set_index("index")
        .sort_index()
    )
    out = pd.DataFrame(
        {
            "recommendation_id": pairs["recommendation_id"],
            "indicator_id": pairs["indicator_id"],
            "baseline_period": base["period"],
            "baseline_value": base["value"].astype(float),
            "baseline_lower_95": base["lower_95"].astype(float),
            "baseline_upper_95": base["upper_95"].astype(float),
        }
    )
    found = latest.reindex(pairs["indicator_id"])
    for part in ("period", "value", "lower_95", "upper_95"):
        values = found[part].to_numpy()
        out[f"latest_{part}"] = values if part == "period" else values.astype(float)
    out["polarity"] = pairs["indicator_id"].map(polarity)
    out["change"] = _words(out)
    return out[list(MOVEMENT_COLUMNS)]
