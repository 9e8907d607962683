"""Loading a whole project folder, checking every file and every cross-reference at once.

:func:`load_project` reads ``jsna.yml``, ``sources/*.yml``,
``indicators/*.yml`` and ``chapters/*.md``, then checks that they fit together
(an indicator's source is declared, a chapter's blocks name known indicators
and area types, declared files exist ...). Every problem of every file is
collected before anything is returned: the project loads whole, or a
:class:`ContentError` lists every problem as ``path:line: field: message``.

Warnings (missing rationale or owner, a review date passed, a draft chapter,
an indicator no chapter shows, a source no indicator reads) are kept on the
:class:`Project`; ``jsna.yml``'s ``validation.levels`` makes any of them an
error or turns it off, and ``jsna check --strict`` fails on any warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from jsna.errors import ContentError

from ._yaml import Lines, line_of, parse_yaml, read_text, validate
from .chapters import Chapter, read_chapter
from .indicators import Indicator
from .mirror import resolve_path
from .project import ProjectConfig
from .recommendations import Recommendation, read_recommendations
from .sources import Source, declaration_files, load_source
from .voices import check_voices

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CHAPTERS_FOLDER",
    "INDICATORS_FOLDER",
    "PROJECT_FILE",
    "CheckReport",
    "Project",
    "check_project",
    "load_project",
]

PROJECT_FILE = "jsna.yml"
INDICATORS_FOLDER = "indicators"
CHAPTERS_FOLDER = "chapters"


@dataclass(frozen=True)
class Project:
    """A loaded, checked project: immutable definitions by id, and the warnings found."""

    root: Path
    config: ProjectConfig
    sources: Mapping[str, Source]
    indicators: Mapping[str, Indicator]
    chapters: tuple[Chapter, ...]
    warnings: tuple[str, ...] = field(default=())
    recommendations: tuple[Recommendation, ...] = field(default=())
    """The chapters' recommendations (``recommendations.yml``), as the file gives them."""

    def area_types(self) -> tuple[str, ...]:
        """Every area type results are published for."""
        return self.config.area_types

    def indicator_file(self, indicator_id: str) -> Path:
        """The file that defines ``indicator_id``."""
        return self.root / INDICATORS_FOLDER / f"{indicator_id}.yml"


@dataclass
class _Collector:
    """Problems and warnings found so far, with the project's validation levels."""

    config: ProjectConfig | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    """Names of indicator files that could not be read (their problems are already listed)."""

    def rule(self, rule: str, text: str) -> None:
        level = self.config.validation.level(rule) if self.config is not None else "warning"
        if level == "error":
            self.problems.append(text)
        elif level == "warning":
            self.warnings.append(f"{text} [warning: {rule}]")


def _read_config(root: Path, found: _Collector) -> ProjectConfig | None:
    path = root / PROJECT_FILE
    if not path.is_file():
        found.problems.append(f"{path}:1: (file): no jsna.yml: is {root} a jsna project?")
        return None
    text, problem = read_text(path)
    if text is None:
        found.problems.append(str(problem))
        return None
    parsed = parse_yaml(path, text)
    config, problems = validate(ProjectConfig, path, parsed)
    found.problems.extend(problems)
    if config is not None:
        for key, written in _declared_files(config.geographies.model_dump(), ("geographies",)):
            if not resolve_path(root, written).is_file():
                found.problems.append(
                    f"{path}:{line_of(key, parsed.lines)}: {'.'.join(map(str, key))}: "
                    f"file not found: {resolve_path(root, written)}"
                )
        logo = config.branding.logo
        if logo is not None and not resolve_path(root, logo).is_file():
            key = ("branding", "logo")
            found.problems.append(
                f"{path}:{line_of(key, parsed.lines)}: branding.logo: file not found: "
                f"{resolve_path(root, logo)}"
            )
    return config


def _declared_files(data: object, key: tuple[object, ...]) -> list[tuple[tuple[object, ...], str]]:
    """Every ``file:`` value below ``data`` (a dumped model) with its key path."""
    if isinstance(data, dict):
        found = [((*key, "file"), data["file"])] if isinstance(data.get("file"), str) else []
        for name, value in data.items():
            found += _declared_files(value, (*key, name))
        return found
    if isinstance(data, list | tuple):
        return [
            item
            for number, value in enumerate(data)
            for item in _declared_files(value, (*key, number))
        ]
    return []


def _read_sources(root: Path, found: _Collector) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for path in declaration_files(root):
        try:
            declared = load_source(path)
        except ContentError as error:
            found.problems.extend(error.problems)
            continue
        if declared.id in sources:
            found.problems.append(
                f"{path}:1: id: source {declared.id!r} is declared twice (.yml and .yaml)"
            )
            continue
        sources[declared.id] = declared
        if declared.file is not None and not resolve_path(root, declared.file).is_file():
            found.problems.append(
                f"{path}:1: file: source file not found: {resolve_path(root, declared.file)}"
            )
    return sources


def _read_indicators(
    root: Path, found: _Collector
) -> tuple[dict[str, Indicator], dict[str, Lines]]:
    indicators: dict[str, Indicator] = {}
    key_lines: dict[str, Lines] = {}
    folder = root / INDICATORS_FOLDER
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    if not files:
        found.problems.append(f"{folder}:1: (folder): no indicators/*.yml defined")
    for path in files:
        text, problem = read_text(path)
        if text is None:
            found.problems.append(str(problem))
            found.broken.add(path.stem)
            continue
        parsed = parse_yaml(path, text)
        indicator, problems = validate(Indicator, path, parsed)
        found.problems.extend(problems)
        if indicator is None:
            found.broken.add(path.stem)
            continue
        line = parsed.lines.get(("id",), 1)
        if indicator.id != path.stem:
            found.problems.append(
                f"{path}:{line}: id: {indicator.id!r} must match the file name {path.stem!r}"
            )
            found.broken.add(path.stem)
            continue
        if indicator.id in indicators:
            found.problems.append(
                f"{path}:{line}: id: indicator {indicator.id!r} is defined twice (.yml and .yaml)"
            )
            continue
        indicators[indicator.id] = indicator
        key_lines[indicator.id] = parsed.lines
    return indicators, key_lines


def _read_chapters(root: Path, found: _Collector) -> list[Chapter]:
    chapters: list[Chapter] = []
    folder = root / CHAPTERS_FOLDER
    for path in sorted(folder.glob("*.md")):
        text, problem = read_text(path)
        if text is None:
            found.problems.append(str(problem))
            continue
        chapter, problems = read_chapter(path, text)
        found.problems.extend(problems)
        if chapter is not None:
            chapters.append(chapter)
    ids = [chapter.id for chapter in chapters]
    for chapter in chapters:
        if ids.count(chapter.id) > 1:
            found.problems.append(f"{chapter.path}:1: (file name): chapter id {chapter.id!r} twice")
    return sorted(chapters, key=lambda chapter: (chapter.order, chapter.id))


def _check_indicators(
    root: Path,
    config: ProjectConfig,
    sources: Mapping[str, Source],
    indicators: Mapping[str, Indicator],
    key_lines: Mapping[str, Lines],
    found: _Collector,
) -> None:
    area_types = set(config.area_types)
    comparators = {comparator.id for comparator in config.comparators}
    for indicator in indicators.values():
        path = root / INDICATORS_FOLDER / f"{indicator.id}.yml"
        lines = key_lines[indicator.id]

        def at(*key: object, path: Path = path, lines: Lines = lines) -> str:
            return f"{path}:{line_of(key, lines)}: {'.'.join(str(part) for part in key)}"

        for role, selection in indicator.selections().items():
            if selection.source is not None and selection.source not in sources:
                found.problems.append(
                    f"{at(role, 'source')}: unknown source {selection.source!r} "
                    f"(no sources/{selection.source}.yml)"
                )
        if indicator.source not in sources:
            found.problems.append(
                f"{at('source')}: unknown source {indicator.source!r} "
                f"(no sources/{indicator.source}.yml)"
            )
        for number, area_type in enumerate(indicator.geographies):
            if area_type not in area_types:
                found.problems.append(
                    f"{at('geographies', number)}: area type {area_type!r} is not in "
                    "jsna.yml area_types"
                )
        for number, comparator in enumerate(indicator.comparators or ()):
            if comparator not in comparators:
                found.problems.append(
                    f"{at('comparators', number)}: unknown comparator {comparator!r}"
                )
        if not indicator.rationale.strip():
            found.rule("missing_rationale", f"{at('rationale')}: no rationale given")
        if not indicator.owner.strip():
            found.rule("missing_owner", f"{at('owner')}: no owner given")


def _check_chapters(
    config: ProjectConfig,
    sources: Mapping[str, Source],
    indicators: Mapping[str, Indicator],
    chapters: list[Chapter],
    found: _Collector,
    today: date,
) -> set[str]:
    """Problems of the chapters' blocks; returns the indicator ids the chapters show."""
    shown: set[str] = set()
    area_types = set(config.area_types)
    for chapter in chapters:
        if chapter.meta.review_date < today:
            found.rule(
                "review_overdue",
                f"{chapter.path}:1: review_date: review was due {chapter.meta.review_date}",
            )
        if chapter.meta.status == "draft":
            found.rule("draft_chapter", f"{chapter.path}:1: status: chapter is a draft")
        for placed in chapter.blocks:
            where = f"{chapter.path}:{placed.line}"
            for indicator_id in placed.indicator_ids():
                shown.add(indicator_id)
                if indicator_id not in indicators and indicator_id not in found.broken:
                    found.problems.append(f"{where}: block: unknown indicator id {indicator_id!r}")
            area_type = getattr(placed.block, "area_type", None)
            if area_type is not None and area_type not in area_types:
                found.problems.append(
                    f"{where}: block: area type {area_type!r} is not in jsna.yml area_types"
                )
            for source_id in placed.source_ids():
                if source_id not in sources:
                    found.problems.append(f"{where}: block: unknown source {source_id!r}")
            chapter_id = getattr(placed.block, "chapter", None)
            if isinstance(chapter_id, str) and chapter_id not in {c.id for c in chapters}:
                found.problems.append(f"{where}: block: unknown chapter {chapter_id!r}")
    return shown


@dataclass(frozen=True)
class CheckReport:
    """Everything ``jsna check`` found: problems (errors), warnings, and the project if whole."""

    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    project: Project | None

    def passed(self, *, strict: bool = False) -> bool:
        """No problems (and, when ``strict``, no warnings either)."""
        return not self.problems and not (strict and self.warnings)


def check_project(root: Path | str, *, today: date | None = None) -> CheckReport:
    """Read and check every file of the project at ``root``, collecting every problem."""
    root = Path(root)
    found = _Collector()
    found.config = _read_config(root, found)
    sources = _read_sources(root, found)
    indicators, key_lines = _read_indicators(root, found)
    chapters = _read_chapters(root, found)
    if found.config is not None:
        config = found.config
        _check_indicators(root, config, sources, indicators, key_lines, found)
        shown = _check_chapters(config, sources, indicators, chapters, found, today or date.today())
        for indicator_id in sorted(set(indicators) - shown):
            if chapters:
                found.rule(
                    "unused_indicator",
                    f"{root / INDICATORS_FOLDER / indicator_id}.yml:1: id: no chapter shows "
                    f"indicator {indicator_id!r}",
                )
        read = {source for indicator in indicators.values() for source in indicator.sources()}
        read |= {
            source for chapter in chapters for p in chapter.blocks for source in p.source_ids()
        }
        # A broken indicator file may read any source: say nothing rather than guess.
        unread = set() if found.broken else set(sources) - read
        for source_id in sorted(unread):
            found.rule(
                "unused_source",
                f"{root / 'sources' / source_id}.yml:1: id: no indicator reads source "
                f"{source_id!r}",
            )
    recommendations, problems = read_recommendations(
        root, {chapter.id for chapter in chapters}, set(indicators) | found.broken
    )
    found.problems.extend(problems)
    found.problems.extend(check_voices(root, chapters))
    project = None
    if not found.problems and found.config is not None:
        project = Project(
            root,
            found.config,
            MappingProxyType(sources),
            MappingProxyType(indicators),
            tuple(chapters),
            tuple(found.warnings),
            recommendations,
        )
    return CheckReport(tuple(found.problems), tuple(found.warnings), project)


def load_project(root: Path | str, *, today: date | None = None) -> Project:
    """The checked project at ``root``; a :class:`ContentError` lists every problem."""
    report = check_project(root, today=today)
    if report.project is None:
        raise ContentError(list(report.problems))
    return report.project
