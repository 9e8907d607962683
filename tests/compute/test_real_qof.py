"""Real data: the QOF 2019/20 diabetes register of every English practice, summed to local authorities.

Trafford (E08000009) from its practices' rows: 11,374 on the register of
176,622 patients aged 17+ = 6.44% (Wilson 95% 6.33 to 6.56), as computed by
hand from the raw file below.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm
from sqlalchemy import Engine

from jsna.compute import compute_project
from jsna.store.results import published_results

from .conftest import QOF, indicator_yaml, ingest, load_frames, project_yaml, write_project

TRAFFORD = "E08000009"


def qof_source() -> dict[str, object]:
    return {
        "id": "qof_registers",
        "title": "QOF prevalence registers by practice, 2019/20",
        "publisher": "NHS England",
        "licence": "OGL-UK-3.0",
        "file": str(QOF),
        "format": "csv",
        "geography": "gp_practice",
        "columns": {
            "area_code": "practice_code",
            "numerator": "register",
            "denominator": "patient_list_size",
        },
        "fixed": {"indicator_id": "diabetes_register", "period": "2019/20", "age": "17+"},
        "filters": [{"column": "group_code", "equals": "DM"}],
    }


def geography(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every practice of the file in its local authority (from the file's own LA column)."""
    practices = raw[["practice_code", "lad25_code"]].drop_duplicates("practice_code")
    placed = practices.dropna()
    areas = pd.concat(
        [
            pd.DataFrame(
                {
                    "area_type": "gp_practice",
                    "code": practices["practice_code"],
                    "name": practices["practice_code"],
                }
            ),
            pd.DataFrame(
                {
                    "area_type": "ltla24",
                    "code": placed["lad25_code"].unique(),
                    "name": placed["lad25_code"].unique(),
                }
            ),
        ],
        ignore_index=True,
    )
    links = pd.DataFrame(
        {
            "child_type": "gp_practice",
            "child_code": placed["practice_code"],
            "parent_type": "ltla24",
            "parent_code": placed["lad25_code"],
            "weight": 1.0,
            "method": "lookup",
        }
    )
    return areas, links


def test_trafford_diabetes_prevalence_from_practice_registers(
    engine: Engine, tmp_path: Path
) -> None:
    raw = pd.read_csv(QOF, dtype={"practice_code": str})
    diabetes = raw[raw["group_code"] == "DM"]
    mine = diabetes[diabetes["lad25_code"] == TRAFFORD]
    x, n = int(mine["register"].sum()), int(mine["patient_list_size"].sum())
    assert (x, n) == (11_374, 176_622)
    indicator = indicator_yaml(
        "diabetes",
        source="qof_registers",
        numerator={"measure": "diabetes_register", "age": "17+"},
        denominator={"measure": "diabetes_register", "age": "17+"},
        geographies=["gp_practice", "ltla24"],
    )
    config = project_yaml(
        area={"code": TRAFFORD, "name": "Trafford", "area_type": "ltla24"},
        area_types=["gp_practice", "ltla24"],
        comparators=[
            {"id": "england", "name": "England", "kind": "england", "codes": ["E92000001"]},
            {
                "id": "neighbours",
                "name": "Neighbours",
                "kind": "neighbours",
                "codes": ["E08000007", "E08000008", TRAFFORD],
            },
        ],
    )
    folder = write_project(tmp_path / "qof", config, [qof_source()], [indicator], {})
    load_frames(engine, *geography(diabetes))
    project = ingest(engine, folder)
    started = time.perf_counter()
    summary = compute_project(engine, project)
    seconds = time.perf_counter() - started
    assert summary.computed == ("diabetes",), summary
    with engine.connect() as connection:
        frame = published_results(connection, "diabetes", "ltla24")
    row = frame[frame["area_code"] == TRAFFORD].iloc[0]
    assert (row["numerator"], row["denominator"]) == (x, n)
    assert round(row["value"], 2) == 6.44
    assert (round(row["lower_95"], 2), round(row["upper_95"], 2)) == (6.33, 6.56)
    assert row["age"] == "17+"
    assert row["period"] == "2019/20"
    assert row["fit"] == "exact"
    z = norm.ppf(0.975)
    centre = (x + z * z / 2) / (n + z * z)
    half = z * math.sqrt(x * (n - x) / n + z * z / 4) / (n + z * z)
    assert row["lower_95"] == pytest.approx((centre - half) * 100, rel=1e-9)
    assert row["upper_95"] == pytest.approx((centre + half) * 100, rel=1e-9)
    # No England row in the data and no memberships to England: not compared with England.
    assert row["compared_with_england"] == "not compared"
    # Neighbours: the three LAs' practices pooled.
    pool = diabetes[diabetes["lad25_code"].isin(["E08000007", "E08000008", TRAFFORD])]
    assert row["neighbours_value"] == pytest.approx(
        pool["register"].sum() / pool["patient_list_size"].sum() * 100, rel=1e-12
    )
    assert frame["quintile"].notna().all()
    assert len(frame) == diabetes["lad25_code"].nunique() > 250
    print(f"compute of {len(diabetes):,} practices -> {len(frame)} LAs: {seconds:.2f} s")
