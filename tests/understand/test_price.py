"""Tests for search.understand.price.parse_price."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.understand import price as price_module
from search.understand.price import PriceIntent, parse_price

# (query, price_min, price_max, sort, confidence)
# Confidence: bounds/ranges 1.0, budget 0.8, about (左右) 0.7, single price 0.5, each x0.8 when
# bare (no 元/块/价格/预算 cue); explicit sorts 1.0, soft sorts 0.6; overall = min over phrases.
PRICE_CASES = [
    # upper bounds
    ("100元以下", None, 100, None, 1.0),
    ("100块以下", None, 100, None, 1.0),
    ("100块钱以下", None, 100, None, 1.0),
    ("一百块以内", None, 100, None, 1.0),
    ("100以内", None, 100, None, 0.8),
    ("100以内的", None, 100, None, 0.8),
    ("不超过200", None, 200, None, 0.8),
    ("不超过200元", None, 200, None, 1.0),
    ("不要超过200", None, 200, None, 0.8),
    ("低于150", None, 150, None, 0.8),
    ("少于80块", None, 80, None, 1.0),
    ("最多300块", None, 300, None, 1.0),
    ("200块不到", None, 200, None, 1.0),
    ("1千以内", None, 1000, None, 0.8),
    ("1k以内", None, 1000, None, 0.8),
    ("3k以内的手机", None, 3000, None, 0.8),
    ("两千以下", None, 2000, None, 0.8),
    ("50元内", None, 50, None, 1.0),
    ("百元以内", None, 100, None, 1.0),
    ("千元以下", None, 1000, None, 1.0),
    ("万元以内", None, 10000, None, 1.0),
    ("预算1500以内", None, 1500, None, 1.0),
    ("预算不超过2000", None, 2000, None, 1.0),
    ("预算在1000以内", None, 1000, None, 1.0),
    ("¥100以内", None, 100, None, 1.0),
    ("vivo 2000以内", None, 2000, None, 0.8),
    # lower bounds
    ("200元以上", 200, None, None, 1.0),
    ("500以上", 500, None, None, 0.8),
    ("高于300", 300, None, None, 0.8),
    ("不低于1000", 1000, None, None, 0.8),
    ("至少500", 500, None, None, 0.8),
    ("至少500块", 500, None, None, 1.0),
    ("100元起", 100, None, None, 1.0),
    ("价格最低100元", 100, None, None, 1.0),
    # ranges
    ("200-300元", 200, 300, None, 1.0),
    ("200元-300元", 200, 300, None, 1.0),
    ("200~300", 200, 300, None, 0.8),
    ("200-300", 200, 300, None, 0.8),
    ("200到300块", 200, 300, None, 1.0),
    ("两百到三百", 200, 300, None, 0.8),
    ("200至300元", 200, 300, None, 1.0),
    ("价格100-200", 100, 200, None, 1.0),
    ("价格在200-300之间", 200, 300, None, 1.0),
    ("从200到300", 200, 300, None, 0.8),
    ("99-199", 99, 199, None, 0.8),
    ("2-3k", 2000, 3000, None, 0.8),
    ("3k-5k", 3000, 5000, None, 0.8),
    ("1-2万", 10000, 20000, None, 0.8),
    ("1.5-2万元", 15000, 20000, None, 1.0),
    ("300-200元", 200, 300, None, 1.0),
    # about ±20 %
    ("300元左右", 240, 360, None, 0.7),
    ("300左右", 240, 360, None, 0.56),
    ("300上下", 240, 360, None, 0.56),
    ("千元左右", 800, 1200, None, 0.7),
    ("大约300块", 240, 360, None, 0.7),
    ("预算800左右", 640, 960, None, 0.7),
    ("价格100", 80, 120, None, 0.7),
    # budget without a bound word is a ceiling
    ("预算八百", None, 800, None, 0.8),
    ("预算800", None, 800, None, 0.8),
    ("预算5w", None, 50000, None, 0.8),
    # single prices: ±20 %, low confidence
    ("9.9元", 7.92, 11.88, None, 0.5),
    ("99元包邮", 79.2, 118.8, None, 0.5),
    ("9.9包邮", 7.92, 11.88, None, 0.5),
    ("50块的口红", 40, 60, None, 0.5),
    ("9块9包邮", 7.92, 11.88, None, 0.5),
    ("千元档手机", 800, 1200, None, 0.7),
    ("300元价位的耳机", 240, 360, None, 0.7),
    ("十万以内的车", None, 100000, None, 0.8),
    ("500-1k", 500, 1000, None, 0.8),
    ("iphone 15 5000以内", None, 5000, None, 0.8),
    ("华为p60 3000元以内", None, 3000, None, 1.0),
    # sort only
    ("便宜点", None, None, "price_asc", 0.6),
    ("便宜的", None, None, "price_asc", 0.6),
    ("便宜一点的手机", None, None, "price_asc", 0.6),
    ("性价比高", None, None, "price_asc", 0.6),
    ("高性价比", None, None, "price_asc", 0.6),
    ("价格从高到低", None, None, "price_desc", 1.0),
    ("从贵到便宜", None, None, "price_desc", 1.0),
    ("价格降序", None, None, "price_desc", 1.0),
    ("最贵的", None, None, "price_desc", 1.0),
    ("价格从低到高", None, None, "price_asc", 1.0),
    ("价格升序", None, None, "price_asc", 1.0),
    ("从便宜到贵", None, None, "price_asc", 1.0),
    ("最便宜", None, None, "price_asc", 1.0),
    ("最便宜的耳机", None, None, "price_asc", 1.0),
    ("价格最低的", None, None, "price_asc", 1.0),
    ("销量最高", None, None, "sales", 1.0),
    ("销量优先", None, None, "sales", 1.0),
    ("销量从高到低", None, None, "sales", 1.0),
    ("最畅销", None, None, "sales", 1.0),
    ("卖得最好", None, None, "sales", 1.0),
    ("卖的最好的", None, None, "sales", 1.0),
    ("热销", None, None, "sales", 0.6),
    ("综合排序", None, None, "relevance", 1.0),
    ("按相关度", None, None, "relevance", 1.0),
    # combinations
    ("300元以下的兰芝隔离霜 价格从低到高", None, 300, "price_asc", 1.0),
    ("200以上500以下", 200, 500, None, 0.8),
    ("便宜点的 500以内", None, 500, "price_asc", 0.6),
    ("500块以内 销量优先", None, 500, "sales", 1.0),
    ("手机 2000-3000元 最畅销", 2000, 3000, "sales", 1.0),
]

NOT_PRICES = [
    "",
    "iphone 13",
    "iphone 13以上",
    "iphone 15 pro max",
    "18-55stm",
    "ef-s 18-55mm",
    "佳能 24-70",
    "rtx4060",
    "rtx 3060以上",
    "p70d20tl-d4",
    "mate60 pro",
    "z62",
    "500ml以下",
    "500ml以下的沐浴露",
    "10斤以上",
    "2024新款",
    "32g内存",
    "50寸以上电视",
    "3-6岁",
    "3岁以上",
    "5-10kg",
    "128-256g",
    "36-40码",
    "100片",
    "1米8床",
    "1米8上下铺",
    "1.5匹空调",
    "65w以上充电器",
    "500w以上",
    "18k金",
    "4k电视",
    "100以内加减法",
    "20以内的加减法",
    "1000块拼图",
    "1000块以上的拼图",
    "满300减50",
    "100元券",
    "50元优惠券",
    "千元机",
    "身高170以上",
    "体重100以下",
    "容量500以上",
    "安卓10以上",
    "5以内",
    "百以内",
    "万以上",
    "不超过3个",
    "至少5年质保",
    "5000毫安以上",
    "1000万像素以上",
    "2020-2024",
    "三星手机",
    "九阳豆浆机",
    "百雀羚面霜",
    "不便宜",
    "便宜坊烤鸭",
    "双十一",
    "实惠装洗衣液",
    "1元秒杀",
    "10元3件",
    "满199包邮",
    "100-200ml",
    "第2件半价",
    "100%棉",
    "a4纸 500张",
    "手机壳 iphone 13 pro max 50以内",
]


@pytest.mark.parametrize(("query", "price_min", "price_max", "sort", "confidence"), PRICE_CASES)
def test_price_table(
    query: str, price_min: float | None, price_max: float | None, sort: str | None, confidence: float
) -> None:
    intent = parse_price(query)
    assert intent.price_min == (None if price_min is None else pytest.approx(price_min))
    assert intent.price_max == (None if price_max is None else pytest.approx(price_max))
    assert intent.sort == sort
    assert intent.confidence == pytest.approx(confidence)
    assert intent.spans, "a match must report its span"


def test_at_least_forty_price_and_sort_patterns() -> None:
    assert len(PRICE_CASES) >= 40


@pytest.mark.parametrize("query", NOT_PRICES)
def test_not_prices(query: str) -> None:
    intent = parse_price(query)
    assert intent.price_min is None
    assert intent.price_max is None
    assert intent.sort is None
    assert intent.spans == ()
    assert intent.confidence == 0.0


@pytest.mark.parametrize(
    ("query", "spans"),
    [
        ("300元以下的兰芝隔离霜 价格从低到高", ["300元以下的", "价格从低到高"]),
        ("兰芝隔离霜300元以下", ["300元以下"]),
        ("预算800左右的耳机", ["预算800左右的"]),
        ("价格在200-300之间的口红", ["价格在200-300之间的"]),
        ("99元包邮", ["99元"]),
        ("9.9包邮", ["9.9"]),
        ("面霜 不超过200元", ["不超过200元"]),
        ("从200到300", ["从200到300"]),
        ("vivo 2000以内", ["2000以内"]),
        ("销量从高到低", ["销量从高到低"]),
        ("200以上500以下", ["200以上", "500以下"]),
    ],
)
def test_spans(query: str, spans: list[str]) -> None:
    intent = parse_price(query)
    assert [query[a:b] for a, b in intent.spans] == spans


def test_two_spans_for_combined_query() -> None:
    intent = parse_price("300元以下的兰芝隔离霜 价格从低到高")
    assert intent == PriceIntent(None, 300.0, "price_asc", ((0, 7), (13, 19)), 1.0)


def test_contradiction_later_phrase_wins() -> None:
    intent = parse_price("500以上 200以下")
    assert intent.price_min is None
    assert intent.price_max == 200


def test_more_confident_sort_wins() -> None:
    assert parse_price("便宜点 价格从高到低").sort == "price_desc"
    assert parse_price("价格从低到高 热销").sort == "price_asc"


def test_later_sort_wins_on_tie() -> None:
    assert parse_price("价格从高到低 价格从低到高").sort == "price_asc"


def test_empty_and_non_string() -> None:
    empty = PriceIntent(None, None, None, (), 0.0)
    assert parse_price("") == empty
    assert parse_price(None) == empty  # type: ignore[arg-type]
    assert parse_price(123) == empty  # type: ignore[arg-type]


def test_intent_is_frozen() -> None:
    intent = parse_price("100元以下")
    with pytest.raises(AttributeError):
        intent.price_max = 5  # type: ignore[misc]


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------
PRICE_ALPHABET = (
    "0123456789.-~ kwmlg元块钱以下内上左右不超过低于高至少到价格预算从销量便宜贵的最"
    "零一二两三四五六七八九十百千万包邮之间约大概满减身高岁寸iphone"
)
_price_text = st.one_of(
    st.text(),
    st.text(alphabet=PRICE_ALPHABET, max_size=60),
    st.lists(st.sampled_from([q for q, *_ in PRICE_CASES] + NOT_PRICES + [" ", "的", "-", "a"]), max_size=8).map(
        "".join
    ),
)
_long_text = st.text(alphabet=PRICE_ALPHABET, min_size=1, max_size=30).map(
    lambda s: (s * (10_000 // len(s) + 1))[:10_000]
)


def _check_invariants(text: str, intent: PriceIntent) -> None:
    previous_end = 0
    for start, end in intent.spans:
        assert 0 <= previous_end <= start < end <= len(text)
        previous_end = end
    for value in (intent.price_min, intent.price_max):
        assert value is None or (math.isfinite(value) and value >= 0)
    if intent.price_min is not None and intent.price_max is not None:
        assert intent.price_min <= intent.price_max
    assert 0.0 <= intent.confidence <= 1.0
    assert intent.sort in (None, "relevance", "price_asc", "price_desc", "sales")
    assert bool(intent.spans) == (intent.confidence > 0)


@given(_price_text)
def test_property_invariants(text: str) -> None:
    # The private function has no safety net, so any bug surfaces here as an exception.
    _check_invariants(text, price_module._parse_price(text))
    _check_invariants(text, parse_price(text))


@settings(max_examples=30, deadline=None)
@given(st.one_of(_long_text, st.text(min_size=1, max_size=20).map(lambda s: (s * 10_000)[:10_000])))
def test_property_long_inputs(text: str) -> None:
    _check_invariants(text, price_module._parse_price(text))


def test_ten_thousand_characters_is_fast() -> None:
    text = ("300元以下的兰芝隔离霜 价格从低到高 rtx4060 18-55mm 1-2万 便宜点 " * 300)[:10_000]
    started = time.perf_counter()
    intent = parse_price(text)
    assert time.perf_counter() - started < 1.0
    _check_invariants(text, intent)
