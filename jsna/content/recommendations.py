"""Recommendations of a JSNA: one project file, kept in git beside the chapters.

``recommendations.yml`` in the project folder lists every recommendation the
chapters make, with who owns it, when it is due, where it stands and the
indicators that should move if it works::

    recommendations:
      - id: older-falls-pathway
        chapter: older-people
        text: >-
          Commission a falls prevention pathway, including strength and balance
          programmes, for residents at risk.
        owner: Adult social care commissioning, Trafford Council
        made_on: 2023-06-30
        target_date: 2025-06-30
        status: in progress
        status_date: 2024-09-30
        indicators: [falls_admissions_65]

The file's status is the one agreed when the chapter was written; editors
update it later in the web app (the store keeps every update with who made it
and when, and the latest update wins over the file). ``jsna check`` reads the
file and checks every chapter and indicator id it names.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._yaml import line_of, parse_yaml, read_text, validate

__all__ = [
    "RECOMMENDATIONS_FILE",
    "STATUSES",
    "Recommendation",
    "RecommendationStatus",
    "RecommendationsFile",
    "read_recommendations",
]

RECOMMENDATIONS_FILE = "recommendations.yml"
"""Name of the project file that lists the recommendations."""

RecommendationStatus = Literal["not started", "in progress", "done", "dropped"]
"""Where a recommendation stands."""

STATUSES: tuple[str, ...] = ("not started", "in progress", "done", "dropped")
"""Every status, in the order summaries list them."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Recommendation(BaseModel):
    """One recommendation of a chapter, with its owner, target date, status and indicators."""

    model_config = _FROZEN

    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="Short unique id (lower case, digits, - and _), e.g. ltc-hypertension.",
    )
    chapter: str = Field(
        description="Id of the chapter that makes it: its file name without the number."
    )
    text: str = Field(min_length=1, description="The recommendation, as the chapter words it.")
    owner: str = Field(
        min_length=1, description="Who is accountable for it (a role or a board, not a person)."
    )
    made_on: date = Field(description="Date the recommendation was made (agreed or published).")
    target_date: date = Field(description="Date by which it should be done.")
    status: RecommendationStatus = Field(
        default="not started",
        description="Where it stands: not started, in progress, done or dropped.",
    )
    status_date: date | None = Field(
        default=None, description="Date the status was last updated (default: made_on)."
    )
    indicators: tuple[str, ...] = Field(
        default=(), description="Ids of the indicators that should move if it works."
    )

    @model_validator(mode="after")
    def _dates(self) -> Recommendation:
        if self.target_date < self.made_on:
            raise ValueError(f"target_date {self.target_date} is before made_on {self.made_on}")
        if self.status_date is not None and self.status_date < self.made_on:
            raise ValueError(f"status_date {self.status_date} is before made_on {self.made_on}")
        return self

    @property
    def updated_on(self) -> date:
        """Date of the file's status (``status_date``, else ``made_on``)."""
        return self.status_date or self.made_on


class RecommendationsFile(BaseModel):
    """The contents of ``recommendations.yml``."""

    model_config = _FROZEN

    recommendations: tuple[Recommendation, ...] = Field(
        default=(), description="Every recommendation of the JSNA's chapters."
    )

    @model_validator(mode="after")
    def _unique(self) -> RecommendationsFile:
        seen: set[str] = set()
        for item in self.recommendations:
            if item.id in seen:
                raise ValueError(f"recommendation id {item.id!r} is used twice")
            seen.add(item.id)
        return self


def read_recommendations(
    root: Path, chapters: set[str], indicators: set[str]
) -> tuple[tuple[Recommendation, ...], list[str]]:
    """The recommendations of the project at ``root`` and the problems found.

    No file means no recommendations. Problems are ``path:line: field:
    message`` (unknown chapter or indicator ids included); when there are
    any, no recommendation is returned.
    """
    path = root / RECOMMENDATIONS_FILE
    if not path.is_file():
        return (), []
    text, problem = read_text(path)
    if text is None:
        return (), [str(problem)]
    parsed = parse_yaml(path, text)
    loaded, problems = validate(RecommendationsFile, path, parsed)
    if loaded is None:
        return (), problems
    for number, item in enumerate(loaded.recommendations):
        if item.chapter not in chapters:
            where = ("recommendations", number, "chapter")
            problems.append(
                f"{path}:{line_of(where, parsed.lines)}: recommendations.{number}.chapter: "
                f"unknown chapter {item.chapter!r}"
            )
        for position, indicator_id in enumerate(item.indicators):
            if indicator_id not in indicators:
                at = ("recommendations", number, "indicators", position)
                problems.append(
                    f"{path}:{line_of(at, parsed.lines)}: "
                    f"recommendations.{number}.indicators.{position}: "
                    f"unknown indicator id {indicator_id!r}"
                )
    if problems:
        return (), problems
    return loaded.recommendations, []
