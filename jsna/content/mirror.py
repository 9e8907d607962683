"""Where a project finds the shared open-data files: one setting, ``JSNA_DATA_MIRROR``.

Paths in project files (``sources/*.yml``, ``jsna.yml``) may start with
``${JSNA_DATA_MIRROR}``, so the same project builds from another copy of the
files, and a real deployment points the setting at its own data folder::

    file: ${JSNA_DATA_MIRROR}/trafford/census2021/census2021_general_health_ward.csv

Without the variable the mirror is ``../shared/data`` beside the repository
that holds the ``jsna`` package (or beside the current folder for an installed
package).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_MIRROR", "MIRROR_ENV", "MIRROR_TOKEN", "data_mirror", "resolve_path"]

MIRROR_ENV = "JSNA_DATA_MIRROR"
MIRROR_TOKEN = "${" + MIRROR_ENV + "}"
"""The text a project path starts with to mean "in the data mirror"."""
DEFAULT_MIRROR = Path("..") / "shared" / "data"
"""The default, relative to the repository root."""


def _repository_root() -> Path:
    package = Path(__file__).resolve().parents[1]
    root = package.parent
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def data_mirror() -> Path:
    """The shared open-data folder: ``$JSNA_DATA_MIRROR``, else ``../shared/data`` of the repo."""
    configured = os.environ.get(MIRROR_ENV)
    if configured:
        return Path(configured)
    return (_repository_root() / DEFAULT_MIRROR).resolve()


def resolve_path(project: Path | str, text: str) -> Path:
    """A path written in a project file: ``${JSNA_DATA_MIRROR}/...`` or relative to the project."""
    if text.startswith(MIRROR_TOKEN):
        return data_mirror() / text[len(MIRROR_TOKEN) :].lstrip("/\\")
    path = Path(text).expanduser()
    return path if path.is_absolute() else Path(project) / path
