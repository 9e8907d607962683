"""``jsna assets``: import a council's own asset list, list the imported lists, export the layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from jsna.analysis.assets import (
    assets_by_area,
    find_postcode_lookup,
    geojson_text,
    read_asset_list,
    read_postcodes,
    save_asset_list,
    stored_asset_lists,
)
from jsna.content.blocks import AssetsBlock
from jsna.content.mirror import resolve_path
from jsna.content.project_files import Project, load_project
from jsna.errors import InputFileError
from jsna.figures.assets import collect_assets
from jsna.figures.context import FigureContext
from jsna.figures.maps import areas_in_jsna
from jsna.store import open_store
from jsna.store.engine import DATABASE_ENV
from jsna.web.auth import audit

__all__ = ["assets"]

ACTOR = "cli"

PROJECT = click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
DB = click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)


def _declared_files(data: Any) -> list[str]:
    if isinstance(data, dict):
        found = [data["file"]] if isinstance(data.get("file"), str) else []
        return found + [f for value in data.values() for f in _declared_files(value)]
    if isinstance(data, list | tuple):
        return [f for value in data for f in _declared_files(value)]
    return []


def _postcode_lookup(project: Project, given: Path | None) -> Path:
    if given is not None:
        return given
    files = [
        resolve_path(project.root, f)
        for f in _declared_files(project.config.geographies.model_dump())
    ]
    found = find_postcode_lookup(files)
    if found is None:
        raise InputFileError(
            project.root / "jsna.yml",
            "no declared geography file has the columns postcode, lon and lat: "
            "give one with --postcodes",
        )
    return found


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


@click.group()
def assets() -> None:
    """Community assets: import the council's own asset list, see what is imported, export.

    \b
    An asset list is a CSV or Excel (.xlsx) file with a header row and the
    columns name, category and a location: postcode, or lat and lon (WGS84).
    The whole file is checked first; every problem is listed by row and column
    and nothing is imported until it is clean. Importing a list again under
    the same name replaces it. An assets block shows the list with
    `lists: [NAME]`.

    \b
    Examples:
      jsna assets import council-assets.xlsx my-jsna --list council
      jsna assets list my-jsna
      jsna assets export my-jsna --format geojson --output assets.geojson
    """


@assets.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@PROJECT
@DB
@click.option("--list", "list_name", required=True, help="Name of the list (e.g. council).")
@click.option(
    "--postcodes",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Postcode lookup CSV with postcode, lon and lat (default: the project's own).",
)
def import_(
    file: Path, project: Path, url: str | None, list_name: str, postcodes: Path | None
) -> None:
    """Check FILE whole and import it as the asset list --list (replacing any earlier one)."""
    loaded = load_project(project)
    lookup = read_postcodes(_postcode_lookup(loaded, postcodes))
    frame = read_asset_list(file, lookup)
    engine = open_store(project, url)
    try:
        with engine.begin() as connection:
            count = save_asset_list(connection, list_name, frame, path=file, actor=ACTOR)
            audit(
                connection,
                ACTOR,
                "import",
                "asset_list",
                list_name,
                file=file.name,
                assets=count,
                categories=int(frame["category"].nunique()),
            )
    finally:
        engine.dispose()
    kinds = int(frame["category"].nunique())
    click.echo(
        f"Imported {_count(count, 'asset')} in {_count(kinds, 'category')} as list {list_name!r}."
    )


@assets.command(name="list")
@PROJECT
@DB
def list_(project: Path, url: str | None) -> None:
    """The imported asset lists: name, assets, categories, file, when and by whom."""
    engine = open_store(project, url)
    try:
        with engine.connect() as connection:
            lists = stored_asset_lists(connection)
    finally:
        engine.dispose()
    if lists.empty:
        click.echo("No asset list is imported.")
        return
    for row in lists.itertuples():
        when = pd.Timestamp(row.imported_at).strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{row.list_name}: {_count(row.assets, 'asset')}, {_count(row.categories, 'category')} "
            f"({row.file_name}, {when}, {row.imported_by})"
        )


@assets.command()
@PROJECT
@DB
@click.option(
    "--format",
    "kind",
    type=click.Choice(["csv", "geojson"]),
    default="csv",
    show_default=True,
    help="CSV with lon and lat columns, or GeoJSON points.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
def export(project: Path, url: str | None, kind: str, output: Path | None) -> None:
    """Every asset the project's assets blocks show, with its category, source and area."""
    loaded = load_project(project)
    blocks = [
        placed.block
        for chapter in loaded.chapters
        for placed in chapter.blocks
        if isinstance(placed.block, AssetsBlock)
    ]
    if not blocks:
        raise InputFileError(project, "no chapter has an assets block: nothing to export")
    engine = open_store(project, url)
    frames = []
    try:
        with engine.connect() as connection:
            ctx = FigureContext(loaded, connection)
            for block in blocks:
                shapes = ctx.boundaries(block.area_type)
                shapes = shapes[shapes["area_code"].isin(areas_in_jsna(ctx, block.area_type))]
                found = collect_assets(ctx, block)
                empty = pd.DataFrame(columns=["area_code", "population"])
                _, placed = assets_by_area(found, shapes, empty)
                frames.append(placed.assign(area_type=block.area_type))
    finally:
        engine.dispose()
    layer = pd.concat(frames, ignore_index=True).drop_duplicates(
        ["name", "category", "lon", "lat", "area_type"]
    )
    layer = layer[
        ["name", "category", "source", "area_type", "area_code", "area_name", "lon", "lat"]
    ]
    text = geojson_text(layer) if kind == "geojson" else layer.to_csv(index=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(layer)} assets to {output}.", err=True)
