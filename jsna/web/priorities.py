"""Priority-setting workshops: rounds, scoring, score sheets, moderation, results.

Who does what:

- anyone reads a **published** round: the ranked list with its evidence trail,
  the size-and-severity matrix chart, the agreement table (scorers not named),
  the CSV and the printable page;
- viewers (every signed-in person) read every round and its history;
- analysts (and editors) score an **open** round, in the form or by uploading
  a score sheet (CSV or .xlsx, checked whole);
- approvers start rounds (from the key findings, open analysis requests and
  the project's round files), moderate a criterion's score with a reason, and
  move a round between open, closed and published.

Every write checks the CSRF token and the role, and is audited; scores are
upserted and versioned (:mod:`jsna.store.priorities`).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection, select

from jsna.analysis.priorities import (
    MAX_SHEET_BYTES,
    RoundData,
    ScoreSheetError,
    agreement,
    candidates_from_findings,
    candidates_from_recommendations,
    candidates_from_requests,
    evidence_trail,
    load_round,
    load_round_files,
    merge_candidates,
    outliers,
    ranking_csv,
    read_score_sheet,
    score_sheet_template,
)
from jsna.compute.findings import key_findings
from jsna.content.blocks import PrioritiesBlock
from jsna.content.priorities import round_files
from jsna.errors import InputFileError
from jsna.figures.context import FigureContext
from jsna.figures.priorities import round_figures
from jsna.figures.svg import to_svg
from jsna.store.areas import areas_within
from jsna.store.priorities import (
    STATUSES,
    RoundInfo,
    ScoreEntry,
    list_rounds,
    read_events,
    record_scores,
    save_round,
    set_moderation,
    set_status,
)
from jsna.store.results import published_results
from jsna.store.schema import analysis_request

from .auth import audit, check_csrf, current_user, require
from .templating import render
from .users import User

__all__ = ["STATUS_WORDS", "router"]

router = APIRouter()

STATUS_WORDS = {
    "open": "Open for scoring",
    "closed": "Closed: moderation",
    "published": "Published",
}
_TAGS = {"open": "govuk-tag--blue", "closed": "govuk-tag--yellow", "published": "govuk-tag--green"}
_BAND_TAGS = {"High": "govuk-tag--red", "Medium": "govuk-tag--yellow", "Low": "govuk-tag--blue"}
_ROUND_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _engine(request: Request) -> Any:
    return request.app.state.jsna.engine


def _project(request: Request) -> Any:
    return request.app.state.jsna.project


def _visible(data: RoundData | None, user: User | None, round_id: str) -> RoundData:
    """The round if this person may see it: published, or they are signed in; else 404."""
    if data is None or (
        data.info.status != "published" and (user is None or not user.can("viewer"))
    ):
        raise HTTPException(404, f"There is no published priority round called {round_id}.")
    return data


def _load(request: Request, round_id: str) -> RoundData:
    if not _ROUND_ID.match(round_id):
        raise HTTPException(404, f"There is no priority round called {round_id}.")
    with _engine(request).connect() as connection:
        data = load_round(connection, _project(request), round_id)
    return _visible(data, current_user(request), round_id)


def _stored(request: Request, round_id: str) -> RoundData:
    """A round held in the store (writes need one), else 404."""
    data = _load(request, round_id)
    if not data.from_store:
        raise HTTPException(
            404,
            f"Round {round_id} is only a project file: an approver loads it into the store "
            "from the priorities page first.",
        )
    return data


# --- Lists and new rounds ------------------------------------------------------------------


def _listed(request: Request) -> list[dict[str, Any]]:
    """Rounds of the store, then the project's round files the store does not hold (those a
    chapter shows); the public sees published ones only."""
    user = current_user(request)
    staff = user is not None and user.can("viewer")
    project = _project(request)
    with _engine(request).connect() as connection:
        rounds = [(r, "store") for r in list_rounds(connection)]
        held = {r.id for r, _ in rounds}
        for path in round_files(project.root):
            if path.stem not in held and _ROUND_ID.match(path.stem):
                data = load_round(connection, project, path.stem)
                if data is not None:
                    rounds.append((data.info, "file"))
    return [
        {
            "id": r.id,
            "title": r.title,
            "status": STATUS_WORDS[r.status],
            "tag": _TAGS[r.status],
            "illustrative": r.illustrative,
            "updated_at": r.updated_at,
            "source": source,
        }
        for r, source in rounds
        if staff or r.status == "published"
    ]


@router.get("/priorities/", include_in_schema=False, response_class=HTMLResponse)
def rounds_page(request: Request, created: str = "", loaded: int = -1) -> HTMLResponse:
    """Every round this person may see; approvers start rounds here."""
    shown = _listed(request)
    return render(
        request,
        "priorities/rounds.html",
        rounds=shown,
        errors=[],
        by_field={},
        values={"round_id": "", "title": ""},
        created=created,
        loaded=loaded,
    )


@dataclass(frozen=True)
class _Recommended:
    """A chapter's recommendation as a candidate need reads it."""

    id: str
    title: str
    chapter_id: str


def _finding_candidates(request: Request, connection: Connection) -> list[Any]:
    project = _project(request)
    config = project.config
    results = published_results(connection)
    within = areas_within(connection, config.area.code, config.area.area_type)
    found = key_findings(results, project.indicators, config, within=within)
    return candidates_from_findings(found.findings, project.indicators)


@router.post("/priorities/", include_in_schema=False, response_model=None)
def new_round(
    request: Request,
    user: Annotated[User, Depends(require("approver"))],
    csrf_token: Annotated[str | None, Form()] = None,
    round_id: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    sources: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Start a round: candidates from key findings, open requests and chapters' recommendations
    not yet done, as ticked."""
    check_csrf(request, csrf_token)
    values = {"round_id": (round_id or "").strip().lower(), "title": (title or "").strip()}
    chosen = set(sources or [])
    errors = []
    if not _ROUND_ID.match(values["round_id"]):
        errors.append(
            {
                "field": "round_id",
                "message": "Enter a round id of lower-case letters, numbers and hyphens, "
                "like 2027-workshop.",
            }
        )
    if not values["title"] or len(values["title"]) > 200:
        errors.append({"field": "title", "message": "Enter a title of up to 200 characters."})
    if not chosen & {"findings", "requests", "recommendations"}:
        errors.append(
            {"field": "sources", "message": "Choose where the candidate needs come from."}
        )
    engine = _engine(request)
    with engine.connect() as connection:
        if not errors and any(r.id == values["round_id"] for r in list_rounds(connection)):
            errors.append({"field": "round_id", "message": "A round with this id already exists."})
        candidates: list[Any] = []
        if not errors:
            if "findings" in chosen:
                candidates += _finding_candidates(request, connection)
            if "requests" in chosen:
                rows = connection.execute(
                    select(analysis_request).where(
                        analysis_request.c.status.in_(["received", "in_progress"])
                    )
                ).all()
                candidates += candidates_from_requests(rows)
            if "recommendations" in chosen:
                candidates += candidates_from_recommendations(
                    _Recommended(r.id, r.text, r.chapter)
                    for r in _project(request).recommendations
                    if r.status not in ("done", "dropped")
                )
            candidates = merge_candidates(candidates)
            if not candidates:
                errors.append(
                    {
                        "field": "sources",
                        "message": "There are no candidate needs in these sources.",
                    }
                )
    if errors:
        shown = _listed(request)
        return render(
            request,
            "priorities/rounds.html",
            status_code=422,
            rounds=shown,
            errors=errors,
            by_field={e["field"]: e["message"] for e in errors},
            values=values,
            created="",
            loaded=-1,
        )
    info = RoundInfo(
        id=values["round_id"],
        title=values["title"],
        description="",
        status="open",
        illustrative=False,
        origin="web",
        matrix=_project(request).config.priorities,
        updated_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
        updated_by=user.username,
    )
    with engine.begin() as connection:
        save_round(connection, info, candidates, actor=user.username, via="web")
        audit(
            connection,
            user,
            "create",
            "priority_round",
            info.id,
            candidates=len(candidates),
            sources=sorted(chosen),
        )
    return RedirectResponse(f"/priorities/{info.id}", status_code=303)


@router.post("/priorities/load", include_in_schema=False, response_model=None)
def load_files(
    request: Request,
    user: Annotated[User, Depends(require("approver"))],
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Load the project's round files (priorities/*.yml) into the store."""
    check_csrf(request, csrf_token)
    with _engine(request).begin() as connection:
        done = load_round_files(connection, _project(request), actor=user.username)
        audit(connection, user, "load", "priority_round", "files", rounds=[d[0] for d in done])
    return RedirectResponse(f"/priorities/?loaded={len(done)}", status_code=303)


# --- One round -------------------------------------------------------------------------------


def _links(request: Request, data: RoundData) -> dict[str, list[dict[str, str]]]:
    user = current_user(request)
    staff = user is not None and user.can("viewer")
    found = {}
    with _engine(request).connect() as connection:
        for candidate in data.candidates:
            items = []
            for link in evidence_trail(connection, _project(request), candidate):
                if link.staff_only and not staff:
                    items.append(
                        {"label": f"Analysis request {link.label}", "href": "", "detail": ""}
                    )
                    continue
                href = link.href
                if href and not href.startswith(("/", "http://", "https://")):
                    href = "/" + href
                items.append(
                    {"label": link.label, "href": href, "detail": link.detail, "kind": link.kind}
                )
            found[candidate.id] = items
    return found


def _figures(request: Request, data: RoundData) -> list[Any]:
    block = PrioritiesBlock(block="priorities", round=data.info.id)
    with _engine(request).connect() as connection:
        ctx = FigureContext(_project(request), connection)
        return round_figures(ctx, data, block)


def _round_context(request: Request, data: RoundData) -> dict[str, Any]:
    ranked = data.ranking()
    matrix = data.info.matrix
    rows = []
    for record in ranked.to_dict("records"):
        rows.append(
            {
                "rank": record["rank"] or "",
                "id": record["candidate_id"],
                "title": record["title"],
                "total": "" if pd.isna(record["total"]) else f"{record['total']:g}",
                "band": record["band_words"],
                "tag": _BAND_TAGS.get(record["band_words"], "govuk-tag--grey"),
                "scores": [
                    "" if pd.isna(record[c.id]) else f"{record[c.id]:g}" for c in matrix.criteria
                ],
                "outliers": record["outliers"],
                "moderated": record["moderated"],
            }
        )
    return {
        "round": data.info,
        "status_words": STATUS_WORDS[data.info.status],
        "tag": _TAGS[data.info.status],
        "matrix": matrix,
        "max_total": f"{matrix.max_total:g}",
        "rows": rows,
        "evidence": _links(request, data),
        "descriptions": {c.id: c.description for c in data.candidates},
        "scorers": int(data.scores["scorer"].nunique()) if not data.scores.empty else 0,
        "from_store": data.from_store,
        "statuses": STATUS_WORDS,
    }


@router.get("/priorities/{round_id}.csv", include_in_schema=False, response_model=None)
def round_csv(request: Request, round_id: str) -> Response:
    """The ranked list as CSV."""
    data = _load(request, round_id)
    text = ranking_csv(data.ranking(), data.info.matrix, illustrative=data.info.illustrative)
    name = f"priorities-{round_id}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/priorities/{round_id}.pdf", include_in_schema=False, response_model=None)
def round_pdf(request: Request, round_id: str) -> Response:
    """The printable page as a PDF (WeasyPrint), the chart inlined."""
    import weasyprint

    data = _load(request, round_id)
    figures = _figures(request, data)
    chart = figures[1] if len(figures) > 1 else None
    source = ""
    if chart is not None and chart.spec is not None:
        svg = to_svg(chart.spec, title=chart.title).encode()
        source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    page = render(
        request,
        "priorities/print.html",
        figures=figures,
        chart_src=source,
        pdf=True,
        **_round_context(request, data),
    )
    # data: URIs only (the chart is inlined): the PDF never fetches anything
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    document = weasyprint.HTML(string=bytes(page.body).decode(), url_fetcher=fetcher)
    return Response(
        document.write_pdf(),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="priorities-{round_id}.pdf"'},
    )


@router.get("/priorities/{round_id}", include_in_schema=False, response_class=HTMLResponse)
def round_page(request: Request, round_id: str, saved: int = -1) -> HTMLResponse:
    """A round: the ranked list with evidence, the matrix chart, agreement; staff actions."""
    data = _load(request, round_id)
    figures = _figures(request, data)
    user = current_user(request)
    flagged: list[dict[str, Any]] = []
    if user is not None and user.can("viewer"):
        names = {c.id: c.name for c in data.info.matrix.criteria}
        titles = {c.id: c.title for c in data.candidates}
        for r in outliers(data.scores, data.info.matrix).to_dict("records"):
            flagged.append(
                {
                    "need": titles.get(r["candidate_id"], r["candidate_id"]),
                    "criterion": names.get(r["criterion"], r["criterion"]),
                    "scorer": r["scorer"],
                    "score": r["score"],
                    "median": f"{r['median']:g}",
                }
            )
    return render(
        request,
        "priorities/round.html",
        figures=figures,
        flagged=flagged,
        saved=saved,
        **_round_context(request, data),
    )


@router.get("/priorities/{round_id}/matrix.svg", include_in_schema=False, response_model=None)
def matrix_svg(request: Request, round_id: str) -> Response:
    """The matrix chart drawn on the server (for the page, print and PDF)."""
    data = _load(request, round_id)
    figure = _figures(request, data)[1]
    if figure.spec is None:
        raise HTTPException(404, "This round has no chart.")
    svg = to_svg(figure.spec, title=figure.title)
    return Response(svg, media_type="image/svg+xml")


@router.get("/priorities/{round_id}/print", include_in_schema=False, response_class=HTMLResponse)
def print_page(request: Request, round_id: str) -> HTMLResponse:
    """The ranked list with its evidence and the chart, laid out for printing (or PDF)."""
    data = _load(request, round_id)
    return render(
        request,
        "priorities/print.html",
        figures=_figures(request, data),
        chart_src=f"/priorities/{round_id}/matrix.svg",
        pdf=False,
        **_round_context(request, data),
    )


@router.get("/priorities/{round_id}/history", include_in_schema=False, response_class=HTMLResponse)
def history_page(
    request: Request, round_id: str, user: Annotated[User, Depends(require("viewer"))]
) -> HTMLResponse:
    """Every version of every score, moderation and status change of a round."""
    data = _stored(request, round_id)
    with _engine(request).connect() as connection:
        events = read_events(connection, round_id)
    events = events.astype(object).where(events.notna(), None)
    return render(
        request,
        "priorities/history.html",
        round=data.info,
        events=events.to_dict("records"),
    )


# --- Scoring ---------------------------------------------------------------------------------


def _score_page(
    request: Request,
    data: RoundData,
    user: User,
    *,
    errors: list[dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    saved: int = -1,
) -> HTMLResponse:
    mine = data.scores[data.scores["scorer"] == user.username]
    current = {
        f"{r['candidate_id']}__{r['criterion']}": str(r["score"]) for r in mine.to_dict("records")
    }
    comments = {r["candidate_id"]: r["comment"] for r in mine.to_dict("records")}
    for candidate in data.candidates:
        current.setdefault(f"{candidate.id}__comment", comments.get(candidate.id, ""))
    errors = errors or []
    return render(
        request,
        "priorities/score.html",
        status_code=status,
        round=data.info,
        matrix=data.info.matrix,
        candidates=data.candidates,
        evidence=_links(request, data),
        values=values if values is not None else current,
        errors=errors,
        by_field={e["field"]: e["message"] for e in errors},
        saved=saved,
        max_kb=MAX_SHEET_BYTES // 1024,
    )


def _open(data: RoundData) -> None:
    if data.info.status != "open":
        raise HTTPException(
            409,
            f"Round {data.info.id} is {STATUS_WORDS[data.info.status].lower()}: scores can no longer change.",
        )


@router.get("/priorities/{round_id}/score", include_in_schema=False, response_class=HTMLResponse)
def score_form(
    request: Request,
    round_id: str,
    user: Annotated[User, Depends(require("analyst"))],
    saved: int = -1,
) -> HTMLResponse:
    """The scorer's form: every need, every criterion, with guidance and evidence."""
    data = _stored(request, round_id)
    return _score_page(request, data, user, saved=saved)


@router.post("/priorities/{round_id}/score", include_in_schema=False, response_model=None)
async def submit_scores(
    request: Request, round_id: str, user: Annotated[User, Depends(require("analyst"))]
) -> Response:
    """Record the signed-in scorer's scores (blank = not scored); audited and versioned."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    data = _stored(request, round_id)
    _open(data)
    values = {key: str(value).strip() for key, value in form.items() if key != "csrf_token"}
    errors = []
    entries = []
    for candidate in data.candidates:
        comment = values.get(f"{candidate.id}__comment", "")[:2000]
        for criterion in data.info.matrix.criteria:
            key = f"{candidate.id}__{criterion.id}"
            text = values.get(key, "")
            if not text:
                continue
            low, high = criterion.scale_min, criterion.scale_max
            if not (text.isdigit() and low <= int(text) <= high):
                errors.append(
                    {
                        "field": key,
                        "message": f"{candidate.title}: {criterion.name}: choose a score "
                        f"from {low} to {high}.",
                    }
                )
                continue
            entries.append(ScoreEntry(candidate.id, criterion.id, int(text), comment))
    if errors:
        return _score_page(request, data, user, errors=errors, values=values, status=422)
    with _engine(request).begin() as connection:
        changed = record_scores(
            connection, round_id, user.username, entries, actor=user.username, via="web"
        )
        if changed:
            audit(connection, user, "score", "priority_round", round_id, changed=changed)
    return RedirectResponse(f"/priorities/{round_id}/score?saved={changed}", status_code=303)


@router.get("/priorities/{round_id}/sheet.csv", include_in_schema=False, response_model=None)
def sheet_template(
    request: Request, round_id: str, user: Annotated[User, Depends(require("analyst"))]
) -> Response:
    """A blank score sheet for the round."""
    data = _stored(request, round_id)
    return Response(
        score_sheet_template(data.candidates, data.info.matrix),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="score-sheet-{round_id}.csv"'},
    )


@router.post("/priorities/{round_id}/sheet", include_in_schema=False, response_model=None)
def upload_sheet(
    request: Request,
    round_id: str,
    user: Annotated[User, Depends(require("analyst"))],
    csrf_token: Annotated[str | None, Form()] = None,
    sheet: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Record the scores of an uploaded score sheet as the signed-in scorer, all or nothing."""
    check_csrf(request, csrf_token)
    data = _stored(request, round_id)
    _open(data)
    errors: list[dict[str, str]] = []
    found: dict[str, list[ScoreEntry]] = {}
    if sheet is None or not sheet.filename:
        errors.append({"field": "sheet", "message": "Choose a score sheet (.csv or .xlsx)."})
    else:
        name = sheet.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
        content = sheet.file.read(MAX_SHEET_BYTES + 1)
        try:
            found = read_score_sheet(
                content,
                name,
                data.info.matrix,
                [c.id for c in data.candidates],
                scorer=user.username,
            )
        except ScoreSheetError as error:
            errors += [{"field": "sheet", "message": str(p)} for p in error.problems[:100]]
        except InputFileError as error:
            errors.append({"field": "sheet", "message": str(error)})
    if errors:
        return _score_page(request, data, user, errors=errors, status=422)
    with _engine(request).begin() as connection:
        changed = sum(
            record_scores(connection, round_id, who, entries, actor=user.username, via="sheet")
            for who, entries in found.items()
        )
        audit(connection, user, "score_sheet", "priority_round", round_id, changed=changed)
    return RedirectResponse(f"/priorities/{round_id}/score?saved={changed}", status_code=303)


# --- Moderation and status -----------------------------------------------------------------


def _moderation_page(
    request: Request,
    data: RoundData,
    *,
    errors: list[dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    matrix = data.info.matrix
    names = {c.id: c.name for c in matrix.criteria}
    titles = {c.id: c.title for c in data.candidates}
    agree = agreement(data.scores, matrix)
    wide = (
        data.scores.pivot_table(
            index=["candidate_id", "criterion"], columns="scorer", values="score", aggfunc="first"
        )
        if not data.scores.empty
        else pd.DataFrame()
    )
    scorers = list(wide.columns)
    mods = {(r["candidate_id"], r["criterion"]): r for r in data.moderations.to_dict("records")}
    rows = []
    for r in agree.to_dict("records"):
        key = (r["candidate_id"], r["criterion"])
        by = wide.loc[key] if key in wide.index else {}
        mod = mods.get(key)
        rows.append(
            {
                "need": titles.get(r["candidate_id"], r["candidate_id"]),
                "criterion": names.get(r["criterion"], r["criterion"]),
                "scores": ["" if pd.isna(by.get(s)) else f"{by.get(s):g}" for s in scorers],
                "median": f"{r['median']:g}",
                "range": f"{r['range']:g}",
                "sd": "" if pd.isna(r["sd"]) else f"{r['sd']:.2f}",
                "outliers": r["outliers"],
                "moderated": ""
                if mod is None
                else f"{mod['score']} by {mod['moderator']}: {mod['reason']}",
            }
        )
    errors = errors or []
    return render(
        request,
        "priorities/moderate.html",
        status_code=status,
        round=data.info,
        status_words=STATUS_WORDS,
        candidates=data.candidates,
        criteria=matrix.criteria,
        scorers=scorers,
        rows=rows,
        outlier_points=f"{matrix.outlier_points:g}",
        values=values or {"candidate": "", "criterion": "", "score": "", "reason": ""},
        errors=errors,
        by_field={e["field"]: e["message"] for e in errors},
    )


@router.get("/priorities/{round_id}/moderate", include_in_schema=False, response_class=HTMLResponse)
def moderation_form(
    request: Request, round_id: str, user: Annotated[User, Depends(require("approver"))]
) -> HTMLResponse:
    """Every need and criterion with each scorer's score, spread and outliers; the override form."""
    return _moderation_page(request, _stored(request, round_id))


@router.post("/priorities/{round_id}/moderate", include_in_schema=False, response_model=None)
def moderate(
    request: Request,
    round_id: str,
    user: Annotated[User, Depends(require("approver"))],
    csrf_token: Annotated[str | None, Form()] = None,
    candidate: Annotated[str | None, Form()] = None,
    criterion: Annotated[str | None, Form()] = None,
    score: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form()] = None,
) -> Response:
    """Set (or, with "median", withdraw) a moderated score; the reason is required."""
    check_csrf(request, csrf_token)
    data = _stored(request, round_id)
    if data.info.status == "published":
        raise HTTPException(409, f"Round {round_id} is published: reopen or close it to moderate.")
    values = {
        "candidate": (candidate or "").strip(),
        "criterion": (criterion or "").strip(),
        "score": (score or "").strip(),
        "reason": (reason or "").strip()[:2000],
    }
    errors = []
    if values["candidate"] not in {c.id for c in data.candidates}:
        errors.append({"field": "candidate", "message": "Choose a need from the list."})
    scales = {c.id: (c.scale_min, c.scale_max) for c in data.info.matrix.criteria}
    if values["criterion"] not in scales:
        errors.append({"field": "criterion", "message": "Choose a criterion from the list."})
    chosen: int | None = None
    if values["score"] != "median":
        low, high = scales.get(values["criterion"], (0, 3))
        if values["score"].isdigit() and low <= int(values["score"]) <= high:
            chosen = int(values["score"])
        else:
            errors.append(
                {
                    "field": "score",
                    "message": f"Choose a score from {low} to {high}, or the median.",
                }
            )
    if not values["reason"]:
        errors.append({"field": "reason", "message": "Say why the score is moderated."})
    if errors:
        return _moderation_page(request, data, errors=errors, values=values, status=422)
    with _engine(request).begin() as connection:
        version = set_moderation(
            connection,
            round_id,
            values["candidate"],
            values["criterion"],
            chosen,
            values["reason"],
            moderator=user.username,
        )
        audit(
            connection,
            user,
            "moderate",
            "priority_round",
            round_id,
            candidate=values["candidate"],
            criterion=values["criterion"],
            score=chosen,
            reason=values["reason"],
            version=version,
        )
    return RedirectResponse(f"/priorities/{round_id}/moderate", status_code=303)


@router.post("/priorities/{round_id}/status", include_in_schema=False, response_model=None)
def change_status(
    request: Request,
    round_id: str,
    user: Annotated[User, Depends(require("approver"))],
    csrf_token: Annotated[str | None, Form()] = None,
    status: Annotated[str | None, Form()] = None,
) -> Response:
    """Open, close (for moderation) or publish a round."""
    check_csrf(request, csrf_token)
    data = _stored(request, round_id)
    if status not in STATUSES:
        raise HTTPException(422, "Choose open, closed or published.")
    with _engine(request).begin() as connection:
        set_status(connection, round_id, status, actor=user.username, via="web")
        audit(
            connection,
            user,
            "status",
            "priority_round",
            round_id,
            before=data.info.status,
            after=status,
        )
    # published figures (chapter dashboards) change with the status
    state = request.app.state.jsna
    clear = getattr(state, "clear_caches", None)
    if clear is not None:
        clear()
    else:
        state.cache.clear()
    return RedirectResponse(f"/priorities/{round_id}?saved=1", status_code=303)
