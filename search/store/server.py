"""The server store: collections on a Qdrant server or cluster, through ``qdrant-client``.

Each index build gets its own collection, ``<collection>_<build id>``; the alias
``<collection>`` is switched to the newest published build in one atomic
``update_collection_aliases`` call, so anything that queries the alias moves from
the old points to the new ones between two requests. The query service itself
opens the collection of the build it serves (named in the build's manifest), so
its analyzer, lexicon and statistics always match the points it queries.

Bulk loads defer HNSW indexing (``indexing_threshold=0`` while uploading) and
restore it in :meth:`ServerWriter.finish`, which waits until the collection is
green. A refresh copies the live collection into a new one (scroll with vectors,
upsert in batches) and updates the copy, like the embedded backend copies its shard.

Queries mean exactly what they mean on the embedded store (:mod:`search.store.edge`):
the same filter translation, cosine scores for ``dense`` and IDF-modified dot
products for the sparse BM25 vectors (congruence tests in ``tests/store``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from search.config import Settings, StoreConfig
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
from search.store.layout import MANIFEST, PARTIAL

#: Qdrant's default ``indexing_threshold`` (KB of vectors per segment before HNSW is built), restored after a bulk load
INDEXING_THRESHOLD_KB = 20_000
#: the embedded store's HNSW full-scan threshold (KB), kept identical so both plan filtered searches alike
FULL_SCAN_THRESHOLD_KB = 10_000
UPSERT_BATCH = 256
SCROLL_PAGE = 1024

_SCHEMA = {
    "keyword": qm.PayloadSchemaType.KEYWORD,
    "float": qm.PayloadSchemaType.FLOAT,
    "integer": qm.PayloadSchemaType.INTEGER,
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
#: build ids made by :meth:`search.store.layout.DataDir.new_build` (only such collections are ever dropped as orphans)
_BUILD_ID = r"\d{8}-\d{6}-[0-9a-f]{6}"


class MissingCollectionError(LookupError):
    """A build's collection is not on the Qdrant server (dropped, or another cluster)."""


# ---------------------------------------------------------------------------- names


def sanitize(name: str) -> str:
    """A collection or alias name Qdrant accepts everywhere (letters, digits, ``_`` and ``-``)."""
    return _UNSAFE.sub("_", name)[:200] or "_"


def build_id(build: Path) -> str:
    """The id of a build: its directory name without the ``.partial`` suffix."""
    name = build.name
    return name[: -len(PARTIAL)] if name.endswith(PARTIAL) else name


def collection_name(prefix: str, build: Path) -> str:
    """The collection holding a build's points: ``<prefix>_<build id>``."""
    return sanitize(f"{prefix}_{build_id(build)}")


def public_url(url: str | None) -> str | None:
    """The server URL without any credentials, for manifests and logs."""
    if not url or "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


# ---------------------------------------------------------------------------- translation


def _selection(fields: Sequence[str] | None) -> bool | list[str]:
    """Payload selection: everything for None, else the fields (``id`` always included)."""
    return True if fields is None else list(dict.fromkeys(["id", *fields]))


def to_client_filter(f: Filter | None) -> qm.Filter | None:
    """Translate a :class:`Filter` into a qdrant-client filter (None when empty).

    Condition for condition the same as :func:`search.store.edge.to_edge_filter`.
    """
    if f is None or f.is_empty():
        return None
    must: list[Any] = []
    must_not: list[Any] = []
    if f.ids is not None:
        must.append(qm.HasIdCondition(has_id=sorted({point_key(i) for i in f.ids})))
    if f.keys is not None:
        must.append(qm.HasIdCondition(has_id=sorted(set(f.keys))))
    if f.brands:
        must.append(qm.FieldCondition(key="brand_keys", match=qm.MatchAny(any=list(f.brands))))
    if f.categories:
        must.append(qm.FieldCondition(key="category_path", match=qm.MatchAny(any=list(f.categories))))
    if f.price_min is not None or f.price_max is not None or f.price_below is not None:
        gte, lte, lt = f.price_range()
        in_range = qm.FieldCondition(key="price", range=qm.Range(gte=gte, lte=lte, lt=lt))
        unknown = qm.IsEmptyCondition(is_empty=qm.PayloadField(key="price"))
        must.append(qm.Filter(should=[in_range, unknown]) if f.price_unknown_ok else in_range)
    for key in f.require:
        must_not.append(qm.IsEmptyCondition(is_empty=qm.PayloadField(key=key)))
    for key in f.missing:
        must.append(qm.IsEmptyCondition(is_empty=qm.PayloadField(key=key)))
    for name, value in f.attributes:
        must.append(qm.FieldCondition(key="attr_keys", match=qm.MatchValue(value=attr_key(name, value))))
    if f.exclude_brands:
        must_not.append(qm.FieldCondition(key="brand_keys", match=qm.MatchAny(any=list(f.exclude_brands))))
    if f.exclude_categories:
        must_not.append(qm.FieldCondition(key="category_path", match=qm.MatchAny(any=list(f.exclude_categories))))
    if f.exclude_attributes:
        keys = [attr_key(n, v) for n, v in f.exclude_attributes]
        must_not.append(qm.FieldCondition(key="attr_keys", match=qm.MatchAny(any=keys)))
    if f.exclude_ids:
        must_not.append(qm.HasIdCondition(has_id=sorted({point_key(i) for i in f.exclude_ids})))
    return qm.Filter(must=must or None, must_not=must_not or None)


def _vector(v: SparseVector | np.ndarray) -> Any:
    if isinstance(v, SparseVector):
        return qm.SparseVector(indices=list(v.indices), values=list(v.values))
    return np.asarray(v, dtype=np.float32).tolist()


def _point(p: StoredPoint) -> qm.PointStruct:
    vectors: dict[str, Any] = {name: _vector(vec) for name, vec in p.sparse.items() if len(vec)}
    if p.dense is not None:
        vectors[DENSE] = _vector(p.dense)
    return qm.PointStruct(id=point_key(p.id), vector=vectors, payload=p.payload)


def _scroll(
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


def _scroll_payloads(client: QdrantClient, name: str, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
    for r in _scroll(client, name, with_payload=list(fields)):
        if r.payload:
            yield r.payload


def _upsert(client: QdrantClient, name: str, points: Sequence[qm.PointStruct], batch: int) -> None:
    for lo in range(0, len(points), batch):
        client.upsert(name, points=list(points[lo : lo + batch]), wait=True)


def _read_manifest(build: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((build / MANIFEST).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}


def _hnsw(config: StoreConfig) -> qm.HnswConfigDiff:
    return qm.HnswConfigDiff(
        m=config.hnsw_m, ef_construct=config.hnsw_ef_construct, full_scan_threshold=FULL_SCAN_THRESHOLD_KB
    )


def _quantization(config: StoreConfig) -> qm.ScalarQuantization | None:
    if config.quantization != "int8":
        return None
    return qm.ScalarQuantization(
        scalar=qm.ScalarQuantizationConfig(type=qm.ScalarType.INT8, quantile=0.99, always_ram=True)
    )


# ---------------------------------------------------------------------------- read side


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
        results = self._query(queries, filter, lambda q: _selection(q.fields if q.fields is not None else fields))
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
                query=_vector(q.vector),
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
        records = self.client.retrieve(self.name, list(keys), with_payload=_selection(fields), with_vectors=False)
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
        return _scroll_payloads(self.client, self.name, fields)

    def close(self) -> None:
        """Close the client if this store opened it (a shared client stays open)."""
        if self._owns_client:
            self.client.close()


# ---------------------------------------------------------------------------- write side


class ServerWriter:
    """Write access to a collection being built or refreshed (HNSW indexing deferred until :meth:`finish`)."""

    def __init__(
        self,
        client: QdrantClient,
        name: str,
        *,
        batch_size: int = UPSERT_BATCH,
        wait_timeout_s: float = 3600.0,
        poll_s: float = 1.0,
    ) -> None:
        self.client = client
        self.name = name
        self.batch_size = batch_size
        self.wait_timeout_s = wait_timeout_s
        self.poll_s = poll_s

    def upsert(self, points: Sequence[StoredPoint]) -> None:
        """Insert or replace points, in batches."""
        _upsert(self.client, self.name, [_point(p) for p in points], self.batch_size)

    def set_sparse(self, vectors: Sequence[tuple[str, dict[str, SparseVector]]]) -> None:
        """Replace sparse vectors of existing points (empty vectors are removed)."""
        updates = []
        removals: dict[str, list[qm.ExtendedPointId]] = {}
        for pid, named in vectors:
            keep = {n: _vector(v) for n, v in named.items() if len(v)}
            for n, v in named.items():
                if not len(v):
                    removals.setdefault(n, []).append(point_key(pid))
            if keep:
                updates.append(qm.PointVectors(id=point_key(pid), vector=keep))
        for lo in range(0, len(updates), self.batch_size):
            self.client.update_vectors(self.name, points=updates[lo : lo + self.batch_size], wait=True)
        for name, ids in removals.items():
            self.client.delete_vectors(self.name, vectors=[name], points=ids, wait=True)

    def delete(self, ids: Sequence[str]) -> None:
        """Delete points by product id."""
        if ids:
            selector = qm.PointIdsList(points=[point_key(i) for i in ids])
            self.client.delete(self.name, points_selector=selector, wait=True)

    def payloads(self, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every point's payload (selected fields), in pages."""
        return _scroll_payloads(self.client, self.name, fields)

    def finish(self) -> None:
        """Turn HNSW indexing back on and wait until the collection is green (fully optimised)."""
        self.client.update_collection(
            self.name, optimizers_config=qm.OptimizersConfigDiff(indexing_threshold=INDEXING_THRESHOLD_KB)
        )
        wait_until_green(self.client, self.name, timeout_s=self.wait_timeout_s, poll_s=self.poll_s)

    def abort(self) -> None:
        """Nothing to close: the backend drops the collection when the build is discarded."""


def wait_until_green(client: QdrantClient, name: str, *, timeout_s: float, poll_s: float = 1.0) -> None:
    """Wait until the optimisers of a collection are idle.

    Right after the indexing threshold changes the status may still read green for a
    moment before the optimisers start, so green must be seen on two polls in a row.
    A grey status (optimisations pending but not triggered) is nudged with an empty
    optimiser update, as the Qdrant documentation recommends.
    """
    deadline = time.monotonic() + timeout_s
    greens = 0
    while True:
        status = client.get_collection(name).status
        if status == qm.CollectionStatus.GREEN:
            greens += 1
            if greens >= 2:
                return
        elif status == qm.CollectionStatus.RED:
            raise RuntimeError(f"collection {name} is red: an optimisation failed on the Qdrant server")
        else:
            greens = 0
            if status == qm.CollectionStatus.GREY:
                client.update_collection(name, optimizers_config=qm.OptimizersConfigDiff())
        if time.monotonic() > deadline:
            raise TimeoutError(f"collection {name} not indexed after {timeout_s:.0f} s (status {status})")
        time.sleep(poll_s)


# ---------------------------------------------------------------------------- backend


class ServerBackend:
    """Builds as collections on a Qdrant server, published through an alias (see the module docstring).

    Args:
        client: a client shared by everything this backend creates (stores borrow it).
            When omitted, ``connect`` makes one for the backend's own work, and each
            opened store gets (and closes) a client of its own.
        connect: makes a new client (required when ``client`` is omitted).
        prefix: the alias name and the prefix of the build collections.
        shard_number / replication_factor: layout of new collections on the cluster.
        url: the server address recorded in manifests (credentials removed).
        wait_timeout_s / poll_s: how long and how often ``finish`` waits for indexing.
    """

    name = "server"

    def __init__(
        self,
        client: QdrantClient | None = None,
        *,
        connect: Callable[[], QdrantClient] | None = None,
        prefix: str = "products",
        shard_number: int = 1,
        replication_factor: int = 1,
        url: str | None = None,
        wait_timeout_s: float = 3600.0,
        poll_s: float = 1.0,
        batch_size: int = UPSERT_BATCH,
    ) -> None:
        if client is None and connect is None:
            raise ValueError("ServerBackend needs a client or a connect function")
        self._client = client
        self._connect = connect
        self.alias = sanitize(prefix)
        self.prefix = prefix
        self.shard_number = shard_number
        self.replication_factor = replication_factor
        self.url = public_url(url)
        self.wait_timeout_s = wait_timeout_s
        self.poll_s = poll_s
        self.batch_size = batch_size

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerBackend:
        """The backend for ``QDRANT_URL`` (and the API key, timeout and cluster layout settings)."""
        if not settings.qdrant_url:
            raise ValueError("QDRANT_URL is not set")
        url = settings.qdrant_url
        # An empty key (``QDRANT_API_KEY=`` in a compose file) means no key.
        api_key = (settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else "") or None

        def connect() -> QdrantClient:
            return QdrantClient(
                url=url,
                api_key=api_key,
                timeout=int(settings.qdrant_timeout_s),
                prefer_grpc=settings.qdrant_prefer_grpc,
            )

        return cls(
            connect=connect,
            prefix=settings.collection,
            shard_number=settings.shard_number,
            replication_factor=settings.replication_factor,
            url=url,
            wait_timeout_s=settings.qdrant_index_wait_s,
        )

    @property
    def client(self) -> QdrantClient:
        """The backend's own client (made on first use)."""
        if self._client is None:
            assert self._connect is not None
            self._client = self._connect()
        return self._client

    # ------------------------------------------------------------------ names
    def collection(self, build: Path) -> str:
        """The collection of a build: from its manifest when it has one, else derived from its name."""
        store = _read_manifest(build).get("store", {})
        if store.get("backend") == self.name and store.get("collection"):
            return str(store["collection"])
        return collection_name(self.prefix, build)

    def live_collection(self) -> str | None:
        """The collection the alias points at (None when there is no alias yet)."""
        for a in self.client.get_aliases().aliases:
            if a.alias_name == self.alias:
                return a.collection_name
        return None

    # ------------------------------------------------------------------ Backend protocol
    def create(self, build: Path, dim: int, sparse_names: Sequence[str], config: StoreConfig) -> ServerWriter:
        """A new empty collection with the product schema, indexing deferred."""
        name = collection_name(self.prefix, build)
        self._create(
            name,
            vectors={DENSE: qm.VectorParams(size=dim, distance=qm.Distance.COSINE, on_disk=config.dense_on_disk)},
            sparse={n: qm.SparseVectorParams(modifier=qm.Modifier.IDF) for n in sparse_names},
            hnsw=_hnsw(config),
            quantization=_quantization(config),
            indexes={k: _SCHEMA[v] for k, v in PAYLOAD_INDEXES.items()},
        )
        return self._writer(name)

    def copy(self, live: Path, build: Path) -> ServerWriter:
        """A new collection with the live one's schema, filled by scrolling the live one (vectors included)."""
        source = self.collection(live)
        if not self.client.collection_exists(source):
            raise MissingCollectionError(f"the live build's collection {source!r} is not on {self.url or 'the server'}")
        info = self.client.get_collection(source)
        params = info.config.params
        vectors: dict[str, Any] = dict(params.vectors) if isinstance(params.vectors, dict) else {DENSE: params.vectors}
        indexes: dict[str, Any] = {k: _SCHEMA[v] for k, v in PAYLOAD_INDEXES.items()}
        for key, schema in (info.payload_schema or {}).items():
            if schema.data_type is not None:
                indexes.setdefault(key, schema.data_type)
        # Index layout: what the live build asked for (its manifest), else what the server reports.
        store = _read_manifest(live).get("index_config", {}).get("store")
        quantization: Any
        if store is not None:
            config = StoreConfig.model_validate(store)
            hnsw, quantization = _hnsw(config), _quantization(config)
        else:
            reported = info.config.hnsw_config.model_dump(exclude_none=True)
            hnsw = qm.HnswConfigDiff(**{k: v for k, v in reported.items() if k in qm.HnswConfigDiff.model_fields})
            quantization = info.config.quantization_config
        name = collection_name(self.prefix, build)
        self._create(
            name,
            vectors=vectors,
            sparse=dict(params.sparse_vectors or {}),
            hnsw=hnsw,
            quantization=quantization,
            indexes=indexes,
        )
        try:
            batch: list[qm.PointStruct] = []
            for r in _scroll(self.client, source, with_payload=True, with_vectors=True, page=self.batch_size):
                vector: Any = r.vector or {}
                batch.append(qm.PointStruct(id=r.id, vector=vector, payload=r.payload))
                if len(batch) >= self.batch_size:
                    _upsert(self.client, name, batch, self.batch_size)
                    batch = []
            _upsert(self.client, name, batch, self.batch_size)
        except BaseException:
            self._drop(name)
            raise
        return self._writer(name)

    def open(self, build: Path) -> ServerStore:
        """Read access to a published build's collection."""
        name = self.collection(build)
        if self._client is None and self._connect is not None:
            client, owns = self._connect(), True
        else:
            client, owns = self.client, False
        try:
            exists = client.collection_exists(name)
        except BaseException:
            if owns:
                client.close()
            raise
        if not exists:
            if owns:
                client.close()
            raise MissingCollectionError(
                f"collection {name!r} of build {build.name} is not on {self.url or 'the Qdrant server'}: "
                "rebuild the index (indexer build) or point QDRANT_URL at the cluster it was built on"
            )
        return ServerStore(client, name, owns_client=owns)

    def describe(self, build: Path) -> dict[str, Any]:
        """Backend, collection and server address (never the API key)."""
        return {"backend": self.name, "collection": collection_name(self.prefix, build), "url": self.url}

    def published(self, build: Path) -> None:
        """Point the alias at the build's collection (one atomic call), then drop orphaned build collections."""
        name = self.collection(build)
        live = self.live_collection()
        if live is None and self.client.collection_exists(self.alias):
            raise RuntimeError(f"a collection named {self.alias!r} exists: it blocks the alias of the same name")
        ops: list[Any] = []
        if live is not None:
            ops.append(qm.DeleteAliasOperation(delete_alias=qm.DeleteAlias(alias_name=self.alias)))
        ops.append(qm.CreateAliasOperation(create_alias=qm.CreateAlias(collection_name=name, alias_name=self.alias)))
        self.client.update_collection_aliases(change_aliases_operations=ops)
        self._drop_orphans(build, name)

    def _drop_orphans(self, build: Path, live: str) -> None:
        """Drop build collections older than ``live`` whose build directory is gone.

        Called only after the alias switch succeeded. Newer collections are left alone
        (another indexer may be writing one), and so is anything whose name is not
        ``<prefix>_<build id>`` (other deployments sharing the cluster).
        """
        on_disk = {collection_name(self.prefix, p) for p in build.parent.iterdir() if p.is_dir()}
        pattern = re.compile(re.escape(sanitize(self.prefix + "_")) + _BUILD_ID + "$")
        for c in self.client.get_collections().collections:
            if pattern.match(c.name) and c.name < live and c.name not in on_disk:
                self._drop(c.name)

    def discard(self, build: Path) -> None:
        """Drop the build's collection if it exists (never the one the alias points at)."""
        name = self.collection(build)
        if name != self.live_collection():
            self._drop(name)

    # ------------------------------------------------------------------ helpers
    def _create(
        self,
        name: str,
        *,
        vectors: dict[str, Any],
        sparse: dict[str, qm.SparseVectorParams],
        hnsw: qm.HnswConfigDiff,
        quantization: Any,
        indexes: dict[str, Any],
    ) -> None:
        if self.client.collection_exists(name):  # left over by a crashed attempt with the same id
            self.client.delete_collection(name)
        self.client.create_collection(
            name,
            vectors_config=vectors,
            sparse_vectors_config=sparse,
            hnsw_config=hnsw,
            quantization_config=quantization,
            optimizers_config=qm.OptimizersConfigDiff(indexing_threshold=0),
            shard_number=self.shard_number,
            replication_factor=self.replication_factor,
        )
        try:
            for key, schema in indexes.items():
                self.client.create_payload_index(name, field_name=key, field_schema=schema, wait=True)
        except BaseException:
            self._drop(name)
            raise

    def _writer(self, name: str) -> ServerWriter:
        return ServerWriter(
            self.client, name, batch_size=self.batch_size, wait_timeout_s=self.wait_timeout_s, poll_s=self.poll_s
        )

    def _drop(self, name: str) -> None:
        if self.client.collection_exists(name):
            self.client.delete_collection(name)
