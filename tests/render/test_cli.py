"""``jsna build`` and ``jsna serve`` on the command line."""

from __future__ import annotations

import shutil
import threading
import urllib.request
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from jsna.cli.build import build
from jsna.cli.serve import _QuietHandler, serve
from tests.render.site import copy_example, prepared_store


def test_serve_without_a_built_site_says_to_build_first(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        serve, [str(tmp_path), "--static-only", "--site", str(tmp_path / "nothing")]
    )
    assert result.exit_code != 0
    assert "run 'jsna build' first" in result.output


def test_the_quiet_handler_serves_files_without_logging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "index.html").write_text("<p>hello</p>", encoding="utf-8")
    handler = partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/index.html"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == b"<p>hello</p>"
    finally:
        server.shutdown()
        server.server_close()
    assert capsys.readouterr().err == ""


def test_build_refuses_a_folder_it_did_not_build(tmp_path: Path) -> None:
    project, store = prepared_store()
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(
        build, [str(project), "--db", f"sqlite:///{store}", "--out", str(out), "--no-pdf"]
    )
    assert result.exit_code == 1
    assert "is not empty and is not a site built by jsna" in result.output
    assert (out / "notes.txt").read_text() == "keep me"


def test_only_profiles_must_name_a_profiled_area_type(tmp_path: Path) -> None:
    project, store = prepared_store()
    result = CliRunner().invoke(
        build,
        [
            str(project),
            "--db",
            f"sqlite:///{store}",
            "--out",
            str(tmp_path / "s"),
            "--only-profiles",
            "lsoa21",
        ],
    )
    assert result.exit_code != 0
    assert "'lsoa21' is not in publication.profiles" in result.output


@pytest.mark.slow
def test_build_runs_every_step_and_says_where_the_site_is(tmp_path: Path) -> None:
    _, shared = prepared_store()
    project = copy_example(tmp_path / "project")  # its own edition archive
    store = tmp_path / "jsna.db"
    shutil.copyfile(shared, store)
    out = tmp_path / "site"
    arguments = [str(project), "--db", f"sqlite:///{store}", "--out", str(out)]
    result = CliRunner().invoke(build, [*arguments, "--no-pdf", "--only-profiles", "locality"])
    assert result.exit_code == 0, result.output
    assert f"Site: {out.resolve()}" in result.output
    assert "0 PDFs" in result.output
    assert "Steps: check" in result.output
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in (out / "areas").iterdir() if p.is_dir()) == ["locality"]
    assert (project / "editions" / "2025" / "index.html").is_file()
