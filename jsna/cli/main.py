"""Entry point of the ``jsna`` command: sub-commands, and errors turned into exit codes."""

from __future__ import annotations

import sys

import click

from jsna import __version__
from jsna.errors import USER_ERRORS

from .db import db
from .demo import demo
from .geography import geography
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

    Official-method indicator statistics (as OHID Fingertips computes them),
    from the command line or from Python (import jsna.stats).
    """
    ctx.obj = {"traceback": traceback}


cli.add_command(stats)
cli.add_command(demo)
cli.add_command(db)
cli.add_command(geography)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; a user error prints one line and exits with code 1."""
    try:
        cli.main(args=argv, prog_name="jsna", standalone_mode=False)
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
