"""``jsna new``: start a project for any English local authority from the England-wide files."""

from __future__ import annotations

from pathlib import Path

import click

from jsna.content.scaffold import scaffold_project


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--area",
    "code",
    required=True,
    metavar="CODE",
    help="ONS code of the local authority, e.g. E08000009 (Trafford) or E06000035 (Medway).",
)
def new(folder: Path, code: str) -> None:
    """Start a JSNA project in FOLDER (new or empty) for the local authority CODE.

    Any English local authority works: a unitary authority, metropolitan
    district or London borough (E06, E08, E09), a district (E07) or a county
    (E10). Everything is read from the England-wide files of the data mirror
    (JSNA_DATA_MIRROR): the authority's name, its LSOAs, wards and GP
    practices, its comparators (England, and the region where a file gives
    it), and data sources for three core chapters: population, deprivation
    and long-term conditions. Nothing is copied: the project refers to the
    files by ${JSNA_DATA_MIRROR}/... paths.

    \b
    Written:
      jsna.yml          area, comparators, area types, geography, branding
      sources/*.yml     the England-wide files, filtered to the authority
      indicators/*.yml  one per indicator, with definition and method
      chapters/*.md     population, deprivation, long-term conditions
      README.md         what each file is, and the next commands

    \b
    Example:
      jsna new medway-jsna --area E06000035
      jsna check medway-jsna
      jsna ingest medway-jsna
      jsna compute medway-jsna
    """
    made = scaffold_project(folder, code)
    a = made.authority
    click.echo(f"Made a JSNA project for {a.name} ({a.code}) in {folder}:")
    for name in sorted(made.files):
        click.echo(f"  {name}")
    for line in made.skipped:
        click.echo(f"note: {line}")
    click.echo(f"Next: jsna check {folder}   (then jsna ingest, jsna compute; see README.md)")
