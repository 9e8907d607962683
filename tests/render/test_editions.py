"""Editions: each build keeps its edition in the project's archive; all are browsable.

Uses a copy of the Trafford project in a temporary folder (the archive never
lands in ``examples/trafford``) and small built sites written here, so the
copying rules are tested without a full build.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from jsna.content.project_files import Project, load_project
from jsna.errors import JsnaError
from jsna.render.editions import MANIFEST, archive_edition, archived_editions, publish_editions
from tests.render.site import copy_example


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return load_project(copy_example(tmp_path / "project"))


def edition(project: Project, name: str, published: date | None = None) -> Project:
    """The project with another edition name (and publication date)."""
    publication = project.config.publication.model_copy(
        update={"edition": name, "published": published}
    )
    return replace(project, config=project.config.model_copy(update={"publication": publication}))


def build(out: Path, name: str, text: str = "", pdf: bool = True) -> Path:
    """A small built site: home page, one chapter, a PDF and an old editions folder."""
    for path in list(out.rglob("*"))[::-1] if out.exists() else []:
        path.unlink() if path.is_file() else path.rmdir()
    (out / "chapters" / "population").mkdir(parents=True)
    (out / "index.html").write_text(f"<h1>Edition {name}</h1>{text}", encoding="utf-8")
    (out / ".jsna-site").write_text("built")
    (out / "chapters" / "population" / "index.html").write_text("<h1>Population</h1>")
    if pdf:
        (out / "downloads").mkdir()
        (out / "downloads" / f"jsna-{name}.pdf").write_bytes(b"%PDF-1.7\n")
    (out / "editions" / "older").mkdir(parents=True)
    (out / "editions" / "older" / "index.html").write_text("older")
    return out


def test_an_edition_is_archived_without_the_editions_folder(
    project: Project, tmp_path: Path
) -> None:
    out = build(tmp_path / "site", "2025")
    folder = archive_edition(project, out)
    assert folder == project.root / "editions" / "2025"
    assert (folder / "index.html").read_text() == "<h1>Edition 2025</h1>"
    assert (folder / "chapters" / "population" / "index.html").is_file()
    assert not (folder / "editions").exists()
    assert not (folder / ".jsna-site").exists()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["edition"] == "2025"
    assert manifest["title"] == project.config.title
    assert not list(folder.parent.glob(".*"))


def test_two_editions_are_kept_and_browsable_newest_first(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = edition(project, "2024", date(2024, 6, 1))
    second = edition(project, "2025", date(2025, 6, 1))
    archive_edition(first, build(out, "2024"))
    build(out, "2025")
    archive_edition(second, out)
    page = publish_editions(second, out)
    for name in ("2024", "2025"):
        assert (out / "editions" / name / "index.html").read_text() == f"<h1>Edition {name}</h1>"
        assert (out / "editions" / name / "downloads" / f"jsna-{name}.pdf").is_file()
        stub = (out / "editions" / name / "editions" / "index.html").read_text()
        assert 'href="../../index.html"' in stub
    assert not (out / "editions" / "older").exists()
    assert page.path == "editions/index.html"
    assert page.kind == "editions"
    entries = page.context["editions"]
    assert [e["name"] for e in entries] == ["2025", "2024"]
    assert [e["current"] for e in entries] == [True, False]
    assert entries[1]["pdf"] == "editions/2024/downloads/jsna-2024.pdf"
    assert entries[1]["path"] == "editions/2024/index.html"
    assert [e.name for e in archived_editions(second)] == ["2025", "2024"]


def test_rebuilding_an_edition_replaces_it(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "site"
    archive_edition(project, build(out, "2025", text="first"))
    (out / "chapters" / "population" / "index.html").unlink()
    (out / "index.html").write_text("<h1>Edition 2025</h1>second")
    folder = archive_edition(project, out)
    assert (folder / "index.html").read_text().endswith("second")
    assert not (folder / "chapters" / "population" / "index.html").exists()
    assert [e.name for e in archived_editions(project)] == ["2025"]


def test_an_unarchived_current_edition_is_listed_as_the_site_itself(
    project: Project, tmp_path: Path
) -> None:
    out = build(tmp_path / "site", "2026")
    archive_edition(edition(project, "2025"), out)
    page = publish_editions(edition(project, "2026"), out)
    entries = page.context["editions"]
    assert [(e["name"], e["current"], e["path"]) for e in entries] == [
        ("2026", True, "index.html"),
        ("2025", False, "editions/2025/index.html"),
    ]
    assert entries[0]["pdf"] == "downloads/jsna-2026.pdf"


def test_there_must_be_a_site_to_archive(project: Project, tmp_path: Path) -> None:
    with pytest.raises(JsnaError, match="no built site to archive"):
        archive_edition(project, tmp_path)


def test_the_publications_page_renders_with_links_and_the_current_tag(
    project: Project, tmp_path: Path
) -> None:
    from jsna.render.html import environment, render_page

    out = build(tmp_path / "site", "2025")
    archive_edition(project, out)
    page = publish_editions(project, out)
    html = render_page(environment(), page, project, {}, generated=datetime.now(UTC))
    assert 'href="../editions/2025/index.html"' in html
    assert 'href="../editions/2025/downloads/jsna-2025.pdf"' in html
    assert "Current edition" in html


@pytest.mark.slow
def test_two_real_builds_keep_both_editions_browsable(tmp_path: Path) -> None:
    from jsna.render.build import build_site
    from jsna.store.engine import connect
    from tests.render.site import prepared_store

    _, store = prepared_store()
    project = load_project(copy_example(tmp_path / "project"))
    out = tmp_path / "site"
    engine = connect(project.root, f"sqlite:///{store}")
    try:
        with engine.connect() as connection:
            build_site(edition(project, "2024", date(2024, 6, 1)), connection, out, pdf=False)
            build_site(edition(project, "2025", date(2025, 6, 1)), connection, out, pdf=False)
    finally:
        engine.dispose()
    for name in ("2024", "2025"):
        assert (project.root / "editions" / name / "index.html").is_file()
        assert (out / "editions" / name / "index.html").is_file()
        assert (out / "editions" / name / "search-index.json").is_file()
        assert not (out / "editions" / name / "editions" / "2024").exists()
    listing = (out / "editions" / "index.html").read_text(encoding="utf-8")
    assert listing.index("Edition 2025") < listing.index("Edition 2024")
    assert "Current edition" in listing
