"""Community voices in the web app: roles, CSRF, audit, import all or nothing, coding, escaping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from jsna.store.schema import audit_log, voice_response, voice_survey
from tests.render.site import copy_example

from .conftest import csrf_of, make_app, sign_in

XSS = "<script>alert('x')</script>"
HEADER = "response_id,survey_id,date,free_text,consent_to_publish,anonymity,themes,sex"


def _survey(folder: Path, *rows: str) -> None:
    (folder / "w.csv").write_text("\n".join([HEADER, *rows]) + "\n")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The app on a copy of the example whose voices/ holds a small made-up survey, and an
    empty store."""
    root = copy_example(tmp_path_factory.mktemp("voices-web") / "project")
    folder = root / "voices"
    for path in folder.glob("illustrative*"):
        path.unlink()  # the example's theme list stays (its chapters use it)
    (folder / "w.yml").write_text(
        "id: w\ntitle: Web survey (made-up)\nmethod: survey\nstart: 2025-01-01\n"
        "end: 2025-01-31\nparticipants: 3\nmade_up: true\nfile: w.csv\n"
    )
    _survey(
        folder,
        "A,w,2025-01-02,I like food,yes,anonymous,,female",
        f'B,w,2025-01-03,"{XSS} my gp",no,anonymous,,male',
        "C,w,2025-01-04,Nothing to say,yes,named,gp-access,",
    )
    return make_app(root, f"sqlite:///{root / 'voices.db'}")


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def _count(app: FastAPI, table: object) -> int:
    with app.state.jsna.engine.connect() as connection:
        return len(connection.execute(select(table)).all())  # type: ignore[call-overload]


def _import(web: TestClient) -> None:
    page = web.get("/voices/")
    done = web.post(
        "/voices/w/import", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert done.status_code == 303, done.text[:400]


def test_only_analysts_and_editors_see_the_responses(app: FastAPI, web: TestClient) -> None:
    assert web.get("/voices/", follow_redirects=False).status_code in (303, 401)
    token = csrf_of(web.get("/account/sign-in").text)
    for path in ("/voices/w/import", "/voices/w/A/themes", "/voices/w/accept"):
        answer = web.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 303, path  # to the sign-in form
        assert answer.headers["location"].startswith("/account/sign-in"), path
    assert _count(app, voice_survey) == 0
    sign_in(web, "viewer")
    assert web.get("/voices/").status_code == 403
    assert web.post("/voices/w/import", data={}).status_code == 403


def test_import_needs_csrf_then_writes_and_audits(app: FastAPI, web: TestClient) -> None:
    sign_in(web, "analyst")
    page = web.get("/voices/")
    assert page.status_code == 200
    assert "Not imported" in page.text
    assert '<a class="govuk-service-navigation__link" href="/voices/"' in page.text or (
        'href="/voices/"' in page.text
    )
    assert "Illustrative: made-up responses for the example." in page.text
    refused = web.post("/voices/w/import", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    assert _count(app, voice_response) == 0
    _import(web)
    assert _count(app, voice_response) == 3
    with app.state.jsna.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.entity_id).where(
                audit_log.c.entity == "voice_survey"
            )
        ).all()
    assert ("analyst", "import", "w") in [tuple(r) for r in rows]
    assert "Up to date" in web.get("/voices/").text


def test_markup_in_a_response_is_shown_as_text(app: FastAPI, web: TestClient) -> None:
    sign_in(web, "analyst")
    _import(web)
    page = web.get("/voices/w/")
    assert page.status_code == 200
    assert XSS not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; my gp" in page.text
    assert "Illustrative: made-up responses for the example." in page.text
    assert "Not to be quoted" in page.text


def test_coding_a_response_is_checked_and_audited(app: FastAPI, web: TestClient) -> None:
    sign_in(web, "editor")
    _import(web)
    token = csrf_of(web.get("/voices/w/").text)
    no_token = web.post("/voices/w/A/themes", data={"theme": ["gp-access"]})
    assert no_token.status_code == 403
    saved = web.post(
        "/voices/w/A/themes",
        data={"csrf_token": token, "theme": ["gp-access", "healthy-food"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/voices/w/#response-A"
    bad = web.post("/voices/w/A/themes", data={"csrf_token": token, "theme": ["nope"]})
    assert bad.status_code == 422
    missing = web.post("/voices/w/Z/themes", data={"csrf_token": token, "theme": ["gp-access"]})
    assert missing.status_code == 404
    with app.state.jsna.engine.connect() as connection:
        themes = dict(
            connection.execute(select(voice_response.c.response_id, voice_response.c.themes)).all()
        )
        detail = connection.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "code_themes")
        ).scalar_one()
    assert themes["A"] == "gp-access;healthy-food"
    assert '"before": null' in detail
    assert '"after": "gp-access;healthy-food"' in detail
    # accept the suggestions of the rest: B (suggested gp) is coded, C keeps its file codes
    accepted = web.post("/voices/w/accept", data={"csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 303
    with app.state.jsna.engine.connect() as connection:
        themes = dict(
            connection.execute(select(voice_response.c.response_id, voice_response.c.themes)).all()
        )
    assert themes == {"A": "gp-access;healthy-food", "B": "gp-access", "C": "gp-access"}
    assert "Show only responses not yet coded" in web.get("/voices/w/").text


def test_a_file_with_personal_data_is_refused_whole(app: FastAPI, web: TestClient) -> None:
    sign_in(web, "analyst")
    _import(web)
    folder = app.state.jsna.project.root / "voices"
    original = (folder / "w.csv").read_text()
    try:
        _survey(
            folder,
            "A,w,2025-01-02,Changed text,yes,anonymous,,female",
            "D,w,2025-01-05,mail me at jo@example.org,yes,anonymous,,female",
        )
        page = web.get("/voices/")
        assert "The file has changed since it was imported" in page.text
        refused = web.post("/voices/w/import", data={"csrf_token": csrf_of(page.text)})
        assert refused.status_code == 422
        assert "free_text" in refused.text
        assert "personal data: looks like an e-mail address" in refused.text
        assert "jo@example.org" not in refused.text
    finally:
        (folder / "w.csv").write_text(original)
    with app.state.jsna.engine.connect() as connection:
        ids = connection.execute(select(voice_response.c.response_id)).scalars().all()
        assert sorted(ids) == ["A", "B", "C"]
        assert connection.execute(select(voice_survey.c.row_count)).scalar_one() == 3
