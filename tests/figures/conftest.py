"""Fixtures of the figure tests: the Trafford example on a read-only copy of its store.

The store is the example ingested and computed once per test run
(:func:`tests.render.site.prepared_store`, shared with the site tests); each
session copies it and opens the copy read-only, so no test can change it.
Snapshots live in ``tests/figures/snapshots/``: :func:`check_snapshot`
compares with the stored JSON, fails when it is missing, and rewrites it when
``JSNA_UPDATE_SNAPSHOTS=1``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import vl_convert as vlc
from sqlalchemy import create_engine

from jsna.content.chapters import ChartBlock, MapBlock, TableBlock
from jsna.content.project_files import Project, load_project
from jsna.figures.context import FigureContext
from jsna.store.results import published_results
from tests.render.site import prepared_store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "trafford"
SNAPSHOTS = Path(__file__).parent / "snapshots"
VL_VERSION = "6.4"


@pytest.fixture(scope="session")
def project() -> Project:
    """The Trafford example project."""
    return load_project(EXAMPLE)


@pytest.fixture(scope="session")
def trafford(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FigureContext]:
    """A figure context on a read-only copy of the Trafford store."""
    copy = tmp_path_factory.mktemp("store") / "jsna.db"
    shutil.copyfile(prepared_store()[1], copy)
    engine = create_engine(f"sqlite:///file:{copy}?mode=ro&uri=true")
    with engine.connect() as connection:
        yield FigureContext(project, connection)
    engine.dispose()


def chart_blocks(project: Project, *kinds: str) -> list[ChartBlock]:
    """Every chart block of these kinds in the example's chapters, in chapter order."""
    return [
        placed.block
        for chapter in project.chapters
        for placed in chapter.blocks
        if isinstance(placed.block, ChartBlock) and placed.block.chart in kinds
    ]


def drawn_blocks(project: Project) -> list[ChartBlock | MapBlock | TableBlock]:
    """Every chart, map and table block of the example."""
    return [
        placed.block
        for chapter in project.chapters
        for placed in chapter.blocks
        if isinstance(placed.block, ChartBlock | MapBlock | TableBlock)
    ]


def render(spec: dict[str, Any]) -> str:
    """The spec drawn to SVG by vl-convert (raises if it does not compile)."""
    return vlc.vegalite_to_svg(spec, vl_version=VL_VERSION)


def published(ctx: FigureContext, indicator_id: str, area_type: str, period: str) -> pd.DataFrame:
    """Published rows straight from the store, for checking figures' data against."""
    frame = published_results(ctx.connection, indicator_id=indicator_id, area_type=area_type)
    return frame[frame["period"] == period]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 9)
    return value


def check_snapshot(name: str, value: Any) -> None:
    """``value`` (spec dict, Table ...) equals ``snapshots/<name>.json``."""
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(_plain(value), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("JSNA_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"snapshot {path.name} is missing: run with JSNA_UPDATE_SNAPSHOTS=1")
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8")), (
        f"{path.name} differs: check the change, then JSNA_UPDATE_SNAPSHOTS=1"
    )
