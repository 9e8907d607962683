"""``jsna db``: create and upgrade the store."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from jsna.errors import StoreError
from jsna.store import migrate
from jsna.store.engine import DATABASE_ENV, connect, database_url

PROJECT = click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
DB = click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _unreachable(project: Path, url: str | None, error: OperationalError) -> StoreError:
    return StoreError(
        f"cannot reach the database {_shown(database_url(project, url))}: {error.orig}"
    )


@click.group()
def db() -> None:
    """Create, upgrade and inspect the store (SQLite by default, PostgreSQL for teams)."""


@db.command()
@PROJECT
@DB
def upgrade(project: Path, url: str | None) -> None:
    """Create the store or bring it up to date with this version of jsna.

    Safe to run at any time: a store already up to date is left as it is.
    """
    engine = connect(project, url)
    try:
        before = migrate.current(engine)
        migrate.upgrade(engine)
        after = migrate.current(engine)
    except OperationalError as error:
        raise _unreachable(project, url, error) from error
    finally:
        engine.dispose()
    where = _shown(database_url(project, url))
    if before == after:
        click.echo(f"Store {where} is up to date (revision {after}).")
    else:
        click.echo(f"Store {where} upgraded from {before or 'empty'} to revision {after}.")


@db.command()
@PROJECT
@DB
def status(project: Path, url: str | None) -> None:
    """Show where the store is and whether it is up to date."""
    engine = connect(project, url)
    try:
        revision = migrate.current(engine)
    except OperationalError as error:
        raise _unreachable(project, url, error) from error
    finally:
        engine.dispose()
    state = "up to date" if revision == migrate.head() else "needs 'jsna db upgrade'"
    click.echo(f"Store: {_shown(database_url(project, url))}")
    click.echo(f"Revision: {revision or 'none (empty)'}; newest: {migrate.head()} ({state}).")
