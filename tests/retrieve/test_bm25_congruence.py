"""Our BM25 (document-side saturation in sparse vectors, IDF applied by Qdrant) against rank_bm25.

rank_bm25's ``BM25Okapi`` uses the Robertson idf with an epsilon floor; Qdrant's IDF
modifier uses Lucene's ``ln(1 + (N - n + 0.5) / (n + 0.5))``. The oracle below is
``BM25Okapi`` with that idf, so any difference would be ours.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from indexer.build import build_index
from search.config import IndexConfig, LexicalConfig, LexicalFieldConfig, SourceWeights
from search.index import open_build
from search.retrieve.query import lexical_vectors
from search.store.base import SourceQuery
from search.store.layout import DataDir
from tests.conftest import shared_path

pytestmark = pytest.mark.integration  # builds real indexes of the sample catalog

K1, B = 1.5, 0.75


class LuceneIdfBM25(BM25Okapi):
    def _calc_idf(self, nd):  # noqa: D401 - rank_bm25 hook
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


def _config(base: IndexConfig) -> IndexConfig:
    lexical = LexicalConfig(
        fields={"bm25": LexicalFieldConfig(features=["words", "models"], k1=K1, b=B)},
        sources=SourceWeights(title=1.0, brand=0.0, category=0.0, attributes=0.0),
    )
    return base.model_copy(update={"lexical": lexical, "dense": base.dense.model_copy(update={"model": "none"})})


def _check(catalog: Path, queries: list[str], tmp_path: Path, configs_dir: Path, base: IndexConfig) -> int:
    config = _config(base)
    build_index(catalog, tmp_path, config, configs_dir)
    handle = open_build(DataDir(tmp_path).require_build())
    try:
        titles = {}
        for p in handle.store.payloads(["id", "title"]):
            titles[p["id"]] = p["title"]
        ids = sorted(titles)
        corpus = [handle.analyzer.analyze(titles[i]).tokens(["words", "models"]) for i in ids]
        oracle = LuceneIdfBM25(corpus, k1=K1, b=B)
        checked = 0
        for q in queries:
            tokens = handle.analyzer.analyze(q).tokens(["words", "models"])
            if not tokens:
                continue
            expected = oracle.get_scores(tokens)
            vec = lexical_vectors(handle.analyzer, handle.config, q, ["bm25"])["bm25"]
            hits = handle.store.search([SourceQuery("bm25", "bm25", vec, 10)])[0]
            order = np.argsort(-expected, kind="stable")
            top = [(ids[i], expected[i]) for i in order[:10] if expected[i] > 0]
            assert len(hits) == len(top), q
            # same scores position by position, and the same ids up to ties
            for hit, (_, score) in zip(hits, top, strict=True):
                assert hit.score == pytest.approx(score, rel=1e-4, abs=1e-4), q
            cutoff = top[-1][1]
            tied_at_cutoff = {ids[i] for i in range(len(ids)) if abs(expected[i] - cutoff) < 1e-4}
            strictly_above = {i for i, s in top if s > cutoff + 1e-4}
            got = {h.id for h in hits}
            assert strictly_above <= got, q
            assert got - strictly_above <= tied_at_cutoff, q
            checked += 1
        return checked
    finally:
        handle.close()


def test_bm25_congruent_with_rank_bm25_on_sample(tmp_path, sample_catalog, configs_dir, index_config):
    queries = ["兰芝隔离霜", "男士洗面奶 控油", "iphone 15 pro max", "18-55stm 镜头", "纯棉 t恤", "猫粮 10kg", "电饭煲"]
    assert _check(sample_catalog, queries, tmp_path, configs_dir, index_config) == len(queries)


def test_bm25_congruent_with_rank_bm25_on_real_titles(tmp_path, configs_dir, index_config):
    catalog = shared_path("catalog.jsonl")
    judgments = shared_path("eval", "multicpr_dev.tsv")
    queries = [line.split("\t")[1] for line in judgments.read_text(encoding="utf-8").splitlines()[1:41]]
    assert _check(catalog, queries, tmp_path, configs_dir, index_config) >= 35


def test_sample_catalog_is_valid_jsonl(sample_catalog):
    rows = [json.loads(line) for line in sample_catalog.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
