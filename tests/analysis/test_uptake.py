"""Uptake hot spots against hand-computed figures: people to reach the target, funnel
positions (checked with Wilson control limits written out here), ranks and the urgent list."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from jsna.analysis.uptake import hot_spots, people_to_target
from jsna.content.blocks.uptake import UptakeBlock
from jsna.stats import StatsInputError


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score control limits around proportion p at size n (by hand)."""
    centre = 2 * n * p + z * z
    spread = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    return (centre - spread) / (2 * (n + z * z)), (centre + spread) / (2 * (n + z * z))


def _areas() -> pd.DataFrame:
    counts = {
        "A": (500, 1000),
        "B": (950, 1000),
        "C": (90, 100),
        "D": (None, None),
        "E": (880, 1000),
        "F": (78, 100),
        "G": (300, 500),
    }
    return pd.DataFrame(
        {
            "area_code": list(counts),
            "area_name": [f"Area {c}" for c in counts],
            "numerator": [x for x, _ in counts.values()],
            "denominator": [n for _, n in counts.values()],
            "value": [100 * x / n if x is not None else None for x, n in counts.values()],
            "suppressed": [c == "D" for c in counts],
        }
    )


def test_people_to_target_by_hand() -> None:
    got = people_to_target(
        np.array([90, 96, 95, 5, np.nan, 0]), np.array([100, 100, 100, 7, 50, 0]), 95
    )
    # 95 - 90; above target; exactly 95% of 100 (not 96 from 0.95 x 100 in binary);
    # ceil(6.65) - 5 = 2; unknown count stays unknown; nobody eligible needs nobody.
    assert got[:4].tolist() == [5, 0, 0, 2]
    assert np.isnan(got[4])
    assert got[5] == 0


def test_people_to_target_other_multiplier() -> None:
    # a proportion kept as a fraction (multiplier 1): target 0.8 of 1,234 = ceil(987.2) = 988
    assert people_to_target([900], [1234], 0.8, multiplier=1).tolist() == [88]


def test_hot_spots_by_hand() -> None:
    result = hot_spots(_areas(), target=95, top=5)
    areas = result.areas.set_index("area_code")
    # local average of the published areas: 2,798 / 3,700
    assert result.average == pytest.approx(100 * 2798 / 3700)
    people = areas["people_to_target"]
    assert people[["A", "B", "C", "E", "F", "G"]].tolist() == [450, 0, 5, 70, 17, 175]
    assert pd.isna(people["D"])
    p = 2798 / 3700
    low95, high95 = _wilson(p, 100, 1.959963984540054)
    _, high998 = _wilson(p, 100, 3.090232306167813)
    assert high998 < 0.90  # C at 90% of 100 lies above the 99.8% limit
    assert low95 < 0.78 < high95  # F at 78% of 100 lies within
    assert _wilson(p, 500, 3.090232306167813)[0] > 0.60  # G at 60% of 500 below 99.8%
    assert areas["position"].to_dict() == {
        "A": "below the 99.8% limit",
        "B": "above the 99.8% limit",
        "C": "above the 99.8% limit",
        "D": "suppressed (not ranked)",
        "E": "above the 99.8% limit",
        "F": "within the limits",
        "G": "below the 99.8% limit",
    }
    assert areas["rank"].dropna().astype(int).to_dict() == {
        "A": 1,
        "G": 2,
        "E": 3,
        "F": 4,
        "C": 5,
        "B": 6,
    }
    assert pd.isna(areas.loc["D", "rank"])
    # most urgent: significantly low and below the target, most people first
    assert result.urgent["area_code"].tolist() == ["A", "G"]
    assert result.urgent["urgent_rank"].tolist() == [1, 2]
    assert result.total_to_target == 450 + 5 + 70 + 17 + 175
    assert result.published["area_code"].tolist() == ["A", "G", "E", "F", "C", "B"]


def test_top_limits_the_urgent_list() -> None:
    result = hot_spots(_areas(), target=95, top=1)
    assert result.urgent["area_code"].tolist() == ["A"]
    assert result.areas["urgent_rank"].notna().sum() == 1


def test_significantly_low_but_above_target_is_not_urgent() -> None:
    # target 55%: A (50%) still needs 50 people; G (60%) is low on the funnel but above target
    result = hot_spots(_areas(), target=55)
    assert result.urgent["area_code"].tolist() == ["A"]
    assert int(result.areas.set_index("area_code").loc["A", "people_to_target"]) == 50


def test_ties_rank_together() -> None:
    frame = pd.DataFrame(
        {
            "area_code": ["X", "Y", "Z"],
            "area_name": ["X", "Y", "Z"],
            "numerator": [80, 80, 100],
            "denominator": [100, 100, 100],
            "value": [80.0, 80.0, 100.0],
        }
    )
    result = hot_spots(frame, target=90)
    assert result.areas["rank"].tolist() == [1, 1, 3]


def test_fewer_than_three_areas_are_not_placed() -> None:
    frame = _areas().iloc[:2]
    result = hot_spots(frame, target=95)
    assert set(result.areas["position"]) == {"not assessed (fewer than 3 areas)"}
    assert result.urgent.empty
    assert result.areas["people_to_target"].tolist() == [450, 0]


def test_zero_denominator_and_missing_counts_are_not_ranked() -> None:
    frame = _areas()
    frame.loc[frame["area_code"] == "F", ["numerator", "denominator"]] = [0, 0]
    frame.loc[frame["area_code"] == "C", "numerator"] = None
    result = hot_spots(frame, target=95).areas.set_index("area_code")
    assert not result.loc["F", "published"]
    assert not result.loc["C", "published"]
    assert pd.isna(result.loc["F", "rank"])
    assert pd.isna(result.loc["C", "rank"])


def test_all_suppressed() -> None:
    frame = _areas().assign(suppressed=True)
    result = hot_spots(frame, target=95)
    assert result.average is None
    assert result.urgent.empty
    assert result.total_to_target == 0


def test_counts_that_break_the_rules() -> None:
    frame = _areas()
    frame.loc[0, "numerator"] = 1200
    with pytest.raises(StatsInputError):
        hot_spots(frame, target=95)


def test_block_target_rules() -> None:
    vaccination = UptakeBlock(block="uptake", indicator="mmr", programme="vaccination")
    assert vaccination.goal == 95
    assert UptakeBlock(block="uptake", indicator="x", target=80).goal == 80
    assert vaccination.indicator_ids() == ("mmr",)
    with pytest.raises(ValidationError, match="target is required unless programme is vacc"):
        UptakeBlock(block="uptake", indicator="x", programme="screening")
    with pytest.raises(ValidationError, match="greater than 0"):
        UptakeBlock(block="uptake", indicator="x", target=0)
    with pytest.raises(ValidationError, match="less than or equal to 20"):
        UptakeBlock(block="uptake", indicator="x", target=50, top=21)
