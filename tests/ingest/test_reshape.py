"""Declaration features for real files: unpivot, exact duplicates, recode, period labels,
filters that drop or match, area types by prefix, repeats numbered, rows counted, lean reads.

Every test reads a real file of the data mirror (or a real file with one cell changed)
and checks it against figures of the catalogue (``design/INDICATORS.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from jsna.content.sources import Source, format_period
from jsna.ingest.formats import read_table
from jsna.ingest.problems import Limits
from jsna.ingest.validate import Checked, check_table
from tests.paths import DATA_MIRROR

from .conftest import DEVDATA, TRAFFORD

POP_LA = DATA_MIRROR / "trafford/population/trafford_mid2024_syoa_local_authority.csv"
IMD25 = DATA_MIRROR / "trafford/deprivation/trafford_imd2025_lsoa21_scores_ranks_deciles.csv"
QOF = DATA_MIRROR / "england/qof/qof_prevalence_registers_practice_2019_20.csv"
VALUES = DATA_MIRROR / "england/fingertips/la_indicator_values_england.csv"
PHARMACIES = DATA_MIRROR / "trafford/services/trafford_pharmacies.csv"
QOF_IMD = DATA_MIRROR / "england/qof/qof_prevalence_2019_20_by_imd_decile_modelled.csv"
BASE: dict[str, Any] = {"publisher": "ONS", "licence": "OGL-UK-3.0", "format": "csv"}

POPULATION: dict[str, Any] = {
    **BASE,
    "id": "population",
    "title": "Mid-2024 population",
    "file": str(POP_LA),
    "geography": "ltla23",
    "measure": "count",
    "columns": {"area_code": "area_code", "area_name": "area_name", "period": "period"}
    | {"sex": "sex"},
    "period_format": "{y}",
    "unpivot": [
        {
            "columns": {"all_ages": "all ages", "aged_65_and_over": "65+"},
            "matching": r"\d+\+?",
            "to": "age",
            "into": ["numerator", "value"],
            "fixed": {"indicator_id": "population"},
        }
    ],
}

DEVDATA_COLUMNS = {
    "indicator_id": "indicator_id",
    "area_code": "area_code",
    "area_name": "area_name",
    "period": "year",
    "sex": "sex",
    "age": "age",
    "numerator": "count",
    "denominator": "denominator",
    "value": "value",
    "lower_95": "lower_ci_95",
    "upper_95": "upper_ci_95",
}


def checked(declared: dict[str, Any], path: Path | None = None, **known: set[str]) -> Checked:
    """Read and check a declared file (``path`` overrides the declared one)."""
    source = Source.model_validate(declared)
    file = Path(path or str(source.file))
    return check_table(read_table(file, source, Limits()), source, file.name, Limits(), known)


def figure(frame: pd.DataFrame, part: str = "value", **keys: str) -> float:
    """The one figure of the rows matching ``keys``."""
    chosen = frame
    for name, wanted in keys.items():
        chosen = chosen[chosen[name] == wanted]
    assert len(chosen) == 1, chosen
    return float(chosen[part].iloc[0])


def test_unpivot_turns_single_years_into_rows_with_the_column_as_age() -> None:
    result = checked(POPULATION)
    assert result.problems == []
    frame = result.frame
    assert len(frame) == 3 * (2 + 91)  # persons/female/male x (all ages, 65+, 0..89, 90+)
    assert set(frame["sex"]) == {"persons", "female", "male"}
    assert set(frame["period"]) == {"2024"}
    assert figure(frame, sex="persons", age="all ages") == 241_025
    assert figure(frame, "numerator", sex="female", age="all ages") == 123_369
    assert figure(frame, sex="male", age="all ages") == 117_656
    assert figure(frame, sex="persons", age="65+") == 42_515
    persons = frame[frame["sex"] == "persons"]
    old = persons[persons["age"].isin([str(a) for a in range(85, 90)] + ["90+"])]
    assert old["value"].sum() == 6_249
    singles = persons[~persons["age"].isin(["all ages", "65+"])]
    assert singles["value"].sum() == 241_025


def test_a_bad_unpivoted_cell_is_reported_at_its_own_row_and_column(tmp_path: Path) -> None:
    frame = pd.read_csv(POP_LA, dtype=str, keep_default_na=False)
    frame.loc[1, "45"] = "12a"
    frame.loc[2, "all_ages"] = "=1+1"
    path = tmp_path / "population.csv"
    frame.to_csv(path, index=False)
    shown = [str(problem) for problem in checked(POPULATION, path).problems]
    assert shown == [
        "population.csv:3:45: not a number ('12a')",
        "population.csv:4:all_ages: formula-like text refused (starts with = + - @) ('=1+1')",
    ]


def test_unpivot_groups_give_each_group_its_own_measure() -> None:
    declared = {
        **BASE,
        "id": "imd",
        "title": "IMD 2025",
        "file": str(IMD25),
        "geography": "lsoa21",
        "measure": "score",
        "columns": {"area_code": "lsoa21_code", "area_name": "lsoa21_name"},
        "fixed": {"period": "2025"},
        "unpivot": [
            {
                "columns": {"IMD_score": "imd", "Income_score": "income"},
                "to": "breakdown",
                "into": "value",
                "fixed": {"indicator_id": "iod_score", "breakdown_type": "domain"},
            },
            {
                "columns": {"IMD_decile": "imd"},
                "to": "breakdown",
                "into": "value",
                "fixed": {"indicator_id": "iod_decile", "breakdown_type": "domain"},
            },
        ],
    }
    result = checked(declared)
    assert result.problems == []
    frame = result.frame
    assert frame.groupby("indicator_id").size().to_dict() == {"iod_decile": 139, "iod_score": 278}
    deciles = frame[frame["indicator_id"] == "iod_decile"]
    assert (deciles["value"] == 1).sum() == 6  # 6 of Trafford's 139 LSOAs in decile 1
    assert set(frame["breakdown_type"]) == {"domain"}


def test_exact_duplicates_are_dropped_and_counted_before_the_filters() -> None:
    declared = {
        **BASE,
        "id": "diabetes",
        "title": "Diabetes",
        "file": str(DEVDATA),
        "geography": "ltla23",
        "drop_duplicates": "exact",
        "columns": DEVDATA_COLUMNS,
        "filters": [
            {"column": "indicator_id", "equals": "241"},
            {"column": "area_code", "matches": r"E(08|92)\d{6}"},
        ],
        "period_format": {"241": "{y}/{yy+1}"},
        "area_types": {"E10": "utla23"},
    }
    result = checked(declared)
    assert result.dropped == 2_493
    assert result.problems == []
    frame = result.frame
    assert set(frame["area_type"]) == {"ltla23", "country"}
    assert figure(frame, "numerator", area_code=TRAFFORD, period="2019/20") == 12_465
    assert figure(frame, "denominator", area_code=TRAFFORD, period="2019/20") == 191_775


def test_without_drop_duplicates_the_duplicates_are_refused() -> None:
    declared = {
        **BASE,
        "id": "population",
        "title": "Population",
        "file": str(DEVDATA),
        "geography": "ltla23",
        "columns": DEVDATA_COLUMNS,
        "filters": [
            {"column": "indicator_id", "equals": "91040"},
            {"column": "area_code", "equals": "E92000001"},
        ],
    }
    problems = checked(declared).problems
    assert problems
    assert all(problem.rule.startswith("duplicate of row") for problem in problems)


def test_repeats_are_numbered_in_file_order() -> None:
    declared = {
        **BASE,
        "id": "health_checks",
        "title": "NHS Health Checks offered",
        "file": str(DEVDATA),
        "geography": "ltla23",
        "drop_duplicates": "exact",
        "columns": DEVDATA_COLUMNS,
        "filters": [
            {"column": "indicator_id", "equals": "91040"},
            {"column": "area_code", "equals": TRAFFORD},
        ],
        "fixed": {"breakdown_type": "quarter (unlabelled)"},
        "number_repeats": "breakdown",
        "period_format": "{y}/{yy+1}",
    }
    result = checked(declared)
    assert result.problems == []
    frame = result.frame
    counts = frame.groupby("period")["breakdown"].apply(list).to_dict()
    assert counts["2019/20"] == ["1", "2", "3", "4"]
    assert counts["2024/25"] == ["1", "2"]
    year = frame[frame["period"] == "2019/20"]
    assert year["numerator"].sum() == 2876 + 2171 + 2005 + 2006


def test_recode_is_strict_unless_it_keeps_the_rest(tmp_path: Path) -> None:
    declared = {
        **BASE,
        "id": "qof",
        "title": "QOF",
        "file": str(QOF),
        "geography": "gp_practice",
        "measure": "count",
        "columns": {
            "indicator_id": "group_code",
            "area_code": "practice_code",
            "age": "patient_list_type",
            "numerator": "register",
            "denominator": "patient_list_size",
        },
        "fixed": {"period": "2019/20"},
        "filters": [{"column": "practice_code", "matches": "P91.*"}],
        "recode": {"indicator_id": {"DM": "qof_dm", "*": "*"}, "age": {"17OV": "17+"}},
    }
    result = checked(declared)
    lacking = {(p.column, p.value) for p in result.problems}
    assert lacking == {
        ("patient_list_type", value) for value in ("TOTAL", "16OV", "18OV", "30_74", "50OV")
    }
    assert all(p.rule == "no recode.age entry for this text" for p in result.problems)
    diabetes = result.frame[result.frame["indicator_id"] == "qof_dm"]
    assert len(diabetes) == 30
    assert set(diabetes["age"]) == {"17+"}
    assert diabetes["numerator"].sum() == 12_465
    assert diabetes["denominator"].sum() == 191_775
    assert "AF" in set(result.frame["indicator_id"])  # kept as published


def test_unknown_practices_are_refused_or_added_as_declared() -> None:
    declared = {
        **BASE,
        "id": "qof",
        "title": "QOF",
        "file": str(QOF),
        "geography": "gp_practice",
        "columns": {"indicator_id": "group_code", "area_code": "practice_code"}
        | {"numerator": "register", "denominator": "patient_list_size"},
        "fixed": {"period": "2019/20"},
        "filters": [{"column": "practice_code", "matches": "P91.*"}],
    }
    codes = pd.read_csv(QOF, usecols=["practice_code"], dtype=str)["practice_code"]
    closed = {"P91032", "P91619", "P91625", "P91633"}  # gone since 2019/20
    open_practices = set(codes[codes.str.startswith("P91")]) - closed
    refused = checked(declared, gp_practice=open_practices).problems
    assert {p.value for p in refused} == closed
    assert {p.rule for p in refused} == {"unknown area code for gp_practice"}
    added = checked(declared | {"unknown_areas": "add"}, gp_practice=open_practices)
    assert added.problems == []
    assert added.frame["area_code"].nunique() == 30


def test_not_equals_filters_and_prefix_area_types() -> None:
    declared = {
        **BASE,
        "id": "decay",
        "title": "Tooth decay at age 5",
        "file": str(VALUES),
        "geography": "ltla23",
        "area_types": {"E10": "utla23", "E47": "combined_authority"},
        "columns": {
            "indicator_id": "indicator_id",
            "area_code": "area_code",
            "period": "period",
            "value": "value",
        },
        "filters": [
            {"column": "indicator_id", "equals": "children_dental_decay"},
            {"column": "area_code", "not_equals": ["E10000002", "E06000028", "E06000029"]},
            {"column": "period", "equals": "2023/24"},
        ],
    }
    result = checked(declared)
    assert result.problems == []
    kinds = result.frame.groupby("area_code")["area_type"].first()
    assert kinds["E92000001"] == "country"
    assert kinds[TRAFFORD] == "ltla23"
    assert kinds["E10000015"] == "utla23"  # Hertfordshire
    assert figure(result.frame, area_code=TRAFFORD) == 25.1
    assert figure(result.frame, area_code="E10000015") == 16.8


def test_only_the_declared_columns_are_read() -> None:
    source = Source.model_validate(
        {
            **BASE,
            "id": "smoking",
            "title": "Smoking",
            "file": str(VALUES),
            "geography": "ltla23",
            "columns": {"indicator_id": "indicator_id", "area_code": "area_code"}
            | {"period": "period", "value": "value"},
            "filters": [{"column": "area_type", "equals": "Country"}],
        }
    )
    table = read_table(VALUES, source, Limits())
    assert list(table.frame.columns) == [
        "indicator_id",
        "area_code",
        "area_type",
        "period",
        "value",
    ]
    assert len(table.frame) == 99_469


def test_count_rows_counts_sites_per_area() -> None:
    declared = {
        **BASE,
        "id": "pharmacies",
        "title": "Pharmacies",
        "file": str(PHARMACIES),
        "geography": "ward23",
        "measure": "count",
        "columns": {"area_code": "ward_code", "area_name": "ward_name"},
        "fixed": {"indicator_id": "pharmacies", "period": "2025-03"},
        "count_rows": True,
    }
    every = checked(declared)
    assert every.problems == []
    assert every.frame["value"].sum() == 57
    assert (every.frame["numerator"] == every.frame["value"]).all()
    assert every.frame["area_code"].is_unique
    sunday = checked(
        declared | {"filters": [{"column": "opening_hours_sunday", "not_equals": "CLOSED"}]}
    )
    assert sunday.frame["value"].sum() == 11


def test_fixed_area_for_a_file_about_one_area() -> None:
    declared = {
        **BASE,
        "id": "qof_imd",
        "title": "QOF by IMD decile",
        "file": str(QOF_IMD),
        "geography": "country",
        "measure": "proportion",
        "columns": {"indicator_id": "group_code", "breakdown": "imd_overall"}
        | {"numerator": "register", "denominator": "list"},
        "fixed": {"area_code": "E92000001", "area_name": "England", "period": "2019/20"}
        | {"breakdown_type": "IMD 2019 national decile"},
    }
    result = checked(declared)
    assert result.problems == []
    diabetes = result.frame[result.frame["indicator_id"] == "DM"].set_index("breakdown")
    prevalence = diabetes["numerator"] / diabetes["denominator"]
    assert round(prevalence["1"], 3) == 0.085  # 8.5% in the most deprived decile
    assert round(prevalence["10"], 3) == 0.058
    assert set(result.frame["area_type"]) == {"country"}


def test_a_rounded_value_just_outside_its_published_limits_is_accepted(tmp_path: Path) -> None:
    header = "indicator,code,year,value,lower,upper\n"
    path = tmp_path / "rounded.csv"
    rows = ["93701,E92000001,2022,15.6,15.52,15.59", "93701,E08000009,2022,15.7,15.52,15.59"]
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    declared = {
        **BASE,
        "id": "rounded",
        "title": "Rounded",
        "file": str(path),
        "geography": "ltla23",
        "columns": {"indicator_id": "indicator", "area_code": "code", "period": "year"}
        | {"value": "value", "lower_95": "lower", "upper_95": "upper"},
    }
    shown = [str(problem) for problem in checked(declared).problems]
    assert shown == ["rounded.csv:3:value: outside its confidence interval ('15.7')"]


@pytest.mark.parametrize(
    ("template", "year", "label"),
    [
        ("{y}", 2024, "2024"),
        ("{y}/{yy+1}", 2019, "2019/20"),
        ("{y}/{yy+1}", 1999, "1999/00"),
        ("{y}/{yy+1} - {yy+4}/{yy+5}", 2018, "2018/19 - 22/23"),
        ("{y-2} - {yy}", 2021, "2019 - 21"),
    ],
)
def test_period_labels_from_the_first_year(template: str, year: int, label: str) -> None:
    assert format_period(template, year) == label


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"period_format": "{year}/{yy+1}"}, "period_format"),
        ({"filters": [{"column": "sex", "equals": "x", "not_equals": "y"}]}, "exactly one"),
        ({"filters": [{"column": "sex", "matches": "("}]}, "not a regular expression"),
        ({"count_rows": True}, "count_rows gives the figures"),
        ({"recode": {"value": {"1": "2"}}}, "not a text part"),
        ({"unpivot": [{"columns": ["0"], "to": "age", "into": "area_code"}]}, "figure parts"),
        ({"unpivot": [{"columns": ["0"], "to": "sex", "into": "value"}]}, "also given in columns"),
        ({"drop_duplicates": "exact", "format": "xlsx"}, "only for csv"),
    ],
)
def test_declaration_mistakes_are_named(change: dict[str, Any], message: str) -> None:
    declared = {
        **POPULATION,
        "unpivot": [],
        "columns": POPULATION["columns"] | {"value": "all_ages"},
        "fixed": {"indicator_id": "population"},
    }
    with pytest.raises(ValidationError, match=message):
        Source.model_validate(declared | change)


def test_sexes_are_stored_as_persons_male_or_female() -> None:
    declared = {
        **BASE,
        "id": "apms",
        "title": "APMS 2007",
        "file": str(
            DATA_MIRROR / "england/mental_health/apms2007_psychosis_personality_disorder_rates.csv"
        ),
        "geography": "country",
        "columns": {"indicator_id": "condition", "sex": "sex", "age": "age_band"}
        | {"value": "prevalence_pct"},
        "fixed": {"area_code": "E92000001", "period": "2007"},
    }
    result = checked(declared)
    assert result.problems == []
    assert set(result.frame["sex"]) == {"male", "female", "persons"}  # Males, Females, Total, All
    assert result.frame["value"].isna().sum() == 8  # "-" in the survey table: no value


@pytest.mark.parametrize("markers", [["", "x"], ["", "x", "-999"]])
def test_numbers_parse_the_same_whatever_the_missing_markers(
    tmp_path: Path, markers: list[str]
) -> None:
    path = tmp_path / "numbers.csv"
    cells = ["1,234", "-999", "x", " 7 ", "", "12.5", "abc", "inf"]
    rows = [f"i,E08000009,{2000 + n},{cell!r}".replace("'", '"') for n, cell in enumerate(cells)]
    path.write_text("indicator,code,year,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    declared = {
        **BASE,
        "id": "numbers",
        "title": "Numbers",
        "file": str(path),
        "geography": "ltla23",
        "missing_values": markers,
        "columns": {"indicator_id": "indicator", "area_code": "code", "period": "year"}
        | {"value": "value"},
    }
    result = checked(declared)
    assert [(p.row, p.rule) for p in result.problems] == [(8, "not a number"), (9, "not a number")]
    values = result.frame["value"].tolist()
    minus = float("nan") if "-999" in markers else -999.0
    expected = [1234.0, minus, None, 7.0, None, 12.5, None, None]
    for got, wanted in zip(values, expected, strict=True):
        assert (pd.isna(got) and (wanted is None or pd.isna(wanted))) or got == wanted
