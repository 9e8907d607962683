"""Priority-setting pages: public results, scoring, score sheets, moderation, status, audit."""

from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jsna.store.priorities import read_events, read_moderations, read_round, read_scores
from jsna.store.schema import audit_log, priority_round, priority_score
from tests.web.conftest import csrf_of, make_app, sign_in
from tests.web.stores import sqlite_store

ROUND = "2026-illustrative"
HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
CRITERIA = [
    "size",
    "severity",
    "inequality",
    "effective_interventions",
    "local_capacity",
    "strategy",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    project, url = sqlite_store(tmp_path_factory.mktemp("priorities") / "jsna.db")
    return make_app(project, url, anonymous_per_minute=100_000)


def _client(app: FastAPI, username: str | None = None) -> TestClient:
    client = TestClient(app)
    if username:
        sign_in(client, username)
    return client


def _count(app: FastAPI, table, *where) -> int:  # type: ignore[no-untyped-def]
    with app.state.jsna.engine.connect() as connection:
        query = select(func.count()).select_from(table)
        for clause in where:
            query = query.where(clause)
        return int(connection.execute(query).scalar_one())


def _post(client: TestClient, page: str, action: str, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False, **kwargs)


def _status(app: FastAPI, status: str) -> None:
    client = _client(app, "approver")
    response = _post(
        client, f"/priorities/{ROUND}", f"/priorities/{ROUND}/status", {"status": status}
    )
    assert response.status_code == 303, response.text[:500]


# --- Public ------------------------------------------------------------------------------


def test_public_sees_the_published_file_round_with_evidence(app: FastAPI) -> None:
    client = _client(app)
    page = client.get(f"/priorities/{ROUND}")
    assert page.status_code == 200
    html = page.text
    assert "Illustrative exercise: the scorers and their scores are made up" in html
    titles = re.findall(r'data-candidate="([^"]+)"', html)
    assert titles[:3] == ["neighbourhood-health-gap", "high-blood-pressure", "childhood-obesity"]
    assert titles[-1] == "tooth-decay"
    assert '<a class="govuk-link" href="/indicators/bad_health.html">' in html
    assert 'href="/chapters/health-inequalities/index.html#ward-gaps"' in html
    assert "Latest for Trafford: " in html  # the latest figure and the data behind it
    assert "Outlying scores (staff only)" not in html
    assert "Score this round" not in html
    assert f'src="/priorities/{ROUND}/matrix.svg"' in html
    listed = client.get("/priorities/").text
    assert (
        f'<a class="govuk-link" href="/priorities/{ROUND}">Priority-setting workshop 2026</a>'
        in listed
    )
    assert "Project file, not loaded" in listed


def test_csv_svg_and_print(app: FastAPI) -> None:
    client = _client(app)
    csv = client.get(f"/priorities/{ROUND}.csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "# Illustrative exercise: made-up scorers, not the council's priorities"
    assert lines[2].startswith(
        "1,neighbourhood-health-gap,The gap in health between neighbourhoods,"
    )
    assert ",16,High," in lines[2]
    assert any(line.startswith("8,tooth-decay,") and ",7.5,Low," in line for line in lines)
    svg = client.get(f"/priorities/{ROUND}/matrix.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<svg")
    printed = client.get(f"/priorities/{ROUND}/print")
    assert 'id="illustrative-warning"' in printed.text
    assert "Evidence of effective interventions" in printed.text
    assert f'src="/priorities/{ROUND}/matrix.svg"' in printed.text
    pdf = client.get(f"/priorities/{ROUND}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_unknown_round_is_404(app: FastAPI) -> None:
    client = _client(app)
    assert client.get("/priorities/no-such-round").status_code == 404
    assert client.get("/priorities/Bad.Id").status_code == 404


# --- Writes need role and CSRF -----------------------------------------------------------


def test_writes_refuse_anonymous_wrong_role_and_bad_csrf(app: FastAPI) -> None:
    anonymous = _client(app)
    before = _count(app, priority_round)
    response = anonymous.post("/priorities/load", data={"csrf_token": "x"}, follow_redirects=False)
    assert response.status_code == 303  # pages send anonymous people to sign in
    assert response.headers["location"].startswith("/account/sign-in")
    viewer = _client(app, "viewer")
    token = csrf_of(viewer.get("/priorities/").text)
    assert viewer.post("/priorities/load", data={"csrf_token": token}).status_code == 403
    approver = _client(app, "approver")
    assert approver.post("/priorities/load", data={"csrf_token": "wrong"}).status_code == 403
    assert _count(app, priority_round) == before


# --- A scorer's journey --------------------------------------------------------------------


def test_load_open_score_upload_moderate_publish(app: FastAPI) -> None:
    approver = _client(app, "approver")
    response = _post(approver, "/priorities/", "/priorities/load", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/priorities/?loaded=1"
    with app.state.jsna.engine.connect() as connection:
        info = read_round(connection, ROUND)
        assert info is not None
        assert info.status == "published"
        assert len(read_scores(connection, ROUND)) == 4 * 8 * 6
    _status(app, "open")
    assert _client(app).get(f"/priorities/{ROUND}").status_code == 404  # not public while open

    analyst = _client(app, "analyst")
    form = analyst.get(f"/priorities/{ROUND}/score")
    assert form.status_code == 200
    assert "Size of the problem" in form.text
    assert "0: Very few" in form.text
    data = {f"high-blood-pressure__{c}": "1" for c in CRITERIA}
    data["high-blood-pressure__comment"] = HOSTILE
    data["tooth-decay__size"] = "7"
    bad = _post(analyst, f"/priorities/{ROUND}/score", f"/priorities/{ROUND}/score", data)
    assert bad.status_code == 422
    assert (
        "Tooth decay in young children: Size of the problem: choose a score from 0 to 3."
        in bad.text
    )
    assert ESCAPED in bad.text
    assert HOSTILE not in bad.text
    analyst_rows = priority_score.c.scorer == "analyst"
    assert _count(app, priority_score, analyst_rows) == 0
    del data["tooth-decay__size"]
    saved = _post(analyst, f"/priorities/{ROUND}/score", f"/priorities/{ROUND}/score", data)
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("/score?saved=6")
    again = _post(analyst, f"/priorities/{ROUND}/score", f"/priorities/{ROUND}/score", data)
    assert again.headers["location"].endswith("/score?saved=0")  # unchanged: nothing written
    assert _count(app, priority_score, analyst_rows) == 6
    data["high-blood-pressure__size"] = "3"
    _post(analyst, f"/priorities/{ROUND}/score", f"/priorities/{ROUND}/score", data)
    with app.state.jsna.engine.connect() as connection:
        mine = read_scores(connection, ROUND).query("scorer == 'analyst'").set_index("criterion")
        assert mine.loc["size", ["score", "version"]].tolist() == [3, 2]
        assert mine.loc["severity", ["score", "version"]].tolist() == [1, 1]
    assert _count(app, audit_log, audit_log.c.action == "score") == 2

    # a score sheet, all or nothing
    sheet = (
        "candidate,size,severity,inequality,effective_interventions,local_capacity,strategy\n"
        "tooth-decay,1,1,1,1,1,1\nself-harm,1,9,1,1,1,1\n"
    )
    page = analyst.get(f"/priorities/{ROUND}/score").text
    rejected = analyst.post(
        f"/priorities/{ROUND}/sheet",
        data={"csrf_token": csrf_of(page)},
        files={"sheet": ("my scores.csv", sheet.encode(), "text/csv")},
    )
    assert rejected.status_code == 422
    assert (
        "my scores.csv:3:severity: score must be a whole number from 0 to 3 (&#39;9&#39;)"
        in rejected.text
    )
    assert _count(app, priority_score, analyst_rows) == 6
    book = openpyxl.Workbook()
    book.active.append(["candidate", *CRITERIA])
    book.active.append(["tooth-decay", 0, 0, 0, 0, 0, 0])
    buffer = io.BytesIO()
    book.save(buffer)
    accepted = analyst.post(
        f"/priorities/{ROUND}/sheet",
        data={"csrf_token": csrf_of(page)},
        files={"sheet": ("scores.xlsx", buffer.getvalue(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert _count(app, priority_score, analyst_rows) == 12

    # moderation: reason required; recorded with who and why
    moderate_page = f"/priorities/{ROUND}/moderate"
    assert _client(app, "analyst").get(moderate_page).status_code == 403
    missing = _post(
        approver,
        moderate_page,
        moderate_page,
        {"candidate": "tooth-decay", "criterion": "size", "score": "3", "reason": ""},
    )
    assert missing.status_code == 422
    assert "Say why the score is moderated." in missing.text
    done = _post(
        approver,
        moderate_page,
        moderate_page,
        {"candidate": "tooth-decay", "criterion": "size", "score": "3", "reason": HOSTILE},
    )
    assert done.status_code == 303
    with app.state.jsna.engine.connect() as connection:
        mods = read_moderations(connection, ROUND)
        assert mods[["candidate_id", "criterion", "score", "moderator"]].values.tolist() == [
            ["tooth-decay", "size", 3, "approver"]
        ]
        events = read_events(connection, ROUND)
        assert set(events["kind"]) == {"status", "score", "moderation"}
        assert set(events["via"]) >= {"file", "web", "sheet"}
    assert ESCAPED in approver.get(moderate_page).text

    _status(app, "published")
    public = _client(app).get(f"/priorities/{ROUND}")
    assert public.status_code == 200
    assert ESCAPED in public.text  # the moderator's reason, in the agreement table
    assert "analyst" not in re.sub(r"<[^>]+>", " ", public.text).split()  # scorers not named
    history = approver.get(f"/priorities/{ROUND}/history")
    assert history.status_code == 200
    assert "sheet" in history.text
    assert _client(app).get(f"/priorities/{ROUND}/history", follow_redirects=False).status_code in (
        303,
        401,
    )


def test_scoring_a_closed_round_is_refused(app: FastAPI) -> None:
    approver = _client(app, "approver")
    _post(approver, "/priorities/", "/priorities/load", {})
    _status(app, "closed")
    analyst = _client(app, "analyst")
    page = analyst.get(f"/priorities/{ROUND}/score").text
    response = analyst.post(
        f"/priorities/{ROUND}/score",
        data={"csrf_token": csrf_of(page), "tooth-decay__size": "2"},
    )
    assert response.status_code == 409
    _status(app, "published")


def test_new_round_from_key_findings(app: FastAPI) -> None:
    approver = _client(app, "approver")
    bad = _post(approver, "/priorities/", "/priorities/", {"round_id": "Bad Id", "title": ""})
    assert bad.status_code == 422
    assert "Enter a round id of lower-case letters" in bad.text
    assert "Choose where the candidate needs come from." in bad.text
    made = _post(
        approver,
        "/priorities/",
        "/priorities/",
        {"round_id": "2027-workshop", "title": "Workshop 2027", "sources": "findings"},
    )
    assert made.status_code == 303, made.text[:1000]
    page = approver.get("/priorities/2027-workshop")
    assert page.status_code == 200
    assert "Key finding" in page.text
    assert _client(app).get("/priorities/2027-workshop").status_code == 404
    assert "Workshop 2027" not in _client(app).get("/priorities/").text
    assert "Workshop 2027" in approver.get("/priorities/").text


def test_new_round_from_recommendations_not_yet_done(app: FastAPI) -> None:
    recommendations = app.state.jsna.project.recommendations
    open_ = [r for r in recommendations if r.status not in ("done", "dropped")]
    closed = [r for r in recommendations if r.status in ("done", "dropped")]
    assert open_
    assert closed
    approver = _client(app, "approver")
    made = _post(
        approver,
        "/priorities/",
        "/priorities/",
        {
            "round_id": "2027-recommended",
            "title": "From recommendations",
            "sources": "recommendations",
        },
    )
    assert made.status_code == 303, made.text[:1000]
    page = approver.get("/priorities/2027-recommended").text
    for item in open_:
        assert html.escape(item.text[:60], quote=False) in page, item.id
    for item in closed:
        assert html.escape(item.text[:60], quote=False) not in page, item.id
