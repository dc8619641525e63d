"""Properties of fusion and final scoring that must hold for any input (hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.profiles import ProfileRegistry
from search.rank.candidate import Candidate
from search.rank.fusion import fuse
from search.rank.intent import Intent
from search.rank.score import order_candidates, score_candidates
from tests.conftest import CONFIGS

METHODS = [("rrf", "minmax"), ("dbsf", "minmax"), ("weighted", "minmax"), ("weighted", "zscore")]
SOURCES = ("bm25", "ngram", "dense")

_docs = st.sampled_from([f"p{i:02d}" for i in range(12)])
# scores on a coarse grid so that ties happen often
_score = st.integers(min_value=0, max_value=8).map(lambda n: n / 4)


@st.composite
def ranked_lists(draw: st.DrawFn) -> dict[str, list[tuple[str, float]]]:
    """Best-first lists per source, each id at most once per list."""
    out = {}
    for source in draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3, unique=True)):
        ids = draw(st.lists(_docs, max_size=8, unique=True))
        scores = sorted((draw(_score) for _ in ids), reverse=True)
        out[source] = list(zip(ids, scores, strict=True))
    return out


_weights = st.fixed_dictionaries({s: st.integers(min_value=0, max_value=8).map(lambda n: n / 4) for s in SOURCES})


def _scores(fused) -> dict[str, float]:
    return {f.id: f.score for f in fused}


def _shuffled_sources(lists: dict, seed: int) -> dict:
    keys = list(lists)
    random.Random(seed).shuffle(keys)
    return {k: lists[k] for k in keys}


@pytest.mark.parametrize(("method", "normalize"), METHODS)
@settings(max_examples=60, deadline=None)
@given(lists=ranked_lists(), weights=_weights, seed=st.integers(0, 1000))
def test_fusion_ignores_the_order_of_sources(method, normalize, lists, weights, seed):
    a = fuse(method, lists, weights, k=60, normalize=normalize)
    b = fuse(method, _shuffled_sources(lists, seed), weights, k=60, normalize=normalize)
    assert [f.id for f in a] == [f.id for f in b]
    assert _scores(a) == pytest.approx(_scores(b))


@pytest.mark.parametrize(("method", "normalize"), [m for m in METHODS if m[0] != "rrf"])
@settings(max_examples=60, deadline=None)
@given(lists=ranked_lists(), weights=_weights, seed=st.integers(0, 1000))
def test_score_based_fusion_ignores_the_order_within_a_list(method, normalize, lists, weights, seed):
    shuffled = {s: random.Random(seed).sample(lst, len(lst)) for s, lst in lists.items()}
    a = fuse(method, lists, weights, normalize=normalize)
    b = fuse(method, shuffled, weights, normalize=normalize)
    assert _scores(a) == pytest.approx(_scores(b))


@pytest.mark.parametrize(("method", "normalize"), METHODS)
@settings(max_examples=60, deadline=None)
@given(lists=ranked_lists(), weights=_weights)
def test_fusion_is_a_total_order_with_ties_by_id(method, normalize, lists, weights):
    fused = fuse(method, lists, weights, k=60, normalize=normalize)
    ids = [f.id for f in fused]
    assert len(ids) == len(set(ids)) and set(ids) == {d for lst in lists.values() for d, _ in lst}
    for x, y in zip(fused, fused[1:], strict=False):
        assert x.score > y.score or (x.score == y.score and x.id < y.id)
    for f in fused:
        assert sum(f.contributions.values()) == pytest.approx(f.score)
        assert set(f.contributions) <= set(lists)


@pytest.mark.parametrize(("method", "normalize"), METHODS)
@settings(max_examples=60, deadline=None)
@given(lists=ranked_lists(), weights=_weights, source=st.sampled_from(SOURCES), extra=st.integers(1, 8))
def test_more_weight_on_a_source_never_lowers_what_it_found(method, normalize, lists, weights, source, extra):
    before = _scores(fuse(method, lists, weights, k=60, normalize=normalize))
    raised = {**weights, source: weights[source] + extra / 4}
    after = _scores(fuse(method, lists, raised, k=60, normalize=normalize))
    found = {d for d, _ in lists.get(source, [])}
    for doc, score in before.items():
        if doc not in found:
            assert after[doc] == pytest.approx(score)  # untouched by the source's weight
        elif normalize != "zscore":  # z-scores are negative below the mean: weight pushes those down
            assert after[doc] >= score - 1e-12
    # and a document the source found keeps its lead over one it did not
    for d in found:
        for e in set(before) - found:
            if before[d] >= before[e]:
                assert after[d] >= after[e] - 1e-12 or normalize == "zscore"


@pytest.mark.parametrize(("method", "normalize"), METHODS)
@settings(max_examples=100, deadline=None)
@given(lists=ranked_lists(), weights=_weights, factor=st.integers(2, 5))
def test_scaling_every_weight_scales_every_score(method, normalize, lists, weights, factor):
    a = _scores(fuse(method, lists, weights, k=60, normalize=normalize))
    b = _scores(fuse(method, lists, {s: w * factor for s, w in weights.items()}, k=60, normalize=normalize))
    assert b == pytest.approx({d: s * factor for d, s in a.items()})


# ---------------------------------------------------------------------------- final scores and order


@pytest.fixture(scope="module")
def profile():
    base = ProfileRegistry.load(CONFIGS, "hybrid").get("hybrid")
    boosts = base.understanding.boosts.model_copy(update={"popularity": 0.1})
    return base.model_copy(update={"understanding": base.understanding.model_copy(update={"boosts": boosts})})


_candidates = st.lists(
    st.tuples(
        _docs,
        st.integers(0, 8).map(lambda n: n / 8),  # fused
        st.one_of(st.none(), st.integers(0, 5000)),  # sales
        st.one_of(st.none(), st.integers(1, 20).map(lambda n: n * 50.0)),  # price
    ),
    max_size=10,
    unique_by=lambda t: t[0],
)


def _make(rows) -> list[Candidate]:
    return [
        Candidate(pid, {"id": pid, "sales": sales, "price": price}, {}, fused=fused)
        for pid, fused, sales, price in rows
    ]


@settings(max_examples=100, deadline=None)
@given(rows=_candidates, seed=st.integers(0, 1000))
def test_final_scores_are_relative_monotonic_and_order_free(profile, rows, seed):
    candidates = _make(rows)
    score_candidates(candidates, Intent(), profile)
    if not candidates:
        return
    best = max(c.fused for c in candidates)
    for c in candidates:
        assert 0.0 <= c.relevance <= 1.0
        assert c.relevance == (c.fused / best if best > 0 else 0.0)
        assert c.final == pytest.approx(c.relevance + sum(c.boosts.values()))
    for a in candidates:
        for b in candidates:
            same_sales = (a.payload["sales"] or 0) == (b.payload["sales"] or 0)
            if a.fused >= b.fused and same_sales:
                assert a.final >= b.final - 1e-12  # more relevant, equally popular: never below
    shuffled = _make(random.Random(seed).sample(rows, len(rows)))
    score_candidates(shuffled, Intent(), profile)
    for sort in ("relevance", "price_asc", "price_desc", "sales"):
        assert [c.id for c in order_candidates(candidates, sort, profile)] == [
            c.id for c in order_candidates(shuffled, sort, profile)
        ]


@settings(max_examples=100, deadline=None)
@given(rows=_candidates)
def test_relevance_order_breaks_ties_by_id_and_sorts_keep_only_the_relevant(profile, rows):
    candidates = _make(rows)
    score_candidates(candidates, Intent(), profile)
    ordered = order_candidates(candidates, "relevance", profile)
    for x, y in zip(ordered, ordered[1:], strict=False):
        assert x.total > y.total or (x.total == y.total and x.id < y.id)
    if not ordered:
        return
    floor = profile.sort_min_relevance * ordered[0].total
    cheap = order_candidates(candidates, "price_asc", profile)
    assert all(c.total >= floor for c in cheap)
    prices = [c.payload["price"] for c in cheap if c.payload["price"] is not None]
    assert prices == sorted(prices)
    assert all(c.payload["price"] is None for c in cheap[len(prices) :])
