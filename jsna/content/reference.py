"""The content reference (``docs/content.md``), generated from the models' field descriptions.

``python -m jsna.content.reference > docs/content.md`` (``make docs``) writes
every key of every project file with its type, default and description, walking
from the model of each file (:class:`ProjectConfig`, :class:`Indicator`, the
chapter front matter and blocks, :class:`Source`) into every nested model. A
test fails when the committed file differs, so the docs cannot drift.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .blocks import ANALYSIS_BLOCKS
from .chapters import (
    AreaSelectorBlock,
    ChapterMeta,
    ChartBlock,
    FindingsBlock,
    IndicatorBlock,
    MapBlock,
    TableBlock,
)
from .indicators import Indicator
from .project import ProjectConfig
from .recommendations import RecommendationsFile
from .sources import Source

__all__ = ["FILES", "content_reference"]

FILES: tuple[tuple[str, str, tuple[type[BaseModel], ...]], ...] = (
    (
        "jsna.yml",
        "The settings of the whole JSNA, one file at the top of the project folder.",
        (ProjectConfig,),
    ),
    (
        "indicators/<id>.yml",
        "One file per indicator; the file name is the indicator's id.",
        (Indicator,),
    ),
    (
        "chapters/<NN>-<id>.md",
        "Markdown with front matter between two `---` lines; ```` ```jsna ```` blocks embed "
        "figures by id. NN orders the chapters.",
        (
            ChapterMeta,
            IndicatorBlock,
            ChartBlock,
            MapBlock,
            TableBlock,
            FindingsBlock,
            AreaSelectorBlock,
            *ANALYSIS_BLOCKS,
        ),
    ),
    (
        "sources/<id>.yml",
        "One file per data source; the file name is the source's id.",
        (Source,),
    ),
    (
        "recommendations.yml",
        "The chapters' recommendations: owner, dates, status and linked indicators (optional).",
        (RecommendationsFile,),
    ),
)
"""Each project file: its path, what it is, and the models of its keys (nested ones follow)."""


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _models_in(annotation: Any) -> Iterable[type[BaseModel]]:
    """Every model class mentioned in a type annotation."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)


def _type(annotation: Any) -> str:
    """A type in words: text, number, list of text, one of a, b ..."""
    if annotation is type(None):
        return "none"
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{_anchor(annotation)})"
    simple = {str: "text", int: "whole number", float: "number", bool: "true/false"}
    if annotation in simple:
        return simple[annotation]
    if getattr(annotation, "__name__", "") == "date":
        return "date (YYYY-MM-DD)"
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in arguments)
    if origin in (typing.Union, types.UnionType):
        shown = [_type(argument) for argument in arguments if argument is not type(None)]
        text = " or ".join(shown)
        return text + (" (optional)" if type(None) in arguments else "")
    if origin in (tuple, list):
        return f"list of {_type(arguments[0])}" if arguments else "list"
    if origin is dict:
        return f"mapping of {_type(arguments[0])} to {_type(arguments[1])}"
    if origin is typing.Annotated:
        return _type(arguments[0])
    return str(annotation).replace("typing.", "")


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "**required**"
    else:
        value = info.default
    if isinstance(value, BaseModel):
        return "its defaults" if value.model_dump(exclude_none=True) else "empty"
    if value is None:
        return "none"
    if value in ((), {}, [], ""):
        return "empty"
    if isinstance(value, tuple):
        return ", ".join(f"`{item}`" for item in value)
    return f"`{value}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _markdown(doc: str) -> str:
    """A docstring's ``::`` examples as fenced YAML blocks."""
    out: list[str] = []
    fenced = False
    for line in doc.splitlines():
        if fenced and line.strip() and not line.startswith("    "):
            out += ["```", ""]
            fenced = False
        if fenced:
            out.append(line[4:])
        elif line.endswith("::"):
            out += [line[:-1], "", "```yaml"]
            fenced = True
        else:
            out.append(line)
    if fenced:
        out.append("```")
    text = "\n".join(out).replace("```yaml\n\n", "```yaml\n")
    return text.replace("\n\n```\n", "\n```\n")


def _section(model: type[BaseModel]) -> list[str]:
    doc = _markdown(inspect.cleandoc(model.__doc__ or ""))
    lines = [f"### {model.__name__}", "", doc, "", "| Key | Type | Default | Description |"]
    lines.append("|---|---|---|---|")
    for name, info in model.model_fields.items():
        lines.append(
            f"| `{name}` | {_cell(_type(info.annotation))} | {_cell(_default(info))} "
            f"| {_cell(info.description or '')} |"
        )
    return [*lines, ""]


def _walk(roots: Iterable[type[BaseModel]], seen: set[type[BaseModel]]) -> list[type[BaseModel]]:
    """The root models, then every nested model once, breadth first."""
    order: list[type[BaseModel]] = []
    queue = list(roots)
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        order.append(model)
        for info in model.model_fields.values():
            queue.extend(_models_in(info.annotation))
    return order


def content_reference() -> str:
    """Markdown with every key of every project file."""
    parts = [
        "# Content reference",
        "",
        "Every key of every file of a jsna project, generated from the models' descriptions "
        "by `make docs`; do not edit by hand. `jsna check` reports a problem with any of them "
        "as `path:line: field: message`; nested keys are joined with dots "
        "(`branding.primary_colour`, `geographies.lookups.0.file`), list items by number "
        "from 0.",
        "",
        "Paths of data files may start with `${JSNA_DATA_MIRROR}` (the shared open-data "
        "folder); other paths are relative to the project folder.",
        "",
    ]
    parts += [f"- [`{path}`](#{_slug(path)}): {about}" for path, about, _ in FILES]
    seen: set[type[BaseModel]] = set()
    for path, about, roots in FILES:
        parts += ["", f"## `{path}`", "", about, "", *_example(roots[0])]
        for model in _walk(roots, seen):
            parts += _section(model)
    return "\n".join(parts).rstrip() + "\n"


def _example(model: type[BaseModel]) -> list[str]:
    """The first ``::`` example of the docstring of the module that defines ``model``."""
    module = inspect.getmodule(model)
    lines = inspect.cleandoc(module.__doc__ or "").splitlines() if module else []
    start = next((n for n, line in enumerate(lines) if line.endswith("::")), None)
    if start is None:
        return []
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line[4:])
    fence = "markdown" if model is ChapterMeta else "yaml"
    return ["Example:", "", f"````{fence}", *"\n".join(block).strip("\n").splitlines(), "````", ""]


def _slug(path: str) -> str:
    return "".join(c for c in path.lower() if c.isalnum() or c in "-_ ").replace(" ", "-")


if __name__ == "__main__":
    print(content_reference(), end="")
