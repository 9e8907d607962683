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

Real published files need more than a column per part, and the declaration
says so instead of code: ``unpivot`` (wide columns such as single years of age
or categories become rows), ``drop_duplicates: exact``, ``recode`` (published
texts to stored ones, strictly), ``period_format`` (labels from the first
year: ``{y}/{yy+1}``), filters that keep (``equals``, ``matches``) or drop
(``not_equals``) rows, ``area_types`` by code prefix, ``unknown_areas: add``,
``number_repeats`` and ``count_rows`` (a list of sites counted per area).
``examples/trafford/sources`` declares 39 real files with them.

:func:`load_sources` reads every declaration and reports every problem of every
file at once as ``path:line: field: message`` in one :class:`ContentError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from jsna.errors import ContentError

from ._yaml import parse_yaml, read_text, validate

__all__ = [
    "FORMATS",
    "MEASURES",
    "ONS_CODE_PATTERN",
    "ColumnMapping",
    "Filter",
    "FixedValues",
    "Source",
    "Unpivot",
    "format_period",
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
    area_code: str | None = Field(
        default=None, description="Area code of every row (a file about one area, e.g. England)."
    )
    area_name: str | None = Field(default=None, description="Area name of every row.")
    period: str | None = Field(
        default=None, description="Period of every row, e.g. 2021 or 2019/20."
    )
    sex: str | None = Field(default=None, description="Sex of every row (default persons).")
    age: str | None = Field(default=None, description="Age band of every row (default all ages).")
    breakdown_type: str | None = Field(default=None, description="Kind of breakdown of every row.")
    breakdown: str | None = Field(default=None, description="Breakdown category of every row.")


class Filter(BaseModel):
    """Keep only the rows whose ``column`` passes the test (exactly one of the three tests).

    ``equals`` keeps the rows with that value (or one of a list of values),
    ``not_equals`` drops them, and ``matches`` keeps the rows whose whole cell
    matches a regular expression. Cells are compared with surrounding spaces
    removed.
    """

    model_config = _FROZEN

    column: str = Field(description="Column of the file to test.")
    equals: str | tuple[str, ...] | None = Field(
        default=None, description="The value, or values, to keep."
    )
    not_equals: str | tuple[str, ...] | None = Field(
        default=None, description="The value, or values, to drop."
    )
    matches: str | None = Field(
        default=None, description="Regular expression the whole cell must match to be kept."
    )

    @model_validator(mode="after")
    def _one_test(self) -> Filter:
        """Exactly one of equals, not_equals and matches."""
        given = [self.equals, self.not_equals, self.matches]
        if sum(test is not None for test in given) != 1:
            raise ValueError("give exactly one of equals, not_equals or matches")
        if self.matches is not None:
            _compiled(self.matches)
        return self

    def values(self) -> tuple[str, ...]:
        """The values of ``equals`` or ``not_equals`` as a tuple of strings."""
        chosen = self.equals if self.equals is not None else self.not_equals
        if chosen is None:
            return ()
        return (chosen,) if isinstance(chosen, str) else chosen


def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"not a regular expression ({error})") from error


UNPIVOT_TARGETS = ("indicator_id", "period", "sex", "age", "breakdown_type", "breakdown")
"""Parts that may receive the column name (label) of an unpivoted column."""
NUMBER_PARTS = (
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_99_8",
    "upper_99_8",
)
"""Parts that hold figures."""


class Unpivot(BaseModel):
    """One group of wide columns turned into rows: one row per source row and column.

    The column's label goes to the part named by ``to`` (e.g. ``age``) and its
    cell to the part(s) named by ``into`` (e.g. ``value``, or ``[numerator,
    value]`` for a count). ``columns`` lists the columns (a list, or a mapping
    of column to label); ``matching`` adds every column whose whole name matches
    a regular expression (label = column name). ``fixed`` gives parts that are
    the same for the whole group, such as its indicator id.

    Example (single years of age "0" ... "89", "90+", and all ages)::

        unpivot:
          - columns: {all_ages: all ages}
            matching: '\\d+\\+?'
            to: age
            into: [numerator, value]
            fixed: {indicator_id: population}
    """

    model_config = _FROZEN

    columns: tuple[str, ...] | dict[str, str] = Field(
        default=(), description="Columns to unpivot (a list, or column -> label)."
    )
    matching: str | None = Field(
        default=None, description="Also unpivot every column whose whole name matches this."
    )
    to: Literal["indicator_id", "period", "sex", "age", "breakdown_type", "breakdown"] = Field(
        description="Part that receives the column's label."
    )
    into: tuple[str, ...] = Field(description="Part(s) that receive the cell: figures.")
    fixed: FixedValues = Field(
        default=FixedValues(), description="Parts that are the same for every row of the group."
    )

    @field_validator("into", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _complete(self) -> Unpivot:
        """Some columns, figure parts only, and no part given twice."""
        if not self.columns and self.matching is None:
            raise ValueError("give columns or matching")
        if self.matching is not None:
            _compiled(self.matching)
        wrong = [part for part in self.into if part not in NUMBER_PARTS]
        if wrong or not self.into:
            raise ValueError(f"into: must be figure parts ({', '.join(NUMBER_PARTS)})")
        if getattr(self.fixed, self.to) is not None:
            raise ValueError(f"{self.to} is both the target and fixed")
        return self

    def labels(self, header: list[str]) -> dict[str, str]:
        """The columns of ``header`` this group unpivots, with their labels, in file order."""
        named = self.columns if isinstance(self.columns, dict) else {c: c for c in self.columns}
        pattern = _compiled(self.matching) if self.matching is not None else None
        found = {c: named[c] for c in header if c in named}
        if pattern is not None:
            for column in header:
                if column not in found and pattern.fullmatch(column):
                    found[column] = column
        return found

    def wants(self, column: str) -> bool:
        """Whether ``column`` is one of this group's columns."""
        named = self.columns if isinstance(self.columns, dict) else set(self.columns)
        if column in named:
            return True
        return self.matching is not None and _compiled(self.matching).fullmatch(column) is not None


_PLACEHOLDER = re.compile(r"\{(yy|y)(?:([+-])(\d{1,2}))?\}")


def format_period(template: str, year: int) -> str:
    """A period label from its first year: ``{y}`` the year, ``{yy}`` its last 2 digits.

    ``{y+N}`` / ``{yy+N}`` add N years: ``"{y}/{yy+1}"`` gives 2019/20 for 2019,
    ``"{y}/{yy+1} - {yy+4}/{yy+5}"`` gives 2018/19 - 22/23 for 2018.
    """

    def one(match: re.Match[str]) -> str:
        shift = int(match.group(3) or 0) * (-1 if match.group(2) == "-" else 1)
        moved = year + shift
        return f"{moved % 100:02d}" if match.group(1) == "yy" else str(moved)

    return _PLACEHOLDER.sub(one, template)


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
    area_types: dict[str, str] = Field(
        default_factory=dict,
        description="Area type by code prefix, overriding geography (longest prefix wins), "
        "e.g. {E07: ltla23, E10: utla23}. England (E92) and regions (E12) keep theirs.",
    )
    unknown_areas: Literal["reject", "add"] = Field(
        "reject",
        description="Codes the geography does not know: reject them (default) or add them "
        "as new areas (e.g. GP practices closed since the geography's list was made).",
    )
    drop_duplicates: Literal["exact"] | None = Field(
        default=None,
        description="'exact': drop rows identical in every column to an earlier row "
        "(counted in the import result) before filtering.",
    )
    unpivot: tuple[Unpivot, ...] = Field(
        (), description="Groups of wide columns turned into rows (see Unpivot)."
    )
    recode: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Part -> {published text: stored text}; a text without an entry is a "
        "problem (filter such rows out first), unless the table has the entry '*': '*' "
        "(texts without an entry are then kept as published).",
    )
    period_format: str | dict[str, str] | None = Field(
        default=None,
        description="Label periods from their first year, e.g. '{y}/{yy+1}' (2019 -> "
        "2019/20); or a template per indicator id ('*': all others; an indicator without "
        "a template keeps its periods as published). Default: as published.",
    )
    count_rows: bool = Field(
        False,
        description="Each row is one thing (a site, a service): the figure is the number "
        "of rows with the same indicator, area, period, sex, age and breakdown "
        "(numerator and value).",
    )
    number_repeats: Literal["sex", "age", "breakdown_type", "breakdown"] | None = Field(
        default=None,
        description="Part that receives 1, 2, 3 ... for rows that share every other key, in "
        "file order (for files that lost a label, e.g. unlabelled quarters).",
    )

    @model_validator(mode="after")
    def _complete(self) -> Source:
        """A source needs a place, an indicator, an area code and a period."""
        if self.url is None and self.file is None:
            raise ValueError("give a url or a file")
        if self.sheet is not None and self.format != "xlsx":
            raise ValueError("sheet is only for format xlsx")
        mapping = self.mapping()
        given = set(mapping.used())
        for groups in self.unpivot:
            taken = {groups.to, *groups.into} | set(groups.fixed.model_dump(exclude_none=True))
            clash = sorted(taken & given)
            if clash:
                raise ValueError(f"unpivot: {', '.join(clash)} also given in columns")
        for part in ("indicator_id", "period"):
            in_groups = bool(self.unpivot) and all(
                g.to == part or getattr(g.fixed, part) is not None for g in self.unpivot
            )
            given_part = mapping.used().get(part) or getattr(self.fixed, part)
            if given_part is None and not in_groups:
                raise ValueError(f"give columns.{part} or fixed.{part}")
        if mapping.area_code is None and self.fixed.area_code is None:
            raise ValueError("give columns.area_code or fixed.area_code")
        figures = {"numerator", "denominator", "value"}
        unpivoted = {part for g in self.unpivot for part in g.into}
        if self.count_rows:
            if any(getattr(mapping, name) for name in NUMBER_PARTS) or unpivoted:
                raise ValueError("count_rows gives the figures: map no figure columns")
        elif not any(getattr(mapping, name) for name in figures) and not unpivoted & figures:
            raise ValueError("map at least one of columns.numerator, denominator or value")
        for part in self.recode:
            if part not in (*UNPIVOT_TARGETS, "area_code", "area_name"):
                raise ValueError(f"recode: {part} is not a text part of an observation")
        templates = (
            [self.period_format]
            if isinstance(self.period_format, str)
            else list((self.period_format or {}).values())
        )
        for template in templates:
            rest = _PLACEHOLDER.sub("", template)
            if "{" in rest or "}" in rest or not _PLACEHOLDER.search(template):
                raise ValueError(
                    f"period_format: {template!r}: use {{y}}, {{yy}}, {{y+N}} or {{yy+N}} "
                    "(e.g. '{y}/{yy+1}')"
                )
        if self.drop_duplicates is not None and self.format not in ("csv", "fingertips"):
            raise ValueError("drop_duplicates is only for csv and fingertips files")
        return self

    def area_type_of_prefix(self) -> dict[str, str]:
        """Area type by code prefix: England and regions, then the declared prefixes."""
        return {"E92": "country", "E12": "region", **self.area_types}

    def wants_column(self, column: str) -> bool:
        """Whether the import reads ``column`` (mapped, filtered or unpivoted)."""
        if self.drop_duplicates is not None:
            return True
        if column in self.mapping().used().values():
            return True
        if any(rule.column == column for rule in self.filters):
            return True
        return any(group.wants(column) for group in self.unpivot)

    def mapping(self) -> ColumnMapping:
        """The column mapping, with the Fingertips defaults for ``format: fingertips``."""
        if self.format != "fingertips":
            return self.columns
        return FINGERTIPS_COLUMNS.model_copy(update=self.columns.used())


def _parse(path: Path) -> tuple[Source | None, list[str]]:
    """One declaration file: the source, or the problems found in it."""
    text, problem = read_text(path)
    if text is None:
        return None, [str(problem)]
    parsed = parse_yaml(path, text)
    declared, problems = validate(Source, path, parsed)
    if declared is None:
        return None, problems
    if declared.id != path.stem:
        line = parsed.lines.get(("id",), 1)
        return None, [f"{path}:{line}: id: {declared.id!r} must match the file name {path.stem!r}"]
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
