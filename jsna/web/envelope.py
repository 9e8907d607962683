"""One JSON envelope for every API response, and CSV for every endpoint.

Every JSON body is ``{"data": ..., "meta": {...}}`` (the shape of the static
site's ``.json`` twins and of ``jsna export``), plus ``"errors": [...]`` when
something went wrong::

    {"data": [...], "meta": {"api_version": "v1", "generated": "...", "licence": "...",
                             "total": 120, "limit": 50, "offset": 0,
                             "links": {"self": "...", "next": "...", "prev": null}}}
    {"data": null, "meta": {...}, "errors": [{"status": 404, "message": "no indicator 'x'"}]}

Every endpoint also answers CSV (``?format=csv`` or ``Accept: text/csv``):
the rows of ``data`` with a header line; nested values are written as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from fastapi import Request
from fastapi.responses import Response

__all__ = [
    "API_VERSION",
    "Page",
    "api_response",
    "envelope",
    "error_body",
    "page_of",
    "wants_csv",
]

API_VERSION = "v1"
MAX_LIMIT = 1000


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _rows(data: pd.DataFrame | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(data, pd.DataFrame):
        text = data.to_json(
            orient="records", double_precision=15, force_ascii=False, date_format="iso"
        )
        rows: list[dict[str, Any]] = json.loads(text)
        return rows
    return [dict(row) for row in data]


def envelope(
    data: Any, *, meta: Mapping[str, Any] | None = None, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The envelope around ``data`` (a DataFrame becomes a list of row objects)."""
    body: dict[str, Any] = {
        "data": _rows(data) if isinstance(data, pd.DataFrame) else data,
        "meta": {
            "api_version": API_VERSION,
            "generated": datetime.now(UTC).replace(microsecond=0).isoformat(),
            **(meta or {}),
        },
    }
    if errors:
        body["errors"] = errors
    return body


def error_body(status: int, message: str, **meta: Any) -> dict[str, Any]:
    """The envelope of a failed request."""
    return envelope(None, meta=meta, errors=[{"status": status, "message": message}])


def wants_csv(request: Request) -> bool:
    """Whether the client asked for CSV (``?format=csv`` or ``Accept: text/csv``)."""
    asked = request.query_params.get("format", "").lower()
    if asked:
        return asked == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def _csv(rows: list[dict[str, Any]]) -> str:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(columns))
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, dict | list):
                value = json.dumps(value, ensure_ascii=False, default=_plain)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return out.getvalue()


def api_response(
    request: Request,
    data: Any,
    *,
    meta: Mapping[str, Any] | None = None,
    name: str = "data",
    status_code: int = 200,
) -> Response:
    """``data`` in the envelope as JSON, or as CSV when asked (``name`` names the file)."""
    body = envelope(data, meta=meta)
    if wants_csv(request):
        rows = body["data"]
        if rows is None:
            rows = []
        elif isinstance(rows, dict):
            rows = [rows]
        return Response(
            _csv(rows),
            status_code=status_code,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return Response(text, status_code=status_code, media_type="application/json")


class Page:
    """A slice of rows with its ``total``, ``limit``, ``offset`` and links (for ``meta``)."""

    def __init__(self, request: Request, total: int, limit: int, offset: int):
        self.total, self.limit, self.offset = total, limit, offset
        self.request = request

    def _link(self, offset: int | None) -> str | None:
        if offset is None:
            return None
        return str(self.request.url.include_query_params(offset=offset, limit=self.limit))

    def meta(self) -> dict[str, Any]:
        """``total``, ``limit``, ``offset`` and ``links`` (self, next, prev)."""
        after = self.offset + self.limit
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "links": {
                "self": str(self.request.url),
                "next": self._link(after if after < self.total else None),
                "prev": self._link(max(0, self.offset - self.limit) if self.offset > 0 else None),
            },
        }


def page_of(
    request: Request, rows: pd.DataFrame | Sequence[Any], limit: int, offset: int
) -> tuple[Any, Page]:
    """The rows of one page of ``rows`` and its :class:`Page` (limit clipped to MAX_LIMIT)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = len(rows)
    chunk = (
        rows.iloc[offset : offset + limit]
        if isinstance(rows, pd.DataFrame)
        else rows[offset : offset + limit]
    )
    return chunk, Page(request, total, limit, offset)
