"""``jsna users``: the people who sign in to ``jsna serve``, from the command line.

Passwords are read from a hidden, confirmed prompt or from standard input
(``--password-stdin``), never from an argument (arguments show in process lists and
shell history). Every change is recorded in the audit log with the actor ``cli``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import Connection, select

from jsna.errors import JsnaError
from jsna.store import open_store
from jsna.store.engine import DATABASE_ENV
from jsna.store.schema import app_user
from jsna.web.auth import audit
from jsna.web.users import ROLES, User, create_user, find_user, list_users, set_password
from jsna.web.users import update_user as change_user

__all__ = ["users"]

ACTOR = "cli"
EXIT_PROBLEM = 1

PROJECT = click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
DB = click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)
ROLE = click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE",
    help=f"A role to give (repeat for several): {', '.join(ROLES)}.",
)
PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(EXIT_PROBLEM)


@contextmanager
def _transaction(project: Path, url: str | None) -> Iterator[Connection]:
    engine = open_store(project, url)
    try:
        with engine.begin() as connection:
            yield connection
    except JsnaError as error:
        _fail(str(error))
    finally:
        engine.dispose()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    password: str = click.prompt(
        "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
    )
    return password


def _existing(connection: Connection, username: str) -> User:
    user = find_user(connection, username)
    if user is None:
        raise JsnaError(f"no user called {username.strip().lower()!r} (see 'jsna users list')")
    return user


@click.group()
def users() -> None:
    """Add people who sign in to the web app, and change their roles and passwords.

    \b
    Roles (a user holds one or more; admin holds them all):
      viewer    reads internal and unpublished content
      analyst   uploads data and runs compute
      editor    drafts chapters they own and submits them for review
      approver  approves and publishes chapters
      admin     manages users and settings

    \b
    Examples:
      jsna users add ana --role admin --name "Ana Smith" --email ana@example.org
      jsna users add ben my-jsna --role editor --role analyst
      printf '%s\\n' "$PASSWORD" | jsna users add ci-bot --role analyst --password-stdin
      jsna users list
      jsna users roles ben --role approver
      jsna users password ben
      jsna users disable ben

    PROJECT is the project folder (default: the current one); --db names another store.
    """


@users.command()
@click.argument("username")
@PROJECT
@DB
@ROLE
@click.option("--name", "display_name", default="", help="The person's name, as shown.")
@click.option("--email", default="", help="The person's email address.")
@PASSWORD_STDIN
def add(
    username: str,
    project: Path,
    url: str | None,
    roles: tuple[str, ...],
    display_name: str,
    email: str,
    password_stdin: bool,
) -> None:
    """Add a user; the password comes from a hidden prompt (asked twice) or stdin.

    \b
    Example:
      jsna users add ana --role editor --role analyst --name "Ana Smith"
    """
    if not roles:
        _fail(f"give at least one --role ({', '.join(ROLES)})")
    password = _password(password_stdin)
    with _transaction(project, url) as connection:
        user = create_user(
            connection, username, password, display_name=display_name, email=email, roles=roles
        )
        audit(
            connection,
            ACTOR,
            "create",
            "user",
            user.id,
            username=user.username,
            roles=sorted(user.roles),
        )
    click.echo(f"Added {user.username} ({', '.join(sorted(user.roles))}).")


@users.command(name="list")
@PROJECT
@DB
def list_(project: Path, url: str | None) -> None:
    """List every user: username, name, roles, whether active, last sign-in."""
    with _transaction(project, url) as connection:
        people = list_users(connection)
        seen = dict(connection.execute(select(app_user.c.id, app_user.c.last_login_at)).all())
    if not people:
        click.echo("No users yet: add one with 'jsna users add USERNAME --role admin'.")
        return
    rows = [("USERNAME", "NAME", "ROLES", "ACTIVE", "LAST SIGN-IN")]
    for person in people:
        last = seen.get(person.id)
        rows.append(
            (
                person.username,
                person.display_name,
                ",".join(sorted(person.roles)),
                "yes" if person.active else "no",
                last.strftime("%Y-%m-%d %H:%M") if last else "never",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@users.command()
@click.argument("username")
@PROJECT
@DB
@ROLE
def roles(username: str, project: Path, url: str | None, roles: tuple[str, ...]) -> None:
    """Replace a user's roles (their sessions end, so new roles apply at once).

    \b
    Example:
      jsna users roles ben --role editor --role approver
    """
    if not roles:
        _fail(f"give at least one --role ({', '.join(ROLES)})")
    with _transaction(project, url) as connection:
        user = change_user(connection, _existing(connection, username).id, roles=roles)
        audit(
            connection,
            ACTOR,
            "update",
            "user",
            user.id,
            username=user.username,
            roles=sorted(user.roles),
        )
    click.echo(f"{user.username} now has the roles {', '.join(sorted(user.roles))}.")


def _set_active(username: str, project: Path, url: str | None, active: bool) -> None:
    with _transaction(project, url) as connection:
        user = change_user(connection, _existing(connection, username).id, active=active)
        audit(connection, ACTOR, "update", "user", user.id, username=user.username, active=active)
    state = "can sign in again" if active else "is disabled: their sessions have ended"
    click.echo(f"{user.username} {state}.")


@users.command()
@click.argument("username")
@PROJECT
@DB
def disable(username: str, project: Path, url: str | None) -> None:
    """Stop a user signing in (their open sessions end at once); 'enable' undoes it."""
    _set_active(username, project, url, active=False)


@users.command()
@click.argument("username")
@PROJECT
@DB
def enable(username: str, project: Path, url: str | None) -> None:
    """Let a disabled user sign in again."""
    _set_active(username, project, url, active=True)


@users.command()
@click.argument("username")
@PROJECT
@DB
@PASSWORD_STDIN
def password(username: str, project: Path, url: str | None, password_stdin: bool) -> None:
    """Set a user's password (asked twice, hidden); their sessions end.

    \b
    Example:
      jsna users password ana
    """
    new = _password(password_stdin)
    with _transaction(project, url) as connection:
        user = _existing(connection, username)
        set_password(connection, user.id, new)
        audit(connection, ACTOR, "password", "user", user.id, username=user.username)
    click.echo(f"Password of {user.username} changed; their sessions have ended.")
