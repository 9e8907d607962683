"""Property-based tests of the API against its own OpenAPI document (schemathesis).

Every API operation gets generated inputs (valid and not) and must never answer
5xx; every answer must be the envelope (JSON) or CSV. Derandomized with few
examples per operation so the run stays short and repeatable.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import BaseSchema as OpenApiSchema

API = "/api/v1"
EXAMPLES = 30
"""Generated requests per operation and mode."""


@pytest.fixture(scope="session")
def api_schema(sqlite_app: FastAPI) -> OpenApiSchema:
    """The app's OpenAPI document, restricted to the API's own operations."""
    loaded = schemathesis.openapi.from_asgi(f"{API}/openapi.json", sqlite_app)
    return loaded.include(path_regex=f"^{API}/")


OPERATIONS = [
    ("GET", f"{API}/indicators"),
    ("GET", f"{API}/indicators/{{indicator_id}}"),
    ("GET", f"{API}/area-types"),
    ("GET", f"{API}/areas"),
    ("GET", f"{API}/areas/{{code}}"),
    ("GET", f"{API}/results"),
    ("POST", f"{API}/aggregate"),
    ("GET", f"{API}/datasets"),
    ("GET", f"{API}/datasets/{{source_id}}/versions"),
    ("GET", f"{API}/changes"),
]
"""Every API operation (the first test checks the document has exactly these)."""


def _operations(api_schema: OpenApiSchema) -> list[schemathesis.APIOperation]:
    return [result.ok() for result in api_schema.get_all_operations()]


def test_every_api_operation_is_documented(api_schema: OpenApiSchema) -> None:
    found = {(operation.method.upper(), operation.path) for operation in _operations(api_schema)}
    assert found == set(OPERATIONS)
    for operation in _operations(api_schema):
        definition = operation.definition.raw
        assert definition.get("summary"), operation.path
        assert definition.get("description"), operation.path
        assert "200" in definition["responses"]
        for parameter in definition.get("parameters", []):
            assert parameter.get("description"), (operation.path, parameter["name"])


def _check(response: schemathesis.Response, case: schemathesis.Case) -> None:
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    kind = response.headers.get("content-type", [""])
    text = kind[0] if isinstance(kind, list) else str(kind)
    assert text.startswith(("application/json", "text/csv")), text
    if text.startswith("application/json"):
        body = response.json()
        assert "data" in body
        assert body["meta"]["api_version"] == "v1"
        if response.status_code >= 400:
            assert body["errors"][0]["status"] == response.status_code


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_error(
    api_schema: OpenApiSchema, method: str, path: str, mode: schemathesis.GenerationMode
) -> None:
    """Valid (positive) and invalid (negative) generated requests: never a 5xx."""
    operation = next(
        op for op in _operations(api_schema) if (op.method.upper(), op.path) == (method, path)
    )

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        _check(case.call(), case)

    run()
