"""The Trafford example's content: it checks strictly, and every reference in it resolves.

The example (``examples/trafford``) is the product's demo and running example,
so its files are held to the strictest check: no problem and no warning, every
chapter block names a known indicator and area type, every indicator reads a
measure its source really writes (from the source declarations, and for
sources that take the measure id from a file column, from that column of the
real file in the data mirror), and every catalogue code is used once.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from jsna.content.chapters import FindingsBlock
from jsna.content.mirror import resolve_path
from jsna.content.project_files import Project, check_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "trafford"
CHAPTERS = [
    "summary",
    "population",
    "deprivation",
    "lifestyles",
    "long-term-conditions",
    "mental-health",
    "children-young-people",
    "older-people",
    "mortality",
    "health-inequalities",
    "census-2021",
    "services",
]
ANALYSIS_CHAPTERS = [
    "unmet-need",
    "future-need",
    "pharmaceutical-needs-assessment",
    "uptake",
    "spending",
    "priorities",
]
"""Chapters of one analysis each, after the topic chapters: they follow their own outline."""
SECTIONS = (
    "Local and national data",
    "Comparison",
    "Trends",
    "Inequalities",
    "Evidence of what works",
    "Local views",
    "Recommendations",
)
PLACE_HEADINGS = (
    "Our people and place",
    "Our health and wellbeing",
    "Our community",
    "Our programmes and services",
    "Our health inequalities",
)


@pytest.fixture(scope="module")
def project() -> Project:
    report = check_project(EXAMPLE)
    assert report.project is not None, "\n".join(report.problems)
    return report.project


def test_check_is_clean_even_when_strict() -> None:
    report = check_project(EXAMPLE)
    assert report.problems == ()
    assert report.warnings == ()
    assert report.passed(strict=True)


def test_the_example_is_trafford_benchmarked_against_england_first(project: Project) -> None:
    config = project.config
    assert (config.area.code, config.area.area_type) == ("E08000009", "ltla23")
    assert config.comparators[0].codes == ("E92000001",)
    assert config.comparator("north_west").codes == ("E12000002",)
    greater_manchester = config.comparator("greater_manchester").codes
    assert greater_manchester == tuple(f"E080000{n:02d}" for n in range(1, 11))
    cipfa = pd.read_csv(
        resolve_path(
            EXAMPLE, "${JSNA_DATA_MIRROR}/trafford/indicators/trafford_vs_cipfa_neighbours.csv"
        ),
        usecols=["area_code"],
    )
    in_file = set(cipfa["area_code"])
    for group in ("cipfa_neighbours", "children_neighbours"):
        codes = set(config.comparator(group).codes)
        assert codes <= in_file, codes - in_file
    assert config.publication.edition == "2025"


def test_twelve_chapters_in_order_with_their_sections(project: Project) -> None:
    assert [chapter.id for chapter in project.chapters] == CHAPTERS + ANALYSIS_CHAPTERS
    count = len(CHAPTERS) + len(ANALYSIS_CHAPTERS)
    assert [chapter.order for chapter in project.chapters] == list(range(1, count + 1))
    for chapter in project.chapters:
        assert chapter.meta.review_date > date(2026, 11, 26), chapter.id
        if chapter.id in ANALYSIS_CHAPTERS:
            assert chapter.blocks, chapter.id
            continue
        headings = re.findall(r"^##+ (.+)$", chapter.body, flags=re.M)
        if chapter.id == "summary":
            assert all(h in headings for h in PLACE_HEADINGS), headings
            assert any(isinstance(p.block, FindingsBlock) for p in chapter.blocks)
            assert "Local views" in headings
            continue
        for section in SECTIONS:
            assert any(h.startswith(section) for h in headings), (chapter.id, section)
        assert chapter.blocks, chapter.id


def test_local_views_are_community_voices_or_placeholders_for_the_council(
    project: Project,
) -> None:
    fed = set()
    for chapter in project.chapters:
        if chapter.id in ANALYSIS_CHAPTERS:
            continue
        section = chapter.body.split("## Local views", 1)[1].split("\n## ", 1)[0]
        if "block: voices" in section:
            fed.add(chapter.id)
        else:
            assert "**For Trafford Council to complete.**" in section, chapter.id
    assert fed == {"lifestyles", "mental-health"}


def test_every_block_resolves(project: Project) -> None:
    area_types = set(project.config.area_types)
    for chapter in project.chapters:
        for placed in chapter.blocks:
            for indicator_id in placed.indicator_ids():
                assert indicator_id in project.indicators, (chapter.id, placed.line, indicator_id)
            area_type = getattr(placed.block, "area_type", None)
            assert area_type is None or area_type in area_types, (chapter.id, placed.line)
            for source_id in getattr(placed.block, "points", ()):
                assert source_id in project.sources, (chapter.id, placed.line, source_id)


def test_narrative_types_no_figures_by_hand(project: Project) -> None:
    figure = re.compile(r"\d+(?:\.\d+)?\s?%|\b\d{1,3}(?:,\d{3})+\b|\b\d+\.\d+\b|\bper 1[0,]*000\b")
    for chapter in project.chapters:
        narrative = re.sub(r"```jsna\n.*?```", "", chapter.body, flags=re.S)
        narrative = re.sub(r"\*[^*]+\*", "", narrative)  # titles of cited publications
        narrative = re.sub(r"\b\d+(?:\.\d+)? km\b", "", narrative)  # distances that define a rule
        found = figure.findall(narrative)
        assert found == [], (chapter.id, found)


def _measures_written(root: Path, path: Path) -> set[str]:
    """Every measure id the declaration at ``path`` can write."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    written: set[str] = set()
    fixed = (data.get("fixed") or {}).get("indicator_id")
    if fixed:
        written.add(str(fixed))
    for group in data.get("unpivot") or ():
        if (group.get("fixed") or {}).get("indicator_id"):
            written.add(str(group["fixed"]["indicator_id"]))
        if group.get("to") == "indicator_id":
            columns = group.get("columns") or {}
            written |= set(map(str, columns.values() if isinstance(columns, dict) else columns))
    recoded = (data.get("recode") or {}).get("indicator_id") or {}
    written |= {str(v) for k, v in recoded.items() if k != "*"}
    column = (data.get("columns") or {}).get("indicator_id")
    if column and (not recoded or "*" in recoded):
        file = resolve_path(root, data["file"])
        values = pd.read_csv(file, usecols=[column], dtype=str)[column].dropna().str.strip()
        written |= set(values)
    return written


def test_every_indicator_reads_a_measure_its_source_writes(project: Project) -> None:
    written = {
        path.stem: _measures_written(EXAMPLE, path) for path in (EXAMPLE / "sources").glob("*.yml")
    }
    assert set(written) == set(project.sources)
    for indicator in project.indicators.values():
        for role, selection in indicator.selections().items():
            source = selection.source or indicator.source
            assert selection.measure in written[source], (indicator.id, role, source)


def test_every_declared_source_is_read_by_an_indicator(project: Project) -> None:
    read = {source for indicator in project.indicators.values() for source in indicator.sources()}
    # analysis blocks read sources too (expected cases, services, practice lists)
    read |= {
        source
        for chapter in project.chapters
        for placed in chapter.blocks
        for source in getattr(placed.block, "source_ids", tuple)()
    }
    assert read == set(project.sources)


def test_catalogue_codes_are_unique_and_from_the_catalogue(project: Project) -> None:
    codes = Counter(indicator.code for indicator in project.indicators.values())
    assert None not in codes
    assert [code for code, n in codes.items() if n > 1] == []
    catalogue = (ROOT.parent / "shared" / "design" / "INDICATORS.md").read_text(encoding="utf-8")
    known = set(re.findall(r"^\| ([A-Z]{2,3}\d{2}) \|", catalogue, flags=re.M))
    for code in codes:
        assert str(code).split("-")[0] in known, code


def test_indicator_metadata_is_complete(project: Project) -> None:
    assert 40 <= len(project.indicators) <= 100
    for indicator in project.indicators.values():
        assert indicator.rationale, indicator.id
        assert indicator.owner, indicator.id
        assert indicator.quality_note, indicator.id
        if indicator.method == "value_only":
            assert "value" in indicator.quality_note.lower(), indicator.id
        else:
            assert (
                "jsna" in indicator.quality_note or "Published counts" in indicator.quality_note
            ), indicator.id
        assert set(indicator.geographies) <= set(project.config.area_types), indicator.id


def test_profiles_area_types_are_covered(project: Project) -> None:
    covered = {t for indicator in project.indicators.values() for t in indicator.geographies}
    for area_type in ("ward23", "ward22", "locality", "msoa21", "lsoa21", "gp_practice", "pcn"):
        assert area_type in covered, area_type


POLARITY_EXCEPTIONS = {"DEP05"}
"""Catalogue codes whose polarity is deliberately not the catalogue's: DEP05 is shown as
the national decile, where 1 is the most deprived, so a higher decile is better."""


def test_polarity_follows_the_catalogue(project: Project) -> None:
    catalogue = (ROOT.parent / "shared" / "design" / "INDICATORS.md").read_text(encoding="utf-8")
    letters = {"high_is_good": "H", "low_is_good": "L", "no_judgement": "N"}
    pattern = r"^\| ([A-Z]{2,3}\d{2}) \|[^|]*\|[^|]*\|[^|]*\| ([HLN; ]+) \|"
    polarity = {
        code: set(re.findall("[HLN]", pol))
        for code, pol in re.findall(pattern, catalogue, flags=re.M)
    }
    for indicator in project.indicators.values():
        code = str(indicator.code).split("-")[0]
        if code in POLARITY_EXCEPTIONS:
            assert indicator.polarity == "high_is_good", indicator.id
            continue
        assert letters[indicator.polarity] in polarity[code], (indicator.id, code)
