"""Entry point of the ``jsna`` command."""

from __future__ import annotations

import click

from jsna import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jsna")
def cli() -> None:
    """jsna: a Joint Strategic Needs Assessment as code."""


def main() -> None:
    """Run the command line."""
    cli()
