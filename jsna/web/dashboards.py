"""Interactive chapter dashboards: a list of chapters, one dashboard per chapter with its
pages as tabs, a JSON view of a tab's figures and a CSV of each figure.

The HTML is server-rendered and complete without JavaScript (tabs are links,
selectors a GET form); ``/app-assets/dashboard.js`` draws the Vega-Lite specs
with vega-embed, swaps figures from ``view.json`` and keeps the state in the URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from jsna.content.chapters import Chapter
from jsna.figures.model import Figure

from .auth import current_user
from .dashboard_data import (
    CHOSEN,
    ViewState,
    chapter_tabs,
    figure_state,
    options_for,
    view_of,
)
from .envelope import api_response, wants_csv
from .templating import environment, render

__all__ = ["router"]

router = APIRouter(prefix="/dashboards")


def _chapters(request: Request) -> list[Chapter]:
    chapters = request.app.state.jsna.project.chapters
    if current_user(request) is not None:
        return list(chapters)
    return [c for c in chapters if c.meta.status == "published"]


def _chapter(request: Request, chapter_id: str) -> Chapter:
    for chapter in _chapters(request):
        if chapter.id == chapter_id:
            return chapter
    raise HTTPException(404, f"no dashboard for chapter {chapter_id!r}")


def _state(request: Request, chapter: Chapter) -> ViewState:
    params = request.query_params
    tabs = chapter_tabs(chapter)
    raw = params.get("tab", "0")
    if not raw.isdigit() or not 0 <= int(raw) < len(tabs):
        raise HTTPException(400, f"tab: choose a number from 0 to {len(tabs) - 1}")
    state = request.app.state.jsna
    options = options_for(state.cache, state.project, state.engine, chapter)
    values: dict[str, Any] = {"tab": int(raw)}
    for name in (*CHOSEN, "area"):
        value = params.get(name) or None
        if value is not None and value not in {v for v, _ in options[name]}:
            raise HTTPException(400, f"{name.replace('_', ' ')}: no choice {value!r}")
        values[name] = value
    return ViewState(**values)


async def _view(request: Request, chapter: Chapter, view_state: ViewState) -> Any:
    state = request.app.state.jsna
    key = ("dashboards", "view", chapter.id, figure_state(view_state))
    found = state.cache.get(key)
    if found is not None:
        return found
    return await run_in_threadpool(
        view_of, state.cache, state.project, state.engine, chapter, view_state
    )


def _figure_json(figure: Figure, unchanged: dict[str, str]) -> dict[str, Any]:
    return {
        "id": figure.id,
        "kind": figure.kind,
        "title": figure.title,
        "caption": figure.caption,
        "summary": figure.summary,
        "spec": figure.spec,
        "unchanged": unchanged.get(figure.id),
        "table": {
            "caption": figure.table.caption,
            "columns": [c.label for c in figure.table.columns],
            "rows": [list(r) for r in figure.table.rows],
        },
    }


def _choices(
    cache: dict[Any, Any], chapter_id: str, name: str, values: list[tuple[str, str]], chosen: Any
) -> Markup:
    """The ``<option>`` elements of one selector (made once per chapter), ``chosen`` selected."""
    key = ("dashboards", "choices", chapter_id, name)
    options = cache.get(key)
    if options is None:
        options = Markup("").join(
            Markup('<option value="{}">{}</option>\n').format(value, text) for value, text in values
        )
        cache[key] = options
    if chosen is None:
        return options  # type: ignore[no-any-return]
    mark = Markup('<option value="{}">').format(chosen)
    return Markup(str(options).replace(str(mark), str(mark)[:-1] + " selected>", 1))


@router.get("/", include_in_schema=False)
async def dashboard_list(request: Request) -> Response:
    """Every chapter the reader may see, with its number of pages and summary."""
    chapters = [(c, len(chapter_tabs(c))) for c in _chapters(request)]
    return render(request, "dashboards.html", chapters=chapters)


@router.get("/{chapter_id}/view.json", include_in_schema=False)
async def dashboard_view(request: Request, chapter_id: str) -> Response:
    """The figures of one tab under the query's state, in the API envelope."""
    chapter = _chapter(request, chapter_id)
    view_state = _state(request, chapter)
    if wants_csv(request):
        raise HTTPException(400, "format: a dashboard view is JSON; each figure has a CSV")
    cache = request.app.state.jsna.cache
    key = ("dashboards", "view.json", chapter.id, view_state)
    body = cache.get(key)
    if body is None:
        view = await _view(request, chapter, view_state)
        data = {
            "chapter": chapter.id,
            "tab": view_state.tab,
            "title": view.tab.title,
            "state": view_state.query(),
            "figures": [_figure_json(f, view.unchanged) for f in view.figures],
        }
        body = api_response(request, data, name=f"{chapter.id}-view").body
        cache[key] = body
    return Response(body, media_type="application/json")


@router.get("/{chapter_id}/figures/{figure_id}.csv", include_in_schema=False)
async def figure_csv(request: Request, chapter_id: str, figure_id: str) -> Response:
    """One figure's data as CSV, under the query's state."""
    chapter = _chapter(request, chapter_id)
    view_state = _state(request, chapter)
    view = await _view(request, chapter, view_state)
    for figure in view.figures:
        if figure.id == figure_id:
            text = figure.data.to_csv(index=False, lineterminator="\n")
            return Response(
                text,
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{figure.id}.csv"'},
            )
    raise HTTPException(404, f"no figure {figure_id!r} on this tab")


@router.get("/{chapter_id}", include_in_schema=False)
async def dashboard(request: Request, chapter_id: str) -> Response:
    """One chapter's dashboard: tabs, selectors and the current tab's figures."""
    chapter = _chapter(request, chapter_id)
    view_state = _state(request, chapter)
    view = await _view(request, chapter, view_state)
    state = request.app.state.jsna
    options = options_for(state.cache, state.project, state.engine, chapter)
    area_name = dict(options["area"]).get(view_state.area or "", "")
    shown = figure_state(view_state)
    key = ("dashboards", "fragment", chapter.id, shown)
    fragment = state.cache.get(key)
    if fragment is None:
        template = environment().get_template("dashboard_figures.html")
        fragment = Markup(
            template.render(
                base=f"/dashboards/{quote(chapter.id)}",
                query=urlencode(shown.query()),
                figures=[_figure_json(f, view.unchanged) for f in view.figures],
            )
        )
        state.cache[key] = fragment
    choices = {
        name: _choices(state.cache, chapter.id, name, values, getattr(view_state, name))
        for name, values in options.items()
    }
    return render(
        request,
        "dashboard.html",
        choices=choices,
        chapter=chapter,
        tabs=chapter_tabs(chapter),
        view=view,
        view_state=view_state,
        options=options,
        area_name=area_name,
        figures_html=fragment,
    )
