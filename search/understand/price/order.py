"""Sort requests in a query: ``价格从低到高``, ``最便宜``, ``销量优先`` (strong), ``便宜点``, ``热销`` (soft).

Part of :mod:`search.understand.price`; the rules are in its docstring.
"""

from __future__ import annotations

import re

from search.understand.parsed import Sort
from search.understand.price.resolve import Candidate

__all__ = ["pick_sort", "sort_candidates"]

_CONF_SORT = 1.0
_CONF_SORT_SOFT = 0.6

_ASC_STRONG = (
    r"按?价格(?:从低到高|由低到高|从小到大|由小到大|低到高|升序|递增)|按价格升序|从低到高|由低到高"
    r"|(?:从|由)便宜到贵|升序|(?<!不)最便宜的?|价格最低的?(?![0-9零一二两三四五六七八九十百千万])"
    r"|最低价|低价优先|便宜优先|按价格排序"
)
_ASC_SOFT = (
    r"(?<![不最])便宜(?:一点|一些|点|些)?的?(?!坊)|高性价比的?|性价比(?:最高|高|好)?的?"
    r"|(?<!不)实惠(?:点|一点|的)?(?!装)|平价|白菜价|低价(?!位)|(?<![很太])不贵的?"
)
_DESC_STRONG = (
    r"按?价格(?:从高到低|由高到低|从大到小|由大到小|高到低|降序|递减)|从高到低|由高到低"
    r"|(?:从|由)贵到便宜|降序|最贵的?|价格最高的?(?![0-9零一二两三四五六七八九十百千万])"
    r"|贵的优先|高价优先"
)
_SALES_STRONG = (
    r"按?销量(?:从高到低|由高到低|最高|最好|最多|优先|排序|降序|第一|高的|高)?|最畅销的?"
    r"|卖(?:得|的)最(?:好|多|火)的?"
)
_SALES_SOFT = r"畅销的?|热销的?|爆款|最火的?|卖(?:得|的)好的?|人气最(?:高|旺)的?"
_RELEVANCE = r"综合排序|按相关度|相关度排序|默认排序"

_SORT_RULES: tuple[tuple[str, Sort, float], ...] = (
    (_SALES_STRONG, "sales", _CONF_SORT),
    (_ASC_STRONG, "price_asc", _CONF_SORT),
    (_DESC_STRONG, "price_desc", _CONF_SORT),
    (_RELEVANCE, "relevance", _CONF_SORT),
    (_SALES_SOFT, "sales", _CONF_SORT_SOFT),
    (_ASC_SOFT, "price_asc", _CONF_SORT_SOFT),
)
_SORT_RE = re.compile("|".join(f"(?P<s{i}>{pattern})" for i, (pattern, _, _) in enumerate(_SORT_RULES)))


def sort_candidates(text: str) -> list[Candidate]:
    """All sort phrases in ``text``."""
    found = []
    for m in _SORT_RE.finditer(text):
        if m.end() == m.start() or m.lastgroup is None:
            continue
        _, sort, confidence = _SORT_RULES[int(m.lastgroup[1:])]
        found.append(Candidate(m.start(), m.end(), confidence, sort=sort))
    return found


def pick_sort(chosen: list[Candidate]) -> Sort | None:
    """The most confident sort phrase; ties go to the later one."""
    best: Candidate | None = None
    for c in chosen:
        if c.sort is not None and (best is None or c.confidence >= best.confidence):
            best = c
    return best.sort if best is not None else None
