"""``jsna ingest``, ``jsna import`` and ``jsna changes``: load declared sources, see what changed.

Problems are printed one per line as ``file:row:column: rule (value)`` on
standard error and the command exits with code 1; a failed import writes
nothing (one transaction per file).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import Progress, TaskID
from sqlalchemy import Engine

from jsna.content.sources import load_sources
from jsna.errors import ContentError, JsnaError
from jsna.ingest.changes import changes_since, resolve_since
from jsna.ingest.pipeline import ImportResult, import_file, ingest_project
from jsna.ingest.pipeline import Progress as Report
from jsna.ingest.problems import ImportRejectedError, Limits
from jsna.store import open_store
from jsna.store.engine import DATABASE_ENV

from .progress import progress_bars

EXIT_PROBLEMS = 1

PROJECT = click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
DB = click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)
QUIET = click.option("--quiet", "-q", is_flag=True, help="No progress bars or summaries.")
MAX_MB = click.option(
    "--max-file-mb",
    type=click.IntRange(min=1),
    default=Limits().max_file_bytes // (1024 * 1024),
    show_default=True,
    help="Refuse files larger than this many megabytes.",
)


def _limits(max_file_mb: int) -> Limits:
    return Limits(max_file_bytes=max_file_mb * 1024 * 1024)


def _error_lines(error: JsnaError, label: str | None = None) -> list[str]:
    """An error as lines to print: problems one per line, after a heading."""
    prefix = f"{label}: " if label else ""
    if isinstance(error, ImportRejectedError):
        count = len(error.problems)
        heading = f"error: {prefix}{count} problem{'s' if count != 1 else ''} in "
        heading += f"{error.path}, nothing imported:"
        return [heading, *(str(problem) for problem in error.problems)]
    if isinstance(error, ContentError):
        count = len(error.problems)
        noun = "problem" if count == 1 else "problems"
        return [f"error: {prefix}{count} {noun} in the sources:", *error.problems]
    return [f"error: {prefix}{error}"]


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(EXIT_PROBLEMS)


def _summary(result: ImportResult) -> str:
    if result.status == "unchanged":
        return f"{result.source_id}: unchanged (version {result.version_id}, {result.rows} rows)"
    if result.status == "restored":
        return f"{result.source_id}: file as in version {result.version_id}, made current again"
    return (
        f"{result.source_id}: imported version {result.version_id} "
        f"({result.rows:,} rows) from {result.file}"
    )


class _Bars:
    """Rich progress bars on standard error, one per source (none when quiet or not a terminal)."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def for_source(self, source_id: str) -> Report:
        """A ``progress(step, done, total)`` callback for one source."""

        def report(step: str, done: int, total: int) -> None:
            if self.progress is None:
                return
            if source_id not in self.tasks:
                self.tasks[source_id] = self.progress.add_task(source_id, total=None)
            self.progress.update(
                self.tasks[source_id],
                description=f"{source_id}: {step}",
                completed=done,
                total=total or None,
            )

        return report


@contextmanager
def _bars(quiet: bool) -> Iterator[_Bars]:
    with progress_bars(quiet) as progress:
        yield _Bars(progress)


@contextmanager
def _engine(project: Path, url: str | None) -> Iterator[Engine]:
    engine = open_store(project, url)
    try:
        yield engine
    finally:
        engine.dispose()


@click.command()
@PROJECT
@click.option(
    "--source", "sources", multiple=True, metavar="ID", help="Only this source (repeatable)."
)
@DB
@QUIET
@MAX_MB
def ingest(
    project: Path, sources: tuple[str, ...], url: str | None, quiet: bool, max_file_mb: int
) -> None:
    """Load every declared source (sources/*.yml) of PROJECT into the store.

    Each file is checked completely before anything is written, and written in
    one transaction. An unchanged file creates nothing; a changed file becomes a
    new version of its source (the old one stays queryable).
    """
    try:
        with _engine(project, url) as engine, _bars(quiet) as bars:
            outcome = ingest_project(
                engine,
                project,
                list(sources) or None,
                limits=_limits(max_file_mb),
                progress=bars.for_source,
            )
    except JsnaError as error:
        _fail(_error_lines(error))
        return
    if not quiet:
        for result in outcome.results:
            click.echo(_summary(result))
    if outcome.failures:
        lines: list[str] = []
        for source_id, failure in outcome.failures.items():
            lines.extend(_error_lines(failure, source_id))
        total = len(outcome.failures) + len(outcome.results)
        lines.append(f"error: {len(outcome.failures)} of {total} sources not imported")
        _fail(lines)


@click.command("import")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.argument("source_id")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@DB
@QUIET
@MAX_MB
def import_(
    project: Path, source_id: str, file: Path, url: str | None, quiet: bool, max_file_mb: int
) -> None:
    """Load FILE as a new version of the declared source SOURCE_ID of PROJECT.

    Use it when a publisher releases a new file: the declaration (columns,
    filters, geography) of the source is applied to FILE.
    """
    try:
        declared = load_sources(project, [source_id])[source_id]
        with _engine(project, url) as engine, _bars(quiet) as bars:
            result = import_file(
                engine,
                project,
                declared,
                file,
                limits=_limits(max_file_mb),
                progress=bars.for_source(source_id),
            )
    except JsnaError as error:
        _fail(_error_lines(error))
        return
    if not quiet:
        click.echo(_summary(result))


@click.command()
@PROJECT
@click.option(
    "--since",
    required=True,
    metavar="VERSION_OR_DATE",
    help="A dataset version number, or a date (YYYY-MM-DD, start of the day, UTC).",
)
@DB
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV instead of a table.")
def changes(project: Path, since: str, url: str | None, as_csv: bool) -> None:
    """List the figures whose value, or comparison with England, changed since a version or date.

    Compares the current version of every source with the version that was
    current at that time: new, removed and changed values, and changes of
    significance against England (95% limits, where both have them).
    """
    try:
        with _engine(project, url) as engine, engine.connect() as connection:
            moment = resolve_since(connection, since)
            found = changes_since(connection, moment)
    except JsnaError as error:
        _fail(_error_lines(error))
        return
    if as_csv:
        click.echo(found.to_csv(index=False), nl=False)
        return
    if found.empty:
        click.echo(f"No changes since {moment:%Y-%m-%d %H:%M} UTC.")
        return
    click.echo(f"{len(found)} changes since {moment:%Y-%m-%d %H:%M} UTC:")
    click.echo(found.to_string(index=False, na_rep=""))
