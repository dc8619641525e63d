"""Merchandising rules as a pure ranking step."""

from __future__ import annotations

from datetime import UTC, datetime

from search.ops.rules import Rule
from search.rank.candidate import Candidate
from search.rank.merchandising import adjust_scores, arrange, pinned_ids, select_rules

NOW = datetime(2026, 12, 3, tzinfo=UTC)


def cand(pid: str, score: float, **payload) -> Candidate:
    return Candidate(pid, {"id": pid, **payload}, {}, relevance=score, final=score)


def rule(**data) -> Rule:
    return Rule.model_validate({"id": "r", "match": {"contains": "手机"}, **data})


def test_select_by_query_containment_intent_and_time():
    exact = rule(id="exact", match={"query": "小米手机"}, hide=["a"])
    contains = rule(id="contains", hide=["a"])
    category = rule(id="cat", match={"category": "手机数码"}, hide=["a"])
    brand = rule(id="brand", match={"brand": "小米"}, hide=["a"])
    later = rule(id="later", hide=["a"], start="2027-01-01T00:00:00Z")
    over = rule(id="over", hide=["a"], end="2026-01-01T00:00:00+08:00")
    off = rule(id="off", hide=["a"], enabled=False)
    rules = [exact, contains, category, brand, later, over, off]
    got = select_rules(rules, NOW, ["小米 手机", "小米手机"], ["手机数码/手机"], ["xiaomi"], {"小米": "xiaomi"}.get)
    assert [r.id for r in got] == ["exact", "contains", "cat", "brand"]
    got = select_rules(rules, NOW, ["ＸＩＡＯＭＩ 手机"], ["手机数码2"], [], lambda _: None)
    assert [r.id for r in got] == ["contains"]


def test_boost_and_bury_by_filter():
    cs = [
        cand("a", 0.9, brand_keys=["apple"], category_path=["数码", "数码/手机"], price=5000.0),
        cand("b", 0.8, brand_keys=["xiaomi"], category_path=["数码"], price=2000.0, attr_keys=["颜色=白色"]),
        cand("c", 0.7, brand_keys=[], category_path=["数码", "数码/配件"], price=None),
    ]
    r = rule(
        boost=[{"brand": "小米", "by": 0.5}, {"attributes": {"颜色": "白色"}, "by": 0.1}],
        bury={"category": "数码/配件", "by": 1},
    )
    notes = adjust_scores(cs, [r], {"小米": "xiaomi"}.get)
    assert [round(c.final, 3) for c in cs] == [0.9, 1.4, -0.3]
    assert cs[1].boosts == {"rule:r": 0.6}
    assert notes["b"] == [{"rule": "r", "action": "boost", "by": 0.5}, {"rule": "r", "action": "boost", "by": 0.1}]
    assert notes["c"] == [{"rule": "r", "action": "bury", "by": -1.0}]
    price = rule(id="p", boost={"price_max": 3000, "by": 1})
    cs2 = [cand("a", 0, price=5000.0), cand("b", 0, price=3000.0), cand("c", 0, price=None)]
    adjust_scores(cs2, [price], lambda _: None)
    assert [c.final for c in cs2] == [0, 1, 0]


def test_hide_and_pin_at_positions():
    ordered = [cand(x, 1 - i / 10) for i, x in enumerate("abcdef")]
    first = rule(id="first", pin={"e": 1, "zz": 3, "new": 2}, hide=["a"])
    second = rule(id="second", pin={"e": 4, "b": 1, "f": 5}, hide=["c"])
    assert pinned_ids([first, second]) == ["e", "zz", "new", "b", "f"]
    out, notes = arrange(ordered, [first, second], {"new": {"id": "new", "title": "N"}})
    # the first rule to pin a product or claim a position wins (e stays at 1, b is not pinned);
    # "new" comes from its payload; "zz" is not in the catalog; a and c are hidden
    assert [c.id for c in out] == ["e", "new", "b", "d", "f"]
    assert notes["e"] == [{"rule": "first", "action": "pin", "position": 1}]
    assert notes["new"] == [{"rule": "first", "action": "pin", "position": 2}]
    assert notes["f"] == [{"rule": "second", "action": "pin", "position": 5}]
    assert notes["a"] == [{"rule": "first", "action": "hide"}] and notes["c"] == [{"rule": "second", "action": "hide"}]
    assert "b" not in notes


def test_pins_beyond_the_list_go_last_and_nothing_changes_without_rules():
    ordered = [cand("a", 1), cand("b", 0.5)]
    out, _ = arrange(ordered, [rule(pin={"b": 9})], {})
    assert [c.id for c in out] == ["a", "b"]
    assert arrange(ordered, [], {}) == (ordered, {})
