"""Argument checks shared by every statistics function.

Every check raises :class:`StatsInputError` with a message of the form
``"<argument>: <rule>; got <bad value>"`` so that an analyst can see which
argument was wrong, what the rule is and which value broke it (with the row
label when the value came from a data frame column).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "FloatArray",
    "StatsInputError",
    "as_column_list",
    "check_column",
    "check_columns",
    "check_frame",
    "check_multiplier",
    "check_option",
    "confidence_levels",
    "fail",
    "numeric_column",
    "require",
    "require_present",
    "row_label",
]


class StatsInputError(ValueError):
    """Raised when an input to a :mod:`jsna.stats` function breaks a documented rule.

    The message names the argument, the rule and the offending value.
    """


def fail(argument: str, rule: str, bad: object) -> StatsInputError:
    """Build the error for ``argument`` breaking ``rule`` with value ``bad``."""
    return StatsInputError(f"{argument}: {rule}; got {bad}")


def row_label(index: pd.Index, position: int) -> str:
    """How a row is named in messages: its index label ("row 4", "row 'E01000001'")."""
    label = index[position]
    return f"row {label!r}" if not isinstance(label, int | np.integer) else f"row {label}"


def require(
    ok: npt.NDArray[np.bool_],
    values: FloatArray,
    index: pd.Index,
    *,
    argument: str,
    column: Hashable,
    rule: str,
) -> None:
    """Raise unless ``ok`` holds everywhere (NaN values are never checked)."""
    bad = ~ok & ~np.isnan(values)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        count = int(bad.sum())
        more = f" (and {count - 1} more rows)" if count > 1 else ""
        raise fail(
            f"{argument} (column {column!r})",
            rule,
            f"{values[position]:g} at {row_label(index, position)}{more}",
        )


def require_present(
    values: FloatArray, index: pd.Index, *, argument: str, column: Hashable, rule: str
) -> None:
    """Raise if any value is missing (NaN), naming the first row."""
    missing = np.isnan(values)
    if missing.any():
        position = int(np.flatnonzero(missing)[0])
        count = int(missing.sum())
        more = f" (and {count - 1} more rows)" if count > 1 else ""
        raise fail(
            f"{argument} (column {column!r})", rule, f"NA at {row_label(index, position)}{more}"
        )


def check_frame(data: object, argument: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a pandas DataFrame with at least one row."""
    if not isinstance(data, pd.DataFrame):
        raise fail(argument, "must be a pandas DataFrame", type(data).__name__)
    if len(data) == 0:
        raise fail(argument, "must have at least one row", "an empty DataFrame")
    return data


def as_column_list(group_by: Hashable | Sequence[Hashable] | None) -> list[Hashable]:
    """Normalise ``group_by`` (None, one column name or a list of names) to a list."""
    if group_by is None:
        return []
    if isinstance(group_by, str) or not isinstance(group_by, Sequence):
        return [group_by]
    return list(group_by)


def check_column(data: pd.DataFrame, column: Hashable, argument: str) -> None:
    """Raise unless ``column`` names one column of ``data``."""
    if not isinstance(column, Hashable) or isinstance(column, tuple | list):
        raise fail(argument, "must be the name of one column", repr(column))
    if column not in data.columns:
        available = ", ".join(map(str, data.columns[:20]))
        raise fail(argument, f"must name a column of data (columns: {available})", repr(column))


def check_columns(data: pd.DataFrame, **columns: Hashable | Sequence[Hashable] | None) -> None:
    """Check that every named column argument exists in ``data``."""
    for argument, column in columns.items():
        if column is None:
            continue
        if argument == "group_by":
            for name in as_column_list(column):
                check_column(data, name, argument)
        else:
            check_column(data, column, argument)


def numeric_column(data: pd.DataFrame, column: Hashable, argument: str) -> FloatArray:
    """Return ``data[column]`` as float64, NA as NaN; non-numeric entries are an error."""
    check_column(data, column, argument)
    series = data[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        raise fail(f"{argument} (column {column!r})", "must be numeric", "a true/false column")
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna().to_numpy() & series.notna().to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise fail(
            f"{argument} (column {column!r})",
            "must be numeric",
            f"{series.iloc[position]!r} at {row_label(data.index, position)}",
        )
    values = np.asarray(converted.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    infinite = np.isinf(values)
    if infinite.any():
        position = int(np.flatnonzero(infinite)[0])
        raise fail(
            f"{argument} (column {column!r})",
            "must be finite",
            f"{values[position]} at {row_label(data.index, position)}",
        )
    return values


def confidence_levels(confidence: object, *, any_levels: bool = False) -> tuple[float, ...]:
    """Normalise ``confidence`` to a sorted tuple of fractions.

    Each level is a fraction in [0.9, 1] or a percentage in [90, 100]. At most
    two levels, and a pair must be 0.95 and 0.998, unless ``any_levels`` (life
    expectancy and SII accept any set of levels, as in PHEindicatormethods).
    """
    raw: Sequence[Any]
    if isinstance(confidence, int | float | np.integer | np.floating) and not isinstance(
        confidence, bool
    ):
        raw = [confidence]
    elif isinstance(confidence, Sequence) and not isinstance(confidence, str):
        raw = list(confidence)
    else:
        raise fail(
            "confidence", "must be a number such as 0.95 or a pair (0.95, 0.998)", repr(confidence)
        )
    if not raw or (not any_levels and len(raw) > 2):
        raise fail("confidence", "must give one or two levels", repr(confidence))
    levels: list[float] = []
    for level in raw:
        if isinstance(level, bool) or not isinstance(level, int | float | np.integer | np.floating):
            raise fail("confidence", "levels must be numbers", repr(confidence))
        value = float(level)
        value = value / 100 if value >= 90 else value
        if not 0.9 <= value <= 1:
            raise fail(
                "confidence",
                "each level must be between 0.9 and 1 or between 90 and 100",
                repr(level),
            )
        levels.append(round(value, 12))
    if len(levels) == 2 and not any_levels and sorted(levels) != [0.95, 0.998]:
        raise fail("confidence", "two levels can only be 0.95 and 0.998", repr(confidence))
    if len(set(levels)) != len(levels):
        raise fail("confidence", "levels must differ", repr(confidence))
    return tuple(sorted(levels))


def check_multiplier(multiplier: object, argument: str = "multiplier") -> float:
    """A multiplier must be a finite number greater than zero."""
    if isinstance(multiplier, bool) or not isinstance(
        multiplier, int | float | np.integer | np.floating
    ):
        raise fail(argument, "must be a number", repr(multiplier))
    value = float(multiplier)
    if not np.isfinite(value) or value <= 0:
        raise fail(argument, "must be greater than zero", repr(multiplier))
    return value


def check_option(value: object, argument: str, options: Sequence[object]) -> None:
    """Raise unless ``value`` is one of ``options``."""
    if value not in options:
        allowed = ", ".join(repr(option) for option in options)
        raise fail(argument, f"must be one of {allowed}", repr(value))
