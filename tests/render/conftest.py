"""Fixtures of the render tests: the Trafford site built once per run (``tests/render/site.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def trafford_site_dir() -> Path:
    """The built Trafford example site (PDFs included), shared by the whole run."""
    from tests.render.site import built_site

    return built_site()
