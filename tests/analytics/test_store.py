"""The search-log store and its analytics: the same counts on SQLite and on a real PostgreSQL (congruence)."""

from __future__ import annotations

import json
import time

import pytest

from search.analytics.records import AttributedEvent, SearchRecord
from search.analytics.searchlog import day_of
from search.analytics.store import SearchLogStore
from search.analytics.summary import analytics
from search.db import connect

NOW = time.time()
DAY = 86400.0


def rec(sid: str, query: str, total: int, *, shopper: str | None = "k2", variant: str | None = None,
        source: str | None = None, ts: float = NOW - 2 * DAY, page: int = 1) -> SearchRecord:  # fmt: skip
    shown = min(total, 10)
    return SearchRecord(
        search_id=sid,
        ts=ts,
        day=day_of(ts),
        shopper=shopper,
        query=query,
        norm=query.lower(),
        parsed=json.dumps({"parser": "rules"}),
        profile="hybrid",
        variant=variant,
        source=source,
        page=page,
        first_position=(page - 1) * 10 + 1,
        shown=shown,
        total=total,
        top_ids=json.dumps([f"P{i}" for i in range(shown)]),
        took_ms=5.0,
    )


def ev(sid: str, position: int, event: str = "click", shopper: str | None = "k2") -> AttributedEvent:
    return AttributedEvent(sid, position, f"P{position - 1}", event, shopper, NOW - 2 * DAY + 60)


SEARCHES = [
    rec("s1", "面霜", 30, shopper="k1", variant="A"),
    rec("s2", "面霜", 30, shopper="k1", variant="A"),
    rec("s3", "面霜", 30, shopper="k1", variant="A"),
    rec("s4", "手机壳", 0, variant="A"),
    rec("s5", "跑步鞋", 12, variant="A"),
    rec("s6", "跑步鞋", 12, variant="B", ts=NOW - 1 * DAY),
    rec("s7", "跑步鞋", 12, variant="B", ts=NOW - 1 * DAY),
    rec("s8", "XYZ", 0, variant="B", ts=NOW - 1 * DAY),
    rec("s9", "xyz", 0, variant="B", ts=NOW - 1 * DAY),
    rec("s10", "面霜", 30, variant="B", source="suggest", ts=NOW - 1 * DAY),
    rec("old", "面霜", 30, ts=NOW - 100 * DAY),
]
EVENTS = [
    ev("s1", 1, shopper="k1"),
    ev("s1", 1, shopper="k1"),  # sent twice: still one clicked search
    ev("s1", 1, "purchase", shopper="k1"),
    ev("s2", 3, shopper="k1"),
    ev("s10", 2),
    ev("s10", 2, "cart"),
    ev("unknown-search", 1),  # attributed to a search the log does not have: ignored by the joins
]


@pytest.fixture
def store(database_url):
    s = SearchLogStore(connect(database_url))
    s.write(SEARCHES[:4], [])
    s.write(SEARCHES[4:], EVENTS)
    s.write([SEARCHES[0]], [])  # a search id written twice is stored once
    yield s
    s.close()


def test_analytics_counts(store):
    a = analytics(store, days=30, now=NOW)
    assert a["searches"] == 10
    assert a["zero_result_searches"] == 3
    assert a["ctr"] == 0.3 and a["conversion"] == 0.1 and a["add_to_cart_rate"] == 0.1
    assert a["shoppers"] == 2
    assert [d["searches"] for d in a["per_day"]] == [5, 5]
    assert [d["clicked"] for d in a["per_day"]] == [2, 1]
    top = {q["query"]: q for q in a["top_queries"]}
    assert [q["query"] for q in a["top_queries"]] == ["面霜", "跑步鞋", "xyz", "手机壳"]
    assert top["面霜"]["count"] == 4 and top["面霜"]["ctr"] == 0.75 and top["面霜"]["conversion"] == 0.25
    assert top["xyz"]["zero_result"] == 2
    assert [(z["query"], z["count"]) for z in a["zero_result_queries"]] == [("xyz", 2), ("手机壳", 1)]
    assert [(q["query"], q["count"]) for q in a["no_click_queries"]] == [("跑步鞋", 3)]
    assert a["ctr_by_position"][:4] == [round(1 / 7, 4), round(1 / 7, 4), round(1 / 7, 4), 0.0]
    assert a["positions"][0] == {"position": 1, "shown": 7, "clicks": 1, "ctr": round(1 / 7, 4)}
    assert a["suggestions"]["searches"] == 1 and a["suggestions"]["share"] == 0.1 and a["suggestions"]["ctr"] == 1.0
    variants = {v["variant"]: v for v in a["variants"]}
    assert variants["A"]["searches"] == 5 and variants["A"]["ctr"] == 0.4 and variants["A"]["conversion"] == 0.2
    assert variants["B"]["ctr"] == 0.2 and "ctr_p_vs_first" in variants["B"]
    lo, hi = variants["A"]["ctr_ci"]
    assert lo < 0.4 < hi


def test_window_and_retention(store):
    assert analytics(store, days=1.5, now=NOW)["searches"] == 5
    assert analytics(store, days=365, now=NOW)["searches"] == 11
    assert store.purge(NOW - 30 * DAY) == {"searches": 1, "events": 0}
    assert analytics(store, days=365, now=NOW)["searches"] == 10


def test_forget_removes_the_shoppers_searches_and_their_clicks(store):
    assert store.forget("k1") == 3
    a = analytics(store, days=30, now=NOW)
    assert a["searches"] == 7 and a["conversion"] == 0.0
    assert store.search("s1") is None and store.search("s4")["query"] == "手机壳"
    assert store.counts()["events"] == 3  # s10's click and cart, and the unattributable one


def test_an_empty_embedded_log_reads_as_empty_and_creates_nothing(tmp_path):
    s = SearchLogStore(tmp_path / "searchlog.sqlite")
    a = analytics(s, days=7)
    assert a["searches"] == 0 and a["top_queries"] == [] and a["ctr_by_position"] == [0.0] * 10
    assert s.forget("k") == 0 and s.purge(NOW) == {"searches": 0, "events": 0}
    assert not (tmp_path / "searchlog.sqlite").exists()
