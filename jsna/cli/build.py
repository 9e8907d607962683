"""``jsna build``: publish a project as a static website, data twins and PDFs.

``jsna build`` runs the steps an analyst would run by hand: check the
project, ingest its sources and compute its indicators (both incremental, so
a second build with nothing changed skips them in seconds), then build the
site (:func:`jsna.render.build.build_site`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.progress import Progress

from jsna.errors import ContentError, JsnaError
from jsna.store.engine import DATABASE_ENV

from .progress import progress_bars

if TYPE_CHECKING:
    from jsna.content.project_files import Project
    from jsna.render.build import BuildSummary

__all__ = ["DEFAULT_OUT", "build"]

EXIT_PROBLEMS = 1
DEFAULT_OUT = Path("site")


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(EXIT_PROBLEMS)


class _Bars:
    """One rich progress bar per stage on standard error (none when quiet or not a terminal)."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


@contextmanager
def _bars(quiet: bool) -> Iterator[_Bars]:
    with progress_bars(quiet) as progress:
        yield _Bars(progress)


def _summary_lines(summary: BuildSummary, steps: dict[str, float]) -> list[str]:
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.seconds.items())
    before = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items())
    return [
        f"{summary.pages} pages, {summary.figures} figures ({summary.svgs} charts drawn), "
        f"{summary.pdfs} PDFs, {summary.files} files; largest chapter page "
        f"{summary.largest_chapter_kb:.0f} KB",
        f"Steps: {before}; site {summary.total_seconds:.1f} s ({stages})",
        f"Site: {summary.out.resolve()}",
        f"Look at it: jsna serve --site {summary.out}",
    ]


@click.command()
@click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder for the site (emptied first; jsna refuses a non-empty folder it did not build).",
)
@click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)
@click.option("--no-pdf", is_flag=True, help="Skip the PDFs (a much faster build while writing).")
@click.option(
    "--only-profiles",
    "only_profiles",
    multiple=True,
    metavar="AREA_TYPE",
    help="Area profiles of this area type only (repeatable; default: publication.profiles).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes drawing charts and printing PDFs (default: the number of CPUs).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars and no summary.")
def build(
    project: Path,
    out: Path,
    url: str | None,
    no_pdf: bool,
    only_profiles: tuple[str, ...],
    workers: int | None,
    quiet: bool,
) -> None:
    """Build PROJECT's JSNA as a static website in --out (default ./site).

    \b
    Steps, each skipped quickly when nothing changed:
      check    every file of the project (problems stop the build)
      ingest   new or changed source files into the store
      compute  indicators whose inputs changed
      site     pages, charts (SVG and interactive), data twins, search,
               feed, PDFs, and this edition kept in the archive folder

    \b
    The site is plain files with relative links: open index.html, copy the
    folder to any web host (any sub-folder works), or look at it with
    'jsna serve'. Every page X.html has X.json and X.csv with exactly the
    figures it shows. The edition (publication.edition in jsna.yml) is also
    kept in PROJECT/editions/<edition>/ and listed at editions/index.html.

    \b
    Examples:
      jsna build examples/trafford                the Trafford example, into ./site
      jsna build my-jsna --out public --no-pdf    a quick build while writing
    """
    # Imported here: 'jsna serve' and 'jsna --help' need none of the build stack.
    from jsna.compute import compute_project
    from jsna.content.project_files import check_project
    from jsna.ingest.pipeline import ingest_project
    from jsna.render.build import build_site
    from jsna.store import open_store

    steps: dict[str, float] = {}
    start = time.perf_counter()
    report = check_project(project)
    if not report.passed() or report.project is None:
        _fail(
            [f"error: {len(report.problems)} problem(s) in the project:", *report.problems]
            if report.problems
            else ["error: the project could not be loaded"]
        )
        return
    loaded = _with_profiles(report.project, only_profiles)
    steps["check"] = time.perf_counter() - start
    try:
        engine = open_store(project, url)
        try:
            with _bars(quiet) as bars:
                start = time.perf_counter()
                outcome = ingest_project(engine, project)
                steps["ingest"] = time.perf_counter() - start
                if outcome.failures:
                    lines = [f"error: {key}: {error}" for key, error in outcome.failures.items()]
                    _fail([*lines, "error: some sources were not imported: nothing built"])
                start = time.perf_counter()
                computed = compute_project(engine, loaded)
                steps["compute"] = time.perf_counter() - start
                if computed.failed:
                    _fail(
                        [f"error: {key}: {text}" for key, text in sorted(computed.failed.items())]
                    )
                with engine.connect() as connection:
                    summary = build_site(
                        loaded, connection, out, pdf=not no_pdf, progress=bars, workers=workers
                    )
        finally:
            engine.dispose()
    except ContentError as error:
        _fail([f"error: {len(error.problems)} problem(s):", *error.problems])
        return
    except JsnaError as error:
        _fail([f"error: {error}"])
        return
    if not quiet:
        for line in _summary_lines(summary, steps):
            click.echo(line)


def _with_profiles(project: Project, only: tuple[str, ...]) -> Project:
    """The project with area profiles for ``only`` these area types (all declared when empty)."""
    if not only:
        return project
    unknown = [name for name in only if name not in project.config.publication.profiles]
    if unknown:
        known = ", ".join(project.config.publication.profiles) or "none"
        raise click.BadParameter(
            f"{unknown[0]!r} is not in publication.profiles of jsna.yml ({known})",
            param_hint="--only-profiles",
        )
    publication = project.config.publication.model_copy(update={"profiles": only})
    config = project.config.model_copy(update={"publication": publication})
    return replace(project, config=config)
