"""``jsna demo``: the whole Trafford example JSNA, from nothing, in one command.

It runs the steps an analyst runs, in order, on ``examples/trafford`` (real
open data read from the data mirror, ``$JSNA_DATA_MIRROR``):

1. ``jsna check --strict``: every file of the project is valid;
2. ``jsna ingest``: the geography and every declared source into the store;
3. ``jsna compute``: every indicator, area, comparison, trend (incremental);
4. ``jsna findings``: the key findings generated from the results;
5. ``jsna export``: the published results at the JSNA area's level as CSV under ``--out``;
6. ``jsna build``: the static website, data twins and PDFs into ``--out``/site;
7. ``jsna serve``: that site at http://127.0.0.1:8000/ until Ctrl+C (``--no-serve`` stops
   after the build).

A second run finds nothing changed in the store and only rebuilds the site.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from jsna.content.mirror import MIRROR_ENV, data_mirror
from jsna.content.project_files import load_project

from .build import build
from .check import check
from .compute import compute, export
from .findings import findings
from .ingest import ingest
from .serve import serve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trafford"
"""The example project shipped with the repository."""


@click.command()
@click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=EXAMPLE,
    show_default="examples/trafford",
    help="The project to build (another project works the same way).",
)
@click.option("--db", "url", metavar="URL", help="Database URL (default: PROJECT/.jsna/jsna.db).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Folder for the exported results and the site (OUT/site).",
)
@click.option("--no-pdf", is_flag=True, help="Build the site without its PDFs (faster).")
@click.option("--no-serve", is_flag=True, help="Stop after the build instead of serving the site.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars and no step summaries.")
@click.pass_context
def demo(
    ctx: click.Context,
    project: Path,
    url: str | None,
    out: Path,
    no_pdf: bool,
    no_serve: bool,
    port: int,
    quiet: bool,
) -> None:
    """Build the Trafford example JSNA from nothing and serve its website.

    Steps: check, ingest, compute, findings, export, build (site, data twins
    and PDFs in OUT/site), then serve it at http://127.0.0.1:PORT/ until
    Ctrl+C.

    The data are read from $JSNA_DATA_MIRROR (default ../shared/data beside
    the repository). The store is PROJECT/.jsna/jsna.db unless --db names
    another (SQLite or PostgreSQL).
    """
    if not (data_mirror() / "england").is_dir():
        raise click.ClickException(
            f"no data at {data_mirror()}: set {MIRROR_ENV} to the folder holding england/ "
            "and the area folders"
        )
    timings: list[tuple[str, float]] = []

    def step(name: str, command: click.Command, **arguments: object) -> None:
        click.secho(f"\n== {name}", bold=True, err=True)
        start = time.perf_counter()
        ctx.invoke(command, **arguments)
        timings.append((name, time.perf_counter() - start))

    step("check", check, project=project, strict=True)
    step("ingest", ingest, project=project, url=url, quiet=quiet)
    step("compute", compute, project=project, url=url, quiet=quiet)
    step("findings", findings, project=project, url=url, limit=10)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "results.csv"
    area_type = load_project(project).config.area.area_type
    step(
        "export",
        export,
        project=project,
        indicator_id="all",
        area_type=area_type,
        out=target,
        url=url,
    )
    click.echo(f"\nPublished results, every indicator by {area_type}: {target}")
    site = out / "site"
    step(
        "build",
        build,
        project=project,
        out=site,
        url=url,
        no_pdf=no_pdf,
        only_profiles=(),
        workers=None,
        quiet=quiet,
    )
    click.echo(
        "Steps: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings)
        + f"; total {sum(seconds for _, seconds in timings):.1f} s"
    )
    if not no_serve:
        ctx.invoke(
            serve,
            project=project,
            site=site,
            url=url,
            host="127.0.0.1",
            port=port,
            secure_cookies=False,
            static_only=False,
        )
