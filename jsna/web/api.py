"""The public API, ``/api/v1/...``: indicators, areas, published results, custom areas, versions.

Every endpoint answers in one envelope (:mod:`.envelope`), JSON or CSV
(``?format=csv`` or ``Accept: text/csv``), and is read-only, so anonymous use
is allowed (rate limited by :mod:`.limits`). Results are the published ones
(:func:`jsna.store.results.published_results`: disclosure control applied),
read through :mod:`.queries`, which caches them per store generation.
Unknown identifiers are 404 and bad parameters 422, with a message naming
the parameter and the (escaped) value.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import pandas as pd
from fastapi import APIRouter, Body, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from jsna.content.indicators import Indicator

from .aggregate import AGGREGABLE, MAX_AREAS, aggregate
from .envelope import api_response, page_of
from .queries import (
    Cached,
    CacheMiss,
    Rows,
    area_frame,
    area_frame_of,
    area_types_frame,
    changed_sources,
    result_rows,
    results_of,
    sources_frame,
    within,
)

__all__ = ["AggregateRequest", "Envelope", "router"]

T = TypeVar("T")


class Meta(BaseModel):
    """What every envelope says about the answer."""

    api_version: str = Field(description="Version of the API (v1).")
    generated: str = Field(description="When the answer was made (ISO 8601, UTC).")
    total: int | None = Field(default=None, description="Rows in all pages (lists only).")
    limit: int | None = Field(default=None, description="Rows per page (lists only).")
    offset: int | None = Field(default=None, description="First row of this page (lists only).")
    links: dict[str, str | None] | None = Field(
        default=None, description="self, next and prev pages (null at either end)."
    )


class Problem(BaseModel):
    """One thing that went wrong."""

    status: int = Field(description="HTTP status code.")
    message: str = Field(description="What was wrong, naming the parameter and the value.")


class Envelope(BaseModel):
    """The envelope of every answer: ``data`` (an object or a list of rows) and ``meta``."""

    data: Any = Field(description="The answer: one object, a list of row objects, or null.")
    meta: Meta
    errors: list[Problem] | None = Field(default=None, description="Present when it failed.")


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        200: "The answer in the envelope (JSON), or its rows as CSV.",
        404: "An identifier in the path or query is unknown (the envelope's errors say which).",
        422: "A parameter is not valid (the envelope's errors name it and the value).",
        429: "Too many anonymous requests: wait for Retry-After seconds, or sign in.",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for code in (200, *codes, 429):
        entry: dict[str, Any] = {"model": Envelope, "description": described[code]}
        if code == 200:
            entry["content"] = {"text/csv": {"schema": {"type": "string"}}}
        out[code] = entry
    return out


router = APIRouter(prefix="/api/v1", tags=["JSNA data"])

Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page (1 to 1000).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip (page start).")]
Format = Annotated[
    str | None,
    Query(
        alias="format",
        pattern="^(json|csv)$",
        description="json (default) or csv; `Accept: text/csv` also asks for CSV.",
    ),
]


def _shown(value: object) -> str:
    """``value`` fit to quote in a message: shortened and HTML-escaped."""
    text = str(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return html.escape(text, quote=True)


def _unknown(what: str, parameter: str, value: object, status: int = 404) -> HTTPException:
    return HTTPException(status, f"{parameter}: no {what} '{_shown(value)}'")


def _indicator(request: Request, indicator_id: str, parameter: str) -> Indicator:
    found = request.app.state.jsna.project.indicators.get(indicator_id)
    if found is None:
        raise _unknown("indicator", parameter, indicator_id)
    indicator: Indicator = found
    return indicator


async def _read(request: Request, body: Callable[[Cached], T]) -> T:
    """``body(cached)`` on a connection: in the event loop when every cached read it makes is
    warm (sub-millisecond work), else again in the thread pool (store reads of tens of ms)."""
    state = request.app.state.jsna

    def run(fill: bool) -> T:
        with state.engine.connect() as connection:
            return body(Cached(state.cache, connection, fill=fill))

    try:
        return run(False)
    except CacheMiss:
        return await run_in_threadpool(run, True)


def _indicator_row(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.id,
        "code": indicator.code,
        "title": indicator.title,
        "definition": indicator.definition,
        "rationale": indicator.rationale,
        "method": indicator.method,
        "unit": indicator.unit,
        "multiplier": indicator.multiplier,
        "polarity": indicator.polarity,
        "decimals": indicator.decimals,
        "area_types": list(indicator.geographies),
        "breakdowns": list(indicator.breakdowns),
        "sources": list(indicator.sources()),
        "licence": indicator.licence,
        "tags": list(indicator.tags),
    }


@router.get(
    "/indicators",
    summary="List indicators",
    description="Every indicator of the JSNA with its definition, method and sources, by id.",
    responses=_responses(422),
)
async def list_indicators(
    request: Request, limit: Limit = 100, offset: Offset = 0, format_: Format = None
) -> Response:
    """Indicator metadata, one page."""
    indicators = request.app.state.jsna.project.indicators
    rows = [_indicator_row(indicators[key]) for key in sorted(indicators)]
    chunk, page = page_of(request, rows, limit, offset)
    return api_response(request, chunk, meta=page.meta(), name="indicators")


@router.get(
    "/indicators/{indicator_id}",
    summary="One indicator",
    description="The metadata of one indicator (404 for an unknown id).",
    responses=_responses(404),
)
async def get_indicator(
    request: Request,
    indicator_id: Annotated[str, Path(description="Indicator id, e.g. bad_health.")],
    format_: Format = None,
) -> Response:
    """One indicator's metadata."""
    indicator = _indicator(request, indicator_id, "indicator_id")
    return api_response(request, _indicator_row(indicator), name=indicator.id)


@router.get(
    "/area-types",
    summary="List area types",
    description="Area types in the store (wards, LSOAs, localities ...) with how many areas each.",
    responses=_responses(),
)
async def list_area_types(request: Request, format_: Format = None) -> Response:
    """Every area type."""
    frame = await _read(request, area_types_frame)
    return api_response(request, frame, meta={"total": len(frame)}, name="area-types")


def _area_type(cached: Cached, kind: str, parameter: str = "area_type") -> None:
    if kind not in set(area_types_frame(cached)["code"]):
        raise _unknown("area type", parameter, kind, 422)


@router.get(
    "/areas",
    summary="List areas",
    description=(
        "Areas with code, name and type; `area_type` keeps one type and `within` keeps the "
        "areas inside (or overlapping) the area with that code."
    ),
    responses=_responses(404, 422),
)
async def list_areas(
    request: Request,
    area_type: Annotated[
        str | None, Query(description="Only areas of this type, e.g. ward24.")
    ] = None,
    within_: Annotated[
        str | None,
        Query(alias="within", description="An area code: only areas inside or overlapping it."),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format_: Format = None,
) -> Response:
    """Areas, filtered by type and by an area they lie in."""

    def read(cached: Cached) -> pd.DataFrame:
        frame = area_frame(cached)
        if area_type is not None:
            _area_type(cached, area_type)
            frame = area_frame_of(cached, area_type)
        if within_ is not None:
            outer = area_frame(cached)
            kinds = outer.loc[outer["code"] == within_, "type"].unique().tolist()
            if not kinds:
                raise _unknown("area", "within", within_)
            codes: set[str] = set()
            for kind in kinds:
                codes |= within(cached, within_, kind)
            codes.discard(within_)
            frame = frame[frame["code"].isin(codes)]
        return frame

    frame = await _read(request, read)
    chunk, page = page_of(request, frame, limit, offset)
    return api_response(request, chunk, meta=page.meta(), name="areas")


@router.get(
    "/areas/{code}",
    summary="One area",
    description="An area's code, name and type (one row per type when a code has several).",
    responses=_responses(404),
)
async def get_area(
    request: Request,
    code: Annotated[str, Path(description="Area code, e.g. E08000009.")],
    format_: Format = None,
) -> Response:
    """One area (a code may name an area in several types)."""
    frame = await _read(request, area_frame)
    rows = frame[frame["code"] == code]
    if rows.empty:
        raise _unknown("area", "code", code)
    return api_response(request, rows, meta={"total": len(rows)}, name=f"area-{code}")


@router.get(
    "/results",
    summary="Published results of an indicator",
    description=(
        "Figures after disclosure control: value, confidence limits, comparisons, trend, "
        "suppression, period, area and the dataset versions used. Suppressed rows have no "
        "numerator, value or limits."
    ),
    responses=_responses(404, 422),
)
async def list_results(
    request: Request,
    indicator: Annotated[str, Query(description="Indicator id (required).")],
    area_type: Annotated[str | None, Query(description="Only this area type.")] = None,
    period: Annotated[str | None, Query(description="Only this period, e.g. 2021.")] = None,
    area: Annotated[str | None, Query(description="Only this area code.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    format_: Format = None,
) -> Response:
    """Published results of one indicator, one page."""
    chosen = _indicator(request, indicator, "indicator")

    def read(cached: Cached) -> Rows:
        if area_type is not None:
            _area_type(cached, area_type)
        return result_rows(cached, chosen.id)

    rows = await _read(request, read)
    kept = rows.where(area_type=area_type, period=period, area_code=area).tolist()
    positions, page = page_of(request, kept, limit, offset)
    chunk = rows.take(positions)
    return api_response(request, chunk, meta=page.meta(), name=f"results-{chosen.id}")


class AggregateRequest(BaseModel):
    """A custom area: some areas of one type, and the indicator to compute for it."""

    indicator: str = Field(description="Indicator id.", max_length=200)
    area_type: str = Field(description="Type of the member areas, e.g. ward24.", max_length=200)
    areas: list[Annotated[str, Field(max_length=200)]] = Field(
        description=f"Codes of the member areas (1 to {MAX_AREAS}).",
        max_length=MAX_AREAS,
    )
    period: str | None = Field(default=None, description="Only this period.", max_length=200)
    name: str | None = Field(
        default=None,
        description='Name of the custom area, returned as area_name (no <, >, & or ").',
        max_length=200,
        pattern=r'^[^<>&"\x00-\x1f]*$',
    )


@router.post(
    "/aggregate",
    summary="Figures for a custom area",
    description=(
        "Sums the member areas' published numerators and denominators per period and "
        "breakdown and applies the indicator's method (value and confidence limits), then the "
        "project's disclosure rules. A figure whose members include a suppressed one is "
        f"suppressed. Methods: {', '.join(AGGREGABLE)}."
    ),
    responses=_responses(404, 422),
)
async def post_aggregate(
    request: Request,
    wanted: Annotated[AggregateRequest, Body(description="The custom area.")],
    format_: Format = None,
) -> Response:
    """A custom area's figures, after disclosure control."""
    state = request.app.state.jsna
    indicator = _indicator(request, wanted.indicator, "indicator")
    if indicator.method not in AGGREGABLE:
        raise HTTPException(
            422,
            f"indicator: '{_shown(indicator.id)}' uses method {indicator.method}, which cannot "
            f"be summed over areas (only {', '.join(AGGREGABLE)})",
        )
    codes = list(dict.fromkeys(wanted.areas))
    if not codes:
        raise HTTPException(422, "areas: give at least one area code")
    if len(codes) > MAX_AREAS:
        raise HTTPException(422, f"areas: at most {MAX_AREAS} area codes ({len(codes)} given)")

    def read(cached: Cached) -> tuple[pd.DataFrame, pd.DataFrame]:
        _area_type(cached, wanted.area_type)
        return area_frame(cached), results_of(cached, indicator.id)

    areas, published = await _read(request, read)
    of_type = set(areas.loc[areas["type"] == wanted.area_type, "code"])
    unknown = [code for code in codes if code not in of_type]
    if unknown:
        known = set(areas["code"])
        other = [code for code in unknown if code in known]
        shown = ", ".join(f"'{_shown(code)}'" for code in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        kind = "of another area type" if len(other) == len(unknown) else "not known"
        raise HTTPException(
            422, f"areas: {shown}{more}: {kind} (not {_shown(wanted.area_type)} areas)"
        )
    if wanted.area_type not in indicator.geographies:
        raise HTTPException(
            422,
            f"area_type: {indicator.id} is published for "
            f"{', '.join(indicator.geographies)}, not {_shown(wanted.area_type)}",
        )
    rows = published[published["area_type"] == wanted.area_type]
    name = wanted.name or f"Custom area of {len(codes)} {wanted.area_type} areas"
    out = aggregate(state.project, indicator, rows, codes, name=name, period=wanted.period)
    meta = {
        "indicator": indicator.id,
        "area_type": wanted.area_type,
        "members": len(codes),
        "total": len(out),
    }
    return api_response(request, out, meta=meta, name=f"aggregate-{indicator.id}")


@router.get(
    "/datasets",
    summary="List data sources",
    description="Every declared source with its imported versions (vintages), oldest first.",
    responses=_responses(422),
)
async def list_datasets(
    request: Request, limit: Limit = 100, offset: Offset = 0, format_: Format = None
) -> Response:
    """Sources and their versions."""
    rows = await _read(request, sources_frame)
    chunk, page = page_of(request, rows, limit, offset)
    return api_response(request, chunk, meta=page.meta(), name="datasets")


@router.get(
    "/datasets/{source_id}/versions",
    summary="Versions of one source",
    description="The imported versions of one source, oldest first (404 for an unknown source).",
    responses=_responses(404),
)
async def list_versions_of(
    request: Request,
    source_id: Annotated[str, Path(description="Source id.")],
    format_: Format = None,
) -> Response:
    """One source's versions."""
    rows = await _read(request, sources_frame)
    found = next((row for row in rows if row["id"] == source_id), None)
    if found is None:
        raise _unknown("source", "source_id", source_id)
    versions = found["versions"]
    return api_response(
        request, versions, meta={"total": len(versions)}, name=f"versions-{source_id}"
    )


@router.get(
    "/changes",
    summary="What changed in re-imported sources",
    description=(
        "For each source imported more than once: its previous and current version and how "
        "many source figures are new, removed or changed in value or comparison with England "
        "(counts only, never the figures)."
    ),
    responses=_responses(404),
)
async def list_changes(
    request: Request,
    source: Annotated[str | None, Query(description="Only this source id.")] = None,
    format_: Format = None,
) -> Response:
    """Changes between the current and previous version of every re-imported source."""

    def read(cached: Cached) -> list[dict[str, Any]]:
        if source is not None and source not in {row["id"] for row in sources_frame(cached)}:
            raise _unknown("source", "source", source)
        return changed_sources(cached)

    rows = await _read(request, read)
    if source is not None:
        rows = [row for row in rows if row["source_id"] == source]
    return api_response(request, rows, meta={"total": len(rows)}, name="changes")
