"""Fixtures of the content tests: a small valid project (see :mod:`tests.content.projects`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .projects import write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A valid project folder."""
    return write_project(tmp_path / "project")
