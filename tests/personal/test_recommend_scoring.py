"""Pure recommendation scoring: blending, top-k with exclusions, similar-product blend."""

from __future__ import annotations

import numpy as np
import pytest

from search.personal.config import AffinityConfig, RecommendConfig, SimilarConfig
from search.personal.recommend import blend_scores, log_normalised, max_normalised, rank_top, similar_blend


def test_normalisers():
    assert max_normalised(np.array([2.0, 1.0, -3.0])).tolist() == [1.0, 0.5, 0.0]
    assert max_normalised(np.array([-1.0])).tolist() == [0.0]
    assert log_normalised(np.array([0.0, 3.0])).tolist() == pytest.approx([0.0, 1.0])


def test_blend_scores_adds_weighted_parts():
    cf = np.array([1.0, 0.5, 0.0])
    brands = np.array([0.0, 1.0, 0.0])
    cats = np.zeros(3)
    pop = np.array([0.0, 0.0, 10.0])
    w = RecommendConfig(cf=1.0, affinity=0.5, popularity=0.1)
    got = blend_scores(cf, brands, cats, pop, w, AffinityConfig(brand=1.0, category=0.0))
    assert got.tolist() == pytest.approx([1.0, 1.0, 0.1])
    no_cf = blend_scores(None, brands, cats, pop, w, AffinityConfig(brand=1.0, category=0.0))
    assert no_cf.tolist() == pytest.approx([0.0, 0.5, 0.1])


def test_rank_top_excludes_and_orders_ties_by_id():
    ids = ["d", "c", "b", "a"]
    scores = np.array([1.0, 2.0, 2.0, 3.0])
    exclude = np.array([False, False, False, True])
    assert rank_top(ids, scores, exclude, 2) == [("b", 2.0), ("c", 2.0)]
    assert rank_top(ids, scores, np.ones(4, bool), 3) == []
    assert [i for i, _ in rank_top(ids, scores, np.zeros(4, bool), 10)] == ["a", "b", "c", "d"]


def test_similar_blend_handles_cold_products_and_excludes_self():
    cfg = SimilarConfig(cf_weight=0.5, dense_weight=0.5)
    dense_only = similar_blend([], [("x", 0.9), ("y", 0.8), ("self", 1.0)], cfg, "self")
    assert [i for i, _ in dense_only] == ["x", "y"]
    cf_only = similar_blend([("a", 0.4), ("b", 0.1)], [], cfg, "self")
    assert cf_only == [("a", pytest.approx(0.2)), ("b", pytest.approx(0.05))]
    both = similar_blend([("y", 0.9)], [("x", 0.9), ("y", 0.85), ("z", 0.8)], cfg, "self")
    assert both[0][0] == "y"  # seen together by shoppers and close in meaning
    assert similar_blend([], [], cfg, "self") == []
