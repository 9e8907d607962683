"""``jsna serve``: the web app (dashboards, API, accounts, workflow) over the built site.

The app (:func:`jsna.web.app.create_app`) serves the static site built by
``jsna build`` at ``/`` and adds the dashboards, the API and the signed-in
pages. Publishing a chapter in the workflow rebuilds the site in the
background. ``--static-only`` serves the built site's files alone, as a web
host would.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click

from jsna.store.engine import DATABASE_ENV

from .build import DEFAULT_OUT

__all__ = ["app_from_environment", "make_app", "serve"]


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        """No request log (errors still reach the terminal through the exception)."""


def _site_folder(project: Path, site: Path | None) -> Path:
    if site is not None:
        return site
    return next(
        (c for c in (DEFAULT_OUT, project / DEFAULT_OUT) if (c / "index.html").is_file()),
        DEFAULT_OUT,
    )


def _serve_files(folder: Path, host: str, port: int) -> None:
    handler = partial(_QuietHandler, directory=os.fspath(folder))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror}") from error
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {folder.resolve()} at http://{shown}:{server.server_port}/ (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


_OPTIONS_ENV = "JSNA_SERVE_OPTIONS"
"""How ``jsna serve --workers N`` hands its options to the worker processes."""


def make_app(project: str, url: str | None, site: str | None, secure_cookies: bool) -> Any:
    """The web app over the store at ``url`` and the built ``site`` (None: none)."""
    from jsna.content.project_files import load_project
    from jsna.store import open_store
    from jsna.web.app import create_app
    from jsna.web.settings import WebSettings, secret_key

    root = Path(project)
    folder = Path(site) if site is not None else None
    settings = WebSettings(
        site=folder,
        secret=secret_key(root),
        secure_cookies=secure_cookies,
        on_publish=_rebuilder(root, url, folder) if folder is not None else None,
    )
    return create_app(load_project(root), open_store(root, url), settings)


def app_from_environment() -> Any:
    """The app of one worker process of ``jsna serve --workers N`` (options from the parent)."""
    return make_app(**json.loads(os.environ[_OPTIONS_ENV]))


def _rebuilder(project: Path, url: str | None, folder: Path) -> Any:
    """A callable rebuilding the site into ``folder`` (one build at a time)."""
    lock = threading.Lock()

    def rebuild(chapter_id: str) -> None:
        from jsna.content.project_files import load_project
        from jsna.render.build import build_site
        from jsna.store import open_store

        with lock:
            engine = open_store(project, url)
            try:
                with engine.connect() as connection:
                    build_site(load_project(project), connection, folder, pdf=True)
            finally:
                engine.dispose()
            click.echo(f"Site rebuilt after {chapter_id} was published.")

    return rebuild


@click.command()
@click.argument(
    "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), required=False
)
@click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The built site served at / (default: ./site, else PROJECT/site).",
)
@click.option(
    "--db",
    "url",
    metavar="URL",
    help=f"Database URL (default: ${DATABASE_ENV}, else PROJECT/.jsna/jsna.db).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--secure-cookies", is_flag=True, help="Send session cookies over HTTPS only (behind TLS)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes answering requests (several share one store; use PostgreSQL or "
    "SQLite on a local disk).",
)
@click.option(
    "--static-only", is_flag=True, help="Serve the built site's files alone (no app, no store)."
)
def serve(
    project: Path,
    site: Path | None,
    url: str | None,
    host: str,
    port: int,
    secure_cookies: bool,
    workers: int,
    static_only: bool,
) -> None:
    """Run the web app at http://HOST:PORT/ until Ctrl+C.

    The public site (built by 'jsna build') is at /, one interactive
    dashboard per chapter at /dashboards/, the API at /api/v1/ (documented
    at /api/v1/docs), and for people with an account: the chapter workflow
    (/workflow/), data upload (/upload/), analysis requests (/requests/) and
    user administration (/account/users). Create the first account with
    'jsna users add NAME --role admin'. Sessions are signed with
    $JSNA_SECRET_KEY, else a key kept in PROJECT/.jsna/secret_key.

    \b
    Examples:
      jsna build examples/trafford && jsna serve examples/trafford
      jsna serve my-jsna --db postgresql+psycopg://jsna@db/jsna --port 8080
      jsna serve my-jsna --workers 4 --db postgresql+psycopg://jsna@db/jsna
      jsna serve --static-only --site public

    Anonymous API use is limited to $JSNA_API_RATE_LIMIT requests a minute
    per address (default 300; 0 switches the limit off).
    """
    folder = _site_folder(project, site)
    if static_only:
        if not (folder / "index.html").is_file():
            raise click.ClickException(
                f"no built site at {folder} (no index.html): run 'jsna build' first, or give --site"
            )
        _serve_files(folder, host, port)
        return
    import uvicorn

    from jsna.content.project_files import load_project
    from jsna.store import open_store
    from jsna.web.chapters_store import publish_due
    from jsna.web.users import list_users

    loaded = load_project(project)
    engine = open_store(project, url)
    has_site = (folder / "index.html").is_file()
    if not has_site:
        click.echo(f"No built site at {folder}: only the app's own pages are served.", err=True)
    on_publish = _rebuilder(project, url, folder) if has_site else None
    for chapter_id in publish_due(engine, loaded, date.today()):
        click.echo(f"Published {chapter_id} (its publication day has come).")
        if on_publish is not None:
            threading.Thread(target=on_publish, args=(chapter_id,), daemon=True).start()
    with engine.connect() as connection:
        if not list_users(connection):
            click.echo("No accounts yet: 'jsna users add NAME --role admin' creates the first.")
    engine.dispose()
    options = {
        "project": os.fspath(project),
        "url": url,
        "site": os.fspath(folder) if has_site else None,
        "secure_cookies": secure_cookies,
    }
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"jsna web app at http://{shown}:{port}/ with {workers} worker process"
        f"{'es' if workers > 1 else ''} (API docs /api/v1/docs; Ctrl+C stops)"
    )
    if workers == 1:
        app: Any = make_app(**options)
    else:
        os.environ[_OPTIONS_ENV] = json.dumps(options)
        app = f"{__name__}:app_from_environment"
    uvicorn.run(
        app,
        host=host,
        port=port,
        workers=workers,
        factory=workers > 1,
        log_level="warning",
        access_log=False,
    )
