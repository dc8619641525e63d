"""What the query service keeps in memory per build: ranking fields and browse facets."""

from search.caches import RankingPayloads
from search.index import open_build
from search.store.base import RANKING_FIELDS, point_key
from search.store.layout import DataDir


def test_preload_reads_ranking_fields_by_point_key(built_sample):
    handle = open_build(DataDir(built_sample).require_build())
    try:
        cache = RankingPayloads(handle.version)
        assert cache.preload(handle.store) == handle.store.count() == len(cache)
        got = cache.get_many([point_key("S00001"), point_key("missing")])
        assert got[0] == handle.store.get(["S00001"], fields=RANKING_FIELDS)[0]
        assert got[1] is None
        assert set(got[0]) <= set(RANKING_FIELDS)
    finally:
        handle.close()


def test_size_bound_keeps_the_newest():
    cache = RankingPayloads("v1", size=3)
    cache.put_many([(k, {"id": str(k)}) for k in range(5)])
    assert len(cache) == 3
    assert cache.get_many([0, 1, 2, 3, 4]) == [None, None, {"id": "2"}, {"id": "3"}, {"id": "4"}]


def test_preload_stops_at_the_size(built_sample):
    handle = open_build(DataDir(built_sample).require_build())
    try:
        cache = RankingPayloads(handle.version, size=50)
        assert cache.preload(handle.store) == 50 == len(cache)
        assert RankingPayloads(handle.version).preload(handle.store, limit=10) == 10
    finally:
        handle.close()


def test_browse_facets_are_counted_once_per_build_and_filter(sample_data_dir, configs_dir):
    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest

    engine = build_engine(Settings(data_dir=sample_data_dir, configs_dir=configs_dir))
    try:
        store = engine.index.store
        calls = []
        real_facet = store.facet

        def facet(key, flt=None, limit=20):
            calls.append(key)
            return real_facet(key, flt, limit)

        store.facet = facet
        first = engine.search(SearchRequest(q=""))
        assert calls == [] and first.facets["brand"]  # the landing page's facets were counted at startup
        again = engine.search(SearchRequest(q="", page=2))
        assert calls == [] and again.facets == first.facets
        narrowed = engine.search(SearchRequest(q="", price_max=100.0))
        assert calls == ["brand", "category"]
        engine.search(SearchRequest(q="", price_max=100.0, page=3))
        assert calls == ["brand", "category"]
        assert sum(b["count"] for b in narrowed.facets["brand"]) < sum(b["count"] for b in first.facets["brand"])
    finally:
        engine.close()
