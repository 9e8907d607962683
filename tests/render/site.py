"""The Trafford example site, built once per test run and shared by every test that reads it.

:func:`built_site` returns the folder of the built site (PDFs included). The
first caller of a run builds it; the others, in the same process or in
another pytest-xdist worker, wait on a file lock and reuse it. A run is named
by xdist's ``PYTEST_XDIST_TESTRUNUID`` (the same in every worker of one
run), else by the process, so a new run never reads a stale site.

The store comes from :func:`prepared_store`: a copy of a ready store when one
``$JSNA_TRAFFORD_STORE`` names one (while developing), else one ingested and computed from nothing (about 70 s on two cores); either
way it is brought up to date once per process by the same incremental ingest
and compute ``jsna build`` runs (seconds when nothing changed). The store is
shared by runs while the ready store and the example's files are unchanged.
Each run builds from its own copy of the example project, so the edition
archive lands in the run's folder, never in ``examples/trafford/editions``.
Folders of runs older than two hours are removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "trafford"
_READY = os.environ.get("JSNA_TRAFFORD_STORE")
READY_STORE = Path(_READY) if _READY else None
"""A ready store to start from while developing (brought up to date before use); none in CI."""
STALE_AFTER = 2 * 3600
"""Folders of earlier runs older than this many seconds are removed."""

__all__ = ["built_site", "copy_example", "prepared_store", "run_folder"]


def _run_id() -> str:
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"


def _base() -> Path:
    folder = Path(tempfile.gettempdir()) / f"jsna-test-site-{os.getuid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_folder() -> Path:
    """This run's shared folder (the same in every xdist worker of the run)."""
    folder = _base() / _run_id()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store_folder() -> Path:
    """The store's folder, shared by runs while the ready store and the example are unchanged."""
    files = [READY_STORE] if READY_STORE is not None and READY_STORE.is_file() else []
    files += sorted(p for p in EXAMPLE.rglob("*") if p.is_file() and "editions" not in p.parts)
    stamp = hashlib.sha1(
        "\n".join(f"{p}:{p.stat().st_mtime_ns}" for p in files).encode()
    ).hexdigest()[:16]
    folder = _base() / f"store-{stamp}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_old(keep: set[Path]) -> None:
    """Remove earlier runs' folders nobody holds a lock on (runs older than STALE_AFTER)."""
    now = time.time()
    for folder in _base().iterdir():
        if folder in keep or not folder.is_dir() or now - folder.stat().st_mtime < STALE_AFTER:
            continue
        if (
            folder.name.startswith("store-")
            or folder.name.startswith("pid")
            or len(folder.name) == 32
        ):
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _locked(folder: Path, name: str) -> Iterator[Path]:
    """Hold the lock ``name`` in ``folder`` (other processes wait); yields the folder."""
    with (folder / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_NOT_COPIED = {"editions", "site", ".jsna", "README.md"}


def copy_example(target: Path) -> Path:
    """A copy of the example project (its files, not its archive, site or store) at ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for path in EXAMPLE.iterdir():
        if path.name in _NOT_COPIED:
            continue
        if path.is_dir():
            shutil.copytree(path, target / path.name, dirs_exist_ok=True)
        else:
            shutil.copy(path, target / path.name)
    return target


_PREPARED: dict[str, tuple[Path, Path]] = {}


def prepared_store() -> tuple[Path, Path]:
    """(project copy, SQLite store) of the example, ingested and computed.

    Shared by runs (a copy of the ready store, kept while that store is
    unchanged); brought up to date once per process by the incremental
    ingest and compute, under a lock. Read it, never build into its project.
    """
    from jsna.compute import compute_project
    from jsna.content.project_files import load_project
    from jsna.ingest.pipeline import ingest_project
    from jsna.store import open_store

    if "store" in _PREPARED:
        return _PREPARED["store"]
    with _locked(_store_folder(), "store") as folder:
        project, store = folder / "project", folder / "jsna.db"
        _clean_old({folder, run_folder()})
        if not project.is_dir():
            copy_example(project)
        if READY_STORE is not None and READY_STORE.is_file() and not store.is_file():
            shutil.copyfile(READY_STORE, store)
        engine = open_store(project, f"sqlite:///{store}")
        try:
            outcome = ingest_project(engine, project)
            failures = {key: str(error)[:300] for key, error in outcome.failures.items()}
            assert failures == {}, failures
            summary = compute_project(engine, load_project(project))
            assert summary.failed == {}, summary.failed
        finally:
            engine.dispose()
    _PREPARED["store"] = (project, store)
    return project, store


def built_site() -> Path:
    """The built Trafford site (with PDFs), built once per run; its folder.

    ``$JSNA_RENDER_SITE`` names an already built site to use instead (while developing).
    """
    override = os.environ.get("JSNA_RENDER_SITE")
    if override:
        return Path(override)
    from jsna.content.project_files import load_project
    from jsna.render.build import build_site
    from jsna.store.engine import connect

    _, store = prepared_store()
    with _locked(run_folder(), "site") as folder:
        out, done = folder / "site", folder / "site.done"
        if done.is_file():
            return out
        project = copy_example(folder / "project")  # this run's edition archive
        engine = connect(project, f"sqlite:///{store}")
        try:
            with engine.connect() as connection:
                summary = build_site(load_project(project), connection, out, pdf=True)
        finally:
            engine.dispose()
        done.write_text(repr(summary) + "\n")
        return out
