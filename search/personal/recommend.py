"""Pure scoring for recommendations and similar products (arrays and lists in, ranked ids out)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search.personal.config import AffinityConfig, RecommendConfig, SimilarConfig


def max_normalised(values: np.ndarray) -> np.ndarray:
    """Values over the largest one, negatives clipped to 0 (zeros when none is positive)."""
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return np.zeros_like(values, dtype=np.float64)
    return np.clip(values, 0.0, None) / top


def log_normalised(values: np.ndarray) -> np.ndarray:
    """``log1p(v) / log1p(max)`` (zeros when nothing is positive)."""
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return np.zeros_like(values, dtype=np.float64)
    return np.log1p(np.clip(values, 0.0, None)) / np.log1p(top)


def blend_scores(
    cf: np.ndarray | None,
    brands: np.ndarray,
    categories: np.ndarray,
    popularity: np.ndarray,
    weights: RecommendConfig,
    affinity: AffinityConfig,
) -> np.ndarray:
    """Per product: ``cf`` (max-normalised) + affinity (weighted brand/category mean) + popularity (log-normalised).

    Each part is in 0..1 before its weight; ``cf`` is None for a shopper the model lacks.
    """
    total = affinity.brand + affinity.category
    aff = (affinity.brand * brands + affinity.category * categories) / total if total > 0 else np.zeros_like(brands)
    score = weights.affinity * aff + weights.popularity * log_normalised(popularity)
    if cf is not None:
        score = score + weights.cf * max_normalised(cf)
    return score


def rank_top(ids: Sequence[str], scores: np.ndarray, exclude: np.ndarray, size: int) -> list[tuple[str, float]]:
    """The ``size`` best ``(id, score)`` not excluded, best first, ties by id."""
    allowed = np.flatnonzero(~exclude)
    if size <= 0 or not len(allowed):
        return []
    values = scores[allowed]
    if len(allowed) > size:
        cut = np.partition(-values, size - 1)[size - 1]  # the size-th best score
        keep = values >= -cut
        allowed, values = allowed[keep], values[keep]
    rows = [int(r) for r in allowed]
    order = sorted(range(len(rows)), key=lambda i: (-values[i], ids[rows[i]]))[:size]
    return [(ids[rows[i]], float(values[i])) for i in order]


def similar_blend(
    cf: Sequence[tuple[str, float]],
    dense: Sequence[tuple[str, float]],
    config: SimilarConfig,
    exclude: str,
) -> list[tuple[str, float]]:
    """Co-occurrence and embedding neighbours blended: ``cf_weight * cosine + dense_weight * dense``.

    The co-occurrence cosine (0..1) is used as is, so a weak pair stays weak; embedding
    scores are min-max normalised over the neighbours (their raw cosines crowd into a
    narrow band). A product without behaviour still gets its embedding neighbours, a
    product without a vector its co-occurrence ones. Best first, ties by id.
    """
    scores: dict[str, float] = {}
    for pid, s in cf:
        if pid != exclude:
            scores[pid] = scores.get(pid, 0.0) + config.cf_weight * max(0.0, min(1.0, s))
    dense = [(pid, s) for pid, s in dense if pid != exclude]
    if dense:
        lo, hi = min(s for _, s in dense), max(s for _, s in dense)
        for pid, s in dense:
            norm = 1.0 if hi <= lo else (s - lo) / (hi - lo)
            scores[pid] = scores.get(pid, 0.0) + config.dense_weight * norm
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
