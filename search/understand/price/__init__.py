"""Rule-based reading of price limits and sort requests in Chinese shopping queries.

``parse_price`` finds phrases such as ``300元以下``, ``两百到三百``, ``预算800左右`` or
``价格从低到高`` and returns the bounds, the requested order and the character span of
every phrase it used, so the caller can drop those phrases from the keywords.

The input is expected to be normalised (NFKC, Simplified Chinese, lower-case Latin,
single spaces) but anything is tolerated: the function never raises.

Rules (false positives are treated as worse than misses):

* **Numbers** are Arabic (``300``, ``9.9``, ``1.5万``, ``3k``, ``1千``), Chinese
  (``两千``, ``三千五``, ``百``) or mixed; see :mod:`search.understand.numbers`.
* **Explicit** expressions carry a currency unit (元, 块, 块钱, 元钱, rmb) or a price
  cue before them (价格, 价位, 价钱, 售价, 单价, 预算, 报价, 标价, 到手价, ¥, 人民币).
* **Bare** expressions have neither: ``500以上``, ``不超过200``, ``200-300``. They are
  read as prices only when

  - the value is at least 10 (``3以上`` is more likely a size or a version),
  - the numeral is not a bare unit character (``百以内``, ``万以上``) and does not use
    the ``w`` shorthand (``500w以上`` is a wattage),
  - the number is not glued to a letter, digit, ``.``, ``-`` or ``/`` on its left
    (``rtx4060``, ``p70d20tl-d4``), nor followed by a letter or a measure word
    (``500ml``, ``10斤``, ``50寸``, ``3岁``, ``100片``),
  - it does not directly follow a Latin word (``iphone 13以上``, ``rtx 3060以上``)
    unless it is a multiple of 100 (``vivo 2000以内`` is a budget),
  - (single numbers) a bound word follows or precedes it (以下/以内/以上/左右/不超过/至少/…).

  A bare **range** (``200-300``, ``两百到三百``) additionally needs both ends to be
  whole "price-like" numbers ending in 0, 5 or 9 (so ``18-55`` lenses, ``24-70`` and
  ``128-256`` storage sizes are not prices), the low end below the high end, and no
  Latin word right before it (``ef-s 18-55``). Known miss the other way: a bare
  ``70-200`` (a lens, unless written ``70-200mm``) still reads as 70-200 yuan.
  A multiplier on the high end carries to a smaller low end: ``2-3k`` = 2000-3000,
  ``1-2万`` = 10000-20000, but ``500-1k`` = 500-1000. ``w`` needs a cue (``预算5w``).
* **Never prices**: numbers after a measurement word (身高, 体重, 容量, 功率, 内存,
  尺寸, 安卓, 版本, 第, 前, …) or a promotion word (满, 减, 省, 返, 送, 赠, 券);
  ``100以内加减法`` (a workbook); ``1000块拼图`` (piece counts); ``上下铺``.
* A currency unit glued to a following word that is not ``的``/``包邮`` (``100元券``,
  ``1000块拼图``, ``千元机``) is not read as a single price.

Meaning of the phrases:

* upper bound (以下, 以内, 之内, 内 after a currency, 不超过, 低于, 少于, 最多, 不到, …) →
  ``price_max``; lower bound (以上, 起 after a currency, 高于, 不低于, 至少, 超过, …) →
  ``price_min``; range → both.
* about (左右, 上下, 附近, 大概, 大约, 约, 差不多) → ±20 % of the value.
* ``预算X`` with no bound word → ``price_max = X`` (a budget is a ceiling); ``预算X左右``
  → ±20 %; ``预算X以内`` → ``price_max = X``.
* ``价格X`` (a price cue, not 预算, and no bound word) → ±20 %.
* a single price with a currency unit and no bound (``9.9元``, ``99元包邮``, ``9.9包邮``)
  → ±20 % with low confidence (0.5): people who type a price usually want items near
  it, but the phrase may also be part of a product name. ``包邮`` itself stays in the
  keywords (the span is ``99元`` only). ``9块9`` is 9.9.
* ``X元价位`` / ``X元档`` (``千元档``) → ±20 %, like 左右.

Confidence of one phrase: bounds and ranges 1.0, budgets 0.8, about-phrases 0.7,
single prices 0.5; bare phrases are multiplied by 0.8. Sort phrases: 1.0 when explicit
(价格从低到高, 最便宜, 销量优先), 0.6 when soft (便宜点, 性价比高, 热销). The result's
confidence is the minimum over the phrases used, or 0.0 when nothing was found.

Combining phrases: they are applied in text order; a range or about-phrase sets both
bounds, a one-sided phrase sets its side. When a later phrase contradicts an earlier
one (min above max) the earlier bound is dropped. For the sort, the most confident
phrase wins, ties going to the later one. Spans never overlap; a price phrase's span
swallows one trailing ``的`` (``300元以下的兰芝`` → span ``300元以下的``).

Layout: :mod:`.phrases` reads price expressions (numbers, bound words, ranges),
:mod:`.order` reads sort requests, :mod:`.resolve` keeps the non-overlapping phrases
and combines their bounds; this module puts them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.understand.cues import CN_NUMERALS
from search.understand.parsed import Sort
from search.understand.price.order import pick_sort, sort_candidates
from search.understand.price.phrases import price_candidates
from search.understand.price.resolve import merge_bounds, select_non_overlapping

__all__ = ["PriceIntent", "Sort", "parse_price"]

# A query with none of these holds no price or sort phrase (most queries: the fast path).
_QUICK_RE = re.compile(rf"[0-9{CN_NUMERALS}]|便宜|价|贵|序|销|卖|高到|低到|畅|热|爆|火|性价比|实惠|排序|人气|相关")


@dataclass(frozen=True)
class PriceIntent:
    """Price bounds and sort order read from a query.

    Attributes:
        price_min: Lower price bound in yuan, or ``None``.
        price_max: Upper price bound in yuan, or ``None``.
        sort: Requested order, or ``None`` when the query said nothing about order.
        spans: ``[start, end)`` of every phrase used, sorted and non-overlapping.
        confidence: 1.0 for unambiguous phrases, lower for soft ones; 0.0 when
            nothing was found.
    """

    price_min: float | None
    price_max: float | None
    sort: Sort | None
    spans: tuple[tuple[int, int], ...]
    confidence: float


_EMPTY = PriceIntent(None, None, None, (), 0.0)


def parse_price(text: str) -> PriceIntent:
    """Read price bounds and a sort request from a normalised query.

    Args:
        text: The query, normalised (NFKC, Simplified, lower-case, single spaces).

    Returns:
        The intent; ``PriceIntent(None, None, None, (), 0.0)`` when nothing was found
        or the input is not a string. See the module docstring for the rules.
    """
    if not isinstance(text, str) or not text:
        return _EMPTY
    return _parse_price(text)


def _parse_price(text: str) -> PriceIntent:
    """Implementation of :func:`parse_price` without the safety net."""
    if _QUICK_RE.search(text) is None:
        return _EMPTY
    candidates = price_candidates(text) + sort_candidates(text)
    chosen = select_non_overlapping(candidates)
    if not chosen:
        return _EMPTY
    low, high = merge_bounds(chosen)
    sort = pick_sort(chosen)
    return PriceIntent(
        price_min=low,
        price_max=high,
        sort=sort,
        spans=tuple((c.start, c.end) for c in chosen),
        confidence=min(c.confidence for c in chosen),
    )
