"""Congruence: the server store (qdrant-client) answers exactly like the embedded store (Qdrant Edge).

The same points — the sample catalog's real titles through the real analyzer and
BM25 encoding — go into an Edge shard and into qdrant-client's in-process mode
(``QdrantClient(":memory:")``, the same client code that talks to a server). The
same requests then go through :class:`EdgeStore` and :class:`ServerStore`, which
must return the same ids in the same order (up to exact score ties) with scores
equal within 1e-4.

Dense vectors are deterministic pseudo-random unit vectors derived from the product
id: congruence is about the stores' arithmetic (cosine, IDF-modified sparse dot
products, filters), not about embedding quality, and a real embedder would cost
~10 s for the 726 titles on CI.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from indexer.build import analyze_all, build_index, corpus_stats, prepare_vocabulary
from indexer.catalog import read_catalog
from indexer.documents import DocumentBuilder, stored_point
from indexer.progress import Progress
from indexer.refresh import refresh_index
from search.config import DenseConfig, IndexConfig, Settings, default_configs_dir
from search.index import open_build
from search.retrieve.query import lexical_vectors
from search.store.base import DENSE, Filter, Hit, SourceQuery, point_key
from search.store.edge import EdgeStore, EdgeWriter
from search.store.layout import DataDir
from search.store.server import (
    MissingCollectionError,
    ServerBackend,
    ServerStore,
    ServerWriter,
    collection_name,
    public_url,
    sanitize,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Payload indexes have no effect in the local Qdrant:UserWarning"),
    pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "sample" / "catalog.jsonl"
DIM = 48
TOL = 1e-4

#: real shopper queries from sample/judgments.tsv: brands, models, typos, Traditional script, prices, exclusions
QUERIES = [
    "兰芝隔离霜",
    "iPhone 15 Pro Max",
    "欧莱雅男士洗面奶",
    "能补水保湿的面霜",
    "mate60pro手机壳",
    "p70d20tl-d4",
    "蘭芝隔離霜",
    "夏天穿的纯棉男士t恤",
    "5w-30机油",
    "给家里猫咪买进口猫粮",
    "nike跑步鞋",
    "打游戏用的笔记本电脑",
]

#: one filter per kind of condition, then combinations (values checked to match products below)
FILTERS: dict[str, Filter] = {
    "none": Filter(),
    "brands": Filter(brands=("xiaomi", "苹果")),
    "brand_alias": Filter(brands=("laneige",)),
    "category_top": Filter(categories=("美妆护肤",)),
    "category_leaves": Filter(categories=("美妆护肤/面部护理/面霜", "服饰鞋包/男装/t恤")),
    "price_range": Filter(price_min=59.0, price_max=300.0),
    "price_band": Filter(price_min=59.0, price_below=99.0),
    "attribute": Filter(attributes=(("产地", "日本"),)),
    "attribute_any_name": Filter(attributes=(("", "男士"), ("", "中国大陆"))),
    "exclude_brands": Filter(exclude_brands=("apple", "huawei")),
    "exclude_categories": Filter(exclude_categories=("美妆护肤/面部护理",)),
    "exclude_attributes": Filter(exclude_attributes=(("产地", "日本"), ("", "韩国"))),
    "exclude_ids": Filter(exclude_ids=("S00111", "S00400", "S00067", "S00002")),
    "ids": Filter(ids=tuple(f"S{i:05d}" for i in range(1, 400, 3))),
    "require_price": Filter(require=("price",)),
    "missing_price": Filter(missing=("price",)),
    "price_or_unknown": Filter(price_max=99.0, price_unknown_ok=True),
    "missing_brand": Filter(missing=("brand",)),
    "require_category": Filter(require=("category", "brand")),
    "combined": Filter(
        categories=("美妆护肤",),
        price_max=500.0,
        exclude_attributes=(("产地", "日本"),),
        exclude_brands=("lancome",),
        require=("price",),
    ),
}


# ---------------------------------------------------------------------------- fixtures


def unit_vector(key: str) -> np.ndarray:
    """A deterministic pseudo-random unit vector for a key."""
    seed = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


class Corpus:
    """The sample catalog analysed for indexing, and the points written to both stores."""

    def __init__(self) -> None:
        self.config = IndexConfig()
        catalog = read_catalog(CATALOG)
        vocab = prepare_vocabulary(catalog.products, self.config, default_configs_dir())
        self.analyzer = vocab.analyzer
        builder = DocumentBuilder(vocab.analyzer, vocab.lexicon, self.config)
        analyzed, _ = analyze_all(builder, catalog.products, Progress(False))
        stats = corpus_stats(analyzed, self.config)
        self.points = [
            stored_point(p.id, builder.payload(p), a, self.config, stats, unit_vector(p.id))
            for p, a in zip(catalog.products, analyzed, strict=True)
        ]
        self.fields = list(self.config.lexical.fields)

    def queries(self, text: str, limit: int = 20) -> list[SourceQuery]:
        """One source query per lexical field, plus a dense one."""
        lexical = lexical_vectors(self.analyzer, self.config, text, self.fields)
        out = [SourceQuery(name, name, vec, limit) for name, vec in lexical.items() if len(vec)]
        out.append(SourceQuery(DENSE, DENSE, unit_vector("query:" + text), limit, ef=64))
        return out


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus()


@pytest.fixture(scope="module")
def stores(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory):
    """The same points in an Edge shard and in an in-process qdrant-client collection."""
    root = tmp_path_factory.mktemp("congruence")
    writer = EdgeWriter.create(root / "shard", DIM, corpus.fields, corpus.config.store)
    writer.upsert(corpus.points)
    writer.finish()
    edge = EdgeStore(root / "shard")

    client = QdrantClient(location=":memory:")
    backend = ServerBackend(client, prefix="products", poll_s=0.0)
    build = root / "builds" / "20260101-000000-c0ffee.partial"
    build.mkdir(parents=True)
    server_writer = backend.create(build, DIM, corpus.fields, corpus.config.store)
    for lo in range(0, len(corpus.points), 300):  # several calls, like the indexer's batches
        server_writer.upsert(corpus.points[lo : lo + 300])
    server_writer.finish()
    server = backend.open(build)
    yield edge, server
    edge.close()
    server.close()
    client.close()


# ---------------------------------------------------------------------------- comparison helpers


def tie_groups(hits: Sequence[Hit], key=lambda h: h.score) -> list[list[Hit]]:
    """Consecutive hits whose sort keys are equal (within TOL for floats)."""
    groups: list[list[Hit]] = []
    for h in hits:
        if groups and abs(key(groups[-1][0]) - key(h)) <= TOL:
            groups[-1].append(h)
        else:
            groups.append([h])
    return groups


def assert_same_ranking(
    a: Sequence[Hit], b: Sequence[Hit], limit: int, label: str, boundary_check=None, key=lambda h: h.score
) -> None:
    """Same sort keys position by position; same ids except in the order of ties and in a tie cut by the limit."""
    assert len(a) == len(b), f"{label}: {len(a)} vs {len(b)} results"
    ka, kb = [key(h) for h in a], [key(h) for h in b]
    assert np.allclose(ka, kb, atol=TOL, rtol=0), f"{label}: scores differ\n{ka}\n{kb}"
    ga, gb = tie_groups(a, key), tie_groups(b, key)
    assert [len(g) for g in ga] == [len(g) for g in gb], label
    for i, (x, y) in enumerate(zip(ga, gb, strict=True)):
        ids_a, ids_b = {h.id for h in x}, {h.id for h in y}
        truncated = i == len(ga) - 1 and len(a) == limit
        if not truncated:
            assert ids_a == ids_b, f"{label}: tie group {i} differs: {sorted(ids_a)} vs {sorted(ids_b)}"
        elif ids_a != ids_b and boundary_check is not None:
            # A tie cut by the limit may keep different members: they must tie in both stores.
            boundary_check(ids_a | ids_b, key(x[0]))


# ---------------------------------------------------------------------------- query congruence


def test_filters_select_products(stores) -> None:
    """Every filter used below keeps some products and drops others (so it is really tested)."""
    edge, _ = stores
    total = edge.count()
    assert total == 726
    for name, f in FILTERS.items():
        if name != "none":
            assert 0 < edge.count(f) < total, name


@pytest.mark.parametrize("name", list(FILTERS))
def test_search_congruent(stores, corpus: Corpus, name: str) -> None:
    """BM25 (both lexical fields) and dense results agree under every kind of filter."""
    edge, server = stores
    flt = FILTERS[name]
    texts = QUERIES if name == "none" else QUERIES[::2] if name == "combined" else QUERIES[::4]
    for text in texts:
        queries = corpus.queries(text)
        res_edge, res_server = edge.search(queries, flt), server.search(queries, flt)
        assert len(res_edge) == len(res_server) == len(queries)
        for q, a, b in zip(queries, res_edge, res_server, strict=True):

            def boundary(ids: set[str], score: float, q: SourceQuery = q, text: str = text) -> None:
                only = Filter(ids=tuple(sorted(ids)))
                for store in (edge, server):
                    hits = store.search([SourceQuery(q.source, q.using, q.vector, len(ids))], only)[0]
                    assert {h.id for h in hits} == ids
                    assert all(abs(h.score - score) <= TOL for h in hits), (text, q.source, hits)

            assert_same_ranking(a, b, q.limit, f"{name} / {text} / {q.source}", boundary)
            assert all(set(h.payload) >= {"id", "title", "price", "category_path"} for h in b)


def test_scores_are_bm25_and_cosine(stores, corpus: Corpus) -> None:
    """The shared scores are what the model says: IDF-weighted saturated tf, and cosine."""
    from search.retrieve.bm25 import idf

    edge, server = stores
    queries = corpus.queries("兰芝隔离霜", limit=5)
    bm25 = next(q for q in queries if q.using == "bm25")
    hits = server.search([bm25])[0]
    by_id = {p.id: p for p in corpus.points}
    n_docs = sum(1 for p in corpus.points if len(p.sparse["bm25"]))
    df = {t: sum(1 for p in corpus.points if t in p.sparse["bm25"].as_dict()) for t in bm25.vector.indices}
    for h in hits:
        doc = by_id[h.id].sparse["bm25"].as_dict()
        expected = sum(w * idf(n_docs, df[t]) * doc.get(t, 0.0) for t, w in bm25.vector.as_dict().items())
        assert h.score == pytest.approx(expected, abs=TOL)
    dense = next(q for q in queries if q.using == DENSE)
    for h in edge.search([dense])[0]:
        assert h.score == pytest.approx(float(np.dot(dense.vector, by_id[h.id].dense)), abs=TOL)


def test_batch_has_one_list_per_source_in_order(stores, corpus: Corpus) -> None:
    edge, server = stores
    queries = corpus.queries("nike跑步鞋", limit=3)[::-1]
    assert [len(r) for r in server.search(queries)] == [len(r) for r in edge.search(queries)] == [3] * len(queries)
    assert server.search([]) == edge.search([]) == []


@pytest.mark.parametrize("name", list(FILTERS))
def test_count_congruent(stores, name: str) -> None:
    edge, server = stores
    assert server.count(FILTERS[name]) == edge.count(FILTERS[name])


def test_price_bounds(stores) -> None:
    """``price_max`` is inclusive, ``price_below`` strict, on both stores."""
    for store in stores:
        at = store.count(Filter(price_min=99.0, price_max=99.0))
        assert at > 0
        assert store.count(Filter(price_max=99.0)) - store.count(Filter(price_below=99.0)) == at
        assert store.count(Filter(price_min=99.0, price_below=99.0)) == 0
        # both upper bounds: the stricter one holds, whichever it is
        assert store.count(Filter(price_max=300.0, price_below=100.0)) == store.count(Filter(price_below=100.0))
        assert store.count(Filter(price_max=100.0, price_below=300.0)) == store.count(Filter(price_max=100.0))
        assert store.count(Filter(price_min=500.0, price_max=300.0, price_below=1000.0)) == 0
        unknown = store.count(Filter(missing=("price",)))
        assert unknown > 0
        known = store.count(Filter(price_max=99.0))
        assert store.count(Filter(price_max=99.0, price_unknown_ok=True)) == known + unknown


def test_empty_id_restriction_matches_nothing(stores) -> None:
    for store in stores:
        assert store.count(Filter(ids=())) == 0
        assert store.search([SourceQuery(DENSE, DENSE, unit_vector("x"), 5)], Filter(ids=()))[0] == []


def test_rank_names_hits_by_point_key(stores, corpus: Corpus) -> None:
    """``rank`` returns the same ranking as ``search``, as point keys, and ``get_keys`` names them."""
    queries = corpus.queries("兰芝隔离霜", limit=20)
    for store in stores:
        full = store.search(queries, FILTERS["category_top"])
        ranked = store.rank(queries, FILTERS["category_top"])
        for hits, keyed in zip(full, ranked, strict=True):
            assert [k for k, _ in keyed] == [point_key(h.id) for h in hits]
            assert [s for _, s in keyed] == pytest.approx([h.score for h in hits], abs=TOL)
            assert all(isinstance(k, int) for k, _ in keyed)
            named = store.get_keys([k for k, _ in keyed] + [12345], fields=("title",))
            assert [p["id"] for p in named[:-1]] == [h.id for h in hits]
            assert named[-1] is None
            assert set(named[0]) == {"id", "title"}


def test_per_query_key_restriction(stores, corpus: Corpus) -> None:
    """A source query's ``keys`` narrow only that query, on top of the shared filter, with the same scores."""
    queries = corpus.queries("兰芝隔离霜", limit=40)
    flt = FILTERS["category_top"]
    for store in stores:
        full = store.search(queries, flt)
        for q, hits in zip(queries, full, strict=True):
            assert len(hits) > 6, q.source
            scores = {point_key(h.id): h.score for h in hits}
            wanted = tuple(point_key(h.id) for h in hits[1::3])
            outside = next(p.id for p in corpus.points if store.count(replace(flt, ids=(p.id,))) == 0)
            restricted = replace(q, limit=50, keys=(*wanted, point_key(outside)))
            narrowed, unchanged = store.rank([restricted, q], flt)
            assert {k for k, _ in narrowed} == set(wanted), q.source  # the product outside the filter stays out
            assert all(s == pytest.approx(scores[k], abs=TOL) for k, s in narrowed)
            assert [k for k, _ in unchanged] == [point_key(h.id) for h in hits]
            # keys and ids together: both must hold
            both = store.rank([restricted], replace(flt, ids=tuple(h.id for h in hits[1:4])))[0]
            assert {k for k, _ in both} == {point_key(h.id) for h in hits[1:4]} & set(wanted)


@pytest.mark.parametrize("key", ["brand", "category", "category_path", "brand_keys", "attr_keys"])
def test_facet_congruent(stores, key: str) -> None:
    """Exact counts, ordered by count then value, cut at the same place."""
    edge, server = stores
    for name in ("none", "category_top", "exclude_brands", "require_price", "combined", "ids"):
        for limit in (5, 1000):
            assert server.facet(key, FILTERS[name], limit) == edge.facet(key, FILTERS[name], limit), (name, limit)


@pytest.mark.parametrize(
    ("order_by", "descending"), [("price", False), ("price", True), ("sales", False), ("sales", True)]
)
def test_browse_ordered_congruent(stores, order_by: str, descending: bool) -> None:
    """Same order values page by page; products only missing the field are left out by both."""
    edge, server = stores

    def value(h: Hit) -> float:
        return float(h.payload[order_by])

    for name in ("none", "category_top", "exclude_brands", "missing_brand"):
        flt = FILTERS[name]
        expected = edge.count(replace(flt, require=(*flt.require, order_by)))
        pages_edge, pages_server = [], []
        for offset in (0, 10, 20):
            a = edge.browse(flt, order_by, descending, 10, offset)
            b = server.browse(flt, order_by, descending, 10, offset)
            assert [value(h) for h in a] == [value(h) for h in b], (name, offset)
            pages_edge += a
            pages_server += b
        assert len(pages_edge) == min(30, expected)
        # Ties in the order value come back in engine order; whole groups agree.
        assert_same_ranking(pages_edge, pages_server, min(30, expected) if expected > 30 else -1, name, key=value)
        ordered = [value(h) for h in pages_server]
        assert ordered == sorted(ordered, reverse=descending)


def test_browse_unordered_congruent(stores) -> None:
    """Without an order field both stores page through products by point id."""
    edge, server = stores
    for name in ("none", "missing_price", "brands"):
        for offset, limit in ((0, 15), (15, 15), (700, 50)):
            a = edge.browse(FILTERS[name], None, False, limit, offset)
            b = server.browse(FILTERS[name], None, False, limit, offset)
            assert [h.id for h in a] == [h.id for h in b], (name, offset)
            assert [point_key(h.id) for h in b] == sorted(point_key(h.id) for h in b)


def test_get_congruent(stores) -> None:
    edge, server = stores
    ids = ["S00002", "missing", "S00726", "S00001", "S00002"]
    got = server.get(ids)
    assert got == edge.get(ids)
    assert got[1] is None and got[0]["id"] == got[4]["id"] == "S00002"
    assert server.get([]) == []


def test_dense_vectors_congruent(stores, corpus: Corpus) -> None:
    edge, server = stores
    ids = ["S00003", "S00100", "nope"]
    a, b = edge.dense_vectors(ids), server.dense_vectors(ids)
    assert set(a) == set(b) == {"S00003", "S00100"}
    for pid in a:
        np.testing.assert_allclose(a[pid], b[pid], atol=1e-6)
        np.testing.assert_allclose(b[pid], unit_vector(pid), atol=1e-6)


def test_payloads_congruent(stores) -> None:
    edge, server = stores
    a = sorted(edge.payloads(["id", "hash", "price"]), key=lambda p: p["id"])
    b = sorted(server.payloads(["id", "hash", "price"]), key=lambda p: p["id"])
    assert a == b and len(b) == 726 and set(b[0]) == {"id", "hash", "price"}


# ---------------------------------------------------------------------------- versions on the server


def _new_build(data: DataDir, second: int) -> Path:
    """A partial build with an id like :meth:`DataDir.new_build` makes, in a known order (several per second here)."""
    path = data.builds_dir / f"20260101-0000{second:02d}-c0ffee.partial"
    path.mkdir(parents=True)
    return path


def _finish(backend: ServerBackend, data: DataDir, partial: Path, corpus: Corpus, points) -> Path:
    writer = backend.create(partial, DIM, corpus.fields, corpus.config.store)
    writer.upsert(points)
    writer.finish()
    (partial / "manifest.json").write_text(json.dumps({"store": backend.describe(partial)}), encoding="utf-8")
    final = data.publish(partial)
    backend.published(final)
    return final


def _collections(client: QdrantClient) -> set[str]:
    return {c.name for c in client.get_collections().collections}


def test_versions_alias_switch_and_cleanup(tmp_path: Path, corpus: Corpus) -> None:
    """Two builds: the alias follows the newest, orphans go after the switch, discards leave nothing."""
    client = QdrantClient(location=":memory:")
    backend = ServerBackend(client, prefix="shop.products", poll_s=0.0)
    data = DataDir(tmp_path)
    assert backend.alias == "shop_products"

    first = _finish(backend, data, _new_build(data, 1), corpus, corpus.points[:100])
    first_name = collection_name("shop.products", first)
    assert first_name == f"shop_products_{first.name}"
    assert backend.live_collection() == first_name
    assert client.count("shop_products").count == 100  # the alias resolves

    # An abandoned build leaves no collection behind.
    abandoned = _new_build(data, 2)
    backend.create(abandoned, DIM, corpus.fields, corpus.config.store).upsert(corpus.points[:5])
    assert collection_name("shop.products", abandoned) in _collections(client)
    backend.discard(abandoned)
    data.discard(abandoned)
    assert _collections(client) == {first_name}

    # A second build switches the alias; the first stays while its directory does (API workers may still read it).
    second = _finish(backend, data, _new_build(data, 3), corpus, corpus.points[:200])
    second_name = collection_name("shop.products", second)
    assert backend.live_collection() == second_name
    assert client.count("shop_products").count == 200
    assert _collections(client) == {first_name, second_name}
    assert backend.open(first).count() == 100

    # Retiring the first build's directory drops its collection.
    data.cleanup(keep=1, before_remove=backend.discard)
    assert not first.exists()
    assert _collections(client) == {second_name}

    # Publishing drops orphans (older build collections with no directory), and only those.
    third_partial = _new_build(data, 4)
    crashed = collection_name("shop.products", tmp_path / "20200101-000000-abcdef")
    backend.create(tmp_path / "20200101-000000-abcdef", DIM, corpus.fields, corpus.config.store)
    in_progress = collection_name("shop.products", tmp_path / "20990101-000000-abcdef")  # another indexer's
    backend.create(tmp_path / "20990101-000000-abcdef", DIM, corpus.fields, corpus.config.store)
    client.create_collection("shop_products_eu_20200101-000000-abcdef")  # another deployment's
    third = _finish(backend, data, third_partial, corpus, corpus.points[:300])
    third_name = collection_name("shop.products", third)
    assert crashed not in _collections(client)
    assert _collections(client) == {second_name, third_name, in_progress, "shop_products_eu_20200101-000000-abcdef"}
    # The live collection is never discarded.
    backend.discard(third)
    assert third_name in _collections(client)
    with pytest.raises(MissingCollectionError):
        backend.open(first)
    client.close()


def test_copy_keeps_schema_and_points(tmp_path: Path, corpus: Corpus) -> None:
    """``copy`` (refresh) makes a new collection with the live schema and every point, vectors included."""
    client = QdrantClient(location=":memory:")
    backend = ServerBackend(client, prefix="products", poll_s=0.0, batch_size=64)
    data = DataDir(tmp_path)
    live = _finish(backend, data, _new_build(data, 5), corpus, corpus.points[:300])
    copy = _new_build(data, 6)
    writer = backend.copy(live, copy)
    info_live = client.get_collection(collection_name("products", live))
    info_copy = client.get_collection(writer.name)
    assert info_copy.config.params.vectors == info_live.config.params.vectors
    assert info_copy.config.params.sparse_vectors == info_live.config.params.sparse_vectors
    writer.delete(["S00001"])
    writer.upsert(corpus.points[300:310])
    writer.finish()
    live_store = backend.open(live)
    copy_store = ServerStore(client, writer.name)  # not published: the indexer never reads it, the test does
    assert copy_store.count() == 309 and live_store.count() == 300
    ids = [p.id for p in corpus.points[1:300:37]]
    for pid, vec in live_store.dense_vectors(ids).items():
        np.testing.assert_allclose(copy_store.dense_vectors([pid])[pid], vec, atol=1e-6)
    query = corpus.queries("欧莱雅男士洗面奶", limit=10)
    assert [[h.id for h in r] for r in copy_store.search(query, Filter(ids=tuple(ids)))] == [
        [h.id for h in r] for r in live_store.search(query, Filter(ids=tuple(ids)))
    ]
    client.close()


def test_manifest_record_and_settings() -> None:
    settings = Settings(
        qdrant_url="https://admin:hunter2@qdrant.example.com:6333",
        qdrant_api_key="secret-key",
        collection="products",
        shard_number=3,
        replication_factor=2,
    )
    backend = ServerBackend.from_settings(settings)  # no connection until first use
    assert (backend.shard_number, backend.replication_factor) == (3, 2)
    record = backend.describe(Path("/data/index/builds/20260101-000000-abcdef.partial"))
    assert record == {
        "backend": "server",
        "collection": "products_20260101-000000-abcdef",
        "url": "https://qdrant.example.com:6333",
    }
    assert "secret" not in json.dumps(record) and "hunter2" not in json.dumps(record)
    assert public_url("http://qdrant-1:6333") == "http://qdrant-1:6333"
    assert sanitize("我的/products v2") == "___products_v2"


# ---------------------------------------------------------------------------- the indexer on the server backend


@pytest.fixture
def server_settings(monkeypatch: pytest.MonkeyPatch):
    """Settings that select the server backend, wired to one in-process client."""
    client = QdrantClient(location=":memory:")
    backend = ServerBackend(client, prefix="products", poll_s=0.0)
    monkeypatch.setattr(ServerBackend, "from_url", classmethod(lambda cls, url, settings: backend))
    yield Settings(qdrant_url="http://qdrant-1:6333"), backend, client
    client.close()


def test_indexer_build_and_refresh_on_server(tmp_path: Path, server_settings) -> None:
    """``build_index`` and ``refresh_index`` end to end on the server backend (BM25-only config to stay fast)."""
    settings, backend, client = server_settings
    config = IndexConfig(dense=DenseConfig(model="none"))
    rows = [json.loads(line) for line in CATALOG.read_text(encoding="utf-8").splitlines()]
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:200]), encoding="utf-8")
    data_dir = tmp_path / "data"

    result = build_index(catalog, data_dir, config, default_configs_dir(), backend=backend)
    assert result.indexed == 200
    build = DataDir(data_dir).require_build()
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["store"] == {"backend": "server", "collection": f"products_{build.name}", "url": None}
    assert backend.live_collection() == f"products_{build.name}"

    handle = open_build(build, settings)
    try:
        assert handle.store.count() == 200
        hits = handle.store.search(
            [
                SourceQuery(
                    "bm25", "bm25", lexical_vectors(handle.analyzer, handle.config, "兰芝隔离霜", ["bm25"])["bm25"], 5
                )
            ]
        )[0]
        assert hits and "隔离" in hits[0].payload["title"]
    finally:
        handle.close()

    # Refresh: 20 new products and one changed title, on a copy of the live collection.
    rows[0]["title"] += " 限量版"
    catalog.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:220]), encoding="utf-8")
    refreshed = refresh_index(catalog, data_dir, default_configs_dir(), settings=settings)
    assert (refreshed.added, refreshed.updated) == (20, 1)
    new_build = DataDir(data_dir).require_build()
    assert new_build != build
    assert backend.live_collection() == f"products_{new_build.name}"
    assert _collections(client) == {f"products_{build.name}", f"products_{new_build.name}"}
    store = backend.open(new_build)
    assert store.count() == 220
    assert store.get([rows[0]["id"]])[0]["title"].endswith("限量版")

    # Nothing to do: no new build, no new collection.
    again = refresh_index(catalog, data_dir, default_configs_dir(), settings=settings)
    assert again.build is None and len(_collections(client)) == 2


def test_failed_build_leaves_no_collection(tmp_path: Path, server_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails while indexing discards its collection with its directory."""
    _, backend, client = server_settings
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("".join(CATALOG.read_text(encoding="utf-8").splitlines(True)[:30]), encoding="utf-8")

    def fail(self: ServerWriter) -> None:
        raise TimeoutError("not indexed in time")

    monkeypatch.setattr(ServerWriter, "finish", fail)
    config = IndexConfig(dense=DenseConfig(model="none"))
    with pytest.raises(TimeoutError):
        build_index(catalog, tmp_path / "data", config, default_configs_dir(), backend=backend)
    assert _collections(client) == set()
    assert list((tmp_path / "data" / "index" / "builds").iterdir()) == []
