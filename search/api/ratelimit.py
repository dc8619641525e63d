"""A token-bucket rate limiter keyed by a string (an API key id, a client address)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """``rate`` requests per second per key on average, bursts of up to ``burst``.

    Thread-safe; memory is bounded by dropping the oldest keys beyond ``max_keys``.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, as of)
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take a token for ``key``: 0.0 when allowed, else the seconds to wait before retrying."""
        now = self._clock()
        with self._lock:
            tokens, since = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - since) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)  # re-inserted: the dict stays in least-recently-used order
            while len(self._buckets) > self.max_keys:
                del self._buckets[next(iter(self._buckets))]
            return wait
