"""Data upload through the browser: a new file for a declared source, then the compute.

An upload runs exactly what ``jsna import`` runs (:func:`jsna.ingest.pipeline.import_file`
with the uploaded file in place of the declared one): the whole file is checked
first and written in one transaction, so a refused file changes nothing. Any
change clears the app's caches (figures, results).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse

from jsna.compute import compute_project
from jsna.content.sources import Source
from jsna.errors import InputFileError, JsnaError
from jsna.ingest.pipeline import import_file
from jsna.ingest.problems import ImportRejectedError, Limits
from jsna.store.versions import list_versions

from .auth import audit, check_csrf, require
from .templating import render
from .users import User

__all__ = ["EXTENSIONS", "MAX_UPLOAD_BYTES", "router"]

router = APIRouter()

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest file accepted through the browser."""

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "fingertips": (".csv",),
    "xlsx": (".xlsx",),
    "geojson": (".geojson", ".json"),
}
"""File name endings accepted for each declared format."""

_CHUNK = 1024 * 1024


def _sources(request: Request) -> list[dict[str, Any]]:
    state = request.app.state.jsna
    with state.engine.connect() as connection:
        versions = list_versions(connection)
    current = {v.source_id: v for v in versions if v.is_current}
    rows = []
    for source_id, declared in sorted(state.project.sources.items()):
        rows.append(
            {
                "id": source_id,
                "title": getattr(declared, "title", None) or source_id,
                "format": str(declared.format),
                "extensions": EXTENSIONS.get(str(declared.format), ()),
                "version": current.get(source_id),
            }
        )
    return rows


def _page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("errors", [])
    context.setdefault("problems", [])
    context.setdefault("result", None)
    context.setdefault("source_id", None)
    context.setdefault("computed", None)
    return render(
        request,
        "upload.html",
        status_code=status_code,
        sources=_sources(request),
        max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        **context,
    )


@router.get("/upload/", include_in_schema=False, response_class=HTMLResponse)
def upload_page(
    request: Request, user: Annotated[User, Depends(require("analyst"))]
) -> HTMLResponse:
    """The declared sources, their current versions and a form to upload a new file."""
    return _page(request)


def _safe_name(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "").name).strip("._")
    return cleaned[:120] or fallback


def _save(upload: UploadFile, target: Path) -> int:
    """Copy the upload to ``target``; the size written, or -1 when over the limit."""
    size = 0
    with target.open("wb") as handle:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                return -1
            handle.write(chunk)
    return size


@router.post("/upload/compute", include_in_schema=False, response_class=HTMLResponse)
def compute(
    request: Request,
    user: Annotated[User, Depends(require("analyst"))],
    csrf_token: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    """Run the incremental compute and show which indicators were recomputed."""
    check_csrf(request, csrf_token)
    state = request.app.state.jsna
    summary = compute_project(state.engine, state.project, actor=user.username)
    with state.engine.begin() as connection:
        audit(
            connection,
            user,
            "compute",
            "project",
            "all",
            computed=list(summary.computed),
            failed=summary.failed,
        )
    state.clear_caches()
    return _page(request, computed=summary)


@router.post("/upload/{source_id}", include_in_schema=False, response_class=HTMLResponse)
def upload(
    request: Request,
    source_id: str,
    user: Annotated[User, Depends(require("analyst"))],
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    """Import the uploaded file as a new version of ``source_id`` (all or nothing)."""
    check_csrf(request, csrf_token)
    state = request.app.state.jsna
    declared: Source | None = state.project.sources.get(source_id)
    if declared is None:
        raise HTTPException(404, f"There is no declared source {source_id!r}.")
    field = f"file-{source_id}"

    def refuse(message: str, status: int = 422) -> HTMLResponse:
        errors = [{"field": field, "message": message}]
        return _page(request, status, errors=errors, source_id=source_id)

    if file is None or not file.filename:
        return refuse("Select a file to upload.")
    allowed = EXTENSIONS.get(str(declared.format), ())
    name = _safe_name(file.filename, f"{source_id}{allowed[0] if allowed else ''}")
    if allowed and not name.lower().endswith(allowed):
        return refuse(
            f"The file must be a {' or '.join(allowed)} file: source {source_id} "
            f"declares format {declared.format}."
        )
    folder = Path(tempfile.mkdtemp(prefix="jsna-upload-"))
    try:
        path = folder / name
        size = _save(file, path)
        if size < 0:
            return refuse(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", status=413
            )
        if size == 0:
            return refuse("The selected file is empty.")
        try:
            result = import_file(
                state.engine,
                state.project.root,
                declared,
                path,
                limits=Limits(max_file_bytes=MAX_UPLOAD_BYTES),
                actor=user.username,
            )
        except ImportRejectedError as error:
            problems = [
                {"row": p.row, "column": p.column, "rule": p.rule, "value": str(p.value)}
                for p in error.problems
            ]
            count = len(problems)
            message = f"{count} problem{'s' if count != 1 else ''} in {name}, nothing imported."
            errors = [{"field": field, "message": message}]
            errors += [
                {
                    "field": field,
                    "message": f"Row {p['row']}, column {p['column']}: {p['rule']}"
                    + (f" ({p['value']})" if p["value"] else ""),
                }
                for p in problems
            ]
            return _page(request, 422, errors=errors, problems=problems, source_id=source_id)
        except InputFileError as error:
            message = str(error).replace(str(folder) + "/", "")
            return refuse(message)
        except JsnaError as error:
            return refuse(str(error).replace(str(folder) + "/", ""))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.status != "unchanged":
        with state.engine.begin() as connection:
            audit(
                connection,
                user,
                "upload",
                "dataset_version",
                result.version_id,
                source=source_id,
                status=result.status,
                file=name,
                rows=result.rows,
            )
    with state.engine.connect() as connection:
        version = next(v for v in list_versions(connection, source_id) if v.id == result.version_id)
        state.clear_caches()
    shown = {"status": result.status, "version": version, "rows": result.rows, "file": name}
    return _page(request, result=shown, source_id=source_id)
