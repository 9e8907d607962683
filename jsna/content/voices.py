"""Community voices declarations: surveys and engagement events, and the theme keyword rules.

A project keeps its qualitative evidence in a ``voices/`` folder::

    voices/
      themes.yml            the theme list: code, label and keywords that suggest it
      <survey-id>.yml       one per survey or engagement event: title, dates, method,
                            how many took part, whether it is made up, and its data file
      <data file>.csv       the responses (columns in docs/analyses/community-voices.md)

:func:`load_voices` reads and checks them all at once (``path:line: field:
message``); a project without the folder has no community voices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jsna.errors import ContentError

from ._yaml import parse_yaml, read_text, validate
from .blocks.voices import VoicesBlock

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .chapters import Chapter

__all__ = [
    "THEMES_FILE",
    "VOICES_FOLDER",
    "Survey",
    "Theme",
    "Themes",
    "Voices",
    "check_voices",
    "load_voices",
]

VOICES_FOLDER = "voices"
THEMES_FILE = "themes.yml"

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class Survey(BaseModel):
    """One survey or engagement event whose responses are community-voices evidence."""

    model_config = _FROZEN

    id: str = Field(pattern=_ID, description="Survey id, used in the data file's survey_id column.")
    title: str = Field(min_length=1, max_length=200, description="Title shown with its themes.")
    method: Literal["survey", "focus group", "engagement event", "interviews", "other"] = Field(
        description="How the views were gathered."
    )
    start: date = Field(description="First day responses were taken (YYYY-MM-DD).")
    end: date = Field(description="Last day responses were taken (YYYY-MM-DD).")
    participants: int = Field(ge=0, description="How many people took part (as reported).")
    made_up: bool = Field(
        default=False,
        description="True for an illustrative, made-up dataset: every page showing it says so.",
    )
    file: str = Field(
        min_length=1, description="Data file (CSV or xlsx), relative to the voices folder."
    )
    description: str = Field(default="", description="Who was asked, and how.")

    @model_validator(mode="after")
    def _dates(self) -> Survey:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Theme(BaseModel):
    """A theme analysts code responses with, and the keywords that suggest it."""

    model_config = _FROZEN

    code: str = Field(pattern=_ID, description="Short code used in the data file's themes column.")
    label: str = Field(min_length=1, max_length=100, description="Theme as readers see it.")
    keywords: tuple[str, ...] = Field(
        default=(),
        description="Words or phrases that suggest the theme (whole words, any case; "
        "a trailing * matches any ending, e.g. lonel*).",
    )

    def pattern(self) -> str | None:
        """One regular expression matching any keyword as whole words, or None."""
        parts = []
        for word in self.keywords:
            stem = word.strip().lower()
            if not stem:
                continue
            tail = r"\w*" if stem.endswith("*") else ""
            parts.append(re.escape(stem.rstrip("*")) + tail)
        return r"\b(?:" + "|".join(parts) + r")\b" if parts else None


class Themes(BaseModel):
    """The theme list of ``voices/themes.yml`` (the default keyword rules, editable)."""

    model_config = _FROZEN

    themes: tuple[Theme, ...] = Field(description="Themes in the order they are listed.")

    @model_validator(mode="after")
    def _unique(self) -> Themes:
        codes = [t.code for t in self.themes]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"theme codes listed twice: {', '.join(twice)}")
        return self


@dataclass(frozen=True)
class Voices:
    """A project's declared surveys (by id) and themes (by code)."""

    folder: Path
    surveys: dict[str, Survey]
    themes: dict[str, Theme]

    def data_file(self, survey_id: str) -> Path:
        """The data file of a survey."""
        return self.folder / self.surveys[survey_id].file

    def survey_for_file(self, path: Path) -> Survey | None:
        """The survey whose data file is ``path``, if any."""
        wanted = path.resolve()
        for survey in self.surveys.values():
            if (self.folder / survey.file).resolve() == wanted:
                return survey
        return None


def load_voices(root: Path | str) -> Voices:
    """The surveys and themes under ``root/voices``; empty when there is no such folder."""
    folder = Path(root) / VOICES_FOLDER
    if not folder.is_dir():
        return Voices(folder, {}, {})
    problems: list[str] = []
    themes: dict[str, Theme] = {}
    surveys: dict[str, Survey] = {}
    for path in sorted(folder.glob("*.yml")):
        text, problem = read_text(path)
        if text is None:
            problems.append(str(problem))
            continue
        parsed = parse_yaml(path, text)
        if path.name == THEMES_FILE:
            found, errors = validate(Themes, path, parsed)
            problems.extend(errors)
            if found is not None:
                themes = {t.code: t for t in found.themes}
            continue
        survey, errors = validate(Survey, path, parsed)
        problems.extend(errors)
        if survey is None:
            continue
        if survey.id in surveys:
            problems.append(f"{path}:1: id: survey {survey.id!r} is declared twice")
        elif not (folder / survey.file).is_file():
            problems.append(f"{path}:1: file: data file not found: {folder / survey.file}")
        surveys[survey.id] = survey
    if problems:
        raise ContentError(problems)
    return Voices(folder, surveys, themes)


def check_voices(root: Path | str, chapters: Iterable[Chapter]) -> list[str]:
    """Problems of the ``voices/`` files and of the chapters' ``voices`` blocks (an undeclared
    survey or theme), as ``path:line: field: message``."""
    try:
        voices = load_voices(root)
    except ContentError as error:
        return list(error.problems)
    problems = []
    for chapter in chapters:
        for placed in chapter.blocks:
            block = placed.block
            if not isinstance(block, VoicesBlock):
                continue
            where = f"{chapter.path}:{placed.line}: block"
            problems += [
                f"{where}: unknown survey {s!r} (no {VOICES_FOLDER}/{s}.yml)"
                for s in block.surveys
                if s not in voices.surveys
            ]
            problems += [
                f"{where}: unknown theme {t!r} (not in {VOICES_FOLDER}/{THEMES_FILE})"
                for t in block.themes
                if t not in voices.themes
            ]
    return problems
