"""Query-adaptive fusion: the shape of the query sets the blend of lexical and dense sources.

Model numbers (``p70d20tl-d4``, ``rtx4060``) and exact brand hits are where lexical
matching is reliable and embeddings blur; long descriptive queries
(``适合油皮的男士洗面奶``) are where embeddings understand and term matching
stumbles. :func:`query_shape` measures the query, :func:`adapt_weights` multiplies
the profile's source weights accordingly. Both are pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from search.profiles import AdaptiveConfig

_MIXED = re.compile(r"(?=.*[a-z])(?=.*\d)")
_DESCRIPTIVE_CUES = (
    "适合",
    "推荐",
    "什么",
    "怎么",
    "哪个",
    "哪款",
    "给",
    "送",
    "用的",
    "好用",
    "适用",
    "想要",
    "求",
)


@dataclass(frozen=True)
class QueryShape:
    """Features of a query that predict which retriever to trust."""

    model_number: bool
    brand: bool
    descriptive: bool
    short: bool
    words: int


def query_shape(normalized: str, words: list[str], models: list[str], brands: list[str], min_words: int) -> QueryShape:
    """Measure a query.

    Args:
        normalized: The normalised query text.
        words: Its jieba words (stopwords removed).
        models: Its Latin/digit tokens (whole forms and parts).
        brands: Brands the parser recognised.
        min_words: Word count from which a query counts as descriptive.
    """
    model_number = any(_MIXED.match(m) or ("-" in m and any(c.isdigit() for c in m)) for m in models)
    whole_models = {m for m in models if m in normalized}
    n_words = len(set(words)) + len(whole_models)
    descriptive = n_words >= min_words or any(cue in normalized for cue in _DESCRIPTIVE_CUES)
    compact = normalized.replace(" ", "")
    return QueryShape(
        model_number=model_number,
        brand=bool(brands),
        descriptive=descriptive and not model_number,
        short=len(compact) <= 3,
        words=n_words,
    )


def adapt_weights(
    weights: Mapping[str, float], shape: QueryShape, cfg: AdaptiveConfig, *, dense_sources: Collection[str]
) -> dict[str, float]:
    """Multiply lexical or dense weights by the factors the query's shape calls for.

    ``dense_sources`` names the sources that are dense (embedding) retrievers; the others are lexical.
    """
    if not cfg.enabled:
        return dict(weights)
    lexical = 1.0
    dense = 1.0
    if shape.model_number:
        lexical *= cfg.model_number_lexical
    if shape.brand:
        lexical *= cfg.brand_lexical
    if shape.descriptive:
        dense *= cfg.descriptive_dense
    if shape.short:
        lexical *= cfg.short_lexical
    return {name: w * (dense if name in dense_sources else lexical) for name, w in weights.items()}
