"""Checking a table of texts against its declaration and turning it into tidy observations.

Every rule is checked on every row and every problem is collected, so that
one run lists everything to fix (``file:row:column: rule (value)``). Rules:

- the declared columns (and filter columns) exist;
- no cell longer than the field limit, and no key longer than the store keeps;
- formula injection: a text cell starting with ``=``, ``+``, ``-`` or ``@``
  (or a tab / carriage return) that is not a number is **refused**, never
  neutralised, because a figure for publication must not silently change;
- indicator, area code and period are present; area codes match the
  declared pattern (default: the rule of the geography in
  :mod:`jsna.geography.registry`, else an ONS code) and, when the store knows areas of
  that type, are among them; periods start with a year (``2019/20`` -> 2019);
- numbers are numbers (thousands separators allowed) and finite;
  numerators and denominators are not negative, nor values of counts,
  proportions and rates; a proportion's numerator is not above its
  denominator and its value not above 100; limits are ordered and contain
  the value;
- no two rows give the same indicator, area, period, sex, age and breakdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jsna.content.sources import ONS_CODE_PATTERN, Source
from jsna.geography.registry import AREA_TYPES
from jsna.store.schema import observation

from .formats import RawTable
from .problems import Limits, Problem

__all__ = [
    "COMPARATOR_AREA_TYPES",
    "KEY_COLUMNS",
    "NUMBER_COLUMNS",
    "Checked",
    "area_types_of",
    "check_table",
    "period_start",
]

KEY_COLUMNS = ("indicator_id", "area_code", "period", "sex", "age", "breakdown_type", "breakdown")
NUMBER_COLUMNS = (
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
)
COMPARATOR_AREA_TYPES = {"E92": "country", "E12": "region"}
"""Codes of England and the regions keep their own area type, whatever the declared geography."""

_WIDTHS = {"area_code": 32} | {
    name: int(getattr(observation.c[name].type, "length", 0) or 10**9)
    for name in KEY_COLUMNS
    if name != "area_code"
}
_NON_NEGATIVE_MEASURES = {"count", "proportion", "crude_rate", "dsr"}
_YEAR = re.compile(r"^\s*(\d{4})(?!\d)")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_DEFAULTS = {"sex": "persons", "age": "all ages", "breakdown_type": "", "breakdown": ""}


@dataclass(frozen=True)
class Checked:
    """The tidy observations of a file (``area_code`` not yet resolved) and every problem."""

    frame: pd.DataFrame
    problems: list[Problem]


def period_start(period: str) -> int | None:
    """The first year of a published period (2019/20 -> 2019, 2021-03-21 -> 2021), or None."""
    match = _YEAR.match(period)
    if match is None:
        return None
    year = int(match.group(1))
    return year if 1800 <= year <= 2200 else None


def area_types_of(codes: pd.Series, geography: str) -> pd.Series:
    """The area type of each code: the declared geography, England and regions apart."""
    prefixes = codes.str.slice(0, 3)
    return prefixes.map(COMPARATOR_AREA_TYPES).fillna(geography).astype(object)


class _Collector:
    def __init__(self, file: str, rows: np.ndarray):
        self.file = file
        self.rows = rows
        self.problems: list[Problem] = []

    def flag(self, mask: np.ndarray, column: str, rule: str, values: pd.Series) -> None:
        """Record ``rule`` for every row where ``mask`` is true."""
        for position in np.flatnonzero(mask):
            self.problems.append(
                Problem(self.file, int(self.rows[position]), column, rule, values.iloc[position])
            )


def _number(texts: pd.Series, missing: set[str]) -> tuple[pd.Series, np.ndarray]:
    """Parse numbers; returns the values (NaN when missing) and where parsing failed."""
    stripped = texts.str.strip()
    is_missing = stripped.isin(missing).to_numpy()
    cleaned = stripped.where(~stripped.str.match(_THOUSANDS), stripped.str.replace(",", ""))
    parsed = pd.to_numeric(cleaned.where(~is_missing, None), errors="coerce").astype(float)
    failed = (parsed.isna().to_numpy() & ~is_missing) | np.isinf(parsed.to_numpy())
    return parsed, failed


def _looks_like_formula(texts: pd.Series) -> np.ndarray:
    first = texts.str.slice(0, 1)
    risky = first.isin(["=", "+", "-", "@", "\t", "\r"]).to_numpy() & (texts.str.len() > 1)
    if not risky.any():
        return risky
    numeric = pd.to_numeric(texts.str.strip(), errors="coerce").notna().to_numpy()
    return risky & ~numeric


def check_table(
    table: RawTable,
    source: Source,
    file: str,
    limits: Limits,
    known_codes: Mapping[str, set[str]] | None = None,
) -> Checked:
    """Check every row of ``table`` and build the observations (all problems collected).

    ``known_codes`` maps an area type to the codes the store knows for it;
    codes of a type absent from it are checked against the pattern only.
    """
    frame = table.frame
    mapping = source.mapping().used()
    collect = _Collector(file, table.rows)
    needed = dict.fromkeys([*mapping.values(), *(f.column for f in source.filters)])
    absent = [column for column in needed if column not in frame.columns]
    for column in absent:
        collect.problems.append(Problem(file, table.header_row, column, "missing column", ""))
    if absent:
        return Checked(pd.DataFrame(), collect.problems)

    keep = np.ones(len(frame), dtype=bool)
    for rule in source.filters:
        keep &= frame[rule.column].str.strip().isin(rule.values()).to_numpy()
    frame = frame.loc[keep].reset_index(drop=True)
    collect.rows = table.rows[keep]

    texts: dict[str, pd.Series] = {}
    for part, column in mapping.items():
        cells = frame[column].astype(object).astype(str)
        too_long = (cells.str.len() > limits.max_field_chars).to_numpy()
        collect.flag(too_long, column, f"longer than {limits.max_field_chars} characters", cells)
        formula = _looks_like_formula(cells) & ~too_long
        collect.flag(formula, column, "formula-like text refused (starts with = + - @)", cells)
        bad = too_long | formula
        texts[part] = cells.where(~bad, "")

    out = pd.DataFrame(index=frame.index)
    fixed = source.fixed.model_dump()
    for part in ("indicator_id", "period", "sex", "age", "breakdown_type"):
        if part not in texts and fixed.get(part) is not None:
            texts[part] = pd.Series(str(fixed[part]), index=frame.index, dtype=object)
    for part in ("indicator_id", "area_code", "period"):
        values = texts[part].str.strip()
        column = mapping.get(part, f"fixed.{part}")
        collect.flag((values == "").to_numpy() & (frame.index >= 0), column, "missing", values)
        out[part] = values
    for part, default in _DEFAULTS.items():
        values = texts[part].str.strip() if part in texts else pd.Series(default, index=out.index)
        out[part] = values.where(values != "", default).astype(object)
    out["sex"] = out["sex"].str.lower()
    for part in (*KEY_COLUMNS, "area_code"):
        width = _WIDTHS[part]
        long = (out[part].str.len() > width).to_numpy()
        column = mapping.get(part, f"fixed.{part}")
        collect.flag(long, column, f"longer than {width} characters (the store's limit)", out[part])
    out["area_name"] = texts["area_name"].str.strip() if "area_name" in texts else out["area_code"]
    _check_codes(out, source, mapping, known_codes or {}, collect)
    _check_periods(out, mapping, collect)
    _check_numbers(out, texts, source, mapping, collect)
    _check_duplicates(out, mapping, collect)
    collect.problems.sort(key=lambda p: (p.row, p.column))
    return Checked(out, collect.problems)


def _check_codes(
    out: pd.DataFrame,
    source: Source,
    mapping: dict[str, str],
    known: Mapping[str, set[str]],
    collect: _Collector,
) -> None:
    codes = out["area_code"]
    column = mapping["area_code"]
    present = (codes != "").to_numpy()
    kinds = area_types_of(codes, source.geography)
    valid = np.ones(len(codes), dtype=bool)
    if source.code_pattern is not None:
        valid = codes.str.fullmatch(source.code_pattern).fillna(False).to_numpy(dtype=bool)
        rule = f"not an area code (pattern {source.code_pattern})"
        collect.flag(present & ~valid, column, rule, codes)
    else:
        for kind in kinds.unique():
            of_kind = (kinds == kind).to_numpy()
            known_type = AREA_TYPES.get(kind)
            if known_type is None:
                ok = codes.str.fullmatch(ONS_CODE_PATTERN).fillna(False).to_numpy(dtype=bool)
                rule = "not an ONS area code (a letter and 8 digits)"
            else:
                ok = codes.map(known_type.accepts).to_numpy(dtype=bool)
                rule = f"not a {kind} code ({known_type.rule()})"
            bad = of_kind & present & ~ok
            collect.flag(bad, column, rule, codes)
            valid &= ~bad
    out["area_type"] = kinds
    for area_type, codes_known in known.items():
        if not codes_known:
            continue
        of_type = (out["area_type"] == area_type).to_numpy() & present & valid
        unknown = of_type & ~codes.isin(codes_known).to_numpy()
        collect.flag(unknown, column, f"unknown area code for {area_type}", codes)


def _check_periods(out: pd.DataFrame, mapping: dict[str, str], collect: _Collector) -> None:
    periods = out["period"]
    starts = periods.map(period_start)
    bad = starts.isna().to_numpy() & (periods != "").to_numpy()
    collect.flag(bad, mapping.get("period", "fixed.period"), "not a period", periods)
    out["period_start"] = starts.fillna(0).astype(np.int64)


def _check_numbers(
    out: pd.DataFrame,
    texts: dict[str, pd.Series],
    source: Source,
    mapping: dict[str, str],
    collect: _Collector,
) -> None:
    missing = set(source.missing_values)
    for part in NUMBER_COLUMNS:
        if part not in texts:
            out[part] = np.nan
            continue
        values, failed = _number(texts[part], missing)
        collect.flag(failed, mapping[part], "not a number", texts[part])
        out[part] = values.where(~failed, np.nan)
    with np.errstate(invalid="ignore"):
        negative_parts = ["numerator", "denominator"]
        if source.measure in _NON_NEGATIVE_MEASURES:
            negative_parts.append("value")
        for part in negative_parts:
            if part in mapping:
                collect.flag(out[part].to_numpy() < 0, mapping[part], "negative", texts[part])
        if source.measure == "proportion":
            if "numerator" in mapping and "denominator" in mapping:
                above = out["numerator"].to_numpy() > out["denominator"].to_numpy()
                collect.flag(
                    above, mapping["numerator"], "numerator above denominator", texts["numerator"]
                )
            if "value" in mapping:
                collect.flag(
                    out["value"].to_numpy() > 100,
                    mapping["value"],
                    "proportion above 100",
                    texts["value"],
                )
        for low, high in (("lower_95", "upper_95"), ("lower_99_8", "upper_99_8")):
            if low not in mapping or high not in mapping:
                continue
            lows, highs = out[low].to_numpy(), out[high].to_numpy()
            collect.flag(lows > highs, mapping[low], f"above {high}", texts[low])
            if "value" in mapping:
                value = out["value"].to_numpy()
                slack = 1e-9 * np.maximum(1.0, np.abs(value))
                outside = (value < lows - slack) | (value > highs + slack)
                collect.flag(
                    outside, mapping["value"], "outside its confidence interval", texts["value"]
                )


def _check_duplicates(out: pd.DataFrame, mapping: dict[str, str], collect: _Collector) -> None:
    keys = list(KEY_COLUMNS)
    repeated = out.duplicated(subset=keys, keep="first").to_numpy()
    if not repeated.any():
        return
    first_row = (
        pd.Series(collect.rows, index=out.index).groupby([out[k] for k in keys]).transform("first")
    )
    labels = "duplicate of row " + first_row.astype(str)
    column = mapping["area_code"]
    for position in np.flatnonzero(repeated):
        collect.problems.append(
            Problem(
                collect.file,
                int(collect.rows[position]),
                column,
                str(labels.iloc[position]),
                out["area_code"].iloc[position],
            )
        )
