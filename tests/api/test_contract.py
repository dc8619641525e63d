"""The API's OpenAPI schema is its contract: real responses validate against it, every error has one shape."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_personal_api import AS_ADMIN, p_engine, pc  # noqa: F401  (fixtures: the personalized sample service)
from tests.conftest import CONFIGS

ERROR_STATUSES = {"401", "403", "404", "422", "503"}


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _errors(value: Any, schema: dict[str, Any], spec: dict[str, Any], path: str = "$") -> list[str]:
    """Where ``value`` breaks the JSON schema (the subset OpenAPI 3.1 from pydantic uses); also undeclared keys."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        tries = [_errors(value, s, spec, path) for s in schema["anyOf"]]
        return [] if any(not t for t in tries) else min(tries, key=len)
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} not in {schema['enum']}"]
    if "const" in schema and value != schema["const"]:
        return [f"{path}: {value!r} != {schema['const']!r}"]
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind is not None and not checks[kind](value):
        return [f"{path}: {value!r} is not {kind}"]
    out: list[str] = []
    if kind == "array":
        for i, item in enumerate(value):
            out += _errors(item, schema.get("items", {}), spec, f"{path}[{i}]")
    if kind == "object":
        props = schema.get("properties", {})
        out += [f"{path}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        extra = schema.get("additionalProperties", not props)
        for key, item in value.items():
            if key in props:
                out += _errors(item, props[key], spec, f"{path}.{key}")
            elif extra is False:
                out.append(f"{path}: {key!r} is not declared in the schema")
            elif isinstance(extra, dict):
                out += _errors(item, extra, spec, f"{path}.{key}")
    return out


def _response_schema(spec: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    return spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


@pytest.fixture(scope="module")
def spec(pc):  # noqa: F811
    return pc.get("/openapi.json").json()


def test_every_error_status_declares_the_one_error_body(spec):
    declared = 0
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            for status in ERROR_STATUSES & set(op["responses"]):
                schema = _resolve(_response_schema(spec, path, method, status), spec)
                assert schema["title"] == "ErrorBody", (path, method, status)
                declared += 1
    assert declared >= 15
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, method, statuses in [
        ("/search", "get", {"422", "503"}),
        ("/products/{product_id}", "get", {"404", "422", "503"}),
        ("/users/{user_id}", "delete", {"401", "403"}),
    ]:
        assert statuses <= set(spec["paths"][path][method]["responses"]), (path, statuses)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "300元以下的兰芝隔离霜 不要日本产的", "explain": "true"},
        {"q": "面霜", "user_id": "u0002", "explain": "true", "size": 20},
        {"q": "手机", "sort": "price_asc", "brand": ["Apple/苹果"], "page": 2, "size": 5},
        {"q": "", "user_id": "u0002", "explain": "true"},
        {"q": "zzzz不存在的东西qqq"},
    ],
)
def test_real_search_outputs_validate_against_the_declared_schema(pc, spec, params):  # noqa: F811
    res = pc.get("/search", params=params)
    assert res.status_code == 200, res.text
    body = res.json()
    assert _errors(body, _response_schema(spec, "/search", "get", "200"), spec) == []
    if params.get("explain") and body["items"]:
        assert {"fusion", "boosts", "personalization", "final"} <= set(body["items"][0]["explain"])


def test_a_personalized_explained_search_shows_every_stage(pc, spec):  # noqa: F811
    params = {"q": "面霜", "user_id": "u0002", "explain": "true", "size": 20}
    body = pc.get("/search", params=params, headers=AS_ADMIN).json()  # personalization details are the admin's
    assert any(item["explain"]["personalization"] for item in body["items"])
    assert body["facets"]["brand"] and body["facets"]["price"]


def test_the_post_search_output_validates_too(pc, spec):  # noqa: F811
    res = pc.post("/search", json={"q": "洗面奶", "explain": True, "attributes": {}, "user_id": "u0003"})
    assert res.status_code == 200, res.text
    assert _errors(res.json(), _response_schema(spec, "/search", "post", "200"), spec) == []


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("get", "/search", {"params": {"page": 0}}, "422"),
        ("get", "/search", {"params": {"profile": "nope"}}, "422"),
        ("post", "/search", {"json": {"q": 1, "extra": True}}, "422"),
        ("get", "/products/NOPE-404", {}, "404"),
        ("delete", "/users/u1", {}, "401"),
        ("delete", "/users/u1", {"headers": {"Authorization": "Bearer wrong"}}, "401"),
    ],
)
def test_error_bodies_validate_against_the_declared_schema(pc, spec, method, url, kwargs, status):  # noqa: F811
    res = getattr(pc, method)(url, **kwargs)
    assert str(res.status_code) == status, res.text
    path = "/products/{product_id}" if url.startswith("/products/") else "/users/{user_id}" if "users" in url else url
    schema = _response_schema(spec, path, method, status)
    assert _errors(res.json(), schema, spec) == [] and res.json()["detail"][0]["message"]


def test_the_503_body_validates(tmp_path):
    """A service started without an index answers with the declared 503 body."""
    from fastapi.testclient import TestClient

    from search.api.app import create_app
    from search.config import Settings

    settings = Settings(data_dir=tmp_path / "empty", configs_dir=CONFIGS)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        spec = client.get("/openapi.json").json()
        for method, path in (("get", "/search"), ("get", "/healthz"), ("post", "/events")):
            res = client.request(method.upper(), path, json={} if method == "post" else None)
            assert res.status_code == 503, (path, res.text)
            assert _errors(res.json(), _response_schema(spec, path, method, "503"), spec) == []
            assert "no index" in res.json()["detail"][0]["message"]
