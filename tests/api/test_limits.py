"""Bounded requests: body size (413 before parsing), rate limits (429 with Retry-After)."""

import asyncio
import json
import random

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from search.api import errors
from search.api.app import create_app
from search.api.limits import BodySizeLimit, RateLimiter
from search.config import Settings
from search.retrieve.bounds import MAX_QUERY_TERMS, MAX_QUERY_WORK_CHARS


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_rate_limiter_is_a_token_bucket_per_key():
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(0.5)
    assert limiter.acquire("b") == 0.0  # another key has its own bucket
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    clock.now += 100
    assert [limiter.acquire("a") for _ in range(4)][-1] > 0  # refills up to the burst, no more


def test_rate_limiter_charges_into_debt():
    clock = Clock()
    limiter = RateLimiter(rate=10.0, burst=10, clock=clock)
    assert limiter.in_debt("a") == 0.0
    limiter.charge("a", 30)  # a cost known only afterwards: the bucket owes 20 tokens
    assert limiter.in_debt("a") == pytest.approx(2.1)  # until it holds one token again
    clock.now += 2.0
    assert limiter.in_debt("a") == pytest.approx(0.1)
    clock.now += 0.2
    assert limiter.in_debt("a") == 0.0 and limiter.acquire("a") == 0.0


def test_rate_limiter_forgets_the_oldest_keys():
    limiter = RateLimiter(rate=1.0, burst=1, max_keys=2, clock=Clock())
    for key in ("a", "b", "c"):
        assert limiter.acquire(key) == 0.0
    assert limiter.acquire("a") == 0.0  # "a" was forgotten: a full bucket again
    assert limiter.acquire("c") > 0


def _echo_app(max_bytes):
    app = FastAPI()
    errors.install(app)
    seen = []

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        seen.append(body)
        return {"n": len(body)}

    app.add_middleware(BodySizeLimit, max_bytes=max_bytes)
    return app, seen


def test_body_over_the_limit_is_413_before_parsing():
    app, seen = _echo_app(2048)
    with TestClient(app) as c:
        assert c.post("/echo", json={"a": "x" * 100}).status_code == 200
        r = c.post("/echo", content=b"{" + b" " * 5000 + b"}", headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert r.json() == {"detail": [{"field": None, "message": "request body larger than 2048 bytes"}]}
    assert len(seen) == 1


def test_streamed_body_without_length_is_cut_off():
    """A chunked body has no Content-Length: it is counted as it arrives and cut at the limit."""
    app, seen = _echo_app(2048)
    messages = []
    chunks = [b'{"a": "' + b"x" * 1500, b"x" * 1500, b'"}']

    async def run():
        queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

        async def receive():
            return queue.pop(0) if queue else {"type": "http.disconnect"}

        async def send(message):
            messages.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "path": "/echo",
            "raw_path": b"/echo",
            "query_string": b"",
            "headers": [(b"content-type", b"application/json")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "scheme": "http",
            "root_path": "",
        }
        await app(scope, receive, send)

    asyncio.run(run())
    assert messages[0]["status"] == 413
    assert "larger than 2048" in json.loads(messages[-1]["body"])["detail"][0]["message"]
    assert seen == []


def test_the_app_limits_bodies_and_optionally_rates(engine, configs_dir):
    settings = Settings(configs_dir=configs_dir, max_body_bytes=4096, rate_limit_per_s=0.01, rate_limit_burst=3)
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as c:
        big = {"events": [{"user_id": "u", "product_id": "p" * 100, "event": "view"}] * 100}
        r = c.post("/events", json=big)
        assert r.status_code == 413, r.text
        codes = [c.get("/search", params={"q": "手机"}).status_code for _ in range(2)]
        assert codes == [200, 200]  # with the 413 above: three requests, the burst
        r = c.get("/search", params={"q": "手机"})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        assert r.json()["detail"][0]["message"].startswith("too many requests")
        assert c.get("/healthz").status_code == 200  # health checks are never limited


def test_rate_limits_are_off_by_default(client):
    assert all(client.get("/healthz").status_code == 200 for _ in range(30))
    assert all(client.get("/search", params={"q": "手机"}).status_code == 200 for _ in range(25))


def test_a_long_random_query_is_searched_within_bounds(client):
    rng = random.Random(3)
    q = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(256))
    r = client.get("/search", params={"q": q, "explain": "true"})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == q  # the shopper's query is echoed whole ...
    assert len(body["parsed"]["text"]) <= MAX_QUERY_WORK_CHARS  # ... but only its start is worked on


def test_query_vectors_hold_at_most_max_terms(engine):
    from search.retrieve.query import lexical_vectors

    index = engine.index
    q = "".join(chr(0x4E00 + i * 7) for i in range(64))
    vectors = lexical_vectors(index.analyzer, index.config, q, list(index.config.lexical.fields))
    assert vectors and all(len(v) <= MAX_QUERY_TERMS for v in vectors.values())
