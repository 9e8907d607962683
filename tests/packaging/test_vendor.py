"""Vendored front-end assets: where they come from, what is copied, and the pinned versions.

The packaged folder is redirected to a temporary one in every test, so the
repository's own (git-ignored) ``jsna/render/static/vendor/`` is never touched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jsna.errors import JsnaError
from jsna.render import vendor
from tests.paths import ROOT

NODE_MODULES = ROOT / "node_modules"


@pytest.fixture
def packaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty stand-in for ``jsna/render/static/vendor/``."""
    folder = tmp_path / "packaged"
    monkeypatch.setattr(vendor, "PACKAGED", folder)
    return folder


def test_every_vendor_file_is_installed_at_the_pinned_version() -> None:
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert {path.split("/")[0] for path in vendor.VENDOR_FILES.values()} == set(pins)
    for package, pin in pins.items():
        installed = json.loads((NODE_MODULES / package / "package.json").read_text())
        assert installed["version"] == pin, f"{package}: run npm ci"
    for path in vendor.VENDOR_FILES.values():
        assert (NODE_MODULES / path).stat().st_size > 0, path


def test_node_modules_is_the_source_in_a_checkout_without_a_packaged_folder(packaged: Path) -> None:
    assert vendor.vendor_source() == NODE_MODULES


def test_copy_vendor_writes_a_flat_folder_with_the_npm_bytes(
    packaged: Path, tmp_path: Path
) -> None:
    written = vendor.copy_vendor(tmp_path / "site" / "assets" / "vendor")
    assert sorted(path.name for path in written) == sorted(vendor.VENDOR_FILES)
    for path in written:
        assert path.read_bytes() == (NODE_MODULES / vendor.VENDOR_FILES[path.name]).read_bytes()
    versions = {
        "govuk-frontend.min.js": r'version="6\.6\.0"',
        "vega-lite.min.js": r'"6\.4\.1"',
        "vega-embed.min.js": r'"7\.3\.0"',
    }
    folder = tmp_path / "site" / "assets" / "vendor"
    for name, pattern in versions.items():
        assert re.search(pattern, (folder / name).read_text()), name
    assert "MIT License" in (folder / "README.govuk-frontend.md").read_text()
    for name in ("LICENSE.vega.txt", "LICENSE.vega-lite.txt", "LICENSE.vega-embed.txt"):
        assert "Redistribution and use in source and binary forms" in (folder / name).read_text()


def test_fill_packaged_then_the_packaged_folder_wins(packaged: Path) -> None:
    (packaged / "stale.js").parent.mkdir(parents=True)
    (packaged / "stale.js").write_text("old")
    written = vendor.fill_packaged()
    assert len(written) == len(vendor.VENDOR_FILES)
    assert not (packaged / "stale.js").exists()
    assert vendor.vendor_source() == packaged


def test_an_incomplete_packaged_folder_falls_back_to_node_modules(packaged: Path) -> None:
    vendor.fill_packaged()
    (packaged / "vega.min.js").unlink()
    assert vendor.vendor_source() == NODE_MODULES


def test_no_assets_anywhere_is_a_user_error_that_says_npm_ci(
    packaged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "installed" / "jsna" / "render"
    elsewhere.mkdir(parents=True)
    monkeypatch.setattr(vendor, "PACKAGE_DIR", elsewhere)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(JsnaError, match="front-end assets missing: run npm ci"):
        vendor.vendor_source()
    with pytest.raises(JsnaError, match="run npm ci"):
        vendor.copy_vendor(tmp_path / "out")
    assert vendor.main() == 1


def test_node_modules_is_found_from_the_current_folder(
    packaged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vendor, "PACKAGE_DIR", tmp_path / "installed")
    project = ROOT / "examples" / "trafford"
    monkeypatch.chdir(project)
    assert vendor.vendor_source() == NODE_MODULES
