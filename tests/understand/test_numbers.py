"""Tests for search.understand.numbers.parse_cn_number."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.understand.numbers import parse_cn_number

VALID = [
    ("300", 300),
    ("1.5", 1.5),
    ("9.9", 9.9),
    ("0", 0),
    ("一百", 100),
    ("两百", 200),
    ("八百", 800),
    ("三千五", 3500),
    ("两百五", 250),
    ("一万二", 12000),
    ("一万二千五", 12500),
    ("二十", 20),
    ("十五", 15),
    ("十", 10),
    ("二十五", 25),
    ("一百零五", 105),
    ("一千零五十", 1050),
    ("一万零五", 10005),
    ("三千五百万", 35_000_000),
    ("百", 100),
    ("千", 1000),
    ("万", 10000),
    ("千万", 10_000_000),
    ("百万", 1_000_000),
    ("两", 2),
    ("零", 0),
    ("五", 5),
    ("二零二四", 2024),
    ("壹仟贰佰", 1200),
    ("1千", 1000),
    ("1.5万", 15000),
    ("1万2", 12000),
    ("3千5", 3500),
    ("3千500", 3500),
    ("1万2000", 12000),
    ("3k", 3000),
    ("3K", 3000),
    ("1.5k", 1500),
    ("5w", 50000),
    ("5W", 50000),
    ("1.5w", 15000),
    (" 300 ", 300),
]

INVALID = [
    "",
    "   ",
    "两千块",
    "300元",
    "七八百",
    "k",
    "w",
    "万一",
    "十十",
    "百千",
    "-1",
    "+5",
    "1e5",
    "1,000",
    "1.",
    ".5",
    "abc",
    "iphone",
    "3kg",
    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三",  # longer than 32
    "1" * 40,
    "nan",
    "inf",
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid_numbers(text: str, expected: float) -> None:
    assert parse_cn_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_numbers(text: str) -> None:
    assert parse_cn_number(text) is None


def test_non_string_input() -> None:
    assert parse_cn_number(None) is None  # type: ignore[arg-type]
    assert parse_cn_number(300) is None  # type: ignore[arg-type]


@given(st.text())
def test_never_raises_and_result_is_finite(text: str) -> None:
    value = parse_cn_number(text)
    assert value is None or (math.isfinite(value) and value >= 0)


@given(st.text(alphabet="0123456789.零〇一二两三四五六七八九十百千万亿kwKW壹拾佰仟萬 元", max_size=40))
def test_never_raises_on_numeral_alphabet(text: str) -> None:
    value = parse_cn_number(text)
    assert value is None or (math.isfinite(value) and value >= 0)


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_integers_round_trip(n: int) -> None:
    assert parse_cn_number(str(n)) == n


@settings(max_examples=25)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (10_000 // len(s) + 1))[:10_000]))
def test_long_strings(text: str) -> None:
    assert parse_cn_number(text) is None
