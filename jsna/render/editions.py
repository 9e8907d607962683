"""Editions: every published edition kept as built, browsable at ``editions/<edition>/``.

A JSNA is a statutory record: last year's edition must stay readable as it
was published. The build therefore

1. copies the site it has just written (without its ``editions/`` folder)
   into the project's archive folder, ``PROJECT/<publication.archive>/<edition>/``
   (:func:`archive_edition`; building the same edition again replaces it), with
   a small ``jsna-edition.json`` saying what it is;
2. copies every archived edition into ``out/editions/<edition>/`` and writes the
   publications page, newest first (:func:`publish_editions`).

The archive folder belongs to the project (keep it in git, or back it up):
the site can be rebuilt from it. Archived sites use relative links only, so
they work unchanged under ``editions/<edition>/``; the ``editions/index.html``
their footers link to is a stub pointing back to the publications page.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsna.content.project_files import Project
from jsna.errors import JsnaError

from .pages import Page

__all__ = [
    "MANIFEST",
    "Edition",
    "archive_edition",
    "archived_editions",
    "publish_editions",
]

_LEFT_OUT = frozenset({"editions", ".jsna-site"})
"""Top-level entries of a built site that are not copied into the archive."""

MANIFEST = "jsna-edition.json"
"""File in each archived edition: edition, title, published date, archived time."""

_STUB = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Editions</title></head>
<body>
<main>
<h1>Editions</h1>
<p><a href="../../index.html">Every edition of this JSNA</a> is listed on the publications
page.</p>
</main>
</body>
</html>
"""


@dataclass(frozen=True)
class Edition:
    """An archived edition: its name, folder, and what its manifest says."""

    name: str
    folder: Path
    title: str
    published: str | None
    archived: str
    pdf: str | None
    """Path of its whole-JSNA PDF inside the edition folder, when it has one."""


def _archive_root(project: Project) -> Path:
    return project.root / project.config.publication.archive


def _pdf_of(folder: Path, edition: str) -> str | None:
    path = f"downloads/jsna-{edition}.pdf"
    return path if (folder / path).is_file() else None


def archive_edition(project: Project, out: Path) -> Path:
    """Copy the built site ``out`` (without ``editions/``) into the archive; its folder.

    Writes a new copy beside the old one first and swaps them, so a failed
    copy leaves the previous archive of that edition intact.
    """
    if not (out / "index.html").is_file():
        raise JsnaError(f"{out}: no built site to archive (index.html is missing)")
    publication = project.config.publication
    target = _archive_root(project) / publication.edition
    if target.resolve() == out.resolve() or out.resolve() in target.resolve().parents:
        raise JsnaError(f"{target}: the archive folder cannot be inside the site being built")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(out, staging, ignore=_skip_editions(out))
    manifest = {
        "edition": publication.edition,
        "title": project.config.title,
        "published": publication.published.isoformat() if publication.published else None,
        "archived": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _skip_editions(out: Path) -> Any:
    """Leave out the site's ``editions/`` and its build marker (an archive is no build folder)."""
    top = str(out)

    def ignore(folder: str, names: list[str]) -> list[str]:
        if not os.path.samefile(folder, top):
            return []
        return [name for name in names if name in _LEFT_OUT]

    return ignore


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def archived_editions(project: Project) -> list[Edition]:
    """Every archived edition (a folder with an ``index.html``), newest first.

    Newest means latest publication date, then latest archiving time, then
    name; editions without a manifest (copied in by hand) sort by name.
    """
    root = _archive_root(project)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not (folder / "index.html").is_file():
            continue
        data = _read_manifest(folder)
        found.append(
            Edition(
                name=folder.name,
                folder=folder,
                title=str(data.get("title") or project.config.title),
                published=data.get("published"),
                archived=str(data.get("archived") or ""),
                pdf=_pdf_of(folder, folder.name),
            )
        )
    found.sort(key=lambda e: (e.published or "", e.archived, e.name), reverse=True)
    return found


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link a file of the archive into the site (copy across file systems)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def publish_editions(project: Project, out: Path) -> Page:
    """Put every archived edition under ``out/editions/``; the publications page.

    The files are hard links to the archive where it shares a file system
    with ``out`` (nothing writes into ``out/editions`` but this function, which
    replaces the folder whole), copies otherwise.
    """
    current = project.config.publication.edition
    editions = archived_editions(project)
    folder = out / "editions"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    entries = []
    for edition in editions:
        target = folder / edition.name
        shutil.copytree(edition.folder, target, copy_function=_link_or_copy)
        stub = target / "editions"
        stub.mkdir(exist_ok=True)
        (stub / "index.html").write_text(_STUB, encoding="utf-8")
        entries.append(
            {
                "name": edition.name,
                "title": edition.title,
                "published": edition.published,
                "path": f"editions/{edition.name}/index.html",
                "pdf": f"editions/{edition.name}/{edition.pdf}" if edition.pdf else None,
                "current": edition.name == current,
            }
        )
    if not any(entry["current"] for entry in entries):
        entries.insert(0, _unarchived(project, out))
    count = len(entries)
    return Page(
        path="editions/index.html",
        kind="editions",
        title="Editions",
        template="editions.html",
        context={"editions": entries, "current": current},
        summary=f"{count} editions of this JSNA, each as published."
        if count != 1
        else "1 edition of this JSNA, as published.",
        breadcrumbs=(("Home", "index.html"),),
    )


def _unarchived(project: Project, out: Path) -> dict[str, Any]:
    """The current edition when it is not archived yet: the site itself."""
    publication = project.config.publication
    pdf = _pdf_of(out, publication.edition)
    return {
        "name": publication.edition,
        "title": project.config.title,
        "published": publication.published.isoformat() if publication.published else None,
        "path": "index.html",
        "pdf": pdf,
        "current": True,
    }
