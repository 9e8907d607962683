"""Settings of the web app: from arguments, else environment variables, else defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["WebSettings", "secret_key"]

SECRET_ENV = "JSNA_SECRET_KEY"
CORS_ENV = "JSNA_CORS_ORIGINS"
RATE_ENV = "JSNA_API_RATE_LIMIT"


def secret_key(project: Path) -> str:
    """The key that signs session cookies: ``$JSNA_SECRET_KEY``, else one kept in
    ``PROJECT/.jsna/secret_key`` (made on first use, readable by its owner only; never
    in the repository: ``.jsna/`` is the project's private folder)."""
    given = os.environ.get(SECRET_ENV)
    if given:
        return given
    path = project / ".jsna" / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def _origins() -> tuple[str, ...]:
    text = os.environ.get(CORS_ENV, "*")
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _rate() -> int:
    text = os.environ.get(RATE_ENV, "").strip()
    if not text:
        return 300
    if not text.isdigit():
        raise ValueError(f"${RATE_ENV} must be a whole number of requests a minute, not {text!r}")
    return int(text)


@dataclass(frozen=True)
class WebSettings:
    """How the app runs. Every field has a safe default for a laptop."""

    site: Path | None = None
    """The folder ``jsna build`` wrote, served at ``/`` (None: no static site)."""
    secret: str = field(default="", repr=False)
    """Signs session cookies (see :func:`secret_key`); must be set."""
    secure_cookies: bool = False
    """Send cookies over HTTPS only (set behind TLS; off for http://127.0.0.1)."""
    cors_origins: tuple[str, ...] = field(default_factory=_origins)
    """Origins allowed to call the API from a browser (``$JSNA_CORS_ORIGINS``, comma-separated;
    default ``*``, the API being public and read-only for anonymous use)."""
    anonymous_per_minute: int = field(default_factory=_rate)
    """API requests a minute an anonymous client may make before 429 Too Many Requests
    (``$JSNA_API_RATE_LIMIT``, default 300; 0: no limit). Counted per worker process."""
    freshness_seconds: float = 1.0
    """How often (at most) a worker asks the store whether data changed, dropping its caches
    when it did: data imported or computed elsewhere shows within this many seconds."""
    session_hours: int = 8
    """How long a sign-in lasts."""
    on_publish: Callable[[str], None] | None = None
    """Called (in a background thread) with a chapter id after it is published: ``jsna serve``
    rebuilds the static site with it. The web layer never imports the renderer itself."""
