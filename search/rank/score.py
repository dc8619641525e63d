"""Final scores and orderings of candidates. Pure functions over plain data."""

from __future__ import annotations

import math

from search.profiles import Profile
from search.rank.candidate import Candidate
from search.rank.intent import Intent, booster
from search.understand.parsed import Sort


def score_candidates(candidates: list[Candidate], intent: Intent, profile: Profile) -> None:
    """Set each candidate's relevance (fused score relative to the best), boosts and final score."""
    if not candidates:
        return
    best = max(c.fused for c in candidates)
    boost_cfg = profile.understanding.boosts
    max_sales = max((c.payload.get("sales") or 0 for c in candidates), default=0)
    boost = booster(intent, profile.understanding.intent, boost_cfg)
    for c in candidates:
        c.relevance = c.fused / best if best > 0 else 0.0
        c.boosts = boost(c.payload)
        if boost_cfg.popularity and max_sales > 0 and c.payload.get("sales"):
            c.boosts["popularity"] = boost_cfg.popularity * math.log1p(c.payload["sales"]) / math.log1p(max_sales)
        c.final = c.relevance + sum(c.boosts.values())


def order_candidates(candidates: list[Candidate], sort: Sort, profile: Profile) -> list[Candidate]:
    """Order by total score (ties by id), or by price / sales among the sufficiently relevant.

    With a price or sales sort, only candidates scoring at least ``sort_min_relevance``
    of the best are kept, so the cheapest item is a relevant one; products without a
    price (or sales) come after those with one.

    With a price bound and the relevance order, the on-topic products known to be in range
    (those that got the ``price`` boost) scoring at least ``sort_min_relevance`` of the best
    come first, then everything else in score order (products without a price among them):
    a boost alone lets an unpriced product with a better text match outrank them.
    """
    by_relevance = sorted(candidates, key=lambda c: (-c.total, c.id))
    if not candidates:
        return by_relevance
    if sort == "relevance":
        if not any("price" in c.boosts for c in by_relevance):
            return by_relevance
        floor = profile.sort_min_relevance * by_relevance[0].total
        first = [c for c in by_relevance if "price" in c.boosts and c.total >= floor]
        chosen = {id(c) for c in first}
        return first + [c for c in by_relevance if id(c) not in chosen]
    floor = profile.sort_min_relevance * by_relevance[0].total
    eligible = [c for c in by_relevance if c.total >= floor]
    key = "sales" if sort == "sales" else "price"
    known = [c for c in eligible if c.payload.get(key) is not None]
    unknown = [c for c in eligible if c.payload.get(key) is None]
    known.sort(key=lambda c: c.payload[key], reverse=(sort in ("sales", "price_desc")))
    return known + unknown
