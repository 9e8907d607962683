"""Consultations on draft chapters: the journey (open, comment, moderate, respond, close,
report, CSV) on SQLite and PostgreSQL, roles, CSRF, spam protection, closed
consultations, invitations and hostile input."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from jsna.store import consultation as store
from jsna.store.schema import (
    audit_log,
    chapter_state,
    consultation,
    consultation_comment,
    consultation_invitee,
)
from jsna.web import consultation as web
from tests.web.conftest import csrf_of, sign_in

CHAPTER = "summary"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _wipe(app: FastAPI) -> None:
    with app.state.jsna.engine.begin() as connection:
        connection.execute(delete(consultation_comment))
        connection.execute(delete(consultation_invitee))
        connection.execute(delete(consultation))
        connection.execute(delete(audit_log).where(audit_log.c.entity.like("consultation%")))
        connection.execute(
            update(chapter_state).where(chapter_state.c.chapter_id == CHAPTER).values(owner=None)
        )


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """Each backend's app with no consultations, and no wait before a comment may be sent."""
    chosen: FastAPI = request.getfixturevalue(f"{request.param}_app")
    monkeypatch.setattr(web, "MIN_SECONDS", 0.0)
    _wipe(chosen)
    yield chosen
    _wipe(chosen)


@pytest.fixture
def sqlite(sqlite_app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    monkeypatch.setattr(web, "MIN_SECONDS", 0.0)
    _wipe(sqlite_app)
    yield sqlite_app
    _wipe(sqlite_app)


def user_client(app: FastAPI, username: str | None) -> TestClient:
    client = TestClient(app)
    if username:
        sign_in(client, username)
    return client


def open_one(client: TestClient, **fields: str) -> tuple[int, str]:
    """Open a consultation on CHAPTER through the form; (id, the page shown)."""
    form = client.get(f"/consultations/new?chapter={CHAPTER}")
    assert form.status_code == 200, form.text[:300]
    data = {
        "chapter": CHAPTER,
        "audience": "public",
        "opens_on": date.today().isoformat(),
        "closes_on": (date.today() + timedelta(days=14)).isoformat(),
        "introduction": "Tell us what is **missing**.",
        "invitees": "",
        "csrf_token": csrf_of(form.text),
        **fields,
    }
    page = client.post("/consultations/new", data=data)
    assert page.status_code == 200, page.text[:2000]
    found = re.search(r'href="/consultations/(\d+)/manage"', page.text)
    assert found
    return int(found.group(1)), page.text


def comment_form(client: TestClient, consultation_id: int) -> dict[str, str]:
    """The hidden fields of the first section's comment form."""
    page = client.get(f"/consultations/{consultation_id}")
    assert page.status_code == 200, page.text[:300]
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.text)
    section = re.search(r'name="section" value="([^"]+)"', page.text)
    assert stamp
    assert section
    return {
        "csrf_token": csrf_of(page.text),
        "stamp": stamp.group(1),
        "section": section.group(1),
    }


def send(client: TestClient, consultation_id: int, **fields: str) -> object:
    data = comment_form(client, consultation_id)
    data.update(fields)
    return client.post(
        f"/consultations/{consultation_id}/comment", data=data, follow_redirects=False
    )


def comment_rows(app: FastAPI) -> list[store.Comment]:
    with app.state.jsna.engine.connect() as connection:
        ids = connection.execute(select(consultation.c.id)).scalars().all()
        return [c for i in ids for c in store.comments(connection, i)]


def audits(app: FastAPI, entity: str) -> list[str]:
    with app.state.jsna.engine.connect() as connection:
        return list(
            connection.execute(
                select(audit_log.c.action).where(audit_log.c.entity == entity)
            ).scalars()
        )


def manage_token(client: TestClient, consultation_id: int) -> str:
    page = client.get(f"/consultations/{consultation_id}/manage")
    assert page.status_code == 200, page.text[:300]
    return csrf_of(page.text)


def test_sections_follow_the_fence_aware_splitter() -> None:
    body = "Intro text.\n\n## First\n\nA.\n\n```\n## not a heading\n```\n\n## Second\n\nB.\n"
    sections = web.sections_of(body)
    assert [(s.id, s.title) for s in sections] == [
        ("s0", "Introduction"),
        ("s1", "First"),
        ("s2", "Second"),
    ]
    assert "## not a heading" in sections[1].text
    assert [s.id for s in web.sections_of("## Only\n\ntext\n")] == ["s1"]
    assert [(s.id, s.title) for s in web.sections_of("No headings.\n")] == [("s0", "Introduction")]


def test_markdown_is_rendered_safely() -> None:
    html = str(
        web.render_text(
            "### Sub\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
            "```jsna\nblock: chart\nchart: trend\ncaption: Smoking over time\n```\n"
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert '<h3 class="govuk-heading-m">Sub</h3>' in html
    assert "A figure or table goes here in the published chapter: Smoking over time" in html


def test_the_whole_journey(app: FastAPI) -> None:
    editor = user_client(app, "editor")
    consultation_id, opened = open_one(editor)
    assert "Consultation opened" in opened
    assert "Invitation links" not in opened

    public = user_client(app, None)
    page = public.get(f"/consultations/{consultation_id}")
    assert page.status_code == 200
    assert "Open for comments" in page.text
    assert "<strong>missing</strong>" in page.text
    assert page.text.count('action="/consultations/') >= 2  # one form a section

    sent = send(
        public,
        consultation_id,
        body="Please add carers' views.",
        name="Ann Example",
        organisation="Carers Trafford",
        consent="yes",
    )
    assert sent.status_code == 303  # type: ignore[attr-defined]
    assert sent.headers["location"].startswith(  # type: ignore[attr-defined]
        f"/consultations/{consultation_id}?sent=1#section-"
    )
    assert send(public, consultation_id, body="Keep this private.").status_code == 303  # type: ignore[attr-defined]
    assert send(public, consultation_id, body="Buy pills now").status_code == 303  # type: ignore[attr-defined]
    thanks = public.get(f"/consultations/{consultation_id}?sent=1")
    assert "Thank you: we have your comment." in thanks.text
    # Held comments are not shown to anyone but staff.
    assert "carers&#39; views" not in thanks.text
    comments = comment_rows(app)
    assert [(c.status, c.consent) for c in comments] == [
        ("held", True),
        ("held", False),
        ("held", False),
    ]
    first, private, spam = comments

    # The editor approves two and rejects one (a reason is required).
    token = manage_token(editor, consultation_id)
    base = f"/consultations/{consultation_id}/comments"
    no_reason = editor.post(
        f"{base}/{spam.id}/moderate", data={"decision": "reject", "csrf_token": token}
    )
    assert no_reason.status_code == 400
    assert "Give the reason for rejecting the comment." in no_reason.text
    for item, decision, reason in (
        (first, "approve", ""),
        (private, "approve", ""),
        (spam, "reject", "Advertising"),
    ):
        done = editor.post(
            f"{base}/{item.id}/moderate",
            data={"decision": decision, "reason": reason, "csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text[:500]

    # Approved and consented: visible to the public; approved without consent: staff only.
    page = public.get(f"/consultations/{consultation_id}")
    assert "Please add carers&#39; views." in page.text
    assert "Ann Example" in page.text
    assert "Keep this private." not in page.text
    assert "Buy pills now" not in page.text
    assert "Keep this private." in editor.get(f"/consultations/{consultation_id}").text

    # Responses: "changed: yes" needs what was changed.
    missing = editor.post(
        f"{base}/{first.id}/respond",
        data={"response": "Agreed.", "changed": "yes", "change_note": "", "csrf_token": token},
    )
    assert missing.status_code == 400
    assert "Say what you changed in the text." in missing.text
    for item, changed, note in ((first, "yes", "Added a carers paragraph."), (private, "no", "")):
        done = editor.post(
            f"{base}/{item.id}/respond",
            data={
                "response": "Thank you.",
                "changed": changed,
                "change_note": note,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert done.status_code == 303
    rejected_response = editor.post(
        f"{base}/{spam.id}/respond",
        data={"response": "x", "changed": "no", "csrf_token": token},
    )
    assert rejected_response.status_code == 400

    # The report is not public before it is published, and cannot be published while open.
    assert public.get(f"/consultations/{consultation_id}/report").status_code == 404
    early = editor.post(
        f"/consultations/{consultation_id}/publish-report", data={"csrf_token": token}
    )
    assert early.status_code == 400
    assert "once the consultation has closed" in early.text
    closed = editor.post(
        f"/consultations/{consultation_id}/close",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert closed.status_code == 303

    # Closed: the server refuses new comments and writes nothing.
    before = len(comment_rows(app))
    late = public.post(
        f"/consultations/{consultation_id}/comment",
        data={"csrf_token": csrf_of(page.text), "section": "s1", "body": "Late", "stamp": "x"},
    )
    assert late.status_code == 403
    assert "has closed" in late.text
    assert len(comment_rows(app)) == before
    assert "no longer takes comments" in public.get(f"/consultations/{consultation_id}").text

    published = editor.post(
        f"/consultations/{consultation_id}/publish-report",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert published.status_code == 303
    report = public.get(f"/consultations/{consultation_id}/report")
    assert report.status_code == 200
    text = report.text
    assert "Please add carers&#39; views." in text
    assert "Added a carers paragraph." in text
    assert "Keep this private." not in text
    assert "Buy pills now" not in text
    assert "3 comments were received; 1 is shown below" in text
    assert "The text was changed in response to 1 of them." in text
    section_title = first.section_title
    row = re.search(
        rf"<th scope=\"row\" class=\"govuk-table__header\">{re.escape(section_title)}</th>\s*"
        r"<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>",
        text,
    )
    assert row
    assert row.groups() == ("3", "1", "1", "1")

    as_csv = public.get(f"/consultations/{consultation_id}/report?format=csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 1
    assert rows[0]["comment"] == "Please add carers' views."
    assert rows[0]["organisation"] == "Carers Trafford"
    assert rows[0]["text_changed"] == "yes"
    assert rows[0]["change_made"] == "Added a carers paragraph."
    as_json = public.get(f"/consultations/{consultation_id}/report?format=json").json()
    assert as_json["meta"]["consultation"] == consultation_id
    assert len(as_json["data"]) == 1

    listing = public.get("/consultations/")
    assert f'href="/consultations/{consultation_id}/report"' in listing.text
    assert sorted(audits(app, "consultation")) == ["close", "open", "publish_report"]
    assert sorted(audits(app, "consultation_comment")) == [
        "approve",
        "approve",
        "comment",
        "comment",
        "comment",
        "reject",
        "respond",
        "respond",
    ]


@pytest.mark.parametrize("who", [None, "viewer", "analyst"])
def test_only_editors_open_moderate_and_respond(sqlite: FastAPI, who: str | None) -> None:
    editor = user_client(sqlite, "editor")
    consultation_id, _ = open_one(editor)
    send(user_client(sqlite, None), consultation_id, body="A comment.")
    (item,) = comment_rows(sqlite)
    client = user_client(sqlite, who)
    token = csrf_of(client.get(f"/consultations/{consultation_id}").text)
    expected = 303 if who is None else 403
    attempts = [
        ("/consultations/new", {"chapter": CHAPTER, "audience": "public"}),
        (f"/consultations/{consultation_id}/comments/{item.id}/moderate", {"decision": "approve"}),
        (
            f"/consultations/{consultation_id}/comments/{item.id}/respond",
            {"response": "x", "changed": "no"},
        ),
        (f"/consultations/{consultation_id}/close", {}),
        (f"/consultations/{consultation_id}/publish-report", {}),
    ]
    for path, data in attempts:
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == expected, path
        if who is None:
            assert response.headers["location"].startswith("/account/sign-in")
    assert (
        client.get(f"/consultations/{consultation_id}/manage", follow_redirects=False).status_code
        == expected
    )
    assert comment_rows(sqlite)[0].status == "held"
    with sqlite.state.jsna.engine.connect() as connection:
        assert store.get(connection, consultation_id).closed_at is None  # type: ignore[union-attr]


def test_the_chapter_owner_or_an_admin_manages(sqlite: FastAPI) -> None:
    with sqlite.state.jsna.engine.begin() as connection:
        connection.execute(
            update(chapter_state).where(chapter_state.c.chapter_id == CHAPTER).values(owner="admin")
        )
    editor = user_client(sqlite, "editor")
    assert editor.get(f"/consultations/new?chapter={CHAPTER}").status_code == 403
    admin = user_client(sqlite, "admin")
    consultation_id, _ = open_one(admin)
    send(user_client(sqlite, None), consultation_id, body="A comment.")
    (item,) = comment_rows(sqlite)
    token = manage_token(editor, consultation_id)
    # Any editor moderates; only the owner (or an admin) responds and closes.
    base = f"/consultations/{consultation_id}"
    moderated = editor.post(
        f"{base}/comments/{item.id}/moderate",
        data={"decision": "approve", "csrf_token": token},
        follow_redirects=False,
    )
    assert moderated.status_code == 303
    respond = editor.post(
        f"{base}/comments/{item.id}/respond",
        data={"response": "x", "changed": "no", "csrf_token": token},
    )
    assert respond.status_code == 403
    assert editor.post(f"{base}/close", data={"csrf_token": token}).status_code == 403
    assert "Only the chapter's owner or an admin may respond" in editor.get(f"{base}/manage").text


def test_posts_without_csrf_are_refused(sqlite: FastAPI) -> None:
    editor = user_client(sqlite, "editor")
    consultation_id, _ = open_one(editor)
    public = user_client(sqlite, None)
    fields = comment_form(public, consultation_id)
    fields.pop("csrf_token")
    refused = public.post(
        f"/consultations/{consultation_id}/comment", data={**fields, "body": "No token."}
    )
    assert refused.status_code == 403
    assert "did not come from this site" in refused.text
    wrong = public.post(
        f"/consultations/{consultation_id}/comment",
        data={**fields, "body": "Wrong token.", "csrf_token": "forged"},
    )
    assert wrong.status_code == 403
    assert editor.post(f"/consultations/{consultation_id}/close").status_code == 403
    assert comment_rows(sqlite) == []
    with sqlite.state.jsna.engine.connect() as connection:
        assert store.get(connection, consultation_id).closed_at is None  # type: ignore[union-attr]


def test_honeypot_and_too_fast_are_refused_kindly(
    sqlite: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation_id, _ = open_one(user_client(sqlite, "editor"))
    public = user_client(sqlite, None)
    trapped = send(public, consultation_id, body="Great site!", website="http://spam.example")
    assert trapped.status_code == 400  # type: ignore[attr-defined]
    assert "We could not accept this comment." in trapped.text  # type: ignore[attr-defined]
    monkeypatch.setattr(web, "MIN_SECONDS", 60.0)
    fast = send(public, consultation_id, body="Typed in no time.")
    assert fast.status_code == 400  # type: ignore[attr-defined]
    assert "sent very quickly after the page opened" in fast.text  # type: ignore[attr-defined]
    # The person's text is kept in the form so they can send it again.
    assert "Typed in no time.</textarea>" in fast.text  # type: ignore[attr-defined]
    forged = send(public, consultation_id, body="x", stamp="1.forged.stamp")
    assert forged.status_code == 400  # type: ignore[attr-defined]
    assert "We could not check this form" in forged.text  # type: ignore[attr-defined]
    assert comment_rows(sqlite) == []
    assert audits(sqlite, "consultation_comment") == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": ""}, "Enter your comment."),
        ({"body": "x" * 5001}, "Your comment must be 5,000 characters or fewer."),
        (
            {"body": "see http://a.example https://b.example www.c.example"},
            "Your comment may hold at most 2 web links: remove some.",
        ),
        ({"body": "ok", "name": "n" * 201}, "Your name must be 200 characters or fewer."),
    ],
)
def test_comment_limits(sqlite: FastAPI, fields: dict[str, str], message: str) -> None:
    consultation_id, _ = open_one(user_client(sqlite, "editor"))
    response = send(user_client(sqlite, None), consultation_id, **fields)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert message in response.text  # type: ignore[attr-defined]
    assert comment_rows(sqlite) == []


def test_two_links_are_allowed_and_the_rate_limit_applies(
    sqlite: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "PER_HOUR", 2)
    consultation_id, _ = open_one(user_client(sqlite, "editor"))
    public = user_client(sqlite, None)
    body = "see http://a.example and https://b.example"
    assert send(public, consultation_id, body=body).status_code == 303  # type: ignore[attr-defined]
    assert send(public, consultation_id, body="second").status_code == 303  # type: ignore[attr-defined]
    third = send(public, consultation_id, body="third")
    assert third.status_code == 429  # type: ignore[attr-defined]
    assert "2 comments have been sent from your address in the last hour" in third.text  # type: ignore[attr-defined]
    assert len(comment_rows(sqlite)) == 2
    # Only a keyed hash of the address is kept.
    assert all(len(c) == 64 and "testclient" not in c for c in _client_hashes(sqlite))


def _client_hashes(app: FastAPI) -> list[str]:
    with app.state.jsna.engine.connect() as connection:
        return list(connection.execute(select(consultation_comment.c.client_hash)).scalars())


def test_open_form_is_validated(sqlite: FastAPI) -> None:
    editor = user_client(sqlite, "editor")
    token = csrf_of(editor.get(f"/consultations/new?chapter={CHAPTER}").text)
    today = date.today()
    cases = [
        ({"audience": "everyone"}, "Choose who may comment: the public, or invited partners."),
        ({"opens_on": "2027-02-30"}, "The day it opens must be a real date, like 2027-03-31."),
        (
            {"opens_on": (today - timedelta(days=1)).isoformat()},
            "The consultation cannot open in the past.",
        ),
        (
            {"closes_on": (today - timedelta(days=1)).isoformat()},
            "The consultation must close on or after the day it opens.",
        ),
        ({"audience": "invited"}, "Enter at least one e-mail address or organisation to invite."),
    ]
    for fields, message in cases:
        data = {
            "chapter": CHAPTER,
            "audience": "public",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=7)).isoformat(),
            "csrf_token": token,
            **fields,
        }
        response = editor.post("/consultations/new", data=data)
        assert response.status_code == 400, fields
        assert message in response.text, fields
    with sqlite.state.jsna.engine.connect() as connection:
        assert store.list_all(connection) == []
    unknown = editor.get("/consultations/new?chapter=no-such-chapter")
    assert unknown.status_code == 404
    # One running consultation a chapter.
    open_one(editor)
    again = editor.post(
        "/consultations/new",
        data={
            "chapter": CHAPTER,
            "audience": "public",
            "opens_on": today.isoformat(),
            "closes_on": today.isoformat(),
            "csrf_token": token,
        },
    )
    assert again.status_code == 400
    assert "already has a consultation that is open or about to open" in again.text


def test_invited_consultations_need_the_link(sqlite: FastAPI) -> None:
    editor = user_client(sqlite, "editor")
    consultation_id, page = open_one(
        editor, audience="invited", invitees="a@example.org\nTrafford Carers Centre\nA@EXAMPLE.ORG"
    )
    links = re.findall(r"http://testserver/consultations/invite/([A-Za-z0-9_-]+)", page)
    assert len(links) == 2  # the repeated address is invited once
    assert "Trafford Carers Centre" in page
    with sqlite.state.jsna.engine.connect() as connection:
        stored = connection.execute(select(consultation_invitee.c.token_hash)).scalars().all()
    assert sorted(stored) == sorted(store.token_hash(t) for t in links)
    assert not set(links) & set(stored)  # only hashes are kept

    stranger = user_client(sqlite, None)
    refused = stranger.get(f"/consultations/{consultation_id}")
    assert refused.status_code == 403
    assert "open it with the link in your invitation" in refused.text
    assert stranger.get("/consultations/invite/not-a-real-token").status_code == 404
    assert f'href="/consultations/{consultation_id}"' not in stranger.get("/consultations/").text

    invited = user_client(sqlite, None)
    arrived = invited.get(f"/consultations/invite/{links[1]}", follow_redirects=False)
    assert arrived.status_code == 303
    assert arrived.headers["location"] == f"/consultations/{consultation_id}"
    assert send(invited, consultation_id, body="From the carers centre.").status_code == 303  # type: ignore[attr-defined]
    (item,) = comment_rows(sqlite)
    manage = editor.get(f"/consultations/{consultation_id}/manage").text
    assert "(invited: Trafford Carers Centre)" in manage
    assert item.invitee_id is not None


def test_closed_by_date_and_not_yet_open(sqlite: FastAPI) -> None:
    today = date.today()
    with sqlite.state.jsna.engine.begin() as connection:
        past = store.create(
            connection,
            chapter_id=CHAPTER,
            title="Old",
            introduction="",
            audience="public",
            opens_on=today - timedelta(days=30),
            closes_on=today - timedelta(days=1),
            body="## A\n\ntext\n",
            created_by="editor",
        )
        future = store.create(
            connection,
            chapter_id=CHAPTER,
            title="Later",
            introduction="",
            audience="public",
            opens_on=today + timedelta(days=3),
            closes_on=today + timedelta(days=30),
            body="## A\n\ntext\n",
            created_by="editor",
        )
    public = user_client(sqlite, None)
    page = public.get(f"/consultations/{past}")
    assert "no longer takes comments" in page.text
    assert 'name="stamp"' not in page.text
    token = csrf_of(page.text)
    late = public.post(
        f"/consultations/{past}/comment",
        data={"csrf_token": token, "section": "s1", "body": "Late", "stamp": "x"},
    )
    assert late.status_code == 403
    assert "has closed" in late.text
    hidden = public.get(f"/consultations/{future}")
    assert hidden.status_code == 404
    assert "opens on" in hidden.text
    early = public.post(
        f"/consultations/{future}/comment",
        data={"csrf_token": token, "section": "s1", "body": "Early", "stamp": "x"},
    )
    assert early.status_code == 404
    assert comment_rows(sqlite) == []
    preview = user_client(sqlite, "viewer").get(f"/consultations/{future}")
    assert preview.status_code == 200
    assert "you can see it early because you are signed in" in preview.text


def test_hostile_input_is_inert(sqlite: FastAPI) -> None:
    today = date.today()
    with sqlite.state.jsna.engine.begin() as connection:
        consultation_id = store.create(
            connection,
            chapter_id=CHAPTER,
            title=HOSTILE,
            introduction=HOSTILE + "\n\n[click](javascript:alert(1))",
            audience="public",
            opens_on=today,
            closes_on=today,
            body=f"{HOSTILE}\n\n## {HOSTILE}\n\n{HOSTILE}\n",
            created_by="editor",
        )
    public = user_client(sqlite, None)
    fields = {"body": HOSTILE, "name": HOSTILE, "organisation": HOSTILE, "consent": "yes"}
    assert send(public, consultation_id, **fields).status_code == 303  # type: ignore[attr-defined]
    (item,) = comment_rows(sqlite)
    editor = user_client(sqlite, "editor")
    token = manage_token(editor, consultation_id)
    base = f"/consultations/{consultation_id}/comments/{item.id}"
    editor.post(f"{base}/moderate", data={"decision": "approve", "csrf_token": token})
    editor.post(
        f"{base}/respond",
        data={"response": HOSTILE, "changed": "yes", "change_note": HOSTILE, "csrf_token": token},
    )
    editor.post(f"/consultations/{consultation_id}/close", data={"csrf_token": token})
    editor.post(f"/consultations/{consultation_id}/publish-report", data={"csrf_token": token})
    for client, path in (
        (public, f"/consultations/{consultation_id}"),
        (editor, f"/consultations/{consultation_id}/manage"),
        (public, f"/consultations/{consultation_id}/report"),
        (public, "/consultations/"),
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text, path
        assert "<img src=x" not in page.text, path
        assert 'href="javascript:' not in page.text, path
        assert "&lt;script&gt;" in page.text, path
    as_csv = public.get(f"/consultations/{consultation_id}/report?format=csv")
    assert as_csv.headers["content-disposition"].startswith("attachment")
    (row,) = csv.DictReader(io.StringIO(as_csv.text))
    assert row["comment"] == HOSTILE  # CSV is data, downloaded, never shown as HTML


def test_csv_cells_never_start_a_formula() -> None:
    assert web._csv_cell("=1+1") == "'=1+1"
    assert web._csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert web._csv_cell("fine") == "fine"
    assert web._csv_cell("") == ""


def test_workflow_page_links_to_consultations(sqlite: FastAPI) -> None:
    page = user_client(sqlite, "viewer").get(f"/workflow/{CHAPTER}")
    assert f'href="/consultations/?chapter={CHAPTER}"' in page.text
    listing = user_client(sqlite, "editor").get(f"/consultations/?chapter={CHAPTER}")
    assert f'href="/consultations/new?chapter={CHAPTER}"' in listing.text
    viewer_listing = user_client(sqlite, "viewer").get(f"/consultations/?chapter={CHAPTER}")
    assert "/consultations/new?" not in viewer_listing.text
    with sqlite.state.jsna.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(consultation)).scalar_one() == 0


def test_phase_boundaries_and_token_hash() -> None:
    from datetime import UTC, datetime

    made = datetime(2027, 1, 1, tzinfo=UTC)
    item = store.Consultation(
        id=1,
        chapter_id=CHAPTER,
        title="t",
        introduction="",
        audience="public",
        opens_on=date(2027, 3, 1),
        closes_on=date(2027, 3, 31),
        body="",
        closed_at=None,
        closed_by=None,
        report_published_at=None,
        report_published_by=None,
        created_at=made,
        created_by="editor",
    )
    assert item.phase(date(2027, 2, 28)) == "scheduled"
    assert item.phase(date(2027, 3, 1)) == "open"  # first day included
    assert item.phase(date(2027, 3, 31)) == "open"  # last day included
    assert item.phase(date(2027, 4, 1)) == "closed"
    closed_early = item.__class__(**{**item.__dict__, "closed_at": made})
    assert closed_early.phase(date(2027, 3, 15)) == "closed"
    assert store.token_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert store.new_token() != store.new_token()
    assert len(store.new_token()) >= 43  # 256 random bits
