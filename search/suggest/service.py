"""The live autocomplete of a data dir: rebuilt for each new index build and when the query log grows."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from search.index import IndexHandle
from search.suggest.querylog import QueryLog, log_path
from search.suggest.shared import read_snapshot, shared_versions
from search.suggest.source import read_source
from search.suggest.suggester import Suggester

log = logging.getLogger(__name__)


class SuggestService:
    """Holds the :class:`Suggester` of the live build and query log; checks the log at most every ``interval_s``."""

    def __init__(self, data_dir: Path, interval_s: float = 5.0) -> None:
        self.data_dir = Path(data_dir)
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._key: tuple[str, str, float] | None = None
        self._suggester: Suggester | None = None
        self._checked = 0.0

    def _log_stamp(self) -> float:
        path = log_path(self.data_dir)
        stamps = [p.stat().st_mtime for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
        return max(stamps, default=0.0)

    def get(self, index: IndexHandle) -> Suggester:
        """The suggester for this build (built on first use, then after a new build or log change)."""
        now = time.monotonic()
        current = self._suggester
        fresh = now - self._checked < self.interval_s
        if current is not None and self._key is not None and self._key[0] == index.version and fresh:
            return current
        with self._lock:
            self._checked = now
            key = (index.version, shared_versions(self.data_dir).current_version() or "", self._log_stamp())
            if self._suggester is None or self._key != key:
                t = time.perf_counter()
                self._suggester = self._build(index)
                self._key = key
                log.info("autocomplete: %d entries in %.1fs", len(self._suggester), time.perf_counter() - t)
            return self._suggester

    def _build(self, index: IndexHandle) -> Suggester:
        phrases = read_source(index.build)
        shared = shared_versions(self.data_dir).current_dir()
        if shared is not None:  # the shop's query log shared by all nodes (see search.replica)
            return Suggester.build(phrases, read_snapshot(shared), index.analyzer)
        if not log_path(self.data_dir).exists():  # no log imported yet (and never write into a data dir here)
            return Suggester.build(phrases, [], index.analyzer)
        queries = QueryLog.open(self.data_dir)
        try:
            rows = list(queries.counts())
        finally:
            queries.close()
        return Suggester.build(phrases, rows, index.analyzer)

    def warm_up(self, index: IndexHandle) -> threading.Thread:
        """Build in the background (requests wait for it only if they come first)."""
        thread = threading.Thread(target=self._quiet_get, args=(index,), daemon=True)
        thread.start()
        return thread

    def _quiet_get(self, index: IndexHandle) -> None:
        try:
            self.get(index)
        except Exception:  # a request will build it (and report the error) instead
            log.warning("could not build the autocomplete", exc_info=True)
