"""Web app fixtures: the Trafford store (SQLite copy; PostgreSQL where asked), the app,
a test client, and one user per role.

``client`` is a Starlette TestClient on SQLite with no static site; ``site_client``
also serves the built Trafford site at ``/`` (for pages that use its assets).
Every user's password is :data:`PASSWORD`; :func:`sign_in` signs a client in
through the real form (CSRF token included).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jsna.content.project_files import load_project
from jsna.store import open_store
from jsna.web.app import create_app
from jsna.web.settings import WebSettings
from jsna.web.users import ROLES, create_user
from tests.render.site import _locked, run_folder

from .stores import postgres_store, sqlite_store

PASSWORD = "correct horse battery staple"
"""Every test user's password."""


def make_app(
    project: Path, url: str, *, site: Path | None = None, users: bool = True, **settings: object
) -> FastAPI:
    """The app on the store at ``url``, with every test user (one per role) added if ``users``."""
    engine = open_store(project, url)
    if users:
        add_users(engine)
    options = {
        "site": site,
        "secret": "test-secret-key-not-for-use",
        "freshness_seconds": 0.0,
        **settings,
    }
    return create_app(load_project(project), engine, WebSettings(**options))  # type: ignore[arg-type]


def add_users(engine: Engine) -> None:
    """One user per role, each named after the role, with :data:`PASSWORD`."""
    with engine.begin() as connection:
        for role in ROLES:
            create_user(connection, role, PASSWORD, display_name=f"Test {role}", roles=[role])


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The app on a private SQLite copy of the Trafford store (one per test process)."""
    project, url = sqlite_store(tmp_path_factory.mktemp("web") / "jsna.db")
    return make_app(project, url, anonymous_per_minute=100_000)


@pytest.fixture(scope="session")
def postgres_app() -> FastAPI:
    """The app on the run's PostgreSQL copy of the Trafford store (users added once a run, by
    whichever test process comes first)."""
    project, url = postgres_store()
    with _locked(run_folder(), "postgres-users") as folder:
        done = folder / "postgres-users.done"
        if not done.is_file():
            engine = open_store(project, url)
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql("DELETE FROM app_user")
                add_users(engine)
            finally:
                engine.dispose()
            done.touch()
    return make_app(project, url, users=False, anonymous_per_minute=100_000)


_APPS = {"sqlite": "sqlite_app", "postgresql": "postgres_app"}


@pytest.fixture(params=list(_APPS))
def any_app(request: pytest.FixtureRequest) -> FastAPI:
    """The app on each backend."""
    app: FastAPI = request.getfixturevalue(_APPS[request.param])
    return app


@pytest.fixture
def client(sqlite_app: FastAPI) -> Iterator[TestClient]:
    """A fresh client (no cookies) on the SQLite app."""
    with TestClient(sqlite_app) as test_client:
        yield test_client


@pytest.fixture
def any_client(any_app: FastAPI) -> Iterator[TestClient]:
    """A fresh client on each backend's app."""
    with TestClient(any_app) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    """The CSRF token in a page (its meta tag)."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "no csrf-token meta tag on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign ``client`` in through the sign-in form; fails the test if that fails."""
    page = client.get("/account/sign-in")
    response = client.post(
        "/account/sign-in",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
