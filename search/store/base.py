"""The vector store interface shared by the embedded (Qdrant Edge) and server (qdrant-client) backends.

Both backends hold the same points: one per product, with a named dense vector
(``dense``), one sparse BM25 vector per lexical field, and this payload::

    id, title, brand, brand_keys[], category, category_path[], attributes{}, attr_keys[],
    price, sales, hash

Queries are expressed with the plain dataclasses below and translated by each
backend, so the query service never touches a Qdrant type and both backends give
the same answers for the same request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from search.retrieve.bm25 import SparseVector

DENSE = "dense"

#: payload field -> index type ("keyword", "float", "integer")
PAYLOAD_INDEXES: dict[str, str] = {
    "id": "keyword",
    "brand": "keyword",
    "brand_keys": "keyword",
    "category": "keyword",
    "category_path": "keyword",
    "attr_keys": "keyword",
    "price": "float",
    "sales": "integer",
}

#: the payload fields ranking needs (everything but the full attribute map and the hash)
RANKING_FIELDS = (
    "id", "title", "brand", "brand_key", "brand_keys", "category", "category_path", "attr_keys", "price", "sales",
)  # fmt: skip


@lru_cache(maxsize=1 << 18)
def point_key(product_id: str) -> int:
    """The Qdrant point id of a product: 63 bits of its id's BLAKE2b hash (memoised: hot in every query).

    Integer ids keep the hot path cheap: the engine filters on them and returns them
    without building UUID objects, so a query needs no payload to name its hits. The
    indexer rejects the (astronomically unlikely) second product whose key collides.
    """
    digest = hashlib.blake2b(product_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def attr_key(name: str, value: str) -> str:
    """The keyword stored in ``attr_keys`` for one attribute value."""
    return f"{name}={value}"


@dataclass(frozen=True)
class Filter:
    """Conditions on products; every non-empty part must hold.

    ``brands``/``categories`` match any of the given brand keys / category path
    prefixes; ``attributes`` must all match (an empty name matches the value under
    any attribute name); the ``exclude_*`` parts must not.
    """

    brands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    exclude_brands: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    exclude_attributes: tuple[tuple[str, str], ...] = ()
    exclude_ids: tuple[str, ...] = ()
    ids: tuple[str, ...] | None = None
    #: point keys (see :func:`point_key`) the products must have; with ``ids`` both must hold
    keys: tuple[int, ...] | None = None
    #: strict upper price bound (price bands are [low, high))
    price_below: float | None = None
    #: products without a price pass the price bounds too (a parsed price cannot judge them)
    price_unknown_ok: bool = False
    #: payload fields that must be set / must be null or absent
    require: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when the filter lets everything through."""
        return self == Filter()

    def price_range(self) -> tuple[float | None, float | None, float | None]:
        """``(gte, lte, lt)`` with at most one upper bound: the stricter of ``price_max`` and ``price_below``.

        (The engine does not combine ``lte`` and ``lt`` in one range: one of them would be ignored.)
        """
        lte, lt = self.price_max, self.price_below
        if lte is not None and lt is not None:
            lte, lt = (None, lt) if lt <= lte else (lte, None)
        return self.price_min, lte, lt


@dataclass(frozen=True)
class SourceQuery:
    """One retrieval source of a hybrid query: a vector against one named vector of the store."""

    source: str
    using: str
    vector: SparseVector | np.ndarray
    limit: int
    #: HNSW search breadth for dense sources (None: the store's default)
    ef: int | None = None
    #: payload fields to return for this query (None: the ``fields`` of the search call)
    fields: tuple[str, ...] | None = None
    #: restrict this query to these point keys, on top of the search call's filter (None: no restriction)
    keys: tuple[int, ...] | None = None


def query_filter(filter: Filter | None, query: SourceQuery) -> Filter | None:
    """The filter one source query runs under: the shared filter, narrowed to the query's keys."""
    if query.keys is None:
        return filter
    base = filter or Filter()
    if base.keys is None:
        return replace(base, keys=query.keys)
    allowed = set(base.keys)
    return replace(base, keys=tuple(k for k in query.keys if k in allowed))


@dataclass(frozen=True)
class Hit:
    """A product returned by the store with the source's score (or 0 when browsing)."""

    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class StoredPoint:
    """A product as written to the store."""

    id: str
    payload: dict[str, Any]
    dense: np.ndarray | None
    sparse: dict[str, SparseVector]


class Store(Protocol):
    """Read side of an index, shared by both backends."""

    def search(
        self, queries: Sequence[SourceQuery], filter: Filter | None = None, fields: Sequence[str] | None = None
    ) -> list[list[Hit]]:
        """Run several single-source queries in one batch; one ranked list per query.

        ``fields`` selects the payload fields returned (``id`` always; None returns all).
        """
        ...

    def rank(self, queries: Sequence[SourceQuery], filter: Filter | None = None) -> list[list[tuple[int, float]]]:
        """Like :meth:`search`, but each hit is only ``(point key, score)``: no payload is read.

        The query service's hot path: it names the products it keeps later, from
        :meth:`get_keys` (or its own cache).
        """
        ...

    def browse(
        self, filter: Filter | None, order_by: str | None, descending: bool, limit: int, offset: int = 0
    ) -> list[Hit]:
        """Products matching ``filter``, ordered by a numeric payload field (or by id)."""
        ...

    def get(self, ids: Sequence[str], fields: Sequence[str] | None = None) -> list[dict[str, Any] | None]:
        """Payloads of products by id (None where absent), in order; ``fields`` selects payload fields."""
        ...

    def get_keys(self, keys: Sequence[int], fields: Sequence[str] | None = None) -> list[dict[str, Any] | None]:
        """Payloads by point key (None where absent), in order; ``fields`` selects payload fields."""
        ...

    def dense_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Dense vectors of products by id."""
        ...

    def count(self, filter: Filter | None = None) -> int:
        """How many products match."""
        ...

    def facet(self, key: str, filter: Filter | None = None, limit: int = 20) -> list[tuple[str, int]]:
        """Value counts of a keyword payload field over the matching products."""
        ...

    def payloads(self, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every product's payload (selected fields), in pages."""
        ...

    def close(self) -> None:
        """Release the index."""
        ...


class IndexWriter(Protocol):
    """Write side used by the indexer to fill a new index version or update a copy of one."""

    def upsert(self, points: Sequence[StoredPoint]) -> None:
        """Insert or replace points."""
        ...

    def set_sparse(self, vectors: Sequence[tuple[str, dict[str, SparseVector]]]) -> None:
        """Replace the sparse vectors of existing points."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Delete points by product id."""
        ...

    def payloads(self, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every point's payload (selected fields)."""
        ...

    def finish(self) -> None:
        """Build indexes (HNSW), flush and close; the data is complete when this returns."""
        ...

    def abort(self) -> None:
        """Close without finishing (the caller discards the build)."""
        ...
