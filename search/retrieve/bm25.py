"""BM25 as Qdrant sparse vectors.

Qdrant's ``IDF`` modifier multiplies each query term by
``idf(t) = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))`` computed over the live index,
so the indexer only has to store the term-frequency saturation on the document side::

    doc[t]   = tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
    query[t] = weight of t in the query (its count, times any boost)
    score    = sum_t query[t] * idf(t) * doc[t]                      # = BM25

Term ids are 32-bit hashes of the token text (stateless, so the embedded and the
server store, the indexer and the query service agree without a vocabulary file).
Everything here is a pure function over plain data.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SparseVector:
    """Sparse vector: parallel lists of term ids (sorted, unique) and values."""

    indices: list[int]
    values: list[float]

    def __len__(self) -> int:
        return len(self.indices)

    def as_dict(self) -> dict[int, float]:
        """``{term id: value}``."""
        return dict(zip(self.indices, self.values, strict=True))


@dataclass(frozen=True)
class FieldStats:
    """Corpus statistics of one lexical field."""

    n_docs: int
    total_length: float
    vocabulary: int = 0

    @property
    def avgdl(self) -> float:
        """Average (weighted) document length; 1.0 for an empty corpus."""
        return self.total_length / self.n_docs if self.n_docs and self.total_length > 0 else 1.0


def term_id(token: str) -> int:
    """The sparse index of a token (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(token.encode("utf-8"))


def _pack(weights: Mapping[str, float]) -> SparseVector:
    merged: dict[int, float] = {}
    for token, value in weights.items():
        if value > 0:
            tid = term_id(token)
            merged[tid] = merged.get(tid, 0.0) + value  # hash collisions add up
    ids = sorted(merged)
    return SparseVector(ids, [merged[i] for i in ids])


@dataclass(frozen=True)
class TermBag:
    """A document's term frequencies by term id: compact (no strings) for large catalogs."""

    ids: np.ndarray  # uint32, sorted, unique
    tf: np.ndarray  # float32, > 0

    @property
    def length(self) -> int:
        """Number of distinct terms."""
        return int(self.ids.shape[0])


def pack(tf: Mapping[str, float]) -> TermBag:
    """Hash a bag of tokens into a :class:`TermBag` (colliding tokens add up)."""
    merged: dict[int, float] = {}
    for token, value in tf.items():
        if value > 0:
            tid = term_id(token)
            merged[tid] = merged.get(tid, 0.0) + value
    ids = np.fromiter(sorted(merged), dtype=np.uint32, count=len(merged))
    return TermBag(ids, np.array([merged[int(i)] for i in ids], dtype=np.float32))


def bag_vector(bag: TermBag, length: float, avgdl: float, k1: float, b: float) -> SparseVector:
    """The document-side sparse vector of a packed bag (vectorised :func:`saturate`)."""
    tf = bag.tf.astype(np.float64)
    values = tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * length / avgdl))
    return SparseVector(bag.ids.tolist(), values.tolist())


def saturate(tf: float, length: float, avgdl: float, k1: float, b: float) -> float:
    """BM25 term-frequency saturation of one term in one document."""
    return tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * length / avgdl))


def doc_weights(tf: Mapping[str, float], length: float, avgdl: float, k1: float, b: float) -> dict[str, float]:
    """The saturated term weights of one document."""
    return {t: saturate(f, length, avgdl, k1, b) for t, f in tf.items() if f > 0}


def doc_vector(tf: Mapping[str, float], length: float, avgdl: float, k1: float, b: float) -> SparseVector:
    """The document-side sparse vector (see the module docstring)."""
    return _pack(doc_weights(tf, length, avgdl, k1, b))


def query_weights(tokens: Iterable[str], boosts: Mapping[str, float] | None = None) -> dict[str, float]:
    """Query term weights: the count of each token, times its boost (default 1)."""
    counts = Counter(tokens)
    if boosts:
        return {t: c * boosts.get(t, 1.0) for t, c in counts.items()}
    return {t: float(c) for t, c in counts.items()}


def query_vector(tokens: Iterable[str], boosts: Mapping[str, float] | None = None) -> SparseVector:
    """The query-side sparse vector."""
    return _pack(query_weights(tokens, boosts))


def idf(n_docs: int, doc_freq: int) -> float:
    """The IDF Qdrant applies (Lucene's BM25 idf), for explanations and oracles."""
    return math.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
