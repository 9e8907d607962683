"""The what-if page: moving (illustrative) mental health places between localities, no writes."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jsna.analysis.need import unmet_need
from jsna.content.blocks.need import UnmetNeedBlock
from jsna.store.schema import audit_log

PAGE = "/whatif/unmet-need"
HOSTILE = '<script>alert("x")</script>'


def _baseline(app: FastAPI) -> dict[str, dict[str, float]]:
    state = app.state.jsna
    chapter = next(c for c in state.project.chapters if c.id == "unmet-need")
    block = next(
        p.block
        for p in chapter.blocks
        if isinstance(p.block, UnmetNeedBlock) and p.block.capacity is not None
    )
    with state.engine.connect() as connection:
        frame = unmet_need(connection, block).frame.set_index("area_code")
    return frame[["expected", "capacity", "gap"]].to_dict(orient="index")


def _row(html: str, area: str) -> list[str]:
    match = re.search(rf'<th scope="row" class="govuk-table__header">{area}</th>(.*?)</tr>', html)
    assert match, area
    return re.findall(
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', match[1]
    )


def test_form_without_moves_shows_the_gaps_as_they_are(
    client: TestClient, sqlite_app: FastAPI
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.text
    assert "ILLUSTRATIVE" in html
    assert "As things are" in html
    assert '<select class="govuk-select" id="from1" name="from1">' in html
    base = _baseline(sqlite_app)
    north = _row(html, "North")
    assert north[0] == f"{base['North']['expected']:,.0f}"
    assert north[1] == north[2] == "120"
    assert north[3] == north[4] == f"{base['North']['gap']:,.0f}"
    assert north[5] == "0"


def test_moving_places_changes_the_gaps(client: TestClient, sqlite_app: FastAPI) -> None:
    with sqlite_app.state.jsna.engine.connect() as connection:
        audits = connection.scalar(select(func.count()).select_from(audit_log))
    response = client.get(
        PAGE,
        params={
            "from1": "Central",
            "to1": "North",
            "amount1": "30",
            "from2": "South",
            "to2": "North",
            "amount2": "10",
        },
    )
    assert response.status_code == 200
    html = response.text
    base = _baseline(sqlite_app)
    north = _row(html, "North")
    assert north[1:3] == ["120", "160"]
    assert north[4] == f"{base['North']['gap'] - 40:,.0f}"
    assert north[5] == "-40"
    central = _row(html, "Central")
    assert central[1:3] == ["150", "120"]
    assert central[5] == "+30"
    assert "30 community mental health places from Central to North" in html
    # the gap map, drawn on the server (works without JavaScript)
    assert 'id="figure-unmet-need-psychosis-locality-whatif-gap-map"' in html
    assert "<svg" in html
    with sqlite_app.state.jsna.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(audit_log)) == audits


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"from1": "Central", "to1": "North", "amount1": "151"},
            "amount1",
            "Move 1: Central has 150 to give, not 151",
        ),
        (
            {"from1": "Central", "to1": "Central", "amount1": "5"},
            "amount1",
            "Move 1: from and to are the same area (Central)",
        ),
        ({"from1": "Central", "to1": "", "amount1": "5"}, "to1", "Move 1: choose an area"),
        (
            {"from1": "Central", "to1": "North", "amount1": "lots"},
            "amount1",
            "Move 1: enter an amount, e.g. 10",
        ),
        ({"from1": HOSTILE, "to1": "North", "amount1": "5"}, "from1", "Move 1: choose an area"),
    ],
)
def test_bad_moves_are_explained(
    client: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get(PAGE, params=params)
    assert response.status_code == 400
    html = response.text
    assert f'<li><a href="#{field}">{message}</a></li>' in html
    assert "After the moves" not in html
    assert HOSTILE not in html


def test_part_places_and_blank_rows(client: TestClient) -> None:
    response = client.get(
        PAGE,
        params={
            "from1": "",
            "to1": "",
            "amount1": "",
            "from2": "West",
            "to2": "South",
            "amount2": "2.5",
        },
    )
    assert response.status_code == 200
    assert "2.5 community mental health places from West to South" in response.text
    assert _row(response.text, "West")[1:3] == ["110", "108"]


def test_unknown_chapter_and_block(client: TestClient) -> None:
    assert client.get("/whatif/no-such-chapter").status_code == 404
    assert client.get("/whatif/population").status_code == 404  # no capacity to move
    assert client.get(PAGE, params={"block": "7"}).status_code == 400


def test_the_dashboard_links_to_the_page(client: TestClient) -> None:
    html = client.get("/dashboards/unmet-need").text
    assert f'<a class="govuk-link" id="whatif-link" href="{PAGE}">' in html
    assert 'id="whatif-link"' not in client.get("/dashboards/mental-health").text


def test_the_page_works_on_postgresql(postgres_app: FastAPI) -> None:
    try:
        with TestClient(postgres_app) as client:
            response = client.get(PAGE, params={"from1": "South", "to1": "West", "amount1": "20"})
        base = _baseline(postgres_app)
    finally:
        postgres_app.state.jsna.engine.dispose()  # no connection left open at exit
    assert response.status_code == 200
    west = _row(response.text, "West")
    assert west[1:3] == ["110", "130"]
    assert west[4] == f"{base['West']['gap'] - 20:,.0f}"


def test_not_in_the_api_schema(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert not [path for path in schema["paths"] if path.startswith("/whatif")]
