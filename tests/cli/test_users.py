"""``jsna users``: add, list, roles, disable, enable and password, on a fresh SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

from jsna.cli.users import users
from jsna.store import open_store
from jsna.store.schema import app_user, audit_log
from jsna.web.users import find_user, verify_password
from tests.content.projects import write_project

PASSWORD = "a long enough password"


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, str]:
    """(project, URL) of a valid project with a fresh SQLite store."""
    project = write_project(tmp_path / "project")
    url = f"sqlite:///{tmp_path / 'users.db'}"
    open_store(project, url).dispose()
    return project, url


def run(store: tuple[Path, str], *args: str, stdin: str | None = None) -> Result:
    project, url = store
    command, rest = args[0], args[1:]
    return CliRunner().invoke(users, [command, *rest, str(project), "--db", url], input=stdin)


def engine_of(store: tuple[Path, str]) -> Engine:
    return open_store(*store)


def audits(store: tuple[Path, str]) -> list[tuple[str, str, str]]:
    engine = engine_of(store)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail).order_by(
                    audit_log.c.id
                )
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def user(store: tuple[Path, str], name: str):  # type: ignore[no-untyped-def]
    engine = engine_of(store)
    try:
        with engine.connect() as connection:
            found = find_user(connection, name)
            hashed = connection.execute(
                select(app_user.c.password_hash).where(app_user.c.username == name)
            ).scalar()
    finally:
        engine.dispose()
    return found, hashed


def test_add_with_a_prompted_password(store: tuple[Path, str]) -> None:
    result = run(
        store,
        "add",
        "Ana",
        "--role",
        "editor",
        "--role",
        "analyst",
        "--name",
        "Ana Smith",
        "--email",
        "ana@example.org",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added ana (analyst, editor)." in result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    found, hashed = user(store, "ana")
    assert found is not None
    assert found.display_name == "Ana Smith"
    assert found.email == "ana@example.org"
    assert found.roles == frozenset({"editor", "analyst"})
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, PASSWORD)
    actor, action, detail = audits(store)[-1]
    assert (actor, action) == ("cli", "create")
    assert '"ana"' in detail


def test_prompted_passwords_must_match(store: tuple[Path, str]) -> None:
    result = run(
        store,
        "add",
        "ana",
        "--role",
        "viewer",
        stdin=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower()
    assert verify_password(user(store, "ana")[1], PASSWORD)


def test_add_with_password_on_stdin(store: tuple[Path, str]) -> None:
    result = run(
        store, "add", "bot", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert verify_password(user(store, "bot")[1], PASSWORD)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("add", "ana", "--role", "wizard", "--password-stdin"),
            PASSWORD,
            "error: unknown role 'wizard': roles are viewer, analyst, editor, approver, admin",
        ),
        (
            ("add", "ana", "--role", "viewer", "--password-stdin"),
            "short",
            "error: a password needs at least 12 characters",
        ),
        (("add", "ana", "--password-stdin"), PASSWORD, "error: give at least one --role"),
        (
            ("add", "bad name", "--role", "viewer", "--password-stdin"),
            PASSWORD,
            "error: username 'bad name'",
        ),
        (("roles", "nobody", "--role", "viewer"), None, "error: no user called 'nobody'"),
        (("disable", "nobody"), None, "error: no user called 'nobody'"),
        (("password", "nobody", "--password-stdin"), PASSWORD, "error: no user called 'nobody'"),
    ],
)
def test_clear_one_line_errors(
    store: tuple[Path, str], args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    result = run(store, *args, stdin=stdin)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(message)
    assert audits(store) == []


def test_a_taken_name_is_refused(store: tuple[Path, str]) -> None:
    assert (
        run(store, "add", "ana", "--role", "viewer", "--password-stdin", stdin=PASSWORD).exit_code
        == 0
    )
    again = run(store, "add", "ANA", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert again.exit_code == 1
    assert again.stderr.strip() == "error: username 'ana' is taken"
    assert user(store, "ana")[0].roles == frozenset({"viewer"})


def test_list_roles_disable_enable_password(store: tuple[Path, str]) -> None:
    assert run(store, "list").output.startswith("No users yet")
    for name, role in (("ana", "admin"), ("ben", "editor")):
        added = run(store, "add", name, "--role", role, "--password-stdin", stdin=PASSWORD)
        assert added.exit_code == 0, added.output
    listing = run(store, "list").output.splitlines()
    assert listing[0].split() == ["USERNAME", "NAME", "ROLES", "ACTIVE", "LAST", "SIGN-IN"]
    assert listing[1].split() == ["ana", "ana", "admin", "yes", "never"]
    assert listing[2].split() == ["ben", "ben", "editor", "yes", "never"]

    epoch = user(store, "ben")[0].session_epoch
    changed = run(store, "roles", "ben", "--role", "approver", "--role", "editor")
    assert changed.exit_code == 0, changed.output
    after = user(store, "ben")[0]
    assert after.roles == frozenset({"approver", "editor"})
    assert after.session_epoch > epoch

    assert run(store, "disable", "ben").exit_code == 0
    assert not user(store, "ben")[0].active
    assert run(store, "list").output.splitlines()[2].split()[3] == "no"
    assert run(store, "enable", "ben").exit_code == 0
    assert user(store, "ben")[0].active

    new = "another long password"
    before = user(store, "ben")[0].session_epoch
    reset = run(store, "password", "ben", stdin=f"{new}\n{new}\n")
    assert reset.exit_code == 0, reset.output
    found, hashed = user(store, "ben")
    assert verify_password(hashed, new)
    assert not verify_password(hashed, PASSWORD)
    assert found.session_epoch > before

    actions = [(actor, action) for actor, action, _ in audits(store)]
    assert actions == [
        ("cli", "create"),
        ("cli", "create"),
        ("cli", "update"),
        ("cli", "update"),
        ("cli", "update"),
        ("cli", "password"),
    ]


def test_help_teaches_with_examples() -> None:
    text = CliRunner().invoke(users, ["--help"]).output
    for part in (
        "jsna users add ana --role admin",
        "--password-stdin",
        "approver",
        "jsna users list",
    ):
        assert part in text
    add = CliRunner().invoke(users, ["add", "--help"]).output
    assert "--role ROLE" in add
    assert "Example:" in add
