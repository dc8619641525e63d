"""The admin API on the sample index: rules and synonyms live at once, reload, keys and the audit log."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from search.api.app import create_app
from search.api.auth import KeyRing, KeySpec, hash_key
from search.config import Settings
from search.engine import SearchEngine
from search.index import open_build
from search.profiles import ProfileRegistry
from search.store.layout import DataDir
from search.understand.factory import ParserFactory
from tests.conftest import CONFIGS

ADMIN, WEB = "admin-secret-token", "web-key-0001"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def setup(built_sample, embedder, tmp_path_factory):
    root = tmp_path_factory.mktemp("admin-api")
    data_dir, configs = root / "data", root / "configs"
    shutil.copytree(built_sample, data_dir)
    shutil.copytree(CONFIGS, configs)
    settings = Settings(data_dir=data_dir, configs_dir=configs, admin_token=ADMIN, reload_interval_s=0.0)
    engine = SearchEngine(
        settings,
        ProfileRegistry.load(configs, settings.default_profile),
        open_build(DataDir(data_dir).require_build()),
        embedder,
        ParserFactory(settings),
    )
    yield engine, configs
    engine.close()


@pytest.fixture(scope="module")
def client(setup):
    engine, _ = setup
    with TestClient(create_app(engine=engine), raise_server_exceptions=False) as c:
        c.app.state.keyring = KeyRing([KeySpec(id="web", sha256=hash_key(WEB), scopes=["search"])], ADMIN)
        yield c


def ids(client, q: str, **params) -> list[str]:
    r = client.get("/search", params={"q": q, "size": 20, **params}, headers={"X-API-Key": WEB})
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


def test_admin_calls_need_an_admin_key(client):
    assert client.get("/admin/rules").status_code == 401
    assert client.get("/admin/rules", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = client.get("/admin/rules", headers={"Authorization": f"Bearer {WEB}"})
    assert r.status_code == 403 and r.json()["detail"][0]["message"].startswith("API key 'web' lacks")
    assert client.post("/admin/reload", headers={"X-API-Key": WEB}).status_code == 403
    assert client.get("/search", params={"q": "手机"}).status_code == 401  # keys configured: public needs one


def test_a_pin_posted_at_run_time_is_first_on_the_next_search(client):
    before = ids(client, "手机")
    target = "S00003"  # a hair dryer: not a phone, not retrieved for 手机
    assert target not in before
    rule = {"id": "pin-dryer", "match": {"contains": "手机"}, "pin": [target], "hide": [before[0]]}
    r = client.post("/admin/rules", json=rule, headers=AUTH)
    assert r.status_code == 201, r.text
    after = ids(client, "手机")
    assert after[0] == target and before[0] not in after
    assert target not in ids(client, "手机", brand="Apple")  # not added from outside the shopper's filters
    r = client.get("/search", params={"q": "小米手机", "explain": True}, headers={"X-API-Key": WEB}).json()
    assert r["items"][0]["id"] == target and r["rules"] == ["pin-dryer"]
    assert r["items"][0]["explain"]["rules"] == [{"rule": "pin-dryer", "action": "pin", "position": 1}]
    assert ids(client, "面霜")[0] != target  # the rule matches only its queries
    listed = client.get("/admin/rules", headers=AUTH).json()["rules"]
    assert [(x["id"], x["source"]) for x in listed] == [("pin-dryer", "admin")]
    assert client.delete("/admin/rules/pin-dryer", headers=AUTH).status_code == 204
    assert ids(client, "手机") == before
    assert client.delete("/admin/rules/pin-dryer", headers=AUTH).status_code == 404


def test_boost_and_bury_by_brand_name_the_rule_in_explain(client):
    def items(**params):
        r = client.get("/search", params={"q": "手机", "size": 20, **params}, headers={"X-API-Key": WEB})
        return r.json()

    base = items()["items"]
    apple = [i["id"] for i in base if "Apple" in (i["brand"] or "")]
    assert apple and base[0]["id"] not in apple
    rule = {"id": "apple-up", "match": {"query": "手机"}, "boost": {"brand": "苹果", "by": 5}}
    assert client.post("/admin/rules", json=rule, headers=AUTH).status_code == 201
    r = items(explain=True)
    assert [i["id"] for i in r["items"][: len(apple)]] == apple and r["rules"] == ["apple-up"]
    assert r["items"][0]["explain"]["rules"] == [{"rule": "apple-up", "action": "boost", "by": 5.0}]
    assert r["items"][0]["explain"]["boosts"]["rule:apple-up"] == 5.0
    bury = {"id": "apple-up", "match": {"query": "手机"}, "bury": {"brand": ["Apple"], "by": 5}}
    assert client.post("/admin/rules", json=bury, headers=AUTH).status_code == 201  # replaces by id
    assert not {i["id"] for i in items()["items"]} & set(apple)
    assert client.delete("/admin/rules/apple-up", headers=AUTH).status_code == 204
    assert items()["items"] == base


def test_bad_rules_are_refused(client):
    r = client.post("/admin/rules", json={"id": "x", "match": {"query": "a"}, "pin": ["NO-SUCH"]}, headers=AUTH)
    assert r.status_code == 422 and r.json()["detail"] == [
        {"field": "pin", "message": "unknown product id(s): NO-SUCH"}
    ]
    r = client.post("/admin/rules", json={"id": "x", "match": {"qery": "a"}, "hide": ["S00001"]}, headers=AUTH)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "match.qery"
    r = client.post("/admin/rules", json={"id": "x", "match": {"query": "a"}}, headers=AUTH)
    assert r.status_code == 422 and "at least one of pin" in r.json()["detail"][0]["message"]
    assert client.get("/admin/rules", headers=AUTH).json()["rules"] == []


def test_a_synonym_added_at_run_time_changes_results_at_once(client):
    before = ids(client, "保护套")
    assert (
        client.post("/admin/synonyms", json={"id": "case", "terms": ["手机壳", "保护套"]}, headers=AUTH).status_code
        == 201
    )
    r = client.get("/search", params={"q": "保护套", "size": 20}, headers={"X-API-Key": WEB}).json()
    after = [i["id"] for i in r["items"]]
    assert r["synonyms"] == ["case"] and after != before
    titles = [i["title"] for i in r["items"]]
    assert any("手机壳" in t and "保护套" not in t for t in titles[:10])  # 手机壳 products now match 保护套
    rewrite = {"id": "xm", "from": ["xiaomi shouji"], "to": "小米手机"}
    assert client.post("/admin/synonyms", json=rewrite, headers=AUTH).status_code == 201
    r = client.get("/search", params={"q": "xiaomi shouji"}, headers={"X-API-Key": WEB}).json()
    assert r["synonyms"] == ["xm"] and r["parsed"]["normalized"].startswith("小米手机")
    assert all("小米" in (i["brand"] or "") for i in r["items"][:3])
    listed = client.get("/admin/synonyms", headers=AUTH).json()["synonyms"]
    assert {x["id"] for x in listed} == {"case", "xm"} and {
        "id": "xm",
        "from": ["xiaomi shouji"],
        "to": "小米手机",
        "source": "admin",
    } in listed
    assert client.delete("/admin/synonyms/case", headers=AUTH).status_code == 204
    assert client.delete("/admin/synonyms/xm", headers=AUTH).status_code == 204
    assert ids(client, "保护套") == before


def test_reload_with_a_typo_keeps_the_old_rules_and_reports_file_line_and_key(client, setup):
    _, configs = setup
    good = "rules:\n  - id: file-pin\n    match: {query: 面霜}\n    pin: [S00003]\n"
    (configs / "rules.yaml").write_text(good, encoding="utf-8")
    try:
        assert client.post("/admin/reload", headers=AUTH).json()["errors"] == []
        assert ids(client, "面霜")[0] == "S00003"
        (configs / "rules.yaml").write_text(good.replace("pin:", "pni:"), encoding="utf-8")
        out = client.post("/admin/reload", headers=AUTH).json()
        (error,) = out["errors"]
        assert error["source"] == "rules" and error["message"].endswith("rules.yaml:4: rules.0.pni: unknown key")
        assert ids(client, "面霜")[0] == "S00003"  # the last good rules stay live
        assert client.get("/admin/config", headers=AUTH).json()["errors"] == [error]
        r = client.delete("/admin/rules/file-pin", headers=AUTH)
        assert r.status_code == 409 and "rules.yaml" in r.json()["detail"][0]["message"]
    finally:
        (configs / "rules.yaml").unlink()
        client.post("/admin/reload", headers=AUTH)
    assert ids(client, "面霜")[0] != "S00003"


def test_an_experiment_splits_traffic_and_names_the_variant(client, setup):
    _, configs = setup
    (configs / "experiments.yaml").write_text(
        "experiments:\n  - id: lex\n    variants:\n"
        "      - {name: control, profile: hybrid, share: 50}\n      - {name: bm25, profile: bm25, share: 50}\n",
        encoding="utf-8",
    )
    try:
        assert client.post("/admin/reload", headers=AUTH).json()["experiments"] == ["lex"]
        seen = {}
        for i in range(40):
            r = client.get("/search", params={"q": "面霜", "user_id": f"u{i}"}, headers={"X-API-Key": WEB}).json()
            assert r["experiment"] == "lex"
            seen[r["variant"]] = r["profile"]
        assert seen == {"control": "hybrid", "bm25": "bm25"}
        r = client.get("/search", params={"q": "面霜", "session_id": "s1"}, headers={"X-API-Key": WEB}).json()
        assert r["experiment"] == "lex" and r["variant"] in seen
        again = client.get("/search", params={"q": "面霜", "session_id": "s1"}, headers={"X-API-Key": WEB}).json()
        assert again["variant"] == r["variant"]
        r = client.get("/search", params={"q": "面霜", "user_id": "u1", "profile": "bm25"}, headers={"X-API-Key": WEB})
        assert r.json()["variant"] is None  # a named profile is outside the experiment
        assert client.get("/search", params={"q": "面霜"}, headers={"X-API-Key": WEB}).json()["variant"] is None
    finally:
        (configs / "experiments.yaml").unlink()
        client.post("/admin/reload", headers=AUTH)


def test_the_audit_log_shows_the_admin_calls(client):
    client.get("/admin/rules")
    client.post("/admin/synonyms", json={"id": "tv", "terms": ["电视", "电视机"]}, headers=AUTH)
    client.delete("/admin/synonyms/tv", headers=AUTH)
    entries = client.get("/admin/audit", params={"limit": 3}, headers=AUTH).json()["entries"]
    assert [(e["actor"], e["action"], e["target"], e["status"]) for e in entries] == [
        ("admin-token", "DELETE", "/admin/synonyms/tv", 200),
        ("admin-token", "POST", "/admin/synonyms", 200),
        ("anonymous", "GET", "/admin/rules", 401),
    ]
    assert '"synonym": "tv"' in entries[1]["detail"] and entries[1]["remote"] == "testclient"
    assert client.get("/admin/audit", params={"limit": 1}, headers=AUTH).json()["entries"][0]["target"] == (
        "/admin/audit?limit=3"
    )
    assert all(ADMIN not in str(e) for e in entries)
