"""Assets of the built site: our CSS and JavaScript, the brand colours, the logo, vendor files.

Everything lands under ``assets/``:

- ``jsna.css``, ``jsna.js``, ``print.css``, ``govuk-init.js``: copied from
  ``jsna/render/static/`` (shipped in the wheel);
- ``brand.css``: the ``branding`` colours of ``jsna.yml`` as CSS custom
  properties (``--jsna-primary``, ``--jsna-secondary``), written per build;
- the logo, when ``branding.logo`` names one (``assets/logo.<ext>``);
- ``vendor/``: GOV.UK Frontend, Vega, Vega-Lite and vega-embed, copied by
  :func:`jsna.render.vendor.copy_vendor` (from the wheel or ``node_modules``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from jsna.content.mirror import resolve_path
from jsna.content.project_files import Project

from .vendor import copy_vendor

__all__ = ["STATIC", "brand_css", "copy_assets", "logo_path"]

STATIC = Path(__file__).parent / "static"
OWN_FILES = ("jsna.css", "jsna.js", "print.css", "govuk-init.js")


def brand_css(project: Project) -> str:
    """The brand colours as CSS custom properties (colours are validated ``#rrggbb``)."""
    branding = project.config.branding
    return (
        "/* Brand colours from jsna.yml (branding), written by jsna build. */\n"
        ":root {\n"
        f"  --jsna-primary: {branding.primary_colour};\n"
        f"  --jsna-secondary: {branding.secondary_colour};\n"
        f"  --govuk-brand-colour: {branding.primary_colour};\n"
        "}\n"
    )


def logo_path(project: Project) -> str | None:
    """Site-relative path of the copied logo, or None."""
    logo = project.config.branding.logo
    if logo is None:
        return None
    return f"assets/logo{Path(logo).suffix.lower()}"


def copy_assets(project: Project, out: Path) -> list[Path]:
    """Write every asset under ``out/assets``; the files written (vendor files included)."""
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    written = []
    for name in OWN_FILES:
        source = STATIC / name
        if source.is_file():
            shutil.copyfile(source, assets / name)
            written.append(assets / name)
    brand = assets / "brand.css"
    brand.write_text(brand_css(project), encoding="utf-8")
    written.append(brand)
    target = logo_path(project)
    if target is not None and project.config.branding.logo is not None:
        shutil.copyfile(resolve_path(project.root, project.config.branding.logo), out / target)
        written.append(out / target)
    copy_vendor(assets / "vendor")
    written.extend(sorted((assets / "vendor").glob("*")))
    return written
