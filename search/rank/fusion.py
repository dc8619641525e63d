"""Fusion of several ranked lists into one score per document. Pure functions over plain data.

Each source contributes a list of ``(doc id, score)`` best-first. Methods:

- ``rrf``: reciprocal rank fusion, ``sum_s w_s / (k + rank_s(d))`` with 1-based ranks
  and an explicit ``k`` (libraries disagree on the default: 60 in the paper, 2 in qdrant-client).
- ``dbsf``: distribution-based score fusion (as in Qdrant): each source's scores are
  scaled to ``[0, 1]`` by ``(s - (mean - 3 sd)) / (6 sd)`` (clipped), then weighted and summed.
- ``weighted``: each source's scores normalised (min-max over its list, or z-score), then a
  weighted sum. A document a source did not return gets 0 from that source.

Ties are broken by document id so that the order is total and stable across pages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

#: a document's name: a product id, or a store point key
K = TypeVar("K", str, int)
Ranked = Sequence[tuple[K, float]]


@dataclass(slots=True)
class Fused(Generic[K]):
    """A fused document: its score and each source's contribution to it."""

    id: K
    score: float
    contributions: dict[str, float]


def _normalized(scores: Sequence[float], how: str) -> list[float]:
    if not scores:
        return []
    if how == "minmax":
        lo, hi = min(scores), max(scores)
        span = hi - lo
        return [1.0 if span <= 0 else (s - lo) / span for s in scores]
    if how == "zscore":
        mean = sum(scores) / len(scores)
        sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
        return [0.0 if sd <= 0 else (s - mean) / sd for s in scores]
    if how == "dbsf":
        mean = sum(scores) / len(scores)
        sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
        if sd <= 0:
            return [0.5 for _ in scores]
        lo = mean - 3 * sd
        return [min(1.0, max(0.0, (s - lo) / (6 * sd))) for s in scores]
    raise ValueError(f"unknown normalisation {how!r}; valid: minmax, zscore, dbsf")


def _combine(per_source: Mapping[str, Mapping[K, float]], weights: Mapping[str, float]) -> list[Fused[K]]:
    contributions: dict[K, dict[str, float]] = {}
    for source, values in per_source.items():
        weight = weights.get(source, 0.0)
        for doc, value in values.items():
            contrib = contributions.get(doc)
            if contrib is None:
                contributions[doc] = {source: weight * value}
            else:
                contrib[source] = weight * value
    return sort_fused([Fused(doc, sum(contrib.values()), contrib) for doc, contrib in contributions.items()])


def sort_fused(items: Sequence[Fused[K]]) -> list[Fused[K]]:
    """Best first; equal scores ordered by id (a total, stable order)."""
    return sorted(items, key=lambda f: (-f.score, f.id))


def rrf(lists: Mapping[str, Ranked[K]], weights: Mapping[str, float], k: float = 60.0) -> list[Fused[K]]:
    """Weighted reciprocal rank fusion."""
    if k <= 0:
        raise ValueError("rrf k must be positive")
    per_source = {s: {doc: 1.0 / (k + rank) for rank, (doc, _) in enumerate(lst, start=1)} for s, lst in lists.items()}
    return _combine(per_source, weights)


def dbsf(lists: Mapping[str, Ranked[K]], weights: Mapping[str, float]) -> list[Fused[K]]:
    """Distribution-based score fusion."""
    per_source = {
        s: dict(zip((d for d, _ in lst), _normalized([x for _, x in lst], "dbsf"), strict=True))
        for s, lst in lists.items()
    }
    return _combine(per_source, weights)


def weighted(lists: Mapping[str, Ranked[K]], weights: Mapping[str, float], normalize: str = "minmax") -> list[Fused[K]]:
    """Weighted sum of per-source normalised scores."""
    per_source = {
        s: dict(zip((d for d, _ in lst), _normalized([x for _, x in lst], normalize), strict=True))
        for s, lst in lists.items()
    }
    return _combine(per_source, weights)


def fuse(
    method: str,
    lists: Mapping[str, Ranked[K]],
    weights: Mapping[str, float],
    k: float = 60.0,
    normalize: str = "minmax",
) -> list[Fused[K]]:
    """Dispatch on the method name (``rrf``, ``dbsf``, ``weighted``)."""
    if method == "rrf":
        return rrf(lists, weights, k)
    if method == "dbsf":
        return dbsf(lists, weights)
    if method == "weighted":
        return weighted(lists, weights, normalize)
    raise ValueError(f"unknown fusion method {method!r}; valid: rrf, dbsf, weighted")
