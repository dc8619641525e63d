"""The live index build: loaded completely before it goes live, released when its last request ends.

A new build is opened, warmed (analyzer dictionary, the products' ranking fields, the
landing page's facets, a first query through the whole pipeline) and only then swapped
in by reference, so no request pays for loading it. Each request takes a :meth:`LiveIndex.lease`
on the build it started with and runs on that build to the end; a replaced build is closed
(store, caches, its query parsers) by whoever ends its last lease, not after a delay, so at
most the live build and the ones still answering requests are open.

Requests look for a new version at most every ``interval_s`` and load it in the background
(with ``interval_s`` 0 they load it before answering, which tests and tools rely on).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from search.caches import LRU, RankingPayloads
from search.index import IndexHandle
from search.store.layout import DataDir

log = logging.getLogger(__name__)

#: browse facets kept per build (each filter and facet config is one entry)
FACETS_PER_BUILD = 1024


class LiveBuild:
    """One opened build, what is kept in memory for it, and the number of requests using it."""

    def __init__(self, handle: IndexHandle) -> None:
        self.handle = handle
        self.payloads = RankingPayloads(handle.version)
        self.facets = LRU(FACETS_PER_BUILD)
        self.leases = 0
        self.retired = False
        #: set once the build's store is closed and its caches dropped
        self.closed = threading.Event()

    @property
    def version(self) -> str:
        return self.handle.version


class LiveIndex:
    """Holds the live :class:`LiveBuild`, switches to newly published builds, and releases old ones.

    Args:
        data: The data directory whose ``CURRENT`` names the live build.
        first: The build that is live now (already opened).
        open_build: Opens a build directory.
        interval_s: How often requests look for a new version.
        warm: Loads a build's caches before it goes live (the engine runs a first query there).
        released: Called when a build is released (the engine closes its query parsers).
        checked: Called at each version check (the engine re-reads its configuration there).
    """

    def __init__(
        self,
        data: DataDir,
        first: IndexHandle,
        open_build: Callable[[Path], IndexHandle],
        interval_s: float,
        warm: Callable[[LiveBuild], None] = lambda build: None,
        released: Callable[[LiveBuild], None] = lambda build: None,
        checked: Callable[[], object] = lambda: None,
    ) -> None:
        self._data = data
        self._open_build = open_build
        self.interval_s = interval_s
        self._warm = warm
        self._released = released
        self._checked_hook = checked
        self._live = LiveBuild(first)
        self._open: list[LiveBuild] = [self._live]
        self._lock = threading.Lock()  # guards the live reference, the lease counts and the open list
        self._switching = threading.Lock()  # one load at a time
        self._checked = time.monotonic()

    # ------------------------------------------------------------------ requests
    @property
    def current(self) -> LiveBuild:
        """The live build (without a lease: for reads that do not touch its store)."""
        return self._live

    @contextlib.contextmanager
    def lease(self) -> Iterator[LiveBuild]:
        """The live build, kept open until the ``with`` block ends (even if another goes live meanwhile)."""
        with self._lock:
            build = self._live
            build.leases += 1
        try:
            yield build
        finally:
            with self._lock:
                build.leases -= 1
                done = build.retired and build.leases == 0
            if done:  # the last request on a replaced build: release it off the request's path
                threading.Thread(target=self._release, args=(build,), name="index-release", daemon=True).start()

    def caches(self, handle: IndexHandle) -> LiveBuild:
        """The open build of this handle (its caches), or a throwaway one for a handle not held here."""
        for build in tuple(self._open):  # a copy: another thread may change the list
            if build.handle is handle:
                return build
        spare = LiveBuild(handle)
        spare.payloads.size = 0
        return spare

    def open_builds(self) -> list[LiveBuild]:
        """The builds open now: the live one and replaced ones still answering requests."""
        with self._lock:
            return list(self._open)

    # ------------------------------------------------------------------ switching
    def poll(self) -> None:
        """Look for a new version at most every ``interval_s``; load it in the background (0: here, now)."""
        now = time.monotonic()
        if now - self._checked < self.interval_s:
            return
        self._checked = now
        if self.interval_s <= 0:
            self.reload()
        elif self._switching.acquire(blocking=False):  # else a load is already running
            threading.Thread(target=self._reload_in_background, name="index-reload", daemon=True).start()

    def reload(self) -> bool:
        """Switch to a newly published build now (loaded and warmed first); False if there is none."""
        with self._switching:
            return self._switch()

    def _reload_in_background(self) -> None:
        try:
            self._switch()
        except Exception:  # the old build keeps serving; the next check tries again
            log.exception("could not load the new index build")
        finally:
            self._switching.release()

    def _switch(self) -> bool:
        self._checked = time.monotonic()
        try:
            self._checked_hook()
        except Exception:  # a configuration problem never stops searches; the last good one stays live
            log.exception("could not check the configuration for changes")
        version = self._data.current_version()
        if version is None or version == self._live.version:
            return False
        t = time.perf_counter()
        build = LiveBuild(self._open_build(self._data.require_build()))
        with self._lock:
            self._open.append(build)
        try:
            self._warm(build)
        except BaseException:
            with self._lock:
                self._open.remove(build)
            build.handle.close()
            raise
        with self._lock:
            old, self._live = self._live, build
            old.retired = True
            idle = old.leases == 0
        log.info("switched to index build %s (loaded in %.1fs)", build.version, time.perf_counter() - t)
        if idle:
            self._release(old)
        return True

    def _release(self, build: LiveBuild) -> None:
        """Close a replaced build's store and drop what was kept for it."""
        with self._lock:
            if build not in self._open:
                return
            self._open.remove(build)
        try:
            self._released(build)
            build.handle.close()
        except Exception:
            log.warning("could not close index build %s", build.version, exc_info=True)
        build.payloads = RankingPayloads(build.version, size=0)
        build.facets = LRU(0)
        build.closed.set()
        log.info("released index build %s", build.version)
        _return_freed_memory()

    def close(self) -> None:
        """Close every open build."""
        with self._lock:
            builds, self._open = list(self._open), []
        for build in builds:
            try:
                self._released(build)
            finally:
                build.handle.close()
                build.closed.set()


def _return_freed_memory() -> None:
    """Give the memory a released build freed back to the system (glibc keeps it otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
