"""Rate limiting of anonymous API use: a token bucket per client address.

A client not signed in may make ``per_minute`` requests to ``/api/`` a
minute, in bursts up to the same number; past that the answer is 429 Too
Many Requests, in the API envelope, with ``Retry-After``. Signed-in users
(a session cookie naming a user) are not limited. Buckets live in the
process (one app process serves a council's JSNA); idle ones are dropped.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .envelope import error_body

__all__ = ["RateLimit"]

IDLE_SECONDS = 600


class RateLimit:
    """ASGI middleware limiting anonymous requests under ``/api/``."""

    def __init__(self, app: ASGIApp, per_minute: int):
        self.app = app
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last time)
        self.lock = threading.Lock()
        self.swept = time.monotonic()

    def _take(self, client: str) -> float:
        """Seconds to wait before the next request is allowed (0: allowed now)."""
        now = time.monotonic()
        with self.lock:
            if now - self.swept > IDLE_SECONDS:
                self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < IDLE_SECONDS}
                self.swept = now
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                return 0.0
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or self.rate <= 0:
            await self.app(scope, receive, send)
            return
        session: dict[str, Any] = scope.get("session") or {}
        if isinstance(session.get("uid"), int):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self._take(client)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            error_body(429, "Too many requests from this address: wait and try again, or sign in.")
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(math.ceil(wait)).encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
