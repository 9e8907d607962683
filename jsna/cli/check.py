"""``jsna check``: read every file of a project and report every problem at once.

Problems and warnings are printed one per line as ``path:line: field: message``
(paths relative to the current folder when that is shorter), then one summary
line. The exit code is 1 when there is a problem, or a warning with
``--strict``; 0 otherwise.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from jsna.content.project_files import CHAPTERS_FOLDER, INDICATORS_FOLDER, check_project
from jsna.content.sources import declaration_files

EXIT_PROBLEMS = 1
_WHERE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): ")


def shorten(text: str) -> str:
    """``text`` with its leading path made relative to the current folder, when shorter."""
    match = _WHERE.match(text)
    if match is None:
        return text
    path = match["path"]
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return text
    if len(relative) >= len(path):
        return text
    return relative + text[match.end("path") :]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(root: Path, problems: int, warnings: int) -> str:
    """``12 indicators, 4 chapters, 9 sources: 0 problems, 2 warnings`` (files counted)."""
    indicators = len([*(root / INDICATORS_FOLDER).glob("*.y*ml")])
    chapters = len([*(root / CHAPTERS_FOLDER).glob("*.md")])
    sources = len(declaration_files(root))
    return (
        f"{_count(indicators, 'indicator')}, {_count(chapters, 'chapter')}, "
        f"{_count(sources, 'source')}: {_count(problems, 'problem')}, "
        f"{_count(warnings, 'warning')}"
    )


@click.command()
@click.argument(
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)
@click.option("--strict", is_flag=True, help="Fail on warnings too (use it before publishing).")
def check(project: Path, strict: bool) -> None:
    """Check every file of the project PROJECT (default: the current folder).

    \b
    What is checked, all at once (nothing is loaded half-way):
      jsna.yml          area, comparators, area types, geographies, branding,
                        disclosure, publication and validation levels
      sources/*.yml     each declaration's keys, and that its data file exists
      indicators/*.yml  id = file name, method and its numerator/denominator
                        or value, polarity, licence, a declared source, area
                        types that jsna.yml lists, known comparators
      chapters/*.md     front matter (title, owner, review date, status) and
                        every ```jsna block: its kind, and that the indicators,
                        area types and sources it names exist

    Every problem is printed as path:line: field: message, then the warnings
    (no rationale or owner, review date passed, draft chapter, an indicator no
    chapter shows, a source no indicator reads) and a one-line summary.
    validation.levels in jsna.yml makes any warning rule an error, or turns
    it off.

    Exit code 1 when there is a problem (or a warning, with --strict), else 0.

    \b
    Examples:
      jsna check                          the project in the current folder
      jsna check examples/trafford
      jsna check my-jsna --strict         warnings fail too
    """
    report = check_project(project)
    for problem in report.problems:
        click.echo(shorten(problem))
    for warning in report.warnings:
        click.echo(shorten(warning))
    click.echo(summary(project, len(report.problems), len(report.warnings)))
    if not report.passed(strict=strict):
        raise click.exceptions.Exit(EXIT_PROBLEMS)
