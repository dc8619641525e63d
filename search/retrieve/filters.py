"""The parts of a parsed intent that a profile applies as hard filters, as a store :class:`Filter`."""

from __future__ import annotations

from search.profiles import IntentConfig
from search.rank.intent import Intent
from search.store.base import Filter

__all__ = ["intent_filter"]


def intent_filter(intent: Intent, uses: IntentConfig) -> Filter:
    """The parts of the intent the profile applies as hard filters."""
    return Filter(
        brands=intent.brand_keys if uses.brand == "filter" else (),
        categories=intent.categories if uses.category == "filter" else (),
        price_min=intent.price_min if uses.price == "filter" else None,
        price_max=intent.price_max if uses.price == "filter" else None,
        price_unknown_ok=uses.price == "filter"
        and uses.price_unknown == "keep"
        and (intent.price_min is not None or intent.price_max is not None),
        attributes=tuple(("", v) for v in intent.attribute_values) if uses.attributes == "filter" else (),
        exclude_brands=intent.exclude_brand_keys if uses.exclude == "filter" else (),
    )
