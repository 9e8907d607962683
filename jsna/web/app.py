"""The web application: :func:`create_app` wires settings, middleware, routers and errors.

Requests pass, outermost first: security headers -> sessions (signed cookie)
-> CORS -> rate limit of anonymous API use -> following the store (caches
dropped when data changed) -> kept answers for anonymous readers -> the routers. Routers come from
one module each (:data:`ROUTERS`); the static site is mounted last at ``/``
so every route above wins over a file of the same path.
"""

from __future__ import annotations

import logging
import time
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
from jsna.content.project_files import Project, load_project
from jsna.errors import ContentError, InputFileError, JsnaError, StoreError
from jsna.figures.context import FigureContext

from .envelope import API_VERSION, error_body
from .limits import RateLimit
from .queries import generation
from .responses import ResponseCache
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
    "voices",
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


_LOG = logging.getLogger(__name__)
_CACHED = ("/api/", "/dashboards/", "/whatif/")
"""Paths whose answers come from the caches."""


@dataclass
class WebState:
    """What every request handler can reach as ``request.app.state.jsna``."""

    project: Project
    engine: Engine
    settings: WebSettings
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    cache: dict[Any, Any] = field(default_factory=dict)
    """Per-process caches (figure contexts, results, pages); cleared when the store changes."""
    generation: tuple[Any, ...] | None = None
    """The store's generation the caches were made from (see :func:`.queries.generation`)."""
    checked: float = float("-inf")
    """When (``time.monotonic()``) the generation was last read."""

    def clear_caches(self) -> None:
        """Drop every cache, closing the store connections cached figure contexts hold."""
        for value in list(self.cache.values()):
            match value:
                case (FigureContext() as ctx, lock):
                    with lock:  # a dashboard may be drawing with it
                        ctx.connection.close()
        self.cache.clear()

    def follow_store(self) -> None:
        """Drop the caches if data was imported or computed since they were made, by this
        process or another (the store is asked at most every ``freshness_seconds``)."""
        now = time.monotonic()
        if now - self.checked < self.settings.freshness_seconds:
            return
        with self.engine.connect() as connection:
            current = generation(connection)
        self.checked = now
        if current == self.generation:
            return
        if self.generation is not None and current[-1] != self.generation[-1]:
            self.reload_chapters()
        self.clear_caches()
        self.generation = current

    def reload_chapters(self) -> None:
        """Read the project's files again (a chapter was published, maybe by another worker);
        a project that no longer loads is kept as it was, and the problem logged."""
        try:
            self.project = load_project(self.project.root)
        except JsnaError as error:
            _LOG.warning("kept the loaded project: %s", error)


class _FollowStore:
    """Keeps the caches in step with the store before reading pages that use them."""

    def __init__(self, app: ASGIApp, state: WebState):
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(_CACHED):
            self.state.follow_store()
        await self.app(scope, receive, send)


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
    state = WebState(project=project, engine=engine, settings=settings)
    app.state.jsna = state

    # Middleware: the last added runs first.
    app.add_middleware(ResponseCache, cache=state.cache)
    app.add_middleware(_FollowStore, state=state)
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
