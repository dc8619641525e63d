"""API keys with scopes, rate limits and the audit of admin requests."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from search.api import errors
from search.api.auth import KeyRing, KeySpec, Principal, hash_key, parse_inline, require_scope
from search.api.limits import RateLimiter
from search.config import ConfigError, Settings
from search.ops.store import OpsStore

WEB, IMPORTER, OPS, TOKEN = "web-key-123", "importer-key-456", "ops-key-789", "the-admin-token"


def make_app(tmp_path, keys: list[KeySpec] | None, admin_token: str | None = TOKEN) -> FastAPI:
    app = FastAPI()
    errors.install(app)
    app.state.settings = Settings(data_dir=tmp_path, admin_token=admin_token)
    if keys is not None:
        app.state.keyring = KeyRing(keys, admin_token)

    @app.get("/search", dependencies=[Depends(require_scope("search"))])
    def search() -> dict:
        return {"ok": True}

    @app.post("/events")
    def events(who: Annotated[Principal, Depends(require_scope("search", "events"))]) -> dict:
        return {"who": who.key_id}

    @app.post("/admin/thing/{user_id}")
    def admin(user_id: str, who: Annotated[Principal, Depends(require_scope("admin"))]) -> dict:
        who.detail["changed"] = "thing"
        return {"who": who.key_id}

    return app


def spec(key_id: str, key: str, *scopes: str, rate: float | None = None) -> KeySpec:
    return KeySpec(id=key_id, sha256=hash_key(key), scopes=list(scopes), rate_limit=rate)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keyed(tmp_path):
    keys = [spec("web", WEB, "search"), spec("importer", IMPORTER, "events"), spec("ops", OPS, "admin")]
    with TestClient(make_app(tmp_path, keys), raise_server_exceptions=False) as c:
        yield c


def test_without_keys_public_routes_are_open_and_admin_needs_the_token(tmp_path):
    with TestClient(make_app(tmp_path, None), raise_server_exceptions=False) as c:
        assert c.get("/search").status_code == 200
        assert c.get("/search", headers=bearer("stray")).status_code == 200
        assert c.post("/events").json() == {"who": "anonymous"}
        r = c.post("/admin/thing/u1")
        assert r.status_code == 401 and r.json()["detail"][0]["message"].startswith("an API key is required")
        assert c.post("/admin/thing/u1", headers=bearer("wrong")).status_code == 401
        assert c.post("/admin/thing/u1", headers=bearer(TOKEN)).json() == {"who": "admin-token"}


def test_admin_routes_are_closed_without_any_admin_key(tmp_path):
    with TestClient(make_app(tmp_path, None, admin_token=None), raise_server_exceptions=False) as c:
        assert c.post("/admin/thing/u1").status_code == 401
        assert c.post("/admin/thing/u1", headers=bearer("anything")).status_code == 401


def test_scopes(keyed):
    assert keyed.get("/search").status_code == 401  # keys configured: the public routes need one
    assert keyed.get("/search", headers=bearer("nope")).status_code == 401
    assert keyed.get("/search", headers=bearer(WEB)).status_code == 200
    assert keyed.get("/search", headers={"X-API-Key": WEB}).status_code == 200
    assert keyed.get("/search", headers=bearer(IMPORTER)).status_code == 403
    assert keyed.post("/events", headers=bearer(IMPORTER)).json() == {"who": "importer"}
    assert keyed.post("/events", headers=bearer(WEB)).json() == {"who": "web"}
    r = keyed.post("/admin/thing/u1", headers=bearer(WEB))
    assert r.status_code == 403 and "lacks the scope" in r.json()["detail"][0]["message"]
    assert keyed.post("/admin/thing/u1", headers=bearer(IMPORTER)).status_code == 403
    assert keyed.post("/admin/thing/u1", headers=bearer(OPS)).json() == {"who": "ops"}
    assert keyed.get("/search", headers=bearer(OPS)).status_code == 200  # admin may call everything
    assert keyed.post("/admin/thing/u1", headers=bearer(TOKEN)).status_code == 200


def test_admin_requests_are_audited_with_the_key_id_and_pseudonymised_shoppers(keyed, tmp_path):
    keyed.post("/admin/thing/u1")
    keyed.post("/admin/thing/u1", headers=bearer(WEB))
    keyed.post("/admin/thing/shopper-42", headers=bearer(OPS))
    keyed.get("/search", headers=bearer(WEB))  # public routes are not audited
    log = OpsStore.in_data_dir(tmp_path).audit_log()
    assert [(e.actor, e.status) for e in log] == [("ops", 200), ("web", 403), ("anonymous", 401)]
    newest = log[0]
    assert newest.action == "POST" and newest.remote == "testclient"
    assert newest.detail == '{"changed": "thing"}'
    assert "shopper-42" not in newest.target and newest.target.startswith("/admin/thing/~")
    everything = "".join(str(e) for e in log)
    assert OPS not in everything and hash_key(OPS) not in everything and TOKEN not in everything


def test_per_key_rate_limit(tmp_path):
    keys = [spec("web", WEB, "search", rate=1.0), spec("other", OPS, "search")]
    with TestClient(make_app(tmp_path, keys), raise_server_exceptions=False) as c:
        assert c.get("/search", headers=bearer(WEB)).status_code == 200
        r = c.get("/search", headers=bearer(WEB))
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert all(c.get("/search", headers=bearer(OPS)).status_code == 200 for _ in range(5))  # no limit


def test_rate_limiter_refills():
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.5]
    now[0] = 0.5
    assert limiter.acquire("k") == 0.0
    assert limiter.acquire("other") == 0.0


def test_inline_keys_and_keys_file(tmp_path):
    h = hash_key(WEB)
    ring = KeyRing(parse_inline(f"web:search:{h}, ops:admin+events:{hash_key(OPS)}:5"))
    assert ring.identify(WEB).id == "web" and ring.identify(OPS).scopes == ["admin", "events"]
    assert ring.identify("nope") is None
    with pytest.raises(ConfigError, match="entry 1"):
        parse_inline("web:search")
    with pytest.raises(ConfigError, match="SHA-256"):
        parse_inline("web:search:not-a-hash")
    with pytest.raises(ConfigError, match="unique"):
        KeyRing(parse_inline(f"a:search:{h} a:admin:{h}"))
    path = tmp_path / "keys.yaml"
    path.write_text(f"keys:\n  - id: web\n    sha256: {h}\n    scopes: [search]\n    rate: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"keys.yaml:5: keys.0.rate: unknown key"):
        KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys_file=path))
    path.write_text(f"keys:\n  - id: web\n    sha256: {h}\n    scopes: [serch]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"keys.yaml:4: keys.0.scopes.0: Input should be"):
        KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys_file=path))
    path.write_text(f"keys:\n  - id: web\n    sha256: {h}\n    scopes: [search]\n", encoding="utf-8")
    ring = KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys_file=path, admin_token="t"))
    assert ring.ids() == ["web", "admin-token"]
