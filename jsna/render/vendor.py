"""Front-end assets from npm (GOV.UK Frontend, Vega, Vega-Lite, vega-embed) for built sites.

The files are never committed. They come from one of two places:

* **the packaged folder** ``jsna/render/static/vendor/``: a wheel carries it, so
  ``jsna build`` works on a machine with no Node.js. ``python -m jsna.render.vendor``
  fills it from ``node_modules`` (``make wheel`` runs it before ``pip wheel``);
* **node_modules**, in a source checkout after ``npm ci``: found by walking up from
  this package, then from the current folder.

:data:`VENDOR_FILES` names each file as it is copied (a flat folder) and where
it lives under ``node_modules``. The licence files travel with the code they
cover: the three Vega packages ship a ``LICENSE``; GOV.UK Frontend ships none in
its npm package, so its README (whose "Licence" section states the MIT
licence) is carried instead. axe-core is a test-only dependency and is not
vendored.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from jsna.errors import JsnaError

__all__ = [
    "PACKAGED",
    "VENDOR_FILES",
    "copy_vendor",
    "fill_packaged",
    "find_node_modules",
    "vendor_source",
]

VENDOR_FILES: dict[str, str] = {
    "govuk-frontend.min.css": "govuk-frontend/dist/govuk/govuk-frontend.min.css",
    "govuk-frontend.min.js": "govuk-frontend/dist/govuk/govuk-frontend.min.js",
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
    "LICENSE.vega.txt": "vega/LICENSE",
    "LICENSE.vega-lite.txt": "vega-lite/LICENSE",
    "LICENSE.vega-embed.txt": "vega-embed/LICENSE",
    "README.govuk-frontend.md": "govuk-frontend/README.md",
}
"""Name in the vendor folder -> path under ``node_modules``."""

PACKAGE_DIR = Path(__file__).resolve().parent
"""Where the search for node_modules starts (then the current folder)."""

PACKAGED = PACKAGE_DIR / "static" / "vendor"
"""The folder a wheel carries (git-ignored in the repository)."""

MISSING = (
    "front-end assets missing: run npm ci in the repository"
    " (or install a jsna wheel, which carries them)"
)


def _complete(folder: Path, names: list[str]) -> bool:
    """Whether every one of ``names`` is a file in ``folder``."""
    return all((folder / name).is_file() for name in names)


def _node_modules(start: Path) -> Path | None:
    """The nearest ``node_modules`` holding every vendor file, from ``start`` upward."""
    for folder in (start, *start.parents):
        candidate = folder / "node_modules"
        if _complete(candidate, list(VENDOR_FILES.values())):
            return candidate
    return None


def find_node_modules() -> Path | None:
    """``node_modules`` found upward from this package, else from the current folder."""
    return _node_modules(PACKAGE_DIR) or _node_modules(Path.cwd().resolve())


def vendor_source() -> Path:
    """The folder the assets are copied from: the packaged folder if complete, else node_modules.

    Raises :class:`~jsna.errors.JsnaError` when neither has every file.
    """
    if _complete(PACKAGED, list(VENDOR_FILES)):
        return PACKAGED
    found = find_node_modules()
    if found is None:
        raise JsnaError(MISSING)
    return found


def _sources(source: Path) -> dict[str, Path]:
    """Name in the vendor folder -> file to copy, for either layout of ``source``."""
    if source.name == "node_modules":
        return {name: source / path for name, path in VENDOR_FILES.items()}
    return {name: source / name for name in VENDOR_FILES}


def copy_vendor(dest: Path, source: Path | None = None) -> list[Path]:
    """Copy every vendor file into ``dest`` (created if needed); returns the files written.

    ``source`` defaults to :func:`vendor_source`.
    """
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path in _sources(source or vendor_source()).items():
        target = dest / name
        shutil.copyfile(path, target)
        written.append(target)
    return written


def fill_packaged() -> list[Path]:
    """Refill :data:`PACKAGED` from node_modules (never from itself); run before building a wheel."""
    found = find_node_modules()
    if found is None:
        raise JsnaError(MISSING)
    if PACKAGED.exists():
        shutil.rmtree(PACKAGED)
    return copy_vendor(PACKAGED, found)


def main() -> int:
    """``python -m jsna.render.vendor``: fill the packaged folder, print what was written."""
    try:
        written = fill_packaged()
    except JsnaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    size = sum(path.stat().st_size for path in written)
    print(f"{len(written)} files ({size / 1e6:.1f} MB) copied into {PACKAGED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
