"""The search box features over the sample index: search ids, highlighting, CORS and gzip."""

import re


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
