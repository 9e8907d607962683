"""Whole answers kept for anonymous readers: a repeated public GET is answered from memory.

Public pages and API answers depend only on the URL, the ``Accept`` header
(JSON or CSV) and the store's data, so :class:`ResponseCache` keeps the status,
headers and body of every successful anonymous ``GET`` under ``/api/`` and
``/dashboards/`` and replays them without routing, validating or encoding
again. The kept answers live in ``WebState.cache``, which the app empties when
the store's data changes (``WebState.follow_store``), so a kept answer is
never older than the data it shows. Answers that set a cookie, are not 200,
or are larger than :data:`LARGEST` are not kept; signed-in users (who may see
drafts) always get a fresh answer. The least recently used answers go first
once :data:`BUDGET` bytes are held.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BUDGET", "LARGEST", "PATHS", "ResponseCache"]

PATHS = ("/api/", "/dashboards/")
"""Paths whose public answers are kept."""
LARGEST = 4 * 1024 * 1024
"""Bytes of the largest answer kept."""
BUDGET = 128 * 1024 * 1024
"""Bytes of answers kept per worker process."""
_KEY = ("responses",)


class _Kept(OrderedDict[tuple[str, bytes, bytes], tuple[int, list[Any], bytes]]):
    """Answers by (path, query, Accept), least recently used first, with their size."""

    size: int = 0


class ResponseCache:
    """ASGI middleware replaying kept answers to anonymous ``GET`` requests."""

    def __init__(self, app: ASGIApp, cache: dict[Any, Any]):
        self.app = app
        self.cache = cache

    def _kept(self) -> _Kept:
        kept = self.cache.get(_KEY)
        if kept is None:
            kept = self.cache[_KEY] = _Kept()
        return kept  # type: ignore[no-any-return]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session") or {}
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(PATHS)
            or "uid" in session
        ):
            await self.app(scope, receive, send)
            return
        accept = next((v for k, v in scope["headers"] if k == b"accept"), b"")
        key = (scope["path"], scope["query_string"], accept)
        kept = self._kept()
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            status, headers, body = found
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        before = dict(session)

        async def keep(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if not message.get("more_body", False) and scope.get("session", {}) == before:
                    self._store(key, start, b"".join(chunks), size)
            await send(message)

        await self.app(scope, receive, keep)

    def _store(self, key: tuple[str, bytes, bytes], start: Message, body: bytes, size: int) -> None:
        headers = list(start.get("headers", []))
        if start["status"] != 200 or size > LARGEST:
            return
        if any(name.lower() == b"set-cookie" for name, _ in headers):
            return
        kept = self._kept()
        if key in kept:
            return
        kept[key] = (200, headers, body)
        kept.size += size
        while kept.size > BUDGET and kept:
            _, (_, _, old) = kept.popitem(last=False)
            kept.size -= len(old)
