"""The Trafford example site, built once per test run and shared by every test that reads it.

:func:`built_site` returns the folder of the built site (PDFs included). The
first caller of a run builds it; the others, in the same process or in
another pytest-xdist worker, wait on a file lock and reuse it. A run is named
by xdist's ``PYTEST_XDIST_TESTRUNUID`` (the same in every worker of one
run), else by the process, so a new run never reads a stale site.

The store comes from :func:`prepared_store`: a copy of a ready store when one
is there (``$JSNA_TRAFFORD_STORE``, default ``/work/trafford-store/jsna.db``;
the copy is then brought up to date by the same incremental ingest and compute
``jsna build`` runs, seconds when nothing changed), else one ingested and
computed from nothing (about 70 s on two cores). The example project is copied
too, so the build's edition archive lands in the temporary folder, never in
``examples/trafford/editions``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "trafford"
READY_STORE = Path(os.environ.get("JSNA_TRAFFORD_STORE", "/work/trafford-store/jsna.db"))
STALE_AFTER = 6 * 3600
"""Folders of earlier runs older than this many seconds are removed."""

__all__ = ["built_site", "copy_example", "prepared_store", "run_folder"]


def _run_id() -> str:
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getppid()}-{os.getpid()}"


def _base() -> Path:
    return Path(tempfile.gettempdir()) / f"jsna-test-site-{os.getuid()}"


def run_folder() -> Path:
    """This run's shared folder (the same in every xdist worker of the run)."""
    folder = _base() / _run_id()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_old_runs(keep: Path) -> None:
    now = time.time()
    for folder in _base().iterdir():
        if folder != keep and folder.is_dir() and now - folder.stat().st_mtime > STALE_AFTER:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _locked(name: str) -> Iterator[Path]:
    """Hold this run's lock ``name`` (other workers wait); yields the run folder."""
    folder = run_folder()
    with (folder / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def copy_example(target: Path) -> Path:
    """A copy of the example project (its files, not its archive) at ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE / "jsna.yml", target / "jsna.yml")
    for part in ("sources", "indicators", "chapters"):
        shutil.copytree(EXAMPLE / part, target / part, dirs_exist_ok=True)
    return target


def prepared_store() -> tuple[Path, Path]:
    """(project copy, SQLite store) of the example, ingested and computed (once per run)."""
    from jsna.compute import compute_project
    from jsna.content.project_files import load_project
    from jsna.ingest.pipeline import ingest_project
    from jsna.store import open_store

    with _locked("store") as folder:
        project, store, done = folder / "project", folder / "jsna.db", folder / "store.done"
        if done.is_file():
            return project, store
        _clean_old_runs(folder)
        copy_example(project)
        if READY_STORE.is_file():
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
        done.write_text("ok\n")
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

    project, store = prepared_store()
    with _locked("site") as folder:
        out, done = folder / "site", folder / "site.done"
        if done.is_file():
            return out
        engine = connect(project, f"sqlite:///{store}")
        try:
            with engine.connect() as connection:
                summary = build_site(load_project(project), connection, out, pdf=True)
        finally:
            engine.dispose()
        done.write_text(repr(summary) + "\n")
        return out
