"""Pure personalization scoring: decay, affinities, personal terms and the rerank rules (no SQLite, no model)."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.personal.config import AffinityConfig
from search.personal.scoring import (
    ShopperSignals,
    accumulate,
    affinity_score,
    item_keys,
    merge,
    normalise_log,
    normalise_max,
    personal_terms,
    relative,
    rerank,
)
from search.profiles import PersonalizationConfig
from search.rank.candidate import Candidate

TAU = 86400.0 * 30 / math.log(2)
DAY = 86400.0


def _cand(pid: str, final: float, brand: str | None = None, category: str | None = None, asked: bool = False):
    payload = {"id": pid, "brand": brand, "brand_key": brand.lower() if brand else None, "category": category}
    return Candidate(pid, payload, {}, final=final, boosts={"brand": 0.15} if asked else {})


def test_decay_halves_every_half_life():
    score, ref = merge((1.0, 0.0), (0.0, 30 * DAY), TAU)
    assert ref == 30 * DAY
    assert score == pytest.approx(0.5)


events = st.lists(
    st.tuples(st.sampled_from("abc"), st.floats(0.1, 10), st.floats(1.7e9, 1.8e9)), min_size=1, max_size=30
)


@settings(max_examples=60, deadline=None)
@given(events)
def test_accumulate_does_not_depend_on_order(contribs):
    """The online profile adds events as they come; a batch recomputation must agree."""
    forward = accumulate(contribs, TAU)
    shuffled = list(contribs)
    random.Random(1).shuffle(shuffled)
    backward = accumulate(shuffled, TAU)
    assert forward.keys() == backward.keys()
    ref = max(ts for _, _, ts in contribs)
    for key in forward:
        (s1, r1), (s2, r2) = forward[key], backward[key]
        # compare at one common time
        assert s1 * math.exp(-(ref - r1) / TAU) == pytest.approx(s2 * math.exp(-(ref - r2) / TAU), rel=1e-9)


def test_relative_affinity_is_relative_to_the_strongest_and_recent_counts_more():
    scores = {"old": (4.0, 0.0), "new": (4.0, 60 * DAY)}
    aff = relative(scores, TAU)
    assert aff["new"] == pytest.approx(1.0)
    assert aff["old"] == pytest.approx(0.25)  # two half-lives older
    with_prior = relative(scores, TAU, prior=4.0)
    assert with_prior["new"] == pytest.approx(0.5)
    assert relative({}, TAU) == {}


def test_relative_does_not_depend_on_the_clock():
    """Ages count from the shopper's latest event: shifting every event in time changes nothing."""
    a = relative({"x": (3.0, 1e9), "y": (1.0, 1e9 - 5 * DAY)}, TAU)
    b = relative({"x": (3.0, 1.7e9), "y": (1.0, 1.7e9 - 5 * DAY)}, TAU)
    assert a == pytest.approx(b)


def test_item_keys_use_the_canonical_brand():
    assert item_keys({"brand": "Olay/玉兰油", "brand_key": "olay", "category": "美妆/面霜/"}) == ("olay", "美妆/面霜")
    assert item_keys({"brand": " Nike ", "category": None}) == ("nike", None)
    assert item_keys({}) == (None, None)


def test_normalisations():
    assert normalise_max({"a": 2.0, "b": 1.0, "c": -1.0}) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert normalise_max({"a": -1.0}) == {"a": 0.0}
    assert normalise_log({"a": 0.0, "b": 9.0})["b"] == pytest.approx(1.0)


def test_affinity_score_is_a_weighted_mean():
    sig = ShopperSignals(brands={"olay": 1.0}, categories={"美妆/面霜": 0.5})
    cfg = AffinityConfig(brand=1.0, category=1.0)
    assert affinity_score({"brand_key": "olay", "category": "美妆/面霜"}, sig, cfg) == pytest.approx(0.75)
    assert affinity_score({"brand_key": "nike"}, sig, cfg) == 0.0


def test_personal_terms_weights_and_missing_signals():
    items = [("p1", {"brand_key": "olay"}), ("p2", {"brand_key": "nike"}), ("p3", {})]
    sig = ShopperSignals(brands={"olay": 1.0}, cf={"p1": 2.0, "p2": 1.0})
    w = PersonalizationConfig(cf=0.4, affinity=0.2, popularity=0.0)
    terms = personal_terms(items, sig, w, AffinityConfig(brand=1.0, category=0.0))
    assert terms[0] == pytest.approx({"cf": 0.4, "affinity": 0.2})
    assert terms[1] == pytest.approx({"cf": 0.2, "affinity": 0.0})
    assert terms[2] == pytest.approx({"cf": 0.0, "affinity": 0.0})  # unknown to the model: 0, not absent
    no_cf = personal_terms(items, ShopperSignals(brands={"olay": 1.0}), w, AffinityConfig())
    assert all("cf" not in t for t in no_cf)
    assert personal_terms(items, ShopperSignals(), w, AffinityConfig()) == [{}, {}, {}]


def test_no_signal_returns_the_very_same_candidates():
    cands = [_cand("a", 0.9, "Olay"), _cand("b", 0.5, "Nike")]
    out = rerank(cands, ShopperSignals(), PersonalizationConfig(), AffinityConfig())
    assert out is cands
    assert all(c.personal == {} for c in out)


def test_rerank_only_touches_the_top_n_and_never_mutates():
    cands = [_cand(f"p{i}", 1.0 - i / 10, "Olay") for i in range(6)]
    before = [(c.id, dict(c.personal), c.final) for c in cands]
    sig = ShopperSignals(brands={"olay": 1.0})
    out = rerank(cands, sig, PersonalizationConfig(top_n=3, cf=0.0, affinity=0.5), AffinityConfig(category=0.0))
    assert [(c.id, dict(c.personal), c.final) for c in cands] == before
    touched = [c.id for c in out if c.personal]
    assert touched == ["p0", "p1", "p2"]
    assert all(v >= 0 for c in out for v in c.personal.values())
    assert min(c.total for c in out[:3]) >= max(c.total for c in out[3:])


def test_taste_lifts_the_favourite_brand():
    cands = [_cand("nike", 1.0, "Nike"), _cand("olay", 0.8, "Olay")]
    sig = ShopperSignals(brands={"olay": 1.0})
    out = rerank(cands, sig, PersonalizationConfig(cf=0.0, affinity=0.3), AffinityConfig(category=0.0))
    ranked = sorted(out, key=lambda c: (-c.total, c.id))
    assert ranked[0].id == "olay"


def test_an_asked_brand_is_never_outranked_by_taste():
    """A query naming Nike: the shopper's love of Olay reorders Nike products only."""
    cands = [
        _cand("nike1", 0.7, "Nike", asked=True),
        _cand("nike2", 0.6, "Nike", asked=True),
        _cand("olay", 0.65, "Olay"),
    ]
    sig = ShopperSignals(brands={"olay": 1.0, "nike": 0.2}, cf={"olay": 1.0, "nike2": 0.9})
    out = rerank(cands, sig, PersonalizationConfig(cf=1.0, affinity=1.0), AffinityConfig())
    by_id = {c.id: c for c in out}
    assert by_id["olay"].personal == {}
    assert by_id["nike2"].total > by_id["nike1"].total
