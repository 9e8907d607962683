"""Statistical disclosure control: primary and secondary suppression of small counts.

Every indicator result is a *cell* (one row of a data frame: an area, a sex, an
age band, a period ...). Before anything is published:

1. :func:`primary_suppression` hides cells with a small count (1 to 4 by
   default) or a small denominator, and blanks their count, value and limits.
2. :func:`secondary_suppression` hides the fewest extra cells it can so that no
   hidden count can be worked out by subtraction from the published ones, using
   every additive relation between cells ("locality = sum of its wards",
   "Persons = Female + Male", "all ages = sum of age bands"). The relations are
   a table of (total, member) rows, built with :func:`additive_relations`.
3. :func:`suppress` runs both steps (the usual call), and
   :func:`recoverable_cells` plays the attacker on any published table.

Each hidden cell gets ``suppressed = True`` and a ``suppression_reason``. The
linear algebra behind step 2 is in ``_disclosure_kernels.py``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._disclosure_kernels import Equations, audit, protect
from ._frame import format_number
from ._validate import (
    FloatArray,
    as_column_list,
    check_column,
    check_frame,
    fail,
    numeric_column,
    require,
    row_label,
)

__all__ = [
    "DEFAULT_RULES",
    "REASON",
    "SUPPRESSED",
    "DisclosureRules",
    "additive_relations",
    "primary_suppression",
    "recoverable_cells",
    "secondary_suppression",
    "suppress",
]

SUPPRESSED = "suppressed"
"""Output column: True for every hidden cell."""
REASON = "suppression_reason"
"""Output column: why the cell is hidden ("" when published)."""
LIMIT_COLUMN = re.compile(r"^(lower|upper)_\d+(_\d+)?$")
"""Confidence limit columns as named by ``limit_names`` (lower_95, upper_99_8 ...)."""
CELL = "{cell}"

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


@dataclass(frozen=True)
class DisclosureRules:
    """The suppression rules of a project (defaults: counts 1 to 4 hidden, zero published).

    A cell is hidden (primary suppression) when its count is above 0 and at
    most ``max_suppressed_count``, when its count is 0 and ``suppress_zero`` is
    set, or when its denominator is below ``min_denominator``.
    """

    max_suppressed_count: float = 4
    """Counts above 0 and up to this are suppressed (4: counts 1 to 4)."""
    suppress_zero: bool = False
    """Suppress counts of 0 too (off by default: a zero is publishable)."""
    min_denominator: float | None = None
    """Suppress cells whose denominator is below this (None: no denominator rule)."""
    columns_to_blank: Hashable | Sequence[Hashable] | None = None
    """Columns set to NA in hidden cells, besides the count. None: ``value`` and every
    limit column (``lower_95``, ``upper_99_8`` ...) present. Name every other column a
    count could be derived from."""
    count_reason: str | None = None
    """Reason for a small count; None: "count 1 to 4" (or "count 0 to 4")."""
    denominator_reason: str | None = None
    """Reason for a small denominator; None: "denominator under 50"."""
    secondary_reason: str = "secondary: protects {cell}"
    """Reason for a secondary suppression; ``{cell}`` becomes the cell it protects."""

    def __post_init__(self) -> None:
        cap = self.max_suppressed_count
        if not _is_number(cap) or not np.isfinite(float(cap)) or float(cap) < 0:
            raise fail("max_suppressed_count", "must be a number >= 0", repr(cap))
        if not isinstance(self.suppress_zero, bool):
            raise fail("suppress_zero", "must be True or False", repr(self.suppress_zero))
        floor = self.min_denominator
        if floor is not None and (
            not _is_number(floor) or not np.isfinite(float(floor)) or float(floor) <= 0
        ):
            raise fail("min_denominator", "must be None or a number > 0", repr(floor))
        for name in ("count_reason", "denominator_reason"):
            text = getattr(self, name)
            if text is not None and not isinstance(text, str):
                raise fail(name, "must be None or a string", repr(text))
        if not isinstance(self.secondary_reason, str):
            raise fail("secondary_reason", "must be a string", repr(self.secondary_reason))
        if self.secondary_reason.count(CELL) > 1:
            raise fail(
                "secondary_reason", "must contain {cell} at most once", repr(self.secondary_reason)
            )
        blank = self.columns_to_blank
        if blank is not None:
            names = as_column_list(blank)
            for entry in names:
                if not isinstance(entry, Hashable) or isinstance(entry, list | tuple):
                    raise fail("columns_to_blank", "must be column names", repr(blank))
            object.__setattr__(self, "columns_to_blank", tuple(names))

    @property
    def count_text(self) -> str:
        """The reason recorded for a small count."""
        if self.count_reason is not None:
            return self.count_reason
        low = 0 if self.suppress_zero else 1
        high = format_number(float(self.max_suppressed_count))
        return (
            f"count {low} to {high}" if float(self.max_suppressed_count) > low else f"count {low}"
        )

    @property
    def denominator_text(self) -> str:
        """The reason recorded for a small denominator."""
        if self.denominator_reason is not None:
            return self.denominator_reason
        floor = format_number(float(self.min_denominator or 0))
        return f"denominator under {floor}"


DEFAULT_RULES = DisclosureRules()
"""Counts 1 to 4 suppressed, zero published, no denominator rule."""


def _check_rules(rules: object) -> DisclosureRules:
    if not isinstance(rules, DisclosureRules):
        raise fail("rules", "must be a DisclosureRules", type(rules).__name__)
    return rules


def _counts(frame: pd.DataFrame, count: Hashable) -> FloatArray:
    values = numeric_column(frame, count, "count")
    require(
        values >= 0,
        values,
        frame.index,
        argument="count",
        column=count,
        rule="must be >= 0 (counts cannot be negative)",
    )
    return values


def _primary(
    frame: pd.DataFrame, count: Hashable, denominator: Hashable | None, rules: DisclosureRules
) -> tuple[FloatArray, BoolArray, npt.NDArray[np.object_]]:
    """Counts, primary suppression flags and reasons (nothing blanked yet)."""
    for column in (SUPPRESSED, REASON):
        if column in frame.columns:
            raise fail(
                "data",
                f"must not already have a {column!r} column (suppression was applied already; "
                "run it once, on the unsuppressed data)",
                f"a {column!r} column",
            )
    xs = _counts(frame, count)
    with np.errstate(invalid="ignore"):
        small = (xs > 0) & (xs <= float(rules.max_suppressed_count))
        if rules.suppress_zero:
            small |= xs == 0
    low = np.zeros(len(frame), dtype=np.bool_)
    if rules.min_denominator is not None and denominator is None:
        raise fail(
            "denominator",
            "must name a column when the rules set min_denominator "
            f"({format_number(float(rules.min_denominator))})",
            "None",
        )
    if denominator is not None:
        ns = numeric_column(frame, denominator, "denominator")
        require(
            ns >= 0,
            ns,
            frame.index,
            argument="denominator",
            column=denominator,
            rule="must be >= 0 (a denominator cannot be negative)",
        )
        if rules.min_denominator is not None:
            with np.errstate(invalid="ignore"):
                low = ns < float(rules.min_denominator)
    reasons = np.full(len(frame), "", dtype=object)
    reasons[small] = rules.count_text
    reasons[low] = rules.denominator_text
    reasons[small & low] = f"{rules.count_text}; {rules.denominator_text}"
    return xs, small | low, reasons


def _blank_columns(frame: pd.DataFrame, count: Hashable, rules: DisclosureRules) -> list[Hashable]:
    if rules.columns_to_blank is None:
        extra: list[Hashable] = [
            column
            for column in frame.columns
            if column == "value" or (isinstance(column, str) and LIMIT_COLUMN.match(column))
        ]
    else:
        extra = list(as_column_list(rules.columns_to_blank))
        for column in extra:
            check_column(frame, column, "columns_to_blank")
    return [count, *(column for column in extra if column != count)]


def _blank(out: pd.DataFrame, hidden: BoolArray, columns: Sequence[Hashable]) -> pd.DataFrame:
    """Set ``columns`` to NA in hidden rows; whole-number columns become nullable Int64."""
    keep = ~hidden
    for column in columns:
        series = out[column]
        if pd.api.types.is_integer_dtype(series.dtype) and not isinstance(
            series.dtype, pd.api.extensions.ExtensionDtype
        ):
            series = series.astype("Int64")
        out[column] = series.where(keep)
    return out


def primary_suppression(
    data: pd.DataFrame,
    count: Hashable,
    *,
    denominator: Hashable | None = None,
    rules: DisclosureRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """Hide cells with a small count or a small denominator (primary suppression).

    A row is suppressed when ``0 < count <= rules.max_suppressed_count`` (counts
    1 to 4 by default), when ``count == 0`` and ``rules.suppress_zero``, or when
    ``denominator < rules.min_denominator``. An NA count is never suppressed
    (there is nothing to publish). In suppressed rows the count, ``value`` and
    every limit column (or ``rules.columns_to_blank``) become NA; a whole-number
    count column becomes nullable ``Int64``.

    This alone is not enough to publish when totals are published too: use
    :func:`suppress` with the relations between cells.

    Rules: counts and denominators must be numeric and >= 0; ``denominator`` is
    required when ``rules.min_denominator`` is set.

    Returns a copy of ``data`` plus ``suppressed`` (bool) and
    ``suppression_reason`` ("count 1 to 4", "denominator under 50", both
    joined by "; ", or "" when published).
    """
    frame = check_frame(data)
    rules = _check_rules(rules)
    _, hidden, reasons = _primary(frame, count, denominator, rules)
    blank = _blank_columns(frame, count, rules)
    out = frame.copy()
    out[SUPPRESSED] = hidden
    out[REASON] = reasons
    return _blank(out, hidden, blank)


@dataclass(frozen=True)
class _Relations:
    equations: Equations
    totals: IntArray
    """Row position of each equation's total."""
    names: npt.NDArray[np.object_]
    """Relation name of each equation."""


def _positions(frame: pd.DataFrame, relations: pd.DataFrame, column: str) -> IntArray:
    positions = np.asarray(frame.index.get_indexer(pd.Index(relations[column])), dtype=np.intp)
    bad = np.flatnonzero(positions < 0)
    if len(bad):
        raise fail(
            f"relations (column {column!r})",
            "must name rows of data by their index label",
            f"{relations[column].iloc[bad[0]]!r} at {row_label(relations.index, int(bad[0]))}",
        )
    return positions


def _equations(frame: pd.DataFrame, relations: object) -> _Relations:
    """Validate ``relations`` and turn them into the sparse equations of the kernels."""
    if not isinstance(relations, pd.DataFrame):
        raise fail(
            "relations",
            "must be a pandas DataFrame with columns 'total' and 'member' (see additive_relations)",
            type(relations).__name__,
        )
    if not {"total", "member"} <= set(relations.columns):
        raise fail(
            "relations",
            "must have the columns 'total' and 'member' (and optionally 'relation')",
            f"columns {list(relations.columns)!r}",
        )
    if not frame.index.is_unique:
        duplicate = frame.index[frame.index.duplicated()][0]
        raise fail(
            "data",
            "must have a unique index (relations name rows by index label)",
            f"{duplicate!r} more than once",
        )
    n = len(frame)
    totals = _positions(frame, relations, "total")
    members = _positions(frame, relations, "member")
    own = np.flatnonzero(totals == members)
    if len(own):
        raise fail(
            "relations",
            "a row cannot be a member of its own total",
            f"{relations['total'].iloc[own[0]]!r} at {row_label(relations.index, int(own[0]))}",
        )
    if "relation" in relations.columns:
        names = relations["relation"].astype(str).to_numpy(dtype=object)
    else:
        names = np.full(len(relations), "", dtype=object)
    name_codes = pd.factorize(names, use_na_sentinel=False)[0].astype(np.int64)
    eq_of_row, _ = pd.factorize(name_codes * n + totals)
    eq_of_row = np.asarray(eq_of_row, dtype=np.intp)
    count = int(eq_of_row.max()) + 1 if len(eq_of_row) else 0
    eq_total = np.zeros(count, dtype=np.intp)
    eq_total[eq_of_row] = totals
    eq_name = np.empty(count, dtype=object)
    eq_name[eq_of_row[::-1]] = names[::-1]
    eq = np.concatenate((eq_of_row, np.arange(count, dtype=np.intp)))
    cell = np.concatenate((members, eq_total))
    coef = np.concatenate((-np.ones(len(members)), np.ones(count)))
    _, first = np.unique(eq.astype(np.int64) * n + cell, return_index=True)
    equations = Equations(eq[first], cell[first], coef[first], count, n)
    return _Relations(equations, eq_total, eq_name)


def _check_totals(frame: pd.DataFrame, relations: _Relations, counts: FloatArray) -> None:
    eqs = relations.equations
    complete = eqs.tally(np.isnan(counts)) == 0
    balance = np.bincount(
        eqs.eq, weights=eqs.coef * np.nan_to_num(counts[eqs.cell]), minlength=eqs.equations
    )
    totals = counts[relations.totals]
    with np.errstate(invalid="ignore"):
        bad = complete & (np.abs(balance) > 1e-9 * np.maximum(1.0, np.abs(totals)))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        name = relations.names[first]
        named = f" (relation {name!r})" if name else ""
        raise fail(
            "relations",
            "each total must equal the sum of its members "
            "(pass check_totals=False when totals include parts that are not in data)",
            f"total {totals[first]:g} at {row_label(frame.index, int(relations.totals[first]))}"
            f"{named} but its members sum to {totals[first] - balance[first]:g}",
        )


def _label_rank(index: pd.Index) -> IntArray:
    """Tie-break rank of each row: the order of the index labels (row order if unsortable)."""
    try:
        order = np.argsort(index.to_numpy(), kind="stable")
    except TypeError:
        order = np.arange(len(index))
    rank = np.empty(len(index), dtype=np.intp)
    rank[order] = np.arange(len(index))
    return rank


def _cell_names(frame: pd.DataFrame, label: object, positions: IntArray) -> pd.Series:
    """Human names of the cells at ``positions``: label columns joined by ", "."""
    if label is None:
        return "row " + pd.Series(frame.index[positions].astype(str), dtype=object)
    columns = as_column_list(label)
    for column in columns:
        check_column(frame, column, "label")
    parts = frame.iloc[positions][columns].astype(str).reset_index(drop=True)
    names = parts[columns[0]].astype(object)
    for column in columns[1:]:
        names = names + ", " + parts[column].astype(object)
    return names


def _secondary(
    out: pd.DataFrame,
    counts: FloatArray,
    suppressed: BoolArray,
    reasons: npt.NDArray[np.object_],
    relations: object,
    rules: DisclosureRules,
    label: object,
    check_totals: bool,
) -> tuple[BoolArray, npt.NDArray[np.object_]]:
    """Secondary suppression flags and reasons (nothing blanked)."""
    if not isinstance(check_totals, bool):
        raise fail("check_totals", "must be True or False", repr(check_totals))
    if label is not None:
        for column in as_column_list(label):
            check_column(out, column, "label")
    system = _equations(out, relations)
    if check_totals:
        _check_totals(out, system, counts)
    missing = np.isnan(counts) & ~suppressed
    ranking = np.where(np.isnan(counts), np.inf, counts)
    hidden, protects, stuck = protect(
        system.equations, suppressed, missing, ranking, _label_rank(out.index)
    )
    if len(stuck):
        raise fail(
            "relations",
            "must not fix a hidden count by themselves (the equations give its value whatever "
            "is published; look for a total listed twice with different members under one "
            "relation name)",
            row_label(out.index, int(stuck[0])),
        )
    added = np.flatnonzero(hidden & ~suppressed)
    reasons = reasons.copy()
    if len(added):
        template = rules.secondary_reason
        if CELL in template:
            before, after = template.split(CELL, 1)
            names = _cell_names(out, label, protects[added])
            reasons[added] = (before + names + after).to_numpy(dtype=object)
        else:
            reasons[added] = template
    return hidden, reasons


def _flags(frame: pd.DataFrame) -> tuple[BoolArray, npt.NDArray[np.object_]]:
    """The ``suppressed`` and ``suppression_reason`` columns of a primary-suppressed frame."""
    for column in (SUPPRESSED, REASON):
        if column not in frame.columns:
            raise fail(
                "data",
                "must have the columns 'suppressed' and 'suppression_reason' from "
                "primary_suppression (or call suppress, which runs both steps)",
                f"no {column!r} column",
            )
    flags = frame[SUPPRESSED]
    if not pd.api.types.is_bool_dtype(flags.dtype) or flags.isna().any():
        raise fail(
            f"data (column {SUPPRESSED!r})", "must be true/false with no NA", str(flags.dtype)
        )
    reasons = frame[REASON].fillna("").astype(str).to_numpy(dtype=object)
    return flags.to_numpy(dtype=np.bool_), reasons


def secondary_suppression(
    data: pd.DataFrame,
    count: Hashable,
    *,
    relations: pd.DataFrame,
    rules: DisclosureRules = DEFAULT_RULES,
    label: Hashable | Sequence[Hashable] | None = None,
    check_totals: bool = True,
) -> pd.DataFrame:
    """Hide extra cells so that no hidden count can be recovered by subtraction.

    ``data`` is the output of :func:`primary_suppression`. ``relations`` lists
    the additive relations between its rows, one (``total``, ``member``) pair
    of index labels per row, with an optional ``relation`` name when one total
    has several breakdowns (a local authority as the sum of its MSOAs and as the
    sum of its wards): each (relation, total) is one equation
    total = sum of members. Build it with :func:`additive_relations`.

    Method: an attacker who knows every published cell can solve these
    equations for the hidden ones. Cells are added until (1) no equation has a
    single hidden cell and (2) an exact check with linear algebra finds no
    hidden count determined by any combination of equations. Among the cells
    that could be hidden, the one in most exposed equations is chosen, then a
    member before its total, then the smallest count, then the lowest index
    label. Rows with an NA count that are not suppressed count as never
    published (unknown to the attacker) and need no protection.

    Rules: the index of ``data`` must be unique and every label in
    ``relations`` must be in it; a row cannot be a member of its own total;
    with ``check_totals`` each total whose cells are all known must equal the
    sum of its members (``check_totals=False`` accepts totals that include
    unpublished parts, such as "Persons" with an unknown sex; the relations are
    then still treated as exact, which protects more, not less).

    Returns a copy of ``data`` with ``suppressed`` and ``suppression_reason``
    updated ("secondary: protects <cell>", the cell named by the ``label``
    columns joined by ", ", or by "row <index label>") and the count, value
    and limits blanked in every suppressed row.
    """
    frame = check_frame(data)
    rules = _check_rules(rules)
    suppressed, reasons = _flags(frame)
    counts = _counts(frame, count)
    blank = _blank_columns(frame, count, rules)
    out = frame.copy()
    hidden, reasons = _secondary(
        out, counts, suppressed, reasons, relations, rules, label, check_totals
    )
    out[SUPPRESSED] = hidden
    out[REASON] = reasons
    return _blank(out, hidden, blank)


def suppress(
    data: pd.DataFrame,
    count: Hashable,
    *,
    denominator: Hashable | None = None,
    relations: pd.DataFrame | None = None,
    rules: DisclosureRules = DEFAULT_RULES,
    label: Hashable | Sequence[Hashable] | None = None,
    check_totals: bool = True,
) -> pd.DataFrame:
    """Primary then secondary suppression in one call: what the data layer runs before publishing.

    Same as :func:`primary_suppression` followed by
    :func:`secondary_suppression` (skipped when ``relations`` is None), except
    that totals are checked against the full, unblanked counts.

    Returns a copy of ``data`` plus ``suppressed`` and ``suppression_reason``,
    with the count, value and limits (or ``rules.columns_to_blank``) blanked in
    every suppressed row.
    """
    frame = check_frame(data)
    rules = _check_rules(rules)
    counts, hidden, reasons = _primary(frame, count, denominator, rules)
    blank = _blank_columns(frame, count, rules)
    out = frame.copy()
    if relations is not None:
        hidden, reasons = _secondary(
            out, counts, hidden, reasons, relations, rules, label, check_totals
        )
    out[SUPPRESSED] = hidden
    out[REASON] = reasons
    return _blank(out, hidden, blank)


def _parent_pairs(parents: object) -> pd.DataFrame:
    """Normalise ``parents`` to a frame of distinct (child, parent) pairs."""
    if isinstance(parents, pd.DataFrame):
        if parents.shape[1] != 2:
            raise fail(
                "parents",
                "a DataFrame must have exactly two columns (child, parent)",
                f"columns {list(parents.columns)!r}",
            )
        children, owners = parents.iloc[:, 0], parents.iloc[:, 1]
    elif isinstance(parents, pd.Series):
        children, owners = parents.index.to_series(), parents
    elif isinstance(parents, Mapping):
        children, owners = pd.Series(list(parents.keys())), pd.Series(list(parents.values()))
    else:
        raise fail(
            "parents",
            "must be a dict or Series (child -> parent) or a DataFrame with columns "
            "(child, parent)",
            type(parents).__name__,
        )
    pairs = pd.DataFrame(
        {"child": children.to_numpy(dtype=object), "parent": owners.to_numpy(dtype=object)}
    )
    if pairs.isna().to_numpy().any():
        raise fail("parents", "must not contain missing values", "an NA child or parent")
    own = (pairs["child"] == pairs["parent"]).to_numpy()
    if own.any():
        raise fail("parents", "a value cannot be its own parent", repr(pairs["child"][own].iloc[0]))
    return pairs.drop_duplicates(ignore_index=True)


def additive_relations(
    data: pd.DataFrame,
    *,
    keys: Hashable | Sequence[Hashable],
    column: Hashable,
    parents: Mapping[object, object] | pd.Series | pd.DataFrame,
    name: str | None = None,
) -> pd.DataFrame:
    """Relations "parent = sum of its children" along one column, for :func:`suppress`.

    ``keys`` are the columns that identify a cell (for example area code, sex
    and age band); ``column`` is one of them; ``parents`` maps a child value of
    that column to its parent value (a dict or Series child -> parent, or a
    DataFrame of (child, parent) rows when a child has several parents, such as
    an LSOA in an MSOA and in a custom area). Each row whose ``column`` value is
    a child is a member of the row with the parent value and the same other
    keys. Examples: area code with an LSOA -> MSOA -> LA lookup; sex with
    ``{"Female": "Persons", "Male": "Persons"}``; age band with every band ->
    "All ages".

    Rows whose parent row is not in ``data`` get no relation. Give a separate
    ``name`` to each way of splitting the same total (LA from MSOAs, LA from
    wards) and concatenate the results.

    Rules: ``keys`` must identify each row once; ``parents`` must have no NA,
    no value as its own parent, and must link at least one pair of rows.

    Returns a DataFrame with columns ``total`` and ``member`` (index labels of
    ``data``) and ``relation`` (``name``, default the column name).
    """
    frame = check_frame(data)
    key_list = as_column_list(keys)
    for key in key_list:
        check_column(frame, key, "keys")
    if column not in key_list:
        raise fail("column", f"must be one of keys ({', '.join(map(str, key_list))})", repr(column))
    duplicated = frame.duplicated(subset=key_list).to_numpy()
    if duplicated.any():
        position = int(np.flatnonzero(duplicated)[0])
        values = tuple(frame[key_list].iloc[position])
        raise fail(
            "keys",
            "must identify each row of data once",
            f"{values!r} again at {row_label(frame.index, position)}",
        )
    pairs = _parent_pairs(parents)
    slots = [f"key{i}" for i in range(len(key_list))]
    slot = slots[key_list.index(column)]
    cells = pd.DataFrame(
        {s: frame[key].to_numpy(dtype=object) for s, key in zip(slots, key_list, strict=True)}
    )
    cells["position"] = np.arange(len(frame))
    linked = cells.merge(pairs.rename(columns={"child": slot}), on=slot, how="inner")
    linked[slot] = linked["parent"]
    found = linked.drop(columns="parent").merge(
        cells.rename(columns={"position": "total_position"}), on=slots, how="inner"
    )
    if found.empty:
        child, parent = pairs.iloc[0]
        raise fail(
            "parents",
            f"must link rows of data: a row whose {column!r} is a child and a row with its "
            "parent and the same other keys",
            f"no such pair among {len(pairs)} pairs (first {child!r} -> {parent!r})",
        )
    return pd.DataFrame(
        {
            "total": frame.index[found["total_position"].to_numpy()],
            "member": frame.index[found["position"].to_numpy()],
            "relation": str(column) if name is None else name,
        }
    )


def recoverable_cells(data: pd.DataFrame, count: Hashable, *, relations: pd.DataFrame) -> pd.Series:
    """The attacker's view: which blank counts the published counts and relations determine.

    Every row with an NA ``count`` is unknown; the relations (as for
    :func:`secondary_suppression`) are equations total = sum of members. A
    blank count is recoverable when some combination of the equations gives
    its exact value from the published counts (checked with linear algebra;
    bounds from counts being whole and not negative are not considered).

    Returns a boolean Series named ``recoverable`` on the index of ``data``
    (False for every published row).
    """
    frame = check_frame(data)
    counts = _counts(frame, count)
    system = _equations(frame, relations)
    hidden = np.isnan(counts)
    found = audit(system.equations, hidden, hidden, _label_rank(frame.index))
    return pd.Series(found.revealed, index=frame.index, name="recoverable")
