"""``jsna serve --workers N``: several worker processes answer from one store (SQLite file or
PostgreSQL database)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .stores import postgres_store, sqlite_store


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(port: int, path: str) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return int(response.status)


def _workers(pid: int) -> int:
    """How many worker processes (multiprocessing spawns) ``pid`` has."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            count += parent == pid and b"spawn_main" in command
    return count


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_serve_the_same_store(tmp_path: Path, backend: str) -> None:
    if backend == "sqlite":
        project, url = sqlite_store(tmp_path / "jsna.db")
    else:
        project, url = postgres_store()
    port = _free_port()
    env = {**os.environ, "JSNA_SECRET_KEY": "test-only", "JSNA_API_RATE_LIMIT": "0"}
    command = [sys.executable, "-m", "jsna.cli", "serve", str(project), "--db", url]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        answers: list[int] = []
        while time.monotonic() < deadline and len(answers) < 40:
            try:
                answers.append(_status(port, "/api/v1/area-types"))
            except urllib.error.URLError:
                time.sleep(0.3)
        assert answers == [200] * 40
        assert _workers(server.pid) == 2
        assert _status(port, "/dashboards/") == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "with 2 worker processes" in output
