"""Parsed intent, resolved against the catalog, as filters and score boosts.

:func:`resolve_intent` maps a :class:`ParsedQuery` onto catalog keys (brand keys,
category paths, attribute values); :func:`intent_boosts` scores how well
one product matches the parts used as boosts; :func:`is_excluded` applies
exclusions to a product's text. All but the first are pure. Turning the parts a
profile uses as filters into a store filter is retrieval's job
(:func:`search.retrieve.filters.intent_filter`): ranking stays pure over hits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from search.profiles import BoostConfig, IntentConfig
from search.text.lexicon import Lexicon
from search.text.normalize import normalize
from search.understand.parsed import ParsedQuery

_ORIGIN_SUFFIXES = ("产的", "产", "生产", "制造", "进口")


@dataclass(frozen=True)
class Intent:
    """What the shopper asked for, in the catalog's own keys."""

    brand_keys: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    product_words: tuple[str, ...] = ()
    attribute_values: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    exclude_brand_keys: tuple[str, ...] = ()
    exclude_phrases: tuple[str, ...] = ()


def _strip_origin(phrase: str) -> str:
    for suffix in _ORIGIN_SUFFIXES:
        if phrase.endswith(suffix) and len(phrase) > len(suffix):
            return phrase[: -len(suffix)]
    return phrase


def resolve_intent(parsed: ParsedQuery, lexicon: Lexicon) -> Intent:
    """Resolve a parse against the lexicon (unknown brands and categories are dropped)."""
    brand_keys = tuple(dict.fromkeys(k for k in (lexicon.resolve_brand(b) for b in parsed.brands) if k))
    excluded_brands: list[str] = []
    phrases: list[str] = []
    for phrase in parsed.exclude:
        key = lexicon.resolve_brand(phrase)
        if key:
            excluded_brands.append(key)
        norm = _strip_origin(normalize(phrase))
        if norm:
            phrases.append(norm)
    return Intent(
        brand_keys=tuple(k for k in brand_keys if k not in excluded_brands),
        categories=tuple(c for c in (normalize(c) for c in parsed.categories) if c in lexicon.categories),
        product_words=tuple(dict.fromkeys(normalize(w) for w in parsed.product_words if w)),
        attribute_values=tuple(dict.fromkeys(normalize(v) for v in parsed.attributes.values() if v)),
        price_min=parsed.price_min,
        price_max=parsed.price_max,
        exclude_brand_keys=tuple(dict.fromkeys(excluded_brands)),
        exclude_phrases=tuple(dict.fromkeys(phrases)),
    )


def _text(payload: dict[str, Any]) -> str:
    return _normalized(" ".join(str(payload.get(k) or "") for k in ("title", "brand")))


@lru_cache(maxsize=1 << 16)
def _normalized(text: str) -> str:
    """Normalised product text, memoised: the same candidates come back query after query."""
    return normalize(text)


def intent_boosts(payload: dict[str, Any], intent: Intent, uses: IntentConfig, boosts: BoostConfig) -> dict[str, float]:
    """Boost terms for one product: brand, category, product word, attribute and price matches.

    A price in range lifts only products that are what the query asks for (its product word
    and brand, where the query names them), so that for a query whose products carry no
    prices the priced products of other kinds do not rise above them.
    """
    return booster(intent, uses, boosts)(payload)


def booster(intent: Intent, uses: IntentConfig, boosts: BoostConfig) -> Callable[[dict[str, Any]], dict[str, float]]:
    """:func:`intent_boosts` for one request: what the intent and profile ask for is worked out once."""
    wanted_brands = frozenset(intent.brand_keys)
    wanted_paths = frozenset(intent.categories)
    words = intent.product_words
    values = intent.attribute_values
    do_brand = uses.brand == "boost" and bool(boosts.brand) and bool(wanted_brands)
    do_category = uses.category == "boost" and bool(boosts.category) and bool(wanted_paths)
    do_attributes = uses.attributes == "boost" and bool(values) and bool(boosts.attribute)
    ranks_known_prices = uses.price == "boost" or (uses.price == "filter" and uses.price_unknown == "keep")
    bounded = intent.price_min is not None or intent.price_max is not None
    do_price = ranks_known_prices and bool(boosts.price) and bounded
    lo = intent.price_min if intent.price_min is not None else float("-inf")
    hi = intent.price_max if intent.price_max is not None else float("inf")
    need_text = bool(words or values)
    if not (do_brand or do_category or need_text or do_price):
        return lambda payload: {}

    def boost(payload: dict[str, Any]) -> dict[str, float]:
        out: dict[str, float] = {}
        brand_match = bool(wanted_brands) and not wanted_brands.isdisjoint(payload.get("brand_keys") or ())
        if do_brand and brand_match:
            out["brand"] = boosts.brand
        if do_category and not wanted_paths.isdisjoint(payload.get("category_path") or ()):
            out["category"] = boosts.category
        text = _text(payload) if need_text else ""
        word_match = any(w in text for w in words)
        if word_match and boosts.product_word:
            out["product_word"] = boosts.product_word
        if do_attributes:
            keys = set(payload.get("attr_keys") or ())
            hits = sum(1 for v in values if f"={v}" in keys or v in text)
            if hits:
                out["attribute"] = boosts.attribute * hits
        if do_price:
            price = payload.get("price")
            on_topic = (word_match or not words) and (brand_match or not wanted_brands)
            if price is not None and lo <= price <= hi and on_topic:
                out["price"] = boosts.price
        return out

    return boost


def is_excluded(payload: dict[str, Any], intent: Intent) -> bool:
    """True when the product's title, brand or attributes mention an excluded phrase."""
    if not intent.exclude_phrases:
        return False
    text = _text(payload)
    values = " ".join(k.split("=", 1)[-1] for k in payload.get("attr_keys") or ())
    return any(p in text or p in values for p in intent.exclude_phrases)
