"""Data source declarations: one ``sources/<id>.yml`` per source in the project folder.

A declaration says where a file comes from (publisher, licence, URL or file),
how to read it (format, sheet, encoding, filters) and which of its columns
give each part of an observation (indicator, area code, period, breakdown,
numerator, denominator, value, confidence limits). Parts that do not vary
within the file can be fixed instead (``fixed: {indicator_id: ...}``).

Example::

    id: census_general_health
    title: Census 2021 general health by ward
    publisher: Office for National Statistics
    licence: OGL-UK-3.0
    file: data/census2021_general_health_ward.csv
    format: csv
    geography: ward22
    measure: count
    columns: {area_code: area_code, area_name: area_name, breakdown: general_health, value: value}
    fixed: {indicator_id: general_health, period: "2021", breakdown_type: general health}

:func:`load_sources` reads every declaration and reports every problem of every
file at once as ``path:line: field: message`` in one :class:`ContentError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jsna.errors import ContentError

__all__ = [
    "FORMATS",
    "MEASURES",
    "ONS_CODE_PATTERN",
    "ColumnMapping",
    "Filter",
    "FixedValues",
    "Source",
    "load_source",
    "load_sources",
]

Format = Literal["csv", "xlsx", "geojson", "fingertips"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "geojson", "fingertips")
Measure = Literal["count", "proportion", "crude_rate", "dsr", "ratio", "mean", "score", "other"]
MEASURES: tuple[str, ...] = (
    "count",
    "proportion",
    "crude_rate",
    "dsr",
    "ratio",
    "mean",
    "score",
    "other",
)
ONS_CODE_PATTERN = r"[EWSNK]\d{8}"
"""ONS GSS codes: a country letter and eight digits (E05000819, E92000001)."""

SOURCES_FOLDER = "sources"
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ColumnMapping(BaseModel):
    """Which column of the file gives each part of an observation (None: not in the file)."""

    model_config = _FROZEN

    indicator_id: str | None = Field(default=None, description="Column with the indicator id.")
    area_code: str | None = Field(default=None, description="Column with the area code.")
    area_name: str | None = Field(default=None, description="Column with the area name (optional).")
    period: str | None = Field(default=None, description="Column with the period as published.")
    sex: str | None = Field(
        default=None, description="Column with the sex (persons, male, female)."
    )
    age: str | None = Field(default=None, description="Column with the age band.")
    breakdown_type: str | None = Field(
        default=None, description="Column with the kind of breakdown (e.g. deprivation decile)."
    )
    breakdown: str | None = Field(default=None, description="Column with the breakdown category.")
    numerator: str | None = Field(default=None, description="Column with the count of events.")
    denominator: str | None = Field(default=None, description="Column with the population at risk.")
    value: str | None = Field(default=None, description="Column with the indicator value.")
    lower_95: str | None = Field(default=None, description="Column with the lower 95% limit.")
    upper_95: str | None = Field(default=None, description="Column with the upper 95% limit.")
    lower_99_8: str | None = Field(default=None, description="Column with the lower 99.8% limit.")
    upper_99_8: str | None = Field(default=None, description="Column with the upper 99.8% limit.")

    def used(self) -> dict[str, str]:
        """The mapped parts: observation field -> file column."""
        return {name: column for name, column in self.model_dump().items() if column is not None}


FINGERTIPS_COLUMNS = ColumnMapping(
    indicator_id="Indicator ID",
    area_code="Area Code",
    area_name="Area Name",
    period="Time period",
    sex="Sex",
    age="Age",
    breakdown_type="Category Type",
    breakdown="Category",
    numerator="Count",
    denominator="Denominator",
    value="Value",
    lower_95="Lower CI 95.0 limit",
    upper_95="Upper CI 95.0 limit",
    lower_99_8="Lower CI 99.8 limit",
    upper_99_8="Upper CI 99.8 limit",
)
"""The OHID Fingertips API data CSV columns (``format: fingertips`` uses these by default)."""


class FixedValues(BaseModel):
    """Parts of every observation that are the same for the whole file."""

    model_config = _FROZEN

    indicator_id: str | None = Field(default=None, description="Indicator id of every row.")
    period: str | None = Field(
        default=None, description="Period of every row, e.g. 2021 or 2019/20."
    )
    sex: str | None = Field(default=None, description="Sex of every row (default persons).")
    age: str | None = Field(default=None, description="Age band of every row (default all ages).")
    breakdown_type: str | None = Field(default=None, description="Kind of breakdown of every row.")


class Filter(BaseModel):
    """Keep only the rows where ``column`` equals ``equals`` (or one of a list of values)."""

    model_config = _FROZEN

    column: str = Field(description="Column of the file to test.")
    equals: str | tuple[str, ...] = Field(description="The value, or values, to keep.")

    def values(self) -> tuple[str, ...]:
        """The accepted values as a tuple of strings."""
        return (self.equals,) if isinstance(self.equals, str) else self.equals


class Source(BaseModel):
    """One declared data source of the project."""

    model_config = _FROZEN

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="Short id: lower-case letters, digits and underscores.",
    )
    title: str = Field(min_length=1, description="Title shown to readers.")
    publisher: str = Field(min_length=1, description="Who publishes the data.")
    licence: str = Field(min_length=1, description="Licence, e.g. OGL-UK-3.0.")
    url: str | None = Field(default=None, description="Where the data is published.")
    file: str | None = Field(
        default=None, description="The local file, relative to the project folder."
    )
    format: Format = Field(description="csv, xlsx, geojson or fingertips (API data CSV).")
    geography: str = Field(
        min_length=1, description="Area type of the codes in the file, e.g. ltla24 or ward22."
    )
    code_pattern: str | None = Field(
        default=None,
        description="Regular expression every area code must match (default: the rule of "
        "the geography if jsna knows it, else an ONS code).",
    )
    period: str | None = Field(
        default=None, description="Period covered, as published (information)."
    )
    measure: Measure | None = Field(
        default=None, description="Kind of value: proportion, crude_rate..."
    )
    columns: ColumnMapping = Field(
        default=ColumnMapping(), description="File column of each observation part."
    )
    fixed: FixedValues = Field(
        default=FixedValues(), description="Parts that are the same for every row."
    )
    filters: tuple[Filter, ...] = Field((), description="Rows to keep (all must match).")
    sheet: str | None = Field(
        default=None, description="Worksheet to read (xlsx; default the first)."
    )
    encoding: str = Field("utf-8", description="Text encoding of csv/fingertips files.")
    missing_values: tuple[str, ...] = Field(
        ("", "-", "..", ":", "x", "[x]", "[c]", "[z]", "*"),
        description="Cell texts that mean 'no figure' in number columns.",
    )

    @model_validator(mode="after")
    def _complete(self) -> Source:
        """A source needs a place, an indicator, an area code and a period."""
        if self.url is None and self.file is None:
            raise ValueError("give a url or a file")
        if self.sheet is not None and self.format != "xlsx":
            raise ValueError("sheet is only for format xlsx")
        mapping = self.mapping()
        if mapping.indicator_id is None and self.fixed.indicator_id is None:
            raise ValueError("give columns.indicator_id or fixed.indicator_id")
        if mapping.area_code is None:
            raise ValueError("give columns.area_code")
        if mapping.period is None and self.fixed.period is None:
            raise ValueError("give columns.period or fixed.period")
        figures = ("numerator", "denominator", "value")
        if not any(getattr(mapping, name) for name in figures):
            raise ValueError("map at least one of columns.numerator, denominator or value")
        return self

    def mapping(self) -> ColumnMapping:
        """The column mapping, with the Fingertips defaults for ``format: fingertips``."""
        if self.format != "fingertips":
            return self.columns
        return FINGERTIPS_COLUMNS.model_copy(update=self.columns.used())


def _line_index(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    """Record the (1-based) line of every key and list item below ``node``."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            lines[child] = key.start_mark.line + 1
            _line_index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            _line_index(item, (*path, number), lines)


def _line_of(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _problems(path: Path, error: ValidationError, lines: dict[tuple[Any, ...], int]) -> list[str]:
    found: list[tuple[int, str]] = []
    for item in error.errors():
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        loc = tuple(p for p in loc if p not in ("str", "tuple[str, ...]"))
        field = ".".join(str(part) for part in loc) or "(declaration)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "missing (required)"
        line = _line_of(loc, lines)
        found.append((line, f"{path}:{line}: {field}: {message}"))
    return list(dict.fromkeys(text for _, text in sorted(found, key=lambda item: item[0])))


def _parse(path: Path) -> tuple[Source | None, list[str]]:
    """One declaration file: the source, or the problems found in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [f"{path}:1: (file): not UTF-8 text (byte {error.start})"]
    except OSError as error:
        return None, [f"{path}:1: (file): cannot read ({error.strerror})"]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        return None, [f"{path}:{line}: (yaml): broken YAML: {reason}"]
    if not isinstance(data, dict) or node is None:
        return None, [f"{path}:1: (declaration): must be a mapping of keys to values"]
    lines: dict[tuple[Any, ...], int] = {}
    _line_index(node, (), lines)
    try:
        declared = Source.model_validate(data)
    except ValidationError as error:
        return None, _problems(path, error, lines)
    expected = path.stem
    if declared.id != expected:
        line = lines.get(("id",), 1)
        return None, [f"{path}:{line}: id: {declared.id!r} must match the file name {expected!r}"]
    return declared, []


def load_source(path: Path | str) -> Source:
    """Read one declaration; raises :class:`ContentError` listing every problem."""
    declared, problems = _parse(Path(path))
    if declared is None:
        raise ContentError(problems)
    return declared


def declaration_files(project: Path | str) -> list[Path]:
    """The declaration files of a project: ``sources/*.yml`` (and ``*.yaml``), sorted."""
    folder = Path(project) / SOURCES_FOLDER
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def load_sources(project: Path | str, only: Iterable[str] | None = None) -> dict[str, Source]:
    """Every declared source of ``project`` by id (or only the ids given).

    Every file is read and every problem of every file is reported together
    in one :class:`ContentError` (``path:line: field: message``).
    """
    found: dict[str, Source] = {}
    problems: list[str] = []
    files = declaration_files(project)
    if not files:
        problems.append(f"{Path(project) / SOURCES_FOLDER}:1: (folder): no sources/*.yml declared")
    for path in files:
        declared, trouble = _parse(path)
        problems.extend(trouble)
        if declared is not None:
            found[declared.id] = declared
    wanted = list(only) if only is not None else None
    if wanted is not None:
        for missing in sorted(set(wanted) - set(found)):
            if not any(path.stem == missing for path in files):
                folder = Path(project) / SOURCES_FOLDER
                problems.append(f"{folder}:1: {missing}: no such source declared")
    if problems:
        raise ContentError(problems)
    if wanted is not None:
        return {key: found[key] for key in wanted}
    return found
