"""Ingest fixtures: tiny projects in tmp_path whose sources point at real files of the data mirror.

The store fixtures (``engine`` on SQLite and PostgreSQL) are shared with
``tests/store``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from tests.paths import DATA_MIRROR
from tests.store.conftest import backend_url, empty_engine, engine, postgres_url

__all__ = ["backend_url", "empty_engine", "engine", "postgres_url"]

CENSUS = DATA_MIRROR / "trafford/census2021/census2021_general_health_ward.csv"
DEVDATA = DATA_MIRROR / "england/fingertips_counts/fingertipsnext_devdata_northwest_2018_2024.csv"
WARDS = DATA_MIRROR / "trafford/boundaries/trafford_wards_2022_pre2023.geojson"
TRAFFORD = "E08000009"
ENGLAND = "E92000001"

FINGERTIPS_NAMES = {
    "indicator_id": "Indicator ID",
    "indicator_name": "Indicator Name",
    "area_code": "Area Code",
    "area_name": "Area Name",
    "area_type": "Area Type",
    "sex": "Sex",
    "age": "Age",
    "category_type": "Category Type",
    "category": "Category",
    "year": "Time period",
    "value": "Value",
    "lower_ci_95": "Lower CI 95.0 limit",
    "upper_ci_95": "Upper CI 95.0 limit",
    "count": "Count",
    "denominator": "Denominator",
    "recent_trend": "Recent Trend",
}

BASE = {"publisher": "Office for National Statistics", "licence": "OGL-UK-3.0"}

CENSUS_SOURCE: dict[str, Any] = {
    **BASE,
    "id": "census_health",
    "title": "Census 2021 general health by ward",
    "file": str(CENSUS),
    "format": "csv",
    "geography": "ward22",
    "measure": "count",
    "columns": {
        "area_code": "area_code",
        "area_name": "area_name",
        "period": "period",
        "breakdown": "general_health",
        "value": "value",
    },
    "fixed": {"indicator_id": "general_health", "breakdown_type": "general health"},
    "filters": [{"column": "measure", "equals": "Count"}],
}

DEVDATA_SOURCE: dict[str, Any] = {
    **BASE,
    "id": "diabetes_nw",
    "publisher": "OHID",
    "title": "Diabetes: QOF prevalence (17+), North West upper-tier LAs",
    "file": str(DEVDATA),
    "format": "csv",
    "geography": "utla23",
    "measure": "proportion",
    "columns": {
        "indicator_id": "indicator_id",
        "area_code": "area_code",
        "area_name": "area_name",
        "period": "year",
        "sex": "sex",
        "age": "age",
        "breakdown_type": "category_type",
        "breakdown": "category",
        "numerator": "count",
        "denominator": "denominator",
        "value": "value",
        "lower_95": "lower_ci_95",
        "upper_95": "upper_ci_95",
    },
    "filters": [
        {"column": "indicator_id", "equals": "241"},
        {
            "column": "area_type",
            "equals": ["Metropolitan district", "Unitary authority", "England"],
        },
    ],
}


def write_project(folder: Path, *sources: dict[str, Any]) -> Path:
    """A project folder with one ``sources/<id>.yml`` per declaration."""
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    for declared in sources:
        text = yaml.safe_dump(declared, sort_keys=False, allow_unicode=True)
        (folder / "sources" / f"{declared['id']}.yml").write_text(text, encoding="utf-8")
    return folder


def devdata_rows(indicator: str = "241") -> pd.DataFrame:
    """Real Fingertips rows of one indicator (every cell as text)."""
    frame = pd.read_csv(DEVDATA, dtype=str, keep_default_na=False)
    return frame[frame["indicator_id"] == indicator].reset_index(drop=True)


def write_fingertips_csv(path: Path, rows: pd.DataFrame) -> Path:
    """Real rows written in the Fingertips API data CSV layout."""
    out = rows[list(FINGERTIPS_NAMES)].rename(columns=FINGERTIPS_NAMES)
    out.insert(2, "Parent Code", "")
    out["Lower CI 99.8 limit"] = ""
    out["Upper CI 99.8 limit"] = ""
    out["Value note"] = ""
    out.to_csv(path, index=False)
    return path


def write_census_xlsx(path: Path, sheet: str = "Health") -> Path:
    """The real census rows written as a workbook (a title sheet first, header in row 1)."""
    frame = pd.read_csv(CENSUS, dtype=str, keep_default_na=False)
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "About"
    cover.append(["Census 2021 general health, Trafford wards"])
    data = workbook.create_sheet(sheet)
    data.append(["Ward code", "Ward name", "Health", "Persons"])
    for row in frame.itertuples(index=False):
        data.append([row.area_code, row.area_name, row.general_health, int(row.value)])
    workbook.save(path)
    return path


def write_wards_geojson(path: Path) -> Path:
    """The real 2022 Trafford ward boundaries with each ward's census 'very good health' count."""
    census = pd.read_csv(CENSUS, dtype=str, keep_default_na=False)
    good = census[census["general_health"] == "Very good health"].set_index("area_code")["value"]
    data = json.loads(WARDS.read_text(encoding="utf-8"))
    for feature in data["features"]:
        code = feature["properties"]["ward_code"]
        feature["properties"]["very_good_health"] = int(good[code])
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def census_source() -> dict[str, Any]:
    """The declaration of the real census CSV (a fresh copy to modify)."""
    return json.loads(json.dumps(CENSUS_SOURCE))


@pytest.fixture
def devdata_source() -> dict[str, Any]:
    """The declaration of the real Fingertips dev-data CSV, filtered to indicator 241."""
    return json.loads(json.dumps(DEVDATA_SOURCE))
