"""``jsna geography``: load the England and Trafford lookups and boundaries, list areas.

``jsna geography load`` reads the shared data mirror (``$JSNA_DATA_MIRROR``,
default ``../shared/data``) and writes every area, membership and boundary in
one transaction: a bad file leaves the store untouched. Loading again updates
names, weights and boundaries in place.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from jsna.geography import Geography, read_england, read_trafford
from jsna.geography.boundaries import mirror_boundaries
from jsna.store import open_store
from jsna.store.areas import load_boundaries, load_geography
from jsna.store.engine import DATABASE_ENV
from jsna.store.schema import area

from .mirror import data_mirror

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
    "mirror", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False
)
@DB
@PROJECT
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
def load(mirror: Path | None, url: str | None, project: Path, quiet: bool) -> None:
    """Load the England and Trafford lookups and boundaries from MIRROR.

    MIRROR is the data folder holding england/ and trafford/ (default:
    $JSNA_DATA_MIRROR, else ../shared/data). The store is created or
    upgraded first if needed.
    """
    folder = mirror or data_mirror()
    if not (folder / "england").is_dir():
        raise click.BadParameter(f"{folder} has no england/ folder", param_hint="MIRROR")
    engine = open_store(project, url)
    console = Console(stderr=True, quiet=quiet)
    start = time.perf_counter()
    try:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            step = progress.add_task("Reading England lookups", total=None)
            geo = read_england(folder / "england")
            progress.update(step, description="Reading Trafford lookups")
            geo = Geography.combine(geo, read_trafford(folder / "trafford"))
            progress.update(step, description="Simplifying boundaries")
            shapes = mirror_boundaries(folder)
            progress.update(step, description="Writing to the store (one transaction)")
            with engine.begin() as connection:
                written = load_geography(connection, geo.areas, geo.memberships)
                boundaries = load_boundaries(connection, shapes)
            progress.update(step, description="Done")
    finally:
        engine.dispose()
    seconds = time.perf_counter() - start
    click.echo(
        f"Loaded {written['areas']:,} areas, {written['memberships']:,} memberships and "
        f"{boundaries:,} boundaries from {folder} in {seconds:.1f} s."
    )


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
