"""The search box features over the sample index: search ids, highlighting, CORS and gzip."""

import re

import pytest


def test_every_search_has_its_own_search_id(client):
    a = client.get("/search", params={"q": "面霜"}).json()
    b = client.get("/search", params={"q": "面霜"}).json()
    browse = client.get("/search").json()
    for body in (a, b, browse):
        assert re.fullmatch(r"[0-9a-f]{32}", body["search_id"])
    assert len({a["search_id"], b["search_id"], browse["search_id"]}) == 3
    post = client.post("/search", json={"q": "面霜"}).json()
    assert re.fullmatch(r"[0-9a-f]{32}", post["search_id"])


def test_highlight_marks_the_brand_in_both_scripts(client):
    body = client.get("/search", params={"q": "兰芝隔离霜", "size": 5, "highlight": True}).json()
    titles = [i["highlight"]["title"] for i in body["items"]]
    assert all("<em>" in t for t in titles)
    laneige = [t for t in titles if "Laneige" in t]
    assert laneige and all("<em>Laneige</em>" in t for t in laneige)
    assert any("<em>兰芝</em>" in t for t in titles)


def test_traditional_query_highlights_simplified_titles(client):
    body = client.get("/search", params={"q": "蘭芝隔離霜", "size": 3, "highlight": True}).json()
    assert any("<em>隔离霜</em>" in i["highlight"]["title"] for i in body["items"])


def test_highlight_is_absent_unless_asked(client):
    body = client.get("/search", params={"q": "面霜", "size": 3}).json()
    assert all("highlight" not in i for i in body["items"])
    post = client.post("/search", json={"q": "面霜", "size": 3, "highlight": True}).json()
    assert all("<em>面霜</em>" in i["highlight"]["title"] for i in post["items"] if "面霜" in i["title"])


def _suggest(client, **params):
    r = client.get("/suggest", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"query", "suggestions"}
    for s in body["suggestions"]:
        assert set(s) == {"text", "kind", "score"} and s["kind"] in ("query", "brand", "category", "product")
    return [s["text"] for s in body["suggestions"]]


@pytest.mark.parametrize("q", ["兰芝", "lanzhi", "LanZhi", "兰zhi", "lz", "ｌａｎｚｈｉ", "lanzhu"])
def test_suggest_characters_pinyin_initials_mixed_and_a_typo(client, q):
    got = _suggest(client, q=q)
    assert any(t.startswith("兰芝") for t in got), got


def test_suggest_size_and_brands(client):
    assert len(_suggest(client, q="m", size=3)) == 3
    assert "Nike" in _suggest(client, q="nik") or "耐克" in _suggest(client, q="naike")


@pytest.mark.parametrize("q", ["", "   ", "😀", "兰芝😀", "\x00\x07", "<script>alert(1)</script>", "%%%"])
def test_suggest_odd_input_is_an_empty_or_normal_list(client, q):
    _suggest(client, q=q)


@pytest.mark.parametrize("params", [{"q": "兰" * 1000}, {"q": "兰芝", "size": 0}, {"q": "兰芝", "size": 1000}])
def test_suggest_bad_input_is_a_422_in_the_error_shape(client, params):
    r = client.get("/suggest", params=params)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list) and all({"field", "message"} <= set(d) for d in detail)


def test_the_query_log_feeds_suggestions_and_finds_only_what_exists(engine, sample_data_dir, tmp_path):
    from search.suggest.querylog import QueryLog
    from search.suggest.service import SuggestService

    service = SuggestService(sample_data_dir, interval_s=0)
    before = [s.text for s in service.get(engine.index).suggest("lzgl", 10)]
    log = QueryLog.open(sample_data_dir)
    log.add("兰芝隔离霜紫色", 40)
    log.add("火箭发射器", 500)
    log.close()
    after = [s.text for s in service.get(engine.index).suggest("lzgl", 10)]
    assert "兰芝隔离霜紫色" in after and "兰芝隔离霜紫色" not in before
    assert "火箭发射器" not in [s.text for s in service.get(engine.index).suggest("huojian", 50)]


@pytest.mark.parametrize("q", ["qwzxv", "火箭发射器", "lorem ipsum dolor", "嗯嗯嗯嗯", "asdfghjkl", "mnbvcxz"])
def test_nothing_matches_gives_zero_results_and_related(client, q):
    from search.api import metrics

    before = metrics.ZERO_RESULTS.labels("hybrid")._value.get()
    body = client.get("/search", params={"q": q, "explain": True}).json()
    assert body["total"] == 0 and body["items"] == [] and body["facets"]["brand"] == []
    assert 0 < len(body["related"]) <= 5 and body["nomatch"]["matched"] is False
    assert metrics.ZERO_RESULTS.labels("hybrid")._value.get() == before + 1


def test_a_partly_matching_query_keeps_the_matching_products(client):
    body = client.get("/search", params={"q": "兰芝 火箭", "size": 5}).json()
    assert body["total"] > 0 and "related" not in body
    assert all("兰芝" in i["title"] or "laneige" in i["title"].lower() or "蘭芝" in i["title"] for i in body["items"])


@pytest.mark.parametrize("q", ["兰芝", "nike", "面霜", "鞋", "洗面乃", "适合油皮的男士洗面奶", "iphone 15"])
def test_catalog_queries_keep_their_results(client, q):
    assert client.get("/search", params={"q": q}).json()["total"] > 0


def test_nomatch_is_off_per_profile(engine):
    from search.engine import SearchRequest

    profile = engine.profiles.get("hybrid")
    off = profile.model_copy(update={"nomatch": profile.nomatch.model_copy(update={"enabled": False})})
    engine.profiles._profiles["hybrid"] = off
    try:
        res = engine.search(SearchRequest(q="qwzxv"))
    finally:
        engine.profiles._profiles["hybrid"] = profile
    assert res.total > 0 and res.nomatch is None


def test_cors_for_the_shops_origins_and_gzip(engine, built_sample, configs_dir):
    from fastapi.testclient import TestClient

    from search.api.app import create_app
    from search.config import Settings

    settings = Settings(
        data_dir=built_sample, configs_dir=configs_dir, cors_origins="https://shop.example, https://m.shop.example"
    )
    with TestClient(create_app(settings, engine=engine)) as c:
        ok = c.get("/search", params={"q": "面霜"}, headers={"Origin": "https://shop.example"})
        assert ok.headers["access-control-allow-origin"] == "https://shop.example"
        other = c.get("/search", params={"q": "面霜"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        pre = c.options(
            "/suggest",
            headers={"Origin": "https://m.shop.example", "Access-Control-Request-Method": "GET"},
        )
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://m.shop.example"
        big = c.get("/search", params={"q": "面霜", "size": 50}, headers={"Accept-Encoding": "gzip"})
        assert big.headers.get("content-encoding") == "gzip" and big.json()["items"]
        small = c.get("/healthz", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in small.headers
