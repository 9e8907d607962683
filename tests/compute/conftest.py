"""Compute fixtures: small projects in tmp folders, ingested into a store on both backends.

``practice_project`` is a synthetic borough of nine GP practices in two local
authorities, with two PCNs, two localities (custom areas of practices) and
England rows, five periods and sex breakdowns; counts are chosen so that a few
cells are small (suppressed) and trends exist. Geography is loaded straight
into the store (areas and memberships), the sources through the real import
pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine

from jsna.content.project_files import Project, load_project
from jsna.geography.registry import custom_area_type
from jsna.ingest.pipeline import ingest_project
from jsna.store.areas import load_geography
from tests.paths import DATA_MIRROR
from tests.store.conftest import backend_url, empty_engine, engine, postgres_url

__all__ = ["backend_url", "empty_engine", "engine", "postgres_url"]

LOOKUP = "${JSNA_DATA_MIRROR}/england/lookups/ltla23_to_utla23_england.csv"
ENGLAND = "E92000001"
BOROUGH = "E08000009"
OTHER = "E08000010"
PERIODS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
PRACTICES = {
    # code: (LA, PCN or "", locality or "")
    "A00001": (BOROUGH, "U00001", "NORTH"),
    "A00002": (BOROUGH, "U00001", "NORTH"),
    "A00003": (BOROUGH, "U00001", "SOUTH"),
    "A00004": (BOROUGH, "U00002", "NORTH"),
    "A00005": (BOROUGH, "U00002", "SOUTH"),
    "A00006": (BOROUGH, "", "SOUTH"),
    "B00001": (OTHER, "U00003", ""),
    "B00002": (OTHER, "U00003", ""),
    "B00003": (OTHER, "U00003", ""),
}


def practice_rows() -> pd.DataFrame:
    """Register (numerator) and list size (denominator) by practice, period and sex."""
    rng = np.random.default_rng(20261126)
    rows = []
    for number, (code, _) in enumerate(sorted(PRACTICES.items())):
        for step, period in enumerate(PERIODS):
            female_list = 2000 + 400 * number + 10 * step
            male_list = 1900 + 380 * number + 12 * step
            rate = 0.04 + 0.004 * number + 0.003 * step
            female = int(female_list * rate + rng.integers(0, 20))
            male = int(male_list * rate + rng.integers(0, 20))
            if code == "A00006":  # a tiny practice: small counts to suppress
                female, male, female_list, male_list = 3, 9 + step, 300, 290
            rows += [
                (code, f"Practice {code}", period, "female", female, female_list),
                (code, f"Practice {code}", period, "male", male, male_list),
                (
                    code,
                    f"Practice {code}",
                    period,
                    "persons",
                    female + male,
                    female_list + male_list,
                ),
            ]
    frame = pd.DataFrame(rows, columns=["code", "name", "period", "sex", "register", "list_size"])
    england = frame.groupby(["period", "sex"], as_index=False)[["register", "list_size"]].sum()
    england[["register", "list_size"]] *= 1000
    england["register"] = (england["register"] * 0.9).round().astype(int)
    england = england.assign(code=ENGLAND, name="England")
    return pd.concat([frame, england[frame.columns]], ignore_index=True)


def geography_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas and memberships of the synthetic borough."""
    areas = [("gp_practice", code, f"Practice {code}") for code in PRACTICES]
    areas += [("pcn", code, f"PCN {code}") for code in ("U00001", "U00002", "U00003")]
    areas += [("ltla23", BOROUGH, "Trafford"), ("ltla23", OTHER, "Wigan")]
    areas += [("locality", "NORTH", "North"), ("locality", "SOUTH", "South")]
    links = []
    for code, (la, pcn, locality) in PRACTICES.items():
        links.append(("gp_practice", code, "ltla23", la, 1.0, "lookup"))
        if pcn:
            links.append(("gp_practice", code, "pcn", pcn, 1.0, "lookup"))
        if locality:
            links.append(("gp_practice", code, "locality", locality, 1.0, "custom"))
    return (
        pd.DataFrame(areas, columns=["area_type", "code", "name"]),
        pd.DataFrame(
            links,
            columns=["child_type", "child_code", "parent_type", "parent_code", "weight", "method"],
        ),
    )


def project_yaml(**overrides: Any) -> dict[str, Any]:
    """A jsna.yml for the synthetic borough."""
    config: dict[str, Any] = {
        "title": "Test JSNA",
        "area": {"code": BOROUGH, "name": "Trafford", "area_type": "ltla23"},
        "comparators": [
            {"id": "england", "name": "England", "kind": "england", "codes": [ENGLAND]},
            {
                "id": "neighbours",
                "name": "Neighbours",
                "kind": "neighbours",
                "codes": [BOROUGH, OTHER],
            },
        ],
        "area_types": ["gp_practice", "pcn", "ltla23", "locality"],
        "geographies": {"lookups": [{"reader": "ltla_to_utla", "file": LOOKUP}]},
        "branding": {"organisation": "Test Council"},
        "disclosure": {"max_suppressed_count": 4, "secondary": True},
        "publication": {"edition": "2025"},
    }
    config.update(overrides)
    return config


def indicator_yaml(indicator_id: str, **fields: Any) -> dict[str, Any]:
    """An indicator definition with sensible defaults."""
    base: dict[str, Any] = {
        "id": indicator_id,
        "title": indicator_id.replace("_", " ").capitalize(),
        "definition": "Test definition.",
        "rationale": "Test rationale.",
        "owner": "Tests",
        "method": "proportion",
        "multiplier": 100,
        "polarity": "low_is_good",
        "source": "registers",
        "licence": "OGL-UK-3.0",
        "geographies": ["gp_practice", "pcn", "ltla23", "locality"],
    }
    base.update(fields)
    return base


REGISTERS_SOURCE = {
    "id": "registers",
    "title": "Disease registers by practice",
    "publisher": "Tests",
    "licence": "OGL-UK-3.0",
    "file": "data/registers.csv",
    "format": "csv",
    "geography": "gp_practice",
    "columns": {
        "area_code": "code",
        "area_name": "name",
        "period": "period",
        "sex": "sex",
        "numerator": "register",
        "denominator": "list_size",
    },
    "fixed": {"indicator_id": "register"},
}

PREVALENCE = indicator_yaml(
    "prevalence",
    numerator={"measure": "register"},
    denominator={"measure": "register"},
    breakdowns=["sex"],
)


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as YAML, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_project(
    folder: Path,
    config: dict[str, Any],
    sources: list[dict[str, Any]],
    indicators: list[dict[str, Any]],
    data: dict[str, pd.DataFrame],
) -> Path:
    """A project folder: jsna.yml, sources, indicators and data files."""
    write_yaml(folder / "jsna.yml", config)
    for source in sources:
        write_yaml(folder / "sources" / f"{source['id']}.yml", source)
    for indicator in indicators:
        write_yaml(folder / "indicators" / f"{indicator['id']}.yml", indicator)
    for name, frame in data.items():
        path = folder / "data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
    return folder


def load_frames(engine: Engine, areas: pd.DataFrame, links: pd.DataFrame) -> None:
    """Areas and memberships into the store (the locality type is custom)."""
    custom = [custom_area_type("locality", "Locality", 2, "test")]
    with engine.begin() as connection:
        load_geography(connection, areas, links, custom)


def ingest(engine: Engine, folder: Path) -> Project:
    """Import every source of the project; fail on any refused file."""
    outcome = ingest_project(engine, folder)
    assert not outcome.failures, outcome.failures
    return load_project(folder)


@dataclass(frozen=True)
class Built:
    """A project ingested into a store."""

    engine: Engine
    folder: Path
    project: Project


@pytest.fixture
def practice_project(engine: Engine, tmp_path: Path) -> Built:
    """The synthetic borough, ingested, with a prevalence indicator by sex."""
    folder = write_project(
        tmp_path / "project",
        project_yaml(),
        [REGISTERS_SOURCE],
        [PREVALENCE],
        {"registers.csv": practice_rows()},
    )
    load_frames(engine, *geography_frames())
    return Built(engine, folder, ingest(engine, folder))


QOF = DATA_MIRROR / "england/qof/qof_prevalence_registers_practice_2019_20.csv"
