"""Requests for bespoke analysis: public form, rate limit, staff pages, answer file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jsna.store.schema import analysis_request, audit_log
from tests.web.conftest import csrf_of, make_app, sign_in
from tests.web.stores import sqlite_store

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    project, url = sqlite_store(tmp_path_factory.mktemp("analysis") / "jsna.db")
    return make_app(project, url, anonymous_per_minute=100_000)


def _client(app: FastAPI, host: str) -> TestClient:
    return TestClient(app, client=(host, 50000))


def _valid(**changes: str) -> dict[str, str]:
    values = {
        "requester": "Ann Example",
        "email": "ann@example.org",
        "question": "How many carers are there in each ward?",
        "population": "Unpaid carers aged 65 and over",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }
    values.update(changes)
    return values


def _send(client: TestClient, **changes: str):
    page = client.get("/requests/new")
    assert page.status_code == 200
    return client.post(
        "/requests/new", data={**_valid(**changes), "csrf_token": csrf_of(page.text)}
    )


def _count(app: FastAPI, table=analysis_request) -> int:
    with app.state.jsna.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar() or 0)


def _reference(html: str) -> int:
    found = re.search(r"REQ-(\d{6})", html)
    assert found, html[:2000]
    return int(found.group(1))


@pytest.fixture
def staff(app: FastAPI) -> Iterator[TestClient]:
    with _client(app, "10.0.0.200") as client:
        sign_in(client, "analyst")
        yield client


def test_public_submission_gives_a_reference(app: FastAPI) -> None:
    before = _count(app)
    with _client(app, "10.0.0.1") as client:
        response = _send(client, population=HOSTILE)
        assert response.status_code == 200, response.text[:2000]
    request_id = _reference(response.text)
    assert f"REQ-{request_id:06d}" in response.text
    assert _count(app) == before + 1
    with app.state.jsna.engine.connect() as connection:
        row = connection.execute(
            select(analysis_request).where(analysis_request.c.id == request_id)
        ).one()
    assert row.status == "received"
    assert row.population == HOSTILE
    assert row.created_by is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("requester", "", "Enter your name"),
        ("email", "", "Enter your email address"),
        ("email", "not-an-address", "Enter an email address like"),
        ("question", "   ", "Enter the question"),
        ("population", "", "Enter the population concerned"),
        ("deadline", "31/02/2027", "Deadline must be a real date"),
        ("deadline", (date.today() - timedelta(days=1)).isoformat(), "must not be in the past"),
        ("requester", "x" * 201, "200 characters or fewer"),
    ],
)
def test_each_field_is_validated(app: FastAPI, field: str, value: str, message: str) -> None:
    before = _count(app)
    with _client(app, "10.0.0.2") as client:
        response = _send(client, **{field: value})
    assert response.status_code == 422
    assert message in response.text
    assert f'href="#{field}"' in response.text
    assert f'id="{field}-error"' in response.text
    assert _count(app) == before


def test_optional_deadline_and_csrf(app: FastAPI) -> None:
    with _client(app, "10.0.0.3") as client:
        assert _send(client, deadline="").status_code == 200
        before = _count(app)
        client.get("/requests/new")
        response = client.post("/requests/new", data=_valid())
        assert response.status_code == 403
        response = client.post("/requests/new", data={**_valid(), "csrf_token": "forged"})
        assert response.status_code == 403
    assert _count(app) == before


def test_rate_limit_after_five_an_hour(app: FastAPI) -> None:
    with _client(app, "10.0.0.4") as client:
        for _ in range(5):
            assert _send(client).status_code == 200
        before = _count(app)
        refused = _send(client)
        assert refused.status_code == 429
        assert "5 requests in the last hour" in refused.text
        assert _count(app) == before
    with _client(app, "10.0.0.5") as other:
        assert _send(other).status_code == 200


def test_staff_list_detail_answer_and_download(app: FastAPI, staff: TestClient) -> None:
    with _client(app, "10.0.0.6") as client:
        request_id = _reference(_send(client, question=HOSTILE, requester=HOSTILE).text)
    listing = staff.get("/requests/")
    assert listing.status_code == 200
    assert f"REQ-{request_id:06d}" in listing.text
    assert "Received" in listing.text
    assert ESCAPED in listing.text
    assert "<script>alert" not in listing.text
    detail = staff.get(f"/requests/{request_id}")
    assert detail.status_code == 200
    assert ESCAPED in detail.text
    assert "<script>alert" not in detail.text
    assert "onerror=alert(1)>" not in detail.text

    audits = _count(app, audit_log)
    content = b"ward,carers\nE05000819,123\n"
    response = staff.post(
        f"/requests/{request_id}",
        data={
            "csrf_token": csrf_of(detail.text),
            "status": "answered",
            "assigned_to": "analyst",
            "answer": "See the attached table. " + HOSTILE,
        },
        files={"answer_file": ('../../etc/"carers"\r\nX: y.csv', content, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:2000]
    assert _count(app, audit_log) == audits + 1
    page = staff.get(response.headers["location"])
    assert "The request was saved" in page.text
    assert "Answered" in page.text
    assert "<script>alert" not in page.text
    download = staff.get(f"/requests/{request_id}/answer")
    assert download.status_code == 200
    assert download.content == content
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition.split("filename=", 1)[1].split(";")[0]
    assert "\r" not in disposition
    assert '"carers"' not in disposition

    answered = staff.get("/requests/?status=answered")
    assert f"REQ-{request_id:06d}" in answered.text
    received = staff.get("/requests/?status=received")
    assert f"REQ-{request_id:06d}" not in received.text


def test_staff_update_is_validated(app: FastAPI, staff: TestClient) -> None:
    with _client(app, "10.0.0.7") as client:
        request_id = _reference(_send(client).text)
    detail = staff.get(f"/requests/{request_id}")
    token = csrf_of(detail.text)
    for data, field in (
        ({"status": "lost"}, "status"),
        ({"status": "in_progress", "assigned_to": "viewer"}, "assigned_to"),
    ):
        response = staff.post(f"/requests/{request_id}", data={"csrf_token": token, **data})
        assert response.status_code == 422
        assert f'href="#{field}"' in response.text
    with app.state.jsna.engine.connect() as connection:
        status = connection.execute(
            select(analysis_request.c.status).where(analysis_request.c.id == request_id)
        ).scalar_one()
    assert status == "received"
    assert staff.get(f"/requests/{request_id}/answer").status_code == 404
    assert staff.get("/requests/999999").status_code == 404


def test_roles(app: FastAPI) -> None:
    with _client(app, "10.0.0.8") as client:
        request_id = _reference(_send(client).text)
        for path in ("/requests/", f"/requests/{request_id}", f"/requests/{request_id}/answer"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303
            assert "/account/sign-in" in response.headers["location"]
    for role in ("viewer", "editor"):
        with _client(app, "10.0.0.9") as client:
            sign_in(client, role)
            page = client.get(f"/requests/{request_id}")
            assert page.status_code == 200
            assert 'action="/requests/' not in page.text
            response = client.post(
                f"/requests/{request_id}",
                data={"csrf_token": csrf_of(page.text), "status": "declined"},
            )
            assert response.status_code == 403
    with _client(app, "10.0.0.10") as client:
        sign_in(client, "analyst")
        response = client.post(f"/requests/{request_id}", data={"status": "declined"})
        assert response.status_code == 403
    with app.state.jsna.engine.connect() as connection:
        status = connection.execute(
            select(analysis_request.c.status).where(analysis_request.c.id == request_id)
        ).scalar_one()
    assert status == "received"
