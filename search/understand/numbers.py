"""Parsing of Chinese and mixed Arabic/Chinese numerals as written in shopping queries.

Only the *number* is parsed here: currency words (元, 块), bound words (以下, 以内) and
measure words (斤, 寸) are the caller's job, so ``parse_cn_number('两千块')`` is ``None``.

Supported forms::

    '300' -> 300            '1.5' -> 1.5            '一百' -> 100         '两百' -> 200
    '三千五' -> 3500         '一万二' -> 12000        '一百零五' -> 105      '十五' -> 15
    '1千' -> 1000            '1.5万' -> 15000         '1万2' -> 12000       '3千500' -> 3500
    '3k' / '3K' -> 3000      '5w' / '5W' -> 50000     '百' -> 100           '千万' -> 1e7
    '二零二四' -> 2024 (digit by digit)               '壹仟贰佰' -> 1200 (financial numerals)

Anything else (signs, exponents, thousands separators, '七八百', unit-only Latin 'k',
strings longer than 32 characters) gives ``None``. The function never raises.
"""

from __future__ import annotations

import math
import re

__all__ = ["parse_cn_number"]

_MAX_LEN = 32

_CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "两": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
# Units that multiply the digit in front of them inside one 万-section.
_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000}
# Units that close a section (万, 亿); "w" is the common Latin shorthand for 万.
_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "w": 10_000, "亿": 100_000_000}
# Unit characters that may stand for "one of them" without a digit: '百' -> 100, '十五' -> 15.
_IMPLICIT_ONE = frozenset("十拾百佰千仟万萬亿")

_ARABIC_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_TOKEN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|.", re.DOTALL)


def parse_cn_number(s: str) -> float | None:
    """Parse an Arabic, Chinese or mixed numeral.

    Args:
        s: The numeral, e.g. ``'三千五'``, ``'1.5万'`` or ``'3k'``. Surrounding
            whitespace is ignored.

    Returns:
        The value as a finite, non-negative float, or ``None`` when ``s`` is not
        a numeral (including when it carries a unit such as ``'两千块'``).
    """
    if not isinstance(s, str):
        return None
    s = s.strip()
    if not s or len(s) > _MAX_LEN:
        return None
    if _ARABIC_RE.fullmatch(s):
        return _finite(float(s))
    tokens = _TOKEN_RE.findall(s.lower())
    if all(t in _CN_DIGITS for t in tokens):
        return _finite(float("".join(str(_CN_DIGITS[t]) for t in tokens)))
    return _finite(_parse_positional(tokens))


def _finite(value: float | None) -> float | None:
    """Return ``value`` if it is a finite non-negative number, else ``None``."""
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return value


def _digit_value(token: str) -> tuple[float, bool] | None:
    """Value of a digit token and whether it is a single digit (for '三千五' abbreviations)."""
    if token in _CN_DIGITS:
        return float(_CN_DIGITS[token]), True
    if token[0].isascii() and token[0].isdigit():
        return float(token), len(token) == 1
    return None


def _parse_positional(tokens: list[str]) -> float | None:
    """Evaluate a positional numeral such as ``['三', '千', '五']``.

    Implements the usual reading: small units (十百千) multiply the digit before them
    within a section, big units (万亿) close the section, and a trailing single digit
    right after a unit is read one order lower ('三千五' = 3500, '一万二' = 12000)
    unless a 零 intervened ('一百零五' = 105).
    """
    total = 0.0
    section = 0.0
    pending: float | None = None
    pending_single = False
    zero_seen = False
    last_small = math.inf
    last_big = math.inf
    last_unit: int | None = None
    for index, token in enumerate(tokens):
        if token in ("零", "〇"):
            if pending is not None:
                return None
            zero_seen = True
            continue
        digit = _digit_value(token)
        if digit is not None:
            if pending is not None:
                return None
            pending, pending_single = digit
            continue
        if token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            if unit >= last_small:
                return None
            if pending is None:
                if token not in _IMPLICIT_ONE or section != 0 or zero_seen:
                    return None
                pending = 1.0
            section += pending * unit
            last_small, last_unit = unit, unit
        elif token in _BIG_UNITS:
            unit = _BIG_UNITS[token]
            if unit >= last_big:
                return None
            if pending is not None:
                section += pending
            elif section == 0:
                if index != 0 or token not in _IMPLICIT_ONE or len(tokens) > 1:
                    return None
                section = 1.0
            total += section * unit
            section = 0.0
            last_small, last_big, last_unit = math.inf, unit, unit
        else:
            return None
        pending, zero_seen = None, False
    if pending is not None:
        if pending_single and last_unit is not None and not zero_seen and last_unit >= 10:
            pending *= last_unit // 10
        section += pending
    return total + section
