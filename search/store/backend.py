"""Storage backends: where an index build's points live.

Build metadata (manifest, lexicon, analyzer inputs) always lives in the build
directory under ``DATA_DIR/index/builds/<id>`` (see :mod:`search.store.layout`);
the backend decides where the points go:

- :class:`EdgeBackend` (default): a Qdrant Edge shard inside the build directory.
- ``ServerBackend`` (:mod:`search.store.server`, selected by ``QDRANT_URL``): a
  collection ``<prefix>_<build id>`` on a Qdrant server cluster, with an alias
  ``<prefix>`` switched when the build is published.

Both give the same query results for the same build (congruence tests).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from search.config import Settings, StoreConfig
from search.errors import InputError
from search.store.base import IndexWriter, Store

SHARD = "shard"


class Backend(Protocol):
    """Creates, opens and retires the point storage of builds."""

    name: str

    def create(self, build: Path, dim: int, sparse_names: Sequence[str], config: StoreConfig) -> IndexWriter:
        """Empty storage for a new build."""
        ...

    def copy(self, live: Path, build: Path) -> IndexWriter:
        """Storage for ``build`` holding a copy of ``live``'s points, open for updates (refresh)."""
        ...

    def open(self, build: Path) -> Store:
        """Read access to a published build."""
        ...

    def describe(self, build: Path) -> dict[str, Any]:
        """What to record in the manifest about this build's storage."""
        ...

    def published(self, build: Path) -> None:
        """Called after ``build`` became the live build (e.g. switch a server alias)."""
        ...

    def discard(self, build: Path) -> None:
        """Remove the storage of an abandoned or retired build."""
        ...


class EdgeBackend:
    """Points in a Qdrant Edge shard inside the build directory."""

    name = "edge"

    def create(self, build: Path, dim: int, sparse_names: Sequence[str], config: StoreConfig) -> IndexWriter:
        """A new shard under ``build/shard``."""
        from search.store.edge import EdgeWriter

        return EdgeWriter.create(build / SHARD, dim, sparse_names, config)

    def copy(self, live: Path, build: Path) -> IndexWriter:
        """Copy the live shard's files (nobody writes to a published shard) and open the copy."""
        from search.store.edge import EdgeWriter

        shutil.copytree(live / SHARD, build / SHARD)
        return EdgeWriter.open(build / SHARD)

    def open(self, build: Path) -> Store:
        """Open the shard read-only-ish (WAL off, so many processes may share it)."""
        from search.store.edge import EdgeStore

        return EdgeStore(build / SHARD)

    def describe(self, build: Path) -> dict[str, Any]:
        """The shard path, relative to the build."""
        return {"backend": self.name, "path": SHARD}

    def published(self, build: Path) -> None:
        """Nothing to do: the CURRENT file is the switch."""

    def discard(self, build: Path) -> None:
        """The shard goes with its build directory."""


def make_backend(settings: Settings) -> Backend:
    """The server backend when ``QDRANT_URL`` is set, else the embedded one."""
    if settings.qdrant_url:
        from search.store.server import ServerBackend

        return ServerBackend.from_settings(settings)
    return EdgeBackend()


def backend_for_build(manifest: dict[str, Any], settings: Settings) -> Backend:
    """The backend a build was written with (a build never moves between backends)."""
    kind = manifest.get("store", {}).get("backend", "edge")
    if kind == "edge":
        return EdgeBackend()
    if kind == "server":
        if not settings.qdrant_url:
            raise InputError("this index lives on a Qdrant server: set QDRANT_URL to reach it")
        from search.store.server import ServerBackend

        return ServerBackend.from_settings(settings)
    raise InputError(f"unknown store backend {kind!r} in the manifest")
