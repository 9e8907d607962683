"""Entry point of the ``jsna`` command: sub-commands, and errors turned into exit codes."""

from __future__ import annotations

import sys

import click

from jsna import __version__
from jsna.errors import USER_ERRORS

from .assets import assets
from .build import build
from .check import check
from .compute import compute, export
from .db import db
from .demo import demo
from .findings import findings
from .geography import geography
from .ingest import changes, import_, ingest
from .new import new
from .priorities import priorities
from .serve import serve
from .stats import stats
from .users import users
from .voices import voices

EXIT_USER_ERROR = 1
"""Exit code when the input was at fault (bad file, bad argument): the message says what to fix."""


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jsna")
@click.option(
    "--traceback", is_flag=True, help="On an error, show the full Python traceback as well."
)
@click.pass_context
def cli(ctx: click.Context, traceback: bool) -> None:
    """jsna: a Joint Strategic Needs Assessment as code.

    \b
    Start here:
      jsna new DIR --area CODE       a new JSNA project for any English local authority
      jsna check PROJECT             every problem of the project's files, at once
      jsna ingest PROJECT            its geography and declared data sources into the store
      jsna compute PROJECT           every indicator, area, comparison, trend (incremental)
      jsna findings PROJECT          key findings generated from the results
      jsna build PROJECT             the static website, data twins and PDFs (into ./site)
      jsna serve PROJECT             the web app: site, dashboards, API, workflow (port 8000)
      jsna users add NAME --role admin   people who sign in to jsna serve
      jsna export PROJECT --indicator ID --area-type TYPE   published results, CSV or JSON
      jsna changes PROJECT --since DATE   what changed since an earlier vintage
      jsna stats METHOD FILE.csv     one official indicator method on a spreadsheet
      jsna demo                      the whole Trafford example, from nothing

    The store is an SQLite file in the project (.jsna/jsna.db) unless --db or
    JSNA_DATABASE_URL names a PostgreSQL database.
    """
    ctx.obj = {"traceback": traceback}


cli.add_command(stats)
cli.add_command(demo)
cli.add_command(db)
cli.add_command(geography)
cli.add_command(ingest)
cli.add_command(import_)
cli.add_command(changes)
cli.add_command(check)
cli.add_command(new)
cli.add_command(compute)
cli.add_command(export)
cli.add_command(findings)
cli.add_command(build)
cli.add_command(serve)
cli.add_command(users)
cli.add_command(assets)
cli.add_command(priorities)
cli.add_command(voices)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; a user error prints one line and exits with code 1."""
    try:
        code = cli.main(args=argv, prog_name="jsna", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_USER_ERROR)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except USER_ERRORS as error:
        if "--traceback" in (argv if argv is not None else sys.argv):
            raise
        click.secho(f"error: {error}", fg="red", err=True)
        sys.exit(EXIT_USER_ERROR)
    # Without standalone mode click returns a command's exit code instead of exiting.
    if isinstance(code, int) and code != 0:
        sys.exit(code)
