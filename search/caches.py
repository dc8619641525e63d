"""What the search engine keeps in memory: small LRUs, one build's ranking fields, and the query parsers.

Each is tied to one index build or survives builds only where nothing can go stale
(query vectors). :class:`ParserCache` closes the parsers of a replaced build when that build
is released (after its last search, see :mod:`search.live`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from search.index import IndexHandle
from search.profiles import Profile
from search.store.base import RANKING_FIELDS, Store, point_key
from search.understand.parsed import QueryParser

ParserFactory = Callable[[IndexHandle, Profile], QueryParser]


class LRU:
    """A thread-safe least-recently-used map of at most ``size`` entries."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: Hashable, value: Any) -> None:
        self.put_many([(key, value)])

    def get_many(self, keys: Sequence[Hashable]) -> list[Any]:
        """Values for the keys, None where absent (one lock for all)."""
        out = []
        with self._lock:
            for key in keys:
                value = self._data.get(key)
                if value is not None:
                    self._data.move_to_end(key)
                out.append(value)
        return out

    def put_many(self, items: Sequence[tuple[Hashable, Any]]) -> None:
        with self._lock:
            for key, value in items:
                self._data[key] = value
                self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


#: ranking payloads kept in memory per build (about 1-2 KB each)
PAYLOAD_CACHE_SIZE = 50_000


class RankingPayloads:
    """The ranking fields of one build's products by point key, kept in memory.

    A build never changes (a refresh publishes a new one), so nothing goes stale. Reads
    take no lock (a dict read is atomic); when full, the oldest entries make room.
    ``preload`` fills it from the store, so that a fresh server answers at its steady pace.
    """

    def __init__(self, version: str, size: int = PAYLOAD_CACHE_SIZE) -> None:
        self.version = version
        self.size = size
        self._data: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get_many(self, keys: Sequence[int]) -> list[dict[str, Any] | None]:
        get = self._data.get
        return [get(k) for k in keys]

    def put_many(self, items: Sequence[tuple[int, dict[str, Any]]]) -> None:
        with self._lock:
            data = self._data
            for key, payload in items:
                data[key] = payload
            while len(data) > self.size:
                del data[next(iter(data))]

    def preload(self, store: Store, limit: int | None = None) -> int:
        """Read up to ``limit`` (default: the cache size) products' ranking fields; returns how many."""
        limit = self.size if limit is None else min(limit, self.size)
        batch: list[tuple[int, dict[str, Any]]] = []
        loaded = 0
        for payload in store.payloads(RANKING_FIELDS):
            if loaded >= limit:
                break
            batch.append((point_key(payload["id"]), payload))
            loaded += 1
            if len(batch) >= 4096:
                self.put_many(batch)
                batch = []
        self.put_many(batch)
        return loaded


class ParserCache:
    """The query parser of each (build, profile), made on first use by ``factory``.

    :meth:`drop` closes a build's parsers when the build is released (its last search is
    done, see :mod:`search.live`), so a parser with worker threads (the language-model
    parser) never outlives its build and reloads never accumulate threads.
    :meth:`close` closes every parser and the factory's shared resources.
    """

    def __init__(self, factory: ParserFactory) -> None:
        self._factory = factory
        self._live: dict[tuple[str, str], QueryParser] = {}
        self._lock = threading.Lock()

    def get(self, index: IndexHandle, profile: Profile) -> QueryParser:
        """The parser for this build and profile (made once, under the lock)."""
        key = (index.version, profile.name)
        parser = self._live.get(key)
        if parser is None:
            with self._lock:
                parser = self._live.get(key)
                if parser is None:
                    parser = self._live[key] = self._factory(index, profile)
        return parser

    def drop(self, version: str) -> None:
        """A build was released: close its parsers (searches on it are done)."""
        with self._lock:
            keys = [key for key in self._live if key[0] == version]
            dropped = [self._live.pop(key) for key in keys]
        _close_all(dropped)

    def close(self) -> None:
        """Close every parser and the factory's shared resources (backend, cache)."""
        with self._lock:
            parsers = list(self._live.values())
            self._live = {}
        _close_all(parsers)
        close = getattr(self._factory, "close", None)
        if close is not None:
            close()


def _close_all(parsers: list[QueryParser]) -> None:
    seen: set[int] = set()
    for parser in parsers:
        close = getattr(parser, "close", None)
        if close is not None and id(parser) not in seen:
            seen.add(id(parser))
            close()
