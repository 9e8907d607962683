"""Community voices in the web app: import a declared survey, and code its responses' themes.

Analysts and editors (the ``analyst`` or ``editor`` role) see every response,
including those whose authors did not agree to be quoted, so these pages are
for signed-in staff only. Writes (import, coding a response, accepting the
keyword suggestions) need the role, the form's CSRF token, and are audited.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from jsna.analysis.voices import VoicesRejectedError, file_checksum, split_codes
from jsna.analysis.voices_store import (
    accept_suggestions,
    code_response,
    import_survey,
    screen_survey,
    stored_surveys,
    survey_responses,
)
from jsna.content.voices import Voices, load_voices
from jsna.errors import InputFileError

from .auth import audit, check_csrf, current_user
from .templating import render
from .users import User

__all__ = ["router"]

router = APIRouter()

MADE_UP = "Illustrative: made-up responses for the example."


def coder(request: Request) -> User:
    """The signed-in user holding the analyst or editor role; 401 or 403 otherwise."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "Sign in to do this.")
    if not (user.can("analyst") or user.can("editor")):
        raise HTTPException(403, "You need the analyst or editor role to do this.")
    return user


Coder = Annotated[User, Depends(coder)]
Token = Annotated[str | None, Form()]


def _changed(state: Any) -> None:
    """Drop the app's caches (figures read the responses) after a write."""
    clear = getattr(state, "clear_caches", None)
    if clear is not None:
        clear()
    else:
        state.cache.clear()


def _problems(count: int) -> str:
    return f"{count} problem{'s' if count != 1 else ''}"


def _voices(request: Request) -> Voices:
    return load_voices(request.app.state.jsna.project.root)


def _survey(voices: Voices, survey_id: str) -> Any:
    survey = voices.surveys.get(survey_id)
    if survey is None:
        raise HTTPException(404, f"No survey {survey_id!r} is declared in voices/.")
    return survey


@router.get("/voices/", include_in_schema=False, response_class=HTMLResponse)
def voices_page(request: Request, user: Coder) -> HTMLResponse:
    """The declared surveys, whether each is imported and current, and how far coded."""
    voices = _voices(request)
    with request.app.state.jsna.engine.connect() as connection:
        stored = stored_surveys(connection)
        frames = survey_responses(connection, list(stored))
    rows = []
    for survey_id, survey in voices.surveys.items():
        mine = frames[frames["survey_id"] == survey_id]
        found = stored.get(survey_id)
        current = found is not None and found["checksum"] == file_checksum(
            voices.data_file(survey_id)
        )
        rows.append(
            {
                "survey": survey,
                "stored": found,
                "current": current,
                "other_file": found is not None and found["file_name"] != survey.file,
                "responses": len(mine),
                "coded": int(mine["themes"].notna().sum()),
            }
        )
    return render(request, "voices.html", surveys=rows, made_up_notice=MADE_UP)


@router.post("/voices/{survey_id}/import", include_in_schema=False, response_model=None)
def import_page(
    request: Request, survey_id: str, user: Coder, csrf_token: Token = None
) -> HTMLResponse | RedirectResponse:
    """Import the survey's declared file (all or nothing); problems are listed, nothing written."""
    check_csrf(request, csrf_token)
    state = request.app.state.jsna
    voices = _voices(request)
    survey = _survey(voices, survey_id)
    try:
        with state.engine.begin() as connection:
            screened = screen_survey(connection, state.project, voices, survey)
            done = import_survey(
                connection, survey, screened, file_name=survey.file, actor=user.username
            )
            if done.status != "unchanged":
                audit(
                    connection,
                    user,
                    "import",
                    "voice_survey",
                    survey_id,
                    rows=done.rows,
                    status=done.status,
                    kept_codes=done.kept_codes,
                )
    except VoicesRejectedError as error:
        return render(
            request,
            "voices.html",
            status_code=422,
            surveys=[],
            made_up_notice=MADE_UP,
            problems=error.problems,
            errors=[
                ("problems", f"{survey.file}: {_problems(len(error.problems))}, nothing imported.")
            ],
        )
    except InputFileError as error:
        raise HTTPException(422, str(error)) from error
    _changed(state)
    return RedirectResponse(f"/voices/{survey_id}/", status_code=303)


@router.get("/voices/{survey_id}/", include_in_schema=False, response_class=HTMLResponse)
def survey_page(request: Request, survey_id: str, user: Coder, show: str = "") -> HTMLResponse:
    """Every response of an imported survey with its themes, and a form to code each."""
    voices = _voices(request)
    survey = _survey(voices, survey_id)
    with request.app.state.jsna.engine.connect() as connection:
        frame = survey_responses(connection, [survey_id])
    if frame.empty:
        raise HTTPException(404, f"Survey {survey_id!r} has not been imported yet.")
    if show == "uncoded":
        frame = frame[frame["themes"].isna()]
    coded = split_codes(frame["themes"].fillna(""))
    suggested = split_codes(frame["suggested"])
    responses = [
        {
            "id": row.response_id,
            "date": row.response_date,
            "text": row.text,
            "consent": bool(row.consent),
            "anonymous": bool(row.anonymous),
            "coded": pd.notna(row.themes),
            "chosen": set(c if pd.notna(row.themes) else s),
            "suggested": set(s),
            "coded_by": row.coded_by,
        }
        for row, c, s in zip(frame.itertuples(), coded, suggested, strict=True)
    ]
    return render(
        request,
        "voices_survey.html",
        survey=survey,
        themes=voices.themes,
        responses=responses,
        show=show,
        made_up_notice=MADE_UP,
    )


@router.post(
    "/voices/{survey_id}/{response_id}/themes", include_in_schema=False, response_model=None
)
def code_page(
    request: Request,
    survey_id: str,
    response_id: str,
    user: Coder,
    csrf_token: Token = None,
    theme: Annotated[list[str] | None, Form()] = None,
) -> RedirectResponse:
    """Save a response's themes (the ticked ones; none ticked: coded as no theme)."""
    check_csrf(request, csrf_token)
    state = request.app.state.jsna
    voices = _voices(request)
    _survey(voices, survey_id)
    try:
        with state.engine.begin() as connection:
            before, after = code_response(
                connection,
                survey_id,
                response_id,
                theme or [],
                voices.themes,
                actor=user.username,
            )
            audit(
                connection,
                user,
                "code_themes",
                "voice_response",
                f"{survey_id}/{response_id}",
                before=before,
                after=after,
            )
    except KeyError as error:
        raise HTTPException(404, f"No response {response_id!r} in {survey_id!r}.") from error
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    _changed(state)
    return RedirectResponse(f"/voices/{survey_id}/#response-{response_id}", status_code=303)


@router.post("/voices/{survey_id}/accept", include_in_schema=False, response_model=None)
def accept_page(
    request: Request, survey_id: str, user: Coder, csrf_token: Token = None
) -> RedirectResponse:
    """Accept the keyword suggestions of every response not coded yet."""
    check_csrf(request, csrf_token)
    state = request.app.state.jsna
    voices = _voices(request)
    _survey(voices, survey_id)
    with state.engine.begin() as connection:
        accepted = accept_suggestions(connection, survey_id, actor=user.username)
        audit(connection, user, "accept_suggestions", "voice_survey", survey_id, responses=accepted)
    _changed(state)
    return RedirectResponse(f"/voices/{survey_id}/", status_code=303)
