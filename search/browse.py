"""Browsing: an empty query lists the matching products by popularity (or by the requested price order).

Products without the sort field (no sales, no price) follow those with one, so every
matching product can be paged through; facets count the whole matching set. For a
known shopper the engine reranks the most popular ``pool`` products with their
personal terms (see :meth:`search.engine.SearchEngine.search`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from search.profiles import Profile
from search.rank.facets import band_label, price_bands
from search.store.base import Filter, Hit, Store
from search.understand.parsed import Sort

_ORDER = {"price_asc": ("price", False), "price_desc": ("price", True)}


@dataclass(frozen=True)
class BrowsePage:
    """One page of a browse."""

    total: int
    hits: list[Hit]
    facets: dict[str, Any]


def browse(store: Store, flt: Filter, sort: Sort, page: int, size: int, profile: Profile) -> BrowsePage:
    """The requested page of the products matching ``flt``, with the total and facets."""
    total = store.count(flt)
    hits = browse_hits(store, flt, sort, (page - 1) * size, size, total)
    return BrowsePage(total, hits, browse_facets(store, flt, profile))


def browse_hits(store: Store, flt: Filter, sort: Sort, offset: int, limit: int, total: int) -> list[Hit]:
    """``limit`` products from position ``offset`` in browse order (``total``: how many match)."""
    field, descending = _ORDER.get(sort, ("sales", True))
    with_field = store.count(replace(flt, require=(field,)))
    hits: list[Hit] = []
    if offset < with_field:
        hits = store.browse(flt, field, descending, limit, offset)
    if len(hits) < limit and offset + len(hits) < total:
        rest = max(0, offset - with_field)
        hits += store.browse(replace(flt, missing=(field,)), None, False, limit - len(hits), rest)
    return hits


def browse_facets(store: Store, flt: Filter, profile: Profile) -> dict[str, Any]:
    """Exact brand, category and price-band counts over the matching products."""
    if not profile.facets.enabled:
        return {}
    return {
        "brand": [{"value": v, "count": n} for v, n in store.facet("brand", flt, profile.facets.size)],
        "category": [{"value": v, "count": n} for v, n in store.facet("category", flt, profile.facets.size)],
        "price": price_band_counts(store, flt, profile.facets.price_bands),
    }


def price_band_counts(store: Store, flt: Filter, bounds: list[float]) -> list[dict[str, Any]]:
    """Exact counts per price band of the products matching ``flt``."""
    out = []
    for lo, hi in price_bands(bounds):
        low = lo if flt.price_min is None else max(lo, flt.price_min)
        band = replace(flt, price_min=low, price_below=hi, price_unknown_ok=False)  # a band holds known prices
        out.append({"value": band_label(lo, hi), "min": lo, "max": hi, "count": store.count(band)})
    return out
