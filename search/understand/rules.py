"""``RuleParser``: the default, model-free query parser, grounded in the catalog vocabulary.

Pipeline for one query (every step works on the normalised text, so all spans agree):

1. **Normalise** (width, case, Traditional -> Simplified, units) with the index's analyzer.
   Only the first :data:`MAX_QUERY_CHARS` characters are read.
2. **Spelling**: the optional :class:`~search.understand.spelling.SpellCorrector` replaces
   characters one for one (``洗面乃`` -> ``洗面奶``); the result is ``normalized`` and,
   when it changed, ``corrected``.
3. **Price and sort** (:func:`~search.understand.price.parse_price`) and **exclusions**
   (:func:`~search.understand.exclusions.extract_exclusions`); their phrases are removed
   from everything that follows.
4. **Dictionary matching** (:mod:`search.understand.vocab`): brand aliases, product words,
   category leaves and attribute values. Overlaps are resolved longest first; at equal
   length a brand with catalog products beats a product word or attribute value, which
   beat a dictionary-only brand. A Chinese brand alias of 2-3 characters must also agree
   with the segmenter (start and end on word boundaries: ``三星`` is not read in ``三星期``
   when the segmenter keeps ``三星期`` whole). A stopword of the index is never a brand
   mention (``左右``). A brand right after 适用/适配/兼容/用于 or
   right before 专用/通用 names what the item fits (``适用苹果``): it is kept as a mention
   with the role ``("brand", key, "for")`` and a keyword, but not reported in ``brands``.
   A brand written as a pair, ``marantz/马兰士`` or ``马兰士/marantz``, names the same brand
   on the other side of the slash even when that spelling is not in the dictionary: the
   Chinese run of 2-4 characters or the Latin word right after a recognised alias and a
   ``/`` becomes a mention of that brand too. Spec values (``50ml``, ``10斤``, ``256gb``)
   and ages (``3岁``) come from regular expressions.
5. **Exclusions** that are a brand alias become the brand's display name (``不要华为`` ->
   ``exclude=["HUAWEI/华为"]``), and that brand is not in ``brands``.
6. **Keywords** (:mod:`search.understand.keywords`): recognised phrases whole, the rest
   segmented (precise mode, Latin runs whole), without price/sort/exclusion phrases,
   punctuation, stopwords and shopping filler (``我想买``, ``推荐``, ``有没有``, ``的``).

**Confidence** (used by the language-model parser's ``fallback`` mode):

* coverage = share of the query's meaningful characters (not spaces or punctuation)
  that were understood: price/sort/exclusion phrases, recognised phrases, spec values,
  filler and stopwords count fully; model numbers and other Latin/digit runs 0.8; words
  found in at least two catalog titles 0.7; anything else 0;
* confidence = ``0.25 + 0.75 * coverage``, then multiplied by ``0.5 + 0.5 * p`` when a
  price or sort phrase was used (``p`` its confidence: 0.6 for ``便宜点``, 0.5 for a bare
  ``9.9元``), by the correction's confidence (0.9 homophone, 0.8 near homophone, 0.7 one
  wrong character) when spelling changed the query, by 0.85 when nothing structured was
  found (no brand, product word, category, attribute, price, sort or exclusion), by 0.8
  for long queries (more than :data:`LONG_QUERY` meaningful characters: natural-language
  requests the rules only half read) and by 0.5 when the query was cut at
  :data:`MAX_QUERY_CHARS`.

An empty query parses with confidence 1.0 (there is nothing to understand). Any
exception becomes a minimal parse: the normalised text as the only keyword, confidence 0.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon
from search.understand.exclusions import Exclusion, extract_exclusions
from search.understand.keywords import KeywordReader
from search.understand.matcher import Match, fold
from search.understand.parsed import ParsedQuery
from search.understand.price import PriceIntent, parse_price
from search.understand.spelling import Correction, Corrector, SpellCorrector, dictionary_cut
from search.understand.vocab import QueryVocabulary

__all__ = ["MAX_QUERY_CHARS", "Mention", "Reading", "RuleParser"]

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 256
LONG_QUERY = 24
AGREEMENT_MAX_LEN = 3

_SPEC_RE = re.compile(r"(?<![a-z0-9.])[0-9]+(?:\.[0-9]+)?(?:ml|l|kg|mg|g|斤|gb|tb|mah|寸|cm|mm|w|码)(?![a-z])")
_AGE_RE = re.compile(r"(?<![0-9.])[0-9]{1,2}(?:-[0-9]{1,2})?(?:岁|个月)")
# "for X" / "X only": the product fits brand X (a case for Apple phones), it is not made by X.
_COMPATIBLE_BEFORE = re.compile(r"(?:适用于|适用|适配|兼容|用于|配套|for) ?$")
_COMPATIBLE_AFTER = re.compile(r" ?(?:专用|适用|通用)")
# the other spelling of a brand written as a pair: "marantz/马兰士", "马兰士/marantz"
_PAIRED_SPELLING = re.compile(r" ?/ ?(?:([\u4e00-\u9fff]{2,4})(?![\u4e00-\u9fff])|([a-z][a-z&'\-]*[a-z])(?![a-z0-9]))")
#: the role name of a brand the item fits rather than is made by (``适用苹果``)
FITS = "for"

_PRIORITY = {"strong_brand": 3, "product": 2, "attribute": 2, "weak_brand": 1}


@dataclass(frozen=True)
class Mention:
    """A recognised phrase in the normalised (corrected) query.

    Attributes:
        start / end: ``[start, end)`` in ``Reading.parsed.normalized``.
        text: The phrase as written there.
        roles: ``("brand", key, "")``, ``("product", word, "")`` or
            ``("attribute", canonical value, name)`` (one phrase can be a product word and
            an attribute value at once).
    """

    start: int
    end: int
    text: str
    roles: tuple[tuple[str, str, str], ...]
    priority: int = 0

    def of(self, kind: str) -> list[tuple[str, str, str]]:
        """The roles of one kind."""
        return [r for r in self.roles if r[0] == kind]


@dataclass(frozen=True)
class Reading:
    """A parse with the evidence behind it (for evaluation and debugging)."""

    parsed: ParsedQuery
    mentions: tuple[Mention, ...] = ()
    correction: Correction | None = None
    price: PriceIntent | None = None
    exclusions: tuple[Exclusion, ...] = ()


class RuleParser:
    """The rule-based :class:`~search.understand.parsed.QueryParser` (see the module docstring).

    Args:
        lexicon: The catalog vocabulary of the index being searched.
        analyzer: The index's analyzer (normalisation and segmentation).
        spelling: A spelling corrector, or None for no correction.
        vocabulary: A prebuilt :class:`QueryVocabulary` (built from ``lexicon`` when None).
        max_chars: Characters of a query that are read.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        analyzer: ChineseAnalyzer,
        *,
        spelling: Corrector | None = None,
        vocabulary: QueryVocabulary | None = None,
        max_chars: int = MAX_QUERY_CHARS,
    ) -> None:
        self.lexicon = lexicon
        self.analyzer = analyzer
        self.spelling = spelling
        self.vocabulary = vocabulary or QueryVocabulary.from_lexicon(lexicon)
        self.max_chars = max_chars
        self._stopwords = frozenset(fold(w) for w in getattr(analyzer, "stopwords", ()))
        self._words = KeywordReader(dictionary_cut(analyzer), getattr(analyzer, "stopwords", ()), lexicon.terms)

    @classmethod
    def with_spelling(cls, lexicon: Lexicon, analyzer: ChineseAnalyzer, *, spelling: bool = True) -> RuleParser:
        """The parser over a build's vocabulary and analyzer (``search.index.load_build_parts``),
        with a :class:`SpellCorrector` built from the same lexicon when ``spelling``."""
        analyzer.warm_up()
        return cls(lexicon, analyzer, spelling=correctors(lexicon, analyzer) if spelling else None)

    # ------------------------------------------------------------------ public API
    def parse(self, text: str) -> ParsedQuery:
        """Parse one query; never raises (see the module docstring)."""
        return self.read(text).parsed

    def read(self, text: str) -> Reading:
        """Parse one query and keep the evidence; never raises."""
        raw = text if isinstance(text, str) else ("" if text is None else str(text))
        try:
            return self._read(raw)
        except Exception:
            log.exception("rule parser failed; returning a minimal parse")
            return Reading(_minimal(raw, self.analyzer))

    # ------------------------------------------------------------------ implementation
    def _read(self, raw: str) -> Reading:
        truncated = len(raw) > self.max_chars
        normalized = self.analyzer.normalize(raw[: self.max_chars] if truncated else raw)
        if not normalized:
            return Reading(ParsedQuery(text=raw, normalized="", parser="rules", confidence=1.0))
        correction = self.spelling.correct(normalized) if self.spelling is not None else None
        query = correction.text if correction is not None else normalized
        price = parse_price(query)
        exclusions = tuple(extract_exclusions(query))
        removed = list(price.spans) + [x.span for x in exclusions]
        mentions = self._mentions(query, self._words.tokenize(query), removed)

        brands: dict[str, None] = {}
        product_words: dict[str, None] = {}
        categories: dict[str, None] = {}
        attributes: dict[str, str] = {}
        for m in mentions:
            for _, key, role in m.of("brand"):
                ref = self.vocabulary.brand(key) if role != FITS else None
                if ref is not None:
                    brands[ref.name] = None
            for _, word, _ in m.of("product"):
                product_words[word] = None
                for path in self.vocabulary.categories.get(word, ()):
                    categories[path] = None
            for _, value, name in m.of("attribute"):
                attributes.setdefault(name, value)
        exclude = self._exclude(exclusions)
        for name in exclude:
            brands.pop(name, None)
        phrases = [(m.start, m.end) for m in mentions]
        keywords, understood, meaningful = self._words.keywords(query, phrases, removed)
        structured = bool(brands or product_words or categories or attributes or price.spans or exclusions)
        long_query = meaningful > LONG_QUERY
        confidence = _confidence(understood, price, correction, structured, long_query, truncated)
        parsed = ParsedQuery(
            text=raw,
            normalized=query,
            keywords=keywords,
            brands=list(brands),
            categories=list(categories),
            product_words=list(product_words),
            price_min=price.price_min,
            price_max=price.price_max,
            attributes=attributes,
            exclude=exclude,
            sort=price.sort or "relevance",
            corrected=query if correction is not None else None,
            parser="rules",
            confidence=confidence,
            rewritten=self._words.rewrite(query, removed),
        )
        return Reading(parsed, tuple(mentions), correction, price, exclusions)

    def _mentions(self, query: str, tokens: list[tuple[int, int]], removed: list[tuple[int, int]]) -> list[Mention]:
        """Recognised phrases, non-overlapping, outside the removed spans, in text order."""
        candidates = [c for m in self.vocabulary.matcher.find_all(query) if (c := self._roles(query, m, tokens))]
        for regex, name in ((_SPEC_RE, "规格"), (_AGE_RE, "年龄")):
            for found in regex.finditer(query):
                roles = (("attribute", found.group(), name),)
                candidates.append(Mention(found.start(), found.end(), found.group(), roles, _PRIORITY["attribute"]))
        candidates = [c for c in candidates if not any(c.start < e and s < c.end for s, e in removed)]
        candidates.sort(key=lambda c: (-len(fold(c.text)), -c.priority, c.start))
        chosen: list[Mention] = []
        for c in candidates:
            if all(c.end <= o.start or c.start >= o.end for o in chosen):
                chosen.append(c)
        chosen.extend(_paired_spellings(query, chosen, removed))
        chosen.sort(key=lambda c: c.start)
        return chosen

    def _roles(self, query: str, match: Match, tokens: list[tuple[int, int]]) -> Mention | None:
        """What a dictionary match is read as (see the module docstring, step 4)."""
        text = query[match.start : match.end]
        brand = next((e for e in match.entries if e.kind == "brand"), None)
        ref = self.vocabulary.brand(brand.value) if brand is not None else None
        others = tuple((e.kind, e.value, e.name) for e in match.entries if e.kind in ("product", "attribute"))
        aligned = match.key.isascii() or len(match.key) > AGREEMENT_MAX_LEN or _aligned(match, tokens)
        if ref is not None and fold(text) in self._stopwords:
            ref = None  # a stopword (左右, 京东 when the index lists it) is never a brand mention
        if ref is not None and (ref.strong or not others) and aligned:
            priority = _PRIORITY["strong_brand" if ref.strong else "weak_brand"]
            if _COMPATIBLE_BEFORE.search(query, 0, match.start) or _COMPATIBLE_AFTER.match(query, match.end):
                return Mention(match.start, match.end, text, (("brand", ref.key, FITS),), priority)  # 适用苹果
            return Mention(match.start, match.end, text, (("brand", ref.key, ""),), priority)
        if not others:
            return None
        if aligned:
            return Mention(match.start, match.end, text, others, _PRIORITY["product"])
        # a product word inside a longer catalog word names that word's kind: 隔离 in 隔离霜
        word = next(((s, e) for s, e in tokens if s <= match.start and match.end <= e), None)
        if word is None or not any(kind == "product" for kind, _, _ in others):
            return None
        token = query[word[0] : word[1]]
        if self.lexicon.terms.get(token, 0) < 2 or token.isascii():
            return None
        return Mention(word[0], word[1], token, (("product", token, ""),), _PRIORITY["product"])

    def _exclude(self, exclusions: tuple[Exclusion, ...]) -> list[str]:
        """Excluded phrases; a brand alias becomes the brand's display name."""
        out: dict[str, None] = {}
        for x in exclusions:
            name = x.phrase
            for entry in self.vocabulary.matcher.entries(x.phrase):
                ref = self.vocabulary.brand(entry.value) if entry.kind == "brand" else None
                if ref is not None:
                    name = ref.name
                    break
            if name:
                out[name] = None
        return list(out)


def correctors(lexicon: Lexicon, analyzer: ChineseAnalyzer) -> Corrector:
    """The spelling correction of a build: the catalog corrector, then the sound-alike corrector
    (query-log and catalog frequency) on what it left."""
    from search.understand.soundalike import SoundAlikeCorrector, chain

    sound = SoundAlikeCorrector.from_lexicon(lexicon, analyzer)
    return chain(SpellCorrector.from_lexicon(lexicon, analyzer, seen=sound.seen), sound)


def _paired_spellings(query: str, chosen: list[Mention], removed: list[tuple[int, int]]) -> list[Mention]:
    """Mentions of the other spelling of brands written as a pair (``marantz/马兰士``)."""
    out: list[Mention] = []
    taken = [(m.start, m.end) for m in chosen] + list(removed)
    for m in chosen:
        roles = [r for r in m.of("brand") if r[2] != FITS]
        found = _PAIRED_SPELLING.match(query, m.end) if roles else None
        if found is None:
            continue
        group = 1 if found.group(1) is not None else 2
        start, end = found.span(group)
        if any(start < e and s < end for s, e in taken):
            continue  # already recognised (or removed): nothing new
        out.append(Mention(start, end, found.group(group), (roles[0],), m.priority))
        taken.append((start, end))
    return out


def _aligned(match: Match, tokens: list[tuple[int, int]]) -> bool:
    """True when the match starts and ends on word boundaries of the segmentation."""
    starts = {s for s, _ in tokens}
    ends = {e for _, e in tokens}
    return match.start in starts and match.end in ends


def _confidence(
    understood: float,
    price: PriceIntent,
    correction: Correction | None,
    structured: bool,
    long_query: bool,
    truncated: bool,
) -> float:
    """See the module docstring."""
    confidence = 0.25 + 0.75 * understood
    if price.spans:
        confidence *= 0.5 + 0.5 * price.confidence
    if correction is not None:
        confidence *= correction.confidence
    if not structured:
        confidence *= 0.85
    if long_query:
        confidence *= 0.8
    if truncated:
        confidence *= 0.5
    return round(max(0.0, min(1.0, confidence)), 3)


def _minimal(raw: str, analyzer: ChineseAnalyzer | None) -> ParsedQuery:
    """The parse returned when something failed: the normalised text as the only keyword."""
    try:
        normalized = analyzer.normalize(raw[:MAX_QUERY_CHARS]) if analyzer is not None else raw
    except Exception:
        log.exception("normalisation failed; using the raw query")
        normalized = raw[:MAX_QUERY_CHARS]
    return ParsedQuery(
        text=raw, normalized=normalized, keywords=[normalized] if normalized else [], parser="rules", confidence=0.0
    )
