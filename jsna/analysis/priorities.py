"""Priority setting: candidates, scoring arithmetic, agreement, outliers, moderation, ranking.

The rules, stated once:

- **Candidates** come from key findings (worse and worsening, worse, and the
  widest gaps: :func:`candidates_from_findings`), from analysis requests
  (:func:`candidates_from_requests`), from chapters' recommendations
  (:func:`candidates_from_recommendations`, the hook for the recommendations
  tracker: anything with ``id``, ``title`` and ``chapter_id``) and from a
  round file's hand-written list. Each keeps its evidence trail.
- **Agreement**, per candidate and criterion, across scorers: the number of
  scorers, median, lowest, highest, range (highest - lowest) and standard
  deviation (sample, n - 1; blank for one scorer).
- **Outliers**: a scorer whose score is ``outlier_points`` (default 2) or
  more from the median of all scorers of that candidate and criterion.
- **Moderated score**, per candidate and criterion: the moderator's score
  when one is recorded (with who and why), else the median of the scorers
  (a half when an even number of scorers split).
- **Total** = sum over criteria of weight x moderated score; a candidate
  missing a score on any criterion has no total ("not fully scored").
- **Band**: high when the total is above ``bands.high_above`` (12), low
  when below ``bands.low_below`` (8), medium from 8 to 12 inclusive.
- **Rank**: by total, highest first; equal totals share a rank (1, 2, 2, 4)
  and are listed by severity, then size, then title.

Everything here is vectorised over whole frames (groupby, not loops per score).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection

from jsna.content.indicators import Indicator
from jsna.content.priorities import (
    ROUNDS_FOLDER,
    Bands,
    CandidateSpec,
    EvidenceSpec,
    PrioritiesConfig,
    load_round_file,
    round_files,
)
from jsna.content.project_files import Project
from jsna.store.priorities import (
    RoundInfo,
    ScoreEntry,
    read_candidates,
    read_moderations,
    read_round,
    read_scores,
    record_scores,
    save_round,
)
from jsna.store.results import published_results

from .priority_sheets import (
    MAX_SHEET_BYTES,
    ScoreSheetError,
    SheetProblem,
    read_score_sheet,
    score_sheet_template,
)

__all__ = [
    "BAND_WORDS",
    "FINDING_KINDS",
    "MAX_SHEET_BYTES",
    "EvidenceLink",
    "RoundData",
    "ScoreSheetError",
    "SheetProblem",
    "agreement",
    "band_of",
    "candidates_from_findings",
    "candidates_from_recommendations",
    "candidates_from_requests",
    "evidence_trail",
    "load_round",
    "load_round_files",
    "merge_candidates",
    "moderated",
    "outliers",
    "ranking",
    "ranking_csv",
    "read_score_sheet",
    "score_sheet_template",
    "scorer_totals",
]

BAND_WORDS = {"high": "High", "medium": "Medium", "low": "Low", "": "Not fully scored"}
"""Band -> the word shown (bands are always said in words, not only by colour)."""

FINDING_KINDS = ("worse_and_worsening", "worse", "deprivation_gap", "gap")
"""Kinds of key finding that make candidate needs, in order of precedence."""


# --- Candidates --------------------------------------------------------------------------


class FindingLike(Protocol):
    """What :func:`candidates_from_findings` reads of a key finding."""

    id: str
    kind: str
    indicator_id: str
    sentence: str
    period: str


class RecommendationLike(Protocol):
    """What :func:`candidates_from_recommendations` reads of a chapter's recommendation."""

    id: str
    title: str
    chapter_id: str


def _candidate_id(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64] or "candidate"


def candidates_from_findings(
    findings: Iterable[FindingLike],
    indicators: Mapping[str, Indicator],
    *,
    kinds: Sequence[str] = FINDING_KINDS,
    limit: int | None = 12,
) -> list[CandidateSpec]:
    """One candidate per indicator with a finding of ``kinds`` (worse, worsening, widest gaps).

    Findings come in their reading order; the first finding of an indicator
    names the candidate and later ones add to its evidence. The evidence is
    the indicator (its page and latest period) and each finding's sentence.
    """
    chosen: dict[str, tuple[str, list[EvidenceSpec], str]] = {}
    for finding in findings:
        if finding.kind not in kinds or finding.indicator_id not in indicators:
            continue
        key = finding.indicator_id
        if key not in chosen:
            if limit is not None and len(chosen) >= limit:
                continue
            indicator = indicators[key]
            chosen[key] = (
                indicator.title[:200],
                [EvidenceSpec(kind="indicator", ref=key, label=indicator.title[:500])],
                finding.sentence,
            )
        chosen[key][1].append(
            EvidenceSpec(
                kind="finding",
                ref=finding.id,
                label=f"Key finding ({finding.kind.replace('_', ' ')}, {finding.period})"[:500],
                note=finding.sentence[:2000],
            )
        )
    return [
        CandidateSpec(
            id=_candidate_id(key),
            title=title,
            description=sentence[:5000],
            origin="finding",
            evidence=tuple(evidence),
        )
        for key, (title, evidence, sentence) in chosen.items()
    ]


def candidates_from_requests(rows: Iterable[Any]) -> list[CandidateSpec]:
    """One candidate per analysis request (rows with ``id``, ``question``, ``population``)."""
    found = []
    for row in rows:
        reference = f"REQ-{int(row.id):06d}"
        question = " ".join(str(row.question).split())
        title = question if len(question) <= 120 else question[:117].rstrip() + "..."
        found.append(
            CandidateSpec(
                id=_candidate_id(f"request-{row.id}"),
                title=title,
                description=f"Asked for {row.population}"[:5000],
                origin="request",
                evidence=(EvidenceSpec(kind="request", ref=reference, label=reference),),
            )
        )
    return found


def candidates_from_recommendations(items: Iterable[RecommendationLike]) -> list[CandidateSpec]:
    """One candidate per chapter recommendation: the hook for the recommendations tracker."""
    return [
        CandidateSpec(
            id=_candidate_id(f"rec-{item.id}"),
            title=item.title[:200],
            origin="recommendation",
            evidence=(
                EvidenceSpec(
                    kind="chapter", ref=item.chapter_id, label=f"Chapter {item.chapter_id}"
                ),
            ),
        )
        for item in items
    ]


def merge_candidates(*lists: Iterable[CandidateSpec]) -> list[CandidateSpec]:
    """The candidates of all ``lists``, the first of each id kept, in order."""
    merged: dict[str, CandidateSpec] = {}
    for candidates in lists:
        for candidate in candidates:
            merged.setdefault(candidate.id, candidate)
    return list(merged.values())


# --- Scoring arithmetic -------------------------------------------------------------------


def band_of(totals: npt.ArrayLike, bands: Bands) -> npt.NDArray[np.str_]:
    """``high``/``medium``/``low`` per total (``""`` for a missing total), vectorised."""
    values = np.asarray(totals, dtype=float)
    return np.select(
        [np.isnan(values), values > bands.high_above, values < bands.low_below],
        ["", "high", "low"],
        default="medium",
    )


def _weights(matrix: PrioritiesConfig) -> pd.Series:
    return pd.Series({c.id: c.weight for c in matrix.criteria}, dtype=float)


def scorer_totals(scores: pd.DataFrame, matrix: PrioritiesConfig) -> pd.DataFrame:
    """Each scorer's own total per candidate: candidate_id, scorer, total, complete, band."""
    if scores.empty:
        return pd.DataFrame(columns=["candidate_id", "scorer", "total", "complete", "band"])
    weights = _weights(matrix)
    known = scores[scores["criterion"].isin(weights.index)]
    weighted = known["score"].to_numpy(float) * weights.reindex(known["criterion"]).to_numpy()
    frame = known.assign(weighted=weighted)
    grouped = frame.groupby(["candidate_id", "scorer"], sort=True)
    out = grouped.agg(total=("weighted", "sum"), criteria=("criterion", "nunique")).reset_index()
    out["complete"] = out["criteria"] == len(weights)
    out["total"] = out["total"].where(out["complete"])
    out["band"] = band_of(out["total"], matrix.bands)
    return out.drop(columns="criteria")


def agreement(scores: pd.DataFrame, matrix: PrioritiesConfig) -> pd.DataFrame:
    """Per candidate and criterion: scorers, median, lowest, highest, range, sd, outliers.

    ``outliers`` is the number of scorers ``outlier_points`` or more from the median.
    """
    columns = ["candidate_id", "criterion", "scorers", "median", "lowest", "highest"]
    columns += ["range", "sd", "outliers"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    grouped = scores.groupby(["candidate_id", "criterion"], sort=True)["score"]
    out = grouped.agg(
        scorers="count", median="median", lowest="min", highest="max", sd="std"
    ).reset_index()
    out["range"] = out["highest"] - out["lowest"]
    flagged = outliers(scores, matrix)
    counts = flagged.groupby(["candidate_id", "criterion"]).size().rename("outliers")
    out = out.merge(counts.reset_index(), on=["candidate_id", "criterion"], how="left")
    out["outliers"] = out["outliers"].fillna(0).astype(int)
    return out[columns]


def outliers(scores: pd.DataFrame, matrix: PrioritiesConfig) -> pd.DataFrame:
    """Scores ``outlier_points`` or more from their candidate and criterion's median.

    Columns: candidate_id, criterion, scorer, score, median, distance.
    """
    columns = ["candidate_id", "criterion", "scorer", "score", "median", "distance"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    median = scores.groupby(["candidate_id", "criterion"])["score"].transform("median")
    distance = (scores["score"] - median).abs()
    flagged = scores.assign(median=median, distance=distance)
    flagged = flagged[distance >= matrix.outlier_points]
    return (
        flagged[columns].sort_values(["candidate_id", "criterion", "scorer"]).reset_index(drop=True)
    )


def moderated(
    scores: pd.DataFrame, moderations: pd.DataFrame, matrix: PrioritiesConfig
) -> pd.DataFrame:
    """The moderated score per candidate and criterion, and where it came from.

    Columns: candidate_id, criterion, median, score, source (``median`` or
    ``moderator``), moderator, reason.
    """
    base = agreement(scores, matrix)[["candidate_id", "criterion", "median"]]
    keys = ["candidate_id", "criterion"]
    mods = moderations.rename(columns={"score": "moderator_score"})
    if mods.empty:
        mods = pd.DataFrame(columns=[*keys, "moderator_score", "moderator", "reason"])
    mods = mods[[*keys, "moderator_score", "moderator", "reason"]]
    out = base.merge(mods, on=keys, how="outer")
    overridden = out["moderator_score"].notna()
    out["score"] = np.where(
        overridden,
        out["moderator_score"].astype(float),
        out["median"].astype(float),
    )
    out["source"] = np.where(overridden, "moderator", "median")
    out["moderator"] = out["moderator"].where(overridden, "").fillna("")
    out["reason"] = out["reason"].where(overridden, "").fillna("")
    return out[[*keys, "median", "score", "source", "moderator", "reason"]].sort_values(keys)


def ranking(
    candidates: Sequence[CandidateSpec],
    scores: pd.DataFrame,
    moderations: pd.DataFrame,
    matrix: PrioritiesConfig,
) -> pd.DataFrame:
    """The ranked list: one row per candidate, in rank order.

    Columns: rank (0 when not fully scored), candidate_id, title, origin, one
    column per criterion (moderated score), total, band, band_words,
    scorers, outliers, moderated (criteria overridden by a moderator).
    """
    ids = [c.id for c in candidates]
    criteria = [c.id for c in matrix.criteria]
    result = moderated(scores, moderations, matrix)
    result = result[result["candidate_id"].isin(ids) & result["criterion"].isin(criteria)]
    wide = result.pivot(index="candidate_id", columns="criterion", values="score")
    wide = wide.reindex(index=ids, columns=criteria)
    weights = _weights(matrix).reindex(criteria).to_numpy()
    values = wide.to_numpy(dtype=float)
    totals = np.where(np.isnan(values).any(axis=1), np.nan, np.nan_to_num(values) @ weights)
    frame = pd.DataFrame(
        {
            "candidate_id": ids,
            "title": [c.title for c in candidates],
            "origin": [c.origin for c in candidates],
        }
    )
    for number, criterion in enumerate(criteria):
        frame[criterion] = values[:, number]
    frame["total"] = totals
    frame["band"] = band_of(totals, matrix.bands)
    frame["band_words"] = frame["band"].map(BAND_WORDS)
    agree = agreement(scores, matrix)
    agree = agree[agree["candidate_id"].isin(ids)]
    per = agree.groupby("candidate_id").agg(
        scorers=("scorers", "max"), outliers=("outliers", "sum")
    )
    frame["scorers"] = frame["candidate_id"].map(per["scorers"]).fillna(0).astype(int)
    frame["outliers"] = frame["candidate_id"].map(per["outliers"]).fillna(0).astype(int)
    overridden = result[result["source"] == "moderator"].groupby("candidate_id").size()
    frame["moderated"] = frame["candidate_id"].map(overridden).fillna(0).astype(int)
    order = [("total", False)]
    for name in (matrix.severity_criterion, matrix.size_criterion):
        if name not in [o for o, _ in order]:
            order.append((name, False))
    order.append(("title", True))
    frame = frame.sort_values(
        [name for name, _ in order],
        ascending=[asc for _, asc in order],
        na_position="last",
        kind="mergesort",
    ).reset_index(drop=True)
    ranks = frame["total"].rank(method="min", ascending=False)
    frame.insert(0, "rank", ranks.fillna(0).astype(int))
    return frame


def ranking_csv(frame: pd.DataFrame, matrix: PrioritiesConfig, *, illustrative: bool) -> str:
    """The ranked list as CSV text, criteria headed by their names, bands in words."""
    names = {c.id: c.name for c in matrix.criteria}
    shown = frame.drop(columns=["band"]).rename(
        columns={**names, "band_words": "band", "candidate_id": "id"}
    )
    shown["rank"] = shown["rank"].replace(0, "")
    buffer = io.StringIO()
    if illustrative:
        buffer.write("# Illustrative exercise: made-up scorers, not the council's priorities\n")
    shown.to_csv(buffer, index=False, float_format="%g", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


# --- Rounds: from the store, else from the project files -----------------------------------


@dataclass(frozen=True)
class RoundData:
    """A round with its candidates, scores and moderations, from the store or a file."""

    info: RoundInfo
    candidates: tuple[CandidateSpec, ...]
    scores: pd.DataFrame
    moderations: pd.DataFrame
    from_store: bool

    def ranking(self) -> pd.DataFrame:
        """The ranked list (:func:`ranking`)."""
        return ranking(self.candidates, self.scores, self.moderations, self.info.matrix)


def _file_scores(loaded: Any) -> pd.DataFrame:
    rows = [
        (candidate_id, scorer.scorer, criterion, score, "", 1)
        for scorer in loaded.scores
        for candidate_id, scores in scorer.candidates.items()
        for criterion, score in scores.items()
    ]
    columns = ["candidate_id", "scorer", "criterion", "score", "comment", "version"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["score"] = frame["score"].astype("int64")
    return frame


def _info_of(loaded: Any, matrix: PrioritiesConfig) -> RoundInfo:
    return RoundInfo(
        id=loaded.id,
        title=loaded.title,
        description=loaded.description,
        status=loaded.status,
        illustrative=loaded.illustrative,
        origin="file",
        matrix=matrix,
        updated_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
        updated_by="project",
    )


_NO_MODERATIONS = ("candidate_id", "criterion", "score", "reason", "moderator", "updated_at")


def load_round(connection: Connection, project: Project, round_id: str) -> RoundData | None:
    """The round from the store; else from ``priorities/<round>.yml``; else None."""
    info = read_round(connection, round_id)
    if info is not None:
        return RoundData(
            info=info,
            candidates=tuple(read_candidates(connection, round_id)),
            scores=read_scores(connection, round_id),
            moderations=read_moderations(connection, round_id),
            from_store=True,
        )
    path = project.root / ROUNDS_FOLDER / f"{round_id}.yml"
    if not path.is_file():
        return None
    matrix = project.config.priorities
    loaded = load_round_file(path, matrix)
    return RoundData(
        info=_info_of(loaded, matrix),
        candidates=loaded.candidates,
        scores=_file_scores(loaded),
        moderations=pd.DataFrame(columns=list(_NO_MODERATIONS)),
        from_store=False,
    )


def load_round_files(
    connection: Connection, project: Project, *, actor: str = "project", only: str | None = None
) -> list[tuple[str, bool, int]]:
    """Load the project's round files into the store: (round id, created, scores changed).

    Idempotent: a round is created with the file's status, later loads update
    its title, description and candidates and upsert the file's scores
    (unchanged scores write nothing); a status changed in the web app stays.
    """
    matrix = project.config.priorities
    done = []
    for path in round_files(project.root):
        if only is not None and path.stem != only:
            continue
        loaded = load_round_file(path, matrix)
        created = save_round(
            connection, _info_of(loaded, matrix), loaded.candidates, actor=actor, via="file"
        )
        changed = 0
        for scorer in loaded.scores:
            entries = [
                ScoreEntry(candidate_id, criterion, score)
                for candidate_id, scores in scorer.candidates.items()
                for criterion, score in scores.items()
            ]
            changed += record_scores(
                connection, loaded.id, scorer.scorer, entries, actor=actor, via="file"
            )
        done.append((loaded.id, created, changed))
    return done


# --- Evidence trail ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLink:
    """One step of a candidate's evidence trail, ready to show."""

    kind: str
    label: str
    href: str
    """Site-relative path (``indicators/x.html``), an address, or ``""`` (no link)."""
    detail: str = ""
    """The latest figure and its vintage, a quoted view, or the finding's sentence."""
    staff_only: bool = False


def _indicator_detail(connection: Connection, project: Project, indicator: Indicator) -> str:
    """The latest published figure for the JSNA area with its vintage (the dataset versions);
    for an indicator published only for smaller areas, its latest period and area types."""
    frame = published_results(connection, indicator_id=indicator.id)
    if frame.empty:
        return "No published figures yet."
    frame = frame[frame["breakdown_type"].fillna("") == ""]
    own = frame[frame["area_code"] == project.config.area.code]
    versions = ""
    if own.empty:
        if frame.empty:
            return "Published by breakdown only."
        period = max(frame["period"].astype(str))
        kinds = ", ".join(sorted(set(frame["area_type"].astype(str))))
        rows = frame[frame["period"].astype(str) == period]
        versions = "; ".join(sorted(set(rows["dataset_versions"].dropna().astype(str))))
        vintage = f"; data: {versions}" if versions else ""
        return f"Published by {kinds}; latest period {period}{vintage}."
    latest = own.iloc[-1]
    versions = str(latest.get("dataset_versions") or "").strip()
    value = latest["value"]
    unit = indicator.unit.strip()
    if pd.isna(value):
        shown = "suppressed"
    else:
        shown = f"{value:,.{indicator.decimals}f}"
        shown += unit if unit == "%" else (f" {unit}" if unit else "")
    vintage = f"; data: {versions}" if versions else ""
    return f"Latest for {project.config.area.name}: {shown} in {latest['period']}{vintage}."


def evidence_trail(
    connection: Connection, project: Project, candidate: CandidateSpec
) -> list[EvidenceLink]:
    """The candidate's evidence as links: indicators with their latest figure and vintage,
    chapter sections, key findings, requests (staff only), community views and links."""
    links = []
    chapters = {c.id: c.meta.title for c in project.chapters}
    for item in candidate.evidence:
        if item.kind == "indicator":
            indicator = project.indicators.get(item.ref)
            label = item.label or (indicator.title if indicator else item.ref)
            detail = _indicator_detail(connection, project, indicator) if indicator else ""
            href = f"indicators/{item.ref}.html" if indicator else ""
            links.append(
                EvidenceLink("indicator", label, href, " ".join([item.note, detail]).strip())
            )
        elif item.kind == "chapter":
            chapter, _, section = item.ref.partition("#")
            label = item.label or chapters.get(chapter, chapter)
            href = f"chapters/{chapter}/index.html" + (f"#{section}" if section else "")
            links.append(
                EvidenceLink("chapter", label, href if chapter in chapters else "", item.note)
            )
        elif item.kind == "request":
            number = item.ref.removeprefix("REQ-").lstrip("0") or "0"
            href = f"/requests/{number}" if number.isdigit() else ""
            links.append(EvidenceLink("request", item.label or item.ref, href, item.note, True))
        elif item.kind == "link":
            href = item.ref if item.ref.startswith(("https://", "http://")) else ""
            links.append(EvidenceLink("link", item.label or item.ref, href, item.note))
        else:
            links.append(EvidenceLink(item.kind, item.label or item.ref, "", item.note))
    return links
