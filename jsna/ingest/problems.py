"""What can be wrong with an imported file, and the limits that keep hostile files harmless."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jsna.errors import InputFileError

__all__ = ["MAX_SHOWN", "ImportRejectedError", "Limits", "Problem", "shown_value"]

MAX_SHOWN = 1000
"""At most this many problems are listed in an error message (all are counted)."""


@dataclass(frozen=True)
class Limits:
    """Limits on imported files; larger files are refused with a clear message."""

    max_file_bytes: int = 500 * 1024 * 1024
    """Largest file accepted (default 500 MB)."""
    max_field_chars: int = 1000
    """Longest cell accepted in a column that is read."""


def shown_value(value: object, width: int = 40) -> str:
    """A cell value as shown in a problem: quoted, control characters escaped, shortened."""
    text = repr(str(value))
    if len(text) > width:
        text = text[: width - 4] + "...'"
    return text


@dataclass(frozen=True)
class Problem:
    """One broken rule in one cell: printed as ``file:row:column: rule (value)``."""

    file: str
    row: int
    column: str
    rule: str
    value: object = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.rule} ({shown_value(self.value)})"


class ImportRejectedError(InputFileError):
    """A file broke one or more rules; nothing was written. ``problems`` lists them all."""

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = [str(problem) for problem in self.problems[:MAX_SHOWN]]
        if count > MAX_SHOWN:
            lines.append(f"... and {count - MAX_SHOWN} more problems")
        heading = f"{count} problem{'s' if count != 1 else ''}, nothing imported:"
        super().__init__(path, "\n".join([heading, *lines]))
