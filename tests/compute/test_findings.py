"""Key findings from hand-built result frames: exact sentences, order, ids, edits, suppression."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jsna.cli.findings import findings
from jsna.compute import compute_project
from jsna.compute.finding_text import format_number
from jsna.compute.findings import (
    KINDS,
    Finding,
    FindingsResult,
    deprivation_rank,
    key_findings,
)
from jsna.content.indicators import Indicator
from jsna.content.project import ProjectConfig
from jsna.errors import InputFileError, JsnaError
from jsna.store.areas import areas_within
from jsna.store.results import published_results
from tests.compute.conftest import BOROUGH, OTHER, Built, practice_rows

TRAFFORD = "E08000009"
ENGLAND = "E92000001"


def make_config(**extra: Any) -> ProjectConfig:
    return ProjectConfig.model_validate(
        {
            "title": "Trafford JSNA",
            "area": {"code": TRAFFORD, "name": "Trafford", "area_type": "ltla23"},
            "comparators": [
                {"id": "england", "name": "England", "kind": "england", "codes": [ENGLAND]},
                {
                    "id": "north_west",
                    "name": "North West",
                    "kind": "region",
                    "codes": ["E12000002"],
                },
            ],
            "area_types": ["ltla23", "ward23", "locality"],
            "geographies": {
                "lookups": [{"reader": "regions", "file": "regions.csv"}],
                "custom_areas": [
                    {
                        "type": "locality",
                        "name": "Locality",
                        "of": "ward23",
                        "areas": {"E99000001": ["E05000001"], "E99000002": ["E05000002"]},
                    }
                ],
            },
            "branding": {"organisation": "Trafford Council"},
            "publication": {"edition": "2025"},
            **extra,
        }
    )


def indicator(ident: str, title: str, **fields: Any) -> Indicator:
    base: dict[str, Any] = {
        "id": ident,
        "title": title,
        "definition": "Test definition.",
        "method": "proportion",
        "multiplier": 100,
        "unit": "%",
        "decimals": 1,
        "polarity": "low_is_good",
        "source": "test",
        "licence": "OGL-UK-3.0",
        "numerator": {"measure": ident},
        "denominator": {"measure": ident},
        "geographies": ["ltla23", "ward23"],
    }
    base.update(fields)
    return Indicator.model_validate(base)


INDICATORS = {
    "smoking": indicator("smoking", "Smoking prevalence in adults"),
    "cancer": indicator(
        "cancer",
        "Under 75 mortality rate from cancer",
        method="crude_rate",
        multiplier=100_000,
        unit="per 100,000",
    ),
    "active": indicator("active", "Physically active adults", polarity="high_is_good"),
    "births": indicator(
        "births",
        "Births to mothers over 40",
        polarity="no_judgement",
    ),
    "life": indicator(
        "life",
        "Healthy life expectancy",
        method="value_only",
        unit="years",
        polarity="high_is_good",
        numerator=None,
        denominator=None,
        value={"measure": "life"},
    ),
}


def row(indicator_id: str, area_code: str, period: str, value: float | None, **extra: Any) -> dict:
    names = {TRAFFORD: "Trafford", ENGLAND: "England", "E12000002": "North West"}
    record: dict[str, Any] = {
        "indicator_id": indicator_id,
        "area_code": area_code,
        "area_name": names.get(area_code, area_code),
        "area_type": "ltla23" if area_code == TRAFFORD else "england",
        "period": period,
        "sex": "persons",
        "age": "all ages",
        "breakdown_type": "",
        "breakdown": "",
        "numerator": np.nan,
        "denominator": np.nan,
        "value": np.nan if value is None else value,
        "lower_95": np.nan,
        "upper_95": np.nan,
        "method": "proportion",
        "fit": "exact",
        "compared_with_england": "not compared",
        "england_value": np.nan,
        "compared_with_north_west": "not compared",
        "north_west_value": np.nan,
        "trend": None,
        "quintile": pd.NA,
        "suppressed": False,
        "suppression_reason": "",
        "dataset_versions": "[1]",
    }
    record.update(extra)
    return record


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def trafford(indicator_id: str, period: str, value: float, low: float, high: float, **extra: Any):
    return row(indicator_id, TRAFFORD, period, value, lower_95=low, upper_95=high, **extra)


def ward(
    indicator_id: str, code: str, name: str, value: float | None, low=None, high=None, **extra
):
    return row(
        indicator_id,
        code,
        extra.pop("period", "2023"),
        value,
        area_name=name,
        area_type=extra.pop("area_type", "ward23"),
        lower_95=np.nan if low is None else low,
        upper_95=np.nan if high is None else high,
        **extra,
    )


WORSE_AND_WORSENING = trafford(
    "cancer",
    "2023",
    1234.5,
    1100.1,
    1379.9,
    compared_with_england="worse",
    england_value=987.6,
    trend="getting worse",
)
WORSE_IMPROVING = trafford(
    "smoking",
    "2023",
    14.2,
    13.1,
    15.3,
    compared_with_england="worse",
    england_value=11.9,
    trend="getting better",
)
BETTER = trafford(
    "active",
    "2022/23",
    70.25,
    68.4,
    72.0,
    compared_with_england="better",
    england_value=67.1,
    trend="no significant change",
)


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (70.25, 1, "70.3"),  # halves away from zero, as written
        (1.005, 2, "1.01"),
        (-0.04, 1, "0.0"),  # no negative zero
        (-2.55, 1, "-2.6"),
        (1234567.891, 0, "1,234,568"),
        (12345.5, 2, "12,345.50"),
    ],
)
def test_numbers_for_people(value: float, decimals: int, shown: str) -> None:
    assert format_number(value, decimals) == shown


def test_worse_and_worsening_sentence_with_thousands_and_unit() -> None:
    found = key_findings(frame(WORSE_AND_WORSENING), INDICATORS, make_config())
    assert [f.id for f in found] == ["worse_and_worsening/cancer/E08000009"]
    finding = found.findings[0]
    assert finding.sentence == (
        "Under 75 mortality rate from cancer in Trafford in 2023 (1,234.5 per 100,000, "
        "95% CI 1,100.1 to 1,379.9) is worse than England (987.6) and has been increasing "
        "over the last five periods."
    )
    assert (finding.value, finding.lower_95, finding.upper_95) == (1234.5, 1100.1, 1379.9)
    assert finding.benchmark == 987.6
    assert finding.period == "2023"
    assert finding.kind == "worse_and_worsening"


def test_worse_but_improving_and_better_with_percent() -> None:
    found = key_findings(frame(WORSE_IMPROVING, BETTER), INDICATORS, make_config())
    by_id = {f.id: f.sentence for f in found}
    assert by_id == {
        "worse/smoking/E08000009": (
            "Smoking prevalence in adults in Trafford in 2023 (14.2%, 95% CI 13.1% to 15.3%) "
            "is worse than England (11.9%), although it has been decreasing (getting better) "
            "over the last five periods."
        ),
        "better/active/E08000009": (
            "Physically active adults in Trafford in 2022/23 (70.3%, 95% CI 68.4% to 72.0%) "
            "is better than England (67.1%), with no significant change over the last five "
            "periods."
        ),
    }


def test_polarity_high_is_good_worsening_is_decreasing() -> None:
    data = frame(
        trafford(
            "active",
            "2023",
            60.0,
            58.1,
            61.9,
            compared_with_england="worse",
            england_value=66.0,
            trend="getting worse",
        )
    )
    (finding,) = key_findings(data, INDICATORS, make_config())
    assert finding.kind == "worse_and_worsening"
    assert finding.sentence.endswith(
        "is worse than England (66.0%) and has been decreasing over the last five periods."
    )


def test_polarity_from_direction_labels() -> None:
    """Labels without judgement ("higher", "increasing") are judged by the indicator's polarity."""
    low_is_good = trafford(
        "smoking",
        "2023",
        20.0,
        19.0,
        21.0,
        compared_with_england="higher",
        england_value=11.9,
        trend="increasing",
    )
    high_is_good = trafford(
        "active",
        "2023",
        75.0,
        74.0,
        76.0,
        compared_with_england="higher",
        england_value=67.1,
        trend="increasing",
    )
    no_judgement = trafford(
        "births", "2023", 5.0, 4.0, 6.0, compared_with_england="higher", england_value=3.0
    )
    found = key_findings(frame(low_is_good, high_is_good, no_judgement), INDICATORS, make_config())
    assert {f.id for f in found} == {
        "worse_and_worsening/smoking/E08000009",
        "better/active/E08000009",
    }
    active = next(f for f in found if f.indicator_id == "active")
    assert active.sentence.endswith(
        "is better than England (67.1%) and has been increasing over the last five periods."
    )


def test_latest_period_only_and_never_from_suppressed_cells() -> None:
    older = trafford(
        "smoking", "2022", 15.0, 14.0, 16.0, compared_with_england="worse", england_value=11.9
    )
    latest_suppressed = row(
        "smoking",
        TRAFFORD,
        "2023",
        None,
        suppressed=True,
        suppression_reason="count below 5",
        compared_with_england="worse",
        england_value=11.9,
    )
    assert list(key_findings(frame(older, latest_suppressed), INDICATORS, make_config())) == []
    # A suppressed row that still carries a value is not used either.
    leaky = dict(WORSE_IMPROVING, suppressed=True)
    assert list(key_findings(frame(leaky), INDICATORS, make_config())) == []
    # Without the suppressed latest cell, the older period is the latest and is used.
    (finding,) = key_findings(frame(older), INDICATORS, make_config())
    assert finding.period == "2022"


def test_breakdown_rows_are_not_headlines() -> None:
    male = dict(WORSE_AND_WORSENING, sex="male", value=2000.0)
    category = dict(WORSE_AND_WORSENING, breakdown_type="ethnicity", breakdown="White")
    found = key_findings(frame(male, category, WORSE_AND_WORSENING), INDICATORS, make_config())
    assert [f.value for f in found] == [1234.5]


WARDS = [
    ward("smoking", "E05000001", "Bowdon", 5.0, 4.0, 6.2),
    ward("smoking", "E05000002", "Bucklow-St Martins", 25.0, 22.1, 28.2),
    ward("smoking", "E05000003", "Sale Central", 12.0, 10.5, 13.7),
    # suppressed: its value must not be the maximum
    ward("smoking", "E05000004", "Clifford", 40.0, 30.0, 50.0, suppressed=True),
    # an older period with a wider range is not used
    ward("smoking", "E05000001", "Bowdon", 1.0, 0.5, 1.5, period="2022"),
    ward("smoking", "E05000002", "Bucklow-St Martins", 45.0, 40.0, 50.0, period="2022"),
    ward("smoking", "E05000003", "Sale Central", 12.0, 10.5, 13.7, period="2022"),
]


def test_small_area_gap_best_and_worst_with_overlap() -> None:
    (finding,) = key_findings(frame(*WARDS), INDICATORS, make_config())
    assert finding.id == "gap/smoking/ward23"
    assert finding.sentence == (
        "Smoking prevalence in adults in 2023 ranges across 3 of Trafford's 4 wards with a "
        "published figure from Bucklow-St Martins (25.0%, 95% CI 22.1% to 28.2%), the worst, "
        "to Bowdon (5.0%, 95% CI 4.0% to 6.2%), the best; their confidence intervals do not "
        "overlap."
    )
    assert finding.intervals_overlap is False
    assert (finding.label, finding.other_label) == ("Bucklow-St Martins", "Bowdon")
    assert finding.area_code == TRAFFORD


def test_one_leading_gap_per_indicator() -> None:
    localities = [
        ward("smoking", "E99000001", "North", 9.0, 8.0, 10.0, area_type="locality"),
        ward("smoking", "E99000002", "South", 19.0, 18.0, 20.0, area_type="locality"),
        ward("smoking", "E99000003", "West", 12.0, 11.0, 13.0, area_type="locality"),
    ]
    found = key_findings(frame(*WARDS, *localities), INDICATORS, make_config())
    assert [f.id for f in found] == ["gap/smoking/ward23", "gap/smoking/locality"]
    assert 300 <= found.findings[0].score < 400  # wards come first in area_types
    assert 50 <= found.findings[1].score < 150
    assert found.findings[1].intervals_overlap is False


def test_gap_without_polarity_runs_from_highest_and_ranks_low() -> None:
    wards = [dict(item, indicator_id="births") for item in WARDS[:3]]
    (finding,) = key_findings(frame(*wards), INDICATORS, make_config())
    assert finding.sentence.startswith(
        "Births to mothers over 40 in 2023 ranges across Trafford's 3 wards from Bucklow-St "
        "Martins (25.0%, 95% CI 22.1% to 28.2%), the highest, to Bowdon (5.0%, 95% CI 4.0% to "
        "6.2%), the lowest;"
    )
    assert 50 <= finding.score < 150  # demography, not an inequality in health


def test_gap_high_is_good_overlapping_and_custom_area_plural() -> None:
    localities = [
        ward("active", "E99000001", "North", 61.0, 58.0, 64.0, area_type="locality"),
        ward("active", "E99000002", "South", 63.0, 60.0, 66.0, area_type="locality"),
        ward("active", "E99000003", "West", 62.0, 59.0, 65.0, area_type="locality"),
    ]
    (finding,) = key_findings(frame(*localities), INDICATORS, make_config())
    assert finding.sentence == (
        "Physically active adults in 2023 ranges across Trafford's 3 localities from North "
        "(61.0%, 95% CI 58.0% to 64.0%), the worst, to South (63.0%, 95% CI 60.0% to 66.0%), "
        "the best; their confidence intervals overlap, so the gap may be due to chance."
    )
    assert finding.intervals_overlap is True


def test_gap_says_which_figures_are_estimates() -> None:
    wards = [dict(item) for item in WARDS[:3]]
    wards[1]["fit"] = "best_fit"
    wards[0]["fit"] = "apportioned"
    (finding,) = key_findings(frame(*wards), INDICATORS, make_config())
    assert (
        "from Bucklow-St Martins (25.0%, 95% CI 22.1% to 28.2%, best-fit estimate), the worst, "
        "to Bowdon (5.0%, 95% CI 4.0% to 6.2%, apportioned estimate), the best;"
    ) in finding.sentence


def test_gap_of_published_values_without_intervals() -> None:
    wards = [
        ward("life", "E05000001", "Bowdon", 70.26),
        ward("life", "E05000002", "Bucklow-St Martins", 55.0),
        ward("life", "E05000003", "Sale Central", 64.0),
    ]
    (finding,) = key_findings(frame(*wards), INDICATORS, make_config())
    assert finding.sentence == (
        "Healthy life expectancy in 2023 ranges across Trafford's 3 wards from Bucklow-St "
        "Martins (55.0 years, published value), the worst, to Bowdon (70.3 years, published "
        "value), the best; these are published values without confidence intervals."
    )
    assert finding.intervals_overlap is None


def test_counts_give_no_findings() -> None:
    counts = {
        "pharmacies": indicator(
            "pharmacies", "Community pharmacies", method="count", unit="", denominator=None
        )
    }
    wards = [
        ward("pharmacies", "E05000001", "Bowdon", 3.0),
        ward("pharmacies", "E05000002", "Bucklow-St Martins", 12.0),
        ward("pharmacies", "E05000003", "Sale Central", 7.0),
    ]
    assert list(key_findings(frame(*wards), counts, make_config())) == []


def test_gap_needs_three_areas_and_ignores_comparators() -> None:
    two = WARDS[:2]
    region = row("smoking", "E12000002", "2023", 50.0, area_type="region", lower_95=49, upper_95=51)
    assert list(key_findings(frame(*two, region), INDICATORS, make_config())) == []


DECILES = [
    "Most deprived decile (IMD2019)",
    "Second most deprived decile (IMD2019)",
    "Third more deprived decile (IMD2019)",
    "Fourth more deprived decile (IMD2019)",
    "Fifth more deprived decile (IMD2019)",
    "Fifth less deprived decile (IMD2019)",
    "Fourth less deprived decile (IMD2019)",
    "Third less deprived decile (IMD2019)",
    "Second least deprived decile (IMD2019)",
    "Least deprived decile (IMD2019)",
]


def test_deprivation_rank_reads_fingertips_labels() -> None:
    assert [deprivation_rank(label) for label in DECILES] == [(k, 10) for k in range(1, 11)]
    assert deprivation_rank("Average deprived quintile") == (3, 5)
    assert deprivation_rank("Least deprived quintile") == (5, 5)
    assert deprivation_rank("White British") is None
    assert deprivation_rank("3", "IMD 2019 national decile") == (3, 10)
    assert deprivation_rank("Quintile 5") == (5, 5)
    assert deprivation_rank("11", "IMD 2019 national decile") is None
    assert deprivation_rank("3", "deprivation") is None  # decile or quintile? not said


def test_numbered_deciles_of_england() -> None:
    rows = [
        row(
            "smoking",
            ENGLAND,
            "2019/20",
            20.0 - rank,
            lower_95=19.5 - rank,
            upper_95=20.5 - rank,
            breakdown_type="IMD 2019 national decile",
            breakdown=str(rank),
        )
        for rank in range(1, 11)
    ]
    (finding,) = key_findings(frame(*rows), INDICATORS, make_config())
    assert finding.id == "deprivation_gap/smoking/E92000001"
    assert finding.sentence == (
        "Smoking prevalence in adults in England in 2019/20 is 19.0% (95% CI 18.5% to 19.5%) in "
        "IMD 2019 national decile 1 (the most deprived) and 10.0% (95% CI 9.5% to 10.5%) in IMD "
        "2019 national decile 10 (the least deprived); their confidence intervals do not overlap."
    )
    assert 50 <= finding.score < 150  # England's gap is national context: after local findings


def deciles(period: str = "2023", **extra: Any) -> list[dict]:
    rows = []
    for rank, label in enumerate(DECILES, start=1):
        value = 30.0 - 2.0 * (rank - 1)
        rows.append(
            trafford(
                "smoking",
                period,
                value,
                value - 1.0,
                value + 1.0,
                breakdown_type="deprivation decile",
                breakdown=label,
                numerator=value * 100,
                denominator=10_000.0,
                **extra,
            )
        )
    return rows


def test_deprivation_gap_with_slope_index() -> None:
    older = deciles("2019")
    for item in older:
        item["value"] += 10
    (finding,) = key_findings(frame(*deciles(), *older), INDICATORS, make_config())
    assert finding.id == "deprivation_gap/smoking/E08000009"
    head, sii_part = finding.sentence.split(" The slope index")
    assert head == (
        "Smoking prevalence in adults in Trafford in 2023 is 30.0% (95% CI 29.0% to 31.0%) in "
        "the most deprived decile (IMD2019) and 12.0% (95% CI 11.0% to 13.0%) in the least "
        "deprived decile (IMD2019); their confidence intervals do not overlap."
    )
    # Values fall by 2 per decile (18 over 0.9 of the population rank): SII = -20.
    assert finding.sii == pytest.approx(-20.0)
    assert finding.sii_lower_95 is not None
    assert finding.sii_upper_95 is not None
    assert finding.sii_lower_95 < -20.0 < finding.sii_upper_95
    assert re.fullmatch(
        r" of inequality \(the modelled difference from the most to the least deprived\) is "
        r"-20\.0 percentage points \(95% CI -2\d\.\d to -1\d\.\d\)\.",
        sii_part,
    )
    again = key_findings(frame(*deciles(), *older), INDICATORS, make_config())
    assert again.findings[0].sentence == finding.sentence  # seeded: the same limits every run


def test_deprivation_gap_without_every_decile_has_no_slope_index() -> None:
    rows = [r for r in deciles() if r["breakdown"] != DECILES[4]]
    rows[3]["suppressed"] = True
    (finding,) = key_findings(frame(*rows), INDICATORS, make_config())
    assert finding.sii is None
    assert "slope index" not in finding.sentence
    ends = [r for r in deciles() if r["breakdown"] != DECILES[0]]
    assert list(key_findings(frame(*ends), INDICATORS, make_config())) == []


def test_changes_since_the_previous_edition() -> None:
    before = frame(
        trafford("smoking", "2022", 15.0, 14.0, 16.0, compared_with_england="similar"),
        trafford("cancer", "2022", 1000.0, 900.0, 1100.0, compared_with_england="worse"),
        trafford("active", "2022/23", 66.0, 64.0, 68.0, compared_with_england="similar"),
    )
    now = frame(
        trafford(
            "smoking", "2023", 18.0, 17.0, 19.0, compared_with_england="worse", england_value=12.0
        ),
        # within the intervals and still worse: not a change
        trafford("cancer", "2023", 1050.0, 950.0, 1150.0, compared_with_england="worse"),
        # the same period, revised beyond the intervals
        trafford("active", "2022/23", 70.25, 68.4, 72.0, compared_with_england="similar"),
    )
    found = key_findings(now, INDICATORS, make_config(), previous=before)
    changes = {f.id: f for f in found if f.kind == "change"}
    assert set(changes) == {"change/smoking/E08000009", "change/active/E08000009"}
    assert changes["change/smoking/E08000009"].sentence == (
        "Smoking prevalence in adults in Trafford is 18.0% (95% CI 17.0% to 19.0%) in 2023, "
        "up from 15.0% (95% CI 14.0% to 16.0%) in 2022 in the previous edition, a worsening "
        "beyond the confidence intervals. It was similar to England and is now worse."
    )
    assert changes["change/active/E08000009"].sentence == (
        "Physically active adults in Trafford in 2022/23 is now 70.3% (95% CI 68.4% to 72.0%), "
        "revised up from 66.0% (95% CI 64.0% to 68.0%) in the previous edition, an improvement "
        "beyond the confidence intervals."
    )
    smoking = changes["change/smoking/E08000009"]
    assert (smoking.other_value, smoking.other_period, smoking.intervals_overlap) == (
        15.0,
        "2022",
        False,
    )


def test_significance_change_alone_is_a_change() -> None:
    before = frame(trafford("smoking", "2022", 13.0, 12.0, 14.0, compared_with_england="worse"))
    now = frame(
        trafford("smoking", "2023", 12.5, 11.5, 13.5, compared_with_england="similar"),
    )
    (finding,) = key_findings(now, INDICATORS, make_config(), previous=before)
    assert finding.sentence == (
        "Smoking prevalence in adults in Trafford is 12.5% (95% CI 11.5% to 13.5%) in 2023, "
        "down from 13.0% (95% CI 12.0% to 14.0%) in 2022 in the previous edition. It was worse "
        "than England and is now similar to it."
    )


def test_no_change_from_suppressed_previous_cell() -> None:
    before = frame(
        row("smoking", TRAFFORD, "2022", None, suppressed=True),
        trafford("smoking", "2021", 5.0, 4.0, 6.0),
    )
    now = frame(trafford("smoking", "2023", 18.0, 17.0, 19.0))
    assert list(key_findings(now, INDICATORS, make_config(), previous=before)) == []


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["smoking", "active", "cancer", "life"]),
            st.sampled_from([TRAFFORD, "E05000001", "E05000002", "E05000003", "E05000004"]),
            st.sampled_from(["2021", "2022", "2023"]),
            st.floats(1, 99),
            st.booleans(),
            st.sampled_from(["worse", "better", "similar", "not compared"]),
            st.sampled_from(["getting worse", "getting better", "no significant change", ""]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_no_finding_ever_uses_a_suppressed_cell(cells: list[tuple]) -> None:
    """Suppressed cells carry values from 1,000 up: no finding may show one."""
    rows = {}
    for indicator_id, code, period, value, hidden, compared, trend in cells:
        shown = 1000 + value if hidden else value
        rows[(indicator_id, code, period)] = row(
            indicator_id,
            code,
            period,
            shown,
            area_type="ltla23" if code == TRAFFORD else "ward23",
            lower_95=shown - 0.5,
            upper_95=shown + 0.5,
            suppressed=hidden,
            compared_with_england=compared,
            england_value=50.0,
            trend=trend,
        )
    data = frame(*rows.values())
    found = key_findings(data, INDICATORS, make_config(), previous=data)
    for finding in found:
        for figure in (finding.value, finding.other_value):
            assert figure is None or figure < 1000, finding
        assert re.search(r"1,[01]\d\d", finding.sentence) is None
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
    assert len({f.id for f in found}) == len(found)
    FOUND_PER_EXAMPLE.append(len(found))


FOUND_PER_EXAMPLE: list[int] = []


def test_the_suppression_property_saw_findings() -> None:
    """The property above is not vacuous: its examples produced findings."""
    if FOUND_PER_EXAMPLE:  # in the same worker as the property
        assert max(FOUND_PER_EXAMPLE) > 0


def test_areas_grouped_by_deprivation_decile_are_a_deprivation_gap() -> None:
    """A custom area type of the borough's LSOAs by national IMD decile (areas "1" to "10")."""
    config = make_config(
        area_types=["ltla23", "ward23", "imd25_decile"],
        geographies={
            "lookups": [{"reader": "regions", "file": "regions.csv"}],
            "custom_areas": [
                {
                    "type": "imd25_decile",
                    "name": "IMD 2025 national decile",
                    "of": "lsoa21",
                    "areas": {str(k): [f"E0100000{k - 1}"] for k in range(1, 11)},
                }
            ],
        },
    )
    rows = [
        ward(
            "smoking",
            str(rank),
            str(rank),
            30.0 - 2.0 * (rank - 1),
            29.0 - 2.0 * (rank - 1),
            31.0 - 2.0 * (rank - 1),
            area_type="imd25_decile",
            denominator=5_000.0 + 1_000 * rank,
        )
        for rank in range(1, 11)
    ]
    (finding,) = key_findings(frame(*rows), INDICATORS, config)
    assert finding.id == "deprivation_gap/smoking/E08000009"
    assert finding.sentence.startswith(
        "Smoking prevalence in adults in Trafford in 2023 is 30.0% (95% CI 29.0% to 31.0%) in IMD "
        "2025 national decile 1 (the most deprived) and 12.0% (95% CI 11.0% to 13.0%) in IMD 2025 "
        "national decile 10 (the least deprived); their confidence intervals do not overlap. The "
        "slope index of inequality"
    )
    # Weighted least squares by hand: relative rank of each decile's population midpoint.
    population = np.array([5_000.0 + 1_000 * k for k in range(1, 11)])
    share = population / population.sum()
    rank = np.cumsum(share) - share / 2
    values = np.array([30.0 - 2.0 * (k - 1) for k in range(1, 11)])
    slope = np.polyfit(rank, values, 1, w=np.sqrt(share))[0]
    assert finding.sii == pytest.approx(slope)


ALL = frame(WORSE_AND_WORSENING, WORSE_IMPROVING, BETTER, *WARDS)


def test_order_by_kind_then_size() -> None:
    found = key_findings(ALL, INDICATORS, make_config())
    assert [f.id for f in found] == [
        "worse_and_worsening/cancer/E08000009",
        "worse/smoking/E08000009",
        "gap/smoking/ward23",
        "better/active/E08000009",
    ]
    scores = [f.score for f in found]
    assert scores == sorted(scores, reverse=True)
    # a bigger gap from England scores higher within a kind
    bigger = dict(WORSE_IMPROVING, indicator_id="active", compared_with_england="worse")
    bigger.update(value=40.0, lower_95=39.0, upper_95=41.0, england_value=67.1)
    ranked = key_findings(frame(WORSE_IMPROVING, bigger), INDICATORS, make_config())
    assert [f.indicator_id for f in ranked] == ["active", "smoking"]


def test_ids_are_stable_and_deterministic() -> None:
    first = key_findings(ALL, INDICATORS, make_config())
    shuffled = key_findings(ALL.sample(frac=1.0, random_state=3), INDICATORS, make_config())
    assert first == shuffled
    next_year = ALL.assign(period=ALL["period"].replace({"2023": "2024", "2022/23": "2023/24"}))
    later = key_findings(next_year, INDICATORS, make_config())
    assert [f.id for f in later] == [f.id for f in first]


def test_edits_pin_order_note_hide_and_unknown() -> None:
    config = make_config(
        findings=[
            {"id": "better/active/E08000009", "pin": True, "order": 2},
            {"id": "gap/smoking/ward23", "pin": True, "order": 1, "note": "See chapter 4."},
            {"id": "worse/smoking/E08000009", "hide": True},
            {"id": "worse/nothing/E08000009", "note": "stale"},
        ]
    )
    result = key_findings(ALL, INDICATORS, config)
    assert isinstance(result, FindingsResult)
    assert [f.id for f in result] == [
        "gap/smoking/ward23",
        "better/active/E08000009",
        "worse_and_worsening/cancer/E08000009",
    ]
    gap = result.findings[0]
    assert gap.pinned
    assert gap.order == 1
    assert gap.text == gap.sentence + " See chapter 4."
    assert result.hidden == ("worse/smoking/E08000009",)
    assert result.unknown_edits == (
        "jsna.yml: findings: no current finding has id 'worse/nothing/E08000009' "
        "(the edit is ignored; 'jsna findings' lists the ids)",
    )


def test_limit_keeps_pinned() -> None:
    config = make_config(findings=[{"id": "better/active/E08000009", "pin": True}])
    result = key_findings(ALL, INDICATORS, config, limit=2)
    assert [f.id for f in result] == [
        "better/active/E08000009",
        "worse_and_worsening/cancer/E08000009",
    ]


def test_unknown_indicators_ignored_and_missing_columns_named() -> None:
    other = dict(WORSE_AND_WORSENING, indicator_id="not_defined")
    assert list(key_findings(frame(other), INDICATORS, make_config())) == []
    with pytest.raises(JsnaError, match="no column 'value'"):
        key_findings(frame(WORSE_AND_WORSENING).drop(columns="value"), INDICATORS, make_config())


def test_record_is_flat_and_json_ready() -> None:
    (finding,) = key_findings(frame(WORSE_AND_WORSENING), INDICATORS, make_config())
    record = finding.as_record()
    assert record["id"] == "worse_and_worsening/cancer/E08000009"
    assert record["text"] == finding.sentence
    assert set(KINDS) >= {record["kind"]}
    assert all(not isinstance(v, float) or math.isfinite(v) for v in record.values())
    assert isinstance(finding, Finding)


# ---------------------------------------------------------------- end to end


def _published(built: Built) -> pd.DataFrame:
    compute_project(built.engine, built.project)
    with built.engine.connect() as connection:
        return published_results(connection)


def test_end_to_end_gap_of_the_borough_practices_only(practice_project: Built) -> None:
    results = _published(practice_project)
    with practice_project.engine.connect() as connection:
        within = areas_within(connection, BOROUGH, "ltla23")
    assert {"A00001", "A00006", "U00001", "U00002", "NORTH", "SOUTH"} <= within
    assert not {"B00001", "U00003", OTHER} & within
    project = practice_project.project
    outcome = key_findings(results, project.indicators, project.config, within=within)
    # Independently from the raw counts: persons' prevalence of the borough's practices.
    raw = practice_rows()
    raw = raw[(raw["period"] == "2023/24") & (raw["sex"] == "persons")]
    raw = raw[raw["code"].str.startswith("A")].set_index("code")
    share = (100 * raw["register"] / raw["list_size"]).sort_values()
    worst, best = share.index[-1], share.index[0]
    (gap,) = [f for f in outcome if f.kind == "gap"]
    assert gap.id == "gap/prevalence/gp_practice"
    assert (gap.label, gap.other_label) == (f"Practice {worst}", f"Practice {best}")
    assert gap.value == pytest.approx(share.iloc[-1])
    assert gap.other_value == pytest.approx(share.iloc[0])
    published = results.set_index(["area_code", "period", "sex"])
    high = published.loc[(worst, "2023/24", "persons")]
    assert gap.sentence.startswith(
        f"Prevalence in 2023/24 ranges across Trafford's 6 GP practices from Practice {worst} "
        f"({share.iloc[-1]:.1f}, 95% CI {high['lower_95']:.1f} to {high['upper_95']:.1f}), "
        "the worst, to "
    )
    # the borough's own latest figure is similar to England: no comparison finding
    assert [f.kind for f in outcome] == ["gap"]
    # without the memberships, every practice of the results counts (Wigan's too)
    unrestricted = key_findings(results, project.indicators, project.config)
    assert "Trafford's 9 GP practices" in unrestricted.findings[0].sentence


def test_cli_lists_ids_and_reads_a_previous_edition(
    practice_project: Built, tmp_path: Path
) -> None:
    results = _published(practice_project)
    url = practice_project.engine.url.render_as_string(hide_password=False)
    folder = practice_project.folder
    runner = CliRunner()
    done = runner.invoke(findings, [str(folder), "--db", url])
    assert done.exit_code == 0, done.output
    assert "1 key finding for Test JSNA." in done.output
    assert " 1. gap/prevalence/gp_practice\n    Prevalence in 2023/24 ranges" in done.output

    # An earlier edition where the borough was at 4.0% (3.8 to 4.2) in 2022/23, better.
    before = results.copy()
    before = before[~((before["area_code"] == BOROUGH) & (before["period"] == "2023/24"))]
    mine = (before["area_code"] == BOROUGH) & (before["sex"] == "persons")
    latest = mine & (before["period"] == "2022/23")
    before.loc[latest, ["value", "lower_95", "upper_95"]] = [4.0, 3.8, 4.2]
    before.loc[latest, "compared_with_england"] = "better"
    previous = tmp_path / "previous.csv"
    before.to_csv(previous, index=False)
    config = yaml.safe_load((folder / "jsna.yml").read_text())
    config["findings"] = [
        {"id": "change/prevalence/E08000009", "pin": True, "note": "Checked with the ICB."},
        {"id": "gap/prevalence/ward23", "hide": True},
    ]
    (folder / "jsna.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    done = runner.invoke(
        findings, [str(folder), "--db", url, "--previous", str(previous), "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    first = document["findings"][0]
    assert first["id"] == "change/prevalence/E08000009"
    assert first["pinned"] is True
    assert first["other_value"] == 4.0
    assert first["text"].endswith(
        "in 2022/23 in the previous edition, a worsening beyond the confidence intervals. "
        "It was better than England and is now similar to it. Checked with the ICB."
    )
    assert document["unknown_edits"] == [
        "jsna.yml: findings: no current finding has id 'gap/prevalence/ward23' "
        "(the edit is ignored; 'jsna findings' lists the ids)"
    ]
    assert "warning: jsna.yml: findings: no current finding" in done.stderr

    done = runner.invoke(findings, [str(folder), "--db", url, "--format", "csv", "--limit", "1"])
    assert done.exit_code == 0, done.output
    table = pd.read_csv(io.StringIO(done.stdout))
    assert table["id"].tolist() == ["gap/prevalence/gp_practice"]


def test_cli_previous_file_must_be_a_results_export(
    practice_project: Built, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    url = practice_project.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(
        findings, [str(practice_project.folder), "--db", url, "--previous", str(wrong)]
    )
    assert done.exit_code != 0
    assert isinstance(done.exception, InputFileError)
    assert "not a results export: no column 'indicator_id'" in str(done.exception)
