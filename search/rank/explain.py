"""Result items, with the per-stage explanation a relevance engineer reads."""

from __future__ import annotations

from typing import Any

from search.profiles import Profile
from search.rank.candidate import Candidate


def result_item(c: Candidate, explain: bool, profile: Profile, weights: dict[str, float]) -> dict[str, Any]:
    """The API item of a candidate; with ``explain``, every stage's rank and score.

    ``explain`` holds one entry per retrieval source (``{"rank", "score"}``; rank is None
    when the candidate was scored by a source without being in its top list, and the
    entry is None when the source did not match it at all), then ``fusion`` (method,
    score, adapted weights, each source's contribution, relevance relative to the best),
    ``boosts``, ``personalization`` and ``final``.
    """
    p = c.payload
    score = c.total
    item: dict[str, Any] = {
        "id": c.id,
        "title": p.get("title"),
        "brand": p.get("brand"),
        "category": p.get("category"),
        "price": p.get("price"),
        "score": round(score, 6),
    }
    if explain:
        stages: dict[str, Any] = {}
        for source in profile.active_sources():
            hit = c.sources.get(source)
            stages[source] = {"rank": hit[0], "score": round(hit[1], 6)} if hit else None
        stages["fusion"] = {
            "method": profile.fusion.method.value,
            "score": round(c.fused, 6),
            "weights": {k: round(v, 4) for k, v in weights.items()},
            "contributions": {k: round(v, 6) for k, v in c.contributions.items()},
            "relevance": round(c.relevance, 6),
        }
        stages["boosts"] = {k: round(v, 6) for k, v in c.boosts.items()}
        stages["personalization"] = {k: round(v, 6) for k, v in c.personal.items()}
        stages["final"] = round(score, 6)
        item["explain"] = stages
    return item
