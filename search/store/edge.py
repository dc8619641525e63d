"""The embedded store: one Qdrant Edge shard on disk (``qdrant-edge-py``).

Shards are created with the write-ahead log off, so that several processes (API
workers, ``search query``, the indexer's stats) can open the same build at once;
writes are made durable by ``flush()``. A build is only ever written by the
indexer into a fresh directory, and published when complete (see
:mod:`search.store.layout`), so readers never see a half-written shard.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

from search.config import StoreConfig
from search.retrieve.bm25 import SparseVector
from search.store.base import (
    DENSE,
    PAYLOAD_INDEXES,
    Filter,
    Hit,
    SourceQuery,
    StoredPoint,
    attr_key,
    point_key,
    query_filter,
)

SHARD = "shard"

_SCHEMA = {
    "keyword": qe.PayloadSchemaType.Keyword,
    "float": qe.PayloadSchemaType.Float,
    "integer": qe.PayloadSchemaType.Integer,
}


def _selection(fields: Sequence[str] | None) -> bool | list[str]:
    """Payload selection: everything for None, else the fields (``id`` always included)."""
    return True if fields is None else list(dict.fromkeys(["id", *fields]))


def to_edge_filter(f: Filter | None) -> qe.Filter | None:
    """Translate a :class:`Filter` into a Qdrant Edge filter (None when empty)."""
    if f is None or f.is_empty():
        return None
    must: list[Any] = []
    must_not: list[Any] = []
    if f.ids is not None:
        must.append(qe.HasIdCondition({point_key(i) for i in f.ids}))
    if f.keys is not None:
        must.append(qe.HasIdCondition(set(f.keys)))
    if f.brands:
        must.append(qe.FieldCondition("brand_keys", match=qe.MatchAny(list(f.brands))))
    if f.categories:
        must.append(qe.FieldCondition("category_path", match=qe.MatchAny(list(f.categories))))
    if f.price_min is not None or f.price_max is not None or f.price_below is not None:
        gte, lte, lt = f.price_range()
        in_range = qe.FieldCondition("price", range=qe.RangeFloat(gte=gte, lte=lte, lt=lt))
        must.append(qe.Filter(should=[in_range, qe.IsEmptyCondition("price")]) if f.price_unknown_ok else in_range)
    for key in f.require:
        must_not.append(qe.IsEmptyCondition(key))
    for key in f.missing:
        must.append(qe.IsEmptyCondition(key))
    for name, value in f.attributes:
        must.append(qe.FieldCondition("attr_keys", match=qe.MatchValue(attr_key(name, value))))
    if f.exclude_brands:
        must_not.append(qe.FieldCondition("brand_keys", match=qe.MatchAny(list(f.exclude_brands))))
    if f.exclude_categories:
        must_not.append(qe.FieldCondition("category_path", match=qe.MatchAny(list(f.exclude_categories))))
    if f.exclude_attributes:
        keys = [attr_key(n, v) for n, v in f.exclude_attributes]
        must_not.append(qe.FieldCondition("attr_keys", match=qe.MatchAny(keys)))
    if f.exclude_ids:
        must_not.append(qe.HasIdCondition({point_key(i) for i in f.exclude_ids}))
    return qe.Filter(must=must or None, must_not=must_not or None)


def _vector(v: SparseVector | np.ndarray) -> Any:
    if isinstance(v, SparseVector):
        return qe.SparseVector(list(v.indices), list(v.values))
    return np.asarray(v, dtype=np.float32).tolist()


def _point(p: StoredPoint) -> qe.Point:
    vectors: dict[str, Any] = {name: _vector(vec) for name, vec in p.sparse.items() if len(vec)}
    if p.dense is not None:
        vectors[DENSE] = _vector(p.dense)
    return qe.Point(point_key(p.id), vectors, p.payload)


def _hit(point: Any, score: float) -> Hit:
    payload = point.payload  # read once: each access converts the engine's payload into a new dict
    return Hit(payload["id"], score, payload)


def _scroll_payloads(shard: qe.EdgeShard, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
    offset = None
    while True:
        records, offset = shard.scroll(
            qe.ScrollRequest(offset=offset, limit=2048, with_payload=list(fields), with_vector=False)
        )
        for r in records:
            payload = r.payload  # each access converts the engine's payload into a new dict
            if payload:
                yield payload
        if offset is None:
            break


class EdgeStore:
    """Read access to one published shard."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._shard = qe.EdgeShard.load(str(path))

    def search(
        self, queries: Sequence[SourceQuery], filter: Filter | None = None, fields: Sequence[str] | None = None
    ) -> list[list[Hit]]:
        """One batched request for all sources (see :class:`search.store.base.Store`)."""
        if not queries:
            return []
        return [
            [_hit(p, float(p.score)) for p in res]
            for res in self._query(queries, filter, lambda q: _selection(q.fields if q.fields is not None else fields))
        ]

    def rank(self, queries: Sequence[SourceQuery], filter: Filter | None = None) -> list[list[tuple[int, float]]]:
        """Point keys and scores only (see :class:`search.store.base.Store`)."""
        if not queries:
            return []
        return [[(p.id, p.score) for p in res] for res in self._query(queries, filter, lambda q: False)]

    def _query(
        self, queries: Sequence[SourceQuery], filter: Filter | None, payload: Callable[[SourceQuery], bool | list[str]]
    ) -> list[Any]:
        flt = to_edge_filter(filter)
        requests = [
            qe.QueryRequest(
                limit=q.limit,
                query=qe.Query.Nearest(_vector(q.vector), using=q.using),
                filter=flt if q.keys is None else to_edge_filter(query_filter(filter, q)),
                with_payload=payload(q),
                params=qe.SearchParams(hnsw_ef=q.ef) if q.ef else None,
            )
            for q in queries
        ]
        return list(self._shard.query_batch(qe.QueryBatchRequest(requests)))

    def browse(
        self, filter: Filter | None, order_by: str | None, descending: bool, limit: int, offset: int = 0
    ) -> list[Hit]:
        """Matching products ordered by a numeric payload field; unordered ones by point order."""
        flt = to_edge_filter(filter)
        if order_by:
            direction = qe.Direction.Desc if descending else qe.Direction.Asc
            res = self._shard.query(
                qe.QueryRequest(
                    limit=limit,
                    offset=offset,
                    query=qe.OrderBy(order_by, direction=direction),
                    filter=flt,
                    with_payload=True,
                )
            )
            return [_hit(p, 0.0) for p in res]
        records, _ = self._shard.scroll(qe.ScrollRequest(limit=offset + limit, filter=flt, with_payload=True))
        return [_hit(r, 0.0) for r in records[offset:]]

    def get(self, ids: Sequence[str], fields: Sequence[str] | None = None) -> list[dict[str, Any] | None]:
        """Payloads by product id, in order."""
        selection = True if fields is None else list(dict.fromkeys(["id", *fields]))
        records = self._shard.retrieve([point_key(i) for i in ids], with_payload=selection, with_vector=False)
        payloads = [r.payload for r in records]
        found = {p["id"]: p for p in payloads if p}
        return [found.get(i) for i in ids]

    def get_keys(self, keys: Sequence[int], fields: Sequence[str] | None = None) -> list[dict[str, Any] | None]:
        """Payloads by point key, in order."""
        records = self._shard.retrieve(list(keys), with_payload=_selection(fields), with_vector=False)
        found = {r.id: r.payload for r in records}
        return [found.get(k) or None for k in keys]

    def dense_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Dense vectors by product id."""
        records = self._shard.retrieve([point_key(i) for i in ids], with_payload=["id"], with_vector=[DENSE])
        out = {}
        for r in records:
            vectors = r.vector if isinstance(r.vector, dict) else {}
            vec = vectors.get(DENSE)
            payload = r.payload
            if vec is not None and payload:
                out[payload["id"]] = np.asarray(vec, dtype=np.float32)
        return out

    def count(self, filter: Filter | None = None) -> int:
        """Exact count of matching products."""
        return int(self._shard.count(qe.CountRequest(exact=True, filter=to_edge_filter(filter))))

    def facet(self, key: str, filter: Filter | None = None, limit: int = 20) -> list[tuple[str, int]]:
        """Exact value counts of an indexed keyword field."""
        res = self._shard.facet(qe.FacetRequest(key, limit=limit, exact=True, filter=to_edge_filter(filter)))
        return [(str(h.value), int(h.count)) for h in res.hits]

    def payloads(self, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every point's payload (selected fields), in pages."""
        return _scroll_payloads(self._shard, fields)

    def close(self) -> None:
        """Close the shard."""
        self._shard.close()


class EdgeWriter:
    """Write access to a shard being built (new) or refreshed (a private copy of the live one)."""

    def __init__(self, shard: qe.EdgeShard) -> None:
        self._shard = shard

    @classmethod
    def create(cls, path: Path, dim: int, sparse_names: Sequence[str], config: StoreConfig) -> EdgeWriter:
        """Create an empty shard with the product schema and payload indexes."""
        quant = None
        if config.quantization == "int8":
            quant = qe.ScalarQuantizationConfig(type=qe.ScalarType.Int8, quantile=0.99, always_ram=True)
        edge_config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine, on_disk=config.dense_on_disk)},
            sparse_vectors={name: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf) for name in sparse_names},
            hnsw_config=qe.HnswIndexConfig(
                m=config.hnsw_m, ef_construct=config.hnsw_ef_construct, full_scan_threshold=10000
            ),
            quantization_config=quant,
            wal_enabled=False,
        )
        shard = qe.EdgeShard.create(str(path), edge_config)
        for name, kind in PAYLOAD_INDEXES.items():
            shard.update(qe.UpdateOperation.create_field_index(name, _SCHEMA[kind]))
        return cls(shard)

    @classmethod
    def open(cls, path: Path) -> EdgeWriter:
        """Open an existing shard (a private copy) for updates."""
        return cls(qe.EdgeShard.load(str(path)))

    def upsert(self, points: Sequence[StoredPoint]) -> None:
        """Insert or replace points."""
        if points:
            self._shard.update(qe.UpdateOperation.upsert_points([_point(p) for p in points]))

    def set_sparse(self, vectors: Sequence[tuple[str, dict[str, SparseVector]]]) -> None:
        """Replace sparse vectors of existing points (empty vectors are removed)."""
        updates = []
        removals: dict[str, list[int]] = {}
        for pid, named in vectors:
            keep = {n: _vector(v) for n, v in named.items() if len(v)}
            for n, v in named.items():
                if not len(v):
                    removals.setdefault(n, []).append(point_key(pid))
            if keep:
                updates.append(qe.PointVectors(point_key(pid), keep))
        if updates:
            self._shard.update(qe.UpdateOperation.update_vectors(updates))
        for name, ids in removals.items():
            self._shard.update(qe.UpdateOperation.delete_vectors(list[Any](ids), [name]))

    def delete(self, ids: Sequence[str]) -> None:
        """Delete points by product id."""
        if ids:
            self._shard.update(qe.UpdateOperation.delete_points([point_key(i) for i in ids]))

    def payloads(self, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every point's payload (selected fields), in pages."""
        return _scroll_payloads(self._shard, fields)

    def finish(self) -> None:
        """Build the HNSW graph and optimise segments, flush, close."""
        self._shard.optimize()
        self._shard.flush()
        self._shard.close()

    def abort(self) -> None:
        """Close without optimising (the directory is discarded by the caller)."""
        with contextlib.suppress(Exception):  # best effort on an error path
            self._shard.close()


class EdgeBackend:
    """Points in a Qdrant Edge shard inside the build directory (the embedded default)."""

    name = "edge"

    def create(self, build: Path, dim: int, sparse_names: Sequence[str], config: StoreConfig) -> EdgeWriter:
        """A new shard under ``build/shard``."""
        return EdgeWriter.create(build / SHARD, dim, sparse_names, config)

    def copy(self, live: Path, build: Path) -> EdgeWriter:
        """Copy the live shard's files (nobody writes to a published shard) and open the copy."""
        shutil.copytree(live / SHARD, build / SHARD)
        return EdgeWriter.open(build / SHARD)

    def open(self, build: Path) -> EdgeStore:
        """Open the shard read-only-ish (WAL off, so many processes may share it)."""
        return EdgeStore(build / SHARD)

    def describe(self, build: Path) -> dict[str, Any]:
        """The shard path, relative to the build."""
        return {"backend": self.name, "path": SHARD}

    def published(self, build: Path) -> None:
        """Nothing to do: the CURRENT file is the switch."""

    def discard(self, build: Path) -> None:
        """The shard goes with its build directory."""
