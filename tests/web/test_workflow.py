"""The editorial workflow: lifecycle rules, pages, history, scheduled publication.

The app here runs on its own copy of the example project and of the store:
publishing writes chapter files, and the shared prepared project must stay as it is.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jsna.content.project_files import load_project
from jsna.store.schema import audit_log, chapter_event
from jsna.web import chapters_store
from jsna.web.users import create_user
from tests.render.site import copy_example
from tests.web.conftest import PASSWORD, csrf_of, make_app
from tests.web.conftest import sign_in as form_sign_in
from tests.web.stores import sqlite_store

SECRET = "test-secret-key-not-for-use"


class Published:
    """A recording ``on_publish``: the chapter ids it was called with."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.called = threading.Event()

    def __call__(self, chapter_id: str) -> None:
        self.ids.append(chapter_id)
        self.called.set()


@pytest.fixture(scope="module")
def published() -> Published:
    return Published()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, published: Published) -> FastAPI:
    folder = tmp_path_factory.mktemp("workflow")
    _, url = sqlite_store(folder / "jsna.db")
    project = copy_example(folder / "project")
    made = make_app(project, url, anonymous_per_minute=100_000, on_publish=published)
    with made.state.jsna.engine.begin() as connection:
        create_user(connection, "both", PASSWORD, roles=["editor", "approver"])
        create_user(connection, "editor2", PASSWORD, roles=["editor"])
    return made


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def sign_in(client: TestClient, app: FastAPI, username: str) -> None:
    """Through the sign-in form."""
    form_sign_in(client, username)


def as_user(app: FastAPI, username: str) -> TestClient:
    test_client = TestClient(app)
    sign_in(test_client, app, username)
    return test_client


def token(client: TestClient, chapter_id: str = "summary") -> str:
    page = client.get(f"/workflow/{chapter_id}")
    assert page.status_code == 200, page.text[:300]
    return csrf_of(page.text)


def post(client: TestClient, path: str, **data: str) -> int:
    data.setdefault("csrf_token", token(client))
    return client.post(path, data=data, follow_redirects=False).status_code


def state(app: FastAPI, chapter_id: str) -> chapters_store.ChapterState:
    jsna = app.state.jsna
    with jsna.engine.begin() as connection:
        return chapters_store.get_state(connection, jsna.project, chapter_id)


def counts(app: FastAPI, chapter_id: str) -> tuple[int, int]:
    """(events of the chapter, audit rows about it)."""
    with app.state.jsna.engine.connect() as connection:
        events = connection.execute(
            select(func.count()).where(chapter_event.c.chapter_id == chapter_id)
        ).scalar_one()
        audits = connection.execute(
            select(func.count()).where(audit_log.c.entity_id == chapter_id)
        ).scalar_one()
    return events, audits


def file_of(app: FastAPI, chapter_id: str) -> Path:
    return next(c.path for c in app.state.jsna.project.chapters if c.id == chapter_id)


def assign(app: FastAPI, chapter_id: str, owner: str, **more: str) -> None:
    with as_user(app, "approver") as approver:
        current = state(app, chapter_id)
        fields = {
            "owner": owner,
            "reviewer": "approver",
            "review_due": current.review_due.isoformat() if current.review_due else "",
            "publish_on": "",
            **more,
        }
        assert post(approver, f"/workflow/{chapter_id}/assign", **fields) == 303
    assert state(app, chapter_id).owner == owner


def to_draft(app: FastAPI, chapter_id: str) -> None:
    """Make a published chapter a draft owned by ``editor`` (one edit)."""
    assign(app, chapter_id, "editor")
    with as_user(app, "editor") as editor:
        body = state(app, chapter_id).body.replace("status: published", "status: draft")
        assert post(editor, f"/workflow/{chapter_id}/edit", body=body) == 303
    assert state(app, chapter_id).status == "draft"


def test_seeded_from_the_file(app: FastAPI) -> None:
    chapter = state(app, "population")
    text = file_of(app, "population").read_text(encoding="utf-8")
    assert chapter.status == "published"
    assert chapter.body == text
    assert chapter.owner is None  # the front matter names a team, not a user
    assert chapter.review_due == next(
        c.meta.review_date for c in app.state.jsna.project.chapters if c.id == "population"
    )


def test_full_lifecycle(app: FastAPI, published: Published) -> None:
    chapter_id = "deprivation"
    to_draft(app, chapter_id)
    path = file_of(app, chapter_id)
    with as_user(app, "editor") as editor:
        body = state(app, chapter_id).body + "\nA sentence added in the workflow test.\n"
        assert post(editor, f"/workflow/{chapter_id}/edit", body=body, comment="new line") == 303
        assert post(editor, f"/workflow/{chapter_id}/submit") == 303
    assert state(app, chapter_id).status == "in_review"
    assert "status: published" in path.read_text(encoding="utf-8")  # file unchanged so far
    with as_user(app, "approver") as approver:
        assert post(approver, f"/workflow/{chapter_id}/approve") == 303
        assert state(app, chapter_id).status == "approved"
        assert post(approver, f"/workflow/{chapter_id}/publish") == 303
    final = state(app, chapter_id)
    assert final.status == "published"
    assert final.published_at is not None
    on_disk = path.read_text(encoding="utf-8")
    assert on_disk == final.body
    assert re.search(r"^status: published$", on_disk, re.MULTILINE)
    assert "A sentence added in the workflow test." in on_disk
    assert published.called.wait(10)
    assert chapter_id in published.ids
    with app.state.jsna.engine.connect() as connection:
        actions = [e.action for e in chapters_store.events(connection, chapter_id)]
        audited = list(
            connection.execute(
                select(audit_log.c.action).where(audit_log.c.entity_id == chapter_id)
            ).scalars()
        )
    assert actions[:4] == ["publish", "approve", "submit", "edit"]
    assert "chapter.publish" in audited
    assert "chapter.submit" in audited


@pytest.mark.parametrize(
    ("username", "action", "fields"),
    [
        ("viewer", "submit", {}),
        ("analyst", "submit", {}),
        ("editor2", "submit", {}),  # an editor who does not own the chapter
        ("editor", "approve", {}),
        ("viewer", "send-back", {"comment": "no"}),
        ("editor", "publish", {}),
        ("editor", "assign", {"owner": "editor2"}),
        ("editor2", "edit", {"body": "---\ntitle: x\n---\n"}),
        ("viewer", "edit", {"body": "---\ntitle: x\n---\n"}),
    ],
)
def test_wrong_roles_refused(
    app: FastAPI, username: str, action: str, fields: dict[str, str]
) -> None:
    chapter_id = "lifestyles"
    if state(app, chapter_id).owner != "editor":
        assign(app, chapter_id, "editor")
    before, before_counts = state(app, chapter_id), counts(app, chapter_id)
    text = file_of(app, chapter_id).read_text(encoding="utf-8")
    with as_user(app, username) as someone:
        assert post(someone, f"/workflow/{chapter_id}/{action}", **fields) == 403
    assert state(app, chapter_id) == before
    assert counts(app, chapter_id) == before_counts
    assert file_of(app, chapter_id).read_text(encoding="utf-8") == text


@pytest.mark.parametrize("action", ["submit", "approve", "send-back", "publish", "assign", "edit"])
def test_anonymous_sent_to_sign_in(client: TestClient, app: FastAPI, action: str) -> None:
    before = counts(app, "mortality")
    response = client.post(f"/workflow/mortality/{action}", data={}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/sign-in")
    assert client.get("/workflow/", follow_redirects=False).status_code == 303
    assert counts(app, "mortality") == before


def test_missing_csrf_refused(app: FastAPI) -> None:
    chapter_id = "older-people"
    assign(app, chapter_id, "editor")
    before, before_counts = state(app, chapter_id), counts(app, chapter_id)
    with as_user(app, "editor") as editor:
        response = editor.post(
            f"/workflow/{chapter_id}/edit",
            data={"body": before.body + "\nmore\n"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        wrong = editor.post(
            f"/workflow/{chapter_id}/edit",
            data={"body": before.body + "\nmore\n", "csrf_token": "not-the-token"},
            follow_redirects=False,
        )
        assert wrong.status_code == 403
    assert state(app, chapter_id) == before
    assert counts(app, chapter_id) == before_counts


def test_approver_cannot_approve_own_submission(app: FastAPI) -> None:
    chapter_id = "mental-health"
    assign(app, chapter_id, "both")
    with as_user(app, "both") as both:
        body = state(app, chapter_id).body.replace("status: published", "status: review")
        assert post(both, f"/workflow/{chapter_id}/edit", body=body) == 303
        assert post(both, f"/workflow/{chapter_id}/submit") == 303
        before = counts(app, chapter_id)
        assert post(both, f"/workflow/{chapter_id}/approve") == 403
        assert counts(app, chapter_id) == before
        assert "/approve" not in both.get(f"/workflow/{chapter_id}").text
    assert state(app, chapter_id).status == "in_review"
    with as_user(app, "admin") as admin:
        assert post(admin, f"/workflow/{chapter_id}/approve") == 303
    assert state(app, chapter_id).status == "approved"
    # An admin who submitted may approve their own.
    with as_user(app, "admin") as admin:
        assert post(admin, f"/workflow/{chapter_id}/send-back", comment="one more pass") == 303
        assert post(admin, f"/workflow/{chapter_id}/submit") == 303
        assert post(admin, f"/workflow/{chapter_id}/approve") == 303
    assert state(app, chapter_id).status == "approved"


def test_send_back_needs_a_comment(app: FastAPI) -> None:
    chapter_id = "children-young-people"
    to_draft(app, chapter_id)
    with as_user(app, "editor") as editor:
        assert post(editor, f"/workflow/{chapter_id}/submit") == 303
    with as_user(app, "approver") as approver:
        before = counts(app, chapter_id)
        response = approver.post(
            f"/workflow/{chapter_id}/send-back",
            data={"comment": "  ", "csrf_token": token(approver, chapter_id)},
        )
        assert response.status_code == 400
        assert "govuk-error-summary" in response.text
        assert 'href="#comment"' in response.text
        assert counts(app, chapter_id) == before
        assert post(approver, f"/workflow/{chapter_id}/send-back", comment="add sources") == 303
    assert state(app, chapter_id).status == "draft"


def test_broken_markdown_refused(app: FastAPI) -> None:
    chapter_id = "long-term-conditions"
    assign(app, chapter_id, "editor")
    before, before_counts = state(app, chapter_id), counts(app, chapter_id)
    broken = before.body + "\n```jsna\nblock: chart\nchart: no-such-chart\nindicator: x\n```\n"
    broken_line = broken.splitlines().index("```jsna", len(before.body.splitlines())) + 1
    with as_user(app, "editor") as editor:
        response = editor.post(
            f"/workflow/{chapter_id}/edit",
            data={"body": broken, "csrf_token": token(editor, chapter_id)},
        )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert f"05-long-term-conditions.md:{broken_line + 2}: chart" in response.text
    assert "no-such-chart" in response.text  # the text is kept in the form
    assert state(app, chapter_id) == before
    assert counts(app, chapter_id) == before_counts
    no_front = "Just text, no front matter.\n"
    with as_user(app, "editor") as editor:
        response = editor.post(
            f"/workflow/{chapter_id}/edit",
            data={"body": no_front, "csrf_token": token(editor, chapter_id)},
        )
    assert response.status_code == 400
    assert ":1: (front matter): the file must start with a &#39;---&#39; line" in response.text
    assert state(app, chapter_id) == before


def test_history_shows_the_diff(app: FastAPI) -> None:
    chapter_id = "census-2021"
    assign(app, chapter_id, "editor")
    before = state(app, chapter_id).body
    lines = before.splitlines(keepends=True)
    first_body = next(i for i in range(1, len(lines)) if lines[i].strip() == "---") + 1
    removed = lines[first_body].rstrip("\n")
    edited = "".join([*lines[:first_body], "A brand new opening line.\n", *lines[first_body + 1 :]])
    with as_user(app, "editor") as editor:
        assert post(editor, f"/workflow/{chapter_id}/edit", body=edited, comment="new start") == 303
        page = editor.get(f"/workflow/{chapter_id}").text
    assert "<pre" in page
    assert "Added line: </span>+A brand new opening line." in page
    assert "Removed line: </span>-" in page
    assert removed.replace("'", "&#39;").replace('"', "&#34;")[:40] in page
    assert "Comment: new start" in page
    assert "Edited by editor" in page


def test_scheduled_publication(app: FastAPI, published: Published) -> None:
    chapter_id = "services"
    to_draft(app, chapter_id)
    tomorrow = date.today() + timedelta(days=1)
    path = file_of(app, chapter_id)
    on_disk = path.read_text(encoding="utf-8")
    with as_user(app, "editor") as editor:
        body = state(app, chapter_id).body + "\nScheduled text.\n"
        assert post(editor, f"/workflow/{chapter_id}/edit", body=body) == 303
        assert post(editor, f"/workflow/{chapter_id}/submit") == 303
    with as_user(app, "approver") as approver:
        assert post(approver, f"/workflow/{chapter_id}/approve") == 303
        assert (
            post(approver, f"/workflow/{chapter_id}/publish", publish_on=tomorrow.isoformat())
            == 303
        )
        scheduled = state(app, chapter_id)
        assert scheduled.status == "approved"
        assert scheduled.publish_on == tomorrow
        assert path.read_text(encoding="utf-8") == on_disk
        # Opening the pages today publishes nothing.
        assert approver.get("/workflow/").status_code == 200
    assert state(app, chapter_id).status == "approved"
    jsna = app.state.jsna
    assert chapters_store.publish_due(jsna.engine, jsna.project, date.today()) == []
    assert chapters_store.publish_due(jsna.engine, jsna.project, tomorrow) == [chapter_id]
    done = state(app, chapter_id)
    assert done.status == "published"
    assert done.publish_on is None
    assert path.read_text(encoding="utf-8") == done.body
    assert re.search(r"^status: published$", done.body, re.M)
    assert "Scheduled text." in done.body
    assert chapters_store.publish_due(jsna.engine, jsna.project, tomorrow) == []


def test_hostile_text_escaped(app: FastAPI) -> None:
    chapter_id = "health-inequalities"
    to_draft(app, chapter_id)
    hostile = "<script>alert('x')</script>"
    with as_user(app, "editor") as editor:
        body = state(app, chapter_id).body + f"\n{hostile}\n"
        assert post(editor, f"/workflow/{chapter_id}/edit", body=body, comment=hostile) == 303
        assert post(editor, f"/workflow/{chapter_id}/submit") == 303
    with as_user(app, "approver") as approver:
        assert post(approver, f"/workflow/{chapter_id}/send-back", comment=hostile) == 303
        page = approver.get(f"/workflow/{chapter_id}").text
        edit_page = as_user(app, "admin").get(f"/workflow/{chapter_id}/edit").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in edit_page


def test_timetable(app: FastAPI) -> None:
    jsna = app.state.jsna
    today = date.today()
    with as_user(app, "approver") as approver:
        assign(app, "summary", "editor", review_due=(today - timedelta(days=3)).isoformat())
        assign(app, "population", "editor", review_due=(today + timedelta(days=10)).isoformat())
        page = approver.get("/workflow/").text
        assert page.count('class="govuk-table__row"') == len(jsna.project.chapters) + 1
        summary_row = re.search(r"<tr[^>]*>\s*<th[^>]*><a[^>]*summary\".*?</tr>", page, re.S)
        assert summary_row
        assert "Overdue" in summary_row.group(0)
        population = re.search(r"<tr[^>]*>\s*<th[^>]*><a[^>]*population\".*?</tr>", page, re.S)
        assert population
        assert "Due soon" in population.group(0)
        soon = approver.get("/workflow/?due_within=15").text
        assert "/workflow/summary" in soon
        assert "/workflow/population" in soon
        drafts = approver.get("/workflow/?status=draft").text
        published_ids = [
            c.id for c in jsna.project.chapters if state(app, c.id).status == "published"
        ]
        assert published_ids
        assert all(f'/workflow/{i}"' not in drafts for i in published_ids)
        bad = approver.get("/workflow/?due_within=soon")
        assert bad.status_code == 400
        assert 'href="#due_within"' in bad.text
    with as_user(app, "viewer") as viewer:
        assert viewer.get("/workflow/").status_code == 200
        page = viewer.get("/workflow/summary").text
        assert "There is nothing you can do to this chapter now." in page
        assert '<form method="post" action="/workflow/summary/' not in page


def test_unknown_chapter(app: FastAPI) -> None:
    with as_user(app, "admin") as admin:
        assert admin.get("/workflow/no-such-chapter").status_code == 404
        assert admin.get("/workflow/no-such-chapter/edit").status_code == 404
        assert post(admin, "/workflow/no-such-chapter/submit") == 404


def test_pages_not_in_openapi(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert not [path for path in schema["paths"] if path.startswith("/workflow")]


def test_edit_in_review_returns_to_draft_and_wrong_state_explained(app: FastAPI) -> None:
    chapter_id = "mortality"
    to_draft(app, chapter_id)
    with as_user(app, "editor") as editor:
        assert post(editor, f"/workflow/{chapter_id}/submit") == 303
        assert state(app, chapter_id).status == "in_review"
        body = state(app, chapter_id).body + "\nLate change.\n"
        assert post(editor, f"/workflow/{chapter_id}/edit", body=body) == 303
    assert state(app, chapter_id).status == "draft"
    with as_user(app, "approver") as approver:
        before = counts(app, chapter_id)
        response = approver.post(
            f"/workflow/{chapter_id}/publish",
            data={"csrf_token": token(approver, chapter_id)},
        )
        assert response.status_code == 400
        assert "cannot publish a chapter that is draft" in response.text
        assert 'href="#action"' in response.text
        assert 'id="action"' in response.text
        assert counts(app, chapter_id) == before


def test_scheduled_chapter_can_be_published_now(app: FastAPI, published: Published) -> None:
    chapter_id = "older-people"
    to_draft(app, chapter_id)
    with as_user(app, "editor") as editor:
        assert post(editor, f"/workflow/{chapter_id}/submit") == 303
    later = (date.today() + timedelta(days=7)).isoformat()
    with as_user(app, "approver") as approver:
        assert post(approver, f"/workflow/{chapter_id}/approve") == 303
        assert post(approver, f"/workflow/{chapter_id}/publish", publish_on=later) == 303
        assert state(app, chapter_id).scheduled
        assert (
            f"scheduled for publication on {later}" in approver.get(f"/workflow/{chapter_id}").text
        )
        assert "(scheduled)" in approver.get("/workflow/?status=approved").text
        assert post(approver, f"/workflow/{chapter_id}/publish", publish_on="") == 303
    assert state(app, chapter_id).status == "published"
    deadline = threading.Event()
    for _ in range(100):
        if chapter_id in published.ids:
            break
        deadline.wait(0.05)
    assert chapter_id in published.ids


def test_owner_seeded_only_when_a_user(app: FastAPI, tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    source = (project / "chapters" / "03-deprivation.md").read_text(encoding="utf-8")
    owned = re.sub(r"^owner: .*$", "owner: Editor", source, count=1, flags=re.M)
    stranger = re.sub(r"^owner: .*$", "owner: nobody-here", source, count=1, flags=re.M)
    review = re.sub(r"^status: .*$", "status: review", owned, count=1, flags=re.M)
    (project / "chapters" / "13-owned-chapter.md").write_text(review, encoding="utf-8")
    (project / "chapters" / "14-stranger-chapter.md").write_text(stranger, encoding="utf-8")
    loaded = load_project(project)
    with app.state.jsna.engine.begin() as connection:
        mine = chapters_store.get_state(connection, loaded, "owned-chapter")
        theirs = chapters_store.get_state(connection, loaded, "stranger-chapter")
    assert mine.owner == "editor"
    assert mine.status == "in_review"
    assert theirs.owner is None
