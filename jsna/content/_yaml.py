"""Reading YAML content files with line numbers, and turning validation errors into problems.

Every content file (``jsna.yml``, ``indicators/*.yml``, chapter front matter,
``sources/*.yml``) is read the same way: the YAML is parsed once for its data
and once for the line of every key, so a pydantic error becomes
``path:line: field: message``, the form ``jsna check`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = [
    "Lines",
    "Parsed",
    "compose_and_load",
    "field_problems",
    "line_of",
    "parse_yaml",
    "read_text",
    "validate",
]

Lines = dict[tuple[Any, ...], int]
"""Key path (``("columns", "value")``, list items by index) -> 1-based line."""

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Parsed:
    """A YAML mapping with the line of every key; ``problems`` when it could not be read."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: Lines = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def _index(node: yaml.Node, path: tuple[Any, ...], lines: Lines, offset: int) -> None:
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            lines[child] = key.start_mark.line + 1 + offset
            _index(value, child, lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            _index(item, (*path, number), lines, offset)


def line_of(loc: tuple[Any, ...], lines: Lines) -> int:
    """The line of ``loc``, or of its nearest parent that has one (1 if none)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def read_text(path: Path) -> tuple[str | None, str | None]:
    """The text of ``path``, or a problem (not UTF-8, unreadable)."""
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as error:
        return None, f"{path}:1: (file): not UTF-8 text (byte {error.start})"
    except OSError as error:
        return None, f"{path}:1: (file): cannot read ({error.strerror})"


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it (about 8x faster), else the pure-Python one."""


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse ``text`` once: the node tree (for line numbers) and the data built from it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def parse_yaml(path: Path, text: str, *, first_line: int = 1) -> Parsed:
    """Parse ``text`` (from ``path``, starting at ``first_line``) as one YAML mapping."""
    offset = first_line - 1
    try:
        node, data = compose_and_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        last = max(1, len(text.splitlines()))  # the end of the text is its last line
        line = (min(mark.line + 1, last) if mark is not None else 1) + offset
        reason = getattr(error, "problem", None) or str(error)
        return Parsed(problems=(f"{path}:{line}: (yaml): broken YAML: {reason}",))
    if not isinstance(data, dict) or node is None:
        return Parsed(
            problems=(f"{path}:{first_line}: (file): must be a mapping of keys to values",)
        )
    lines: Lines = {}
    _index(node, (), lines, offset)
    return Parsed(data=data, lines=lines)


def field_problems(
    path: Path, error: ValidationError, lines: Lines, prefix: tuple[Any, ...] = ()
) -> list[str]:
    """One ``path:line: field: message`` per pydantic error, in line order, without repeats.

    ``prefix`` is the key path of the validated part within the file (e.g.
    ``("geographies",)`` when only that section was validated).
    """
    found: list[tuple[int, str]] = []
    for item in error.errors():
        loc = tuple(
            part
            for part in item["loc"]
            if not str(part).startswith("function-") and "[" not in str(part)
        )
        loc = prefix + tuple(part for part in loc if part not in ("str", "int", "float", "list"))
        name = ".".join(str(part) for part in loc) or "(file)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "missing (required)"
        line = line_of(loc, lines)
        found.append((line, f"{path}:{line}: {name}: {message}"))
    return list(dict.fromkeys(text for _, text in sorted(found, key=lambda pair: pair[0])))


def validate(
    model: type[Model], path: Path, parsed: Parsed, extra: dict[str, Any] | None = None
) -> tuple[Model | None, list[str]]:
    """``parsed`` validated as ``model`` (plus ``extra`` keys), or its problems."""
    if parsed.problems:
        return None, list(parsed.problems)
    try:
        return model.model_validate({**parsed.data, **(extra or {})}), []
    except ValidationError as error:
        return None, field_problems(path, error, parsed.lines)
