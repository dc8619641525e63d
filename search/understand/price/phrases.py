"""Price expressions in a query: single numbers with their currency and bound words, and ranges.

Part of :mod:`search.understand.price`; the rules (what is and is not read as a price, and the
confidence of each kind of phrase) are in its docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.understand.cues import CURRENCY_RE, NUMBER_RE, UNIT_AFTER_RE, UNIT_UNITS
from search.understand.numbers import parse_cn_number
from search.understand.price.resolve import Candidate

__all__ = ["price_candidates"]

_CONF_BOUND = 1.0
_CONF_BUDGET = 0.8
_CONF_APPROX = 0.7
_CONF_SINGLE = 0.5
_BARE_FACTOR = 0.8

_APPROX_LOW = 0.8
_APPROX_HIGH = 1.2
_MIN_BARE_VALUE = 10.0
_MAX_PRICE = 1e10
_LEFT_WINDOW = 16

_PURE_UNIT_RE = re.compile(f"[{UNIT_UNITS}]")
_RANGE_MULT_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九])([kKwW千万百])")

_MAX_WORDS = (
    "不要超过|别超过|不能超过|不可超过|不要高于|不要多于|不超过|不超|不高于|不大于|不多于"
    "|低于|少于|小于|不到|最多|最高|至多|顶多"
)
_MIN_WORDS = "不要低于|别低于|不能低于|不要少于|不低于|不少于|不小于|高于|多于|大于|超过|至少|最少|最低|起码"
_APPROX_WORDS = "大概|大约|大致|差不多|约"
_PREFIX_WORDS = rf"(?:{_MAX_WORDS}|{_MIN_WORDS}|{_APPROX_WORDS})"
_CUES = "价格区间|价格范围|价格|价位|价钱|售价|单价|预算|报价|标价|到手价|人民币|rmb|¥|￥"

# Text right before a number: [price cue] [在/是/为/:] [bound word] [在].
_LEFT_RE = re.compile(
    rf"(?P<cue>{_CUES})? ?(?:控制在|在|是|为|:)? ?"
    rf"(?:(?P<max>{_MAX_WORDS})|(?P<min>{_MIN_WORDS})|(?P<approx>{_APPROX_WORDS})|(?P<from>从))?"
    r" ?(?:在)? ?$"
)
# Words after which a number is a measurement, a rank or a promotion, never a price filter.
_BLOCK_RE = re.compile(
    r"(?:身高|体重|腰围|胸围|臀围|年龄|尺寸|尺码|码数|鞋码|容量|功率|电压|电流|像素|内存|存储|运存|硬盘"
    r"|屏幕|分辨率|刷新率|转速|重量|含量|长度|宽度|高度|厚度|面积|直径|口径|电池|续航|排量|度数|近视|散光"
    r"|安卓|版本|系统|型号|编号|序号|温度|瓦数|流量|速度|马力|匹数|年份|人数|等级|排名"
    r"|第|前|满|减|省|返|送|赠|券|差)"
    rf" ?(?:在|是|为|:)? ?{_PREFIX_WORDS}? ?(?:在)? ?$"
)
_SUFFIX_RE = re.compile(
    r" ?(?:(?P<max>及以下|或以下|以下|以内|之内|封顶|不到|以里)"
    r"|(?P<min>及以上|或以上|以上|起步|往上|开外)"
    r"|(?P<approx>左右|上下(?![铺床层楼班])|附近))"
)
# Only after a currency unit: 50元内, 100元起.
_SUFFIX_AFTER_CURRENCY_RE = re.compile(r"(?P<max>内)|(?P<min>起)|(?P<approx>价位|档)")
# 9块9 = 9.9 yuan: one digit after 块.
_JIAO_RE = re.compile(r"[0-9](?![0-9.])")
_RANGE_SEP_RE = re.compile(r" ?(?:-|~|〜|—|–|到|至) ?")
_RANGE_SUFFIX_RE = re.compile(r" ?(?:之间|区间|范围内|范围)")
_MATH_RE = re.compile(r"的?(?:加|减|乘|除|口算|进位|退位|混合|连加|连减)")
_PIECES_RE = re.compile(r"(?:以[上下内]|左右)?的? ?(?:拼图|积木|瓷砖|地砖|砖|磁力片)")
_FREE_SHIPPING_RE = re.compile(r" ?包邮")
# What may follow a single price like 9.9元: end, space, punctuation, 的, 包邮.
_SINGLE_END_RE = re.compile(r"$|[^\w]|的|包邮|_")
_TRAILING_DE_RE = re.compile(r"的")


@dataclass(frozen=True)
class _Num:
    """A numeral found in the text."""

    start: int
    end: int
    text: str
    value: float
    chinese: bool

    @property
    def pure_unit(self) -> bool:
        """True for a lone unit character such as 百, 千 or 万 (a price only with 元/块)."""
        return self.chinese and _PURE_UNIT_RE.fullmatch(self.text) is not None

    @property
    def uses_w(self) -> bool:
        """True when the numeral uses the Latin 'w' (万) shorthand."""
        return self.text[-1:] in ("w", "W")


@dataclass(frozen=True)
class _Left:
    """What stands right before a number."""

    start: int
    cue: str | None
    kind: str | None  # "max", "min", "approx", "from" or None


def _numbers(text: str) -> list[_Num]:
    """All numerals in ``text`` with a usable value."""
    found = []
    for m in NUMBER_RE.finditer(text):
        value = parse_cn_number(m.group())
        if value is not None and value <= _MAX_PRICE:
            found.append(_Num(m.start(), m.end(), m.group(), value, m.group("cn") is not None))
    return found


def price_candidates(text: str) -> list[Candidate]:
    """All price phrases in ``text``, in text order (they may still overlap)."""
    nums = _numbers(text)
    found: list[Candidate] = []
    i = 0
    while i < len(nums):
        num = nums[i]
        if _BLOCK_RE.search(text, max(0, num.start - _LEFT_WINDOW), num.start):
            i += 1
            continue
        left = _left_context(text, num.start)
        if i + 1 < len(nums):
            ranged = _range_candidate(text, num, nums[i + 1], left)
            if ranged is not None:
                found.append(ranged)
                i += 2
                continue
        single = _single_candidate(text, num, left)
        if single is not None:
            found.append(single)
        i += 1
    return found


def _left_context(text: str, start: int) -> _Left:
    """Price cue and bound word right before position ``start``."""
    m = _LEFT_RE.search(text, max(0, start - _LEFT_WINDOW), start)
    if m is None or m.start() == m.end():
        return _Left(start, None, None)
    kind = next((k for k in ("max", "min", "approx", "from") if m.group(k)), None)
    cue = m.group("cue")
    if cue is None and kind is None:
        return _Left(start, None, None)
    span_start = m.start()
    while span_start < start and text[span_start] == " ":
        span_start += 1
    return _Left(span_start, cue, kind)


def _glued_left(text: str, start: int) -> bool:
    """True when the character before ``start`` glues the number to a model code or another number."""
    if start == 0:
        return False
    prev = text[start - 1]
    return prev in ".-/_+*#" or (prev.isascii() and prev.isalnum())


def _after_latin_word(text: str, start: int) -> bool:
    """True when a Latin word (optionally followed by one space) ends right before ``start``."""
    j = start - 1
    if j >= 0 and text[j] == " ":
        j -= 1
    return j >= 0 and text[j].isascii() and text[j].isalpha()


def _bare_ok(text: str, num: _Num, left: _Left) -> bool:
    """Whether a number without currency or price cue may still be a price."""
    if num.value < _MIN_BARE_VALUE or num.pure_unit or num.uses_w:
        return False
    if left.kind is None:
        if _glued_left(text, num.start):
            return False
        if _after_latin_word(text, num.start) and not _is_round_hundred(num.value):
            return False
    return True


def _is_round_hundred(value: float) -> bool:
    """True for whole multiples of 100 (budgets), false for model numbers like 3060."""
    return value >= 100 and value == int(value) and int(value) % 100 == 0


def _price_like(value: float) -> bool:
    """Whole numbers ≥ 10 ending in 0, 5 or 9, as bare range ends usually are."""
    return value >= _MIN_BARE_VALUE and value == int(value) and int(value) % 10 in (0, 5, 9)


def _unit_follows(text: str, pos: int) -> bool:
    """True when a letter, digit or measure word starts at ``pos``."""
    return UNIT_AFTER_RE.match(text, pos) is not None


def _swallow_de(text: str, pos: int) -> int:
    """Position after one optional trailing 的."""
    m = _TRAILING_DE_RE.match(text, pos)
    return m.end() if m else pos


def _single_candidate(text: str, num: _Num, left: _Left) -> Candidate | None:
    """A price phrase built around one number, or ``None``."""
    if num.value <= 0:
        return None
    value = num.value
    currency = CURRENCY_RE.match(text, num.end)
    pos = currency.end() if currency else num.end
    jiao = _JIAO_RE.match(text, pos) if currency and currency.group() == "块" else None
    if jiao is not None and "." not in num.text and not num.chinese:
        value += int(jiao.group()) / 10
        pos = jiao.end()
    suffix = _SUFFIX_RE.match(text, pos)
    if suffix is None and currency is not None:
        suffix = _SUFFIX_AFTER_CURRENCY_RE.match(text, pos)
    end = suffix.end() if suffix else pos
    if suffix is not None and _MATH_RE.match(text, end):
        return None
    if currency is not None and currency.group().strip() == "块" and _PIECES_RE.match(text, pos):
        return None
    shipping = currency is None and _FREE_SHIPPING_RE.match(text, num.end) is not None
    if currency is None and suffix is None and not shipping and _unit_follows(text, num.end):
        return None
    kind = _kind(text, suffix, left, currency is not None or shipping, pos)
    if kind is None:
        return None
    explicit = currency is not None or left.cue is not None or shipping
    if not explicit and not _bare_ok(text, num, left):
        return None
    if explicit and currency is None and left.cue is None and _glued_left(text, num.start):
        return None
    low, high, confidence = _bounds(kind, value)
    if not explicit:
        confidence *= _BARE_FACTOR
    start = left.start if left.kind in ("max", "min", "approx") or left.cue else num.start
    return Candidate(start, _swallow_de(text, end), confidence, low, high)


def _kind(text: str, suffix: re.Match[str] | None, left: _Left, priced: bool, pos: int) -> str | None:
    """What a single number means: a bound word after it, else before it, else budget/cue/single.

    Args:
        text: The query.
        suffix: The bound word after the number (and its currency), if any.
        left: What stands before the number.
        priced: Whether a currency unit or 包邮 follows the number.
        pos: Position right after the number and its currency unit.
    """
    if suffix is not None:
        return suffix.lastgroup
    if left.kind in ("max", "min", "approx"):
        return left.kind
    if left.cue == "预算":
        return "budget"
    if left.cue is not None:
        return "approx"
    if priced and _SINGLE_END_RE.match(text, pos):
        return "single"
    return None


def _bounds(kind: str, value: float) -> tuple[float | None, float | None, float]:
    """Bounds and confidence for one number read as ``kind``."""
    if kind == "max":
        return None, value, _CONF_BOUND
    if kind == "min":
        return value, None, _CONF_BOUND
    if kind == "budget":
        return None, value, _CONF_BUDGET
    low, high = _about(value)
    return low, high, _CONF_APPROX if kind == "approx" else _CONF_SINGLE


def _about(value: float) -> tuple[float, float]:
    """±20 % around ``value``, rounded to cents."""
    return round(value * _APPROX_LOW, 2), round(value * _APPROX_HIGH, 2)


def _range_candidate(text: str, first: _Num, second: _Num, left: _Left) -> Candidate | None:
    """A price range such as 200-300元 or 两百到三百, or ``None``."""
    currency1 = CURRENCY_RE.match(text, first.end)
    pos = currency1.end() if currency1 else first.end
    sep = _RANGE_SEP_RE.match(text, pos)
    if sep is None or sep.end() != second.start:
        return None
    currency2 = CURRENCY_RE.match(text, second.end)
    end = currency2.end() if currency2 else second.end
    between = _RANGE_SUFFIX_RE.match(text, end)
    if between is not None:
        end = between.end()
    elif currency2 is None and _unit_follows(text, second.end):
        return None
    low, high = _range_values(first, second)
    explicit = bool(currency1 or currency2 or between or left.cue)
    if _glued_left(text, first.start) and (left.kind is None and left.cue is None):
        return None
    if explicit:
        low, high = min(low, high), max(low, high)
        confidence = _CONF_BOUND
    else:
        if not _bare_range_ok(text, first, second, low, high, left):
            return None
        confidence = _CONF_BOUND * _BARE_FACTOR
    start = left.start if (left.cue or left.kind) else first.start
    return Candidate(start, _swallow_de(text, end), confidence, low, high)


def _bare_range_ok(text: str, first: _Num, second: _Num, low: float, high: float, left: _Left) -> bool:
    """Whether a range without any price cue may be read as a price range."""
    if first.uses_w or second.uses_w or first.pure_unit or second.pure_unit:
        return False
    if not (_price_like(low) and _price_like(high) and low < high):
        return False
    return not (left.kind is None and _after_latin_word(text, first.start))


def _range_values(first: _Num, second: _Num) -> tuple[float, float]:
    """Values of both range ends, carrying a multiplier from the second end to the first.

    ``2-3k`` is 2000-3000 and ``1.5-2万`` is 15000-20000, but ``500-1k`` stays 500-1000:
    the multiplier is carried only when the first end is not larger than the second's
    digit part and has no multiplier of its own.
    """
    low = first.value
    m = _RANGE_MULT_RE.fullmatch(second.text)
    if m is not None and _RANGE_MULT_RE.fullmatch(first.text) is None:
        digits = parse_cn_number(m.group(1))
        mult = parse_cn_number("1" + m.group(2))
        if digits is not None and mult is not None and low <= digits:
            low = low * mult
    return low, second.value
