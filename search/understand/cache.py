"""Parse cache: validated model answers keyed by the normalised query and the model id.

Two levels: an in-memory LRU (per process) in front of an optional SQLite file (shared by
the workers of one deployment, kept across restarts). Entries expire after ``ttl_s``.
What is stored is the *validated, ungrounded* answer (a JSON object): grounding is
cheap and re-run on every hit, so a new catalog vocabulary takes effect at once.

The cache never breaks a search: disk errors are logged and treated as misses.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from search.db.sqlite import use_wal
from search.text.normalize import normalize

__all__ = ["ParseCache"]

log = logging.getLogger(__name__)

_SCHEMA = """CREATE TABLE IF NOT EXISTS llm_parse (
    query TEXT NOT NULL, model TEXT NOT NULL, answer TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (query, model))"""


class ParseCache:
    """In-memory LRU plus optional on-disk SQLite cache with a TTL.

    Args:
        path: SQLite file; None keeps the cache in memory only.
        max_entries: Capacity of the in-memory LRU.
        ttl_s: Entries older than this are misses (and are purged from disk on open).
        clock: Time source in seconds (tests pass a fake one).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        max_entries: int = 10_000,
        ttl_s: float = 7 * 24 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.max_entries = max(1, max_entries)
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._memory: OrderedDict[tuple[str, str], tuple[float, dict[str, Any]]] = OrderedDict()
        self._db: sqlite3.Connection | None = None
        if self.path is not None:
            self._open()

    def _open(self) -> None:
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=1.0, check_same_thread=False, isolation_level=None)
            use_wal(db, 1.0)
            db.execute(_SCHEMA)
            db.execute("DELETE FROM llm_parse WHERE created < ?", (self._clock() - self.ttl_s,))
            self._db = db
        except (sqlite3.Error, OSError) as exc:
            log.warning("parse cache on disk disabled (%s): %s", self.path, exc)
            self._db = None

    @staticmethod
    def key(query: str, model_id: str) -> tuple[str, str]:
        """The cache key: the normalised query and the model id."""
        return normalize(query), model_id

    def get(self, query: str, model_id: str) -> dict[str, Any] | None:
        """The stored answer, or None when absent or expired."""
        key = self.key(query, model_id)
        now = self._clock()
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                if now - hit[0] <= self.ttl_s:
                    self._memory.move_to_end(key)
                    return dict(hit[1])
                del self._memory[key]
            row = self._read(key)
            if row is None or now - row[0] > self.ttl_s:
                return None
            self._remember(key, row[0], row[1])
            return dict(row[1])

    def put(self, query: str, model_id: str, answer: dict[str, Any]) -> None:
        """Store an answer (a JSON-serialisable object)."""
        key = self.key(query, model_id)
        now = self._clock()
        try:
            encoded = json.dumps(answer, ensure_ascii=False)
        except (TypeError, ValueError):
            return
        with self._lock:
            self._remember(key, now, json.loads(encoded))
            if self._db is not None:
                try:
                    self._db.execute(
                        "INSERT OR REPLACE INTO llm_parse VALUES (?, ?, ?, ?)",
                        (*key, encoded, now),
                    )
                except sqlite3.Error as exc:
                    log.warning("parse cache write failed: %s", exc)

    def clear(self) -> None:
        """Drop every entry, in memory and on disk."""
        with self._lock:
            self._memory.clear()
            if self._db is not None:
                try:
                    self._db.execute("DELETE FROM llm_parse")
                except sqlite3.Error as exc:
                    log.warning("parse cache clear failed: %s", exc)

    def __len__(self) -> int:
        return len(self._memory)

    def close(self) -> None:
        """Close the SQLite connection."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _remember(self, key: tuple[str, str], created: float, answer: dict[str, Any]) -> None:
        self._memory[key] = (created, answer)
        self._memory.move_to_end(key)
        while len(self._memory) > self.max_entries:
            self._memory.popitem(last=False)

    def _read(self, key: tuple[str, str]) -> tuple[float, dict[str, Any]] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT created, answer FROM llm_parse WHERE query = ? AND model = ?", key
            ).fetchone()
            if row is None:
                return None
            answer = json.loads(row[1])
        except (sqlite3.Error, ValueError) as exc:
            log.warning("parse cache read failed: %s", exc)
            return None
        return (float(row[0]), answer) if isinstance(answer, dict) else None
