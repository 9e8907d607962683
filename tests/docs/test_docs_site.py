"""The documentation site builds with MkDocs in strict mode (any warning fails) and has its pages.

Strict mode turns broken links, links to missing anchors and pages left out
of the navigation into errors (``validation`` in ``mkdocs.yml``), so this one
build checks every link of every page in ``docs/``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation built into a temporary folder (never ``site/`` in the repository)."""
    out = tmp_path_factory.mktemp("docs-site")
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return out


def nav_files(nav: list[object]) -> list[str]:
    """Every Markdown file named in a MkDocs ``nav`` (nested sections flattened)."""
    files: list[str] = []
    for entry in nav:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            files.extend(nav_files(value) if isinstance(value, list) else [str(value)])
    return files


def test_mkdocs_config_is_strict_and_navigates_every_page() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    assert config["strict"] is True
    assert config["docs_dir"] == "docs"
    pages = sorted(str(path.relative_to(ROOT / "docs")) for path in (ROOT / "docs").rglob("*.md"))
    assert sorted(nav_files(config["nav"])) == pages


@pytest.mark.parametrize(
    ("page", "text"),
    [
        ("index.html", "Joint Strategic Needs Assessment"),
        ("getting-started/index.html", "Getting started"),
        ("concepts/index.html", "Disclosure control"),
        ("content/index.html", "Content reference"),
        ("cli/index.html", "Command-line reference"),
        ("publishing/index.html", "Editions"),
        ("methods/index.html", "Indicator methods"),
        ("methods/dsr/index.html", "ESP2013"),
    ],
)
def test_pages_are_built(site: Path, page: str, text: str) -> None:
    html = (site / page).read_text()
    assert text in html


def test_links_between_pages_resolve_to_built_pages(site: Path) -> None:
    html = (site / "concepts" / "index.html").read_text()
    links = set(re.findall(r'href="(\.\./[a-z/_-]+/)(?:#[a-z0-9-]+)?"', html))
    assert {"../publishing/", "../ingest/", "../methods/disclosure/"} <= links
    for link in links:
        assert (site / "concepts" / link / "index.html").resolve().is_file(), link
