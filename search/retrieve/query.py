"""Hybrid query building: one source query per retrieval source of the profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from search.config import IndexConfig
from search.errors import InputError
from search.profiles import SourceConfig
from search.retrieve.bm25 import SparseVector, query_vector
from search.retrieve.bounds import bound_terms
from search.store.base import DENSE, Filter, SourceQuery, Store
from search.text.analyzer import ChineseAnalyzer


class SourceUnavailableError(InputError):
    """A profile asks for a source the index does not have (e.g. ``dense`` on a BM25-only build)."""


def lexical_vectors(
    analyzer: ChineseAnalyzer, config: IndexConfig, text: str, fields: list[str]
) -> dict[str, SparseVector]:
    """Query-side BM25 vectors of ``text`` for the given lexical fields (same analyzer as the index)."""
    analysis = analyzer.analyze(text)
    return {name: query_vector(bound_terms(analysis.tokens(config.lexical.fields[name].features))) for name in fields}


def source_queries(
    sources: Mapping[str, SourceConfig],
    lexical: Mapping[str, SparseVector],
    dense: np.ndarray | None,
) -> list[SourceQuery]:
    """Source queries for the given sources; sources with an empty query vector are skipped."""
    out = []
    for name, cfg in sources.items():
        depth = cfg.depth
        if name == DENSE:
            if dense is not None:
                out.append(SourceQuery(name, DENSE, dense, depth, ef=cfg.ef))
        elif len(lexical.get(name, ())):
            out.append(SourceQuery(name, name, lexical[name], depth))
    return out


#: the source name of the typed (uncorrected) query's lexical fallback
TYPED_SUFFIX = ":typed"
#: its weight, as a share of the lexical source it reuses
TYPED_WEIGHT = 0.5


def typed_fallback(
    analyzer: ChineseAnalyzer,
    config: IndexConfig,
    typed: str,
    sources: Mapping[str, SourceConfig],
    weights: Mapping[str, float],
) -> tuple[SourceQuery, float] | None:
    """When spelling correction changed a query, the query as typed, searched lexically once more.

    A correction can be wrong (a rare real word read as a typo): the typed text still finds
    the products that spell it that way. It reuses the profile's character n-gram source
    (else its first lexical source) at :data:`TYPED_WEIGHT` of that source's weight.
    """
    lexical = [n for n in sources if n != DENSE and weights.get(n, 0) > 0]
    if not lexical or not typed.strip():
        return None
    name = "ngram" if "ngram" in lexical else lexical[0]
    vector = lexical_vectors(analyzer, config, typed, [name])[name]
    if not len(vector):
        return None
    query = SourceQuery(name + TYPED_SUFFIX, name, vector, sources[name].depth)
    return query, TYPED_WEIGHT * weights[name]


def check_sources(sources: list[str], config: IndexConfig, has_dense: bool) -> None:
    """Raise :class:`SourceUnavailableError` when a source is not in the index."""
    for name in sources:
        if name == DENSE:
            if not has_dense:
                raise SourceUnavailableError("this index was built without embeddings (dense.model: none)")
        elif name not in config.lexical.fields:
            valid = ", ".join([*config.lexical.fields, DENSE])
            raise SourceUnavailableError(f"the index has no source {name!r}; it has: {valid}")


def complete_scores(
    store: Store,
    queries: list[SourceQuery],
    flt: Filter,
    union: list[int],
    scored: dict[str, list[tuple[int, float]]],
    ranks: dict[int, dict[str, tuple[int | None, float]]],
) -> None:
    """Score every candidate under every source, not only where it made that source's top list.

    A product found by one source but ranked below another source's depth would
    otherwise get nothing from that source; one more batched request, each source
    restricted to the candidates it has not scored yet, gives the real score (no rank:
    it was not in the source's list).
    """
    rescoring = []
    for q in queries:
        have = {key for key, _ in scored[q.source]}
        todo = tuple(key for key in union if key not in have)
        if todo:
            rescoring.append(replace(q, limit=len(todo), keys=todo))
    again = store.rank(rescoring, flt)
    for q, extra in zip(rescoring, again, strict=True):
        scored[q.source] = scored[q.source] + extra
        for key, score in extra:
            ranks.setdefault(key, {})[q.source] = (None, score)
