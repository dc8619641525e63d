"""A token-bucket rate limiter keyed by a string (an API key id, a client address).

Same interface as the request-rate limiter of the HTTP bounds (``RateLimiter(rate, burst)``,
``acquire(key) -> seconds to wait``), so either can serve the per-key limits of API keys.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """``rate`` requests per second per key on average, bursts of up to ``burst``.

    Thread-safe; keeps at most ``max_keys`` buckets (the least recently used go first).
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limit needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens for ``key``: 0.0 when allowed, else the seconds to wait before retrying."""
        now = self.clock()
        with self._lock:
            tokens, since = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - since) * self.rate)
            wait = 0.0
            if tokens >= cost:
                tokens -= cost
            else:
                wait = (cost - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait
