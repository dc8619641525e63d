"""Storage backends (where an index build's points live), and the one place that chooses them.

Build metadata (manifest, lexicon, analyzer inputs) always lives in the build
directory under ``DATA_DIR/index/builds/<id>`` (see :mod:`search.store.layout`);
the backend decides where the points go, each next to its store:

- :class:`search.store.edge.EdgeBackend` (default): a Qdrant Edge shard inside the build directory.
- :class:`search.store.server.ServerBackend`: a collection ``<prefix>_<build id>`` on a
  Qdrant server cluster, with an alias ``<prefix>`` switched when the build is published.

:func:`make_backend` is the only factory: ``indexer build|refresh|stats``, ``search
serve|query|eval``, the engine's reload loop and CF training all open the store through
it (:func:`backend_for_build` checks a build against it). The store is chosen by, first
that is set:

1. ``QDRANT_URL``: ``http(s)://host:port`` for a server, or ``qdrant+local://PATH`` for
   qdrant-client's local mode at ``PATH`` (the server code path without a server: tests,
   demos; pure numpy, slow above ~20k points);
2. ``QDRANT_PATH``: the same as ``qdrant+local://QDRANT_PATH``;
3. ``store.url`` in ``configs/indexing.yaml`` (or the ``--config`` of a build).

Otherwise the embedded store. A server that cannot be reached raises
:class:`StoreUnavailable` naming the URL; nothing ever falls back to the embedded store,
and a build written on one store is never served from the other (:class:`WrongStoreError`).
Both stores give the same query results for the same build (congruence tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from search.config import Settings, StoreConfig, load_index_config
from search.errors import EXIT_UNAVAILABLE, InputError, SearchError
from search.store.base import IndexWriter, Store
from search.store.layout import NoIndexError

LOCAL_SCHEME = "qdrant+local://"


class StoreUnavailable(SearchError):
    """The configured Qdrant server cannot be reached (the message names it, without credentials)."""

    exit_code = EXIT_UNAVAILABLE


class WrongStoreError(NoIndexError):
    """The live build was written on another store than the one configured: build again on this one."""


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


def store_url(settings: Settings, config: StoreConfig | None = None) -> str | None:
    """The configured Qdrant URL (``qdrant+local://PATH`` for local mode), or None for the embedded store."""
    if settings.qdrant_url:
        return settings.qdrant_url
    if settings.qdrant_path:
        return LOCAL_SCHEME + str(Path(settings.qdrant_path).resolve())
    if config is None:
        config = load_index_config(None, settings.configs_dir).store
    return config.url or None


def make_backend(settings: Settings, config: StoreConfig | None = None) -> Backend:
    """The backend every entry point uses: the configured server (checked reachable) or the embedded store.

    Args:
        settings: ``QDRANT_URL``/``QDRANT_PATH`` and the cluster settings.
        config: the indexing config's store section (default: ``configs/indexing.yaml``'s), for ``store.url``.

    Raises:
        StoreUnavailable: a server is configured and does not answer.
    """
    url = store_url(settings, config)
    if not url:
        from search.store.edge import EdgeBackend

        return EdgeBackend()
    from search.store.server import ServerBackend

    backend = ServerBackend.from_url(url, settings)
    backend.check()
    return backend


def backend_for_build(manifest: dict[str, Any], settings: Settings) -> Backend:
    """The configured backend, after checking that the build was written on that kind of store."""
    kind = manifest.get("store", {}).get("backend", "edge")
    if kind not in ("edge", "server"):
        raise InputError(f"unknown store backend {kind!r} in the manifest")
    url = store_url(settings)
    if kind == "server" and not url:
        raise WrongStoreError("this index lives on a Qdrant server: set QDRANT_URL to reach it")
    if kind == "edge" and url:
        from search.store.server import public_url

        raise WrongStoreError(
            f"the live index is an embedded one but the store is {public_url(url)}: "
            "run `indexer build CATALOG` with the same QDRANT_URL to index into it"
        )
    return make_backend(settings)
