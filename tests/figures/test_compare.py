"""Compare-areas charts on the Trafford store: the bars are the published figures."""

from __future__ import annotations

import pandas as pd
import pytest

from jsna.content.chapters import ChartBlock
from jsna.content.project_files import Project
from jsna.figures import compare
from jsna.figures.context import FigureContext

from .conftest import chart_blocks, published, render


def _block(indicator: str, area_type: str | None = None, **extra: object) -> ChartBlock:
    return ChartBlock(
        block="chart", chart="compare", indicator=indicator, area_type=area_type, **extra
    )


def test_values_equal_published_results(trafford: FigureContext) -> None:
    figure = compare.build(trafford, _block("crude_death_rate"))
    store = published(trafford, "crude_death_rate", "ltla23", figure.period)
    store = store[store["sex"] == "persons"].set_index("area_code")
    data = figure.data.set_index("area_code")
    assert "E08000009" in data.index
    assert len(data) >= 5
    for column in ("value", "lower_95", "upper_95", "numerator", "denominator"):
        pd.testing.assert_series_equal(
            data[column].astype(float),
            store.loc[data.index, column].astype(float),
            check_names=False,
        )
    assert data["lower_95"].notna().all()
    source = trafford.project.sources[trafford.indicator("crude_death_rate").source]
    assert figure.sources[0] == source.title
    assert any(" v" in s for s in figure.sources[1:])
    assert (
        data.loc["E08000009", "compared_with_england"]
        == store.loc["E08000009", "compared_with_england"]
    )


def test_jsna_type_shows_the_jsna_area_and_comparator_areas(
    trafford: FigureContext, project: Project
) -> None:
    figure = compare.build(trafford, _block("diabetes_modelled"))
    allowed = {project.config.area.code} | {c for k in project.config.comparators for c in k.codes}
    assert set(figure.data["area_code"]) <= allowed
    assert len(figure.data) > 10


def test_sub_areas_are_within_trafford_and_judged_against_it(trafford: FigureContext) -> None:
    figure = compare.build(trafford, _block("copd_qof", "pcn"))
    assert len(figure.data) == 5
    assert "compared_with_trafford" in figure.data.columns
    assert set(figure.data["compared_with_trafford"]) <= {"higher", "lower", "similar"}
    rules = [layer for layer in figure.spec["layer"] if layer.get("data")]
    assert any("Trafford" in str(layer["data"]["values"]) for layer in rules)
    assert "Trafford" in figure.summary
    assert "5 primary care networks" in figure.summary


def test_gp_practices_come_through_the_practice_localities(trafford: FigureContext) -> None:
    figure = compare.build(trafford, _block("gp_registered_patients", "gp_practice"))
    assert len(figure.data) == 26


def test_spec_bars_sorted_coloured_and_highlightable(trafford: FigureContext) -> None:
    figure = compare.build(trafford, _block("falls_admissions_65"))
    spec = figure.spec
    assert spec["$schema"].endswith("/v6.json")
    assert {"name": "highlight", "value": None} in spec["params"]
    assert spec["usermeta"] == {"jsna": {"figure": figure.id, "kind": "compare"}}
    assert isinstance(spec["width"], int)
    assert isinstance(spec["height"], int)
    values = [v["value"] for v in spec["data"]["values"]]
    assert values == sorted(values, reverse=True)
    bars = spec["layer"][0]["encoding"]
    assert bars["color"]["field"] == "comparison"
    assert "E08000009" in str(bars["stroke"])
    tooltip = {t["field"] for t in bars["tooltip"]}
    assert "comparison_text" in tooltip
    words = {v["comparison_text"] for v in spec["data"]["values"]}
    assert any(w.endswith("England") for w in words)
    assert "Trafford" in figure.summary
    assert any(ch.isdigit() for ch in figure.summary)
    assert "<svg" in render(spec)


def test_categories_of_one_area(trafford: FigureContext) -> None:
    figure = compare.build(trafford, _block("diabetes_by_national_deprivation", "country"))
    labels = [v["label"] for v in figure.spec["data"]["values"]]
    assert len(labels) == 11
    assert any(label.endswith(" 1") for label in labels)
    assert figure.table.columns[0].label == "Category"
    render(figure.spec)


def suppressed_context(trafford: FigureContext, indicator_id: str, code: str) -> FigureContext:
    """A fresh context whose results of one indicator have ``code``'s rows suppressed."""
    ctx = FigureContext(trafford.project, trafford.connection)
    frame = trafford.results(indicator_id).copy()
    rows = frame["area_code"] == code
    frame.loc[rows, ["value", "lower_95", "upper_95", "numerator"]] = float("nan")
    frame.loc[rows, "suppressed"] = True
    frame.loc[rows, "suppression_reason"] = "count 1 to 4"
    for column in [c for c in frame.columns if c.startswith("compared_with_")]:
        frame.loc[rows, column] = ""
    ctx._results[indicator_id] = frame
    return ctx


def test_suppressed_rows_show_no_value(trafford: FigureContext) -> None:
    ctx = suppressed_context(trafford, "crude_death_rate", "E08000007")
    figure = compare.build(ctx, _block("crude_death_rate"))
    hidden = figure.data[figure.data["suppressed"].astype(bool)]
    assert list(hidden["area_code"]) == ["E08000007"]
    assert hidden["value"].isna().all()
    assert hidden["lower_95"].isna().all()
    drawn = {v["area_code"] for v in figure.spec["data"]["values"]}
    assert "E08000007" not in drawn
    assert "E08000009" in drawn
    row = next(r for r in figure.table.rows if r[0] == "Stockport")
    assert row[1] == "suppressed"
    assert any("suppressed" in note for note in figure.table.notes)
    render(figure.spec)


def test_no_data_gives_no_spec(trafford: FigureContext) -> None:
    figure = compare.build(trafford, _block("crude_death_rate", period="1066"))
    assert figure.spec is None
    assert figure.table.rows == ()
    assert "no published figures" in figure.summary


@pytest.mark.parametrize("area_code", [None, "E08000007"])
def test_every_compare_block_builds_and_renders(
    trafford: FigureContext, project: Project, area_code: str | None
) -> None:
    blocks = chart_blocks(project, "compare")
    assert len(blocks) > 15
    for block in blocks:
        figure = compare.build(trafford, block, area_code=area_code)
        assert figure.spec is not None, figure.id
        assert figure.table.rows
        assert not figure.data.empty
        assert {"area_code", "area_name", "period", "value"} <= set(figure.data.columns)
        if area_code is None:
            render(figure.spec)
