"""Speed of the whole static build (site and every PDF) of the Trafford example, against targets.

Prepares a store once, then times :func:`jsna.render.build.build_site` on it:

* **site only** (``pdf=False``, all cores): every page, figure, SVG, HTML
  file, twin, the search index, feed, assets and editions;
* **site and PDFs, 1 worker**: the same with every PDF (whole JSNA, chapters,
  area profiles) rendered one after another;
* **site and PDFs, all cores**: PDFs rendered in a process pool (charts are drawn
  in vl-convert engines on the cores the main thread leaves, in every build).

For each build it prints the pages and PDFs made, the seconds of each stage,
pages per second, PDFs per second, the size of the largest chapter page's HTML
(inline SVG pictures included; the chart specifications and data are separate
``.json`` files and are not counted), peak memory and the load average (other
work on the machine skews every figure). Site seconds are every stage but
``pdfs``.

Targets (issue 6): site < 30 s; all PDFs < 2 min with parallel rendering; a
chapter page < 500 KB before chart data.

The store is either a copy of an existing one (``--store PATH`` to an SQLite
file, copied with SQLite's backup API and never written) or made from nothing
by ``jsna ingest`` and ``jsna compute`` into a temporary file (timed and shown,
not part of the targets). The project is copied to a temporary folder too, so
the build's archived edition never lands in the repository.

Run with ``python benchmarks/build.py`` (``--store PATH`` to skip the ingest,
``--skip-single`` to leave out the 1-worker build, ``--site-only`` for no
PDFs). CPU seconds (user + system, worker processes included) are printed
beside wall seconds: on a busy machine wall time far exceeds CPU time divided
by the workers, and the targets cannot be judged.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from jsna.content.project_files import load_project
from jsna.render.build import BuildSummary, build_site
from jsna.store import open_store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "trafford"

SITE_TARGET_SECONDS = 30.0
PDF_TARGET_SECONDS = 120.0
CHAPTER_TARGET_KB = 500.0
SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


@dataclass
class Run:
    """One timed build."""

    name: str
    workers: int
    pdf: bool
    summary: BuildSummary
    wall_seconds: float
    largest_chapter: tuple[str, float, float]
    """The largest chapter page: site-relative path, HTML KB, KB of that in inline SVG."""
    cpu_seconds: float
    """User + system CPU of this process and its worker processes during the build."""

    @property
    def pdf_seconds(self) -> float:
        """Seconds of the PDF stage."""
        return self.summary.seconds.get("pdfs", 0.0)

    @property
    def site_seconds(self) -> float:
        """Seconds of every stage but the PDFs."""
        return self.summary.total_seconds - self.pdf_seconds


def load_average() -> str:
    """The machine's 1/5/15-minute load averages: other work skews every figure here."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children so far (MiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def cpu_seconds() -> float:
    """User + system CPU seconds so far of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def copy_store(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite store (its WAL included), opening the source read-only."""
    if not source.is_file():
        raise SystemExit(f"no store at {source}")
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as origin,
        sqlite3.connect(target) as copy,
    ):
        origin.backup(copy)
    origin.close()
    copy.close()


def make_store(project: Path, url: str, console: Console) -> float:
    """``jsna ingest`` then ``jsna compute`` into ``url``; the seconds both took."""
    jsna = Path(sys.executable).parent / "jsna"
    start = time.perf_counter()
    for command in ("ingest", "compute"):
        console.log(f"jsna {command} ... ({load_average()})")
        subprocess.run(
            [str(jsna), command, str(project), "--db", url, "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - start


def largest_chapter(out: Path) -> tuple[str, float, float]:
    """The largest chapter page's HTML on disk: (site-relative path, KB, KB in inline SVG)."""
    sizes = {path: path.stat().st_size / 1024 for path in (out / "chapters").rglob("*.html")}
    if not sizes:
        return ("(no chapter pages)", 0.0, 0.0)
    path = max(sizes, key=lambda key: sizes[key])
    html = path.read_text(encoding="utf-8")
    svg = sum(len(match.encode("utf-8")) for match in SVG.findall(html)) / 1024
    return path.relative_to(out).as_posix(), sizes[path], svg


def timed_build(
    name: str, project: Path, url: str, out: Path, *, pdf: bool, workers: int, console: Console
) -> Run:
    """One build into ``out`` on the store at ``url``, timed."""
    console.log(f"{name}: building ... ({load_average()})")
    loaded = load_project(project)
    engine = open_store(project, url)
    try:
        start, cpu = time.perf_counter(), cpu_seconds()
        with engine.connect() as connection:
            summary = build_site(loaded, connection, out, pdf=pdf, workers=workers)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    finally:
        engine.dispose()
    run = Run(name, workers, pdf, summary, wall, largest_chapter(out), cpu)
    console.log(
        f"{name}: {summary.pages} pages, {summary.pdfs} PDFs in {wall:.1f} s"
        f" (peak RSS {peak_rss_mb():,.0f} MiB)"
    )
    return run


def ratio(seconds: float, target: float) -> str:
    """Seconds against a target, as a ratio and a verdict."""
    return f"{seconds / target:.2f}x of {target:.0f} s " + (
        "(met)" if seconds < target else "(MISSED)"
    )


def report(runs: list[Run], console: Console) -> None:
    """The table of each build's measures and the table of its stages."""
    table = Table(
        title="jsna build of the Trafford example (targets: site < 30 s, PDFs < 2 min,"
        " chapter page < 500 KB)"
    )
    table.add_column("measure")
    for run in runs:
        table.add_column(run.name, justify="right")

    def row(label: str, values: list[str]) -> None:
        table.add_row(label, *values)

    row("workers", [str(run.workers) for run in runs])
    row(
        "pages / figures / SVGs",
        [f"{r.summary.pages} / {r.summary.figures} / {r.summary.svgs}" for r in runs],
    )
    row("files written", [f"{run.summary.files:,}" for run in runs])
    row("site seconds (all stages but PDFs)", [f"{run.site_seconds:.1f}" for run in runs])
    row("pages per second", [f"{run.summary.pages / run.site_seconds:.1f}" for run in runs])
    row("site vs target", [ratio(run.site_seconds, SITE_TARGET_SECONDS) for run in runs])
    row("PDFs", [str(run.summary.pdfs) if run.pdf else "-" for run in runs])
    row("PDF seconds", [f"{run.pdf_seconds:.1f}" if run.pdf else "-" for run in runs])
    row(
        "PDFs per second",
        [
            f"{run.summary.pdfs / run.pdf_seconds:.2f}" if run.pdf and run.pdf_seconds else "-"
            for run in runs
        ],
    )
    row(
        "PDFs vs target",
        [ratio(run.pdf_seconds, PDF_TARGET_SECONDS) if run.pdf else "-" for run in runs],
    )
    row("whole build wall seconds", [f"{run.wall_seconds:.1f}" for run in runs])
    row(
        "CPU seconds (all processes; wall >> CPU / workers means a busy machine)",
        [f"{run.cpu_seconds:.1f}" for run in runs],
    )
    row(
        "largest chapter page (HTML, KB)",
        [
            f"{run.largest_chapter[1]:,.0f} ({run.largest_chapter[0]};"
            f" inline SVG {run.largest_chapter[2]:,.0f})"
            for run in runs
        ],
    )
    row(
        "chapter page vs target",
        [
            f"{run.largest_chapter[1] / CHAPTER_TARGET_KB:.2f}x of {CHAPTER_TARGET_KB:.0f} KB "
            + ("(met)" if run.largest_chapter[1] < CHAPTER_TARGET_KB else "(MISSED)")
            for run in runs
        ],
    )
    console.print(table)

    stages = Table(title="Seconds per stage")
    stages.add_column("stage")
    for run in runs:
        stages.add_column(run.name, justify="right")
    names = list(dict.fromkeys(name for run in runs for name in run.summary.seconds))
    for name in names:
        stages.add_row(name, *(f"{run.summary.seconds.get(name, 0.0):.2f}" for run in runs))
    console.print(stages)


def main() -> None:
    """Prepare the project and store, run the builds, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=EXAMPLE, help="project folder (copied)")
    parser.add_argument("--store", type=Path, help="an SQLite store of the project (copied)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="all cores")
    parser.add_argument("--skip-single", action="store_true", help="no 1-worker build")
    parser.add_argument("--site-only", action="store_true", help="no build with PDFs")
    parser.add_argument("--keep", type=Path, help="copy the last site built here")
    args = parser.parse_args()
    console = Console(width=max(Console().width, 160))
    with tempfile.TemporaryDirectory(prefix="jsna-bench-build-") as folder:
        work = Path(folder)
        project = work / "project"
        shutil.copytree(args.project, project, ignore=shutil.ignore_patterns(".jsna", "editions"))
        database = work / "jsna.db"
        url = f"sqlite:///{database}"
        if args.store:
            copy_store(args.store, database)
            console.log(f"store copied from {args.store}")
        else:
            seconds = make_store(project, url, console)
            console.log(f"store made by jsna ingest and compute in {seconds:.1f} s (not targeted)")
        plan = [("site only", False, args.workers)]
        if not args.site_only:
            if not args.skip_single:
                plan.append(("site + PDFs, 1 worker", True, 1))
            plan.append((f"site + PDFs, {args.workers} workers", True, args.workers))
        runs = []
        for index, (name, pdf, workers) in enumerate(plan):
            out = work / f"site-{index}"
            runs.append(
                timed_build(name, project, url, out, pdf=pdf, workers=workers, console=console)
            )
        if args.keep:
            shutil.copytree(work / f"site-{len(plan) - 1}", args.keep, dirs_exist_ok=True)
        report(runs, console)
    console.print(f"peak RSS: {peak_rss_mb():,.0f} MiB; {load_average()}")


if __name__ == "__main__":
    main()
