"""The one error tree of jsna.

::

    Exception
    ├── ValueError
    │   └── jsna.stats.StatsInputError   bad input to a statistics function
    └── JsnaError                        every other error jsna raises on purpose
        ├── ContentError                 a project content file (YAML) is broken or breaks a rule
        ├── InputFileError               a file a user gave us is unreadable or breaks a rule
        │   └── ImportRejectedError      every problem of a refused import (jsna.ingest.problems)
        └── StoreError                   the database cannot be reached, or is not up to date

``jsna.stats`` is a pure layer that imports nothing from ``jsna``, so its
``StatsInputError`` stands beside this tree rather than under it; the command
line treats both the same way. Only ``jsna.web`` maps errors to HTTP status
codes and only ``jsna.cli`` maps them to exit codes and one-line messages.
"""

from __future__ import annotations

from pathlib import Path

from jsna.stats import StatsInputError

__all__ = [
    "USER_ERRORS",
    "ContentError",
    "InputFileError",
    "JsnaError",
    "StatsInputError",
    "StoreError",
]


class JsnaError(Exception):
    """Base of the errors jsna raises deliberately, with a message meant for a person."""


class ContentError(JsnaError):
    """Project content (e.g. ``sources/*.yml``) is broken; ``problems`` are ``path:line: ...``."""

    def __init__(self, problems: list[str]):
        count = len(problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the project content:"
        super().__init__("\n".join([heading, *problems]))
        self.problems = list(problems)


class InputFileError(JsnaError):
    """A file given by the user cannot be used; the message names the file, row and column."""

    def __init__(
        self, path: Path | str, message: str, *, row: int | None = None, column: str | None = None
    ):
        where = str(path)
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.row = row
        self.column = column


class StoreError(JsnaError):
    """The store cannot be used: unreachable, unsupported URL, or not migrated."""


USER_ERRORS: tuple[type[Exception], ...] = (JsnaError, StatsInputError)
"""Errors caused by what the user gave us: reported in one line, never as a traceback."""
