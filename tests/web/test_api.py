"""The public API: envelope, values equal to published results, pagination, CSV, errors,
custom areas with disclosure control, CORS and the anonymous rate limit."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from jsna.store.results import published_results
from jsna.web.app import create_app
from jsna.web.settings import WebSettings

from .conftest import make_app, sign_in
from .stores import sqlite_store

TRAFFORD = "E08000009"


def _results(app: FastAPI, indicator: str, **where: str) -> list[dict[str, object]]:
    with app.state.jsna.engine.connect() as connection:
        frame = published_results(connection, indicator)
    for key, value in where.items():
        frame = frame[frame[key] == value]
    return frame.to_dict("records")


def _same(mine: object, theirs: object) -> bool:
    """A JSON value equals a published_results cell (null = NaN/NA; floats to 1e-12)."""
    if mine is None:
        return bool(pd.isna(theirs))  # type: ignore[call-overload]
    if isinstance(mine, float) or isinstance(theirs, float):
        return math.isclose(float(mine), float(theirs), rel_tol=1e-12)  # type: ignore[arg-type]
    return bool(mine == theirs)


@pytest.mark.parametrize("indicator", ["bad_health", "dementia_qof", "crude_death_rate"])
def test_results_equal_published_results(any_client: TestClient, indicator: str) -> None:
    app = any_client.app
    expected = _results(app, indicator)  # type: ignore[arg-type]
    got: list[dict[str, object]] = []
    url: str | None = f"/api/v1/results?indicator={indicator}&limit=1000"
    while url:
        body = any_client.get(url).json()
        got += body["data"]
        url = body["meta"]["links"]["next"]
    assert len(got) == len(expected) > 0
    for mine, theirs in zip(got, expected, strict=True):
        for key in ("area_code", "area_type", "period", "value", "lower_95", "upper_95"):
            assert _same(mine[key], theirs[key]), (key, mine, theirs)
        assert mine["suppressed"] == theirs["suppressed"]
        if mine["suppressed"]:
            assert mine["numerator"] is None
            assert mine["value"] is None


def test_suppressed_rows_never_carry_counts(client: TestClient) -> None:
    hidden = 0
    for indicator in ("dementia_qof", "copd_qof", "under18_conceptions"):
        body = client.get(f"/api/v1/results?indicator={indicator}&limit=1000").json()
        for row in body["data"]:
            if row["suppressed"]:
                hidden += 1
                assert row["numerator"] is None
                assert row["value"] is None
                assert row["lower_95"] is None
    assert hidden > 0


def test_pagination_links_and_totals(client: TestClient) -> None:
    first = client.get("/api/v1/results?indicator=bad_health&limit=7").json()
    total = first["meta"]["total"]
    assert total == len(_results(client.app, "bad_health"))  # type: ignore[arg-type]
    assert len(first["data"]) == 7
    assert first["meta"]["links"]["prev"] is None
    second = client.get(first["meta"]["links"]["next"]).json()
    assert second["meta"]["offset"] == 7
    assert second["data"][0] != first["data"][0]
    last = client.get(f"/api/v1/results?indicator=bad_health&limit=7&offset={total - 1}").json()
    assert len(last["data"]) == 1
    assert last["meta"]["links"]["next"] is None
    indicators = client.get("/api/v1/indicators?limit=5&offset=5").json()
    assert indicators["meta"]["total"] == len(client.app.state.jsna.project.indicators)  # type: ignore[attr-defined]
    assert len(indicators["data"]) == 5


def test_csv_has_the_rows_of_json(any_client: TestClient) -> None:
    url = "/api/v1/results?indicator=bad_health&area_type=ward23&limit=50"
    body = any_client.get(url).json()
    text = any_client.get(url + "&format=csv")
    assert text.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.text)))
    assert len(rows) == len(body["data"]) > 0
    for row, item in zip(rows, body["data"], strict=True):
        assert row["area_code"] == item["area_code"]
        assert float(row["value"]) == pytest.approx(item["value"], rel=1e-12)
    by_header = any_client.get(url, headers={"Accept": "text/csv"})
    assert by_header.text == text.text


def test_filters(client: TestClient) -> None:
    body = client.get(
        f"/api/v1/results?indicator=bad_health&area={TRAFFORD}&area_type=ltla23"
    ).json()
    assert body["data"]
    assert {r["area_code"] for r in body["data"]} == {TRAFFORD}
    period = body["data"][0]["period"]
    rows = client.get(f"/api/v1/results?indicator=bad_health&period={period}").json()["data"]
    assert rows
    assert {r["period"] for r in rows} == {period}


def test_indicator_metadata(client: TestClient) -> None:
    body = client.get("/api/v1/indicators/bad_health").json()
    indicator = client.app.state.jsna.project.indicators["bad_health"]  # type: ignore[attr-defined]
    assert body["data"]["title"] == indicator.title
    assert body["data"]["method"] == "proportion"
    assert body["data"]["area_types"] == list(indicator.geographies)
    assert body["data"]["licence"] == indicator.licence


def test_areas(any_client: TestClient) -> None:
    wards = any_client.get(f"/api/v1/areas?area_type=ward23&within={TRAFFORD}").json()
    assert wards["meta"]["total"] == 21
    assert {row["type"] for row in wards["data"]} == {"ward23"}
    one = any_client.get(f"/api/v1/areas/{TRAFFORD}").json()
    assert {row["name"] for row in one["data"]} == {"Trafford"}
    types = any_client.get("/api/v1/area-types").json()["data"]
    assert {"ward23", "ltla23", "lsoa21"} <= {row["code"] for row in types}


@pytest.mark.parametrize(
    ("url", "status", "named"),
    [
        ("/api/v1/indicators/nope_x", 404, "nope_x"),
        ("/api/v1/results?indicator=nope_y", 404, "nope_y"),
        ("/api/v1/results?indicator=bad_health&area_type=tract9", 422, "tract9"),
        ("/api/v1/areas/E99999999", 404, "E99999999"),
        ("/api/v1/areas?within=Z123", 404, "Z123"),
        ("/api/v1/datasets/no_source/versions", 404, "no_source"),
        ("/api/v1/changes?source=no_source2", 404, "no_source2"),
        ("/api/v1/results?indicator=bad_health&limit=0", 422, "limit"),
    ],
)
def test_errors_name_the_bad_value(client: TestClient, url: str, status: int, named: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["status"] == status
    assert named in body["errors"][0]["message"]


def test_hostile_strings_are_not_reflected(client: TestClient) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    for url in (
        f"/api/v1/indicators/{hostile}",
        f"/api/v1/results?indicator={hostile}",
        f"/api/v1/results?indicator=bad_health&area_type={hostile}",
        f"/api/v1/areas?within={hostile}",
    ):
        response = client.get(url)
        assert response.status_code in (404, 422)
        assert "<img" not in response.text
        assert "&lt;img src=x" in response.json()["errors"][0]["message"]
    response = client.post(
        "/api/v1/aggregate",
        json={"indicator": "bad_health", "area_type": "ward23", "areas": [hostile]},
    )
    assert response.status_code == 422
    assert "<img" not in response.text
    wards = _wards(client)[:2]
    named = client.post(
        "/api/v1/aggregate",
        json={"indicator": "bad_health", "area_type": "ward23", "areas": wards, "name": hostile},
    )
    assert named.status_code == 422
    assert "name" in named.json()["errors"][0]["message"]
    assert "<img" not in named.text


def _wards(client: TestClient) -> list[str]:
    body = client.get(f"/api/v1/areas?area_type=ward23&within={TRAFFORD}").json()
    return [row["code"] for row in body["data"]]


def test_aggregate_of_all_wards_is_close_to_trafford(any_client: TestClient) -> None:
    response = any_client.post(
        "/api/v1/aggregate",
        json={"indicator": "bad_health", "area_type": "ward23", "areas": _wards(any_client)},
    )
    assert response.status_code == 200, response.text
    rows = [r for r in response.json()["data"] if r["breakdown"] == "" and r["sex"] == "persons"]
    assert rows
    custom = rows[0]
    own = _results(
        any_client.app,  # type: ignore[arg-type]
        "bad_health",
        area_code=TRAFFORD,
        area_type="ltla23",
        period=custom["period"],
        breakdown="",
    )[0]
    assert not custom["suppressed"]
    assert custom["value"] == pytest.approx(own["value"], rel=0.02)
    assert custom["lower_95"] <= own["value"] <= custom["upper_95"]
    assert custom["lower_95"] < custom["value"] < custom["upper_95"]


def test_aggregate_of_one_area_equals_its_value(client: TestClient) -> None:
    ward = _wards(client)[3]
    response = client.post(
        "/api/v1/aggregate",
        json={"indicator": "bad_health", "area_type": "ward23", "areas": [ward], "name": "One"},
    )
    assert response.status_code == 200, response.text
    mine = response.json()["data"]
    own = _results(client.app, "bad_health", area_code=ward, area_type="ward23")  # type: ignore[arg-type]
    assert len(mine) == len(own) > 0
    for row in mine:
        match = [
            o for o in own if o["period"] == row["period"] and o["breakdown"] == row["breakdown"]
        ]
        assert match
        assert row["value"] == pytest.approx(match[0]["value"], rel=1e-9)
        assert row["lower_95"] == pytest.approx(match[0]["lower_95"], rel=1e-9)
        assert row["area_name"] == "One"


def test_aggregate_suppresses_tiny_and_hidden_members(client: TestClient) -> None:
    app = client.app
    found = None
    for indicator in ("dementia_qof", "copd_qof", "under18_conceptions"):
        meta = app.state.jsna.project.indicators[indicator]  # type: ignore[attr-defined]
        if meta.method not in ("proportion", "crude_rate"):
            continue
        for row in _results(app, indicator):  # type: ignore[arg-type]
            if row["suppressed"] and row["area_type"] in meta.geographies:
                found = (indicator, row)
                break
        if found:
            break
    assert found is not None, "no suppressed row to test with"
    indicator, row = found
    response = client.post(
        "/api/v1/aggregate",
        json={
            "indicator": indicator,
            "area_type": row["area_type"],
            "areas": [row["area_code"]],
            "period": row["period"],
        },
    )
    assert response.status_code == 200, response.text
    cells = [
        r
        for r in response.json()["data"]
        if r["breakdown"] == row["breakdown"] and r["sex"] == row["sex"] and r["age"] == row["age"]
    ]
    assert cells
    assert all(c["suppressed"] for c in cells)
    assert all(c["numerator"] is None and c["value"] is None for c in cells)


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"indicator": "bad_health", "area_type": "ward23", "areas": []}, "areas"),
        ({"indicator": "bad_health", "area_type": "ward23", "areas": ["E99"]}, "E99"),
        ({"indicator": "bad_health", "area_type": "ward23", "areas": [TRAFFORD]}, TRAFFORD),
        ({"indicator": "bad_health", "area_type": "tract", "areas": ["x"]}, "tract"),
        ({"indicator": "air_quality_lsoa", "area_type": "lsoa11", "areas": ["x"]}, "value_only"),
        ({"indicator": "bad_health", "area_type": "ward23", "areas": ["a"] * 5001}, "areas"),
    ],
)
def test_aggregate_rejects(client: TestClient, payload: dict[str, object], named: str) -> None:
    response = client.post("/api/v1/aggregate", json=payload)
    assert response.status_code == 422
    assert named in response.json()["errors"][0]["message"]


def test_cors_header_on_cross_origin_get(client: TestClient) -> None:
    response = client.get("/api/v1/indicators", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_cache_follows_the_store(client: TestClient) -> None:
    app = client.app
    state = app.state.jsna  # type: ignore[attr-defined]
    client.get("/api/v1/results?indicator=bad_health&limit=1")
    key = state.generation
    assert ("api", "results", "bad_health") in state.cache
    with state.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE compute_state SET result_rows = result_rows + 1 WHERE indicator_id='bad_health'"
        )
    try:
        client.get("/api/v1/area-types")
        assert state.generation != key
        assert ("api", "results", "bad_health") not in state.cache
    finally:
        with state.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE compute_state SET result_rows = result_rows - 1 "
                "WHERE indicator_id='bad_health'"
            )


def test_the_store_is_asked_at_most_every_freshness_seconds(sqlite_app: FastAPI) -> None:
    shared = sqlite_app.state.jsna
    settings = WebSettings(secret="test-secret-key-not-for-use", freshness_seconds=3600.0)
    app = create_app(shared.project, shared.engine, settings)
    state = app.state.jsna
    with TestClient(app) as client:
        client.get("/api/v1/area-types")
        asked = state.checked
        assert state.generation is not None
        client.get("/api/v1/results?indicator=bad_health&limit=1")
        client.get("/dashboards/population")
        assert state.checked == asked


def test_anonymous_rate_limit(tmp_path_factory: pytest.TempPathFactory) -> None:
    project, url = sqlite_store(tmp_path_factory.mktemp("limit") / "jsna.db")
    app = make_app(project, url, anonymous_per_minute=3)
    with TestClient(app) as anonymous:
        codes = [anonymous.get("/api/v1/area-types").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200]
        assert codes[-1] == 429
        limited = anonymous.get("/api/v1/area-types")
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["errors"][0]["status"] == 429
    with TestClient(app, client=("10.0.0.9", 5000)) as signed:
        sign_in(signed, "analyst")
        codes = [signed.get("/api/v1/area-types").status_code for _ in range(8)]
        assert codes == [200] * 8
