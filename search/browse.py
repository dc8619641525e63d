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
from search.rank.candidate import Candidate
from search.rank.facets import band_label, price_bands
from search.rank.personalize import Personalizer
from search.request import SearchRequest
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


def browse_candidates(
    store: Store, flt: Filter, sort: Sort, req: SearchRequest, profile: Profile, personalizer: Personalizer | None
) -> tuple[int, list[Candidate]]:
    """The matching total and one page of an empty query: products by popularity, and for a known
    shopper the popular ``pool`` reranked with their personal terms."""
    total = store.count(flt)
    start = (req.page - 1) * req.size
    personal = (
        req.user_id is not None
        and personalizer is not None
        and profile.personalization.enabled
        and sort in ("relevance", "sales")
        and start < profile.pool
    )

    def by_position(hits: list[Hit], first: int) -> list[Candidate]:
        # the browse score is the position in the popular pool: 1 for the first, 0 from the pool's end
        scores = [max(0.0, 1.0 - (first + i) / profile.pool) for i in range(len(hits))]
        return [Candidate(h.id, h.payload, {}, relevance=s, final=s) for h, s in zip(hits, scores, strict=True)]

    if not personal:
        candidates = by_position(browse_hits(store, flt, sort, start, req.size, total), start)
    else:
        assert personalizer is not None and req.user_id is not None
        pool = by_position(browse_hits(store, flt, sort, 0, profile.pool, total), 0)
        ranked = personalizer.rerank(req.user_id, pool, profile.personalization)
        candidates = sorted(ranked, key=lambda c: (-c.total, c.id))[start : start + req.size]
        if len(candidates) < req.size and len(pool) == profile.pool:
            more = browse_hits(store, flt, sort, profile.pool, req.size - len(candidates), total)
            candidates += by_position(more, profile.pool)
    return total, candidates
