"""Personalization over HTTP: events, exact anonymity without history, online affinities,
recommendations, similar products and forgetting — on the sample index with the sample behaviour."""

from __future__ import annotations

import json
import shutil

import pytest
from fastapi.testclient import TestClient

from search.api.app import create_app
from search.engine import SearchEngine
from search.index import open_build
from search.ops.store import OpsStore
from search.personal.service import Personalization
from search.profiles import ProfileRegistry
from search.store.layout import DataDir
from search.understand.factory import ParserFactory
from tests.conftest import SAMPLE
from tests.personal.helpers import ADMIN, personal_settings, prepare

AS_ADMIN = {"Authorization": f"Bearer {ADMIN}"}
QUERIES = ["面霜", "跑步鞋", "洗面奶", "手机", "机油", ""]


@pytest.fixture(scope="module")
def p_engine(built_sample, embedder, tmp_path_factory):
    """An engine like ``build_engine`` makes (the session's embedder reused), over events and a CF model."""
    data_dir = tmp_path_factory.mktemp("personal-api") / "data"
    shutil.copytree(built_sample, data_dir)
    prepare(data_dir)
    settings = personal_settings(data_dir)
    engine = SearchEngine(
        settings,
        ProfileRegistry.load(settings.configs_dir, settings.default_profile),
        open_build(DataDir(data_dir).require_build()),
        embedder,
        ParserFactory(settings),
        Personalization.open(settings),
    )
    engine.warm_up()
    yield engine
    engine.close()
    engine.personalizer.close()


@pytest.fixture(scope="module")
def pc(p_engine):
    with TestClient(create_app(engine=p_engine), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def sessions():
    with open(SAMPLE / "sessions.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _search(client, q, user=None, **params):
    params = {"q": q, "size": 20, "explain": "true", **params}
    if user is not None:
        params["user_id"] = user
    r = client.get("/search", params=params, headers=AS_ADMIN)  # personalization details are the admin's
    assert r.status_code == 200, r.text
    return [(i["id"], i["score"], i["explain"]["personalization"]) for i in r.json()["items"]]


def _event(user, pid, event="click", **kw):
    return {"user_id": user, "product_id": pid, "event": event, **kw}


def test_build_engine_wires_personalization(engine):
    assert isinstance(engine.personalizer, Personalization)  # the shared fixture comes from build_engine


# ---------------------------------------------------------------------------- anonymity


@pytest.mark.parametrize("q", QUERIES)
def test_shoppers_without_history_get_exactly_the_anonymous_ranking(pc, q):
    anonymous = _search(pc, q)
    assert anonymous
    for user in ("never-seen-shopper", "u0010", "u0020"):  # unknown, and known to the shop with zero events
        assert _search(pc, q, user) == anonymous  # same ids, same order, same scores, no personal terms
    assert all(terms == {} for _, _, terms in anonymous)


def test_events_on_unknown_products_only_give_no_personalization(pc):
    r = pc.post("/events", json={"events": [_event("ghost-shopper", "NO-SUCH-PRODUCT", "purchase")]})
    assert r.status_code == 200 and r.json()["unknown_products"] == 1
    assert _search(pc, "面霜", "ghost-shopper") == _search(pc, "面霜")


def test_shoppers_with_history_get_personal_terms(pc, sessions):
    with_history = [s for s in sessions if s["history_events"] > 0][:10]
    changed = 0
    for s in with_history:
        anon = _search(pc, s["query"])
        pers = _search(pc, s["query"], s["user_id"])
        assert any(terms for _, _, terms in pers)
        assert {k for _, _, t in pers for k in t} <= {"cf", "affinity", "popularity"}
        changed += [i for i, _, _ in anon] != [i for i, _, _ in pers]
    assert changed >= 5


def test_personalization_finds_the_favourite_brand(pc, sessions):
    """On the sample sessions, personalized nDCG@10 clearly beats the anonymous one."""
    from search.evaluate import ndcg

    chosen = [s for s in sessions if s["history_events"] > 0][::4]
    anon, pers = [], []
    for s in chosen:
        rel = {r: 1.0 for r in s["relevant"]}
        anon.append(ndcg([i for i, _, _ in _search(pc, s["query"])], rel))
        pers.append(ndcg([i for i, _, _ in _search(pc, s["query"], s["user_id"])], rel))
    assert sum(pers) / len(pers) > 1.5 * sum(anon) / len(anon)


# ---------------------------------------------------------------------------- events


def test_post_one_event_and_a_batch(pc):
    r = pc.post("/events", json=_event("shopper-a", "S00001", ts=1790871465))
    assert r.status_code == 200
    assert r.json() == {"accepted": 1, "stored": 1, "duplicates": 0, "unknown_products": 0}
    batch = [_event("shopper-a", "S00001", ts=1790871465), _event("shopper-b", "S00002", "view", query="面霜")]
    r = pc.post("/events", json={"events": batch})
    assert r.json() == {"accepted": 2, "stored": 1, "duplicates": 1, "unknown_products": 0}
    metrics = pc.get("/metrics").text
    assert 'search_events_total{event="click",outcome="stored"}' in metrics


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "x", "product_id": "S00001", "event": "like"}, "event"),
        ({"user_id": "x", "event": "view"}, "product_id"),
        ({"user_id": "x", "product_id": "S00001", "event": "view", "ts": 1790871465000}, "ts"),
        ({"events": []}, "events"),
        ({"events": [{"user_id": "x", "product_id": "S00001", "event": "view"}, {"user_id": "x"}]}, "events.1"),
        ({"events": [_event("x", "S00001")] * 1001}, "events"),
        ([1, 2], ""),
        ("just text", ""),
    ],
)
def test_malformed_events_are_422_with_a_message_and_nothing_is_stored(pc, p_engine, body, field):
    before = p_engine.personalizer.store.counts()["events"]
    r = pc.post("/events", json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail and all(d["message"] for d in detail)
    assert any(field in (d["field"] or "") for d in detail)
    assert p_engine.personalizer.store.counts()["events"] == before


def test_last_clicks_count_in_the_next_search(pc):
    """A new shopper clicks a brand's products: the very next search moves that brand up (no retraining)."""
    anonymous = pc.get("/search", params={"q": "洗面奶", "size": 30}).json()["items"]
    first_rank: dict[str, int] = {}
    for rank, item in enumerate(anonymous):
        if item.get("brand"):
            first_rank.setdefault(item["brand"], rank)
    target = max((b for b, r in first_rank.items() if r >= 3), key=lambda b: first_rank[b])  # a brand ranked low
    clicked = [i["id"] for i in anonymous if i.get("brand") == target][:2]
    events = [_event("fresh-shopper", pid, e) for pid in clicked for e in ("view", "click", "cart")]
    assert pc.post("/events", json={"events": events}).status_code == 200
    params = {"q": "洗面奶", "size": 30, "user_id": "fresh-shopper", "explain": "true"}
    after = pc.get("/search", params=params, headers=AS_ADMIN)
    items = after.json()["items"]
    new_rank = next(r for r, i in enumerate(items) if i.get("brand") == target)
    assert new_rank < first_rank[target]
    boosted = items[new_rank]["explain"]["personalization"]
    assert boosted["affinity"] > 0
    assert "cf" not in boosted  # not in the model yet: affinity only


# ---------------------------------------------------------------------------- recommendations


def test_recommend_for_a_shopper(pc, p_engine):
    r = pc.get("/recommend", params={"user_id": "u0001", "size": 20}, headers=AS_ADMIN)
    assert r.status_code == 200
    body = r.json()
    assert body["source"] == "personal" and len(body["items"]) == 20
    personal = p_engine.personalizer
    touched = personal.store.touched(personal.pseudonymize("u0001"))
    bought = {pid for pid, events in touched.items() if "purchase" in events}
    assert bought and not bought & {i["id"] for i in body["items"]}
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_recommend_without_history_is_popular(pc):
    a = pc.get("/recommend", params={"user_id": "nobody-at-all", "size": 5}, headers=AS_ADMIN).json()
    b = pc.get("/recommend", params={"user_id": "u0010", "size": 5}, headers=AS_ADMIN).json()
    assert a["source"] == b["source"] == "popular" and a["items"] == b["items"] and len(a["items"]) == 5


@pytest.mark.parametrize(
    "params", [{}, {"user_id": ""}, {"user_id": "u0001", "size": 101}, {"user_id": "u0001", "size": 0}]
)
def test_recommend_bad_input(pc, params):
    r = pc.get("/recommend", params=params)
    assert r.status_code == 422 and r.json()["detail"]


def test_similar_products(pc, p_engine):
    model = p_engine.personalizer.model()
    pid = max(model.item_ids, key=lambda p: len(model.neighbours(p)))
    r = pc.get(f"/products/{pid}/similar", params={"size": 10})
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 10 and pid not in {i["id"] for i in items}
    neighbours = {p for p, _ in model.neighbours(pid)}
    assert neighbours & {i["id"] for i in items}  # behaviour counts


def test_similar_for_a_product_without_behaviour_uses_embeddings(pc, p_engine):
    model = p_engine.personalizer.model()
    cold = next(f"S{n:05d}" for n in range(1, 800) if f"S{n:05d}" not in model.item_index)
    assert pc.get(f"/products/{cold}").status_code == 200
    items = pc.get(f"/products/{cold}/similar", params={"size": 5}).json()["items"]
    assert len(items) == 5 and cold not in {i["id"] for i in items}


def test_similar_bad_input(pc):
    assert pc.get("/products/NO-SUCH/similar").status_code == 404
    assert "NO-SUCH" in pc.get("/products/NO-SUCH/similar").json()["detail"][0]["message"]
    assert pc.get("/products/S00001/similar", params={"size": 101}).status_code == 422


# ---------------------------------------------------------------------------- forgetting


def test_delete_user_needs_the_admin_token(pc):
    assert pc.delete("/users/u0002").status_code == 401
    assert pc.delete("/users/u0002", headers={"Authorization": "Basic abc"}).status_code == 401
    assert pc.delete("/users/u0002", headers={"Authorization": "Bearer wrong"}).status_code == 401  # unknown key


def test_admin_api_is_off_without_a_token(engine, tmp_path):
    with TestClient(create_app(engine=engine), raise_server_exceptions=False) as c:
        c.app.state.ops_store = OpsStore.in_data_dir(tmp_path)  # the audit entry: not into the shared index
        assert c.delete("/users/u1", headers={"Authorization": "Bearer anything"}).status_code == 401
    assert [e.status for e in OpsStore.in_data_dir(tmp_path).audit_log()] == [401]


def test_forgotten_shopper_gets_the_anonymous_ranking_at_once(pc, p_engine, sessions):
    s = next(s for s in sessions if s["user_id"] == "u0003")
    assert _search(pc, s["query"], "u0003") != _search(pc, s["query"])
    auth = {"Authorization": f"Bearer {ADMIN}"}
    r = pc.delete("/users/u0003", headers=auth)
    assert r.status_code == 204 and r.content == b""
    assert _search(pc, s["query"], "u0003") == _search(pc, s["query"])
    assert pc.get("/recommend", params={"user_id": "u0003"}, headers=AS_ADMIN).json()["source"] == "popular"
    personal = p_engine.personalizer
    key = personal.pseudonymize("u0003")
    assert personal.store.profile(key) is None and personal.store.touched(key) == {}
    assert personal.model().user_vector(key) is None
    # the factors on disk are zeroed too
    from search.personal.model import load_model

    assert load_model(personal.models.versions.current_dir()).user_vector(key) is None
    assert pc.delete("/users/u0003", headers=auth).status_code == 204  # idempotent
    assert pc.delete("/users/never-existed", headers=auth).status_code == 204
    # coming back later starts a fresh profile; the old CF row is not revived
    pc.post("/events", json=_event("u0003", "S00001", "view"))
    pers = _search(pc, s["query"], "u0003")
    assert all("cf" not in t for _, _, t in pers)


def test_browsing_is_personalized_for_a_known_shopper_and_pages_stay_disjoint(pc, sessions):
    user = next(s["user_id"] for s in sessions if s["history_events"] > 20)
    anon = _search(pc, "", size=10)
    pers = [_search(pc, "", user, size=10, page=p) for p in (1, 2, 3)]
    assert any(terms for _, _, terms in pers[0])
    assert [i for i, _, _ in pers[0]] != [i for i, _, _ in anon]
    ids = [i for page in pers for i, _, _ in page]
    assert len(ids) == len(set(ids)) == 30
    # beyond the personalized pool the plain popularity order continues
    deep = pc.get("/search", params={"q": "", "user_id": user, "size": 10, "page": 30}).json()
    assert deep["items"] and all("personalization" not in i for i in deep["items"])
