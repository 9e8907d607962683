"""``jsna geography``: load the project's declared geography, list areas.

``jsna geography load [PROJECT]`` reads the ``geographies:`` section of the
project's ``jsna.yml`` (lookup, boundary and custom-area files, usually under
``${JSNA_DATA_MIRROR}``) and writes every area, membership, boundary and custom
area in one transaction: a bad declaration or file leaves the store untouched.
Loading again updates names, weights and boundaries in place.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from jsna.content.geographies import read_geographies
from jsna.store import open_store
from jsna.store.areas import load_project_geography
from jsna.store.engine import DATABASE_ENV
from jsna.store.schema import area

DB = click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)
PROJECT = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project folder (where the embedded store lives).",
)


@click.group()
def geography() -> None:
    """Areas, lookups and boundaries in the store."""


@geography.command()
@click.argument(
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)
@DB
@click.option("--quiet", "-q", is_flag=True, help="No progress display or summary.")
def load(project: Path, url: str | None, quiet: bool) -> None:
    """Load the geography declared in PROJECT/jsna.yml (geographies:) into the store.

    Reads every declared lookup, boundary and custom-area file (paths may start
    with ${JSNA_DATA_MIRROR}) and writes areas, memberships, boundaries and
    custom areas in one transaction: a problem in the declaration or a file is
    reported as jsna.yml:LINE: FIELD: MESSAGE and nothing is written. The store
    is created or upgraded first if needed. `jsna ingest` does this too when
    the declaration or a file has changed.
    """
    declared = read_geographies(project)
    engine = open_store(project, url)
    console = Console(stderr=True, quiet=quiet)
    try:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            progress.add_task(f"Loading the geography of {declared.path}", total=None)
            done = load_project_geography(engine, declared, force=True)
    finally:
        engine.dispose()
    if quiet:
        return
    counts = done.counts
    click.echo(
        f"Loaded {counts['areas']:,} areas, {counts['memberships']:,} memberships and "
        f"{counts['boundaries']:,} boundaries from {declared.path} in {done.seconds:.1f} s "
        f"(geography version {done.version_id})."
    )
    for kind, count in sorted(done.outside.items()):
        click.echo(f"{kind}: {count} point(s) fell in no polygon and were left out.")


@geography.command()
@click.argument("area_type")
@DB
@PROJECT
def areas(area_type: str, url: str | None, project: Path) -> None:
    """List the areas of AREA_TYPE (e.g. ward23, lsoa21) as CODE<TAB>NAME lines."""
    engine = open_store(project, url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(area.c.code, area.c.name)
                .where(area.c.area_type == area_type)
                .order_by(area.c.code)
            ).all()
    finally:
        engine.dispose()
    if not rows:
        raise click.ClickException(f"no areas of type {area_type!r} in the store")
    for code, name in rows:
        click.echo(f"{code}\t{name}")
