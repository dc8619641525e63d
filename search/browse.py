"""Browsing: an empty query lists the matching products by popularity (or by the requested price order).

Products without the sort field (no sales, no price) follow those with one, so every
matching product can be paged through; facets count the whole matching set.
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
    """The requested page of the products matching ``flt``."""
    field, descending = _ORDER.get(sort, ("sales", True))
    total = store.count(flt)
    start = (page - 1) * size
    with_field = store.count(replace(flt, require=(field,)))
    hits: list[Hit] = []
    if start < with_field:
        hits = store.browse(flt, field, descending, size, start)
    if len(hits) < size and start + len(hits) < total:
        offset = max(0, start - with_field)
        hits += store.browse(replace(flt, missing=(field,)), None, False, size - len(hits), offset)
    facets: dict[str, Any] = {}
    if profile.facets.enabled:
        facets = {
            "brand": [{"value": v, "count": n} for v, n in store.facet("brand", flt, profile.facets.size)],
            "category": [{"value": v, "count": n} for v, n in store.facet("category", flt, profile.facets.size)],
            "price": price_band_counts(store, flt, profile.facets.price_bands),
        }
    return BrowsePage(total, hits, facets)


def price_band_counts(store: Store, flt: Filter, bounds: list[float]) -> list[dict[str, Any]]:
    """Exact counts per price band of the products matching ``flt``."""
    out = []
    for lo, hi in price_bands(bounds):
        low = lo if flt.price_min is None else max(lo, flt.price_min)
        band = replace(flt, price_min=low, price_below=hi)
        out.append({"value": band_label(lo, hi), "min": lo, "max": hi, "count": store.count(band)})
    return out
