"""Shared figure helpers: number formatting, palette, sentences, tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jsna.content.project_files import Project
from jsna.figures.format import (
    format_count,
    format_interval,
    format_number,
    format_short,
    format_value,
)
from jsna.figures.palette import (
    COMPARISON_COLOURS,
    add_highlight,
    comparison_scale,
    emphasis_encoding,
    sequential_scale,
)
from jsna.figures.summary import (
    area_noun,
    comparison_counts_sentence,
    comparison_phrase,
    extremes_sentence,
    join_words,
)
from jsna.figures.tables import ComparatorRef, area_table, main_slice, stack_tables


def test_values_have_the_indicators_decimals_unit_and_separators(project: Project) -> None:
    percent = project.indicators["diabetes_qof"]  # 2 decimals, %
    rate = project.indicators["alcohol_mortality"]  # per 100,000
    assert format_value(percent, 7.1234) == "7.12%"
    assert format_value(rate, 1234.56) == f"{format_number(1234.56, rate.decimals)} per 100,000"
    assert format_value(rate, 1234.56).startswith("1,23")
    assert format_value(percent, None, suppressed=True) == "suppressed"
    assert format_value(percent, math.nan) == "no data"
    assert format_interval(percent, 6.9, 7.3) == "95% CI 6.90% to 7.30%"
    assert format_interval(percent, None, 7.3) == ""
    assert format_short(rate, 542.25) == format_number(542.25, rate.decimals)


def test_numbers_and_counts() -> None:
    assert format_number(1234567.891, 1) == "1,234,567.9"
    assert format_number(-0.04, 1) == "0.0"
    assert format_count(12345.0) == "12,345"
    assert format_count(19.98948) == "20.0"
    assert format_count(None, suppressed=True) == "suppressed"
    assert format_count(None) == ""


def test_palette_colours_every_word_and_keeps_legend_order() -> None:
    scale = comparison_scale(["worse", "better", "similar"])
    assert scale["domain"] == ["better", "similar", "worse"]
    assert scale["range"] == [COMPARISON_COLOURS[w] for w in scale["domain"]]
    assert len(set(COMPARISON_COLOURS.values())) == len(COMPARISON_COLOURS)
    assert sequential_scale("high_is_good")["reverse"] is False
    assert sequential_scale("low_is_good")["reverse"] is True


def test_highlight_param_and_emphasis() -> None:
    spec = add_highlight({"params": [{"name": "highlight", "value": "x"}, {"name": "other"}]})
    assert spec["params"] == [{"name": "highlight", "value": None}, {"name": "other"}]
    encoding = emphasis_encoding("E08000009")
    tests = [c["test"] for c in encoding["stroke"]["condition"]]
    assert "datum.area_code === highlight" in tests[0]
    assert "highlight != null" in tests[0]
    assert tests[1] == "datum.area_code === 'E08000009'"
    assert encoding["strokeWidth"]["value"] == 0


def test_sentences() -> None:
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert comparison_phrase("worse", "England") == "worse than England"
    assert comparison_phrase("similar", "England") == "similar to England"
    assert comparison_phrase("", "England") == "not compared with England"
    assert area_noun("Electoral ward (May 2023)", 3) == "wards"
    assert area_noun("Locality", 4) == "localities"
    assert area_noun("GP practice", 2) == "GP practices"
    words = pd.Series(["worse", "similar", "similar", "", "better"])
    assert comparison_counts_sentence(words, "England", "wards") == (
        "Compared with England, 1 of 5 wards is better, 2 similar, 1 worse and 1 not compared."
    )
    assert comparison_counts_sentence(pd.Series(["not compared"]), "England", "wards") == ""


def test_extremes_leave_out_suppressed(project: Project) -> None:
    frame = pd.DataFrame(
        {
            "area_name": ["A", "B", "C"],
            "value": [5.0, None, 2.0],
            "suppressed": [False, True, False],
        }
    )
    text = extremes_sentence(frame, project.indicators["bad_health"])
    assert text == "The highest value is 5.0% in A and the lowest 2.0% in C."


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["A", "B", "A"],
            "area_name": ["Ay", "Bee", "Ay"],
            "breakdown_type": ["", "", ""],
            "sex": ["persons", "persons", "male"],
            "age": ["all ages"] * 3,
            "value": [7.123, None, 8.0],
            "lower_95": [6.9, None, 7.0],
            "upper_95": [7.4, None, 9.0],
            "numerator": [70, None, 40],
            "denominator": [1000, 1200, 500],
            "compared_with_england": ["worse", "", "similar"],
            "suppressed": [False, True, False],
            "suppression_reason": ["", "count 1 to 4", ""],
            "projected": [False, False, False],
        }
    )


def test_main_slice_takes_persons() -> None:
    assert list(main_slice(_rows())["area_code"]) == ["A", "B"]


@pytest.mark.parametrize("many", [False, True])
def test_area_table_words_counts_and_suppression(project: Project, many: bool) -> None:
    indicator = project.indicators["bad_health"]
    rows = main_slice(_rows())
    table = area_table(
        rows, indicator, caption="c", comparators=[ComparatorRef("england", "England")]
    )
    if many:
        table = stack_tables([table, table], ["x", "y"], caption="c")
        assert [r[0] for r in table.rows] == ["x", "x", "y", "y"]
        assert table.columns[0].label == "Indicator"
    labels = [c.label for c in table.columns]
    assert labels[-5:] == ["Value", "95% CI", "Count", "Denominator", "Compared with England"]
    first, second = table.rows[0][-6:], table.rows[1][-6:]
    assert first == ("Ay", "7.1%", "6.9% to 7.4%", "70", "1,000", "worse")
    assert second == ("Bee", "suppressed", "", "suppressed", "1,200", "not compared")
    assert table.judgements[0][-1] == "worse"
    assert "1 figure is suppressed" in table.notes[0]
