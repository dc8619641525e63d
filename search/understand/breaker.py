"""A circuit breaker for the language-model server: stop asking a server that keeps failing.

``closed``: calls go through; a timeout or error is recorded. After ``failures`` of them
within ``window_s`` seconds the breaker is ``open``: for ``cooldown_s`` no call is made
(the caller uses the rules' parse at once). Then it is ``half_open``: one trial call goes
through; its success closes the breaker, its failure opens it for another cool-down.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

State = Literal["closed", "open", "half_open"]
#: the state as a number, for the metrics gauge
STATE_VALUE = {"closed": 0, "half_open": 1, "open": 2}


@dataclass(frozen=True)
class BreakerStatus:
    """A snapshot for ``/healthz`` and metrics."""

    state: State
    recent_failures: int
    opened: int
    retry_in_s: float


class CircuitBreaker:
    """Thread-safe; ``clock`` is injectable for tests."""

    def __init__(
        self,
        failures: int = 5,
        window_s: float = 30.0,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1 or window_s <= 0 or cooldown_s <= 0:
            raise ValueError("a circuit breaker needs failures >= 1 and positive window and cool-down")
        self.failures = failures
        self.window_s = window_s
        self.cooldown_s = cooldown_s
        self.clock = clock
        self._recent: deque[float] = deque()
        self._opened_at: float | None = None
        self._trial = False
        self._opened = 0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """May a call be made now? (In ``half_open``, only the one trial call may.)"""
        with self._lock:
            if self._opened_at is None:
                return True
            if self.clock() - self._opened_at < self.cooldown_s or self._trial:
                return False
            self._trial = True
            return True

    def success(self) -> None:
        """The server answered."""
        with self._lock:
            self._opened_at = None
            self._trial = False
            self._recent.clear()

    def failure(self) -> None:
        """A call timed out or failed."""
        now = self.clock()
        with self._lock:
            if self._opened_at is not None:  # the trial call failed: another cool-down
                self._opened_at = now
                self._trial = False
                self._opened += 1
                return
            self._recent.append(now)
            while self._recent and now - self._recent[0] > self.window_s:
                self._recent.popleft()
            if len(self._recent) >= self.failures:
                self._opened_at = now
                self._opened += 1
                self._recent.clear()

    def status(self) -> BreakerStatus:
        """The current state."""
        now = self.clock()
        with self._lock:
            while self._recent and now - self._recent[0] > self.window_s:
                self._recent.popleft()
            if self._opened_at is None:
                return BreakerStatus("closed", len(self._recent), self._opened, 0.0)
            left = self.cooldown_s - (now - self._opened_at)
            state: State = "open" if left > 0 else "half_open"
            return BreakerStatus(state, len(self._recent), self._opened, round(max(0.0, left), 3))
