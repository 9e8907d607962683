"""Community voices in the store: importing a survey's responses, reading them, coding themes.

:func:`import_survey` writes a checked responses file (see :mod:`jsna.analysis.voices`)
in the caller's transaction: all of it or nothing. Re-importing a survey replaces
its responses but keeps the themes analysts coded in the web app for responses
whose id is still there (unless the file codes them itself).

:func:`project_responses` is what figures read: the stored responses of each
declared survey once it has been imported (from its declared file, or from
another file in its place, e.g. a raw export imported with ``strip``), else
the declared file read and checked in memory (nothing is written), so a
project's pages show its voices before anyone has imported them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, delete, select, update

from jsna.content.project_files import Project
from jsna.content.voices import Survey, Voices, load_voices
from jsna.store.schema import area, voice_response, voice_survey

from .voices import Screened, read_responses, split_codes

__all__ = [
    "Imported",
    "accept_suggestions",
    "code_response",
    "import_survey",
    "project_responses",
    "stored_surveys",
    "survey_responses",
    "ward_names",
]

RESPONSE_COLUMNS = (
    "survey_id",
    "response_id",
    "response_date",
    "text",
    "consent",
    "anonymous",
    "themes",
    "suggested",
    "indicators",
    "age_band",
    "sex",
    "ethnic_group",
    "disability",
    "ward",
)


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    survey_id: str
    rows: int
    status: str
    """``new``, ``replaced`` or ``unchanged`` (same file as the stored one: nothing written)."""
    stripped: int
    kept_codes: int
    """Analysts' theme codes carried over from the earlier import."""


def ward_names(connection: Connection, project: Project) -> dict[str, str]:
    """Names and codes (as written) of the project's first ward area type -> ward name."""
    types = [t for t in project.config.area_types if t.startswith("ward")]
    if not types:
        return {}
    rows = connection.execute(
        select(area.c.code, area.c.name).where(area.c.area_type == types[0])
    ).all()
    return dict(rows) | {name: name for _, name in rows}


def screen_survey(
    connection: Connection,
    project: Project,
    voices: Voices,
    survey: Survey,
    path: Path | None = None,
    *,
    strip: bool = False,
) -> Screened:
    """A survey's file (or ``path`` in its place) read and checked against the project."""
    return read_responses(
        path or voices.data_file(survey.id),
        survey,
        voices.themes,
        project.indicators,
        wards=ward_names(connection, project),
        strip=strip,
    )


def import_survey(
    connection: Connection,
    survey: Survey,
    screened: Screened,
    *,
    file_name: str,
    actor: str,
) -> Imported:
    """Write a checked survey (its declaration and responses) in the caller's transaction."""
    old = connection.execute(
        select(voice_survey.c.checksum).where(voice_survey.c.id == survey.id)
    ).scalar_one_or_none()
    frame = screened.frame
    if old == screened.checksum:
        return Imported(survey.id, len(frame), "unchanged", 0, 0)
    coded = connection.execute(
        select(
            voice_response.c.response_id,
            voice_response.c.themes,
            voice_response.c.coded_by,
            voice_response.c.coded_at,
        ).where(
            voice_response.c.survey_id == survey.id,
            voice_response.c.coded_by.is_not(None),
            voice_response.c.coded_by != "file",
        )
    ).all()
    earlier = {row.response_id: row for row in coded}
    now = datetime.now(UTC)
    values = {
        "title": survey.title,
        "method": survey.method,
        "start_date": survey.start,
        "end_date": survey.end,
        "participants": survey.participants,
        "made_up": survey.made_up,
        "file_name": file_name,
        "checksum": screened.checksum,
        "row_count": len(frame),
        "stripped": sum(screened.stripped.values()),
        "imported_at": now,
        "imported_by": actor,
    }
    if old is None:
        connection.execute(voice_survey.insert().values(id=survey.id, **values))
    else:
        connection.execute(delete(voice_response).where(voice_response.c.survey_id == survey.id))
        connection.execute(
            update(voice_survey).where(voice_survey.c.id == survey.id).values(values)
        )
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    kept = 0
    for record in records:
        previous = earlier.get(record["response_id"])
        if record["themes"] is not None:
            record.update(coded_by="file", coded_at=now)
        elif previous is not None:
            record.update(
                themes=previous.themes, coded_by=previous.coded_by, coded_at=previous.coded_at
            )
            kept += 1
        else:
            record.update(coded_by=None, coded_at=None)
    if records:
        connection.execute(voice_response.insert(), records)
    status = "new" if old is None else "replaced"
    return Imported(survey.id, len(frame), status, sum(screened.stripped.values()), kept)


def stored_surveys(connection: Connection) -> dict[str, dict[str, object]]:
    """The imported surveys by id (every column of ``voice_survey``)."""
    rows = connection.execute(select(voice_survey).order_by(voice_survey.c.id)).mappings().all()
    return {str(row["id"]): dict(row) for row in rows}


def survey_responses(connection: Connection, survey_ids: Iterable[str]) -> pd.DataFrame:
    """Stored responses of the surveys (columns as :class:`jsna.analysis.voices.Screened`),
    plus coded_by and coded_at."""
    ids = list(survey_ids)
    query = (
        select(
            *(voice_response.c[c] for c in RESPONSE_COLUMNS),
            voice_response.c.coded_by,
            voice_response.c.coded_at,
        )
        .where(voice_response.c.survey_id.in_(ids))
        .order_by(voice_response.c.survey_id, voice_response.c.id)
    )
    rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=[*RESPONSE_COLUMNS, "coded_by", "coded_at"])
    frame["themes"] = frame["themes"].astype(object).where(frame["themes"].notna(), None)
    frame["consent"] = frame["consent"].astype(bool)
    frame["anonymous"] = frame["anonymous"].astype(bool)
    return frame


def project_responses(
    connection: Connection, project: Project, survey_ids: Iterable[str] = ()
) -> tuple[pd.DataFrame, Voices]:
    """Responses of the project's declared surveys (all when ``survey_ids`` is empty):
    stored once imported, else read from the declared file in memory."""
    voices = load_voices(project.root)
    wanted = list(survey_ids) or list(voices.surveys)
    stored = stored_surveys(connection)
    fresh, frames = [], []
    for survey_id in wanted:
        if survey_id in stored:
            fresh.append(survey_id)
        else:
            survey = voices.surveys[survey_id]
            frames.append(screen_survey(connection, project, voices, survey).frame)
    if fresh:
        frames.append(survey_responses(connection, fresh).drop(columns=["coded_by", "coded_at"]))
    if not frames:
        return pd.DataFrame(columns=list(RESPONSE_COLUMNS)), voices
    frame = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    order = {s: i for i, s in enumerate(wanted)}
    frame = frame.sort_values(
        ["survey_id", "response_id"], key=lambda c: c.map(order) if c.name == "survey_id" else c
    )
    return frame.reset_index(drop=True), voices


def code_response(
    connection: Connection,
    survey_id: str,
    response_id: str,
    themes: Iterable[str],
    known: Mapping[str, object],
    *,
    actor: str,
) -> tuple[str | None, str]:
    """Set a response's coded themes (in the caller's transaction); returns the themes
    before and after (``;``-joined). Raises KeyError for an unknown response and
    ValueError naming an unknown theme code."""
    codes = split_codes(pd.Series([";".join(themes)])).iloc[0]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"unknown theme code {unknown[0]!r}")
    where = (voice_response.c.survey_id == survey_id) & (
        voice_response.c.response_id == response_id
    )
    before = connection.execute(select(voice_response.c.themes).where(where)).one_or_none()
    if before is None:
        raise KeyError(response_id)
    after = ";".join(codes)
    connection.execute(
        update(voice_response)
        .where(where)
        .values(themes=after, coded_by=actor, coded_at=datetime.now(UTC))
    )
    return before[0], after


def accept_suggestions(connection: Connection, survey_id: str, *, actor: str) -> int:
    """Code every not-yet-coded response of a survey with its keyword suggestions (one
    statement, in the caller's transaction); how many were coded."""
    done = connection.execute(
        update(voice_response)
        .where(voice_response.c.survey_id == survey_id, voice_response.c.themes.is_(None))
        .values(themes=voice_response.c.suggested, coded_by=actor, coded_at=datetime.now(UTC))
    )
    return int(done.rowcount or 0)
