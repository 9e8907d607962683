"""``jsna voices import``: community-voices responses into the store, checked whole."""

from __future__ import annotations

from pathlib import Path

import click

from jsna.analysis.voices import VoicesRejectedError
from jsna.analysis.voices_store import import_survey, screen_survey
from jsna.content.project_files import load_project
from jsna.content.voices import load_voices
from jsna.errors import ContentError, JsnaError

from .ingest import DB, EXIT_PROBLEMS, QUIET, _engine

__all__ = ["voices"]


@click.group()
def voices() -> None:
    """Community voices: survey and engagement responses (voices/ in the project)."""


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(EXIT_PROBLEMS)


@voices.command("import")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--survey", "survey_id", metavar="ID", help="The survey FILE belongs to.")
@click.option(
    "--strip",
    is_flag=True,
    help="Remove e-mail addresses, phone numbers, postcodes and NHS numbers from the free "
    "text instead of refusing the file.",
)
@DB
@QUIET
def import_(
    project: Path,
    file: Path | None,
    survey_id: str | None,
    strip: bool,
    url: str | None,
    quiet: bool,
) -> None:
    """Import the responses of PROJECT's surveys (voices/*.yml) into the store.

    \b
    Without FILE, every declared survey's own file (or only --survey's).
    With FILE (CSV or xlsx, e.g. a raw export kept outside the project), FILE
    is imported for the survey --survey names, or whose declared file it is.

    The whole file is checked first: personal data (e-mail addresses, UK phone
    numbers, full postcodes, NHS numbers, columns of names) and bad values are
    listed by row and column and nothing is written. Analysts' theme codes of
    responses still in the file are kept.
    """
    try:
        loaded = load_project(project)
        declared = load_voices(project)
        if file is not None and survey_id is None:
            found = declared.survey_for_file(file)
            if found is None:
                _fail([f"error: {file} is not a declared survey's file: name it with --survey"])
                return
            survey_id = found.id
        if survey_id is not None and survey_id not in declared.surveys:
            known = ", ".join(sorted(declared.surveys)) or "none"
            _fail([f"error: no survey {survey_id!r} in {declared.folder} (declared: {known})"])
            return
        wanted = [survey_id] if survey_id else list(declared.surveys)
        if not wanted:
            _fail([f"error: no surveys are declared in {declared.folder}"])
            return
        with _engine(project, url) as engine, engine.begin() as connection:
            done = []
            for one in wanted:
                survey = declared.surveys[one]
                path = file if file is not None else declared.data_file(one)
                screened = screen_survey(connection, loaded, declared, survey, path, strip=strip)
                done.append(
                    import_survey(connection, survey, screened, file_name=path.name, actor="cli")
                )
    except VoicesRejectedError as error:
        count = len(error.problems)
        heading = f"error: {count} problem{'s' if count != 1 else ''} in {error.path}, "
        _fail([heading + "nothing imported:", *(str(p) for p in error.problems)])
        return
    except ContentError as error:
        _fail([f"error: {len(error.problems)} problems in the project:", *error.problems])
        return
    except JsnaError as error:
        _fail([f"error: {error}"])
        return
    if not quiet:
        for result in done:
            line = f"{result.survey_id}: {result.status} ({result.rows} responses)"
            if result.stripped:
                items = "item" if result.stripped == 1 else "items"
                line += f", {result.stripped} personal data {items} removed"
            if result.kept_codes:
                line += f", analysts' themes kept for {result.kept_codes}"
            click.echo(line)
