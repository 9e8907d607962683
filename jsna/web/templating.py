"""Server-rendered pages: one Jinja environment (autoescaped) and one way to render.

Templates live in ``jsna/web/templates`` and extend ``base.html`` (GOV.UK
Frontend layout in the council's brand; CSS and scripts are the static
site's ``/assets/``). :func:`render` adds what every page needs: the project
config, the signed-in user, the CSRF token (made when first printed) and the
current path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from jsna import __version__

from .auth import CSRF_FIELD, csrf_token, current_user

__all__ = ["TEMPLATES", "environment", "render"]

TEMPLATES = Path(__file__).parent / "templates"

_ENVIRONMENT: Environment | None = None


def environment() -> Environment:
    """The web app's Jinja environment (made once)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _ENVIRONMENT


class _LazyToken:
    """The session's CSRF token, made only when a template prints it: a page without a form
    leaves the session alone (no cookie is set), so it can be cached for every reader."""

    def __init__(self, request: Request):
        self.request = request

    def __str__(self) -> str:
        return csrf_token(self.request)

    def __html__(self) -> Markup:
        return escape(str(self))


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` rendered with ``context`` plus config, user, csrf and path."""
    state = request.app.state.jsna
    html = (
        environment()
        .get_template(template)
        .render(
            config=state.project.config,
            user=current_user(request),
            csrf_field=CSRF_FIELD,
            csrf_token=_LazyToken(request),
            path=request.url.path,
            version=__version__,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)
