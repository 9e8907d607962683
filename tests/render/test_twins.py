"""Twins: a page's figures as one JSON envelope and one CSV with readable column names."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from jsna.content.project_files import load_project
from jsna.figures.model import Column, Figure, Headline, Table
from jsna.render.twins import (
    figure_frame,
    frame_csv,
    frame_json,
    page_frame,
    readable_columns,
    records,
    twin_meta,
)
from tests.paths import ROOT


def _figure(figure_id: str, data: pd.DataFrame, **extra: object) -> Figure:
    table = Table("C", (Column("Area"),), ())
    return Figure(figure_id, "compare", "T", "", "S.", table, data, **extra)  # type: ignore[arg-type]


DATA = pd.DataFrame(
    {
        "area_code": ["E1", "E2"],
        "value": [1.5, np.nan],
        "lower_95": [1.0, np.nan],
        "numerator": pd.array([12, pd.NA], dtype="Int64"),
        "suppressed": [False, True],
        "compared_with_england": ["worse", "not compared"],
    }
)


def test_figure_frame_labels_rows_and_adds_area_type_and_period() -> None:
    frame = figure_frame(_figure("compare-x", DATA, area_type="ward23", period="2024"))
    assert list(frame.columns[:1]) == ["figure"]
    assert set(frame["figure"]) == {"compare-x"}
    assert set(frame["area_type"]) == {"ward23"}
    assert set(frame["period"]) == {"2024"}


def test_page_frame_concatenates_figures_and_headlines() -> None:
    headline = Headline(
        "smoking", "Smoking", "E1", "A", "2023", "12%", "", (), "", "S.", DATA.iloc[:1]
    )
    frame = page_frame([_figure("a", DATA), headline])
    assert list(frame["figure"]) == ["a", "a", "headline-smoking"]
    assert page_frame([]).empty


def test_json_envelope_has_nulls_for_blank_cells() -> None:
    frame = figure_frame(_figure("a", DATA))
    document = json.loads(frame_json(frame, {"title": "T"}))
    assert set(document) == {"data", "meta"}
    second = document["data"][1]
    assert second["value"] is None
    assert second["numerator"] is None
    assert second["suppressed"] is True
    assert document["data"][0]["numerator"] == 12
    assert records(frame)[0]["value"] == 1.5


def test_csv_has_readable_columns_and_blank_suppressed_cells() -> None:
    text = frame_csv(figure_frame(_figure("a", DATA)), {"england": "England"})
    read = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(read.columns) == [
        "Figure",
        "Area code",
        "Value",
        "Lower 95% limit",
        "Count (numerator)",
        "Suppressed",
        "Compared with England",
        "Area type",
        "Period",
    ]
    assert read.loc[1, "Value"] == ""
    assert read.loc[1, "Count (numerator)"] == ""


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("north_west_value", "North West value"),
        ("compared_with_north_west", "Compared with North West"),
        ("upper_99_8", "Upper 99.8% limit"),
        ("some_new_column", "Some new column"),
    ],
)
def test_readable_columns(column: str, label: str) -> None:
    assert readable_columns([column], {"north_west": "North West"}) == [label]


def test_meta_names_edition_licence_geography_and_versions() -> None:
    project = load_project(ROOT / "examples" / "trafford")
    frame = page_frame([_figure("a", DATA.assign(dataset_versions=["census v3", "census v3"]))])
    meta = twin_meta(
        project,
        title="T",
        url="x.html",
        generated=datetime(2026, 1, 2, tzinfo=UTC),
        frame=frame,
        disclosure=["rule"],
    )
    assert meta["edition"] == project.config.publication.edition
    assert meta["licence"] == project.config.publication.licence
    assert meta["geography"]["area"] == "E08000009"
    assert meta["dataset_versions"] == ["census v3"]
    assert meta["generated"] == "2026-01-02T00:00:00+00:00"
    assert meta["disclosure"] == ["rule"]
