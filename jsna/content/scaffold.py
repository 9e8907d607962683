"""A new project for any English local authority, from the England-wide files of the data mirror.

:func:`scaffold_project` writes a folder that passes ``jsna check``: ``jsna.yml``
(the area, England and, where a file gives it, the region as comparators, the
England-wide lookups kept to the authority with ``only:``, the LA boundaries),
``sources/*.yml`` reading the England-wide files through ``${JSNA_DATA_MIRROR}``
and filtered to the authority and its comparators, ``indicators/*.yml``, three
core chapters (population, deprivation, long-term conditions) and a README for
the analyst. Nothing about a particular place is built in: every name and code
comes from the files.

The authority is found by its ONS code in the lookups:

- a unitary authority, metropolitan district or London borough (E06, E08, E09)
  or a district (E07) is a lower-tier LA (area type ``ltla24``, from the LSOA
  to ward to LA 2024 lookup);
- a county (E10) is an upper-tier LA (area type ``utla23``, from the LA
  2023 lookup); its districts' LSOAs, wards and practices are kept.

The England-wide files have no LA-to-region lookup. The region comparator is
added only where a file says which region the authority is in: London boroughs
(E09, by the ONS code scheme) and the authorities of the North West extract of
``england/fingertips_counts`` (North West only, see the mirror's SOURCES.md).

Only plain file writing happens here: nothing is read from or written to the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jsna.errors import JsnaError

from .mirror import MIRROR_TOKEN, data_mirror

__all__ = [
    "ENGLAND_FILES",
    "Authority",
    "Scaffold",
    "find_authority",
    "scaffold_project",
]

ENGLAND = ("E92000001", "England")
ENGLAND_FILES: dict[str, str] = {
    "lsoa21_to_ward": "england/lookups/lsoa21_to_ward24_ltla24_england.csv",
    "ltla_to_utla": "england/lookups/ltla23_to_utla23_england.csv",
    "regions": "england/population/ons_mye_mid2019_mid2020_england_areas.csv",
    "gp_practices": "england/services/gp_practices_england_qof2023_24.csv",
    "ltla_boundaries": "england/boundaries/ltla_2024_england_buc.geojson",
    "population": "england/population/ons_mye_mid2019_mid2020_england_la_syoa_sex.csv",
    "imd2025_lsoa": "england/deprivation/imd2025_lsoa21_scores_ranks_deciles_england.csv",
    "imd2025_la": "england/deprivation/imd2025_lad24_summaries_england.csv",
    "qof_practices": "england/qof/qof_prevalence_registers_practice_2019_20.csv",
    "fingertips": "england/fingertips/la_indicator_values_england.csv",
    "fingertips_counts": "england/fingertips_counts/fingertipsnext_devdata_northwest_2018_2024.csv",
}
"""The England-wide files a new project reads, relative to the data mirror."""

_LA_CODE = re.compile(r"^E(0[6-9]|10)\d{6}$")
_OGL = "OGL-UK-3.0"
_OWNER = "Public health intelligence team"
AGES = tuple(str(age) for age in range(91))
"""Single years of age of the ONS mid-year estimates; 90 means 90 and over."""


@dataclass(frozen=True)
class Authority:
    """An English local authority as the England-wide files describe it."""

    code: str
    name: str
    area_type: str
    """``ltla24`` (unitary, metropolitan, London borough, district) or ``utla23`` (county)."""
    districts: tuple[str, ...]
    """Lower-tier LA codes whose LSOAs, wards and practices belong to the authority."""
    region: tuple[str, str] | None = None
    """(code, name) of the region, when a file gives it."""

    @property
    def comparator_codes(self) -> tuple[str, ...]:
        """England, then the region when known."""
        return (ENGLAND[0], *((self.region[0],) if self.region else ()))


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)
    except OSError as error:
        raise JsnaError(
            f"{path}: cannot read ({error.strerror}); is JSNA_DATA_MIRROR the shared data "
            "folder (with england/ inside)?"
        ) from error


def _not_found(code: str, why: str, mirror: Path) -> JsnaError:
    return JsnaError(
        f"--area {code}: {why}. Give the ONS code of an English local authority: a unitary "
        "authority, metropolitan district or London borough (E06, E08, E09), a district "
        "(E07) or a county (E10), e.g. E08000009 for Trafford or E06000035 for Medway. "
        "Find yours in the ltla23_code and utla23_code columns of "
        f"{mirror / ENGLAND_FILES['ltla_to_utla']}, or search the authority's name on "
        "https://geoportal.statistics.gov.uk (Local Authority Districts)."
    )


def _region(code: str, districts: Iterable[str], mirror: Path) -> tuple[str, str] | None:
    """The region of the authority when a file of the mirror says which it is (else None)."""
    names = {
        row["area_name"]: row["area_code"]
        for row in _rows(mirror / ENGLAND_FILES["regions"])
        if row["geography"] == "Region"
    }
    if code.startswith("E09") and "LONDON" in names:
        return names["LONDON"], "London"
    wanted = {code, *districts}
    path = mirror / ENGLAND_FILES["fingertips_counts"]
    if path.is_file() and "NORTH WEST" in names:
        with path.open(encoding="utf-8", newline="") as handle:
            if any(row["area_code"] in wanted for row in csv.DictReader(handle)):
                return names["NORTH WEST"], "North West"
    return None


def find_authority(code: str, mirror: Path | None = None) -> Authority:
    """The authority with ONS code ``code``; a :class:`JsnaError` says how to find codes."""
    mirror = mirror or data_mirror()
    code = code.strip().upper()
    if _LA_CODE.match(code) is None:
        raise _not_found(code, "not the code of an English local authority", mirror)
    ltla24 = {
        row["ltla24_code"]: row["ltla24_name"]
        for row in _rows(mirror / ENGLAND_FILES["lsoa21_to_ward"])
    }
    if code in ltla24:
        region = _region(code, (code,), mirror)
        return Authority(code, ltla24[code], "ltla24", (code,), region)
    counties = [
        row for row in _rows(mirror / ENGLAND_FILES["ltla_to_utla"]) if row["utla23_code"] == code
    ]
    districts = tuple(
        sorted(row["ltla23_code"] for row in counties if row["ltla23_code"] in ltla24)
    )
    if not districts:
        raise _not_found(code, "no such local authority in the England lookups", mirror)
    region = _region(code, districts, mirror)
    return Authority(code, counties[0]["utla23_name"], "utla23", districts, region)


# --- what the files hold for the authority -------------------------------------------------


def _has_rows(path: Path, column: str, codes: Iterable[str]) -> bool:
    wanted = set(codes)
    return any(row[column] in wanted for row in _rows(path))


def _has_practices(mirror: Path, districts: tuple[str, ...]) -> bool:
    return _has_rows(mirror / ENGLAND_FILES["gp_practices"], "lad25_code", districts)


# --- the files of the project ---------------------------------------------------------------


def _mirror_path(key: str) -> str:
    return f"{MIRROR_TOKEN}/{ENGLAND_FILES[key]}"


class _Dumper(yaml.SafeDumper):
    """Block-style mappings, lists of plain values on one line, no YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(not isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def _yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _dump(data: dict[str, Any], header: str = "") -> str:
    text = _yaml(data)
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + text


@dataclass
class Scaffold:
    """The files of a new project (path relative to the project folder -> text)."""

    authority: Authority
    files: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    """What the England-wide files do not hold for this authority (said in the README)."""

    def write(self, folder: Path) -> list[Path]:
        """Write every file under ``folder`` (which must not exist or be empty)."""
        written = []
        for name, text in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written


def _source(
    source_id: str,
    title: str,
    publisher: str,
    file_key: str,
    geography: str,
    *,
    columns: dict[str, str],
    fixed: dict[str, str] | None = None,
    filters: list[dict[str, Any]],
    extra: dict[str, Any] | None = None,
    about: str,
) -> tuple[str, str]:
    data: dict[str, Any] = {
        "id": source_id,
        "title": title,
        "publisher": publisher,
        "licence": _OGL,
        "file": _mirror_path(file_key),
        "format": "csv",
        "geography": geography,
        "columns": columns,
    }
    if fixed:
        data["fixed"] = fixed
    data["filters"] = filters
    data.update(extra or {})
    return f"sources/{source_id}.yml", _dump(data, about)


def _indicator(data: dict[str, Any]) -> tuple[str, str]:
    full = {**data, "licence": _OGL, "owner": _OWNER}
    header = (
        f"{data['title']}\n"
        "Reference of every key: docs/content.md (Indicator). Check with: jsna check"
    )
    return f"indicators/{data['id']}.yml", _dump(full, header)


def _selection(measure: str, **rest: Any) -> dict[str, Any]:
    return {"measure": measure, **rest}


def _block(**keys: Any) -> str:
    body = _yaml(keys)
    return f"```jsna\n{body}```\n"


def _chapter(title: str, summary: str, review: dt.date, body: str) -> str:
    front = _yaml(
        {
            "title": title,
            "summary": summary,
            "owner": _OWNER,
            "review_date": review,
            "status": "draft",
        }
    )
    return f"---\n{front}---\n{body}"


_LOCAL_VIEWS = """
## Local views

*To be written by the council: what residents, services and partners say
(surveys, engagement, Healthwatch). Delete this note when done.*

## Recommendations

*To be written by the council. Delete this note when done.*
"""


class _Builder:
    """Collects the files of one authority's project."""

    def __init__(self, authority: Authority, mirror: Path, today: dt.date):
        self.a = authority
        self.mirror = mirror
        self.today = today
        self.out = Scaffold(authority)
        self.review = today + dt.timedelta(days=365)

    def add(self, pair: tuple[str, str]) -> None:
        self.out.files[pair[0]] = pair[1]

    # population ------------------------------------------------------------------------
    def population(self) -> list[str]:
        a = self.a
        path = self.mirror / ENGLAND_FILES["population"]
        if not _has_rows(path, "area_code", (a.code,)):
            self.out.skipped.append(
                f"Population: {path.name} (mid-2019 and mid-2020) has no rows for {a.code}; "
                "the code is newer than those estimates."
            )
            return []
        self.add(
            _source(
                "population_mye",
                "Mid-year population estimates by single year of age and sex, mid-2019 and mid-2020",
                "Office for National Statistics",
                "population",
                a.area_type,
                columns={
                    "area_code": "area_code",
                    "period": "year",
                    "sex": "sex",
                    "age": "age",
                    "numerator": "population",
                },
                fixed={"indicator_id": "population"},
                filters=[{"column": "area_code", "equals": [a.code, *a.comparator_codes]}],
                extra={"measure": "count", "area_types": {"E10": "utla23"}},
                about="ONS mid-year estimates (first published), England, every area.\n"
                f"Kept: {a.name} and its comparators. Age 90 means 90 and over.",
            )
        )
        both = ["female", "male"]
        common = {
            "source": "population_mye",
            "geographies": [a.area_type],
            "polarity": "no_judgement",
            "quality_note": "Estimates as first published; ONS rebased mid-2012 to mid-2021 "
            "on Census 2021 in November 2023.",
            "tags": ["population"],
        }
        self.add(
            _indicator(
                {
                    "id": "population",
                    "title": "Resident population",
                    "definition": "Usual residents, all ages, persons (mid-year estimate).",
                    "rationale": "The number of residents is the denominator of most rates and "
                    "the basis for planning services.",
                    "method": "count",
                    "unit": "people",
                    "decimals": 0,
                    **common,
                    "numerator": _selection("population", sex=both, age=list(AGES)),
                    "breakdowns": ["sex", "age"],
                }
            )
        )
        for indicator_id, title, ages, why in (
            (
                "population_65_plus",
                "Residents aged 65 and over",
                AGES[65:],
                "Older residents use most health and social care.",
            ),
            (
                "population_under_18",
                "Residents aged under 18",
                AGES[:18],
                "Children and young people's services are planned on this population.",
            ),
        ):
            self.add(
                _indicator(
                    {
                        "id": indicator_id,
                        "title": title,
                        "definition": f"{title}, as a percentage of all residents.",
                        "rationale": why,
                        "method": "proportion",
                        "multiplier": 100,
                        "unit": "%",
                        **common,
                        "numerator": _selection("population", sex=both, age=list(ages)),
                        "denominator": _selection(
                            "population", column="numerator", sex=both, age=list(AGES)
                        ),
                    }
                )
            )
        self.add(
            (
                "chapters/01-population.md",
                _chapter(
                    "Population",
                    f"How many people live in {a.name}, and their ages.",
                    self.review,
                    f"""
How many people live in {a.name}, their ages and how this compares with
England. *Replace this paragraph with what the figures mean locally.*

{_block(block="indicator", indicator="population")}
{_block(block="chart", chart="pyramid", indicator="population", area_type=a.area_type)}
{_block(block="table", indicators=["population", "population_65_plus", "population_under_18"])}
{_LOCAL_VIEWS}""",
                ),
            )
        )
        return ["population_mye"]

    # deprivation -----------------------------------------------------------------------
    def deprivation(self) -> list[str]:
        a = self.a
        ids: list[str] = []
        blocks: list[str] = []
        lsoa = self.mirror / ENGLAND_FILES["imd2025_lsoa"]
        if _has_rows(lsoa, "ltla24_code", a.districts):
            self.add(
                _source(
                    "imd2025_lsoa",
                    "English Indices of Deprivation 2025: IMD score by LSOA 2021",
                    "Ministry of Housing, Communities and Local Government",
                    "imd2025_lsoa",
                    "lsoa21",
                    columns={
                        "area_code": "lsoa21_code",
                        "area_name": "lsoa21_name",
                        "value": "IMD_score",
                    },
                    fixed={"indicator_id": "imd2025_score", "period": "2025"},
                    filters=[{"column": "ltla24_code", "equals": list(a.districts)}],
                    extra={"measure": "score"},
                    about=f"IoD2025, every LSOA in England. Kept: the LSOAs of {a.name}.",
                )
            )
            self.add(
                _indicator(
                    {
                        "id": "imd2025_score",
                        "title": "Index of Multiple Deprivation 2025 score",
                        "definition": "IMD 2025 score of each small area (LSOA 2021): higher "
                        "is more deprived.",
                        "rationale": "Deprivation is the strongest predictor of poor health "
                        "and of the need for services.",
                        "method": "value_only",
                        "decimals": 1,
                        "polarity": "low_is_good",
                        "source": "imd2025_lsoa",
                        "value": _selection("imd2025_score"),
                        "geographies": ["lsoa21"],
                        "comparators": ["england"],
                        "trend": False,
                        "tags": ["deprivation"],
                    }
                )
            )
            ids.append("imd2025_lsoa")
            blocks.append(
                _block(
                    block="chart",
                    chart="compare",
                    indicator="imd2025_score",
                    area_type="lsoa21",
                    caption="IMD 2025 score of every LSOA (higher is more deprived).",
                )
            )
        summaries = self.mirror / ENGLAND_FILES["imd2025_la"]
        if _has_rows(summaries, "area_code", a.districts):
            self.add(
                _source(
                    "imd2025_la",
                    "English Indices of Deprivation 2025: local authority summaries",
                    "Ministry of Housing, Communities and Local Government",
                    "imd2025_la",
                    "ltla24",
                    columns={
                        "area_code": "area_code",
                        "area_name": "area_name",
                        "period": "deprivation_data_year",
                        "value": "average_score",
                    },
                    fixed={"indicator_id": "imd2025_average_score"},
                    filters=[
                        {"column": "area_code", "equals": list(a.districts)},
                        {"column": "index_domain", "equals": "Index of Multiple Deprivation"},
                    ],
                    extra={"measure": "score"},
                    about="IoD2025 local authority (2024) summaries, every LA in England.\n"
                    f"Kept: the IMD average score of {a.name}"
                    + (" and its districts." if a.area_type == "utla23" else "."),
                )
            )
            self.add(
                _indicator(
                    {
                        "id": "imd2025_average_score",
                        "title": "IMD 2025 average score",
                        "definition": "Population-weighted average of the IMD 2025 scores of "
                        "the local authority's LSOAs: higher is more deprived.",
                        "rationale": "Summarises how deprived the area is as a whole.",
                        "method": "value_only",
                        "decimals": 1,
                        "polarity": "low_is_good",
                        "source": "imd2025_la",
                        "value": _selection("imd2025_average_score"),
                        "geographies": ["ltla24"],
                        "comparators": ["england"],
                        "trend": False,
                        "tags": ["deprivation"],
                    }
                )
            )
            ids.append("imd2025_la")
            if a.area_type == "ltla24":
                headline = _block(block="indicator", indicator="imd2025_average_score")
            else:  # a county: the summaries are of its districts
                headline = _block(
                    block="chart",
                    chart="compare",
                    indicator="imd2025_average_score",
                    area_type="ltla24",
                    caption="IMD 2025 average score of each district.",
                )
            blocks.insert(0, headline)
        if not ids:
            self.out.skipped.append(f"Deprivation: the IoD2025 files have no rows for {a.code}.")
            return []
        body = "\n".join(blocks)
        self.add(
            (
                "chapters/02-deprivation.md",
                _chapter(
                    "Deprivation",
                    f"Where in {a.name} deprivation is highest (Indices of Deprivation 2025).",
                    self.review,
                    f"""
The Indices of Deprivation 2025 rank every small area (LSOA) in England.
*Replace this paragraph with what the figures mean locally.*

{body}{_LOCAL_VIEWS}""",
                ),
            )
        )
        return ids

    # long-term conditions --------------------------------------------------------------
    QOF = (
        ("DM", "diabetes", "Diabetes", "aged 17 and over", "17+"),
        ("HYP", "hypertension", "Hypertension", "all ages", None),
        ("AST", "asthma", "Asthma", "all ages", None),
        ("COPD", "copd", "Chronic obstructive pulmonary disease", "all ages", None),
        ("CHD", "chd", "Coronary heart disease", "all ages", None),
    )

    def long_term_conditions(self, practices: bool) -> list[str]:
        a = self.a
        ids: list[str] = []
        blocks: list[str] = []
        registers = self.mirror / ENGLAND_FILES["qof_practices"]
        if practices and _has_rows(registers, "lad25_code", a.districts):
            self.add(
                _source(
                    "qof_registers_practice",
                    "QOF 2019/20 disease registers and list sizes by GP practice",
                    "NHS Digital",
                    "qof_practices",
                    "gp_practice",
                    columns={
                        "area_code": "practice_code",
                        "indicator_id": "group_code",
                        "numerator": "register",
                        "denominator": "patient_list_size",
                    },
                    fixed={"period": "2019/20"},
                    filters=[
                        {"column": "lad25_code", "equals": list(a.districts)},
                        {"column": "group_code", "equals": [row[0] for row in self.QOF]},
                    ],
                    extra={"measure": "count", "unknown_areas": "add"},
                    about="QOF 2019/20, every practice in England. Kept: the practices of "
                    f"{a.name}.\nPractices closed since 2019/20 are added as areas "
                    "(unknown_areas: add).",
                )
            )
            for group, key, title, ages, _ in self.QOF:
                self.add(
                    _indicator(
                        {
                            "id": f"qof_{key}",
                            "code": f"QOF {group}",
                            "title": f"{title}: QOF prevalence ({ages})",
                            "definition": f"Patients on the practice's {title.lower()} "
                            f"register, of registered patients {ages}.",
                            "rationale": "Recorded prevalence shows how many patients "
                            "practices care for with the condition.",
                            "method": "proportion",
                            "multiplier": 100,
                            "unit": "%",
                            "decimals": 2,
                            "polarity": "no_judgement",
                            "source": "qof_registers_practice",
                            "numerator": _selection(group),
                            "denominator": _selection(group),
                            "geographies": ["gp_practice", "pcn"],
                            "comparators": ["england"],
                            "quality_note": "Recorded (not true) prevalence: depends on "
                            "case finding and coding.",
                            "tags": ["long-term conditions", "QOF"],
                        }
                    )
                )
            ids.append("qof_registers_practice")
            blocks += [
                _block(
                    block="chart",
                    chart="compare",
                    indicator="qof_diabetes",
                    area_type="gp_practice",
                    caption="Diabetes prevalence by GP practice, with 95% confidence intervals.",
                ),
                _block(
                    block="table",
                    indicators=[f"qof_{row[1]}" for row in self.QOF],
                    area_type="pcn",
                    caption="QOF prevalence by primary care network.",
                ),
            ]
        fingertips = self.mirror / ENGLAND_FILES["fingertips"]
        published = {row["indicator_id"] for row in _rows(fingertips) if row["area_code"] == a.code}
        wanted = (
            ("adults_depression", "depression_qof_la", "Depression: QOF prevalence (18+)"),
            ("dementia_diagnosis", "dementia_diagnosis", "Estimated dementia diagnosis rate (65+)"),
        )
        chosen = [row for row in wanted if row[0] in published]
        missing = [row[0] for row in wanted if row not in chosen]
        if missing:
            self.out.skipped.append(
                f"Long-term conditions: {fingertips.name} has no {' or '.join(missing)} "
                f"values for {a.code}; those indicators are left out."
            )
        if chosen:
            self.add(
                _source(
                    "fingertips_la",
                    "OHID Fingertips indicator values for local authorities",
                    "Office for Health Improvement and Disparities",
                    "fingertips",
                    a.area_type,
                    columns={
                        "indicator_id": "indicator_id",
                        "area_code": "area_code",
                        "area_name": "area_name",
                        "period": "period",
                        "value": "value",
                    },
                    filters=[
                        {"column": "area_code", "equals": [a.code, *a.comparator_codes]},
                        {"column": "indicator_id", "equals": [row[0] for row in chosen]},
                    ],
                    extra={"measure": "other", "area_types": {"E10": "utla23"}},
                    about="Published Fingertips values (no counts) for every LA and England.\n"
                    f"Kept: {a.name} and England, for the indicators this project shows.",
                )
            )
            for measure, indicator_id, title in chosen:
                self.add(
                    _indicator(
                        {
                            "id": indicator_id,
                            "title": title,
                            "definition": f"{title}, as published by OHID Fingertips.",
                            "rationale": "Compares the authority with England where no counts "
                            "are open.",
                            "method": "value_only",
                            "unit": "%",
                            "polarity": "high_is_good"
                            if measure == "dementia_diagnosis"
                            else "no_judgement",
                            "source": "fingertips_la",
                            "value": _selection(measure),
                            "geographies": [a.area_type],
                            "comparators": ["england"],
                            "quality_note": "Published value shown with its source; not "
                            "recomputed (the file has no counts).",
                            "tags": ["long-term conditions"],
                        }
                    )
                )
                blocks.append(_block(block="indicator", indicator=indicator_id))
            ids.append("fingertips_la")
        if not ids:
            self.out.skipped.append(
                f"Long-term conditions: no QOF or Fingertips rows for {a.code}."
            )
            return []
        body = "\n".join(blocks)
        self.add(
            (
                "chapters/03-long-term-conditions.md",
                _chapter(
                    "Long-term conditions",
                    f"How many patients in {a.name} live with long-term conditions.",
                    self.review,
                    f"""
GP practices record patients with long-term conditions on registers (Quality
and Outcomes Framework). *Replace this paragraph with what the figures mean
locally.*

{body}
{_block(block="findings")}
{_LOCAL_VIEWS}""",
                ),
            )
        )
        return ids


def _config(a: Authority, practices: bool, today: dt.date) -> str:
    only = list(a.districts)
    lookups: list[dict[str, Any]] = [
        {"reader": "lsoa21_to_ward", "file": _mirror_path("lsoa21_to_ward"), "only": only},
        {"reader": "ltla_to_utla", "file": _mirror_path("ltla_to_utla")},
        {"reader": "regions", "file": _mirror_path("regions")},
    ]
    if practices:
        lookups.append(
            {"reader": "gp_practices", "file": _mirror_path("gp_practices"), "only": only}
        )
    comparators: list[dict[str, Any]] = [
        {"id": "england", "name": "England", "kind": "england", "codes": [ENGLAND[0]]}
    ]
    if a.region is not None:
        region_id = re.sub(r"[^a-z0-9]+", "_", a.region[1].lower()).strip("_")
        comparators.append(
            {"id": region_id, "name": a.region[1], "kind": "region", "codes": [a.region[0]]}
        )
    area_types = [a.area_type, *(["ltla24"] if a.area_type != "ltla24" else []), "ward24"]
    area_types += ["lsoa21", *(["gp_practice", "pcn"] if practices else [])]
    data: dict[str, Any] = {
        "title": f"{a.name} Joint Strategic Needs Assessment",
        "area": {"code": a.code, "name": a.name, "area_type": a.area_type},
        "comparators": comparators,
        "area_types": area_types,
        "geographies": {
            "lookups": lookups,
            "boundaries": [
                {
                    "area_type": "ltla24",
                    "file": _mirror_path("ltla_boundaries"),
                    "code": "ltla24_code",
                    "name": "ltla24_name",
                    "tolerance": 250.0,
                }
            ],
        },
        "branding": {"organisation": f"{a.name} Council"},
        "disclosure": {"max_suppressed_count": 4, "secondary": True},
        "publication": {"edition": str(today.year), "licence": _OGL},
    }
    header = (
        f"{data['title']}: the settings of the whole JSNA.\n"
        f"Made by 'jsna new' on {today.isoformat()} from the England-wide files of the data\n"
        "mirror; paths starting ${JSNA_DATA_MIRROR} are read from that folder, never copied.\n"
        "Every key is explained in docs/content.md (ProjectConfig). Check with: jsna check\n"
        + (
            ""
            if a.region
            else "No England-wide file says which region the authority is in: add it as a\n"
            "comparator (kind: region; codes E12000001 to E12000009) if you wish.\n"
        )
    )
    return _dump(data, header)


def _readme(a: Authority, out: Scaffold, folder_name: str) -> str:
    skipped = "".join(f"- {line}\n" for line in out.skipped) or "- Nothing: every file had rows.\n"
    region = f"England and {a.region[1]}" if a.region else "England"
    return f"""# {a.name} Joint Strategic Needs Assessment

This folder is a JSNA kept as plain files. It was made by `jsna new` for
{a.name} ({a.code}) from the England-wide open data files, and is compared with
{region}. Nothing here is a program: you edit text files and run `jsna`.

## What each file is

| Path | What it holds |
|---|---|
| `jsna.yml` | The settings of the whole JSNA: the area, the comparators, the kinds of area figures are published for (`area_types`), where the geography comes from, branding, small-number suppression, the edition. |
| `sources/*.yml` | One file per data source: which file to read, which of its columns hold the area code, period, counts and values, and which rows to keep. Paths starting `${{JSNA_DATA_MIRROR}}` are read from the shared data folder. |
| `indicators/*.yml` | One file per indicator: title, definition, why it matters, how it is computed (`method`), which source rows give its numerator and denominator, and whether high is good. |
| `chapters/*.md` | The narrative. Each starts with a few settings between `---` lines (title, owner, review date, status); the text is Markdown, and ```` ```jsna ```` blocks embed figures, charts and tables by indicator id. |
| `.jsna/` | Made by `jsna ingest`: the database the figures are computed from. Not edited by hand. |

## Next steps

From the folder that holds `{folder_name}`:

1. `jsna check {folder_name}`: reads every file and lists every problem as
   `file:line: field: message`. Fix them until it says `0 problems`.
2. `jsna ingest {folder_name}`: loads the geography and every source into the
   project's database (first run: a minute or two).
3. `jsna compute {folder_name}`: computes every indicator for every area, with
   confidence intervals and comparisons with {region}.
4. `jsna export {folder_name} --indicator all --area-type {a.area_type}`: writes
   the results as a spreadsheet (CSV) to read or share.

Then fill in the chapters: replace the paragraphs in *italics*, write the local
views and recommendations, and set `status: published` when a chapter is ready.
`jsna check --strict` also fails on warnings (drafts, missing owners): use it
before publishing. The full guide is `docs/getting-started.md` of jsna.

## What the England-wide files do not have for {a.name}

{skipped}"""


def scaffold_project(
    folder: Path | str,
    code: str,
    *,
    mirror: Path | None = None,
    today: dt.date | None = None,
) -> Scaffold:
    """Write a new project for the authority ``code`` into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise JsnaError(f"{folder}: already exists and is not empty; give a new folder")
    mirror = mirror or data_mirror()
    today = today or dt.date.today()
    authority = find_authority(code, mirror)
    practices = _has_practices(mirror, authority.districts)
    build = _Builder(authority, mirror, today)
    build.add(("jsna.yml", _config(authority, practices, today)))
    build.population()
    build.deprivation()
    build.long_term_conditions(practices)
    build.out.files["README.md"] = _readme(authority, build.out, folder.name)
    build.out.write(folder)
    return build.out
