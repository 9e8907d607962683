"""The command-line reference (``docs/cli.md``), generated from ``--help``.

``python -m jsna.cli.reference > docs/cli.md`` (``make docs``) writes it; a
test fails when the committed file differs, so the docs cannot drift.
"""

from __future__ import annotations

import click

from .main import cli


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        context = click.Context(command, info_name=path[-1])
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                found.extend(_walk(sub, [*path, name]))
    return found


def cli_reference() -> str:
    """Markdown with the ``--help`` of every command and sub-command."""
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `make docs`; do not edit by hand.",
    ]
    for path, command in _walk(cli, ["jsna"]):
        parent = None
        for name in path:
            parent = click.Context(command, info_name=name, parent=parent, terminal_width=100)
        assert parent is not None
        parts += ["", f"## `{' '.join(path)}`", "", "```text", command.get_help(parent), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    click.echo(cli_reference(), nl=False)
