"""Write access to a collection being built or refreshed on a Qdrant server (see :mod:`search.store.server`)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as qm

from search.retrieve.bm25 import SparseVector
from search.store.base import DENSE, StoredPoint, point_key
from search.store.server.filters import to_vector
from search.store.server.store import scroll_payloads

#: Qdrant's default ``indexing_threshold`` (KB of vectors per segment before HNSW is built), restored after a bulk load
INDEXING_THRESHOLD_KB = 20_000
UPSERT_BATCH = 256


def to_point(p: StoredPoint) -> qm.PointStruct:
    vectors: dict[str, Any] = {name: to_vector(vec) for name, vec in p.sparse.items() if len(vec)}
    if p.dense is not None:
        vectors[DENSE] = to_vector(p.dense)
    return qm.PointStruct(id=point_key(p.id), vector=vectors, payload=p.payload)


def upsert_batches(client: QdrantClient, name: str, points: Sequence[qm.PointStruct], batch: int) -> None:
    for lo in range(0, len(points), batch):
        client.upsert(name, points=list(points[lo : lo + batch]), wait=True)


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
        upsert_batches(self.client, self.name, [to_point(p) for p in points], self.batch_size)

    def set_sparse(self, vectors: Sequence[tuple[str, dict[str, SparseVector]]]) -> None:
        """Replace sparse vectors of existing points (empty vectors are removed)."""
        updates = []
        removals: dict[str, list[qm.ExtendedPointId]] = {}
        for pid, named in vectors:
            keep = {n: to_vector(v) for n, v in named.items() if len(v)}
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
        return scroll_payloads(self.client, self.name, fields)

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
