"""The web application: :func:`create_app` wires settings, middleware, routers and errors.

Requests pass, outermost first: security headers -> sessions (signed cookie)
-> CORS -> rate limit of anonymous API use -> the routers. Routers come from
one module each (:data:`ROUTERS`); the static site is mounted last at ``/``
so every route above wins over a file of the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jsna import __version__
from jsna.content.project_files import Project
from jsna.errors import ContentError, InputFileError, JsnaError, StoreError

from .envelope import API_VERSION, error_body
from .limits import RateLimit
from .settings import WebSettings
from .templating import render

__all__ = ["ROUTERS", "WebState", "create_app"]

STATIC = Path(__file__).parent / "static"
"""The app's own scripts and styles, served at ``/app-assets/``."""

ROUTERS = (
    "api",
    "accounts",
    "dashboards",
    "workflow",
    "uploads",
    "analysis",
    "consultation",
    "whatif",
    "priorities",
    "tracker",
)
"""Modules of :mod:`jsna.web` whose ``router`` the app includes, in this order."""

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

_HEADINGS = {
    400: "There is a problem with the request",
    401: "Sign in to see this page",
    403: "You cannot do this",
    404: "Page not found",
    405: "This cannot be done here",
    422: "There is a problem with what was sent",
    429: "Too many requests",
    503: "The service is unavailable",
}


@dataclass
class WebState:
    """What every request handler can reach as ``request.app.state.jsna``."""

    project: Project
    engine: Engine
    settings: WebSettings
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    cache: dict[Any, Any] = field(default_factory=dict)
    """Per-process caches (figure contexts, ...); cleared when the store changes."""


class _SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse(error_body(status, message), status_code=status)
    if status == 401:
        return RedirectResponse(f"/account/sign-in?next={request.url.path}", status_code=303)
    heading = _HEADINGS.get(status, "Sorry, there is a problem")
    return render(request, "error.html", status_code=status, heading=heading, message=message)


def _status_of(error: JsnaError) -> int:
    if isinstance(error, StoreError):
        return 503
    if isinstance(error, ContentError | InputFileError):
        return 422
    return 400


def create_app(project: Project, engine: Engine, settings: WebSettings) -> FastAPI:
    """The app for ``project`` on the store behind ``engine``."""
    if not settings.secret:
        raise JsnaError("the web app needs a secret key to sign session cookies")
    app = FastAPI(
        title=f"{project.config.title}: JSNA API",
        version=f"{API_VERSION} (jsna {__version__})",
        description=(
            "Indicators, areas and published results of the Joint Strategic Needs Assessment, "
            "after disclosure control. Every endpoint answers JSON in one envelope "
            '(`{"data": ..., "meta": {...}}`) or CSV (`?format=csv`).'
        ),
        docs_url="/api/v1/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.jsna = WebState(project=project, engine=engine, settings=settings)

    # Middleware: the last added runs first.
    app.add_middleware(RateLimit, per_minute=settings.anonymous_per_minute)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        allow_credentials=False,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie="jsna_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(_SecurityHeaders)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in error.errors()
        )
        return _error(request, 422, problems or "the request is not valid")

    @app.exception_handler(JsnaError)
    async def jsna_error(request: Request, error: JsnaError) -> Response:
        return _error(request, _status_of(error), str(error))

    for name in ROUTERS:
        app.include_router(import_module(f"{__package__}.{name}").router)
    app.mount("/app-assets", StaticFiles(directory=STATIC), name="app-assets")

    if settings.site is not None:
        app.mount("/", StaticFiles(directory=settings.site, html=True), name="site")
    return app
