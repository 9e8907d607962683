"""The wheel carries everything ``jsna build`` needs: built, installed in a clean venv, used.

The journey, as ``make wheel`` and a council's analyst would do it:

1. copy the package sources (``pyproject.toml``, ``README.md``, ``jsna/``) to a
   temporary folder, with ``node_modules`` beside them as after ``npm ci``;
2. ``python -m jsna.render.vendor`` fills ``jsna/render/static/vendor/``, then
   ``pip wheel --no-deps`` builds the wheel;
3. install the wheel (no dependencies) into a new venv outside the repository,
   then give that venv the repository venv's third-party packages through a
   ``.pth`` line. A ``.pth`` path line adds the folder to ``sys.path`` without
   running the ``.pth`` files inside it, so the repository's editable install of
   jsna is not picked up: ``import jsna`` must come from the wheel;
4. from a folder with no ``node_modules`` above it, and with only the venv's
   ``bin`` on ``PATH`` (no Node.js), ``jsna new`` a project for Trafford, mark
   its chapters published and ``jsna build`` it (ingest, compute, site, PDFs).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from jsna.render.vendor import VENDOR_FILES
from tests.paths import DATA_MIRROR, ROOT, SHARED

pytestmark = pytest.mark.slow

NODE_MODULES = ROOT / "node_modules"
PACKAGE_SOURCES = ("pyproject.toml", "README.md")
PIP = (sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check")


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command; fail the test with its output when it fails."""
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, (
        f"{' '.join(map(str, command))} exited {completed.returncode}\n"
        f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
    )
    return completed.stdout


def package_files(package: Path) -> set[str]:
    """Every file of the package folder (what the wheel must carry), as wheel member names."""
    return {
        path.relative_to(package.parent).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder for this journey (sources, wheel, venv, project)."""
    folder = tmp_path_factory.mktemp("wheel")
    assert not any((parent / "node_modules").exists() for parent in folder.parents)
    return folder


@pytest.fixture(scope="module")
def wheel(work: Path) -> tuple[Path, set[str]]:
    """The wheel built as ``make wheel`` builds it, and the package files it must carry."""
    source = work / "source"
    source.mkdir()
    for name in PACKAGE_SOURCES:
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "jsna",
        source / "jsna",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "vendor"),
    )
    (source / "node_modules").symlink_to(NODE_MODULES)
    run([sys.executable, "-m", "jsna.render.vendor"], cwd=source)
    run(
        [
            *PIP,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            work / "dist",
            ".",
        ],
        cwd=source,
    )
    (built,) = (work / "dist").glob("jsna-*.whl")
    return built, package_files(source / "jsna")


@pytest.fixture(scope="module")
def environment(work: Path, wheel: tuple[Path, set[str]]) -> Path:
    """A new venv with the wheel installed and the repository venv's dependencies on its path."""
    home = work / "venv"
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    run(
        [*PIP, "--python", python, "install", "--no-deps", "--no-index", wheel[0]],
        cwd=work,
    )
    site_packages = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=work
        ).strip()
    )
    dependencies = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (site_packages / "repository_dependencies.pth").write_text("\n".join(dependencies) + "\n")
    return home


@pytest.fixture(scope="module")
def outside(work: Path, environment: Path) -> tuple[Path, dict[str, str]]:
    """A folder outside the repository and the environment to run the installed jsna in."""
    folder = work / "elsewhere"
    folder.mkdir()
    env = {
        "PATH": str(environment / "bin"),
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "JSNA_DATA_MIRROR": str(DATA_MIRROR),
        "JSNA_SHARED": str(SHARED),
    }
    return folder, env


def test_the_wheel_carries_every_package_file_and_the_vendor_assets(
    wheel: tuple[Path, set[str]],
) -> None:
    built, expected = wheel
    names = set(zipfile.ZipFile(built).namelist())
    assert expected - names == set(), "package files missing from the wheel (package-data)"
    for name in VENDOR_FILES:
        assert f"jsna/render/static/vendor/{name}" in names
    for name in ("jsna/render/templates/base.html", "jsna/store/migrations/script.py.mako"):
        assert name in names


def test_jsna_is_imported_from_the_wheel_with_its_packaged_assets(
    environment: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    folder, env = outside
    printed = run(
        [
            environment / "bin" / "python",
            "-c",
            "import jsna, jsna.render.vendor as v; print(jsna.__file__); print(v.vendor_source())",
        ],
        cwd=folder,
        env=env,
    ).splitlines()
    installed = environment.resolve()
    assert Path(printed[0]).resolve().is_relative_to(installed), printed[0]
    assert Path(printed[1]) == Path(printed[0]).parent / "render" / "static" / "vendor"
    assert shutil.which("node", path=env["PATH"]) is None


def test_jsna_build_from_the_wheel_without_node_modules(
    environment: Path, outside: tuple[Path, dict[str, str]]
) -> None:
    folder, env = outside
    jsna = environment / "bin" / "jsna"
    run([jsna, "new", "project", "--area", "E08000009"], cwd=folder, env=env)
    project = folder / "project"
    chapters = sorted((project / "chapters").glob("*.md"))
    for chapter in chapters:
        text = chapter.read_text()
        chapter.write_text(re.sub(r"^status: \w+$", "status: published", text, flags=re.M))
    run([jsna, "build", "project", "--out", "site", "--quiet"], cwd=folder, env=env)

    site = folder / "site"
    for name, path in VENDOR_FILES.items():
        assert (site / "assets" / "vendor" / name).read_bytes() == (
            NODE_MODULES / path
        ).read_bytes()
    for name in ("index.html", "index.json", "index.csv", "indicators/index.html", "about.html"):
        assert (site / name).is_file(), name
    for chapter in chapters:
        chapter_id = re.sub(r"^\d+-", "", chapter.stem)
        page = site / "chapters" / chapter_id / "index.html"
        assert page.is_file(), page
        assert "assets/vendor/govuk-frontend.min.css" in page.read_text()
        assert (site / "downloads" / "chapters" / f"{chapter_id}.pdf").read_bytes()[:5] == b"%PDF-"
    (whole,) = (site / "downloads").glob("jsna-*.pdf")
    assert whole.read_bytes()[:5] == b"%PDF-"
    pages = [site / "index.html", *(site / "chapters").rglob("*.html")]
    assert any("<svg" in page.read_text() for page in pages), "no chart drawn by vl-convert"
    assert os.listdir(project / ".jsna")
