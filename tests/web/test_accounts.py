"""Accounts: signing in and out through the real forms, throttling, CSRF, cookies,
passwords, user administration, audit and escaping.

The app runs on its own SQLite copy of the Trafford store (the tests add users and
sign-in attempts); each client gets its own address so throttling counts stay apart.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jsna.store.schema import app_user, audit_log, login_attempt
from jsna.web.accounts import GENERIC_FAILURE, ROLE_WORDS, safe_next
from jsna.web.users import ROLES, create_user, find_user
from tests.web.conftest import PASSWORD, csrf_of, make_app, sign_in
from tests.web.stores import sqlite_store

_ADDRESSES = itertools.count(1)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    project, url = sqlite_store(tmp_path_factory.mktemp("accounts") / "jsna.db")
    return make_app(project, url, anonymous_per_minute=100_000)


def new_client(app: FastAPI, address: str | None = None) -> TestClient:
    """A client without cookies, from its own address."""
    n = next(_ADDRESSES)
    return TestClient(app, client=(address or f"10.1.{n // 250}.{n % 250}", 40000))


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with new_client(app) as client:
        yield client


def fresh_user(app: FastAPI, *roles: str, display_name: str = "") -> str:
    """A new user (unique name) holding ``roles``; returns the username."""
    name = f"person{next(_ADDRESSES)}"
    with app.state.jsna.engine.begin() as connection:
        create_user(
            connection, name, PASSWORD, display_name=display_name, roles=roles or ("viewer",)
        )
    return name


def count(app: FastAPI, table, *where) -> int:  # type: ignore[no-untyped-def]
    with app.state.jsna.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        )


def post_sign_in(client: TestClient, username: str, password: str, next_: str = "") -> object:
    page = client.get("/account/sign-in")
    data = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    if next_:
        data["next"] = next_
    return client.post("/account/sign-in", data=data, follow_redirects=False)


def form_post(client: TestClient, path: str, data: dict[str, object], page: str = "/account"):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


# --- signing in and out ---------------------------------------------------------------


def test_sign_in_form_is_accessible(web: TestClient) -> None:
    page = web.get("/account/sign-in")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert '<label class="govuk-label" for="username">' in page.text
    assert '<label class="govuk-label" for="password">' in page.text
    assert 'name="csrf_token"' in page.text


def test_sign_in_and_out_through_the_forms(app: FastAPI, web: TestClient) -> None:
    name = fresh_user(app, "editor", "analyst", display_name="Ada Lovelace")
    response = post_sign_in(web, name, PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    home = web.get("/account")
    assert home.status_code == 200
    assert "Ada Lovelace" in home.text
    for role in ("editor", "analyst"):
        assert ROLE_WORDS[role] in home.text
    assert ROLE_WORDS["admin"] not in home.text
    with app.state.jsna.engine.connect() as connection:
        last = connection.execute(
            select(app_user.c.last_login_at).where(app_user.c.username == name)
        ).scalar_one()
    assert last is not None
    out = web.post(
        "/account/sign-out", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False
    )
    assert out.status_code == 303
    assert out.headers["location"] == "/"
    after = web.get("/account", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/account/sign-in")


def test_next_is_followed_when_local(app: FastAPI, web: TestClient) -> None:
    response = post_sign_in(web, fresh_user(app), PASSWORD, next_="/workflow/?x=1")
    assert response.headers["location"] == "/workflow/?x=1"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\t/evil.example",
    ],
)
def test_open_redirect_refused(app: FastAPI, web: TestClient, target: str) -> None:
    response = post_sign_in(web, fresh_user(app), PASSWORD, next_=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    assert safe_next(target) == "/account"


def _normalised(html: str, username: str) -> str:
    html = re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]+"', "", html)
    return html.replace(f'value="{username}"', 'value=""')


def test_wrong_password_and_unknown_user_look_the_same(app: FastAPI, web: TestClient) -> None:
    name = fresh_user(app)
    wrong = post_sign_in(web, name, "not the password at all")
    unknown = post_sign_in(web, "nobody-at-all", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert GENERIC_FAILURE in wrong.text
    assert _normalised(wrong.text, name) == _normalised(unknown.text, "nobody-at-all")
    assert 'href="#username"' in wrong.text  # the error summary links to the field


def test_every_attempt_is_recorded(app: FastAPI, web: TestClient) -> None:
    name = fresh_user(app)
    post_sign_in(web, name, "wrong password here")
    post_sign_in(web, name, PASSWORD)
    assert count(app, login_attempt, login_attempt.c.username == name) == 2
    assert (
        count(
            app,
            login_attempt,
            login_attempt.c.username == name,
            login_attempt.c.succeeded.is_(True),
        )
        == 1
    )


def test_inactive_user_cannot_sign_in(app: FastAPI, web: TestClient) -> None:
    name = fresh_user(app)
    with app.state.jsna.engine.begin() as connection:
        connection.execute(
            app_user.update().where(app_user.c.username == name).values(active=False)
        )
    response = post_sign_in(web, name, PASSWORD)
    assert response.status_code == 400
    assert GENERIC_FAILURE in response.text


# --- throttling -----------------------------------------------------------------------


def test_five_failures_for_a_username_throttle_it(app: FastAPI) -> None:
    name = fresh_user(app)
    for _ in range(5):  # each failure from a different address: the username counts
        with new_client(app) as other:
            assert post_sign_in(other, name, "a wrong password!").status_code == 400
    with new_client(app) as client:
        refused = post_sign_in(client, name, PASSWORD)
        assert refused.status_code == 429
        assert "Try again in" in refused.text
        assert client.get("/account", follow_redirects=False).status_code == 303
        # another username from the same address is not affected
        assert post_sign_in(client, fresh_user(app), PASSWORD).status_code == 303


def test_a_success_does_not_erase_failures(app: FastAPI) -> None:
    name = fresh_user(app)
    with new_client(app) as attacker, new_client(app) as owner:
        for _ in range(4):
            post_sign_in(attacker, name, "a wrong password!")
        assert post_sign_in(owner, name, PASSWORD).status_code == 303
        post_sign_in(attacker, name, "a wrong password!")
        assert post_sign_in(attacker, name, PASSWORD).status_code == 429


def test_twenty_failures_from_an_address_throttle_it(app: FastAPI) -> None:
    address = "192.0.2.77"
    with new_client(app, address) as client:
        for n in range(20):
            assert post_sign_in(client, f"guess{n}", "a wrong password!").status_code == 400
        before = count(app, login_attempt, login_attempt.c.client == address)
        refused = post_sign_in(client, fresh_user(app), PASSWORD)
        assert refused.status_code == 429
        assert "Try again in" in refused.text
        assert count(app, login_attempt, login_attempt.c.client == address) == before
    with new_client(app) as elsewhere:
        assert post_sign_in(elsewhere, fresh_user(app), PASSWORD).status_code == 303


# --- CSRF, cookies, sessions, passwords -------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_sign_in_without_the_right_token_is_refused(
    app: FastAPI, web: TestClient, token: str | None
) -> None:
    name = fresh_user(app)
    web.get("/account/sign-in")
    data = {"username": name, "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = web.post("/account/sign-in", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert count(app, login_attempt, login_attempt.c.username == name) == 0
    assert web.get("/account", follow_redirects=False).status_code == 303


def test_admin_writes_without_token_change_nothing(app: FastAPI, web: TestClient) -> None:
    sign_in(web, "admin")
    audits = count(app, audit_log)
    created = web.post(
        "/account/users",
        data={"username": "sneaky", "password": PASSWORD, "roles": "admin", "csrf_token": "x"},
        follow_redirects=False,
    )
    assert created.status_code == 403
    viewer_id = _id_of(app, "viewer")
    changed = web.post(
        f"/account/users/{viewer_id}",
        data={"roles": "admin", "active": "yes"},
        follow_redirects=False,
    )
    assert changed.status_code == 403
    assert count(app, app_user, app_user.c.username == "sneaky") == 0
    with app.state.jsna.engine.connect() as connection:
        assert find_user(connection, "viewer").roles == frozenset({"viewer"})  # type: ignore[union-attr]
    assert count(app, audit_log) == audits


def test_session_cookie_flags(app: FastAPI, web: TestClient) -> None:
    response = post_sign_in(web, fresh_user(app), PASSWORD)
    cookie = next(c for c in response.headers.get_list("set-cookie") if "jsna_session=" in c)
    flags = cookie.lower()
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags


def test_secure_cookies_when_asked(tmp_path_factory: pytest.TempPathFactory) -> None:
    project, url = sqlite_store(tmp_path_factory.mktemp("secure") / "jsna.db")
    secure = make_app(project, url, secure_cookies=True)
    with TestClient(secure, base_url="https://testserver") as client:
        response = post_sign_in(client, "viewer", PASSWORD)
        assert response.status_code == 303
        cookie = next(c for c in response.headers.get_list("set-cookie") if "jsna_session=" in c)
        assert "; secure" in cookie.lower()
        assert client.get("/account").status_code == 200
    secure.state.jsna.engine.dispose()


def _id_of(app: FastAPI, username: str) -> int:
    with app.state.jsna.engine.connect() as connection:
        user = find_user(connection, username)
    assert user is not None
    return user.id


def test_passwords_are_stored_as_argon2id(app: FastAPI) -> None:
    with app.state.jsna.engine.connect() as connection:
        hashes = connection.execute(select(app_user.c.password_hash)).scalars().all()
    assert len(hashes) >= len(ROLES)
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_a_disabled_users_session_stops_working(app: FastAPI) -> None:
    name = fresh_user(app, "editor")
    with new_client(app) as person, new_client(app) as admin:
        sign_in(person, name)
        assert person.get("/account").status_code == 200
        sign_in(admin, "admin")
        response = form_post(
            admin,
            f"/account/users/{_id_of(app, name)}",
            {"roles": ["editor"]},
            page="/account/users",
        )
        assert response.status_code == 303
        gone = person.get("/account", follow_redirects=False)
        assert gone.status_code == 303
        assert gone.headers["location"].startswith("/account/sign-in")
        assert post_sign_in(person, name, PASSWORD).status_code == 400


def test_password_change_ends_other_sessions(app: FastAPI) -> None:
    name = fresh_user(app)
    new = "a brand new long passphrase"
    with new_client(app) as here, new_client(app) as there:
        sign_in(here, name)
        sign_in(there, name)
        response = form_post(
            here,
            "/account/password",
            {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
        )
        assert response.status_code == 303
        assert "Your password has been changed" in here.get(response.headers["location"]).text
        assert there.get("/account", follow_redirects=False).status_code == 303
    with new_client(app) as later:
        assert post_sign_in(later, name, PASSWORD).status_code == 400
        assert post_sign_in(later, name, new).status_code == 303
    assert (
        count(app, audit_log, audit_log.c.action == "change-password", audit_log.c.actor == name)
        == 1
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {
                "current_password": "wrong wrong wrong",
                "new_password": "x" * 12,
                "confirm_password": "x" * 12,
            },
            "current_password",
            "current password is not right",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
            "new_password",
            "at least 12 characters",
        ),
        (
            {"current_password": PASSWORD, "new_password": "y" * 14, "confirm_password": "z" * 14},
            "confirm_password",
            "not the same",
        ),
    ],
)
def test_password_change_problems_name_the_field(
    app: FastAPI, web: TestClient, fields: dict[str, str], field: str, message: str
) -> None:
    name = fresh_user(app)
    sign_in(web, name)
    response = form_post(web, "/account/password", fields)
    assert response.status_code == 400
    assert message in response.text
    assert f'href="#{field}"' in response.text
    assert f'id="{field}"' in response.text
    assert web.get("/account").status_code == 200
    assert post_sign_in(web, name, PASSWORD).status_code == 303  # unchanged


# --- administration --------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_admin_pages_refuse_other_roles(app: FastAPI, web: TestClient, role: str) -> None:
    sign_in(web, role)
    assert web.get("/account/users").status_code == 403
    response = form_post(
        web,
        "/account/users",
        {"username": f"by-{role}", "password": PASSWORD, "roles": ["viewer"]},
    )
    assert response.status_code == 403
    assert (
        form_post(
            web, f"/account/users/{_id_of(app, role)}", {"roles": ["admin"], "active": "yes"}
        ).status_code
        == 403
    )
    assert count(app, app_user, app_user.c.username == f"by-{role}") == 0
    with app.state.jsna.engine.connect() as connection:
        assert "admin" not in find_user(connection, role).roles  # type: ignore[union-attr]


def test_admin_pages_send_anonymous_people_to_sign_in(web: TestClient) -> None:
    response = web.get("/account/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/sign-in?next=/account/users"
    token = csrf_of(web.get("/account/sign-in").text)
    posted = web.post(
        "/account/users", data={"csrf_token": token, "username": "anon"}, follow_redirects=False
    )
    assert posted.status_code == 303
    assert posted.headers["location"].startswith("/account/sign-in")


def test_admin_creates_and_changes_users_with_audit(app: FastAPI, web: TestClient) -> None:
    sign_in(web, "admin")
    table = web.get("/account/users")
    assert table.status_code == 200
    for role in ROLES:
        assert f"Test {role}" in table.text
    response = form_post(
        web,
        "/account/users",
        {
            "username": "New.Person",
            "display_name": "New Person",
            "email": "n@example.org",
            "roles": ["editor", "analyst"],
            "password": PASSWORD,
        },
        page="/account/users",
    )
    assert response.status_code == 303
    with app.state.jsna.engine.connect() as connection:
        made = find_user(connection, "new.person")
    assert made is not None
    assert made.roles == frozenset({"editor", "analyst"})
    assert (
        count(
            app,
            audit_log,
            audit_log.c.action == "create",
            audit_log.c.entity_id == str(made.id),
            audit_log.c.actor == "admin",
        )
        == 1
    )
    reset = "a reset password by admin"
    changed = form_post(
        web,
        f"/account/users/{made.id}",
        {"roles": ["approver"], "active": "yes", "new_password": reset},
        page="/account/users",
    )
    assert changed.status_code == 303
    with app.state.jsna.engine.connect() as connection:
        after = find_user(connection, "new.person")
    assert after is not None
    assert after.roles == frozenset({"approver"})
    assert after.active
    assert (
        count(app, audit_log, audit_log.c.action == "update", audit_log.c.entity_id == str(made.id))
        == 1
    )
    with new_client(app) as person:
        assert post_sign_in(person, "new.person", reset).status_code == 303


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": "viewer", "password": PASSWORD, "roles": ["viewer"]}, "is taken"),
        ({"username": "shorty", "password": "short", "roles": ["viewer"]}, "12 characters"),
        ({"username": "nobody2", "password": PASSWORD, "roles": ["wizard"]}, "unknown role"),
        ({"username": "norole", "password": PASSWORD}, "Choose at least one role"),
        ({"username": "bad name!", "password": PASSWORD, "roles": ["viewer"]}, "letters, digits"),
    ],
)
def test_create_user_problems_are_shown(
    app: FastAPI, web: TestClient, fields: dict[str, object], message: str
) -> None:
    sign_in(web, "admin")
    audits = count(app, audit_log)
    users = count(app, app_user)
    response = form_post(web, "/account/users", fields, page="/account/users")
    assert response.status_code == 400
    assert message.lower() in response.text.lower()
    assert "govuk-error-summary" in response.text
    assert count(app, app_user) == users
    assert count(app, audit_log) == audits


def test_admin_cannot_demote_or_disable_themselves(app: FastAPI, web: TestClient) -> None:
    sign_in(web, "admin")
    me = _id_of(app, "admin")
    audits = count(app, audit_log)
    demote = form_post(
        web, f"/account/users/{me}", {"roles": ["viewer"], "active": "yes"}, page="/account/users"
    )
    assert demote.status_code == 400
    assert "cannot remove your own admin role" in demote.text
    disable = form_post(web, f"/account/users/{me}", {"roles": ["admin"]}, page="/account/users")
    assert disable.status_code == 400
    assert "cannot disable your own account" in disable.text
    with app.state.jsna.engine.connect() as connection:
        still = find_user(connection, "admin")
    assert still is not None
    assert still.active
    assert "admin" in still.roles
    assert count(app, audit_log) == audits
    assert web.get("/account/users").status_code == 200


def test_hostile_display_names_are_escaped(app: FastAPI, web: TestClient) -> None:
    fresh_user(app, display_name='<script>alert("x")</script>')
    sign_in(web, "admin")
    page = web.get("/account/users").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page
