"""Recommendations tracker pages: list and filters, detail with history and indicator movement,
status updates by editors only (CSRF, validation, audit, history, the dashboards follow)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from jsna.store.schema import audit_log, recommendation_status
from tests.web.conftest import csrf_of, make_app, sign_in
from tests.web.stores import sqlite_store

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
FALLS = "older-falls-pathway"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    project, url = sqlite_store(tmp_path_factory.mktemp("tracker") / "jsna.db")
    return make_app(project, url, anonymous_per_minute=100_000)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def _clear(app: FastAPI) -> None:
    with app.state.jsna.engine.begin() as connection:
        connection.execute(delete(recommendation_status))


def test_the_list_needs_an_account(client: TestClient) -> None:
    response = client.get("/recommendations/", follow_redirects=False)
    assert response.status_code in (401, 303)


def test_the_list_shows_progress_and_filters(app: FastAPI, client: TestClient) -> None:
    _clear(app)
    sign_in(client, "viewer")
    page = client.get("/recommendations/")
    assert page.status_code == 200
    assert (
        'href="/recommendations/">Recommendations</a>' in page.text
        or ">Recommendations<" in page.text
    )
    assert "10 recommendations:" in page.text
    assert "1 not started, 5 in progress, 3 done, 1 dropped." in page.text
    assert "Commission a falls prevention pathway" in page.text
    older = client.get("/recommendations/?chapter=older-people")
    assert older.text.count('class="govuk-link" href="/recommendations/') == 2
    done = client.get("/recommendations/?status=done")
    assert done.text.count('class="govuk-link" href="/recommendations/') == 3
    overdue = client.get("/recommendations/?status=overdue")
    assert f'href="/recommendations/{FALLS}"' in overdue.text
    assert 'href="/recommendations/inequalities-report-sii"' not in overdue.text


def test_the_detail_shows_movement_and_the_files_status(app: FastAPI, client: TestClient) -> None:
    _clear(app)
    sign_in(client, "viewer")
    page = client.get(f"/recommendations/{FALLS}")
    assert page.status_code == 200
    assert "Emergency hospital admissions due to falls" in page.text or "falls" in page.text
    assert "no significant change" in page.text
    assert "recommendations.yml" in page.text
    assert "Update the status" not in page.text  # viewers do not get the form
    assert client.get("/recommendations/no-such-thing").status_code == 404


def test_viewers_and_analysts_cannot_update(app: FastAPI, client: TestClient) -> None:
    for role in ("viewer", "analyst"):
        sign_in(client, role)
        page = client.get(f"/recommendations/{FALLS}")
        response = client.post(
            f"/recommendations/{FALLS}",
            data={"status": "done", "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert response.status_code == 403
    with app.state.jsna.engine.connect() as connection:
        assert connection.execute(select(recommendation_status)).fetchall() == []


def test_a_missing_csrf_token_writes_nothing(app: FastAPI, client: TestClient) -> None:
    _clear(app)
    sign_in(client, "editor")
    response = client.post(f"/recommendations/{FALLS}", data={"status": "done"})
    assert response.status_code == 403
    with app.state.jsna.engine.connect() as connection:
        assert connection.execute(select(recommendation_status)).fetchall() == []


def test_bad_input_is_refused_with_messages(app: FastAPI, client: TestClient) -> None:
    _clear(app)
    sign_in(client, "editor")
    page = client.get(f"/recommendations/{FALLS}")
    response = client.post(
        f"/recommendations/{FALLS}",
        data={"status": "finished", "note": "n" * 501, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 422
    assert "Choose a status from the list." in response.text
    assert "The note must be 500 characters or fewer." in response.text
    assert 'href="#status"' in response.text
    with app.state.jsna.engine.connect() as connection:
        assert connection.execute(select(recommendation_status)).fetchall() == []


def test_an_editor_updates_the_status_with_history_and_audit(
    app: FastAPI, client: TestClient
) -> None:
    _clear(app)
    sign_in(client, "editor")
    for status, note in (("in progress", "Pathway specified"), ("done", HOSTILE)):
        page = client.get(f"/recommendations/{FALLS}")
        response = client.post(
            f"/recommendations/{FALLS}",
            data={"status": status, "note": note, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/recommendations/{FALLS}?saved=1"
    page = client.get(f"/recommendations/{FALLS}?saved=1")
    assert "The status was saved." in page.text
    assert HOSTILE not in page.text
    assert ESCAPED in page.text
    history = page.text[page.text.index('id="history"') :]
    assert history.index("done") < history.index("in progress") < history.index("not started")
    assert "set by editor" in page.text
    with app.state.jsna.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail).where(
                audit_log.c.entity == "recommendation", audit_log.c.entity_id == FALLS
            )
        ).fetchall()
    assert [(r.actor, r.action, json.loads(r.detail)["status"]) for r in rows][-2:] == [
        ("editor", "update", "in progress"),
        ("editor", "update", "done"),
    ]
    # the list now counts it done, and it is no longer overdue
    listing = client.get("/recommendations/")
    assert "1 not started" not in listing.text
    assert "0 not started, 5 in progress, 4 done, 1 dropped." in listing.text
    _clear(app)


def test_updates_work_on_postgresql(postgres_app: FastAPI) -> None:
    try:
        with TestClient(postgres_app) as client:
            sign_in(client, "editor")
            page = client.get(f"/recommendations/{FALLS}")
            response = client.post(
                f"/recommendations/{FALLS}",
                data={"status": "in progress", "note": "PG", "csrf_token": csrf_of(page.text)},
            )
            assert response.status_code == 200
            assert "set by editor: PG" in response.text
    finally:
        with postgres_app.state.jsna.engine.begin() as connection:
            connection.execute(
                delete(recommendation_status).where(recommendation_status.c.note == "PG")
            )
