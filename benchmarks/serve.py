"""Speed of the web app (``jsna serve``) under load, on SQLite and PostgreSQL, against targets.

For each store it starts ``jsna serve`` on the Trafford example (a copy of
the project; API rate limit off; ``--workers`` processes), asks every URL once
to warm the caches (timed and shown apart), then runs closed-loop load: a
number of concurrent clients (default 20), each on its own keep-alive
connection over loopback, asking one URL after another of a scenario for a
number of seconds. Per scenario it prints p50, p95 and p99 latency,
throughput, errors, and the ratio of its p95 to the floor's p95:

* **floor**: the smallest answer (one indicator's definition, a few hundred
  bytes of JSON) through every middleware: what the server and this client
  cost at the least, measured in the same run;
* **api**: ``/api/v1`` results (by indicator, area type and period), areas,
  area types and indicators;
* **view.json**: the data a dashboard tab asks for when a selector changes;
* **dashboard HTML**: a chapter dashboard page: every tab of every chapter, as
  written and with two selector choices drawn at random (seeded).

Targets (issue 7), with 20 concurrent clients on loopback: dashboard HTML
p95 < 100 ms; each data request (api, view.json) p95 < 50 ms.

The load client is this process (asyncio, raw HTTP/1.1, no third-party client)
on the same two cores as the server: the load average printed beside the
table says how busy the machine was. Run with ``python benchmarks/serve.py``
(``--store PATH`` to start from a copy of a ready SQLite store, brought up to
date by an incremental ingest and compute; ``--backends sqlite`` to skip
PostgreSQL; ``--seconds``, ``--clients``, ``--workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import psycopg
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "trafford"
sys.path.insert(0, str(ROOT / "benchmarks"))

from build import copy_store, load_average, make_store  # noqa: E402

TARGETS_MS = {"api": 50.0, "view.json": 50.0, "dashboard HTML": 100.0}
"""p95 targets per scenario (the floor has none)."""
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "jsna_bench_serve"
OPTION = re.compile(r'<option value="([^"]*)"')
SELECT = re.compile(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', re.DOTALL)


# A small HTTP/1.1 client: one keep-alive connection per simulated reader -----------------


class Connection:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        """(status, body) of ``GET path``."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n"
        self.writer.write(request.encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
        headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        else:  # chunked
            parts = []
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append((await self.reader.readexactly(size + 2))[:-2])
            body = b"".join(parts)
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, body

    def close(self) -> None:
        """Close the socket (the next request opens a new one)."""
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Outcome:
    """Latencies (seconds) and errors of one scenario."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)
    """Status and path of the first failures."""

    def percentile(self, q: float) -> float:
        """The q-th percentile latency in milliseconds."""
        return float(np.percentile(self.latencies, q) * 1000) if self.latencies else float("nan")

    @property
    def throughput(self) -> float:
        """Answered requests a second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def _client(port: int, paths: list[str], until: float, seed: int, out: Outcome) -> None:
    chooser = random.Random(seed)
    connection = Connection(port)
    try:
        while time.perf_counter() < until:
            path = chooser.choice(paths)
            start = time.perf_counter()
            try:
                status, _ = await connection.get(path)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                out.errors += 1
                connection.close()
                continue
            if status != 200:
                out.errors += 1
            out.latencies.append(time.perf_counter() - start)
    finally:
        connection.close()


async def load(port: int, name: str, paths: list[str], clients: int, seconds: float) -> Outcome:
    """``clients`` readers asking ``paths`` (at random) for ``seconds``, as fast as answered."""
    out = Outcome(name)
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(_client(port, paths, until, n, out) for n in range(clients)))
    out.seconds = time.perf_counter() - start
    return out


async def warm(port: int, paths: list[str]) -> Outcome:
    """Every path once, one after another (fills the server's caches)."""
    out = Outcome("first requests (cold caches)")
    connection = Connection(port)
    start = time.perf_counter()
    for path in paths:
        began = time.perf_counter()
        status, _ = await connection.get(path)
        if status != 200:
            out.errors += 1
            out.failed.append(f"{status} {path}")
        out.latencies.append(time.perf_counter() - began)
    out.seconds = time.perf_counter() - start
    connection.close()
    return out


# The server and the URLs ------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(project: Path, url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``jsna serve`` in a child process, once it answers."""
    env = {**os.environ, "JSNA_API_RATE_LIMIT": "0", "JSNA_SECRET_KEY": "benchmark-only"}
    command = [sys.executable, "-m", "jsna.cli", "serve", str(project), "--db", url]
    command += ["--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"jsna serve stopped with exit code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("jsna serve did not start listening within 120 s")


async def scenarios(port: int) -> dict[str, list[str]]:
    """The URLs of each scenario, read from the running app (indicators, chapters, choices)."""
    import json

    connection = Connection(port)
    _, body = await connection.get("/api/v1/indicators?limit=500")
    indicators = [row["id"] for row in json.loads(body)["data"]]
    _, body = await connection.get("/api/v1/area-types")
    area_types = [row["code"] for row in json.loads(body)["data"]]
    api = ["/api/v1/indicators", "/api/v1/area-types"]
    api += [f"/api/v1/areas?area_type={kind}" for kind in area_types]
    for indicator in indicators:
        api.append(f"/api/v1/indicators/{indicator}")
        api.append(f"/api/v1/results?indicator={indicator}&limit=100")
        status, body = await connection.get(f"/api/v1/results?indicator={indicator}&limit=1")
        rows = json.loads(body)["data"] if status == 200 else []
        for row in rows:
            query = {"indicator": indicator, "area_type": row["area_type"], "period": row["period"]}
            api.append(f"/api/v1/results?{urlencode(query)}")
    _, body = await connection.get("/dashboards/")
    chapters = sorted(set(re.findall(r'href="/dashboards/([a-z0-9-]+)"', body.decode())))
    pages: list[str] = []
    views: list[str] = []
    for chapter in chapters:
        status, body = await connection.get(f"/dashboards/{chapter}")
        if status != 200:
            continue
        text = body.decode()
        tabs = sorted({int(n) for n in re.findall(r"[?&]tab=(\d+)", text)}) or [0]
        choices = {
            name: [html.unescape(v) for v in OPTION.findall(inner)[1:4]]
            for name, inner in SELECT.findall(text)
        }
        variants = [{name: value} for name in choices for value in choices[name]]
        for tab in tabs:
            chosen = random.Random(f"{chapter}-{tab}").sample(variants, min(2, len(variants)))
            queries = [urlencode({"tab": tab, **variant}) for variant in [{}, *chosen]]
            pages += [f"/dashboards/{chapter}?{q}" for q in queries]
            views += [f"/dashboards/{chapter}/view.json?{q}" for q in queries]
    connection.close()
    return {
        "floor": [f"/api/v1/indicators/{indicators[0]}"],
        "api": api,
        "view.json": views,
        "dashboard HTML": pages,
    }


def postgres_url(console: Console, project: Path, remake: bool) -> str:
    """A PostgreSQL database with the Trafford store (made once, kept between runs)."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)
        ).fetchone()
        if exists and not remake:
            make_store(project, url, console)  # only what changed is loaded again
            return url
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    seconds = make_store(project, url, console)
    console.log(f"PostgreSQL store made in {seconds:.0f} s")
    return url


def report(console: Console, backend: str, workers: int, clients: int, runs: list[Outcome]) -> None:
    """One table of the runs on one backend."""
    floor = next(run for run in runs if run.name == "floor")
    table = Table(
        title=f"{backend}: {clients} concurrent clients, {workers} worker process(es)",
        caption=load_average(),
    )
    for heading in ("scenario", "URLs", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(heading, justify="left" if heading == "scenario" else "right")
    for heading in ("req/s", "p95 / floor", "target p95", "met"):
        table.add_column(heading, justify="right")
    for run in runs:
        target = TARGETS_MS.get(run.name)
        p95 = run.percentile(95)
        table.add_row(
            run.name,
            str(getattr(run, "urls", "")),
            str(len(run.latencies)),
            str(run.errors),
            f"{run.percentile(50):.1f}",
            f"{p95:.1f}",
            f"{run.percentile(99):.1f}",
            f"{run.throughput:.0f}",
            f"{p95 / floor.percentile(95):.1f}x",
            f"< {target:.0f} ms" if target else "",
            ("yes" if p95 < target else "NO") if target else "",
        )
    console.print(table)


def bench(
    console: Console, backend: str, project: Path, url: str, options: argparse.Namespace
) -> None:
    """Serve ``url`` and run every scenario against it."""
    port = free_port()
    server = start_server(project, url, port, options.workers)
    try:
        paths = asyncio.run(scenarios(port))
        cold = asyncio.run(warm(port, [p for ps in paths.values() for p in ps]))
        console.log(
            f"{backend}: {len(cold.latencies)} URLs asked once to warm the caches in "
            f"{cold.seconds:.1f} s (p50 {cold.percentile(50):.0f} ms, p95 "
            f"{cold.percentile(95):.0f} ms, max "
            f"{max(cold.latencies) * 1000:.0f} ms, {cold.errors} errors)"
        )
        for failure in cold.failed[:10]:
            console.log(f"  not 200: {failure}")
        runs = []
        for name, urls in paths.items():
            run = asyncio.run(load(port, name, urls, options.clients, options.seconds))
            run.urls = len(urls)  # type: ignore[attr-defined]
            runs.append(run)
        report(console, backend, options.workers, options.clients, runs)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    """Parse the arguments, prepare the stores, run the benchmark on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a ready SQLite store of the example to copy")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="jsna serve worker processes (each keeps its own answers: with several, the warm-up "
        "reaches only some of them)",
    )
    parser.add_argument("--remake-postgres", action="store_true")
    options = parser.parse_args()
    console = Console(width=max(120, Console().width))
    with tempfile.TemporaryDirectory(prefix="jsna-bench-serve-") as temporary:
        project = Path(temporary) / "trafford"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("editions", "site"))
        backends = [b.strip() for b in options.backends.split(",") if b.strip()]
        if "sqlite" in backends:
            store = Path(temporary) / "jsna.db"
            if options.store is not None:
                copy_store(options.store, store)
            seconds = make_store(project, f"sqlite:///{store}", console)
            console.log(f"SQLite store brought up to date with the example in {seconds:.0f} s")
            bench(console, "SQLite", project, f"sqlite:///{store}", options)
        if "postgresql" in backends:
            url = postgres_url(console, project, options.remake_postgres)
            bench(console, "PostgreSQL", project, url, options)


if __name__ == "__main__":
    main()
