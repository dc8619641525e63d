"""Logging searches off the request path: a bounded in-memory queue and one background writer.

A request only appends a small tuple to the queue (microseconds); the writer thread
pseudonymises the shopper, summarises the parsed query and writes batches in one
transaction each. The log never blocks or fails a search: when the queue is full
(the database is slow or down) the record is dropped and counted in
``search_log_records_total{outcome="dropped"}``; a failing batch is counted as
``failed`` and the writer carries on. Old rows are purged by the writer every hour
(``SEARCH_LOG_RETENTION_DAYS``).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from search.analytics.records import AttributedEvent, SearchRecord
from search.analytics.store import SearchLogStore
from search.config import Settings
from search.personal.pseudonym import Pseudonymizer
from search.text.normalize import normalize
from search.understand.parsed import ParsedQuery

log = logging.getLogger(__name__)

BATCH = 500
FLUSH_INTERVAL_S = 0.25
PURGE_INTERVAL_S = 3600.0
#: parsed fields worth keeping in the log (the rest is recomputable from the query)
PARSED_FIELDS = ("keywords", "brands", "categories", "price_min", "price_max", "attributes", "exclude", "sort")


@dataclass(frozen=True)
class LoggedSearch:
    """What the route hands over: plain references, converted to a :class:`SearchRecord` by the writer."""

    search_id: str
    ts: float
    user_id: str | None
    query: str
    parsed: ParsedQuery
    profile: str
    variant: str | None
    source: str | None
    page: int
    size: int
    ids: Sequence[str]
    total: int
    took_ms: float


@dataclass(frozen=True)
class LoggedEvent:
    """A behaviour event that named its search, as received (raw shopper id)."""

    search_id: str
    position: int | None
    product: str
    event: str
    user_id: str | None
    ts: float


@dataclass
class LogCounters:
    """What happened to records (also exported as Prometheus counters by the API)."""

    written: int = 0
    dropped: int = 0
    failed: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


def day_of(ts: float) -> str:
    """``YYYY-MM-DD`` (UTC) of a unix time."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def parsed_summary(parsed: ParsedQuery) -> str:
    """The parts of the parsed query that carry intent, as compact JSON."""
    data = parsed.model_dump()
    out: dict[str, Any] = {k: data[k] for k in PARSED_FIELDS if data.get(k) not in (None, [], {}, "relevance")}
    if parsed.corrected:
        out["corrected"] = parsed.corrected
    out["parser"] = parsed.parser
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


class SearchLog:
    """The search log as the API uses it.

    Args:
        store: Where batches are written (and analytics read from).
        pseudonymize: The same keyed pseudonym as the behaviour events.
        retention_days: Rows older than this are purged.
        queue_size: Records held in memory at most; more are dropped (and counted).
        on_outcome: Called with ``(kind, outcome, n)`` after each batch (metrics).
    """

    def __init__(
        self,
        store: SearchLogStore,
        pseudonymize: Pseudonymizer,
        retention_days: float = 90.0,
        queue_size: int = 10_000,
        on_outcome: Any = None,
    ) -> None:
        self.store = store
        self.pseudonymize = pseudonymize
        self.retention_s = retention_days * 86400.0
        self.counters = LogCounters()
        self._on_outcome = on_outcome
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._last_purge = 0.0

    # ------------------------------------------------------------------ request path
    def search(self, record: LoggedSearch) -> bool:
        """Queue a search (never blocks); False when it was dropped because the queue is full."""
        return self._offer(record)

    def events(self, records: Sequence[LoggedEvent]) -> int:
        """Queue attributed events; returns how many were queued."""
        return sum(self._offer(r) for r in records)

    def _offer(self, item: Any) -> bool:
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self.counters.dropped += 1
            self._count("search" if isinstance(item, LoggedSearch) else "event", "dropped", 1)
            return False

    def _count(self, kind: str, outcome: str, n: int) -> None:
        key = f"{kind}:{outcome}"
        self.counters.by_outcome[key] = self.counters.by_outcome.get(key, 0) + n
        if self._on_outcome is not None and n:
            self._on_outcome(kind, outcome, n)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SearchLog:
        """Start the background writer."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="search-log-writer", daemon=True)
            self._thread.start()
        return self

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued before this call is written (False on timeout or when stopped)."""
        if self._thread is None or not self._thread.is_alive():
            return False
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout_s)
        except queue.Full:
            return False
        return done.wait(timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        """Write what is queued and stop the writer."""
        if self._thread is None:
            return
        self.flush(timeout_s)
        self._stop.set()
        self._thread.join(timeout_s)
        self._thread = None
        self.store.close()

    def forget(self, user_id: str) -> int:
        """Delete a shopper's logged searches (after writing what is queued); returns searches deleted."""
        self.flush()
        return self.store.forget(self.pseudonymize(user_id))

    def purge(self, now: float | None = None) -> dict[str, int]:
        """Delete rows older than the retention period."""
        now = time.time() if now is None else now
        return self.store.purge(now - self.retention_s)

    # ------------------------------------------------------------------ writer
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=FLUSH_INTERVAL_S)
            except queue.Empty:
                self._maybe_purge()
                continue
            batch = [first]
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)
            self._maybe_purge()

    def _write(self, batch: list[Any]) -> None:
        waiters = [b for b in batch if isinstance(b, threading.Event)]
        searches = [self._record(b) for b in batch if isinstance(b, LoggedSearch)]
        events = [self._event(b) for b in batch if isinstance(b, LoggedEvent)]
        try:
            self.store.write(searches, events)
            self.counters.written += len(searches) + len(events)
            self._count("search", "written", len(searches))
            self._count("event", "written", len(events))
        except Exception as exc:  # the log must never take the service down: count, say it, go on
            self.counters.failed += len(searches) + len(events)
            self._count("search", "failed", len(searches))
            self._count("event", "failed", len(events))
            log.error("search log: %d records not written: %s", len(searches) + len(events), exc)
        for waiter in waiters:
            waiter.set()

    def _maybe_purge(self) -> None:
        now = time.time()
        if now - self._last_purge < PURGE_INTERVAL_S:
            return
        self._last_purge = now
        try:
            deleted = self.purge(now)
            if any(deleted.values()):
                log.info("search log: purged %s older than the retention period", deleted)
        except Exception as exc:
            log.error("search log: purge failed: %s", exc)

    def _shopper(self, user_id: str | None) -> str | None:
        return None if user_id is None else self.pseudonymize(user_id)

    def _record(self, s: LoggedSearch) -> SearchRecord:
        return SearchRecord(
            search_id=s.search_id,
            ts=s.ts,
            day=day_of(s.ts),
            shopper=self._shopper(s.user_id),
            query=s.query,
            norm=" ".join(normalize(s.query).split()),
            parsed=parsed_summary(s.parsed),
            profile=s.profile,
            variant=s.variant,
            source=s.source,
            page=s.page,
            first_position=(s.page - 1) * s.size + 1,
            shown=len(s.ids),
            total=s.total,
            top_ids=json.dumps(list(s.ids), ensure_ascii=False),
            took_ms=s.took_ms,
        )

    def _event(self, e: LoggedEvent) -> AttributedEvent:
        return AttributedEvent(e.search_id, e.position, e.product, e.event, self._shopper(e.user_id), e.ts)


def open_search_log(settings: Settings, on_outcome: Any = None) -> SearchLog:
    """The search log of a data directory, with its writer started."""
    from search.db import open_database
    from search.store.layout import DataDir

    store = SearchLogStore(open_database(settings, sqlite_path=DataDir(settings.data_dir).search_log_db))
    pseudonymize = Pseudonymizer(settings.user_id_secret.get_secret_value())
    return SearchLog(
        store, pseudonymize, settings.log_retention_days, settings.log_queue_size, on_outcome=on_outcome
    ).start()
