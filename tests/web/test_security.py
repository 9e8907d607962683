"""Security sweeps over the whole app: headers on every kind of response, and every POST
route (whatever routers exist when this runs) refusing a request without a CSRF token or
without a signed-in user: no 2xx answer and nothing written to the store or the project.

The public API's POST routes (``/api/...``) are read-only and carry no session: for them
the sweep asserts only that nothing is written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from jsna.store.schema import metadata
from jsna.web.app import SECURITY_HEADERS
from jsna.web.users import find_user
from tests.render.site import copy_example
from tests.web.conftest import csrf_of, make_app, sign_in
from tests.web.stores import sqlite_store

SMALL = 20_000
"""Tables with fewer rows than this are compared row by row; larger ones by count."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("security")
    _, url = sqlite_store(folder / "jsna.db")
    project = copy_example(folder / "project")
    return make_app(project, url, anonymous_per_minute=100_000)


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("198.51.100.9", 40000)) as client:
        yield client


def _snapshot(app: FastAPI) -> dict[str, Any]:
    """Every table (rows of small ones, counts of large ones) and every project file."""
    engine: Engine = app.state.jsna.engine
    seen: dict[str, Any] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            total = connection.execute(select(func.count()).select_from(table)).scalar_one()
            if total < SMALL:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = connection.execute(select(table).order_by(*order)).all()
                seen[table.name] = [tuple(map(repr, row)) for row in rows]
            else:
                seen[table.name] = total
    root: Path = app.state.jsna.project.root
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".jsna" not in path.parts:
            seen[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


def _values(app: FastAPI) -> dict[str, str]:
    """Real values for path parameters, so each route gets as far as its checks."""
    project = app.state.jsna.project
    with app.state.jsna.engine.connect() as connection:
        viewer = find_user(connection, "viewer")
    assert viewer is not None
    return {
        "chapter_id": project.chapters[0].id,
        "source_id": next(iter(project.sources)),
        "indicator_id": next(iter(project.indicators)),
        "user_id": str(viewer.id),
    }


def _routes(app: FastAPI) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route of the app, included routers' prefixes applied."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path and route.methods:
            yield route.path, set(route.methods)


def post_routes(app: FastAPI) -> list[str]:
    """The path of every POST route of the app, parameters filled in."""
    values = _values(app)
    return [
        re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "1"), path)
        for path, methods in _routes(app)
        if "POST" in methods
    ]


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def test_the_sweep_finds_the_routes(app: FastAPI) -> None:
    paths = post_routes(app)
    for expected in (
        "/account/sign-in",
        "/account/sign-out",
        "/account/password",
        "/account/users",
    ):
        assert expected in paths
    assert not any("{" in path for path in paths)


def _refused(response: Any) -> bool:
    return not 200 <= response.status_code < 300


def test_anonymous_posts_without_token_are_refused(app: FastAPI, web: TestClient) -> None:
    web.get("/account/sign-in")  # a session with a token exists, but none is sent
    for path in post_routes(app):
        before = _snapshot(app)
        response = web.post(
            path, data={"username": "admin", "password": "x"}, follow_redirects=False
        )
        if not _is_api(path):
            assert _refused(response), f"POST {path} answered {response.status_code}"
        assert _snapshot(app) == before, f"POST {path} wrote something"


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_signed_in_posts_without_the_right_token_are_refused(
    app: FastAPI, web: TestClient, token: str | None
) -> None:
    sign_in(web, "admin")  # admin may do everything: only the missing token stops it
    data: dict[str, str] = {"roles": "admin", "active": "yes", "body": "changed"}
    if token is not None:
        data["csrf_token"] = token
    for path in post_routes(app):
        before = _snapshot(app)
        response = web.post(path, data=data, follow_redirects=False)
        if not _is_api(path):
            assert _refused(response), f"POST {path} answered {response.status_code}"
            assert response.status_code in (403, 422), f"POST {path}: {response.status_code}"
        assert _snapshot(app) == before, f"POST {path} wrote something"
    assert web.get("/account").status_code == 200  # still signed in: nothing was ended


def test_anonymous_posts_with_a_token_write_nothing(app: FastAPI, web: TestClient) -> None:
    token = csrf_of(web.get("/account/sign-in").text)
    for path in post_routes(app):
        before = _snapshot(app)
        response = web.post(path, data={"csrf_token": token}, follow_redirects=False)
        if not _is_api(path):
            assert _refused(response), f"POST {path} answered {response.status_code}"
        assert _snapshot(app) == before, f"POST {path} wrote something"


@pytest.mark.parametrize(
    "path",
    [
        "/account/sign-in",
        "/account/users",
        "/no-such-page",
        "/api/v1/indicators",
        "/api/v1/indicators/no-such-indicator",
        "/api/v1/openapi.json",
    ],
)
def test_security_headers_everywhere(web: TestClient, path: str) -> None:
    response = web.get(path, follow_redirects=False)
    for name, value in SECURITY_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), (path, name)


def test_security_headers_on_posts_and_when_signed_in(web: TestClient) -> None:
    refused = web.post("/account/sign-in", data={}, follow_redirects=False)
    assert refused.status_code == 403
    sign_in(web, "admin")
    page = web.get("/account/users")
    for response in (refused, page):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
