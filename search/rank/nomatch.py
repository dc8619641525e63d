"""Knowing when nothing matches: is anything the shopper asked for in the catalog at all?

Fusion normalises scores, so the best candidate always looks like a match. This stage
looks at evidence the pipeline already has and decides per query:

1. **Intent**: the query names a brand or category the catalog has (``兰芝 火箭`` keeps
   the 兰芝 products); a brand the catalog lacks counts against it.
2. **Words**: the share of the query's words (jieba words and model numbers, weighted
   by how rare they are in the catalog; never character n-grams, which match anything)
   found in the best-covered of the top items. A word no title holds weighs the most. A
   compound word no item holds whole (室外天线) counts for the share of its parts one holds,
   and a Latin word also matches with separators dropped (``heynaofficial``: ``HEYNA_Official``).
   A Latin run is one word (``asdfghjkl``, not the dictionary's ``asd`` + ``fghjkl``). A word
   only one or two titles hold (``律师``, ``火箭``) is held by coincidence unless that item is
   also close in meaning: its dense similarity must reach ``rare_dense``, calibrated on the
   shared data as the 25th percentile of products annotators judged relevant (an item further
   from the query than three quarters of relevant products holds its rarest words by chance).
3. **Meaning**: the best dense (embedding) similarity, against a threshold calibrated on
   the shared data (``benchmarks/nomatch_calibrate.py``).

A Chinese word that neither the catalog nor the segmenter's dictionary knows (the segmenter
guessed it from characters it could not place: ``龙登爱`` in a misspelt ``龙登爱增美``) is no
evidence either way: it is a typo or a name the engine cannot read, not a product the shop
lacks. Such words are left out of the coverage; a query made only of them keeps its results.

Nothing matches when none of them holds; the search then returns ``total: 0`` and no
items, and the candidates it had go into ``related`` (what the page shows under "no
exact match"), if the profile asks for them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from search.profiles import NoMatchConfig
from search.rank.candidate import Candidate
from search.rank.highlight import contains
from search.store.base import DENSE
from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon
from search.text.normalize import normalize
from search.understand.parsed import ParsedQuery

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_SKIP = re.compile(r"^[\W_]+$", re.UNICODE)
#: a weak word (one Chinese character, one letter, a bare number) weighs this much of a word
WEAK_WEIGHT = 0.3


@dataclass(frozen=True)
class Verdict:
    """Whether the catalog holds what the query asks for, and the evidence."""

    matched: bool
    reason: str
    coverage: float = 0.0
    dense: float | None = None
    absent: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "reason": self.reason,
            "coverage": round(self.coverage, 4),
            "dense": None if self.dense is None else round(self.dense, 4),
            "absent": self.absent,
        }


def latin_runs(tokens: Iterable[str]) -> list[str]:
    """The segmenter's tokens with each run of Latin letters and digits joined back into one word
    (``asd`` + ``fghjkl`` -> ``asdfghjkl``; ``model`` + space + ``3`` stay two)."""
    out: list[str] = []
    glued = False
    for token in tokens:
        latin = token.isascii() and token.isalnum()
        if latin and glued and out:
            out[-1] += token
        else:
            out.append(token)
        glued = latin
    return out


def weak(term: str) -> bool:
    """One Chinese character, one letter or a bare number: matches too much to count alone."""
    return len(term) == 1 or term.isdigit()


def query_terms(tokens: Iterable[str], stopwords: frozenset[str]) -> list[str]:
    """The words to look for, from the analyzer's plain segmentation (punctuation and stopwords dropped)."""
    out: dict[str, None] = {}
    for token in tokens:
        token = token.strip()
        if token and not _SKIP.match(token) and token not in stopwords:
            out[token] = None
    return list(out)


def idf(df: int, n_docs: int) -> float:
    """Rarity of a word held by ``df`` of ``n_docs`` titles (a word no title holds weighs the most)."""
    return math.log(1.0 + n_docs / (df + 1.0))


def item_text(payload: Mapping[str, Any]) -> str:
    """What an item says about itself: title, brand and category, normalised."""
    parts = (payload.get("title"), payload.get("brand"), payload.get("category"))
    return normalize(" ".join(p for p in parts if isinstance(p, str)))


_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def held(text: str, term: str, parts: Sequence[str] = ()) -> float:
    """How much of ``term`` a text holds: 1 whole (a Latin term also with separators dropped:
    ``heyna_official``), else the share of its ``parts`` it holds."""
    if contains(text, term):
        return 1.0
    if term.isascii() and contains(_SEPARATORS.sub("", text), term):
        return 1.0
    if not parts:
        return 0.0
    return sum(1 for p in parts if contains(text, p)) / len(parts)


def coverage(
    terms: Sequence[str],
    weights: Sequence[float],
    texts: Iterable[str],
    parts: Mapping[str, Sequence[str]] | None = None,
    rare: frozenset[str] = frozenset(),
    far: Sequence[bool] = (),
) -> float:
    """The best share (by weight) of the terms that one of the texts holds (``parts``: a compound
    term's pieces, credited when the whole is not held). ``far[i]``: the i-th text is far in
    meaning from the query, so the ``rare`` terms it holds do not count."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    parts = parts or {}
    best = 0.0
    for i, text in enumerate(texts):
        coincidence = i < len(far) and far[i]
        share = (
            sum(
                w * held(text, t, parts.get(t, ()))
                for t, w in zip(terms, weights, strict=True)
                if not (coincidence and t in rare)
            )
            / total
        )
        best = max(best, share)
        if best >= 1.0:
            break
    return best


def judge(
    terms: Sequence[str],
    weights: Sequence[float],
    texts: Iterable[str],
    dense: float | None,
    *,
    known_intent: bool,
    absent_brands: Sequence[str],
    min_coverage: float,
    dense_threshold: float,
    parts: Mapping[str, Sequence[str]] | None = None,
    unknown: Sequence[str] = (),
    rare: frozenset[str] = frozenset(),
    far: Sequence[bool] = (),
) -> Verdict:
    """The decision (see the module docstring). ``texts``: the top items' :func:`item_text`;
    ``unknown``: words of ``terms`` no dictionary knows (left out; only those: no verdict);
    ``rare`` and ``far``: see :func:`coverage`."""
    if known_intent:
        return Verdict(True, "intent", dense=dense)
    if unknown:
        if all(t in unknown for t in terms) and not absent_brands:
            return Verdict(True, "unknown words", dense=dense)
        kept = [(t, w) for t, w in zip(terms, weights, strict=True) if t not in unknown]
        terms, weights = [t for t, _ in kept], [w for _, w in kept]
    if not terms:  # only fillers and stopwords: the meaning decides
        matched = dense is not None and dense >= dense_threshold
        return Verdict(matched, "meaning" if matched else "no words", dense=dense)
    cov = coverage(terms, weights, texts, parts, rare, far)
    absent = list(absent_brands)
    if cov >= min_coverage and not absent:
        return Verdict(True, "words", cov, dense)
    if dense is not None and dense >= dense_threshold and not absent:
        return Verdict(True, "meaning", cov, dense)
    return Verdict(False, "absent brand" if absent else "nothing similar", cov, dense, absent)


def assess(
    parsed: ParsedQuery,
    candidates: Sequence[Candidate],
    analyzer: ChineseAnalyzer,
    lexicon: Lexicon,
    n_docs: int,
    config: NoMatchConfig,
) -> Verdict:
    """Judge one search: the parsed query and its ranked candidates, against the live build's vocabulary."""
    known: list[str] = []
    absent: list[str] = []
    for name in parsed.brands:
        key = lexicon.resolve_brand(name)
        brand = lexicon.brands.get(key) if key else None
        (known if brand is not None and brand.count > 0 else absent).append(name)
    terms = query_terms(latin_runs(analyzer.cut(analyzer.normalize(parsed.search_text))), analyzer.stopwords)
    weights = []
    parts: dict[str, list[str]] = {}
    unknown: list[str] = []
    rare: set[str] = set()
    for t in terms:
        df = lexicon.terms.get(t) or lexicon.latin_terms.get(t) or 0
        if 0 < df <= config.rare_df:
            rare.add(t)
        if df == 0 and len(t) >= 2 and _HAN.match(t) and analyzer.word_frequency(t) == 0:
            unknown.append(t)  # guessed by the segmenter: a typo or a name, not a product the shop lacks
        weights.append(idf(df, n_docs) * (WEAK_WEIGHT if weak(t) else 1.0))
        if len(t) >= 3 and _HAN.match(t):
            pieces = [p for p in analyzer.segment(t) if len(p) >= 2 and p != t]
            if pieces:
                parts[t] = pieces
    top = candidates[: config.top_k]
    dense_scores = [c.sources[DENSE][1] for c in candidates if c.sources.get(DENSE)]
    # an item the dense search did not return has no similarity to judge by: it is not called far
    far = [bool(c.sources.get(DENSE)) and c.sources[DENSE][1] < config.rare_dense for c in top]
    return judge(
        terms,
        weights,
        (item_text(c.payload) for c in top),
        max(dense_scores) if dense_scores else None,
        known_intent=bool(known),
        absent_brands=absent,
        min_coverage=config.min_coverage,
        dense_threshold=config.dense_threshold,
        parts=parts,
        unknown=unknown,
        rare=frozenset(rare),
        far=far,
    )
