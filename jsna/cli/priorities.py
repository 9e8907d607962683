"""``jsna priorities``: load rounds from the project, import score sheets, list and export.

Scoring workshops mostly happen in the web app (``jsna serve``, /priorities/);
these commands cover the rest: putting the project's round files
(``priorities/<round>.yml``) into the store, importing score sheets typed up
after a paper workshop, and the ranked list as CSV.
"""

from __future__ import annotations

from pathlib import Path

import click

from jsna.analysis.priorities import (
    load_round,
    load_round_files,
    outliers,
    ranking_csv,
    read_score_sheet,
)
from jsna.content.project_files import load_project
from jsna.errors import InputFileError
from jsna.store import open_store
from jsna.store.engine import DATABASE_ENV
from jsna.store.priorities import list_rounds, read_candidates, read_round, record_scores

__all__ = ["priorities"]

_PROJECT = click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
_DB = click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)


@click.group()
def priorities() -> None:
    """Priority setting: scoring rounds, score sheets and the ranked list.

    \b
    Examples:
      jsna priorities load examples/trafford          round files into the store
      jsna priorities list examples/trafford
      jsna priorities import examples/trafford --round 2026 --scorer "Ann" sheet.xlsx
      jsna priorities export examples/trafford --round 2026-illustrative > ranked.csv
    """


@priorities.command("load")
@_PROJECT
@click.option("--round", "round_id", metavar="ID", help="Only this round (default: every file).")
@_DB
def load(project: Path, round_id: str | None, url: str | None) -> None:
    """Put the project's round files (priorities/*.yml) into the store.

    Idempotent: unchanged scores write nothing; a round's status changed in
    the web app is kept.
    """
    loaded = load_project(project)
    engine = open_store(project, url)
    try:
        with engine.begin() as connection:
            done = load_round_files(connection, loaded, actor="cli", only=round_id)
    finally:
        engine.dispose()
    if round_id is not None and not done:
        raise InputFileError(
            project / "priorities" / f"{round_id}.yml", "no such round file in the project"
        )
    for name, created, changed in done:
        verb = "created" if created else "updated"
        click.echo(f"{name}: {verb}, {changed} score{'s' if changed != 1 else ''} changed")


@priorities.command("list")
@_PROJECT
@_DB
def list_(project: Path, url: str | None) -> None:
    """Every round in the store, with its status and how many scorers scored."""
    loaded = load_project(project)
    engine = open_store(project, url)
    try:
        with engine.connect() as connection:
            rounds = list_rounds(connection)
            if not rounds:
                click.echo("No rounds in the store: 'jsna priorities load' adds the project's.")
            for info in rounds:
                data = load_round(connection, loaded, info.id)
                assert data is not None
                scorers = data.scores["scorer"].nunique() if not data.scores.empty else 0
                flagged = len(outliers(data.scores, info.matrix))
                label = " (illustrative)" if info.illustrative else ""
                click.echo(
                    f"{info.id}: {info.title}{label}; {info.status}; {len(data.candidates)} "
                    f"needs, {scorers} scorers, {flagged} outlying scores"
                )
    finally:
        engine.dispose()


@priorities.command("import")
@_PROJECT
@click.argument("sheet", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--round", "round_id", required=True, metavar="ID", help="The round scored.")
@click.option(
    "--scorer",
    metavar="NAME",
    help="Whose scores these are (else the sheet's 'scorer' column names them).",
)
@_DB
def import_sheet(
    project: Path, sheet: Path, round_id: str, scorer: str | None, url: str | None
) -> None:
    """Record the scores of a score sheet (CSV or .xlsx), all or nothing."""
    engine = open_store(project, url)
    try:
        with engine.begin() as connection:
            info = read_round(connection, round_id)
            if info is None:
                raise InputFileError(sheet, f"there is no round {round_id!r} in the store")
            if info.status != "open":
                raise InputFileError(sheet, f"round {round_id!r} is {info.status}, not open")
            ids = [c.id for c in read_candidates(connection, round_id)]
            found = read_score_sheet(
                sheet.read_bytes(), str(sheet), info.matrix, ids, scorer=scorer
            )
            changed = sum(
                record_scores(connection, round_id, who, entries, actor="cli", via="sheet")
                for who, entries in found.items()
            )
    finally:
        engine.dispose()
    click.echo(
        f"{sheet}: {changed} score{'s' if changed != 1 else ''} recorded for "
        f"{len(found)} scorer{'s' if len(found) != 1 else ''}"
    )


@priorities.command("export")
@_PROJECT
@click.option("--round", "round_id", required=True, metavar="ID", help="The round.")
@_DB
def export(project: Path, round_id: str, url: str | None) -> None:
    """The ranked list of a round as CSV (from the store, else the round file)."""
    loaded = load_project(project)
    engine = open_store(project, url)
    try:
        with engine.connect() as connection:
            data = load_round(connection, loaded, round_id)
    finally:
        engine.dispose()
    if data is None:
        raise InputFileError(project, f"there is no round {round_id!r}")
    click.echo(
        ranking_csv(data.ranking(), data.info.matrix, illustrative=data.info.illustrative),
        nl=False,
    )
