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

from search.store.server.backend import (
    MissingCollectionError,
    ServerBackend,
    build_id,
    collection_name,
    public_url,
    sanitize,
)
from search.store.server.filters import to_client_filter
from search.store.server.store import ServerStore
from search.store.server.writer import ServerWriter, wait_until_green

__all__ = [
    "MissingCollectionError",
    "ServerBackend",
    "ServerStore",
    "ServerWriter",
    "build_id",
    "collection_name",
    "public_url",
    "sanitize",
    "to_client_filter",
    "wait_until_green",
]
