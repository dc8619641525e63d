"""Read access to one build's collection on a Qdrant server (see :mod:`search.store.server`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from search.store.base import DENSE, Filter, Hit, SourceQuery, point_key, query_filter
from search.store.server.filters import selection, to_client_filter, to_vector

SCROLL_PAGE = 1024


def scroll_records(
    client: QdrantClient, name: str, *, with_payload: Any, with_vectors: Any = False, page: int = SCROLL_PAGE
) -> Iterator[qm.Record]:
    offset = None
    while True:
        records, offset = client.scroll(
            name, limit=page, offset=offset, with_payload=with_payload, with_vectors=with_vectors
        )
        yield from records
        if offset is None:
            break


def scroll_payloads(client: QdrantClient, name: str, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
    for r in scroll_records(client, name, with_payload=list(fields)):
        if r.payload:
            yield r.payload


class ServerStore:
    """Read access to one build's collection."""

    def __init__(self, client: QdrantClient, name: str, *, owns_client: bool = False) -> None:
        self.client = client
        self.name = name
        self._owns_client = owns_client

    def search(
        self, queries: Sequence[SourceQuery], filter: Filter | None = None, fields: Sequence[str] | None = None
    ) -> list[list[Hit]]:
        """All sources in one ``query_batch_points`` request (see :class:`search.store.base.Store`)."""
        if not queries:
            return []
        results = self._query(queries, filter, lambda q: selection(q.fields if q.fields is not None else fields))
        return [[Hit(p.payload["id"], float(p.score), p.payload) for p in res.points if p.payload] for res in results]

    def rank(self, queries: Sequence[SourceQuery], filter: Filter | None = None) -> list[list[tuple[int, float]]]:
        """Point keys and scores only (see :class:`search.store.base.Store`)."""
        if not queries:
            return []
        return [
            [(int(p.id), float(p.score)) for p in res.points] for res in self._query(queries, filter, lambda q: False)
        ]

    def _query(
        self, queries: Sequence[SourceQuery], filter: Filter | None, payload: Callable[[SourceQuery], bool | list[str]]
    ) -> list[Any]:
        flt = to_client_filter(filter)
        requests = [
            qm.QueryRequest(
                query=to_vector(q.vector),
                using=q.using,
                filter=flt if q.keys is None else to_client_filter(query_filter(filter, q)),
                limit=q.limit,
                with_payload=payload(q),
                params=qm.SearchParams(hnsw_ef=q.ef) if q.ef else None,
            )
            for q in queries
        ]
        return list(self.client.query_batch_points(self.name, requests=requests))

    def browse(
        self, filter: Filter | None, order_by: str | None, descending: bool, limit: int, offset: int = 0
    ) -> list[Hit]:
        """Matching products ordered by a numeric payload field; unordered ones by point id."""
        flt = to_client_filter(filter)
        if limit <= 0:
            return []
        if order_by:
            direction = qm.Direction.DESC if descending else qm.Direction.ASC
            res = self.client.query_points(
                self.name,
                query=qm.OrderByQuery(order_by=qm.OrderBy(key=order_by, direction=direction)),
                query_filter=flt,
                limit=limit,
                offset=offset,
                with_payload=True,
            )
            return [Hit(p.payload["id"], 0.0, p.payload) for p in res.points if p.payload]
        records, _ = self.client.scroll(self.name, scroll_filter=flt, limit=offset + limit, with_payload=True)
        return [Hit(r.payload["id"], 0.0, r.payload) for r in records[offset:] if r.payload]

    def get(self, ids: Sequence[str], fields: Sequence[str] | None = None) -> list[dict[str, Any] | None]:
        """Payloads by product id, in order."""
        if not ids:
            return []
        selection = True if fields is None else list(dict.fromkeys(["id", *fields]))
        records = self.client.retrieve(
            self.name, [point_key(i) for i in ids], with_payload=selection, with_vectors=False
        )
        found = {r.payload["id"]: r.payload for r in records if r.payload}
        return [found.get(i) for i in ids]

    def get_keys(self, keys: Sequence[int], fields: Sequence[str] | None = None) -> list[dict[str, Any] | None]:
        """Payloads by point key, in order."""
        if not keys:
            return []
        records = self.client.retrieve(self.name, list(keys), with_payload=selection(fields), with_vectors=False)
        found = {int(r.id): r.payload for r in records}
        return [found.get(k) or None for k in keys]

    def dense_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Dense vectors by product id."""
        if not ids:
            return {}
        records = self.client.retrieve(
            self.name, [point_key(i) for i in ids], with_payload=["id"], with_vectors=[DENSE]
        )
        out = {}
        for r in records:
            vectors = r.vector if isinstance(r.vector, dict) else {}
            vec = vectors.get(DENSE)
            if vec is not None and r.payload:
                out[r.payload["id"]] = np.asarray(vec, dtype=np.float32)
        return out

    def count(self, filter: Filter | None = None) -> int:
        """Exact count of matching products."""
        return int(self.client.count(self.name, count_filter=to_client_filter(filter), exact=True).count)

    def facet(self, key: str, filter: Filter | None = None, limit: int = 20) -> list[tuple[str, int]]:
        """Exact value counts of an indexed keyword field."""
        res = self.client.facet(self.name, key=key, facet_filter=to_client_filter(filter), limit=limit, exact=True)
        return [(str(h.value), int(h.count)) for h in res.hits]

    def payloads(self, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every point's payload (selected fields), in pages."""
        return scroll_payloads(self.client, self.name, fields)

    def close(self) -> None:
        """Close the client if this store opened it (a shared client stays open)."""
        if self._owns_client:
            self.client.close()
