"""Future need figures on the Trafford store, checked against the source files by hand."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from jsna.content.blocks.future import GrowthBlock, PopulationProjectionBlock, ProjectedCasesBlock
from jsna.content.chapters import AnalysisBlock
from jsna.content.project_files import Project
from jsna.errors import ContentError
from jsna.figures import future
from jsna.figures.blocks import figures_for_block
from jsna.figures.context import FigureContext
from jsna.figures.model import Figure

from .conftest import VL_VERSION

MIRROR = Path(os.environ.get("JSNA_DATA_MIRROR", Path(__file__).parents[3] / "shared" / "data"))
SNPP = MIRROR / "england" / "projections" / "snpp2022_migcat_trafford_syoa_sex_2022_2047.csv"
CHAPTER = "14-future-need"


def chapter_blocks(project: Project) -> list[AnalysisBlock]:
    chapter = next(c for c in project.chapters if c.path.stem == CHAPTER)
    return [p.block for p in chapter.blocks if isinstance(p.block, AnalysisBlock)]


@pytest.fixture(scope="module")
def figures(trafford: FigureContext) -> dict[str, Figure]:
    built = [
        f for block in chapter_blocks(trafford.project) for f in figures_for_block(trafford, block)
    ]
    ids = [f.id for f in built]
    assert len(ids) == len(set(ids)), ids
    return {f.id: f for f in built}


@pytest.fixture(scope="module")
def snpp() -> pd.DataFrame:
    frame = pd.read_csv(SNPP, dtype={"age": str})
    frame = frame[frame["age"].str.lower() != "all ages"]
    years = pd.to_numeric(frame["age"].str.rstrip("+"))
    return frame.assign(years=years)


def people(snpp: pd.DataFrame, year: int, low: int, high: int = 200) -> float:
    rows = snpp[(snpp["year"] == year) & snpp["years"].between(low, high)]
    return float(rows["population"].sum())


def test_the_chapter_uses_every_future_block(trafford: FigureContext) -> None:
    kinds = [b.block for b in chapter_blocks(trafford.project)]  # type: ignore[attr-defined]
    assert set(kinds) == {"population_projection", "growth", "projected_cases"}


def test_projection_summary_and_table_match_the_ons_file(
    figures: dict[str, Figure], snpp: pd.DataFrame
) -> None:
    figure = figures["projection-bands-population_projections_2022-2025-2035"]
    total0, total1 = people(snpp, 2025, 0), people(snpp, 2035, 0)
    old0, old1 = people(snpp, 2025, 85), people(snpp, 2035, 85)
    assert figure.summary.startswith(
        f"Trafford's population is projected to grow from about {future.about(total0)} in 2025 "
        f"to {future.about(total1)} in 2035 ({100 * (total1 / total0 - 1):+.1f}%). "
        f"The fastest-growing age band is 85+: from about {future.about(old0)} to "
        f"{future.about(old1)} people"
    )
    assert "they are not forecasts" in figure.summary
    rows = {r[0]: r for r in figure.table.rows}
    assert rows["All ages"][1:3] == (f"{total0:,.0f}", f"{total1:,.0f}")
    assert rows["85+"][2] == f"{old1:,.0f}"
    assert figure.spec is not None
    assert figure.data["year"].min() == 2022
    assert figure.data["year"].max() == 2047


def test_pyramid_shows_both_years_by_sex(figures: dict[str, Figure], snpp: pd.DataFrame) -> None:
    figure = figures["projection-pyramid-population_projections_2022-2025-2035"]
    assert [c.label for c in figure.table.columns][1:] == [
        "Men, 2025",
        "Women, 2025",
        "Men, 2035",
        "Women, 2035",
    ]
    women_85 = snpp[(snpp["year"] == 2035) & (snpp["sex"] == "female") & (snpp["years"] >= 85)]
    assert figure.table.rows[-1] == (
        "85+",
        *figure.table.rows[-1][1:4],
        f"{women_85['population'].sum():,.0f}",
    )
    share = figure.data[figure.data["year"] == 2035]["percent"].sum()
    assert share == pytest.approx(100, abs=0.01)


def test_wards_add_up_to_the_borough(figures: dict[str, Figure], snpp: pd.DataFrame) -> None:
    figure = figures["projection-areas-ward23-population_projections_2022-2025-2035"]
    assert len(figure.data) == 21
    assert figure.data["population_target"].sum() == pytest.approx(people(snpp, 2035, 0), abs=21)
    assert "keeps its mid-2024 share" in figure.summary
    assert "the shares are held constant" in figure.summary
    assert figure.spec is not None
    assert figure.spec["params"][0]["name"] == "highlight"


def test_trend_cross_check_states_its_method(figures: dict[str, Figure]) -> None:
    figure = figures["projection-bands-trend-2025-2035"]
    assert "Method: no official projection was supplied" in figure.summary
    assert "(2001, 2011, 2019, 2020, 2021 and 2024)" in figure.summary
    assert figure.table.columns[-1].label == "2035: 95% prediction interval"


def test_gp_practice_growth_is_flagged_with_the_rule(
    figures: dict[str, Figure], trafford: FigureContext
) -> None:
    figure = figures["growth-gp_registered_patients-gp_practice-2030"]
    assert len(figure.data) == 26
    assert set(figure.data["warning"]) == {"poor fit: fewer than 4 periods (2)"}
    assert "26 of 26 fits are poor (fewer than 4 periods)" in figure.summary
    assert "fewer than 4 periods or an R² below 0.7" in figure.summary
    # each line passes through its two points: 2019/20 (mid-2019) and January 2026
    row = figure.data.set_index("area_name").loc["Conway Road Medical Practice"]
    slope = (row["last_value"] - row["first_value"]) / (2026.0 - 2019.5)
    assert row["slope"] == pytest.approx(slope)
    assert row["projected"] == pytest.approx(row["last_value"] + slope * 4.5)
    slopes = figures["growth-slopes-gp_registered_patients-gp_practice"]
    assert "no growth has a confidence interval" in slopes.summary


def test_census_growth_equals_a_hand_fit(
    figures: dict[str, Figure], trafford: FigureContext
) -> None:
    figure = figures["growth-census_population-ltla23-2035"]
    rows = trafford.results("census_population")
    rows = rows[(rows["sex"] == "persons") & (rows["age"] == "all ages")]
    x = rows["period"].astype(int).to_numpy() + 0.5
    slope, intercept = np.polyfit(x, rows["value"].to_numpy(dtype=float), 1)
    row = figure.data.iloc[0]
    assert row["slope"] == pytest.approx(slope)
    assert row["projected"] == pytest.approx(intercept + slope * 2035.5)
    assert row["warning"].startswith("poor fit: R² below 0.7")
    assert "Warning: poor fit" in figure.summary


def test_projected_cases_sentence(figures: dict[str, Figure], snpp: pd.DataFrame) -> None:
    figure = next(f for f in figures.values() if f.kind == "projected_cases")
    rates = {(16, 24): 0.2, (25, 34): 0.4, (35, 44): 0.9, (45, 54): 0.5, (55, 64): 0.3}

    def cases(year: int) -> float:
        return sum(people(snpp, year, lo, hi) * r / 100 for (lo, hi), r in rates.items())

    first, last = cases(2025), cases(2035)
    assert figure.summary.startswith(
        f"By 2035 there will be about {future.about(last - first)} more people aged 16 to 64 "
        f"living with a psychotic disorder in Trafford than in 2025: about "
        f"{future.about(first)} in 2025 and {future.about(last)} in 2035"
    )
    assert "There is no rate for 65-74 and 75+" in figure.summary
    assert "no range is given" in figure.summary
    assert figure.table.rows[-1][3] == f"{first:,.0f}"


def test_every_spec_is_json_and_draws(figures: dict[str, Figure]) -> None:
    for figure in figures.values():
        assert figure.summary
        assert figure.table.rows
        if figure.spec is not None:
            text = json.dumps(figure.spec, allow_nan=False)
            svg = vlc.vegalite_to_svg(json.loads(text), vl_version=VL_VERSION)
            assert svg.startswith("<svg")


def test_modelled_counts_of_one_to_four_are_suppressed(trafford: FigureContext) -> None:
    hidden = future._hidden(pd.Series([0.0, 0.6, 4.4, 4.6, np.nan]), trafford)
    assert hidden.tolist() == [False, True, True, False, False]


def test_a_year_outside_the_projection_is_a_content_error(trafford: FigureContext) -> None:
    block = PopulationProjectionBlock(
        block="population_projection",
        projection="population_projections_2022",
        base_year=2025,
        target_year=2050,
    )
    with pytest.raises(ContentError) as error:
        future.build(trafford, block)
    assert error.value.problems == [
        "block population_projection: target_year 2050 is outside the projection (2022 to 2047)"
    ]


def test_profile_area_is_named_and_in_the_id(trafford: FigureContext) -> None:
    block = PopulationProjectionBlock(
        block="population_projection",
        projection="population_projections_2022",
        base="population_mid2024_ward",
        area_type="ward23",
        base_year=2025,
        target_year=2035,
    )
    code = "E05015241"
    built = future.build(trafford, block, area_code=code)
    wards = next(f for f in built if f.id.startswith("projection-areas"))
    detail = next(f for f in built if f.id.startswith("projection-detail"))
    assert set(detail.data["area_code"]) == {code}
    assert len(detail.table.rows) == 5
    name = wards.data.set_index("area_code").loc[code, "area_name"]
    assert wards.id.endswith(f"-{code}")
    assert f"{name}: about" in wards.summary


def test_growth_of_one_area_and_cases_by_sex(trafford: FigureContext) -> None:
    growth = GrowthBlock(block="growth", indicator="gp_registered_patients", area_type="pcn", target_year=2030)  # fmt: skip
    first = future.build(trafford, growth, area_code="U42898")[0]
    assert first.summary.split(":")[0] in set(first.data["area_name"])
    cases = ProjectedCasesBlock(
        block="projected_cases",
        projection="population_projections_2022",
        rates="apms_2007_rates",
        measure="apms_psychotic_disorder",
        condition="a psychotic disorder",
        base_year=2025,
        target_year=2035,
    )
    figure = future.build(trafford, cases)[0]
    assert "female 75+, male 16-24, male 55-64" in figure.summary
    assert figure.table.rows[1][1] == "men 0.60, women 0.20"  # APMS 2007, ages 25-34


def test_the_mental_health_chapter_quotes_the_same_projection(
    trafford: FigureContext, figures: dict[str, Figure]
) -> None:
    chapter = next(c for c in trafford.project.chapters if c.path.stem == "06-mental-health")
    block = next(
        p.block for p in chapter.blocks if getattr(p.block, "block", "") == "projected_cases"
    )
    there = figures_for_block(trafford, block)[0]  # type: ignore[arg-type]
    assert there.summary == figures[there.id].summary


def test_growth_of_a_percentage_is_never_suppressed(trafford: FigureContext) -> None:
    block = GrowthBlock(block="growth", indicator="smoking_adults", target_year=2030)
    figure = future.build(trafford, block)[0]
    row = figure.data.iloc[0]
    assert row["n"] == 14
    assert np.isfinite(row["projected"])  # a few percent is not a small count
    assert figure.table.columns[4].label == "Change a year (percentage points)"
    assert figure.table.rows[0][2] == "2011: 18.2%"


def test_ward_detail_by_sex_and_band(figures: dict[str, Figure], snpp: pd.DataFrame) -> None:
    figure = figures["projection-detail-ward23-population_projections_2022-2025-2035"]
    assert figure.spec is None
    assert len(figure.table.rows) == 21 * 5
    assert not figure.data["suppressed"].any()
    women = figure.data[(figure.data["year"] == 2035) & (figure.data["sex"] == "female")]
    expected = float(snpp[(snpp["year"] == 2035) & (snpp["sex"] == "female")]["population"].sum())
    assert women["population"].sum() == pytest.approx(expected, abs=len(women))


def test_change_sentence_gives_a_range_only_with_every_limit() -> None:
    cases = pd.DataFrame(
        {
            "year": [2025, 2025, 2035, 2035],
            "cases": [10.0, 20.0, 14.0, 30.0],
            "cases_lower": [8.0, 15.0, 11.0, 22.0],
            "cases_upper": [12.0, 25.0, 17.0, 38.0],
        }
    )
    words = {"base": 2025, "target": 2035, "who": "people aged 85 and over with X"}
    # change 44 - 30 = 14; at the lower rates 33 - 23 = 10, at the upper 55 - 37 = 18
    assert future.change_sentence(cases, place="Trafford", **words) == (
        "By 2035 there will be about 14 more people aged 85 and over with X in Trafford than "
        "in 2025 (+10 to +18)"
    )
    cases.loc[3, "cases_lower"] = np.nan
    fewer = cases.assign(cases=[20.0, 20.0, 14.0, 20.0])
    assert future.change_sentence(fewer, place="Trafford", **words) == (
        "By 2035 there will be about 6 fewer people aged 85 and over with X in Trafford than "
        "in 2025"
    )
