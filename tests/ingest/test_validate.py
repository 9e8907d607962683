"""Validation: every rule, every problem of a file at once, as file:row:column: rule (value)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jsna.content.sources import Source
from jsna.ingest.formats import read_table
from jsna.ingest.problems import MAX_SHOWN, ImportRejectedError, Limits, Problem
from jsna.ingest.validate import check_table, period_start

HEADER = "indicator,code,name,year,count,denominator,value,lower,upper\n"
DECLARED = {
    "id": "diabetes",
    "title": "Diabetes prevalence",
    "publisher": "OHID",
    "licence": "OGL-UK-3.0",
    "format": "csv",
    "geography": "utla23",
    "measure": "proportion",
    "columns": {
        "indicator_id": "indicator",
        "area_code": "code",
        "area_name": "name",
        "period": "year",
        "numerator": "count",
        "denominator": "denominator",
        "value": "value",
        "lower_95": "lower",
        "upper_95": "upper",
    },
}
ROWS = [
    "241,E08000009,Trafford,2019/20,9000,180000,5.0,4.9,5.1",  # 2 fine
    "241,X123,Nowhere,2019/20,1,10,10,5,20",  # 3 bad code
    "241,E08000010,Wigan,last year,1,10,10,5,20",  # 4 bad period
    "241,E08000011,Knowsley,2019/20,abc,10,10,5,20",  # 5 not a number
    "241,E08000012,Liverpool,2019/20,20,10,200,150,250",  # 6 num > den, value > 100
    "241,E08000013,St Helens,2019/20,1,-5,10,5,20",  # 7 negative denominator
    "241,E08000014,Sefton,2019/20,1,10,10,12,11",  # 8 limits reversed, value outside
    "241,E08000009,Trafford,2019/20,9000,180000,5.0,4.9,5.1",  # 9 duplicate of row 2
    "241,E08000099,Atlantis,2019/20,1,10,10,5,20",  # 10 unknown to the store
    "241,E06000001,+Hartlepool,2019/20,1,10,10,5,20",  # 11 formula-like
    ",E08000015,Wirral,,1,10,1e999,5,20",  # 12 missing indicator and period, infinite
]


def _problems(
    tmp_path: Path, rows: list[str], known: dict[str, set[str]] | None = None
) -> list[str]:
    path = tmp_path / "diabetes.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    source = Source.model_validate(DECLARED | {"file": str(path)})
    table = read_table(path, source, Limits())
    result = check_table(table, source, "diabetes.csv", Limits(), known)
    return [str(problem) for problem in result.problems]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    known = {"utla23": {f"E080000{n:02d}" for n in range(1, 16)} | {"E06000001"}}
    utla = (
        "not a utla23 code (an ONS code (a letter and 8 digits) starting E06 or E08 or E09 or E10)"
    )
    assert _problems(tmp_path, ROWS, known) == [
        f"diabetes.csv:3:code: {utla} ('X123')",
        "diabetes.csv:4:year: not a period ('last year')",
        "diabetes.csv:5:count: not a number ('abc')",
        "diabetes.csv:6:count: numerator above denominator ('20')",
        "diabetes.csv:6:value: proportion above 100 ('200')",
        "diabetes.csv:7:count: numerator above denominator ('1')",
        "diabetes.csv:7:denominator: negative ('-5')",
        "diabetes.csv:8:lower: above upper_95 ('12')",
        "diabetes.csv:8:value: outside its confidence interval ('10')",
        "diabetes.csv:9:code: duplicate of row 2 ('E08000009')",
        "diabetes.csv:10:code: unknown area code for utla23 ('E08000099')",
        "diabetes.csv:11:name: formula-like text refused (starts with = + - @) ('+Hartlepool')",
        "diabetes.csv:12:indicator: missing ('')",
        "diabetes.csv:12:value: not a number ('1e999')",
        "diabetes.csv:12:year: missing ('')",
    ]


def test_without_areas_in_the_store_codes_are_checked_against_the_pattern_only(
    tmp_path: Path,
) -> None:
    assert _problems(tmp_path, [ROWS[0], ROWS[8]]) == []


def test_missing_columns_are_reported_on_the_header_row(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("indicator,code,year\n241,E08000009,2019\n", encoding="utf-8")
    source = Source.model_validate(DECLARED | {"file": str(path)})
    result = check_table(read_table(path, source, Limits()), source, "short.csv", Limits())
    assert [str(problem) for problem in result.problems] == [
        f"short.csv:1:{column}: missing column ('')"
        for column in ("name", "count", "denominator", "value", "lower", "upper")
    ]


def test_thousands_separators_and_missing_markers_are_numbers_or_gaps(tmp_path: Path) -> None:
    rows = ['241,E08000009,Trafford,2019,"9,000","180,000",5.0,..,[c]']
    path = tmp_path / "diabetes.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    source = Source.model_validate(DECLARED | {"file": str(path)})
    result = check_table(read_table(path, source, Limits()), source, "d.csv", Limits())
    assert result.problems == []
    row = result.frame.iloc[0]
    assert (row["numerator"], row["denominator"]) == (9000.0, 180000.0)
    assert row["lower_95"] != row["lower_95"]  # NaN


@pytest.mark.parametrize(
    ("period", "start"),
    [("2019", 2019), ("2019/20", 2019), ("2021-03-21", 2021), ("2018 - 20", 2018), ("Q1", None)],
)
def test_period_start_is_the_first_year(period: str, start: int | None) -> None:
    assert period_start(period) == start


def test_the_error_lists_at_most_a_thousand_problems_and_counts_them_all() -> None:
    problems = [Problem("f.csv", row, "code", "not an area code", "x") for row in range(1500)]
    error = ImportRejectedError("f.csv", problems)
    lines = str(error).splitlines()
    assert lines[0] == "f.csv: 1500 problems, nothing imported:"
    assert len(lines) == MAX_SHOWN + 2
    assert lines[-1] == "... and 500 more problems"
