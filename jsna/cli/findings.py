"""``jsna findings``: the key findings generated from a project's published results.

Prints every finding with its id, so the analyst can pin, order, annotate or
hide it under ``findings:`` in ``jsna.yml``; edits naming no current finding
are reported as warnings on standard error.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import click
import pandas as pd

from jsna.compute.findings import REQUIRED, FindingsResult, key_findings
from jsna.content.project_files import load_project
from jsna.errors import InputFileError
from jsna.store import open_store
from jsna.store.areas import areas_within
from jsna.store.engine import DATABASE_ENV
from jsna.store.results import published_results

__all__ = ["findings"]

_TEXT_COLUMNS = (
    "indicator_id",
    "area_code",
    "area_name",
    "area_type",
    "period",
    "sex",
    "age",
    "breakdown_type",
    "breakdown",
    "trend",
)


def read_previous(path: Path) -> pd.DataFrame:
    """Published results of an earlier edition, from a CSV written by ``jsna export``."""
    try:
        frame = pd.read_csv(
            path,
            dtype=dict.fromkeys(_TEXT_COLUMNS, str),
            keep_default_na=False,
            na_values=[""],
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputFileError(path, f"cannot read the previous results: {error}") from error
    missing = [name for name in REQUIRED if name not in frame.columns]
    if missing:
        raise InputFileError(
            path,
            "not a results export: no column " + ", ".join(repr(name) for name in missing),
        )
    if "suppressed" in frame.columns and frame["suppressed"].dtype != bool:
        frame["suppressed"] = frame["suppressed"].astype(str).str.lower().isin(["true", "1"])
    return frame


def _clean(value: Any) -> Any:
    """NaN and None as None (null in JSON, empty in CSV)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _as_text(outcome: FindingsResult, title: str) -> str:
    """Numbered findings with their ids, for people."""
    count = len(outcome.findings)
    lines = [
        f"{count} key finding{'s' if count != 1 else ''} for {title}. "
        "Pin, order, annotate or hide one by its id under findings: in jsna.yml.",
    ]
    for number, finding in enumerate(outcome.findings, start=1):
        flag = "  [pinned" + (f", order {finding.order}" if finding.order is not None else "") + "]"
        lines += ["", f"{number:>2}. {finding.id}{flag if finding.pinned else ''}"]
        lines.append(f"    {finding.text}")
    if outcome.hidden:
        lines += ["", f"Hidden by jsna.yml: {', '.join(outcome.hidden)}"]
    return "\n".join(lines)


def _as_csv(outcome: FindingsResult) -> str:
    """One row per finding with every figure (empty cells for none)."""
    records = [finding.as_record() for finding in outcome.findings]
    buffer = io.StringIO()
    columns = list(records[0]) if records else ["id", "kind", "indicator_id", "text"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: "" if _clean(v) is None else v for key, v in record.items()})
    return buffer.getvalue().rstrip("\n")


def _as_json(outcome: FindingsResult) -> str:
    """Findings, hidden ids and unknown edits as one JSON document."""
    document = {
        "findings": [
            {key: _clean(value) for key, value in finding.as_record().items()}
            for finding in outcome.findings
        ],
        "hidden": list(outcome.hidden),
        "unknown_edits": list(outcome.unknown_edits),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


@click.command()
@click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
@click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Show at most this many findings (pinned ones are always shown).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
    help="text for people; csv or json with every figure of each finding.",
)
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    metavar="CSV",
    help="Published results of the previous edition, to find the largest changes since "
    "then: the CSV of 'jsna export --indicator all --area-type TYPE' (TYPE: the JSNA area's).",
)
def findings(
    project: Path, url: str | None, limit: int | None, output_format: str, previous: Path | None
) -> None:
    """Key findings generated from PROJECT's published results (run 'jsna compute' first).

    \b
    Kinds of finding, each a sentence with its numbers and 95% confidence intervals:
      worse_and_worsening  worse than England and getting worse
      worse                worse than England
      gap                  best and worst small area (ward, practice, locality ...)
      deprivation_gap      most and least deprived decile, with the slope index of inequality
      change               moved beyond the intervals since the previous edition (--previous)
      better               better than England

    Each finding has an id such as worse/smoking/E08000009; list it under
    findings: in jsna.yml with pin, order, note or hide to edit it.
    """
    loaded = load_project(project)
    earlier = read_previous(previous) if previous is not None else None
    engine = open_store(project, url)
    try:
        with engine.connect() as connection:
            results = published_results(connection)
            within = areas_within(connection, loaded.config.area.code, loaded.config.area.area_type)
    finally:
        engine.dispose()
    if results.empty:
        click.echo(
            "No published results in the store: run 'jsna ingest' and 'jsna compute' first.",
            err=True,
        )
    outcome = key_findings(
        results, loaded.indicators, loaded.config, previous=earlier, within=within, limit=limit
    )
    for warning in outcome.unknown_edits:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "csv":
        click.echo(_as_csv(outcome))
    elif output_format == "json":
        click.echo(_as_json(outcome))
    else:
        click.echo(_as_text(outcome, loaded.config.title))
