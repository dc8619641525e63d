"""Tests for search.understand.exclusions.extract_exclusions."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.understand import exclusions as exclusions_module
from search.understand.exclusions import Exclusion, extract_exclusions

# (query, [(phrase, text covered by the span)])
CASES = [
    ("面霜 不要日本产的", [("日本产", "不要日本产的")]),
    ("不要日本产的面霜", [("日本产", "不要日本产的")]),
    ("除了华为的手机", [("华为", "除了华为的")]),
    ("除了华为以外的手机", [("华为", "除了华为以外的")]),
    ("除了华为都行", [("华为", "除了华为都行")]),
    ("除了华为还有什么手机", [("华为", "除了华为")]),
    ("不含酒精的爽肤水", [("酒精", "不含酒精的")]),
    ("洗发水 不要含硅油的", [("硅油", "不要含硅油的")]),
    ("不要带帽子的外套", [("帽子", "不要带帽子的")]),
    ("不要带鱼", [("带鱼", "不要带鱼")]),
    ("不带盖的杯子", [("盖", "不带盖的")]),
    ("不是二手的", [("二手", "不是二手的")]),
    ("排除苹果", [("苹果", "排除苹果")]),
    ("面霜 非日本产", [("日本产", "非日本产")]),
    ("非韩国产 面膜", [("韩国产", "非韩国产")]),
    ("别要粉色的", [("粉色", "别要粉色的")]),
    ("不想要国产的", [("国产", "不想要国产的")]),
    ("不要 红色", [("红色", "不要 红色")]),
    ("不要日本产了", [("日本产", "不要日本产了")]),
    ("不锈钢锅 不要涂层的", [("涂层", "不要涂层的")]),
    ("卫衣 不要连帽的 不要黑色", [("连帽", "不要连帽的"), ("黑色", "不要黑色")]),
    ("不要日本产不要韩国产", [("日本产", "不要日本产"), ("韩国产", "不要韩国产")]),
    ("不要日本、韩国产的", [("日本", "不要日本"), ("韩国产", "、韩国产的")]),
    ("不要日本/韩国", [("日本", "不要日本"), ("韩国", "/韩国")]),
    ("不要日本或者韩国的", [("日本", "不要日本"), ("韩国", "或者韩国的")]),
    ("不要新疆和田玉", [("新疆和田玉", "不要新疆和田玉")]),
    ("除了成都", [("成都", "除了成都")]),
    ("手机 不要apple的", [("apple", "不要apple的")]),
]

NOT_EXCLUSIONS = [
    "",
    "非转基因大豆油",
    "非油炸薯片",
    "非浓缩还原橙汁",
    "非常好用的面霜",
    "非处方药",
    "并非",
    "是非",
    "除非",
    "不锈钢保温杯",
    "不粘锅",
    "不倒翁",
    "不干胶贴纸",
    "无糖酸奶",
    "要不要买",
    "是不是正品",
    "含不含酒精",
    "需不需要",
    "不要太甜",
    "不是很贵",
    "不要超过200",
    "不要贵的",
    "除了面霜还要眼霜",
    "特别好看",
    "别克配件",
    "区别",
    "不要",
    "不要的",
    "不要 ",
    "非",
    "不要" + "很长" * 20,
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_exclusion_table(query: str, expected: list[tuple[str, str]]) -> None:
    found = extract_exclusions(query)
    assert [(e.phrase, query[e.span[0] : e.span[1]]) for e in found] == expected


@pytest.mark.parametrize("query", NOT_EXCLUSIONS)
def test_not_exclusions(query: str) -> None:
    assert extract_exclusions(query) == []


def test_spans_are_positions_in_the_input() -> None:
    assert extract_exclusions("面霜 不要日本产的") == [Exclusion("日本产", (3, 9))]


def test_non_string_input() -> None:
    assert extract_exclusions(None) == []  # type: ignore[arg-type]
    assert extract_exclusions(42) == []  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------
EXCLUSION_ALPHABET = "不要含带是除了非排别外以之的、/或者还也日本产华为 手机转基因锈钢很太a1"
_text = st.one_of(
    st.text(),
    st.text(alphabet=EXCLUSION_ALPHABET, max_size=60),
    st.lists(st.sampled_from([q for q, _ in CASES] + NOT_EXCLUSIONS + [" ", "、", "的"]), max_size=8).map("".join),
)


def _check_invariants(text: str, found: list[Exclusion]) -> None:
    previous_end = 0
    for exclusion in found:
        start, end = exclusion.span
        assert 0 <= previous_end <= start < end <= len(text)
        previous_end = end
        assert exclusion.phrase
        assert exclusion.phrase in text[start:end]


@given(_text)
def test_property_invariants(text: str) -> None:
    # The private function has no safety net, so any bug surfaces here as an exception.
    _check_invariants(text, exclusions_module._extract(text))
    _check_invariants(text, extract_exclusions(text))


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=EXCLUSION_ALPHABET, min_size=1, max_size=30).map(lambda s: (s * 10_000)[:10_000]))
def test_property_long_inputs(text: str) -> None:
    _check_invariants(text, exclusions_module._extract(text))


@pytest.mark.parametrize("text", ["不要" * 5000, "不要日本、" * 2000, "非" * 10_000, "日本" * 5000])
def test_ten_thousand_characters_is_fast(text: str) -> None:
    started = time.perf_counter()
    found = extract_exclusions(text)
    assert time.perf_counter() - started < 1.0
    _check_invariants(text, found)
