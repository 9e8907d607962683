"""Chapters: ``chapters/<NN>-<id>.md``, Markdown with front matter and embedded blocks.

A chapter starts with YAML front matter between ``---`` lines and continues
in Markdown. Figures are never pasted in: a fenced block with the info string
``jsna`` embeds an indicator, chart, map, table, the key findings, an area
selector or an analysis (:mod:`jsna.content.blocks`) by id, and is drawn from the computed results at build time::

    ---
    title: Long-term conditions
    owner: Public health intelligence team
    review_date: 2026-09-30
    status: published
    ---
    Diabetes is recorded for one adult in sixteen ...

    ```jsna
    block: chart
    chart: compare
    indicator: diabetes_qof
    area_type: pcn
    ```

The number before the id in the file name orders the chapters
(``05-long-term-conditions.md`` is chapter 5 with id ``long-term-conditions``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._yaml import Parsed, parse_yaml, validate
from .blocks import (
    ANALYSIS_KINDS,
    AnalysisBlock,
    AssetsBlock,
    DiagnosisGapBlock,
    GrowthBlock,
    MoneyFlowBlock,
    PharmacyAccessBlock,
    PopulationProjectionBlock,
    PrioritiesBlock,
    ProjectedCasesBlock,
    RecommendationsBlock,
    UnmetNeedBlock,
    UptakeBlock,
    VoicesBlock,
)

__all__ = [
    "BLOCK_KINDS",
    "CHART_KINDS",
    "AnalysisBlock",
    "AnyBlock",
    "AreaSelectorBlock",
    "Block",
    "Chapter",
    "ChapterMeta",
    "ChartBlock",
    "FindingsBlock",
    "IndicatorBlock",
    "MapBlock",
    "PlacedBlock",
    "TableBlock",
    "read_chapter",
    "section_starts",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
FILE_NAME = re.compile(r"^(?P<order>\d{1,3})-(?P<id>[a-z0-9][a-z0-9-]{0,63})\.md$")
_FENCE = re.compile(r"^```jsna[ \t]*$")
_ANY_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

ChartKind = Literal[
    "compare", "trend", "pyramid", "spine", "heatmap", "funnel", "scatter", "inequality"
]
CHART_KINDS: tuple[str, ...] = (
    "compare",
    "trend",
    "pyramid",
    "spine",
    "heatmap",
    "funnel",
    "scatter",
    "inequality",
)


class ChapterMeta(BaseModel):
    """The front matter of a chapter."""

    model_config = _FROZEN

    title: str = Field(min_length=1, max_length=200, description="Chapter title.")
    summary: str = Field(default="", description="One or two sentences shown in lists and search.")
    owner: str = Field(min_length=1, description="Who keeps the chapter up to date.")
    review_date: date = Field(description="When the chapter is next reviewed (YYYY-MM-DD).")
    status: Literal["draft", "review", "published"] = Field(
        description="draft (not published), review (published marked 'in review') or published."
    )
    topics: tuple[str, ...] = Field(default=(), description="Topics, for search.")


class IndicatorBlock(BaseModel):
    """A headline figure: the indicator's latest value for the JSNA area, with comparisons."""

    model_config = _FROZEN

    block: Literal["indicator"] = Field(description="Block kind.")
    indicator: str = Field(description="Indicator id.")
    area_type: str | None = Field(default=None, description="Area type (default: the JSNA area).")


class ChartBlock(BaseModel):
    """A chart of one or more indicators."""

    model_config = _FROZEN

    block: Literal["chart"] = Field(description="Block kind.")
    chart: ChartKind = Field(
        description="compare (areas with CIs), trend, pyramid, spine, heatmap, funnel, "
        "scatter (two indicators) or inequality (by deprivation)."
    )
    indicator: str | None = Field(default=None, description="Indicator id.")
    indicators: tuple[str, ...] = Field(
        default=(), description="Indicator ids (heatmap, spine, scatter: x then y)."
    )
    area_type: str | None = Field(default=None, description="Area type to show.")
    period: str | None = Field(default=None, description="Period (default: the latest).")
    caption: str = Field(default="", description="Caption under the chart.")

    def ids(self) -> tuple[str, ...]:
        """Every indicator id the chart draws."""
        return ((self.indicator,) if self.indicator else ()) + self.indicators


class MapBlock(BaseModel):
    """A choropleth of an indicator, optionally with service locations as points."""

    model_config = _FROZEN

    block: Literal["map"] = Field(description="Block kind.")
    indicator: str = Field(description="Indicator id.")
    area_type: str = Field(description="Area type of the polygons, e.g. ward23 or lsoa21.")
    period: str | None = Field(default=None, description="Period (default: the latest).")
    points: tuple[str, ...] = Field(
        default=(), description="Source ids of service locations drawn as points."
    )
    caption: str = Field(default="", description="Caption under the map.")


class TableBlock(BaseModel):
    """A table of one or more indicators by area."""

    model_config = _FROZEN

    block: Literal["table"] = Field(description="Block kind.")
    indicators: tuple[str, ...] = Field(min_length=1, description="Indicator ids, one column each.")
    area_type: str | None = Field(default=None, description="Area type (default: the JSNA area).")
    period: str | None = Field(default=None, description="Period (default: the latest).")
    caption: str = Field(default="", description="Caption above the table.")


class FindingsBlock(BaseModel):
    """The key findings generated from the results (pinned and annotated in jsna.yml)."""

    model_config = _FROZEN

    block: Literal["findings"] = Field(description="Block kind.")
    indicators: tuple[str, ...] = Field(
        default=(), description="Only findings about these indicators (default: all)."
    )
    limit: int = Field(default=10, ge=1, le=100, description="At most this many findings.")


class AreaSelectorBlock(BaseModel):
    """A control that lets the reader choose an area; the page's figures follow it."""

    model_config = _FROZEN

    block: Literal["area_selector"] = Field(description="Block kind.")
    area_type: str = Field(description="Area type to choose from.")


AnyBlock = (
    IndicatorBlock
    | ChartBlock
    | MapBlock
    | TableBlock
    | FindingsBlock
    | AreaSelectorBlock
    | UnmetNeedBlock
    | DiagnosisGapBlock
    | PopulationProjectionBlock
    | GrowthBlock
    | ProjectedCasesBlock
    | PharmacyAccessBlock
    | UptakeBlock
    | MoneyFlowBlock
    | PrioritiesBlock
    | RecommendationsBlock
    | AssetsBlock
    | VoicesBlock
)
Block = Annotated[AnyBlock, Field(discriminator="block")]
BLOCK_KINDS: tuple[str, ...] = (
    "indicator",
    "chart",
    "map",
    "table",
    "findings",
    "area_selector",
    *ANALYSIS_KINDS,
)
_TAG = re.compile(r": item\.(?:" + "|".join(BLOCK_KINDS) + r")\.")
"""The block kind pydantic puts in an error's location, left out of the field shown."""


class _BlockHolder(BaseModel):
    model_config = _FROZEN
    item: Block


@dataclass(frozen=True)
class PlacedBlock:
    """A block and the line of the chapter file where it starts."""

    block: AnyBlock
    line: int

    def indicator_ids(self) -> tuple[str, ...]:
        """Every indicator id the block refers to."""
        block = self.block
        if isinstance(block, ChartBlock):
            return block.ids()
        if isinstance(block, IndicatorBlock | MapBlock):
            return (block.indicator,)
        if isinstance(block, TableBlock | FindingsBlock):
            return block.indicators
        if isinstance(block, AnalysisBlock):
            return block.indicator_ids()
        return ()

    def source_ids(self) -> tuple[str, ...]:
        """Every source id the block reads directly (map points, analysis inputs)."""
        if isinstance(self.block, MapBlock):
            return self.block.points
        if isinstance(self.block, AnalysisBlock):
            return self.block.source_ids()
        return ()


@dataclass(frozen=True)
class Chapter:
    """A chapter read from its file: order, id, front matter, Markdown body and blocks."""

    path: Path
    order: int
    id: str
    meta: ChapterMeta
    body: str
    body_line: int
    """Line of the file where ``body`` starts."""
    blocks: tuple[PlacedBlock, ...]


def _front_matter(path: Path, text: str) -> tuple[str, str, int] | str:
    """(front matter, body, first body line) or a problem."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return f"{path}:1: (front matter): the file must start with a '---' line"
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "".join(lines[1 : number - 1]), "".join(lines[number:]), number + 1
    return f"{path}:1: (front matter): no closing '---' line"


def _blocks(path: Path, body: str, first_line: int) -> tuple[list[PlacedBlock], list[str]]:
    blocks: list[PlacedBlock] = []
    problems: list[str] = []
    lines = body.splitlines()
    number = 0
    while number < len(lines):
        if not _FENCE.match(lines[number].strip()):
            number += 1
            continue
        start = number
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "```"), None)
        line = first_line + start
        if end is None:
            problems.append(f"{path}:{line}: block: no closing ``` for this jsna block")
            break
        parsed = parse_yaml(path, "\n".join(lines[start + 1 : end]), first_line=line + 1)
        keyed = {("item", *key): value for key, value in parsed.lines.items()}
        for kind in BLOCK_KINDS:
            keyed |= {("item", kind, *key): value for key, value in parsed.lines.items()}
        wrapped = Parsed({"item": parsed.data}, keyed, parsed.problems)
        holder, trouble = validate(_BlockHolder, path, wrapped)
        problems.extend(_TAG.sub(": ", text).replace(": item:", ": block:") for text in trouble)
        if holder is not None:
            blocks.append(PlacedBlock(holder.item, line))
        number = end + 1
    return blocks, problems


def read_chapter(path: Path, text: str) -> tuple[Chapter | None, list[str]]:
    """One chapter file: the chapter, or every problem found in it."""
    match = FILE_NAME.match(path.name)
    if match is None:
        return None, [
            f"{path}:1: (file name): must be NN-id.md, e.g. 05-long-term-conditions.md "
            "(number, dash, lower-case id)"
        ]
    split = _front_matter(path, text)
    if isinstance(split, str):
        return None, [split]
    front, body, body_line = split
    meta, problems = validate(ChapterMeta, path, parse_yaml(path, front, first_line=2))
    blocks, trouble = _blocks(path, body, body_line)
    problems.extend(trouble)
    if meta is None or problems:
        return None, problems
    chapter = Chapter(path, int(match["order"]), match["id"], meta, body, body_line, tuple(blocks))
    return chapter, []


def section_starts(body: str) -> list[tuple[int, str]]:
    """(index of the line in ``body``, heading text) of every ``## `` heading outside fenced
    code: where a chapter's sections start."""
    starts: list[tuple[int, str]] = []
    fence: str | None = None
    for index, line in enumerate(body.splitlines()):
        match = _ANY_FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
        elif line.startswith("## "):
            starts.append((index, line[3:].strip().rstrip("#").strip()))
    return starts
