"""``jsna compute`` and ``jsna export``: compute a project's indicators, write published results.

``jsna compute`` recomputes only the indicators whose inputs changed (their
definition, the dataset versions they read, the geography, the disclosure
rules); ``--force`` recomputes all. ``jsna export`` writes the published
results (after disclosure control) as CSV or as one JSON envelope
``{"data": [...], "meta": {...}}``, the shape of the site's downloads.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pandas as pd
from sqlalchemy import Engine, select

from jsna import __version__
from jsna.compute import ComputeSummary, compute_project
from jsna.content.project_files import load_project
from jsna.errors import ContentError, JsnaError
from jsna.store import open_store
from jsna.store.engine import DATABASE_ENV
from jsna.store.results import published_results
from jsna.store.schema import compute_state, result

from .progress import progress_bars

__all__ = ["compute", "export"]

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


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(EXIT_PROBLEMS)


def _error_lines(error: JsnaError) -> list[str]:
    if isinstance(error, ContentError):
        count = len(error.problems)
        noun = "problem" if count == 1 else "problems"
        return [f"error: {count} {noun} in the project:", *error.problems]
    return [f"error: {error}"]


@contextmanager
def _engine(project: Path, url: str | None) -> Iterator[Engine]:
    engine = open_store(project, url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _bar(quiet: bool) -> Iterator[Any]:
    """A rich progress bar on standard error (None when quiet or not a terminal)."""
    with progress_bars(quiet) as progress:
        yield progress


def _report(summary: ComputeSummary) -> list[str]:
    lines = [f"warning: {text}" for text in summary.warnings]
    lines.append(
        f"{len(summary.computed)} indicator(s) computed, {len(summary.skipped)} unchanged "
        f"(skipped), {len(summary.failed)} failed; {summary.result_rows:,} result rows "
        f"in {summary.seconds:.2f} s"
    )
    return lines


@click.command()
@PROJECT
@click.option("--force", is_flag=True, help="Recompute every indicator, changed or not.")
@DB
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def compute(project: Path, force: bool, url: str | None, quiet: bool) -> None:
    """Compute every indicator of PROJECT from the store and publish the results.

    For every area type, breakdown and period: the official method from
    counts (or the published value), comparison with each comparator of
    jsna.yml, trend markers, quintiles, then disclosure control. Only the
    indicators whose inputs changed since the last run are recomputed.
    """
    try:
        loaded = load_project(project)
        with _engine(project, url) as engine, _bar(quiet) as bar:
            task = None
            if bar is not None:
                task = bar.add_task("computing", total=len(loaded.indicators))

            def progress(indicator_id: str, done: int, total: int) -> None:
                if bar is not None and task is not None:
                    bar.update(task, description=indicator_id, completed=done, total=total)

            summary = compute_project(engine, loaded, progress=progress, force=force)
    except JsnaError as error:
        _fail(_error_lines(error))
        return
    if not quiet:
        for line in _report(summary):
            click.echo(line)
    if summary.failed:
        _fail([f"error: {key}: {text}" for key, text in sorted(summary.failed.items())])


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN and NA as null)."""
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for record in records:
        for key, value in record.items():
            if isinstance(value, float) and math.isnan(value):
                record[key] = None
    return records


@click.command()
@PROJECT
@click.option(
    "--indicator", "indicator_id", required=True, metavar="ID|all", help="Indicator id, or all."
)
@click.option("--area-type", "area_type", required=True, metavar="TYPE", help="e.g. ltla23.")
@click.option("--period", metavar="P", help="Only this period, as published (e.g. 2019/20).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Output file (default: stdout)."
)
@DB
def export(
    project: Path,
    indicator_id: str,
    area_type: str,
    period: str | None,
    fmt: str,
    out: Path | None,
    url: str | None,
) -> None:
    """Write the published results of one indicator (or all computed ones) for one area type.

    Columns (docs/compute.md): area code and name, period, breakdown,
    numerator, denominator, value and limits, comparison with each
    comparator and its value, trend, quintile, and whether the cell is
    suppressed and why. Suppressed cells have their count, value and limits
    blank.
    """
    try:
        loaded = load_project(project)
        if indicator_id != "all" and indicator_id not in loaded.indicators:
            known = ", ".join(sorted(loaded.indicators))
            _fail([f"error: unknown indicator {indicator_id!r}; indicators: {known}"])
        if area_type not in loaded.area_types():
            known = ", ".join(loaded.area_types())
            _fail([f"error: area type {area_type!r} is not in jsna.yml area_types ({known})"])
        wanted = None if indicator_id == "all" else indicator_id
        with _engine(project, url) as engine, engine.connect() as connection:
            computed = set(connection.scalars(select(compute_state.c.indicator_id)))
            asked = sorted(loaded.indicators) if wanted is None else [wanted]
            missing = [key for key in asked if key not in computed]
            if wanted is None and len(missing) < len(asked):
                missing = []  # all: export what is computed
            if missing:
                _fail(
                    [
                        f"error: {', '.join(missing)} not computed yet: run 'jsna compute "
                        f"{project}' first"
                    ]
                )
            has_type = connection.execute(
                select(result.c.id).where(result.c.area_type == area_type).limit(1)
            ).first()
            if has_type is None:
                _fail(
                    [
                        f"error: no results for area type {area_type!r}: no indicator is "
                        f"computed for it yet (run 'jsna compute {project}' first)"
                    ]
                )
            frame = published_results(connection, wanted, area_type, period)
            if frame.empty:
                query = select(result.c.period).where(result.c.area_type == area_type)
                if wanted is not None:
                    query = query.where(result.c.indicator_id == wanted)
                periods = sorted(set(connection.scalars(query.distinct())))
                asked = f"period {period!r}" if period else "these options"
                _fail(
                    [
                        f"error: no results for {asked}; periods computed for {area_type}: "
                        + (", ".join(periods) or "none")
                    ]
                )
    except JsnaError as error:
        _fail(_error_lines(error))
        return
    if fmt == "csv":
        text = frame.to_csv(index=False, lineterminator="\n")
    else:
        meta = {
            "indicator": indicator_id,
            "area_type": area_type,
            "period": period,
            "rows": len(frame),
            "columns": list(frame.columns),
            "project": loaded.config.title,
            "edition": loaded.config.publication.edition,
            "generator": f"jsna {__version__}",
        }
        text = json.dumps({"data": _records(frame), "meta": meta}, ensure_ascii=False, indent=1)
        text += "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
