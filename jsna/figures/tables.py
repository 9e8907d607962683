"""From published rows to what a figure shows: the headline slice, the data twin, the table.

Published results hold every breakdown (sexes, ages, deprivation bands) and
every comparator. A chart of areas shows one slice of them:
:func:`main_slice` picks the headline rows (all persons, all ages, no
breakdown, or the nearest there is) and drops projected rows. Then

- :func:`figure_data` keeps the columns a person reads in a ``.csv`` twin
  (area code and name, period, value, 95% limits, count, denominator, each
  comparison word and comparator value, suppression);
- :func:`area_table` makes the readable :class:`~jsna.figures.model.Table`
  (one row per area: value, CI, count, denominator, the comparison words)
  with :func:`suppression_notes` under it;
- :func:`comparators_of` says which of the JSNA's comparators an
  indicator's rows are judged against, and :func:`compare_with_area`
  judges sub-areas (wards, MSOAs) against the JSNA area's own value, as
  Fingertips does for small areas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jsna.content.indicators import Indicator
from jsna.content.project_files import Project
from jsna.stats.compare import compare_to_benchmark

from .format import format_count, format_limits, format_value
from .model import Column, Table

__all__ = [
    "BASE_COLUMNS",
    "ComparatorRef",
    "area_table",
    "comparators_of",
    "compare_with_area",
    "empty_table",
    "figure_data",
    "main_slice",
    "stack_tables",
    "suppression_notes",
]

BASE_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "area_code",
    "area_name",
    "area_type",
    "period",
    "sex",
    "age",
    "breakdown_type",
    "breakdown",
    "value",
    "lower_95",
    "upper_95",
    "numerator",
    "denominator",
)
"""Columns of a figure's data, in order, before the comparison columns."""

TAIL_COLUMNS: tuple[str, ...] = ("trend", "suppressed", "suppression_reason", "dataset_versions")
"""Columns of a figure's data after the comparison columns."""


@dataclass(frozen=True)
class ComparatorRef:
    """A comparator rows are judged against: its id (column suffix) and the name readers see."""

    id: str
    name: str

    @property
    def word_column(self) -> str:
        """``compared_with_<id>``: the comparison word of each row."""
        return f"compared_with_{self.id}"

    @property
    def value_column(self) -> str:
        """``<id>_value``: the comparator's own value beside each row."""
        return f"{self.id}_value"


def _prefer(frame: pd.DataFrame, column: str, preferred: str) -> pd.DataFrame:
    """Rows with ``column == preferred`` if any, else those of the most frequent value."""
    if column not in frame.columns or frame.empty:
        return frame
    values = frame[column].fillna("")
    if (values == preferred).any():
        return frame[values == preferred]
    return frame[values == values.value_counts().index[0]]


def main_slice(frame: pd.DataFrame, *, keep_projected: bool = False) -> pd.DataFrame:
    """The headline rows: no breakdown, persons, all ages (or the nearest there is).

    Projected rows are dropped unless ``keep_projected`` (trend charts draw
    them apart).
    """
    rows = frame
    if not keep_projected and "projected" in rows.columns:
        rows = rows[~rows["projected"].astype(bool)]
    rows = _prefer(rows, "breakdown_type", "")
    rows = _prefer(rows, "sex", "persons")
    rows = _prefer(rows, "age", "all ages")
    return rows


def comparators_of(
    project: Project, indicator: Indicator, frame: pd.DataFrame
) -> list[ComparatorRef]:
    """The indicator's comparators (jsna.yml order, England first) that judged some row.

    A comparator counts when its ``compared_with_<id>`` column holds a word
    other than blank in ``frame`` ("not compared" counts: it is said).
    """
    wanted = indicator.comparators
    refs = []
    for comparator in project.config.comparators:
        if wanted is not None and comparator.id not in wanted:
            continue
        ref = ComparatorRef(comparator.id, comparator.name)
        if ref.word_column in frame.columns and (frame[ref.word_column].fillna("") != "").any():
            refs.append(ref)
    return refs


def compare_with_area(
    frame: pd.DataFrame, benchmark: float | None, polarity: str, column: str
) -> pd.DataFrame:
    """``frame`` plus ``column``: each row's comparison word with one benchmark value.

    Fingertips' overlapping-interval rule (:func:`jsna.stats.compare.
    compare_to_benchmark`) at 95%: used to judge wards or MSOAs against the
    JSNA area's value. Rows without a value or interval (suppressed ones) are
    "not compared".
    """
    out = frame.copy()
    if benchmark is None or np.isnan(benchmark) or out.empty:
        out[column] = "not compared"
        return out
    judged = compare_to_benchmark(
        out[["value", "lower_95", "upper_95"]].astype(float),
        "value",
        "lower_95",
        "upper_95",
        float(benchmark),
        polarity=polarity,
    )
    out[column] = judged["comparison"].to_numpy()
    return out


def figure_data(frame: pd.DataFrame, extra: Sequence[str] = ()) -> pd.DataFrame:
    """The data twin: person-readable columns only, in a fixed order, index reset.

    Comparison columns (``compared_with_*`` and ``*_value``) that hold
    nothing are dropped; ``extra`` columns (e.g. ``projected``) are kept
    after them.
    """
    comparisons = [
        c
        for c in frame.columns
        if (c.startswith("compared_with_") or c.endswith("_value"))
        and frame[c].replace("", np.nan).notna().any()
    ]
    wanted = [*BASE_COLUMNS, *comparisons, *extra, *TAIL_COLUMNS]
    seen: set[str] = set()
    columns = [c for c in wanted if c in frame.columns and not (c in seen or seen.add(c))]
    return frame[columns].reset_index(drop=True)


def suppression_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """Footnotes saying how many figures are suppressed and why (none when none are)."""
    if "suppressed" not in frame.columns:
        return ()
    hidden = frame[frame["suppressed"].fillna(False).astype(bool)]
    if hidden.empty:
        return ()
    reasons = sorted({str(r) for r in hidden.get("suppression_reason", pd.Series()) if r})
    count = len(hidden)
    noun = "figure is" if count == 1 else "figures are"
    why = f" ({'; '.join(reasons)})" if reasons else ""
    return (
        f"{count} {noun} suppressed to protect confidentiality{why}: small numbers are not "
        "published.",
    )


def empty_table(caption: str, first: str = "Area") -> Table:
    """A table with headings and no rows (the figure has nothing published)."""
    return Table(caption=caption, columns=(Column(first), Column("Value", numeric=True)), rows=())


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and frame[column].notna().any()


def area_table(
    frame: pd.DataFrame,
    indicator: Indicator,
    *,
    caption: str,
    comparators: Sequence[ComparatorRef] = (),
    first: str = "Area",
    label: str = "area_name",
) -> Table:
    """One row per row of ``frame``: name, value, 95% CI, count, denominator, comparison words.

    Count and denominator columns appear only when some row has them. Each
    comparator adds a "Compared with <name>" column of words, also given as
    the row's ``judgements`` so a page may colour the cell.
    """
    suppressed = frame.get("suppressed", pd.Series(False, index=frame.index)).fillna(False)
    suppressed = suppressed.astype(bool).tolist()
    columns = [Column(first), Column("Value", numeric=True), Column("95% CI", numeric=True)]
    cells: list[list[str]] = [
        [str(v) for v in frame[label].fillna("")],
        [
            format_value(indicator, v, suppressed=s)
            for v, s in zip(frame["value"], suppressed, strict=True)
        ],
        [
            format_limits(indicator, lo, hi)
            for lo, hi in zip(frame["lower_95"], frame["upper_95"], strict=True)
        ],
    ]
    judged: list[list[str]] = [[""] * len(frame) for _ in range(3)]
    for column, heading in (("numerator", "Count"), ("denominator", "Denominator")):
        if _has(frame, column):
            columns.append(Column(heading, numeric=True))
            cells.append(
                [
                    format_count(v, suppressed=s)
                    for v, s in zip(frame[column], suppressed, strict=True)
                ]
            )
            judged.append([""] * len(frame))
    for ref in comparators:
        words = frame.get(ref.word_column, pd.Series("", index=frame.index)).fillna("")
        words = words.replace("", "not compared").astype(str).tolist()
        columns.append(Column(f"Compared with {ref.name}"))
        cells.append(words)
        judged.append(words)
    rows = tuple(zip(*cells, strict=True)) if len(frame) else ()
    judgements = tuple(zip(*judged, strict=True)) if len(frame) else ()
    return Table(
        caption=caption,
        columns=tuple(columns),
        rows=tuple(tuple(r) for r in rows),
        judgements=tuple(tuple(j) for j in judgements),
        notes=suppression_notes(frame),
    )


def stack_tables(tables: Sequence[Table], labels: Sequence[str], *, caption: str) -> Table:
    """Several tables as one, each row led by its table's label (an indicator's title).

    Columns are the union of the tables' columns in first-seen order; a
    table without a column leaves its cells blank. The label column comes
    first and names the row together with the next one (the area).
    """
    columns: list[Column] = []
    for table in tables:
        columns.extend(c for c in table.columns if c not in columns)
    rows: list[tuple[str, ...]] = []
    judgements: list[tuple[str, ...]] = []
    for table, label in zip(tables, labels, strict=True):
        where = [table.columns.index(c) if c in table.columns else None for c in columns]
        judged = table.judgements or tuple(("",) * len(table.columns) for _ in table.rows)
        for row, judgement in zip(table.rows, judged, strict=True):
            rows.append((label, *("" if i is None else row[i] for i in where)))
            judgements.append(("", *("" if i is None else judgement[i] for i in where)))
    notes = tuple(dict.fromkeys(n for t in tables for n in t.notes))
    return Table(
        caption=caption,
        columns=(Column("Indicator"), *columns),
        rows=tuple(rows),
        judgements=tuple(judgements),
        notes=notes,
    )
