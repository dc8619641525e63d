"""The per-build memory of ranking fields the query service reads instead of the store."""

from search.engine import RankingPayloads
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
