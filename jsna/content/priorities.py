"""Priority setting: the scoring matrix in ``jsna.yml`` and the round files of a project.

The matrix (``priorities:`` in ``jsna.yml``) says what scorers judge each
candidate need on (criteria), on what scale, with what weight, and where the
bands fall. Left out, it is the Portsmouth scheme (Portsmouth JSNA priority
setting): six criteria scored 0 to 3, weight 1, so a total of at most 18;
**high** when the total is above 12, **medium** from 8 to 12 inclusive,
**low** below 8::

    priorities:
      guidance: Score each need on the evidence in the JSNA, not on ...
      outlier_points: 2
      bands: {high_above: 12, low_below: 8}
      criteria:
        - id: size
          name: Size of the problem
          guidance: How many people are affected ...
          levels: [None or very few, Some, Many, Very many]
        - ...

A round (``priorities/<round>.yml`` in the project folder) lists the
candidate needs of one scoring exercise, with the evidence of each, and may
carry scores (an illustrative exercise, or a workshop typed up afterwards)::

    id: 2026-illustrative
    title: Illustrative priority round 2026
    illustrative: true
    status: published
    candidates:
      - id: hypertension
        title: Undiagnosed high blood pressure
        origin: finding
        evidence:
          - {kind: indicator, ref: hypertension_qof}
          - {kind: chapter, ref: 05-long-term-conditions, label: Long-term conditions}
    scores:
      - scorer: Scorer A
        candidates:
          hypertension: {size: 3, severity: 2, ...}
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from jsna.errors import ContentError

from ._yaml import parse_yaml, read_text, validate

__all__ = [
    "PORTSMOUTH_CRITERIA",
    "ROUNDS_FOLDER",
    "Bands",
    "CandidateSpec",
    "Criterion",
    "EvidenceSpec",
    "PrioritiesConfig",
    "RoundFile",
    "ScorerScores",
    "load_round_file",
    "round_files",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_ID = r"^[a-z0-9][a-z0-9_-]{0,63}$"

ROUNDS_FOLDER = "priorities"
"""Folder of the project holding the round files (``priorities/<round>.yml``)."""


class Criterion(BaseModel):
    """One thing every candidate need is scored on."""

    model_config = _FROZEN

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="Short id, e.g. severity.")
    name: str = Field(min_length=1, description="Name shown to scorers, e.g. Severity.")
    guidance: str = Field(default="", description="What scorers should consider.")
    scale_min: int = Field(default=0, ge=0, description="Lowest score allowed.")
    scale_max: int = Field(default=3, ge=1, le=100, description="Highest score allowed.")
    weight: float = Field(
        default=1.0, gt=0, le=100, description="Multiplier of the score in the total."
    )
    levels: tuple[str, ...] = Field(
        default=(),
        description="What each score means, from scale_min up (one entry per score), "
        "e.g. [None, Low, Medium, High].",
    )

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be above scale_min")
        if self.levels and len(self.levels) != self.scale_max - self.scale_min + 1:
            raise ValueError(
                f"levels must have {self.scale_max - self.scale_min + 1} entries "
                f"(one per score from {self.scale_min} to {self.scale_max})"
            )
        return self


PORTSMOUTH_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        id="size",
        name="Size of the problem",
        guidance="How many people are affected, now and in the next five years.",
        levels=("Very few", "Some", "Many", "Very many"),
    ),
    Criterion(
        id="severity",
        name="Severity",
        guidance="How much harm it does: death, disability, quality of life, cost to services.",
        levels=("Minor", "Moderate", "Serious", "Very serious"),
    ),
    Criterion(
        id="inequality",
        name="Inequality",
        guidance="How unequally it falls between places and groups (deprivation, ethnicity, "
        "sex, disability).",
        levels=("No gap", "Small gap", "Clear gap", "Wide gap"),
    ),
    Criterion(
        id="effective_interventions",
        name="Evidence of effective interventions",
        guidance="Whether there are interventions known to work (NICE, published evaluations).",
        levels=("None known", "Weak evidence", "Some good evidence", "Strong evidence"),
    ),
    Criterion(
        id="local_capacity",
        name="Local capacity to act",
        guidance="Whether local partners have the levers, staff and money to make a difference.",
        levels=("None", "Little", "Some", "Strong"),
    ),
    Criterion(
        id="strategy",
        name="Alignment with strategy",
        guidance="Whether it fits the Health and Wellbeing Strategy and partners' plans.",
        levels=("Not aligned", "Partly", "Mostly", "Fully aligned"),
    ),
)
"""The Portsmouth scheme: six criteria scored 0-3 with weight 1 (a total of at most 18)."""


class Bands(BaseModel):
    """Where the bands fall on the (weighted) total: high above, low below, medium between."""

    model_config = _FROZEN

    high_above: float = Field(
        default=12, description="A total above this (not equal) is high priority."
    )
    low_below: float = Field(
        default=8,
        description="A total below this (not equal) is low priority; totals from low_below "
        "to high_above inclusive are medium.",
    )

    @model_validator(mode="after")
    def _order(self) -> Bands:
        if self.low_below > self.high_above:
            raise ValueError("low_below must not be above high_above")
        return self

    def band(self, total: float) -> str:
        """``high``, ``medium`` or ``low`` for one total."""
        if total > self.high_above:
            return "high"
        if total < self.low_below:
            return "low"
        return "medium"


class PrioritiesConfig(BaseModel):
    """The scoring matrix of priority setting (``priorities:`` in ``jsna.yml``)."""

    model_config = _FROZEN

    guidance: str = Field(
        default="Score each candidate need on every criterion, on your own and on the "
        "evidence linked to it, before the workshop discusses them. Use the whole scale. "
        "Where you do not know, score what the evidence shows and say why in the comment.",
        description="Guidance shown to every scorer above the scoring form.",
    )
    criteria: tuple[Criterion, ...] = Field(
        default=PORTSMOUTH_CRITERIA,
        min_length=1,
        description="What candidates are scored on (default: the Portsmouth scheme).",
    )
    bands: Bands = Field(default_factory=Bands, description="Where high, medium and low fall.")
    outlier_points: float = Field(
        default=2,
        gt=0,
        description="A scorer's score this many points or more from the median of all "
        "scorers (of one candidate and criterion) is flagged as an outlier.",
    )
    size_criterion: str = Field(
        default="size", description="Criterion on the horizontal axis of the matrix chart."
    )
    severity_criterion: str = Field(
        default="severity", description="Criterion on the vertical axis of the matrix chart."
    )

    @model_validator(mode="after")
    def _ids(self) -> PrioritiesConfig:
        ids = [criterion.id for criterion in self.criteria]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"criterion id {repeated[0]!r} is used twice")
        for name in ("size_criterion", "severity_criterion"):
            if getattr(self, name) not in ids:
                raise ValueError(f"{name}: {getattr(self, name)!r} is not a criterion id")
        return self

    @property
    def max_total(self) -> float:
        """The highest possible total (18 for the Portsmouth scheme)."""
        return sum(c.scale_max * c.weight for c in self.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with id ``criterion_id`` (KeyError if none)."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


class EvidenceSpec(BaseModel):
    """One piece of evidence behind a candidate need."""

    model_config = _FROZEN

    kind: Literal["indicator", "chapter", "finding", "request", "view", "link"] = Field(
        description="indicator (an indicator id), chapter (a chapter id, optionally "
        "#section), finding (a key finding id), request (REQ-000123), view (a community "
        "view, quoted with its source) or link (a web address)."
    )
    ref: str = Field(min_length=1, max_length=500, description="Id, reference or address.")
    label: str = Field(default="", max_length=500, description="Words shown for the link.")
    note: str = Field(default="", max_length=2000, description="What this evidence shows.")


class CandidateSpec(BaseModel):
    """A candidate need of a round."""

    model_config = _FROZEN

    id: str = Field(pattern=_ID, description="Short id, unique in the round.")
    title: str = Field(min_length=1, max_length=200, description="The need, in a few words.")
    description: str = Field(default="", max_length=5000, description="What the need is.")
    origin: Literal["finding", "recommendation", "request", "manual"] = Field(
        default="manual",
        description="Where it came from: a key finding, a chapter's recommendation, "
        "an analysis request, or added by hand.",
    )
    evidence: tuple[EvidenceSpec, ...] = Field(default=(), description="The evidence trail.")


class ScorerScores(BaseModel):
    """One scorer's scores in a round file: candidate id -> criterion id -> score."""

    model_config = _FROZEN

    scorer: str = Field(min_length=1, max_length=64, description="Name of the scorer.")
    candidates: dict[str, dict[str, int]] = Field(
        description="Candidate id -> criterion id -> score."
    )


class RoundFile(BaseModel):
    """A round of priority setting declared in ``priorities/<round>.yml``."""

    model_config = _FROZEN

    id: str = Field(pattern=_ID, description="Round id (the file name without .yml).")
    title: str = Field(min_length=1, max_length=200, description="Title of the round.")
    description: str = Field(default="", description="Who scored, when and how.")
    illustrative: bool = Field(
        default=False,
        description="An illustrative exercise (made-up scorers), labelled as such wherever shown.",
    )
    status: Literal["open", "closed", "published"] = Field(
        default="open",
        description="open (scoring), closed (moderation) or published (shown to the public).",
    )
    candidates: tuple[CandidateSpec, ...] = Field(min_length=1, description="Candidate needs.")
    scores: tuple[ScorerScores, ...] = Field(default=(), description="Scores, by scorer.")

    @model_validator(mode="after")
    def _unique(self) -> RoundFile:
        ids = [c.id for c in self.candidates]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"candidate id {repeated[0]!r} is used twice")
        names = [s.scorer for s in self.scores]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"scorer {twice[0]!r} is listed twice")
        return self


def round_files(root: Path) -> tuple[Path, ...]:
    """The round files of the project at ``root`` (sorted; none when there is no folder)."""
    return tuple(sorted((root / ROUNDS_FOLDER).glob("*.yml")))


def load_round_file(path: Path, config: PrioritiesConfig) -> RoundFile:
    """A round file, checked against the matrix; :class:`ContentError` lists every problem.

    Rules: the id is the file name; every score names a candidate of the
    round and a criterion of the matrix, and lies on the criterion's scale.
    """
    text, problem = read_text(path)
    if text is None:
        raise ContentError([problem or f"{path}:1: (file): cannot read"])
    parsed = parse_yaml(path, text)
    loaded, problems = validate(RoundFile, path, parsed)
    if loaded is None:
        raise ContentError(problems)
    lines = parsed.lines
    found: list[str] = []
    if loaded.id != path.stem:
        found.append(f"{path}:{lines.get(('id',), 1)}: id: must be the file name {path.stem!r}")
    candidates = {c.id for c in loaded.candidates}
    scales = {c.id: (c.scale_min, c.scale_max) for c in config.criteria}
    for number, scorer in enumerate(loaded.scores):
        for candidate_id, scores in scorer.candidates.items():
            where = ("scores", number, "candidates", candidate_id)
            name = f"scores.{number}.candidates.{candidate_id}"
            if candidate_id not in candidates:
                line = lines.get(where, 1)
                found.append(f"{path}:{line}: {name}: not a candidate of the round")
                continue
            for criterion_id, score in scores.items():
                line = lines.get((*where, criterion_id), 1)
                if criterion_id not in scales:
                    found.append(f"{path}:{line}: {name}.{criterion_id}: not a criterion")
                    continue
                low, high = scales[criterion_id]
                if not low <= score <= high:
                    found.append(
                        f"{path}:{line}: {name}.{criterion_id}: score {score} is not "
                        f"between {low} and {high}"
                    )
    if found:
        raise ContentError(found)
    return loaded
