"""Entry point of the ``jsna`` command: sub-commands, and errors turned into exit codes."""

from __future__ import annotations

import sys

import click

from jsna import __version__
from jsna.errors import USER_ERRORS

from .check import check
from .db import db
from .demo import demo
from .geography import geography
from .ingest import changes, import_, ingest
from .new import new
from .stats import stats

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
      jsna demo                      recompute real Trafford indicators, checked against Fingertips
      jsna stats METHOD FILE.csv     one official indicator method on a spreadsheet
      jsna geography load            ONS areas, lookups and boundaries into the store
      jsna ingest PROJECT            every declared data source of a project into the store
      jsna changes --since DATE      what changed since an earlier vintage

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
