"""What is degraded right now (for ``/healthz``), and the real reason a backing store failed.

A component reports a problem when it fails and clears it when it works again; a problem
nobody re-reports fades after ``ttl_s`` (the failure may have been transient and nobody
has tried since). ``/healthz`` stays 200 while searches are served, with
``"status": "degraded"`` and the problems named.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, cast

from search.resources import is_disk_full


class Status:
    """Problems per component, each with the time it was last seen (thread-safe)."""

    def __init__(self, ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self._problems: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def report(self, component: str, reason: str) -> None:
        """``component`` is failing, for ``reason`` (shown to operators: no secrets, no paths)."""
        with self._lock:
            self._problems[component] = (reason, self.clock())

    def clear(self, component: str) -> None:
        """``component`` works again."""
        with self._lock:
            self._problems.pop(component, None)

    def problems(self) -> dict[str, str]:
        """The current problems, by component."""
        now = self.clock()
        with self._lock:
            for name in [n for n, (_, seen) in self._problems.items() if now - seen > self.ttl_s]:
                del self._problems[name]
            return {name: reason for name, (reason, _) in sorted(self._problems.items())}


def service_status(request: Any) -> Status:
    """The app's :class:`Status` (created on first use)."""
    state = request.app.state
    status = getattr(state, "status", None)
    if status is None:
        status = state.status = Status()
    return cast(Status, status)


def store_failure(exc: BaseException, store: str) -> tuple[int, str]:
    """The HTTP status and message for a write to ``store`` that failed with ``exc``."""
    if is_disk_full(exc):
        return 507, f"the {store} is out of disk space: nothing was stored"
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return 503, f"the {store} is busy: nothing was stored; retry"
    if "readonly" in text or "read-only" in text:
        return 503, f"the {store} is read-only: nothing was stored"
    reason = str(exc).split(":", 1)[0] if "/" in str(exc) else str(exc)  # never a server path
    return 503, f"the {store} failed ({reason or type(exc).__name__}): nothing was stored"
