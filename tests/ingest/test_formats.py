"""Adapters on real files (CSV, xlsx, GeoJSON, Fingertips CSV) and on hostile ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from jsna.content.sources import Source
from jsna.errors import InputFileError
from jsna.ingest.formats import read_table
from jsna.ingest.problems import Limits
from jsna.ingest.validate import Checked, check_table

from .conftest import (
    CENSUS,
    ENGLAND,
    TRAFFORD,
    devdata_rows,
    write_census_xlsx,
    write_fingertips_csv,
    write_wards_geojson,
)


def checked(declared: dict[str, Any], limits: Limits | None = None) -> Checked:
    """Read and check the declared file."""
    source = Source.model_validate(declared)
    assert source.file is not None
    limits = limits or Limits()
    return check_table(read_table(Path(source.file), source, limits), source, source.file, limits)


def _census() -> pd.DataFrame:
    return pd.read_csv(CENSUS, dtype={"value": float})


def test_the_real_census_csv(census_source: dict[str, Any]) -> None:
    result = checked(census_source)
    assert result.problems == []
    frame = result.frame
    assert len(frame) == len(_census()) == 105
    assert frame["area_code"].nunique() == 21
    altrincham = frame[(frame["area_code"] == "E05000819") & (frame["breakdown"] == "Good health")]
    assert altrincham["value"].tolist() == [3897.0]
    assert set(frame["period_start"]) == {2021}
    assert set(frame["area_type"]) == {"ward22"}
    assert set(frame["indicator_id"]) == {"general_health"}
    assert (frame["sex"] == "persons").all()
    assert (frame["age"] == "all ages").all()


def test_the_real_fingertips_devdata_filtered_by_the_declaration(
    devdata_source: dict[str, Any],
) -> None:
    result = checked(devdata_source)
    assert result.problems == []
    rows = devdata_rows()
    kept = rows[rows["area_type"].isin(["Metropolitan district", "Unitary authority", "England"])]
    assert len(result.frame) == len(kept) > 100
    england = result.frame[result.frame["area_code"] == ENGLAND]
    assert set(england["area_type"]) == {"country"}
    assert england["period_start"].tolist() == sorted(england["period_start"])


def test_a_fingertips_api_csv_gives_the_same_observations(
    tmp_path: Path, devdata_source: dict[str, Any]
) -> None:
    path = write_fingertips_csv(tmp_path / "fingertips.csv", devdata_rows())
    declared = {
        key: devdata_source[key] for key in ("id", "title", "publisher", "licence", "measure")
    }
    declared |= {"file": str(path), "format": "fingertips", "geography": "utla23"}
    declared["filters"] = [
        {"column": "Area Type", "equals": ["Metropolitan district", "Unitary authority", "England"]}
    ]
    from_api = checked(declared)
    assert from_api.problems == []
    from_csv = checked(devdata_source).frame
    columns = ["area_code", "period", "numerator", "denominator", "value", "lower_95", "upper_95"]
    pd.testing.assert_frame_equal(from_api.frame[columns], from_csv[columns])
    trafford = from_api.frame[from_api.frame["area_code"] == TRAFFORD]
    assert trafford["period"].tolist() == ["2018", "2019", "2020", "2021", "2022", "2023"]


def test_a_csv_without_the_fingertips_columns_is_not_fingertips(
    census_source: dict[str, Any],
) -> None:
    declared = census_source | {"format": "fingertips", "columns": {}, "fixed": {}}
    declared.pop("filters")
    with pytest.raises(
        InputFileError, match="not a Fingertips data file: no column 'Indicator ID'"
    ):
        checked(declared)


def test_an_xlsx_sheet_written_from_the_real_rows(
    tmp_path: Path, census_source: dict[str, Any]
) -> None:
    path = write_census_xlsx(tmp_path / "health.xlsx")
    declared = census_source | {"file": str(path), "format": "xlsx", "sheet": "Health"}
    declared.pop("filters")
    declared["columns"] = {
        "area_code": "Ward code",
        "area_name": "Ward name",
        "breakdown": "Health",
        "value": "Persons",
    }
    declared["fixed"] = declared["fixed"] | {"period": "2021"}
    result = checked(declared)
    assert result.problems == []
    expected = checked(census_source).frame
    pd.testing.assert_series_equal(result.frame["value"], expected["value"])
    assert result.frame["area_code"].tolist() == expected["area_code"].tolist()

    declared.pop("sheet")
    first_sheet = checked(declared)
    assert str(first_sheet.problems[0]) == f"{path}:1:Ward code: missing column ('')"

    with pytest.raises(InputFileError, match=r"no sheet 'Nope'; sheets: About, Health"):
        checked(declared | {"sheet": "Nope"})


def test_a_geojson_of_real_ward_boundaries(tmp_path: Path, census_source: dict[str, Any]) -> None:
    path = write_wards_geojson(tmp_path / "wards.geojson")
    declared = census_source | {"file": str(path), "format": "geojson"}
    declared.pop("filters")
    declared["columns"] = {
        "area_code": "ward_code",
        "area_name": "ward_name",
        "value": "very_good_health",
    }
    declared["fixed"] = {"indicator_id": "very_good_health", "period": "2021"}
    result = checked(declared)
    assert result.problems == []
    census = _census()
    good = census[census["general_health"] == "Very good health"].set_index("area_code")["value"]
    frame = result.frame.set_index("area_code")
    assert len(frame) == 21
    assert frame["value"].to_dict() == good.to_dict()


def test_a_file_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, census_source: dict[str, Any]
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(2 * 1024**3)
    declared = census_source | {"file": str(path)}
    with pytest.raises(InputFileError) as caught:
        checked(declared)
    assert str(caught.value) == (
        f"{path}: the file is 2,048 MB, larger than the limit of 500 MB: split it, "
        "or raise the limit (--max-file-mb)"
    )


def test_a_wrong_encoding_names_the_byte_offset(
    tmp_path: Path, census_source: dict[str, Any]
) -> None:
    text = CENSUS.read_text(encoding="utf-8").replace("Altrincham", "Altrinch\u00e9m", 1)
    path = tmp_path / "latin1.csv"
    path.write_bytes(text.encode("cp1252"))
    offset = text.encode("cp1252").index(b"\xe9")
    declared = census_source | {"file": str(path)}
    with pytest.raises(InputFileError) as caught:
        checked(declared)
    assert str(caught.value) == (
        f"{path}: not valid utf-8 text: bad byte 0xe9 at byte offset {offset}; save the file "
        "as utf-8, or declare its encoding (e.g. encoding: cp1252)"
    )
    declared["encoding"] = "cp1252"
    assert checked(declared).frame["area_name"].iloc[0] == "Altrinch\u00e9m"


def test_huge_fields_and_formula_injection_are_problems_not_crashes(
    tmp_path: Path, census_source: dict[str, Any]
) -> None:
    frame = pd.read_csv(CENSUS, dtype=str, keep_default_na=False).head(4)
    frame.loc[0, "area_name"] = "x" * 5_000_000
    frame.loc[1, "area_name"] = "=cmd|' /C calc'!A0"
    frame.loc[2, "general_health"] = "@SUM(A1:A9)"
    frame.loc[3, "value"] = "-12"
    path = tmp_path / "hostile.csv"
    frame.to_csv(path, index=False)
    result = checked(census_source | {"file": str(path)})
    assert [str(problem) for problem in result.problems] == [
        f"{path}:2:area_name: longer than 1000 characters ('" + "x" * 35 + "...')",
        f"{path}:3:area_name: formula-like text refused (starts with = + - @) "
        "(\"=cmd|' /C calc'!A0\")",
        f"{path}:4:general_health: formula-like text refused (starts with = + - @) ('@SUM(A1:A9)')",
        f"{path}:5:value: negative ('-12')",
    ]


@pytest.mark.parametrize(
    ("suffix", "fmt", "content", "message"),
    [
        (".xlsx", "xlsx", b"area_code,value\n", "not a readable xlsx workbook"),
        (".geojson", "geojson", b'{"type": "FeatureCollection", "features": [', "not valid JSON"),
        (".geojson", "geojson", b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (".geojson", "geojson", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (".csv", "csv", b"\n\n", "no header row"),
    ],
)
def test_broken_files_get_a_clear_message(
    tmp_path: Path,
    census_source: dict[str, Any],
    suffix: str,
    fmt: str,
    content: bytes,
    message: str,
) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(content)
    declared = census_source | {"file": str(path), "format": fmt}
    with pytest.raises(InputFileError, match=message):
        checked(declared)


def test_an_empty_file_is_refused(tmp_path: Path, census_source: dict[str, Any]) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match="the file is empty"):
        checked(census_source | {"file": str(path)})
    assert json.loads("[]") == []
