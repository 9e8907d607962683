"""What if capacity moved? A page that reallocates a chapter's service capacity between areas.

``GET /whatif/<chapter>`` shows the first ``unmet_need`` block of the chapter
that has capacity (``?block=1`` the second, ...) with a form of up to
:data:`MOVES` moves (``from1``, ``to1``, ``amount1`` ...). Submitting the
form (a GET: nothing is written, so no CSRF token or sign-in is needed)
recomputes the gaps with :func:`jsna.analysis.need.reallocate` and draws them
with the chapter's own figures (maps as server-made SVG, so the page works
without JavaScript), and a table of each area before and after.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from jsna.analysis.need import Move, NeedResult, reallocate, unmet_need, with_capacity
from jsna.content.blocks.need import UnmetNeedBlock
from jsna.content.chapters import Chapter
from jsna.figures.context import FigureContext
from jsna.figures.format import format_number
from jsna.figures.need import need_figures
from jsna.figures.svg import to_svg
from jsna.stats import StatsInputError

from .auth import current_user
from .templating import render

__all__ = ["MOVES", "router"]

router = APIRouter(prefix="/whatif")

MOVES = 3
"""Moves the form offers."""

_LOCK = threading.Lock()


def _chapter(request: Request, chapter_id: str) -> Chapter:
    chapters = request.app.state.jsna.project.chapters
    signed_in = current_user(request) is not None
    for chapter in chapters:
        if chapter.id == chapter_id and (signed_in or chapter.meta.status == "published"):
            return chapter
    raise HTTPException(404, f"no chapter {chapter_id!r}")


def _blocks(chapter: Chapter) -> list[UnmetNeedBlock]:
    return [
        placed.block
        for placed in chapter.blocks
        if isinstance(placed.block, UnmetNeedBlock) and placed.block.capacity is not None
    ]


def _baseline(request: Request, chapter: Chapter, index: int, block: UnmetNeedBlock) -> Any:
    """(NeedResult, ...) of the block as declared, cached per process."""
    state = request.app.state.jsna
    key = ("whatif", chapter.id, index)
    found = state.cache.get(key)
    if found is None:
        with state.engine.connect() as connection:
            found = unmet_need(connection, block)
        state.cache[key] = found
    return found


def _moves(params: Any, names: list[str]) -> tuple[list[Move], list[dict[str, str]], list[dict]]:
    """Moves from the query (blank rows skipped), errors (field, message), and the form rows."""
    moves: list[Move] = []
    errors: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    for number in range(1, MOVES + 1):
        source = params.get(f"from{number}", "")
        target = params.get(f"to{number}", "")
        text = params.get(f"amount{number}", "").strip()
        rows.append({"number": str(number), "from": source, "to": target, "amount": text})
        if not (source or target or text):
            continue
        for field, value in ((f"from{number}", source), (f"to{number}", target)):
            if value not in names:
                errors.append({"field": field, "message": f"Move {number}: choose an area"})
        try:
            amount = float(text)
        except ValueError:
            errors.append(
                {"field": f"amount{number}", "message": f"Move {number}: enter an amount, e.g. 10"}
            )
            continue
        moves.append(Move(source, target, amount))
    return moves, errors, rows


def _draw(request: Request, block: UnmetNeedBlock, result: NeedResult) -> list[dict[str, Any]]:
    state = request.app.state.jsna
    with state.engine.connect() as connection:
        ctx = FigureContext(state.project, connection)
        figures = need_figures(ctx, block, result, suffix="-whatif")
    drawn = []
    with _LOCK:  # vl-convert is not thread safe
        for figure in figures:
            if figure.kind != "map" or "gap" not in figure.id:
                continue
            svg = to_svg(figure.spec, title=figure.title) if figure.spec else ""
            # the SVG is made by vl-convert from our own spec: its text is escaped XML
            drawn.append({"figure": figure, "svg": Markup(svg)})
    return drawn


@router.get("/{chapter_id}", response_class=HTMLResponse, include_in_schema=False)
async def whatif(request: Request, chapter_id: str) -> HTMLResponse:
    """The what-if form and, once moves are given, the gaps before and after."""
    chapter = _chapter(request, chapter_id)
    blocks = _blocks(chapter)
    if not blocks:
        raise HTTPException(404, f"chapter {chapter_id!r} has no service capacity to move")
    raw = request.query_params.get("block", "0")
    if not raw.isdigit() or int(raw) >= len(blocks):
        raise HTTPException(400, f"block: choose a number from 0 to {len(blocks) - 1}")
    index = int(raw)
    block = blocks[index]
    baseline: NeedResult = await run_in_threadpool(_baseline, request, chapter, index, block)
    frame = baseline.frame
    names = list(frame["area_code"])
    labels = dict(zip(frame["area_code"], frame["area_name"], strict=True))
    moves, errors, rows = _moves(request.query_params, names)
    before = frame.set_index("area_code")["capacity"].fillna(0.0)
    after = before
    if moves and not errors:
        try:
            after = reallocate(before, moves)
        except StatsInputError as error:
            number = str(error).split(":")[0].replace("move ", "")
            field = f"amount{number}" if number.isdigit() else "from1"
            text = str(error)
            errors.append({"field": field, "message": text[:1].upper() + text[1:]})
    changed = bool(moves) and not errors
    result = with_capacity(baseline, after) if changed else baseline
    figures = await run_in_threadpool(_draw, request, block, result) if changed else []
    table = _comparison(frame, result.frame)
    status = 400 if errors else 200
    return render(
        request,
        "whatif.html",
        status_code=status,
        chapter=chapter,
        block=block,
        block_index=index,
        blocks=blocks,
        areas=[(code, labels[code]) for code in names],
        rows=rows,
        errors=errors,
        by_field={e["field"]: e["message"] for e in errors},
        changed=changed,
        moves=[(labels[m.source], labels[m.target], _amount(m.amount)) for m in moves]
        if changed
        else [],
        table=table,
        figures=figures,
        noun=baseline.area_type,
    )


def _amount(value: float) -> str:
    """``30`` or ``12.5``: whole numbers without decimals."""
    if float(value).is_integer():
        return format_number(value, 0)
    return format_number(value, 2).rstrip("0").rstrip(".")


def _comparison(before: pd.DataFrame, after: pd.DataFrame) -> list[tuple[str, ...]]:
    """Rows: area, expected, capacity before and after, gap before and after, change."""
    old = before.set_index("area_code")
    new = after.set_index("area_code")
    rows = []
    for code in new.sort_values(["rank", "area_name"]).index:
        change = new.at[code, "gap"] - old.at[code, "gap"]
        rows.append(
            (
                str(new.at[code, "area_name"]),
                format_number(new.at[code, "expected"], 0),
                format_number(old.at[code, "capacity"], 0),
                format_number(new.at[code, "capacity"], 0),
                format_number(old.at[code, "gap"], 0),
                format_number(new.at[code, "gap"], 0),
                ("+" if change > 0 else "") + format_number(change, 0),
                str(new.at[code, "rank"]),
            )
        )
    return rows
