"""Priority setting maths: bands, totals, agreement, outliers, moderation, ranking, sheets."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from jsna.analysis.priorities import (
    ScoreSheetError,
    agreement,
    band_of,
    candidates_from_findings,
    candidates_from_recommendations,
    candidates_from_requests,
    merge_candidates,
    moderated,
    outliers,
    ranking,
    ranking_csv,
    read_score_sheet,
    score_sheet_template,
    scorer_totals,
)
from jsna.content.priorities import (
    Bands,
    CandidateSpec,
    Criterion,
    EvidenceSpec,
    PrioritiesConfig,
    load_round_file,
)
from jsna.content.project import ProjectConfig
from jsna.errors import ContentError, InputFileError

MATRIX = PrioritiesConfig()
CRITERIA = [c.id for c in MATRIX.criteria]
TRAFFORD = Path(__file__).parents[2] / "examples" / "trafford"


def _scores(rows: dict[tuple[str, str], str]) -> pd.DataFrame:
    """{(candidate, scorer): "333223"} -> long frame (digits in criteria order)."""
    records = [
        (candidate, scorer, criterion, int(digit), "", 1)
        for (candidate, scorer), digits in rows.items()
        for criterion, digit in zip(CRITERIA, digits, strict=True)
    ]
    columns = ["candidate_id", "scorer", "criterion", "score", "comment", "version"]
    return pd.DataFrame(records, columns=columns)


def _candidates(*ids: str) -> list[CandidateSpec]:
    return [CandidateSpec(id=i, title=i.title()) for i in ids]


NO_MODERATION = pd.DataFrame(columns=["candidate_id", "criterion", "score", "reason", "moderator"])


# --- The matrix -------------------------------------------------------------------------


def test_portsmouth_is_the_default_with_max_18() -> None:
    assert [c.id for c in MATRIX.criteria] == [
        "size",
        "severity",
        "inequality",
        "effective_interventions",
        "local_capacity",
        "strategy",
    ]
    assert all((c.scale_min, c.scale_max, c.weight) == (0, 3, 1.0) for c in MATRIX.criteria)
    assert MATRIX.max_total == 18
    assert (MATRIX.bands.high_above, MATRIX.bands.low_below) == (12, 8)


@pytest.mark.parametrize(
    ("total", "band"),
    [(18, "high"), (12.5, "high"), (12, "medium"), (8, "medium"), (7.5, "low"), (0, "low")],
)
def test_thresholds_are_above_12_high_8_to_12_medium_below_8_low(total: float, band: str) -> None:
    assert MATRIX.bands.band(total) == band
    assert band_of([total], MATRIX.bands)[0] == band


def test_band_of_is_vectorised_and_blank_for_missing() -> None:
    assert band_of([13, 12, 8, 7.9, np.nan], Bands()).tolist() == [
        "high",
        "medium",
        "medium",
        "low",
        "",
    ]


def test_matrix_rules_are_checked() -> None:
    with pytest.raises(ValueError, match="levels must have 4 entries"):
        Criterion(id="x", name="X", levels=("a", "b"))
    with pytest.raises(ValueError, match="criterion id 'size' is used twice"):
        PrioritiesConfig(criteria=(Criterion(id="size", name="A"), Criterion(id="size", name="B")))
    with pytest.raises(ValueError, match="low_below must not be above high_above"):
        Bands(high_above=5, low_below=8)
    with pytest.raises(ValueError, match="severity_criterion: 'severity' is not a criterion id"):
        PrioritiesConfig(criteria=(Criterion(id="size", name="Size"),))


def test_jsna_yml_section_is_optional_and_configurable() -> None:
    from jsna.content.project_files import load_project

    base = load_project(TRAFFORD).config.model_dump(exclude={"priorities"})
    assert ProjectConfig.model_validate(base).priorities == MATRIX
    custom = ProjectConfig.model_validate(
        {
            **base,
            "priorities": {
                "criteria": [
                    {"id": "size", "name": "Size", "scale_max": 5, "weight": 2},
                    {"id": "severity", "name": "Severity", "scale_max": 5},
                ],
                "bands": {"high_above": 10, "low_below": 5},
            },
        }
    ).priorities
    assert custom.max_total == 15


# --- Arithmetic ---------------------------------------------------------------------------


def test_scorer_totals_weighted_and_incomplete() -> None:
    scores = _scores({("a", "s1"): "333223", ("a", "s2"): "000000"})
    scores = pd.concat([scores, scores.iloc[:0]])
    partial = scores[~((scores["scorer"] == "s2") & (scores["criterion"] == "strategy"))]
    totals = scorer_totals(partial, MATRIX).set_index("scorer")
    assert totals.loc["s1", "total"] == 16
    assert totals.loc["s1", "band"] == "high"
    assert not totals.loc["s2", "complete"]
    assert np.isnan(totals.loc["s2", "total"])
    weighted = PrioritiesConfig(
        criteria=(
            Criterion(id="size", name="Size", weight=2),
            Criterion(id="severity", name="Severity", weight=0.5),
        )
    )
    frame = pd.DataFrame(
        {
            "candidate_id": ["a", "a"],
            "scorer": ["s", "s"],
            "criterion": ["size", "severity"],
            "score": [3, 2],
        }
    )
    assert scorer_totals(frame, weighted)["total"].tolist() == [7.0]


def test_agreement_spread_and_outliers_by_hand() -> None:
    # size scores 3, 3, 3, 0: median 3, range 3, sd = sqrt(((0.75)^2*3 + 2.25^2)/3) = 1.5
    scores = _scores(
        {
            ("a", "s1"): "332332",
            ("a", "s2"): "332332",
            ("a", "s3"): "322322",
            ("a", "s4"): "030322",
        }
    )
    table = agreement(scores, MATRIX).set_index("criterion")
    size = table.loc["size"]
    assert (size["scorers"], size["median"], size["lowest"], size["highest"]) == (4, 3, 0, 3)
    assert size["range"] == 3
    assert size["sd"] == pytest.approx(1.5)
    assert size["outliers"] == 1
    capacity = table.loc["local_capacity"]  # 3, 3, 2, 2: median 2.5, nobody 2 away
    assert capacity["median"] == 2.5
    assert capacity["outliers"] == 0
    # inequality 2, 2, 2, 0: the 0 is exactly 2 from the median: an outlier (>= 2)
    flagged = outliers(scores, MATRIX)
    assert flagged[["criterion", "scorer", "score", "median", "distance"]].values.tolist() == [
        ["inequality", "s4", 0, 2.0, 2.0],
        ["size", "s4", 0, 3.0, 3.0],
    ]


def test_one_scorer_has_no_spread_and_no_outlier() -> None:
    table = agreement(_scores({("a", "s1"): "012301"}), MATRIX)
    assert table["sd"].isna().all()
    assert (table["range"] == 0).all()
    assert outliers(_scores({("a", "s1"): "012301"}), MATRIX).empty


def test_outlier_points_are_configurable() -> None:
    scores = _scores({("a", "s1"): "333333", ("a", "s2"): "333333", ("a", "s3"): "233333"})
    assert outliers(scores, MATRIX).empty
    assert len(outliers(scores, PrioritiesConfig(outlier_points=1))) == 1


def test_moderation_overrides_the_median_and_says_who_and_why() -> None:
    scores = _scores({("a", "s1"): "333223", ("a", "s2"): "111223"})
    mods = pd.DataFrame(
        [("a", "size", 3, "Census shows 40,000 people", "approver")],
        columns=["candidate_id", "criterion", "score", "reason", "moderator"],
    )
    table = moderated(scores, mods, MATRIX).set_index("criterion")
    assert table.loc["size", "median"] == 2
    assert table.loc["size", "score"] == 3
    assert table.loc["size", "source"] == "moderator"
    assert table.loc["size", "reason"] == "Census shows 40,000 people"
    assert table.loc["severity", "score"] == 2
    assert table.loc["severity", "source"] == "median"


def test_ranking_totals_bands_ties_and_unscored() -> None:
    scores = _scores(
        {
            ("a", "s1"): "333223",  # 16 high
            ("b", "s1"): "222222",  # 12 medium (boundary)
            ("c", "s1"): "222221",  # 11
            ("d", "s1"): "122222",  # 11, lower size: after c with the same severity
            ("e", "s1"): "111112",  # 7 low
        }
    )
    scores = scores[~((scores["candidate_id"] == "c") & (scores["criterion"] == "strategy"))]
    scores = pd.concat([scores, _scores({("c", "s1"): "222221"}).tail(1)])
    extra = _candidates("a", "b", "c", "d", "e", "f")
    ranked = ranking(extra, scores, NO_MODERATION, MATRIX)
    assert ranked["candidate_id"].tolist() == ["a", "b", "c", "d", "e", "f"]
    assert ranked["rank"].tolist() == [1, 2, 3, 3, 5, 0]
    assert ranked["total"].tolist()[:5] == [16, 12, 11, 11, 7]
    assert np.isnan(ranked["total"].iloc[5])
    assert ranked["band_words"].tolist() == [
        "High",
        "Medium",
        "Medium",
        "Medium",
        "Low",
        "Not fully scored",
    ]


def test_ranking_medians_of_an_even_number_split_to_a_half() -> None:
    scores = _scores({("a", "s1"): "333333", ("a", "s2"): "222222"})
    ranked = ranking(_candidates("a"), scores, NO_MODERATION, MATRIX)
    assert ranked["total"].iloc[0] == 15
    assert ranked["band"].iloc[0] == "high"


def test_ranking_csv_names_criteria_and_labels_illustrative() -> None:
    scores = _scores({("a", "s1"): "333223"})
    text = ranking_csv(
        ranking(_candidates("a"), scores, NO_MODERATION, MATRIX), MATRIX, illustrative=True
    )
    lines = text.splitlines()
    assert lines[0].startswith("# Illustrative exercise")
    assert lines[1].startswith("rank,id,title,origin,Size of the problem,Severity,")
    assert lines[2].startswith("1,a,A,manual,3,3,3,2,2,3,16,High,1,0,0")


# --- The Trafford illustrative round ------------------------------------------------------


def test_trafford_round_hand_checked() -> None:
    loaded = load_round_file(TRAFFORD / "priorities" / "2026-illustrative.yml", MATRIX)
    assert loaded.illustrative
    assert loaded.status == "published"
    assert len(loaded.scores) == 4
    assert "ILLUSTRATIVE" in loaded.description
    rows = [
        (c, s.scorer, k, v, "", 1)
        for s in loaded.scores
        for c, scores in s.candidates.items()
        for k, v in scores.items()
    ]
    frame = pd.DataFrame(
        rows, columns=["candidate_id", "scorer", "criterion", "score", "comment", "version"]
    )
    ranked = ranking(loaded.candidates, frame, NO_MODERATION, MATRIX).set_index("candidate_id")
    # medians 3,3,3,2,2,3 = 16; physical inactivity 2,1,1,2,1,1 = 8 exactly: medium
    assert ranked.loc["neighbourhood-health-gap", "total"] == 16
    assert ranked.loc["physical-inactivity", ["total", "band"]].tolist() == [8, "medium"]
    assert ranked.loc["tooth-decay", ["total", "band"]].tolist() == [7.5, "low"]


def test_round_file_problems_name_line_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "r1.yml"
    path.write_text(
        "id: other\ntitle: R\ncandidates:\n  - {id: a, title: A}\nscores:\n"
        "  - scorer: S\n    candidates:\n      a: {size: 4, smell: 1}\n      b: {size: 1}\n"
    )
    with pytest.raises(ContentError) as error:
        load_round_file(path, MATRIX)
    assert error.value.problems == [
        f"{path}:1: id: must be the file name 'r1'",
        f"{path}:8: scores.0.candidates.a.size: score 4 is not between 0 and 3",
        f"{path}:8: scores.0.candidates.a.smell: not a criterion",
        f"{path}:9: scores.0.candidates.b: not a candidate of the round",
    ]


# --- Candidates ---------------------------------------------------------------------------


@dataclass
class _Finding:
    id: str
    kind: str
    indicator_id: str
    sentence: str
    period: str


def test_candidates_from_findings_one_per_indicator_with_evidence() -> None:
    from jsna.content.project_files import load_project

    indicators = load_project(TRAFFORD).indicators
    findings = [
        _Finding(
            "deprivation_gap/bad_health/E08000009", "deprivation_gap", "bad_health", "Gap.", "2021"
        ),
        _Finding("better/x/E1", "better", "smoking_at_delivery", "Better.", "2023/24"),
        _Finding("gap/bad_health/ward23", "gap", "bad_health", "Ward gap.", "2021"),
        _Finding("worse/y/E1", "worse", "self_harm_admissions", "Worse.", "2023/24"),
    ]
    made = candidates_from_findings(findings, indicators)
    assert [c.id for c in made] == ["bad-health", "self-harm-admissions"]
    first = made[0]
    assert first.origin == "finding"
    assert first.description == "Gap."
    assert [(e.kind, e.ref) for e in first.evidence] == [
        ("indicator", "bad_health"),
        ("finding", "deprivation_gap/bad_health/E08000009"),
        ("finding", "gap/bad_health/ward23"),
    ]
    assert len(candidates_from_findings(findings, indicators, limit=1)) == 1


def test_candidates_from_requests_and_recommendations_and_merge() -> None:
    @dataclass
    class Row:
        id: int
        question: str
        population: str

    @dataclass
    class Rec:
        id: str
        title: str
        chapter_id: str

    requests = candidates_from_requests([Row(7, "Why  are falls rising?", "people over 65")])
    assert requests[0].id == "request-7"
    assert requests[0].title == "Why are falls rising?"
    assert requests[0].evidence[0].ref == "REQ-000007"
    recs = candidates_from_recommendations(
        [Rec("ltc-1", "Find hypertension", "long-term-conditions")]
    )
    assert recs[0].origin == "recommendation"
    assert recs[0].evidence[0].kind == "chapter"
    merged = merge_candidates(requests, recs, requests)
    assert [c.id for c in merged] == ["request-7", "rec-ltc-1"]


# --- Score sheets -------------------------------------------------------------------------

IDS = ["a", "b"]


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def test_template_round_trips() -> None:
    template = score_sheet_template(_candidates("a", "b"), MATRIX)
    assert template.splitlines()[0] == (
        "candidate,title,size,severity,inequality,effective_interventions,local_capacity,"
        "strategy,comment"
    )
    filled = template.replace("a,A,,,,,,,", "a,A,3,2,1,0,3,2,ok")
    read = read_score_sheet(_csv(filled), "me.csv", MATRIX, IDS, scorer="ann")
    assert [(e.candidate_id, e.criterion, e.score, e.comment) for e in read["ann"]][:2] == [
        ("a", "size", 3, "ok"),
        ("a", "severity", 2, "ok"),
    ]
    assert len(read["ann"]) == 6  # b left blank: not scored


def test_sheet_accepts_criterion_names_and_scorer_column() -> None:
    sheet = (
        "scorer,Candidate,Size of the problem,Severity,Inequality,"
        "Evidence of effective interventions,Local capacity to act,Alignment with strategy\n"
        "x,a,1,1,1,1,1,1\ny,a,2,2,2,2,2,2\n"
    )
    read = read_score_sheet(_csv(sheet), "all.csv", MATRIX, IDS)
    assert sorted(read) == ["x", "y"]
    assert read["y"][0].score == 2


def test_sheet_every_problem_named_by_row_column_and_rule() -> None:
    sheet = (
        "candidate,size,severity,inequality,effective_interventions,local_capacity,strategy,scorer\n"
        "a,3,2,1,0,3,4,bob\n"
        "zz,1,1,1,1,1,1,\n"
        "a,1,1,1,1,1,1,\n"
        "b,1.5,x,,,,,\n"
    )
    with pytest.raises(ScoreSheetError) as error:
        read_score_sheet(_csv(sheet), "s.csv", MATRIX, IDS, scorer="ann")
    assert str(error.value).splitlines() == [
        "s.csv: 6 problems, no scores recorded:",
        "s.csv:2:scorer: must be you (ann) ('bob')",
        "s.csv:2:strategy: score must be a whole number from 0 to 3 ('4')",
        "s.csv:3:candidate: not a candidate of the round ('zz')",
        "s.csv:4:candidate: listed twice (first on row 2) ('a')",
        "s.csv:5:size: score must be a whole number from 0 to 3 ('1.5')",
        "s.csv:5:severity: score must be a whole number from 0 to 3 ('x')",
    ]


def test_sheet_columns_checked_first() -> None:
    with pytest.raises(ScoreSheetError) as error:
        read_score_sheet(_csv("candidate,size,colour\na,1,red\n"), "c.csv", MATRIX, IDS)
    assert [str(p) for p in error.value.problems] == [
        "c.csv:1:colour: unknown column (expected candidate, a criterion id, title, comment or scorer)",
        "c.csv:1:severity: missing column",
        "c.csv:1:inequality: missing column",
        "c.csv:1:effective_interventions: missing column",
        "c.csv:1:local_capacity: missing column",
        "c.csv:1:strategy: missing column",
        "c.csv:1:scorer: missing column (or give the scorer)",
    ]


def test_sheet_empty_and_wrong_type() -> None:
    header = "candidate,size,severity,inequality,effective_interventions,local_capacity,strategy\n"
    with pytest.raises(ScoreSheetError, match="the sheet holds no scores"):
        read_score_sheet(_csv(header + "a,,,,,,\n"), "e.csv", MATRIX, IDS, scorer="ann")
    with pytest.raises(
        InputFileError, match=r"^x\.pdf: a score sheet must be a \.csv or \.xlsx file$"
    ):
        read_score_sheet(b"%PDF", "x.pdf", MATRIX, IDS, scorer="ann")
    with pytest.raises(InputFileError, match=r"^b\.csv: not UTF-8 text \(byte 0\)$"):
        read_score_sheet(b"\xff\xfe\x00", "b.csv", MATRIX, IDS, scorer="ann")


def test_sheet_xlsx() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["candidate", *CRITERIA, "comment"])
    sheet.append(["b", 3, 3, 2, 1, 0, 2, "from the workshop"])
    sheet.append(["a", 1, 1, 1, 1, 1, 9, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ScoreSheetError) as error:
        read_score_sheet(buffer.getvalue(), "w.xlsx", MATRIX, IDS, scorer="ann")
    assert [str(p) for p in error.value.problems] == [
        "w.xlsx:3:strategy: score must be a whole number from 0 to 3 ('9')"
    ]
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    read = read_score_sheet(buffer.getvalue(), "w.xlsx", MATRIX, IDS, scorer="ann")
    assert [e.score for e in read["ann"]] == [3, 3, 2, 1, 0, 2]


# --- Evidence trail and figures on the Trafford store ---------------------------------------


@pytest.fixture(scope="module")
def trafford() -> Iterator[tuple[Any, Any]]:
    from sqlalchemy import create_engine

    from jsna.content.project_files import load_project
    from tests.render.site import prepared_store

    project, store = prepared_store()
    engine = create_engine(f"sqlite:///file:{store}?mode=ro&uri=true")
    with engine.connect() as connection:
        yield load_project(project), connection
    engine.dispose()


def test_evidence_trail_links_and_vintages(trafford: tuple[Any, Any]) -> None:
    from jsna.analysis.priorities import evidence_trail, load_round

    project, connection = trafford
    data = load_round(connection, project, "2026-illustrative")
    assert data is not None
    assert not data.from_store  # read from the round file: the store does not hold it
    by_id = {c.id: c for c in data.candidates}
    gap = evidence_trail(connection, project, by_id["neighbourhood-health-gap"])
    assert [(link.kind, link.href) for link in gap] == [
        ("indicator", "indicators/bad_health.html"),
        ("finding", ""),
        ("chapter", "chapters/health-inequalities/index.html#ward-gaps"),
    ]
    assert gap[0].label == "Bad or very bad general health (Census 2021)"
    assert re.fullmatch(
        r"Latest for Trafford: \d+\.\d% in 2021; data: census_general_health_lsoa v\d+\.",
        gap[0].detail,
    )
    pressure = evidence_trail(connection, project, by_id["high-blood-pressure"])[0]
    assert pressure.detail.startswith("Published by gp_practice, ")
    assert "latest period 2019/20; data: qof_practice_registers_2019_20 v" in pressure.detail
    carers = evidence_trail(connection, project, by_id["unpaid-carers"])
    assert carers[-1].kind == "view"
    assert carers[-1].href == ""
    assert "made-up quotation" in carers[-1].detail
    made_up = CandidateSpec(
        id="x",
        title="X",
        evidence=(
            EvidenceSpec(kind="request", ref="REQ-000012"),
            EvidenceSpec(kind="link", ref="javascript:alert(1)"),
            EvidenceSpec(kind="chapter", ref="no-such-chapter"),
        ),
    )
    links = evidence_trail(connection, project, made_up)
    assert [(link.href, link.staff_only) for link in links] == [
        ("/requests/12", True),
        ("", False),
        ("", False),
    ]


def test_block_figures(trafford: tuple[Any, Any]) -> None:
    from jsna.content.blocks import PrioritiesBlock
    from jsna.figures.context import FigureContext
    from jsna.figures.priorities import build

    project, connection = trafford
    ctx = FigureContext(project, connection)
    full = build(ctx, PrioritiesBlock(block="priorities", round="2026-illustrative"))
    assert [f.id for f in full] == [
        "priorities-2026-illustrative",
        "priorities-matrix-2026-illustrative",
        "priorities-agreement-2026-illustrative",
    ]
    ranked, chart, agree = full
    assert ranked.title.startswith("Illustrative exercise: ")
    assert ranked.summary == (
        "Illustrative exercise: 8 needs were scored by 4 scorers on 6 criteria (at most 18 "
        "points): 3 high, 4 medium, 1 low priority. Ranked first: The gap in health between "
        "neighbourhoods (16 of 18, high)."
    )
    assert ranked.table.rows[0][:4] == (
        "1",
        "The gap in health between neighbourhoods",
        "16",
        "High",
    )
    assert ranked.table.rows[-1][:4] == ("8", "Tooth decay in young children", "7.5", "Low")
    assert ranked.table.notes[0].startswith("Illustrative exercise")
    assert chart.spec is not None
    assert chart.spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == [
        "High",
        "Medium",
        "Low",
    ]
    assert len(chart.spec["data"]["values"]) == 8
    assert agree.summary.startswith("Illustrative exercise: 1 score was 2 or more points")
    rows = {row[0]: row for row in agree.table.rows}
    assert rows["Undiagnosed high blood pressure"][4] == (
        "Inequality: one scorer gave 0 against a median of 2"
    )
    assert rows["Obesity in children"][4] == "None"
    assert "Scorer" not in " ".join(" ".join(row) for row in agree.table.rows)
    headline = build(
        ctx,
        PrioritiesBlock(block="priorities", round="2026-illustrative", view="headline", limit=3),
    )
    assert len(headline) == 1
    assert [row[1] for row in headline[0].table.rows] == [
        "The gap in health between neighbourhoods",
        "Undiagnosed high blood pressure",
        "Obesity in children",
    ]
    missing = build(ctx, PrioritiesBlock(block="priorities", round="nope"))
    assert missing[0].summary == "There is no priority round called nope yet."
