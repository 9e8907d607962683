"""Linear growth model and projection of counts (``Indicator.projection``), checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from scipy import stats

from jsna.compute import compute_project, key_findings
from jsna.compute.projection import decimal_years, is_projected
from jsna.content.indicators import Indicator, Projection
from jsna.store.results import published_results

from .conftest import (
    PREVALENCE,
    Built,
    indicator_yaml,
    practice_rows,
    write_yaml,
)

PERIOD_YEARS = {"2019/20": 2019.5, "2020/21": 2020.5, "2021/22": 2021.5, "2022/23": 2022.5}
PERIOD_YEARS["2023/24"] = 2023.5
CHECKED = ["A00001", "A00004", "B00002"]


def counted(indicator_id: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "method": "count",
        "multiplier": 1,
        "polarity": "no_judgement",
        "numerator": {"measure": "register"},
    }
    return indicator_yaml(indicator_id, **{**base, **fields})


def computed(built: Built, *definitions: dict[str, object]) -> dict[str, pd.DataFrame]:
    for definition in definitions:
        write_yaml(built.folder / "indicators" / f"{definition['id']}.yml", definition)
    from jsna.content.project_files import load_project

    project = load_project(built.folder)
    summary = compute_project(built.engine, project)
    assert not summary.failed, summary.failed
    with built.engine.connect() as connection:
        return {
            str(d["id"]): published_results(connection, str(d["id"]), "gp_practice")
            for d in definitions
        }


def persons(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    chosen = frame[(frame["area_code"] == code) & (frame["sex"] == "persons")]
    return chosen.reset_index(drop=True)


def raw_series(code: str, periods: list[str]) -> tuple[np.ndarray, np.ndarray]:
    rows = practice_rows()
    rows = rows[(rows["code"] == code) & (rows["sex"] == "persons")].set_index("period")
    x = np.array([PERIOD_YEARS[p] for p in periods])
    y = rows.loc[periods, "register"].to_numpy(dtype=np.float64)
    return x, y


def test_slope_and_projection_equal_polyfit_with_a_hand_prediction_interval(
    practice_project: Built,
) -> None:
    periods = list(PERIOD_YEARS)
    found = computed(practice_project, counted("registered", projection={"to": 2030}))
    frame = found["registered"]
    projected = frame[is_projected(frame)]
    assert set(projected["period"]) == {"2030 (projected)"}
    for code in CHECKED:
        x, y = raw_series(code, periods)
        slope, intercept = np.polyfit(x, y, 1)
        row = persons(frame, code).iloc[-1]
        assert row["period"] == "2030 (projected)"
        predicted = intercept + slope * 2030.5
        assert row["value"] == pytest.approx(predicted, rel=1e-9)
        residuals = y - (intercept + slope * x)
        s = math.sqrt((residuals**2).sum() / (len(x) - 2))
        half = (
            stats.t.ppf(0.975, len(x) - 2)
            * s
            * math.sqrt(1 + 1 / len(x) + (2030.5 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
        )
        assert row["lower_95"] == pytest.approx(predicted - half, rel=1e-9)
        assert row["upper_95"] == pytest.approx(predicted + half, rel=1e-9)
        first = intercept + slope * x[0]
        growth = f"{slope:+,.0f} a year ({100 * slope / first:+.1f}% a year)"
        assert row["method"] == (
            f"linear projection (from 5 periods, {growth}; 95% prediction interval)"
        )
        assert row["trend"] == ""
        assert pd.isna(row["quintile"])


def test_three_points_interval_and_two_points_without_one(practice_project: Built) -> None:
    three = ["2019/20", "2021/22", "2023/24"]
    two = ["2019/20", "2023/24"]
    found = computed(
        practice_project,
        counted(
            "three", numerator={"measure": "register", "periods": three}, projection={"to": 2030}
        ),
        counted("two", numerator={"measure": "register", "periods": two}, projection={"to": 2028}),
    )
    code = "A00004"
    x, y = raw_series(code, three)
    slope, intercept = np.polyfit(x, y, 1)
    predicted = intercept + slope * 2030.5
    s = math.sqrt(((y - intercept - slope * x) ** 2).sum() / 1)
    sxx = ((x - x.mean()) ** 2).sum()
    half = 12.706204736174705 * s * math.sqrt(1 + 1 / 3 + (2030.5 - x.mean()) ** 2 / sxx)
    row = persons(found["three"], code).iloc[-1]
    assert row["value"] == pytest.approx(predicted, rel=1e-9)
    assert (row["lower_95"], row["upper_95"]) == pytest.approx(
        (predicted - half, predicted + half), rel=1e-6
    )
    _, y2 = raw_series(code, two)
    row2 = persons(found["two"], code).iloc[-1]
    assert row2["period"] == "2028 (projected)"
    assert row2["value"] == pytest.approx(y2[0] + (y2[1] - y2[0]) / 4 * (2028.5 - 2019.5))
    assert math.isnan(row2["lower_95"])
    assert math.isnan(row2["upper_95"])
    assert row2["method"].endswith("; 2 points: no interval)")


def test_projected_rows_feed_no_comparison_trend_quintile_or_finding(
    practice_project: Built,
) -> None:
    found = computed(
        practice_project,
        counted("plain"),
        counted("projected", projection={"to": 2030}),
    )
    plain, projected = found["plain"], found["projected"]
    observed = projected[~is_projected(projected)].drop(columns="indicator_id")
    pd.testing.assert_frame_equal(
        observed.reset_index(drop=True), plain.drop(columns="indicator_id").reset_index(drop=True)
    )
    assert plain["quintile"].notna().any()  # the observed periods do get quintiles
    extra = projected[is_projected(projected)]
    assert len(extra) == len(plain[plain["period"] == "2023/24"])
    compared = [c for c in extra.columns if c.startswith("compared_with_")]
    assert (extra[compared] == "").all().all()
    assert (extra["trend"] == "").all()
    assert extra["quintile"].isna().all()

    # findings read observed periods only, even of an indicator that gives findings
    compute_project(practice_project.engine, practice_project.project)
    with practice_project.engine.connect() as connection:
        prevalence = published_results(connection, "prevalence")
    indicators = {"prevalence": Indicator.model_validate(PREVALENCE)}
    config = practice_project.project.config
    before = key_findings(prevalence, indicators, config)
    latest = prevalence[prevalence["period"] == "2023/24"].copy()
    latest["period"] = "2030 (projected)"
    latest["period_start"] = 2030
    latest["value"] = latest["value"] * 3
    after = key_findings(pd.concat([prevalence, latest]), indicators, config)
    assert len(before) > 0
    assert [f.sentence for f in after] == [f.sentence for f in before]


def test_decimal_years_and_validation() -> None:
    periods = pd.Series(["2019/20", "2026-01", "2011-12", "2021", "2026-07"])
    starts = pd.Series([2019, 2026, 2011, 2021, 2026])
    assert decimal_years(periods, starts).tolist() == [2019.5, 2026.0, 2011.5, 2021.5, 2026.5]
    with pytest.raises(ValidationError, match="projection needs method count"):
        Indicator.model_validate({**PREVALENCE, "projection": {"to": 2030}})
    with pytest.raises(ValidationError, match="at least two periods"):
        Indicator.model_validate(
            counted(
                "one",
                numerator={"measure": "register", "periods": ["2019/20"]},
                projection={"to": 2030},
            )
        )


def test_projection_fields_are_described() -> None:
    for name, info in Projection.model_fields.items():
        assert info.description, name
    assert Indicator.model_fields["projection"].description
