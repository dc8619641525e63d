"""Validation and grounding of a language model's answer against the catalog vocabulary and the query.

Two steps, both pure:

1. :func:`~search.understand.prompt.validate_answer` (re-exported here) checks the shape:
   a JSON object (or text holding one) whose fields have the types of
   :data:`~search.understand.prompt.ANSWER_SCHEMA`. Anything else (malformed JSON, a string
   where a list belongs, a non-finite price) rejects the answer as a whole.
2. :func:`ground` keeps only what the query and the lexicon support, as a patch on the rules'
   :class:`~search.understand.parsed.ParsedQuery` (the fields of :data:`PATCH_FIELDS`, in
   ParsedQuery's types), and records every change in ``corrections``:

   * **brands** resolve through the lexicon's aliases; an unknown name snaps to an alias
     only when it is close (same toneless pinyin; one edit for Latin names of 5+ letters
     or Chinese names of 4+ characters, two edits for 9+ letters) and the nearest brand is
     unique, else it is dropped. A brand must also be *mentioned*: one of its aliases (or
     the model's spelling) occurs in the query, literally, by pinyin or within the same
     edit distance, outside the query's exclusions (``不要苹果的`` names no wanted brand).
   * **categories** must be existing paths; a bare leaf name snaps to its path when unique.
   * **product words** occur in the query or in the vocabulary's product words.
   * **attributes**: the value occurs in the query (outside price and exclusion phrases), or
     is a synonym of a value that does.
   * **prices**: when :func:`~search.understand.price.parse_price` reads bounds from the
     text, those bounds win (``100元以下`` read as a minimum is corrected). Otherwise a
     bound must be a number written in the query (not a spec such as ``500ml`` or ``rtx4060``;
     at least 10 unless followed by 元/块), or within ±30 % of one when the query says
     "about" (左右, 大概, …); min > max is swapped.
   * **sort** is one of the enum values; a sort phrase the rules read wins, and a non-default
     sort needs a cue in the text (便宜, 销量, 最贵, …).
   * **exclusions** occur in the query after a negation (不, 别, 除, 非, 没, 无, 排) or inside
     an exclusion the rules found; a brand alias is reported by the brand's display name.
   * **keywords** occur in the query outside price and exclusion phrases.
   * **corrected** (the model's spelling of the whole query) is applied edit by edit: an
     edit is kept only when it is small (at most a quarter of the query's characters in
     all, at most :data:`MAX_CORRECTION_EDITS`), touches no word the catalog, its brands
     or the query log spell that way (``温氏`` stays ``温氏``), and changes no number and no
     negation. Everything else below is then grounded in the corrected query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from search.text.lexicon import Lexicon
from search.text.normalize import normalize
from search.understand.cues import CURRENCY_RE, NUMBER_CHAR_RE, NUMBER_RE, UNIT_AFTER_RE
from search.understand.exclusions import extract_exclusions
from search.understand.numbers import parse_cn_number
from search.understand.parsed import ParsedQuery
from search.understand.price import parse_price
from search.understand.prompt import SORT_VALUES, InvalidAnswer, ModelAnswer, extract_json, validate_answer
from search.understand.vocab import KNOWN_MAX_LEN, QueryVocabulary

__all__ = [
    "PATCH_FIELDS",
    "Grounded",
    "InvalidAnswer",
    "ModelAnswer",
    "extract_json",
    "ground",
    "validate_answer",
]

_MAX_ITEMS = 8
_MAX_STR = 40
#: at most this many characters of a query may change in a model's correction
MAX_CORRECTION_EDITS = 3
_ABOUT_RE = re.compile(r"左右|上下|附近|大概|大约|约|差不多|预算")
_NEGATION_RE = re.compile(r"[不别非除没无排]")
_SORT_CUES = {
    "price_asc": re.compile(r"便宜|实惠|性价比|低价|平价|划算|省钱|不贵|低到高|最低"),
    "price_desc": re.compile(r"(?<![不别太])贵|高端|奢华|高到低|高价"),
    "sales": re.compile(r"销量|畅销|热销|爆款|最火|火的|卖得|卖的|人气|好评|最多人"),
}


#: The :class:`~search.understand.parsed.ParsedQuery` fields a model answer may set; the rest
#: (text, normalized, parser, confidence, rewritten) always come from the rules' parse.
PATCH_FIELDS: tuple[str, ...] = (
    "keywords", "brands", "categories", "product_words", "price_min", "price_max", "attributes", "exclude", "sort",
)  # fmt: skip


@dataclass(frozen=True)
class Grounded:
    """A grounded answer: a patch on the rules' :class:`~search.understand.parsed.ParsedQuery`.

    Attributes:
        patch: ParsedQuery field name -> value, in ParsedQuery's own types, for exactly the
            :data:`PATCH_FIELDS`; only what the query and the lexicon support.
        corrections: What grounding changed or dropped (``brand_dropped``, ``price_corrected``, …).
        corrected: The query with the model's accepted typo fixes (None: nothing accepted).
    """

    patch: dict[str, Any] = field(default_factory=dict)
    corrections: tuple[str, ...] = ()
    corrected: str | None = None

    def value(self, name: str) -> Any:
        """The patched value of a ParsedQuery field, or that field's default when the patch leaves it."""
        if name in self.patch:
            return self.patch[name]
        return ParsedQuery.model_fields[name].get_default(call_default_factory=True)


# ------------------------------------------------------------------------------------ grounding
def ground(answer: ModelAnswer, text: str, lexicon: Lexicon | QueryVocabulary) -> Grounded:
    """Keep what the query and the vocabulary support (rules in the module docstring).

    Args:
        answer: A validated answer.
        text: The query as typed (normalised here).
        lexicon: The catalog vocabulary, or the :class:`QueryVocabulary` built from it (faster when reused).

    Returns:
        The grounded answer; ``corrections`` names each change (``brand_dropped``, ``price_corrected``, …).
    """
    vocab = lexicon if isinstance(lexicon, QueryVocabulary) else QueryVocabulary.from_lexicon(lexicon)
    norm = normalize(text) if isinstance(text, str) else ""
    fixes: list[str] = []
    corrected = _correction(answer.corrected, norm, vocab, fixes)
    norm = corrected or norm
    intent = parse_price(norm)
    rule_exclusions = extract_exclusions(norm)
    exclude = _unique(_exclusions(answer.exclude, norm, [e.span for e in rule_exclusions], fixes))
    # like the rules: an excluded brand alias is reported by the brand's display name
    keys = [vocab.lexicon.resolve_brand(e) for e in exclude]
    excluded = _unique([vocab.lexicon.brands[k].name if k else e for e, k in zip(exclude, keys, strict=True)])
    price_min, price_max = _prices(answer, norm, intent, fixes)
    removed = [*intent.spans, *(e.span for e in rule_exclusions)]
    # the query without its exclusions: a brand named only in "不要苹果的" is not wanted
    negated = [e.span for e in rule_exclusions] + [
        (m.start(), m.end()) for e in exclude for m in re.finditer(re.escape(e), norm)
    ]
    wanted = "".join(" " if any(s <= i < e for s, e in negated) else ch for i, ch in enumerate(norm))
    patch: dict[str, Any] = {
        "keywords": _keep(answer.keywords, fixes, "keyword", lambda k: _outside(k, norm, removed, exclude)),
        "brands": _brands(answer.brands, norm, wanted, vocab, fixes),
        "categories": _categories(answer.categories, vocab, fixes),
        "product_words": _keep(
            answer.product_words, fixes, "product_word", lambda w: w in norm or w in vocab.lexicon.product_words
        ),
        "price_min": price_min,
        "price_max": price_max,
        "attributes": _attributes(answer.attributes, vocab, fixes, lambda v: _outside(v, norm, removed, exclude)),
        "exclude": excluded,
        "sort": _sort(answer.sort, norm, intent.sort, fixes),
    }
    return Grounded(patch=patch, corrections=tuple(fixes), corrected=corrected)


def _correction(raw: str | None, norm: str, vocab: QueryVocabulary, fixes: list[str]) -> str | None:
    """The query with the model's acceptable typo fixes applied (rules in the module docstring)."""
    if not raw or not norm:
        return None
    target = normalize(raw)
    if not target or target == norm:
        return None
    known = vocab.known_words()
    words = [
        (i, j)
        for i in range(len(norm))
        for j in range(i + 2, min(len(norm), i + KNOWN_MAX_LEN) + 1)
        if norm[i:j] in known
    ]
    budget = min(MAX_CORRECTION_EDITS, max(1, len(norm) // 4))
    out: list[str] = []
    pos = changed = 0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, norm, target, autojunk=False).get_opcodes():
        old, new = norm[i1:i2], target[j1:j2]
        if op == "equal" or not (old.strip() or new.strip()):  # spacing is not spelling
            continue
        cost = max(i2 - i1, j2 - j1)
        # a known word must not lose, change or (for an insertion) be split by a character
        touches = any(s < i2 and i1 < e for s, e in words) if i2 > i1 else any(s < i1 < e for s, e in words)
        alters_meaning = NUMBER_CHAR_RE.search(old + new) or _NEGATION_RE.search(old + new)
        safe = not touches and not alters_meaning
        if not safe or changed + cost > budget:
            fixes.append("correction_dropped")
            continue
        out.append(norm[pos:i1] + new)
        pos = i2
        changed += cost
    if not changed:
        return None
    out.append(norm[pos:])
    return "".join(out)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))[:_MAX_ITEMS]


def _clean(items: tuple[str, ...]) -> list[str]:
    return [w for w in (normalize(x) for x in items) if w and len(w) <= _MAX_STR]


def _keep(items: tuple[str, ...], fixes: list[str], what: str, ok: Any) -> list[str]:
    kept = []
    for item in _clean(items):
        if ok(item):
            kept.append(item)
        else:
            fixes.append(f"{what}_dropped")
    return _unique(kept)


def _outside(word: str, norm: str, spans: list[tuple[int, int]], exclude: list[str]) -> bool:
    """A keyword must occur in the query outside price/exclusion phrases and not be excluded."""
    if any(word in e for e in exclude):
        return False
    starts = [m.start() for m in re.finditer(re.escape(word), norm)]
    return any(not any(s <= i and i + len(word) <= e for s, e in spans) for i in starts)


def _brands(names: tuple[str, ...], norm: str, wanted: str, vocab: QueryVocabulary, fixes: list[str]) -> list[str]:
    kept = []
    for name in _clean(names):
        key, snapped = vocab.resolve_brand(name)
        if key is None or not vocab.brand_mentioned(key, name, norm):
            fixes.append("brand_dropped")
        elif not vocab.brand_mentioned(key, name, wanted):
            fixes.append("brand_excluded")
        else:
            fixes.extend(["brand_snapped"] if snapped else [])
            kept.append(vocab.lexicon.brands[key].name)
    return _unique(kept)


def _categories(names: tuple[str, ...], vocab: QueryVocabulary, fixes: list[str]) -> list[str]:
    kept = []
    for name in _clean(names):
        path, snapped = vocab.resolve_category(name)
        if path is None:
            fixes.append("category_dropped")
            continue
        if snapped:
            fixes.append("category_snapped")
        kept.append(path)
    return _unique(kept)


def _attributes(
    pairs: tuple[tuple[str, str], ...], vocab: QueryVocabulary, fixes: list[str], in_query: Any
) -> dict[str, str]:
    kept: dict[str, str] = {}
    for raw_name, raw_value in pairs:
        name, value = raw_name.strip(), normalize(raw_value)
        if name and value and len(name) <= _MAX_STR and any(in_query(v) for v in vocab.synonyms(value)):
            kept.setdefault(name, value)
        else:
            fixes.append("attribute_dropped")
    return dict(list(kept.items())[:_MAX_ITEMS])


def _exclusions(phrases: tuple[str, ...], norm: str, rule_spans: list[tuple[int, int]], fixes: list[str]) -> list[str]:
    kept = []
    for phrase in _clean(phrases):
        starts = [m.start() for m in re.finditer(re.escape(phrase), norm)]
        if any(_NEGATION_RE.search(norm, max(0, i - 6), i) or any(s <= i < e for s, e in rule_spans) for i in starts):
            kept.append(phrase)
        else:
            fixes.append("exclude_dropped")
    return kept


def _numbers(norm: str) -> list[float]:
    """Numbers written in the query that may be prices: not a spec (500ml, 3岁, rtx4060), not below 10
    unless followed by 元/块."""
    values = []
    for m in NUMBER_RE.finditer(norm):
        before = norm[m.start() - 1 : m.start()]
        if UNIT_AFTER_RE.match(norm, m.end()) or (before.isascii() and before.isalpha()):
            continue
        value = parse_cn_number(m.group())
        # like the price rules: a bare number below 10 is a size or a version, not a price
        if value is not None and (value >= 10 or (value > 0 and CURRENCY_RE.match(norm, m.end()))):
            values.append(value)
    return values


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 0.01 * max(1.0, abs(b))


def _prices(answer: ModelAnswer, norm: str, intent: Any, fixes: list[str]) -> tuple[float | None, float | None]:
    if intent.price_min is not None or intent.price_max is not None:
        if not (_close(answer.price_min, intent.price_min) and _close(answer.price_max, intent.price_max)):
            fixes.append("price_corrected")
        return intent.price_min, intent.price_max
    values = _numbers(norm)
    about = _ABOUT_RE.search(norm) is not None

    def supported(bound: float | None) -> float | None:
        if bound is None:
            return None
        if any(_close(bound, v) or (about and 0.7 * v <= bound <= 1.3 * v) for v in values):
            return bound
        fixes.append("price_dropped")
        return None

    low, high = supported(answer.price_min), supported(answer.price_max)
    if low is not None and high is not None and low > high:
        fixes.append("price_swapped")
        low, high = high, low
    return low, high


def _sort(sort: str | None, norm: str, rule_sort: str | None, fixes: list[str]) -> str:
    if sort is not None and sort not in SORT_VALUES:
        fixes.append("sort_invalid")
        sort = None
    if rule_sort is not None:
        if sort is not None and sort != rule_sort:
            fixes.append("sort_corrected")
        return rule_sort
    if sort in _SORT_CUES and not _SORT_CUES[sort].search(norm):
        fixes.append("sort_dropped")
        return "relevance"
    return sort or "relevance"
