"""Builds as collections on a Qdrant server, published through an alias (see :mod:`search.store.server`)."""

from __future__ import annotations

import atexit
import json
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from qdrant_client import QdrantClient
from qdrant_client import models as qm

from search.config import Settings, StoreConfig
from search.store.backend import LOCAL_SCHEME
from search.store.base import DENSE, PAYLOAD_INDEXES
from search.store.layout import MANIFEST, PARTIAL
from search.store.server.store import ServerStore, scroll_records
from search.store.server.writer import UPSERT_BATCH, ServerWriter, upsert_batches

#: the embedded store's HNSW full-scan threshold (KB), kept identical so both plan filtered searches alike
FULL_SCAN_THRESHOLD_KB = 10_000

_SCHEMA = {
    "keyword": qm.PayloadSchemaType.KEYWORD,
    "float": qm.PayloadSchemaType.FLOAT,
    "integer": qm.PayloadSchemaType.INTEGER,
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
#: build ids made by :meth:`search.store.layout.DataDir.new_build` (only such collections are ever dropped as orphans)
_BUILD_ID = r"\d{8}-\d{6}-[0-9a-f]{6}"


_LOCAL_CLIENTS: dict[str, QdrantClient] = {}
_LOCAL_LOCK = threading.Lock()


def _close_local_clients() -> None:
    with _LOCAL_LOCK:
        for client in _LOCAL_CLIENTS.values():
            client.close()
        _LOCAL_CLIENTS.clear()


def _local_client(path: str) -> QdrantClient:
    """The process's one qdrant-client local-mode client for a folder."""
    key = str(Path(path).resolve())
    with _LOCAL_LOCK:
        client = _LOCAL_CLIENTS.get(key)
        if client is None:
            Path(key).mkdir(parents=True, exist_ok=True)
            if not _LOCAL_CLIENTS:
                atexit.register(_close_local_clients)
            client = _LOCAL_CLIENTS[key] = QdrantClient(path=key)
        return client


class MissingCollectionError(LookupError):
    """A build's collection is not on the Qdrant server (dropped, or another cluster)."""


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
    if not url or "://" not in url or url.startswith(LOCAL_SCHEME):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


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
        return cls.from_url(settings.qdrant_url, settings)

    @classmethod
    def from_url(cls, url: str, settings: Settings) -> ServerBackend:
        """The backend for a server URL, or ``qdrant+local://PATH`` for qdrant-client's local mode.

        Local mode allows one client per folder and process, so every backend of this
        process on the same folder shares one client (never closed by a store).
        """
        if url.startswith(LOCAL_SCHEME):
            path = url[len(LOCAL_SCHEME) :]
            return cls(_local_client(path), prefix=settings.collection, url=url, poll_s=0.05)
        # An empty key (``QDRANT_API_KEY=`` in a compose file) means no key.
        api_key = (settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else "") or None

        def connect() -> QdrantClient:
            return QdrantClient(
                url=url,
                api_key=api_key,
                timeout=int(settings.qdrant_timeout_s),
                prefer_grpc=settings.qdrant_prefer_grpc,
                check_compatibility=False,  # check() asks the server instead, with a message that names it
            )

        return cls(
            connect=connect,
            prefix=settings.collection,
            shard_number=settings.shard_number,
            replication_factor=settings.replication_factor,
            url=url,
            wait_timeout_s=settings.qdrant_index_wait_s,
        )

    def check(self) -> None:
        """Raise :class:`~search.store.backend.StoreUnavailable` unless the server answers."""
        from search.store.backend import StoreUnavailable

        try:
            self.client.get_collections()
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreUnavailable(f"Qdrant server {self.url} unreachable: {reason}") from exc

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
            for r in scroll_records(self.client, source, with_payload=True, with_vectors=True, page=self.batch_size):
                vector: Any = r.vector or {}
                batch.append(qm.PointStruct(id=r.id, vector=vector, payload=r.payload))
                if len(batch) >= self.batch_size:
                    upsert_batches(self.client, name, batch, self.batch_size)
                    batch = []
            upsert_batches(self.client, name, batch, self.batch_size)
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
