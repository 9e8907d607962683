"""Future need maths (jsna.analysis.future, jsna.stats.regression), checked against figures
worked out by hand on a tiny store: a local authority with two wards and one locality."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, create_engine

from jsna.analysis.future import (
    AreaProjection,
    age_limits,
    area_projection,
    growth_models,
    into_bands,
    projected_cases,
    read_rates,
    small_area_projection,
)
from jsna.content.blocks.future import PopulationProjectionBlock, ProjectedCasesBlock
from jsna.errors import ContentError
from jsna.stats.regression import decimal_years, linear_fits, predict_linear
from jsna.store.schema import (
    area,
    area_membership,
    area_type,
    dataset_version,
    metadata,
    observation,
    source,
)

T_975_1 = 12.706204736174698
"""t(0.975) on 1 degree of freedom."""
T_975_2 = 4.302652729911275
"""t(0.975) on 2 degrees of freedom."""

LA = "E08000009"
BANDS = ("0-64", "65+")


def _add_source(connection: Connection, source_id: str, version: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    connection.execute(
        source.insert().values(
            id=source_id, title=f"Title of {source_id}", publisher="ONS", licence="OGL",
            format="csv", declaration="{}",
        )
    )  # fmt: skip
    connection.execute(
        dataset_version.insert().values(
            id=version, source_id=source_id, checksum=f"c{version}", file_name="f.csv",
            retrieved_at=now, imported_at=now, row_count=1, is_current=True,
        )
    )  # fmt: skip


def _observe(
    connection: Connection, version: int, rows: list[tuple[object, ...]], indicator: str = "pop"
) -> None:
    """rows: (area id, area type, year, sex, age, count)."""
    connection.execute(
        observation.insert(),
        [
            {
                "version_id": version,
                "indicator_id": indicator,
                "area_id": area_id,
                "area_type": kind,
                "period": str(year),
                "period_start": year,
                "sex": sex,
                "age": age,
                "breakdown_type": "",
                "breakdown": "",
                "numerator": count,
                "value": count,
            }
            for area_id, kind, year, sex, age, count in rows
        ],
    )


# LA projection (single years "10", "70", "90+" and an "all ages" row that must be ignored):
#   2025 female 10: 100, 70: 50, 90+: 10 -> 0-64: 100, 65+: 60
#        male   10: 100, 70: 40, 90+: 5  -> 0-64: 100, 65+: 45
#   2035 female 10: 110, 70: 60, 90+: 20 -> 0-64: 110, 65+: 80
#        male   10:  90, 70: 50, 90+: 10 -> 0-64:  90, 65+: 60
PROJECTION = {
    (2025, "female"): (100, 50, 10),
    (2025, "male"): (100, 40, 5),
    (2035, "female"): (110, 60, 20),
    (2035, "male"): (90, 50, 10),
}
# Ward base, mid-2024 (persons rows too: never added to the sexes):
#   W1 female 10: 30, 70: 10, 90+: 2; male 10: 20, 70: 5, 90+: 1
#   W2 female 10: 10, 70: 30, 90+: 6; male 10: 20, 70: 15, 90+: 4
BASE = {
    ("W1", "female"): (30, 10, 2),
    ("W1", "male"): (20, 5, 1),
    ("W2", "female"): (10, 30, 6),
    ("W2", "male"): (20, 15, 4),
}


@pytest.fixture
def store() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            area_type.insert(),
            [
                {"code": c, "name": n, "level": lv, "vintage": "2023", "is_custom": cu}
                for c, n, lv, cu in (
                    ("ltla23", "Local authority", 4, False),
                    ("ward23", "Ward", 2, False),
                    ("locality", "Locality", 3, True),
                    ("country", "Country", 6, False),
                )
            ],
        )
        connection.execute(
            area.insert(),
            [
                {"id": 1, "area_type": "ltla23", "code": LA, "name": "Trafford"},
                {"id": 2, "area_type": "ward23", "code": "W1", "name": "Ward one"},
                {"id": 3, "area_type": "ward23", "code": "W2", "name": "Ward two"},
                {"id": 4, "area_type": "locality", "code": "L1", "name": "Locality one"},
                {"id": 5, "area_type": "country", "code": "E92000001", "name": "England"},
            ],
        )
        connection.execute(
            area_membership.insert(),
            [
                {"child_id": 2, "parent_id": 1, "weight": 1.0, "method": "lookup"},
                {"child_id": 3, "parent_id": 1, "weight": 1.0, "method": "lookup"},
                {"child_id": 2, "parent_id": 4, "weight": 1.0, "method": "custom"},
            ],
        )
        _add_source(connection, "proj", 1)
        rows = [
            (1, "ltla23", year, sex, age, count)
            for (year, sex), counts in PROJECTION.items()
            for age, count in zip(("10", "70", "90+"), counts, strict=True)
        ]
        rows += [(1, "ltla23", 2025, "female", "all ages", 160)]
        _observe(connection, 1, rows)
        _add_source(connection, "base", 2)
        ids = {"W1": 2, "W2": 3}
        rows = [
            (ids[ward], "ward23", 2024, sex, age, count)
            for (ward, sex), counts in BASE.items()
            for age, count in zip(("10", "70", "90+"), counts, strict=True)
        ]
        rows += [
            (2, "ward23", 2024, "persons", "10", 999),
            (2, "ward23", 2024, "persons", "65+", 9),
        ]
        _observe(connection, 2, rows)
        # past counts by broad band, persons only:
        #   0-64: 100, 110, 120 (a perfect line, +1 a year); 65+: 10, 20, 24
        _add_source(connection, "past", 3)
        rows = [
            (1, "ltla23", year, "persons", age, count)
            for year, counts in ((2001, (100, 10)), (2011, (110, 20)), (2021, (120, 24)))
            for age, count in zip(("0-64", "65+"), counts, strict=True)
        ]
        _observe(connection, 3, rows)
        _add_source(connection, "rates", 4)
        connection.execute(
            observation.insert(),
            [
                {
                    "version_id": 4, "indicator_id": "condition", "area_id": 5,
                    "area_type": "country", "period": "2007", "period_start": 2007, "sex": sex,
                    "age": age, "breakdown_type": "", "breakdown": "", "value": rate,
                    "lower_95": low, "upper_95": high,
                }
                for sex, age, rate, low, high in (
                    ("persons", "0-64", 1.0, 0.5, 1.5),
                    ("persons", "65+", 10.0, 8.0, 12.0),
                    ("persons", "all ages", 3.0, None, None),
                    ("female", "65+", 12.0, None, None),
                )
            ],
        )  # fmt: skip
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def official(connection: Connection) -> AreaProjection:
    return area_projection(
        connection, area_code=LA, area_name="Trafford", bands=BANDS, projection="proj"
    )


# -- ages and bands ---------------------------------------------------------------------------


def test_age_limits_read_single_years_groups_and_open_tops() -> None:
    limits = age_limits(pd.Series(["37", "65-69", "90+", "all ages", " 5 - 9 "]))
    assert limits["low"].tolist()[:3] == [37, 65, 90]
    assert limits["high"].tolist()[:3] == [37, 69, 200]
    assert np.isnan(limits["low"].iloc[3])
    assert limits.iloc[4].tolist() == [5, 9]


def test_into_bands_adds_the_finest_groups_and_drops_aggregates() -> None:
    frame = pd.DataFrame(
        {
            "sex": "female",
            "age": ["10", "64", "65", "90+", "65+", "all ages", "0-15"],
            "count": [1.0, 2.0, 4.0, 8.0, 100.0, 1000.0, 50.0],
        }
    )
    banded = into_bands(frame, BANDS, "test")
    assert banded["band"].tolist() == ["0-64", "65+"]
    assert banded["count"].tolist() == [3.0, 12.0]


def test_into_bands_names_a_group_that_straddles_a_band() -> None:
    frame = pd.DataFrame({"age": ["60-69", "70+"], "count": [1.0, 2.0]})
    with pytest.raises(ContentError) as error:
        into_bands(frame, BANDS, "source census")
    assert error.value.problems == [
        "source census: age group '60-69' does not fit in age band '0-64': "
        "choose bands made of whole age groups of the data"
    ]


def test_bands_of_a_block_must_follow_on_and_end_open() -> None:
    common = {"block": "population_projection", "projection": "p", "base_year": 2025}
    with pytest.raises(ValueError, match="'66-84' should start at 65"):
        PopulationProjectionBlock(**common, target_year=2035, age_bands=("0-64", "66-84", "85+"))
    with pytest.raises(ValueError, match="the last age band must be open"):
        PopulationProjectionBlock(**common, target_year=2035, age_bands=("0-64", "65-84"))
    with pytest.raises(ValueError, match=r"target_year \(2020\) must come after base_year"):
        PopulationProjectionBlock(**common, target_year=2020)
    with pytest.raises(ValueError, match="give either projection"):
        PopulationProjectionBlock(block="population_projection", base_year=2025, target_year=2035)
    block = PopulationProjectionBlock(**common, target_year=2035, base="b", area_type="ward23")
    assert block.source_ids() == ("p", "b")


# -- population projection ---------------------------------------------------------------------


def test_official_projection_by_sex_and_band(store: Connection) -> None:
    projected = official(store)
    assert projected.method == "official"
    got = projected.frame.set_index(["year", "sex", "band"])["population"]
    assert got[(2025, "female", "0-64")] == 100
    assert got[(2025, "female", "65+")] == 60  # 50 + 10; "all ages" (160) left out
    assert got[(2035, "male", "65+")] == 60
    assert projected.totals(2025) == 305
    assert projected.totals(2035) == 340
    assert projected.totals(2035, ["65+"]) == 140


def test_ratio_method_for_wards_and_localities(store: Connection) -> None:
    projected = official(store)
    wards, base_year = small_area_projection(
        store, projected, base="base", area_type="ward23", jsna_area_type="ltla23"
    )
    assert base_year == 2024
    shares = wards[wards["year"] == 2035].set_index(["area_code", "sex", "band"])["share"]
    # female 0-64: W1 30 of 40; female 65+: W1 12 of 48; male 65+: W1 6 of 25
    assert shares[("W1", "female", "0-64")] == pytest.approx(0.75)
    assert shares[("W1", "female", "65+")] == pytest.approx(0.25)
    assert shares[("W1", "male", "65+")] == pytest.approx(0.24)
    totals = wards[wards["year"] == 2035].groupby("area_code")["population"].sum()
    # W1 = .75 x 110 + .25 x 80 + .5 x 90 + .24 x 60 = 161.9; W2 = 340 - 161.9
    assert totals["W1"] == pytest.approx(161.9)
    assert totals["W2"] == pytest.approx(178.1)
    localities, _ = small_area_projection(
        store, projected, base="base", area_type="locality", jsna_area_type="ltla23"
    )
    mine = localities[localities["year"] == 2035]
    assert set(mine["area_code"]) == {"L1"}
    assert mine["population"].sum() == pytest.approx(161.9)


def test_ratio_method_refuses_an_area_type_not_made_of_the_base_areas(store: Connection) -> None:
    with pytest.raises(ContentError, match="area_type country: no areas of that type are made"):
        small_area_projection(
            store, official(store), base="base", area_type="country", jsna_area_type="ltla23"
        )


def test_trend_projection_by_hand(store: Connection) -> None:
    projected = area_projection(
        store,
        area_code=LA,
        area_name="Trafford",
        bands=BANDS,
        projection=None,
        trend_sources=("past",),
        until=2035,
    )
    assert projected.method == "trend"
    assert sorted(set(projected.frame["year"])) == list(range(2001, 2036))
    row = projected.frame.set_index(["year", "band"])
    young = row.loc[(2035, "0-64")]
    # a perfect line: 100 + (2035.5 - 2001.5) x 1, no residual, interval of width 0
    assert young["population"] == pytest.approx(134)
    assert young["lower_95"] == pytest.approx(134)
    old = row.loc[(2035, "65+")]
    # 65+: x = 2001.5, 2011.5, 2021.5; y = 10, 20, 24; slope 140 / 200 = 0.7; ybar 18
    assert old["population"] == pytest.approx(18 + 0.7 * 24)
    # residuals -1, 2, -1: SSE 6, s = sqrt(6); half = t1 x s x sqrt(1 + 1/3 + 24^2 / 200)
    half = T_975_1 * np.sqrt(6) * np.sqrt(1 + 1 / 3 + 576 / 200)
    assert old["upper_95"] == pytest.approx(34.8 + half)
    assert old["lower_95"] == 0  # clipped: no negative people
    fit = projected.fits.set_index("band").loc["65+"]
    assert fit["r_squared"] == pytest.approx(1 - 6 / 104)


def test_trend_projection_needs_past_counts(store: Connection) -> None:
    with pytest.raises(ContentError, match="trend_sources nothing: no past counts for Trafford"):
        area_projection(
            store, area_code=LA, area_name="Trafford", bands=BANDS, projection=None,
            trend_sources=("nothing",),
        )  # fmt: skip


# -- growth models ------------------------------------------------------------------------------


def _series() -> pd.DataFrame:
    rows = [
        ("A", "Area A", p, int(p), v)
        for p, v in zip(("2018", "2019", "2020", "2021"), (10, 14, 9, 13), strict=True)
    ]
    rows += [
        ("C", "Area C", p, int(p), v)
        for p, v in zip(("2018", "2019", "2020", "2021"), (100, 110, 120, 130), strict=True)
    ]
    rows += [("B", "Area B", "2019/20", 2019, 100.0), ("B", "Area B", "2026-01", 2026, 113.0)]
    rows += [("D", "Area D", "2020", 2020, 50.0)]
    return pd.DataFrame(rows, columns=["area_code", "area_name", "period", "period_start", "value"])


def test_growth_models_by_hand() -> None:
    fits = growth_models(_series(), target_year=2030).set_index("area_code")
    a = fits.loc["A"]
    # x = 2018.5 ... 2021.5, y = 10, 14, 9, 13: Sxy = 2, Sxx = 5, slope 0.4, Syy = 17,
    # SSE = 17 - 0.4 x 2 = 16.2, R² = 1 - 16.2 / 17
    assert a["slope"] == pytest.approx(0.4)
    assert a["r_squared"] == pytest.approx(1 - 16.2 / 17)
    half = T_975_2 * np.sqrt(16.2 / 2) / np.sqrt(5)
    assert a["slope_lower_95"] == pytest.approx(0.4 - half)
    assert a["slope_upper_95"] == pytest.approx(0.4 + half)
    assert a["projected"] == pytest.approx(11.5 + 0.4 * 10.5)
    pi = T_975_2 * np.sqrt(8.1) * np.sqrt(1 + 1 / 4 + 10.5**2 / 5)
    assert a["upper_95"] == pytest.approx(15.7 + pi)
    assert a["warning"] == "poor fit: R² below 0.7 (R² 0.05)"
    c = fits.loc["C"]
    assert (c["slope"], c["r_squared"], c["warning"]) == (pytest.approx(10), 1.0, "")
    assert c["projected"] == pytest.approx(100 + 10 * 12)
    b = fits.loc["B"]
    # 2019/20 is mid-2019 (2019.5); 2026-01 is 2026.0: slope 13 / 6.5 = 2
    assert b["slope"] == pytest.approx(2)
    assert b["projected"] == pytest.approx(113 + 2 * 4.5)
    assert np.isnan(b["lower_95"])
    assert np.isnan(b["slope_lower_95"])
    assert b["warning"] == "poor fit: fewer than 4 periods (2)"
    d = fits.loc["D"]
    assert np.isnan(d["slope"])
    assert np.isnan(d["projected"])
    assert d["warning"] == "no fit: a single period"
    assert list(fits.index) == ["A", "B", "C", "D"]  # by name


def test_growth_rules_and_window_are_the_callers() -> None:
    fits = growth_models(
        _series(), target_year=2030, min_points=2, min_r_squared=0.01, from_year=2019
    ).set_index("area_code")
    assert fits.loc["A", "n"] == 3  # 2018 left out
    assert fits.loc["B", "warning"] == ""
    assert growth_models(_series().iloc[:0], target_year=2030).empty


def test_linear_fits_agree_with_numpy_and_predict_with_an_interval() -> None:
    data = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 3, "x": [1, 2, 3, 4, 5, 1, 2, 3.0]})
    data["y"] = [2.0, 4.1, 5.9, 8.2, 9.9, 1.0, np.nan, 3.0]
    fits = linear_fits(data, "x", "y", by=["g"])
    slope, intercept = np.polyfit([1, 2, 3, 4, 5], [2.0, 4.1, 5.9, 8.2, 9.9], 1)
    assert fits.loc["a", "slope"] == pytest.approx(slope)
    assert fits.loc["a", "intercept"] == pytest.approx(intercept)
    assert fits.loc["b", "n"] == 2  # the missing y is left out
    line = predict_linear(fits, 6.0)
    assert line.loc["a", "value"] == pytest.approx(intercept + 6 * slope)
    assert np.isnan(line.loc["b", "lower_95"])  # two points: no interval
    assert decimal_years(pd.Series(["2011-12", "2026-04", "2021"]), pd.Series([2011, 2026, 2021])).tolist() == [2011.5, 2026.25, 2021.5]  # fmt: skip


# -- projected cases ---------------------------------------------------------------------------


def test_projected_cases_by_hand(store: Connection) -> None:
    rates = read_rates(store, "rates", "condition", by_sex=False)
    assert rates["age"].tolist() == ["0-64", "65+"]  # "all ages" dropped, persons only
    cases, missing = projected_cases(official(store), rates, [2025, 2035], rate_per=100)
    assert missing == ()
    got = cases.set_index(["year", "band"])
    # 2025: 0-64 200 people x 1% = 2; 65+ 105 x 10% = 10.5
    assert got.loc[(2025, "0-64"), "cases"] == pytest.approx(2.0)
    assert got.loc[(2025, "65+"), "cases"] == pytest.approx(10.5)
    assert got.loc[(2025, "65+"), "cases_lower"] == pytest.approx(8.4)
    # 2035: 200 x 1% + 140 x 10% = 16; change 16 - 12.5 = 3.5
    assert cases[cases["year"] == 2035]["cases"].sum() == pytest.approx(16.0)
    assert got.loc[(2035, "65+"), "cases_upper"] == pytest.approx(16.8)


def test_projected_cases_name_the_bands_without_a_rate(store: Connection) -> None:
    rates = pd.DataFrame(
        {
            "sex": ["female", "female", "male", "male"],
            "age": ["0-64", "65+", "0-64", "65+"],
            "rate": [1.0, np.nan, 2.0, 10.0],
            "lower": np.nan,
            "upper": np.nan,
        }
    )
    cases, missing = projected_cases(official(store), rates, [2025], rate_per=100)
    assert missing == ("female 65+",)
    # female 0-64: 100 x 1%; male 0-64: 100 x 2%; male 65+: 45 x 10%
    assert cases["cases"].sum() == pytest.approx(1 + 2 + 4.5)


def test_rates_of_an_unknown_measure_are_refused(store: Connection) -> None:
    with pytest.raises(ContentError) as error:
        read_rates(store, "rates", "nothing", by_sex=True)
    assert error.value.problems == ["rates rates: no rates of measure 'nothing'"]


def test_cases_block_lists_its_sources() -> None:
    block = ProjectedCasesBlock(
        block="projected_cases", projection="proj", rates="r", measure="m", condition="x",
        base_year=2025, target_year=2035,
    )  # fmt: skip
    assert block.source_ids() == ("proj", "r")
    assert json.loads(block.model_dump_json())["rate_per"] == 100
