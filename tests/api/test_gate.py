"""Write routes refuse a request from its headers alone: the body of a refused request is never read."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from search.api import errors
from search.api.auth import KeyRing, KeySpec, Principal, hash_key, require_scope
from search.api.backpressure import InflightLimit, charge_events, events_slot
from search.api.gate import WriteGate
from search.config import Settings

WEB, IMPORTER, OPS = "web-key-123", "importer-key-456", "ops-key-789"
BODY = json.dumps({"events": [{"user_id": "u", "product_id": "p", "event": "view"}] * 200}).encode()


def make_app(tmp_path, rate: float | None = None, slots: int | None = None) -> tuple[FastAPI, list[str]]:
    app = FastAPI()
    errors.install(app)
    app.state.settings = Settings(data_dir=tmp_path)
    keys = [
        KeySpec(id="web", sha256=hash_key(WEB), scopes=["search"]),
        KeySpec(id="importer", sha256=hash_key(IMPORTER), scopes=["events"], rate_limit=rate),
        KeySpec(id="ops", sha256=hash_key(OPS), scopes=["admin"]),
    ]
    app.state.keyring = KeyRing(keys)
    if slots is not None:
        app.state.events_limit = InflightLimit(slots, 0.05)
    stored: list[str] = []

    @app.post("/events", dependencies=[Depends(events_slot)])
    def events(
        body: dict[str, Any], who: Annotated[Principal, Depends(require_scope("search", "events"))], request: Request
    ) -> dict:
        charge_events(request.app.state, len(body["events"]))
        stored.append(who.key_id)
        return {"who": who.key_id, "n": len(body["events"])}

    @app.post("/search", dependencies=[Depends(require_scope("search"))])
    def search(body: dict[str, Any]) -> dict:
        return {"q": body.get("q")}

    app.add_middleware(WriteGate)
    return app, stored


async def call(app: FastAPI, path: str, headers: dict[str, str], body: bytes = BODY) -> tuple[int, dict, Any, int]:
    """One request straight through ASGI; also how many times the app asked for the body."""
    reads = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("10.0.0.7", 5555),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, json.loads(payload), reads


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({}, 401, "an API key is required"),
        (bearer("not-a-key"), 401, "unknown API key"),
        (bearer(OPS.replace("ops", "sop")), 401, "unknown API key"),
    ],
)
def test_events_without_a_valid_key_are_refused_unread(tmp_path, headers, status, message):
    app, stored = make_app(tmp_path)
    code, resp_headers, body, reads = asyncio.run(call(app, "/events", headers))
    assert (code, reads, stored) == (status, 0, [])
    assert body == {"detail": [{"field": None, "message": body["detail"][0]["message"]}]}
    assert body["detail"][0]["message"].startswith(message)
    assert resp_headers["www-authenticate"] == "Bearer"


def test_a_key_without_the_scope_is_refused_unread(tmp_path):
    app, _ = make_app(tmp_path)
    code, _, body, reads = asyncio.run(call(app, "/search", bearer(IMPORTER), b'{"q": "x"}'))
    assert (code, reads) == (403, 0)
    assert "lacks the scope" in body["detail"][0]["message"]


def test_over_the_key_rate_limit_is_refused_unread_and_counted_once(tmp_path):
    app, stored = make_app(tmp_path, rate=1.0)  # burst 1
    code, _, body, reads = asyncio.run(call(app, "/events", bearer(IMPORTER)))
    # admitted by the gate, the route's dependency does not take a second token
    assert (code, body["who"], body["n"], reads) == (200, "importer", 200, 1)
    code, headers, body, reads = asyncio.run(call(app, "/events", bearer(IMPORTER)))
    assert (code, reads, stored) == (429, 0, ["importer"])
    assert int(headers["retry-after"]) >= 1 and "rate limit of API key 'importer'" in body["detail"][0]["message"]


def test_no_free_writer_slot_is_refused_unread(tmp_path):
    app, stored = make_app(tmp_path, slots=1)

    async def busy() -> tuple:
        limit: InflightLimit = app.state.events_limit
        assert await limit.acquire()  # another request is writing
        try:
            refused = await call(app, "/events", bearer(WEB))
        finally:
            limit.release()
        admitted = await call(app, "/events", bearer(WEB))
        return refused, admitted

    (code, headers, body, reads), admitted = asyncio.run(busy())
    assert (code, headers["retry-after"], reads) == (429, "1", 0)
    assert body["detail"][0]["message"].startswith("too many event requests")
    assert admitted[0] == 200 and admitted[3] == 1 and stored == ["web"]


def test_the_events_budget_refuses_unread_while_in_debt(tmp_path):
    """``events_per_s``: a batch is charged once validated; while the budget is in debt the next is refused unread."""
    app, stored = make_app(tmp_path)
    settings = Settings(data_dir=tmp_path, events_per_s=100)
    app.state.engine = SimpleNamespace(settings=settings)
    first = asyncio.run(call(app, "/events", bearer(WEB)))  # 200 events against a bucket of 100
    assert (first[0], first[3]) == (200, 1)
    code, headers, body, reads = asyncio.run(call(app, "/events", bearer(WEB)))
    assert (code, reads, stored) == (429, 0, ["web"])
    assert int(headers["retry-after"]) >= 1 and body["detail"][0]["message"].startswith("events arrive faster")
    assert app.state.events_budget.in_debt("events") > 0.5


def test_without_an_events_budget_nothing_is_refused(tmp_path):
    app, stored = make_app(tmp_path)
    app.state.engine = SimpleNamespace(settings=Settings(data_dir=tmp_path))
    assert [asyncio.run(call(app, "/events", bearer(WEB)))[0] for _ in range(5)] == [200] * 5
    assert len(stored) == 5 and app.state.events_budget is False


def test_other_routes_pass_through_and_the_gate_keeps_the_public_routes_open_without_keys(tmp_path):
    app, _ = make_app(tmp_path)
    app.state.keyring = KeyRing([])
    assert asyncio.run(call(app, "/events", {}))[:1] == (200,)
    with TestClient(app) as c:
        assert c.get("/openapi.json").status_code == 200
        assert c.post("/events", json={"events": []}).json() == {"who": "anonymous", "n": 0}


def test_admin_scopes_cannot_be_gated():
    with pytest.raises(ValueError, match="public scopes"):
        WriteGate(FastAPI(), {("POST", "/admin/x"): (frozenset({"admin"}), False)})


def test_the_app_gates_events_before_the_body(engine, tmp_path):
    """The real app: a rate-limited key's second batch is refused without its body being read."""
    from search.api.app import create_app

    app = create_app(engine=engine)
    app.state.keyring = KeyRing([KeySpec(id="importer", sha256=hash_key(IMPORTER), scopes=["events"], rate_limit=0.01)])
    app.state.engine = engine
    app.state.search_log = None
    first = asyncio.run(call(app, "/events", bearer(IMPORTER), b'{"events": []}'))
    assert first[3] >= 1 and first[0] != 429
    code, headers, body, reads = asyncio.run(call(app, "/events", bearer(IMPORTER)))
    assert (code, reads) == (429, 0) and int(headers["retry-after"]) >= 1
    assert asyncio.run(call(app, "/events", {}))[:1] == (401,)
