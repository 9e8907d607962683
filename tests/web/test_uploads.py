"""Data upload through the browser: the same checks and all-or-nothing import as ``jsna ingest``.

The app runs on its own copy of the example project and of the store (uploads write).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jsna.content.mirror import resolve_path
from jsna.store.schema import audit_log, dataset_version, observation
from jsna.web import uploads
from tests.render.site import copy_example
from tests.web.conftest import csrf_of, make_app, sign_in
from tests.web.stores import sqlite_store

SOURCE = "census_general_health_ward"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("uploads")
    _, url = sqlite_store(folder / "jsna.db")
    project = copy_example(folder / "project")
    return make_app(project, url, anonymous_per_minute=100_000)


@pytest.fixture
def analyst(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        sign_in(client, "analyst")
        yield client


def _original(app: FastAPI) -> bytes:
    state = app.state.jsna
    declared = state.project.sources[SOURCE]
    return resolve_path(state.project.root, declared.file).read_bytes()


def _counts(app: FastAPI) -> tuple[int, int, int]:
    with app.state.jsna.engine.connect() as connection:
        versions = connection.execute(select(func.count()).select_from(dataset_version)).scalar()
        rows = connection.execute(select(func.count()).select_from(observation)).scalar()
        audits = connection.execute(select(func.count()).select_from(audit_log)).scalar()
    return int(versions or 0), int(rows or 0), int(audits or 0)


def _upload(client: TestClient, content: bytes, name: str = "health.csv", token: str | None = ""):
    page = client.get("/upload/")
    data = {"csrf_token": csrf_of(page.text) if token == "" else token}
    if token is None:
        data = {}
    return client.post(f"/upload/{SOURCE}", data=data, files={"file": (name, content, "text/csv")})


def test_page_lists_sources_with_versions(app: FastAPI, analyst: TestClient) -> None:
    page = analyst.get("/upload/")
    assert page.status_code == 200
    for source_id in app.state.jsna.project.sources:
        assert f'action="/upload/{source_id}"' in page.text
        assert f'for="file-{source_id}"' in page.text
    assert page.text.count("<h1") == 1


def test_identical_file_is_unchanged_and_changed_file_a_new_version(
    app: FastAPI, analyst: TestClient
) -> None:
    original = _original(app)
    before = _counts(app)
    same = _upload(analyst, original)
    assert same.status_code == 200, same.text[:2000]
    assert "unchanged" in same.text
    assert _counts(app) == before

    changed = original.replace(b",Count,Persons,7484", b",Count,Persons,7485", 1)
    assert changed != original
    app.state.jsna.cache["marker"] = 1
    response = _upload(analyst, changed)
    assert response.status_code == 200, response.text[:2000]
    after = _counts(app)
    assert after[0] == before[0] + 1
    assert after[2] > before[2]
    assert "marker" not in app.state.jsna.cache
    with app.state.jsna.engine.connect() as connection:
        newest = connection.execute(
            select(dataset_version)
            .where(dataset_version.c.source_id == SOURCE)
            .order_by(dataset_version.c.id.desc())
        ).first()
    assert newest is not None
    assert newest.is_current
    assert f"version {newest.id} imported" in response.text
    assert newest.checksum in response.text
    assert f"{newest.row_count} rows" in response.text

    # The compute after an upload recomputes what uses the source.
    page = analyst.get("/upload/")
    computed = analyst.post("/upload/compute", data={"csrf_token": csrf_of(page.text)})
    assert computed.status_code == 200, computed.text[:2000]
    found = re.search(r"Recomputed: (\d+) indicator", computed.text)
    assert found
    assert int(found.group(1)) >= 1
    assert "census_general_health" in computed.text
    again = analyst.post("/upload/compute", data={"csrf_token": csrf_of(page.text)})
    assert "Recomputed: 0 indicators" in again.text


def _broken(original: bytes) -> bytes:
    lines = original.decode().splitlines()
    lines[1] = lines[1].replace("E05000819", "E99999999", 1)
    lines[2] = lines[2].rsplit(",", 1)[0] + ",-5"
    lines[3] = lines[3].rsplit(",", 1)[0] + ",<script>alert(1)</script>"
    return ("\n".join(lines) + "\n").encode()


def test_broken_file_is_refused_naming_row_and_column(app: FastAPI, analyst: TestClient) -> None:
    before = _counts(app)
    response = _upload(analyst, _broken(_original(app)))
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert "nothing imported" in response.text
    table = response.text.split('id="problems"', 1)[1]
    assert "E99999999" in table
    assert "-5" in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "<script>alert(1)" not in response.text
    assert "Row 3, column value" in response.text
    assert re.search(r"<td[^>]*>3</td>\s*<td[^>]*>value</td>", table)
    assert _counts(app) == before

    header = _original(app).replace(b",value\n", b",valu\n", 1)
    response = _upload(analyst, header)
    assert response.status_code == 422
    assert "missing column" in response.text
    assert re.search(r"<td[^>]*>value</td>\s*<td[^>]*>missing column</td>", response.text)
    assert _counts(app) == before


def test_file_over_the_size_limit_is_refused(
    app: FastAPI, analyst: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(app)
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    changed = _original(app).replace(b",Count,Persons,7484", b",Count,Persons,7486", 1)
    response = _upload(analyst, changed)
    assert response.status_code == 413
    assert "larger than" in response.text
    assert _counts(app) == before


def test_wrong_extension_and_empty_file(app: FastAPI, analyst: TestClient) -> None:
    before = _counts(app)
    response = _upload(analyst, _original(app), name="health.xlsx")
    assert response.status_code == 422
    assert "must be a .csv file" in response.text
    assert 'href="#file-census_general_health_ward"' in response.text
    response = _upload(analyst, b"", name="health.csv")
    assert response.status_code == 422
    assert "empty" in response.text
    assert _counts(app) == before


def test_roles_and_csrf(app: FastAPI) -> None:
    before = _counts(app)
    with TestClient(app) as anonymous:
        assert anonymous.get("/upload/", follow_redirects=False).status_code == 303
        response = anonymous.post(
            f"/upload/{SOURCE}", files={"file": ("a.csv", b"x")}, follow_redirects=False
        )
        assert response.status_code == 303
        assert "/account/sign-in" in response.headers["location"]
    for role in ("viewer", "editor"):
        with TestClient(app) as client:
            sign_in(client, role)
            assert client.get("/upload/").status_code == 403
            page = client.get("/account/sign-in")
            response = client.post(
                f"/upload/{SOURCE}",
                data={"csrf_token": csrf_of(page.text)},
                files={"file": ("a.csv", _original(app))},
            )
            assert response.status_code == 403
            assert client.post("/upload/compute", data={}).status_code == 403
    with TestClient(app) as client:
        sign_in(client, "analyst")
        changed = _original(app).replace(b",Count,Persons,3897", b",Count,Persons,3898", 1)
        assert _upload(client, changed, token=None).status_code == 403
        assert _upload(client, changed, token="forged").status_code == 403
        assert client.post("/upload/compute", data={"csrf_token": "x"}).status_code == 403
    assert _counts(app) == before


def test_unknown_source_is_404(analyst: TestClient) -> None:
    page = analyst.get("/upload/")
    response = analyst.post(
        "/upload/nope",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("a.csv", b"a,b\n1,2\n")},
    )
    assert response.status_code == 404
