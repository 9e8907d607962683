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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from jsna.content.sources import ONS_CODE_PATTERN, Source, Unpivot, format_period
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
_FIXABLE = ("indicator_id", "area_code", "area_name", "period", "sex", "age")
_SEXES = {
    "person": "persons",
    "people": "persons",
    "all": "persons",
    "total": "persons",
    "males": "male",
    "men": "male",
    "m": "male",
    "females": "female",
    "women": "female",
    "f": "female",
}
"""Spellings of sex stored as persons, male or female (after lower-casing)."""


@dataclass(frozen=True)
class Checked:
    """The tidy observations of a file (``area_code`` not yet resolved) and every problem.

    ``dropped`` counts the exact duplicate rows removed (``drop_duplicates: exact``).
    """

    frame: pd.DataFrame
    problems: list[Problem]
    dropped: int = 0


def period_start(period: str) -> int | None:
    """The first year of a published period (2019/20 -> 2019, 2021-03-21 -> 2021), or None."""
    match = _YEAR.match(period)
    if match is None:
        return None
    year = int(match.group(1))
    return year if 1800 <= year <= 2200 else None


def area_types_of(
    codes: pd.Series, geography: str, by_prefix: Mapping[str, str] | None = None
) -> pd.Series:
    """The area type of each code: by its prefix (longest wins), else the declared geography.

    Without ``by_prefix``, England (E92) and regions (E12) keep their own types.
    """
    prefixes = COMPARATOR_AREA_TYPES if by_prefix is None else by_prefix
    longest_first = sorted(prefixes, key=len, reverse=True)

    def kind(code: str) -> str:
        for prefix in longest_first:
            if code.startswith(prefix):
                return prefixes[prefix]
        return geography

    kinds = _distinct(codes.astype(str), lambda unique: unique.map(kind))
    return pd.Series(kinds, index=codes.index, dtype=object)


Where = str | np.ndarray
"""The file column a part came from: one name, or one per row (unpivoted columns)."""


class _Collector:
    def __init__(self, file: str, rows: np.ndarray):
        self.file = file
        self.rows = rows
        self.problems: list[Problem] = []

    def flag(self, mask: np.ndarray, column: Where, rule: str, values: pd.Series) -> None:
        """Record ``rule`` for every row where ``mask`` is true."""
        for position in np.flatnonzero(mask):
            name = column if isinstance(column, str) else str(column[position])
            self.problems.append(
                Problem(self.file, int(self.rows[position]), name, rule, values.iloc[position])
            )


def _distinct(texts: pd.Series, rule: Callable[[pd.Series], Any]) -> np.ndarray:
    """``rule`` applied once per distinct text, spread back over every row (fast on columns
    with repeated values: codes, categories, periods)."""
    codes, uniques = pd.factorize(texts.to_numpy(dtype=object), use_na_sentinel=False)
    return np.asarray(rule(pd.Series(uniques, dtype=object)))[codes]


def _number(texts: pd.Series, missing: set[str]) -> tuple[pd.Series, np.ndarray]:
    """Parse numbers; returns the values (NaN when missing) and where parsing failed."""
    codes, uniques = pd.factorize(texts.to_numpy(dtype=object), use_na_sentinel=False)
    values, failed = _parse_numbers(pd.Series(uniques, dtype=object), missing)
    return (
        pd.Series(values.to_numpy()[codes], index=texts.index, dtype=float),
        failed[codes],
    )


def _parse_numbers(texts: pd.Series, missing: set[str]) -> tuple[pd.Series, np.ndarray]:
    """Numbers of distinct texts: plain numbers directly, the rest (blank, markers,
    thousands separators, junk) one by one through the rules."""
    if not any(_plain_number(marker) for marker in missing):
        direct = pd.to_numeric(texts, errors="coerce").astype(float)
        rest = direct.isna().to_numpy()
        if rest.any():
            values, failed_rest = _parse_slowly(texts[rest], missing)
            direct[rest] = values.to_numpy()
        else:
            failed_rest = np.zeros(0, dtype=bool)
        failed = np.isinf(direct.to_numpy())
        failed[rest] |= failed_rest
        return direct, failed
    return _parse_slowly(texts, missing)


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_slowly(texts: pd.Series, missing: set[str]) -> tuple[pd.Series, np.ndarray]:
    stripped = texts.str.strip()
    is_missing = stripped.isin(missing).to_numpy()
    cleaned = stripped.where(~stripped.str.match(_THOUSANDS), stripped.str.replace(",", ""))
    parsed = pd.to_numeric(cleaned.where(~is_missing, None), errors="coerce").astype(float)
    failed = (parsed.isna().to_numpy() & ~is_missing) | np.isinf(parsed.to_numpy())
    return parsed, failed


def _rounding(texts: pd.Series) -> np.ndarray:
    """Half a unit of each number's last published digit (15.6 -> 0.05, 12 -> 0.5).

    A value rounded for publication may fall just outside limits published with
    more digits; it is accepted when the rounding explains the gap.
    """

    def half_unit(unique: pd.Series) -> pd.Series:
        plain = unique.str.strip().str.fullmatch(r"-?[\d,]*\.?\d*").fillna(False).astype(bool)
        decimals = unique.str.strip().str.partition(".")[2].str.len()
        return (0.5 * 10.0 ** (-decimals)).where(plain, 0.0)

    return _distinct(texts, half_unit).astype(float)


def _looks_like_formula(texts: pd.Series) -> np.ndarray:
    """Texts that start with = + - @ (or a tab / carriage return) and are not numbers.

    Plain numbers are set aside first in one pass, so number columns cost little.
    """
    found = np.zeros(len(texts), dtype=bool)
    plain = pd.to_numeric(texts, errors="coerce").notna().to_numpy()
    rest = texts[~plain]
    first = rest.str.slice(0, 1)
    risky = first.isin(["=", "+", "-", "@", "\t", "\r"]).to_numpy() & (rest.str.len() > 1)
    if risky.any():
        numeric = pd.to_numeric(rest.str.strip(), errors="coerce").notna().to_numpy()
        found[np.flatnonzero(~plain)] = risky & ~numeric
    return found


def _kept(frame: pd.DataFrame, source: Source) -> np.ndarray:
    """The rows that pass every filter."""
    keep = np.ones(len(frame), dtype=bool)
    for rule in source.filters:
        cells = frame[rule.column].astype(str)
        if rule.matches is not None:
            keep &= _distinct(cells, partial(_matching, pattern=rule.matches))
        else:
            found = _distinct(cells, partial(_among, values=set(rule.values())))
            keep &= found if rule.equals is not None else ~found
    return keep


def _among(unique: pd.Series, values: set[str]) -> pd.Series:
    return unique.str.strip().isin(values)


def _matching(unique: pd.Series, pattern: str) -> pd.Series:
    return unique.str.strip().str.fullmatch(pattern).fillna(False).astype(bool)


def _longer(unique: pd.Series, width: int) -> pd.Series:
    return unique.str.len() > width


@dataclass(frozen=True)
class _Long:
    """The rows after unpivoting: source position of each, and the parts the groups give."""

    positions: np.ndarray
    parts: dict[str, np.ndarray]
    where: dict[str, np.ndarray]


def _unpivot(frame: pd.DataFrame, groups: list[tuple[Unpivot, dict[str, str]]]) -> _Long:
    """One row per source row and unpivoted column (in source row order, then column order)."""
    count = len(frame)
    names = sorted(
        {part for group, _ in groups for part in (group.to, *group.into)}
        | {part for group, _ in groups for part in group.fixed.model_dump(exclude_none=True)}
    )
    positions: list[np.ndarray] = []
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    where: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for number, (group, labels) in enumerate(groups):
        columns = list(labels)
        width = len(columns)
        size = count * width
        positions.append(np.repeat(np.arange(count, dtype=np.int64), width))
        cells = frame[columns].to_numpy(dtype=object).reshape(-1)
        column_names = np.tile(np.array(columns, dtype=object), count)
        given: dict[str, tuple[np.ndarray, np.ndarray]] = {
            group.to: (np.tile(np.array(list(labels.values()), dtype=object), count), column_names)
        }
        for part in group.into:
            given[part] = (cells, column_names)
        for part, text in group.fixed.model_dump(exclude_none=True).items():
            origin = f"unpivot.{number}.fixed.{part}"
            given[part] = (np.full(size, str(text), dtype=object), np.full(size, origin, object))
        for name in names:
            values, origins = given.get(
                name, (np.full(size, "", dtype=object), np.full(size, "", dtype=object))
            )
            parts[name].append(values)
            where[name].append(origins)
    joined = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
    order = np.argsort(joined, kind="stable")
    return _Long(
        positions=joined[order],
        parts={name: np.concatenate(chunks)[order] for name, chunks in parts.items()},
        where={name: np.concatenate(chunks)[order] for name, chunks in where.items()},
    )


def _header_problems(
    frame: pd.DataFrame, source: Source, file: str, header_row: int
) -> tuple[list[Problem], list[tuple[Unpivot, dict[str, str]]]]:
    """Declared columns absent from the file, and the columns of each unpivot group."""
    mapping = source.mapping().used()
    header = [str(column) for column in frame.columns]
    needed = dict.fromkeys([*mapping.values(), *(f.column for f in source.filters)])
    groups: list[tuple[Unpivot, dict[str, str]]] = []
    for number, group in enumerate(source.unpivot):
        named = group.columns if isinstance(group.columns, dict) else dict.fromkeys(group.columns)
        needed.update(dict.fromkeys(named))
        labels = group.labels(header)
        groups.append((group, labels))
        if not labels and group.matching is not None and not named:
            rule = f"no column matches unpivot.{number}.matching"
            return [Problem(file, header_row, "(header)", rule, group.matching)], groups
    problems = [
        Problem(file, header_row, column, "missing column", "")
        for column in needed
        if column not in frame.columns
    ]
    return problems, groups


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
    Exact duplicates are dropped first (``drop_duplicates``), then the filters
    keep their rows, then unpivot groups turn wide columns into rows.
    """
    frame = table.frame
    mapping = source.mapping().used()
    collect = _Collector(file, table.rows)
    absent, groups = _header_problems(frame, source, file, table.header_row)
    if absent:
        return Checked(pd.DataFrame(), absent)

    rows = table.rows
    dropped = 0
    if source.drop_duplicates == "exact":
        repeated = frame.duplicated(keep="first").to_numpy()
        dropped = int(repeated.sum())
        frame, rows = frame.loc[~repeated], rows[~repeated]
    keep = _kept(frame, source)
    frame = frame.loc[keep].reset_index(drop=True)
    rows = rows[keep]
    if groups:
        long = _unpivot(frame, groups)
    else:
        long = _Long(np.arange(len(frame), dtype=np.int64), {}, {})
    collect.rows = rows[long.positions]
    index = pd.RangeIndex(len(long.positions))

    texts: dict[str, pd.Series] = {}
    where: dict[str, Where] = {}
    sources: list[tuple[str, np.ndarray, Where]] = [
        (part, frame[column].to_numpy(dtype=object)[long.positions], column)
        for part, column in mapping.items()
    ]
    sources += [(part, long.parts[part], long.where[part]) for part in long.parts]
    factors: dict[str, tuple[np.ndarray, pd.Series]] = {}
    limit = limits.max_field_chars
    for part, array, column in sources:
        codes, found = pd.factorize(np.asarray(array, dtype=object), use_na_sentinel=False)
        unique = pd.Series(found, dtype=object).astype(str)
        unique_long = (unique.str.len() > limit).to_numpy()
        unique_formula = _looks_like_formula(unique) & ~unique_long
        cells = pd.Series(unique.to_numpy(dtype=object)[codes], index=index)
        collect.flag(unique_long[codes], column, f"longer than {limit} characters", cells)
        rule = "formula-like text refused (starts with = + - @)"
        collect.flag(unique_formula[codes], column, rule, cells)
        clean = unique.where(~(unique_long | unique_formula), "").str.strip()
        factors[part] = (codes, clean)
        texts[part] = pd.Series(clean.to_numpy(dtype=object)[codes], index=index)
        where[part] = column

    out = pd.DataFrame(index=index)
    fixed = source.fixed.model_dump()
    for part in (*_FIXABLE, "breakdown_type", "breakdown"):
        if fixed.get(part) is None:
            continue
        constant = str(fixed[part]).strip()
        if part in texts:
            texts[part] = texts[part].where(texts[part] != "", constant)
        else:
            texts[part] = pd.Series(constant, index=index, dtype=object)
            where[part] = f"fixed.{part}"
    _recode(texts, where, source, collect)
    for part in ("indicator_id", "area_code", "period"):
        values = texts[part]
        column = where.get(part, f"fixed.{part}")
        collect.flag((values == "").to_numpy(), column, "missing", values)
        out[part] = values
    for part, default in _DEFAULTS.items():
        values = texts[part] if part in texts else pd.Series(default, index=index)
        out[part] = values.where(values != "", default).astype(object)
    out["sex"] = _distinct(out["sex"], lambda u: u.str.lower().replace(_SEXES))
    _check_periods(out, where, source, collect)
    if source.number_repeats is not None:
        others = [key for key in KEY_COLUMNS if key != source.number_repeats]
        counted = out.groupby(others, sort=False, dropna=False).cumcount() + 1
        out[source.number_repeats] = counted.astype(str).astype(object)
    for part in (*KEY_COLUMNS, "area_code"):
        width = _WIDTHS[part]
        long_text = _distinct(out[part], partial(_longer, width=width))
        column = where.get(part, f"fixed.{part}")
        rule = f"longer than {width} characters (the store's limit)"
        collect.flag(long_text, column, rule, out[part])
    out["area_name"] = texts["area_name"] if "area_name" in texts else out["area_code"]
    _check_codes(out, source, where, known_codes or {}, collect)
    _check_numbers(out, texts, source, where, collect, factors)
    if source.count_rows:
        out = _counted(out)
    else:
        _check_duplicates(out, where, collect)
    problems = list(dict.fromkeys(collect.problems))
    problems.sort(key=lambda p: (p.row, p.column))
    return Checked(out, problems, dropped)


def _counted(out: pd.DataFrame) -> pd.DataFrame:
    """One row per key, its figure the number of rows (``count_rows``)."""
    keys = [*KEY_COLUMNS, "area_type", "period_start"]
    grouped = out.groupby(keys, sort=False, dropna=False)
    counted = grouped.agg(area_name=("area_name", "first"), rows=("area_code", "size"))
    counted = counted.reset_index()
    for part in NUMBER_COLUMNS:
        counted[part] = np.nan
    counted["numerator"] = counted["rows"].astype(float)
    counted["value"] = counted["rows"].astype(float)
    return counted.drop(columns="rows")


def _recode(
    texts: dict[str, pd.Series], where: dict[str, Where], source: Source, collect: _Collector
) -> None:
    """Replace published texts by the declared ones; a text without an entry is a problem."""
    for part, table in source.recode.items():
        if part not in texts:
            continue
        values = texts[part]
        entries = {text: stored for text, stored in table.items() if text != "*"}
        mapped = values.map(entries)
        if table.get("*") != "*":
            lacking = (mapped.isna() & (values != "")).to_numpy()
            collect.flag(lacking, where[part], f"no recode.{part} entry for this text", values)
        texts[part] = mapped.where(mapped.notna(), values).astype(object)


def _check_codes(
    out: pd.DataFrame,
    source: Source,
    where: dict[str, Where],
    known: Mapping[str, set[str]],
    collect: _Collector,
) -> None:
    codes = out["area_code"]
    column = where["area_code"]
    present = (codes != "").to_numpy()
    kinds = area_types_of(codes, source.geography, source.area_type_of_prefix())
    valid = np.ones(len(codes), dtype=bool)
    if source.code_pattern is not None:
        pattern = source.code_pattern
        valid = _distinct(codes, lambda u: u.str.fullmatch(pattern).fillna(False).astype(bool))
        rule = f"not an area code (pattern {source.code_pattern})"
        collect.flag(present & ~valid, column, rule, codes)
    else:
        for kind in kinds.unique():
            of_kind = (kinds == kind).to_numpy()
            known_type = AREA_TYPES.get(kind)
            if known_type is None:
                ok = _distinct(
                    codes, lambda u: u.str.fullmatch(ONS_CODE_PATTERN).fillna(False).astype(bool)
                )
                rule = "not an ONS area code (a letter and 8 digits)"
            else:
                distinct = pd.unique(codes[of_kind])
                accepted = {code for code in distinct if known_type.accepts(code)}
                ok = codes.isin(accepted).to_numpy()
                rule = f"not a {kind} code ({known_type.rule()})"
            bad = of_kind & present & ~ok
            collect.flag(bad, column, rule, codes)
            valid &= ~bad
    out["area_type"] = kinds
    if source.unknown_areas == "add":
        return
    for area_type, codes_known in known.items():
        if not codes_known:
            continue
        of_type = (out["area_type"] == area_type).to_numpy() & present & valid
        unknown = of_type & ~codes.isin(codes_known).to_numpy()
        collect.flag(unknown, column, f"unknown area code for {area_type}", codes)


def _check_periods(
    out: pd.DataFrame, where: dict[str, Where], source: Source, collect: _Collector
) -> None:
    """Periods start with a year; ``period_format`` relabels them from that year."""
    periods = out["period"]
    distinct = pd.unique(periods)
    first = {text: period_start(text) for text in distinct}
    starts = periods.map(first)
    bad = starts.isna().to_numpy() & (periods != "").to_numpy()
    collect.flag(bad, where.get("period", "fixed.period"), "not a period", periods)
    out["period_start"] = starts.fillna(0).astype(np.int64)
    chosen = source.period_format
    if chosen is None:
        return
    if isinstance(chosen, str):
        labels = {
            text: format_period(chosen, year) if year is not None else text
            for text, year in first.items()
        }
        out["period"] = periods.map(labels).astype(object)
        return
    templates = out["indicator_id"].map(lambda key: chosen.get(key, chosen.get("*")))
    rows = pd.DataFrame({"period": periods, "template": templates.fillna("")})
    pairs = rows.drop_duplicates()
    pairs["label"] = [
        format_period(template, year)
        if template and (year := first.get(text)) is not None
        else text
        for text, template in zip(pairs["period"], pairs["template"], strict=True)
    ]
    labelled = rows.merge(pairs, on=["period", "template"], how="left")
    out["period"] = labelled["label"].to_numpy(dtype=object)


def _check_numbers(
    out: pd.DataFrame,
    texts: dict[str, pd.Series],
    source: Source,
    mapping: dict[str, Where],
    collect: _Collector,
    factors: Mapping[str, tuple[np.ndarray, pd.Series]] | None = None,
) -> None:
    """Numbers parsed (once per distinct text, with ``factors``) and their rules checked."""
    factors = factors or {}
    missing = set(source.missing_values)
    for part in NUMBER_COLUMNS:
        if part not in texts:
            out[part] = np.nan
            continue
        if part in factors:
            codes, unique = factors[part]
            parsed, broken = _parse_numbers(unique, missing)
            values = pd.Series(parsed.to_numpy()[codes], index=out.index, dtype=float)
            failed = broken[codes]
        else:
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
                slack = np.maximum(1e-9 * np.maximum(1.0, np.abs(value)), _rounding(texts["value"]))
                outside = (value < lows - slack) | (value > highs + slack)
                collect.flag(
                    outside, mapping["value"], "outside its confidence interval", texts["value"]
                )


def _check_duplicates(out: pd.DataFrame, where: dict[str, Where], collect: _Collector) -> None:
    keys = list(KEY_COLUMNS)
    repeated = out.duplicated(subset=keys, keep="first").to_numpy()
    if not repeated.any():
        return
    first_row = (
        pd.Series(collect.rows, index=out.index).groupby([out[k] for k in keys]).transform("first")
    )
    labels = "duplicate of row " + first_row.astype(str)
    column = where["area_code"]
    for position in np.flatnonzero(repeated):
        collect.problems.append(
            Problem(
                collect.file,
                int(collect.rows[position]),
                column if isinstance(column, str) else str(column[position]),
                str(labels.iloc[position]),
                out["area_code"].iloc[position],
            )
        )
