"""The search log over HTTP on the sample index: a scripted session of searches and clicks, then
``GET /admin/analytics``; attribution by ``search_id``/``position``; forgetting; keys; the events flood guard."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from fastapi.testclient import TestClient

from search.api.app import create_app
from search.api.auth import hash_key
from search.engine import SearchEngine
from search.index import open_build
from search.personal.service import Personalization
from search.profiles import ProfileRegistry
from search.store.layout import DataDir
from search.understand.factory import ParserFactory
from tests.personal.helpers import ADMIN, personal_settings

WEB = "web-key-for-the-page"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}
#: query -> clicked positions per search (None: searched, nothing clicked)
SCRIPT = [
    ("面霜", [1]),
    ("面霜", [2]),
    ("面霜", None),
    ("跑步鞋", [1, 3]),
    ("跑步鞋", None),
    ("洗面奶", None),
    ("洗面奶", None),
    ("洗面奶", None),
]


@pytest.fixture(scope="module")
def a_engine(built_sample, embedder, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("analytics-api") / "data"
    # the shared sample index may already hold other tests' search log: start from an empty one
    shutil.copytree(built_sample, data_dir, ignore=shutil.ignore_patterns("searchlog.sqlite*"))
    settings = personal_settings(data_dir, api_keys=f"web:search:{hash_key(WEB)}", events_max_inflight=1)
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


@pytest.fixture(scope="module")
def ac(a_engine):
    with TestClient(create_app(engine=a_engine), raise_server_exceptions=False) as c:
        yield c


def _search(client, q: str, user: str = "shopper-1", **params):
    r = client.get("/search", params={"q": q, "user_id": user, **params}, headers={"X-API-Key": WEB})
    assert r.status_code == 200, r.text
    return r.json()


def _click(client, body: dict, user: str, position: int, event: str = "click"):
    item = body["items"][position - 1]
    event_body = {"user_id": user, "product_id": item["id"], "event": event}
    event_body |= {"search_id": body["search_id"], "position": position}
    r = client.post("/events", json=event_body, headers={"X-API-Key": WEB})
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def session(ac):
    """The scripted session: searches, clicks (one purchase), a suggestion, a zero-result search."""
    ids = []
    for q, clicks in SCRIPT:
        body = _search(ac, q)
        ids.append(body["search_id"])
        for position in clicks or []:
            _click(ac, body, "shopper-1", position)
    bought = _search(ac, "手机", user="shopper-2", source="suggest")
    _click(ac, bought, "shopper-2", 1, "purchase")
    nothing = _search(ac, "zzqxv", user="shopper-2", category="no/such/category")
    assert nothing["total"] == 0
    return ids


def test_every_search_returns_a_distinct_search_id(ac, session):
    assert len(set(session)) == len(session) and all(len(s) == 32 for s in session)


def test_analytics_after_a_scripted_session(ac, session):
    r = ac.get("/admin/analytics", headers=ADMIN_HEADERS)
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["searches"] == len(SCRIPT) + 2
    top = {q["query"]: q for q in a["top_queries"]}
    assert top["面霜"]["count"] == 3 and top["面霜"]["ctr"] == round(2 / 3, 4)
    assert top["洗面奶"]["ctr"] == 0.0 and top["手机"]["conversion"] == 1.0
    assert [q["query"] for q in a["no_click_queries"]] == ["洗面奶"]
    assert a["zero_result_queries"] == [{"query": "zzqxv", "count": 1, "example": "zzqxv"}]
    assert a["ctr_by_position"][0] == round(2 / (len(SCRIPT) + 1), 4)  # clicks at 1: 面霜 and 跑步鞋
    assert a["ctr_by_position"][1] > 0 and a["ctr_by_position"][2] > 0
    assert a["suggestions"]["searches"] == 1 and a["suggestions"]["conversion"] == 1.0
    assert a["variants"][0]["profile"] == "hybrid" and a["variants"][0]["searches"] == len(SCRIPT) + 2
    assert ac.get("/admin/analytics", params={"days": 0}, headers=ADMIN_HEADERS).status_code == 422


def test_admin_analytics_needs_an_admin_key(ac):
    assert ac.get("/admin/analytics").status_code == 401
    assert ac.get("/admin/analytics", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert ac.get("/admin/analytics", headers={"Authorization": f"Bearer {WEB}"}).status_code == 403


def test_events_reject_a_bad_search_id_or_position(ac):
    bad = {"user_id": "u", "product_id": "P1", "event": "click", "search_id": "x y", "position": 0}
    r = ac.post("/events", json=bad, headers={"X-API-Key": WEB})
    assert r.status_code == 422
    assert {p["field"].split(".")[-1] for p in r.json()["detail"]} >= {"search_id", "position"}
    assert ac.get("/search", params={"q": "x", "source": "Not Valid"}, headers={"X-API-Key": WEB}).status_code == 422


def test_forgetting_a_shopper_removes_their_searches(ac, a_engine, session):
    log = ac.app.state.search_log
    body = _search(ac, "面霜", user="leaver")
    _click(ac, body, "leaver", 1)
    log.flush()
    assert log.store.search(body["search_id"]) is not None
    assert ac.delete("/users/leaver", headers=ADMIN_HEADERS).status_code == 204
    assert log.store.search(body["search_id"]) is None
    assert log.store.search(session[0]) is not None  # other shoppers' searches stay


def test_a_flood_of_events_is_refused_beyond_the_writers_not_queued_onto_search(ac, a_engine):
    """With one writer slot and a stuck write, further event requests get 429 quickly; search still answers."""
    personal = a_engine.personalizer
    release = threading.Event()
    original = personal.record

    def slow_record(*args, **kwargs):
        release.wait(5)
        return original(*args, **kwargs)

    personal.record = slow_record
    try:
        event = {"user_id": "flood", "product_id": "S00001", "event": "view"}
        first = threading.Thread(target=lambda: ac.post("/events", json=event, headers={"X-API-Key": WEB}))
        first.start()
        time.sleep(0.2)
        t0 = time.perf_counter()
        r = ac.post("/events", json=event, headers={"X-API-Key": WEB})
        assert r.status_code == 429 and r.headers["retry-after"] == "1"
        assert time.perf_counter() - t0 < 3
        assert _search(ac, "面霜")["total"] > 0
    finally:
        release.set()
        first.join()
        personal.record = original
