"""The command-line reference (``docs/cli.md``), generated from ``--help``.

``python -m jsna.cli.reference > docs/cli.md`` (``make docs``) writes it; a
test fails when the committed file differs, so the docs cannot drift.
"""

from __future__ import annotations

import click

from .main import cli


def _walk(context: click.Context) -> list[click.Context]:
    """The context of a command and of every sub-command under it, depth first."""
    found = [context]
    command = context.command
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                found.extend(_walk(click.Context(sub, info_name=name, parent=context)))
    return found


def cli_reference() -> str:
    """Markdown with the ``--help`` of every command and sub-command."""
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `make docs`; do not edit by hand.",
    ]
    root = click.Context(cli, info_name="jsna", terminal_width=100, **cli.context_settings)
    for context in _walk(root):
        parts += ["", f"## `{context.command_path}`", "", "```text", context.get_help(), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    click.echo(cli_reference(), nl=False)
