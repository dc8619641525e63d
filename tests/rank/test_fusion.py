import pytest

from search.rank.fusion import dbsf, fuse, rrf, sort_fused, weighted

LISTS = {
    "bm25": [("a", 10.0), ("b", 5.0), ("c", 1.0)],
    "dense": [("b", 0.9), ("d", 0.8), ("a", 0.1)],
}


def test_rrf_with_explicit_k_and_weights():
    out = {f.id: f.score for f in rrf(LISTS, {"bm25": 1.0, "dense": 2.0}, k=10)}
    assert out["a"] == pytest.approx(1 / 11 + 2 / 13)
    assert out["b"] == pytest.approx(1 / 12 + 2 / 11)
    assert out["d"] == pytest.approx(2 / 12)
    with pytest.raises(ValueError):
        rrf(LISTS, {}, k=0)


def test_weighted_minmax_normalises_each_source():
    fused = weighted(LISTS, {"bm25": 0.5, "dense": 0.5})
    scores = {f.id: f.score for f in fused}
    assert scores["a"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert scores["b"] == pytest.approx(0.5 * (4 / 9) + 0.5 * 1.0)
    assert [f.id for f in fused][0] == "b"
    b = next(f for f in fused if f.id == "b")
    assert sum(b.contributions.values()) == pytest.approx(b.score)


def test_zscore_and_dbsf_are_bounded_as_documented():
    z = {f.id: f.score for f in weighted(LISTS, {"bm25": 1.0}, normalize="zscore")}
    assert z["a"] > 0 > z["c"]
    d = {f.id: f.score for f in dbsf(LISTS, {"bm25": 1.0, "dense": 1.0})}
    assert all(0.0 <= v <= 2.0 for v in d.values())


def test_missing_sources_contribute_nothing():
    fused = weighted({"bm25": [("a", 1.0)], "dense": []}, {"bm25": 1.0, "dense": 1.0})
    assert [(f.id, f.score) for f in fused] == [("a", 1.0)]


def test_ties_break_by_id_so_pages_are_stable():
    fused = rrf({"x": [("b", 1.0)], "y": [("a", 1.0)]}, {"x": 1.0, "y": 1.0}, k=60)
    assert [f.id for f in fused] == ["a", "b"]
    assert [f.id for f in sort_fused(list(reversed(fused)))] == ["a", "b"]


def test_dispatch_lists_valid_methods():
    assert fuse("rrf", LISTS, {"bm25": 1, "dense": 1})[0].id in {"a", "b"}
    with pytest.raises(ValueError, match="rrf, dbsf, weighted"):
        fuse("borda", LISTS, {})
