"""Bounds on what one client can make the service do: request body size and request rate.

Both are plain ASGI middleware (no per-request task or stream around the app) and
answer in the project's one error body shape. :class:`RateLimiter` is a token bucket
keyed by any string (a client address, an API key, ...), usable outside the HTTP layer.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def send_error(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    """Send a complete error response in the ``{"detail": [{"field", "message"}]}`` shape."""
    body = json.dumps({"detail": [{"field": None, "message": message}]}, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised from ``receive``: the app's error handling answers 413 (or this middleware does)."""


class BodySizeLimit:
    """413 for a request body over ``max_bytes``: at once from ``Content-Length``, else while it streams in.

    The body is never buffered here: chunks pass through to the app, counted, and the
    request is cut off as soon as the count passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return f"request body larger than {self.max_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_error(send, 400, "invalid Content-Length header")
                    return
                if declared > self.max_bytes:
                    await send_error(send, 413, self._message())
                    return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(413, self._message())
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await send_error(send, 413, self._message())


class RateLimiter:
    """A token bucket per key: ``rate`` requests a second on average, bursts of up to ``burst``.

    Thread-safe; keeps at most ``max_keys`` buckets (the least recently used go first, and a
    forgotten key simply starts again with a full bucket).
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
        """Take ``cost`` tokens for ``key``: 0.0 when allowed, else the seconds to wait before a retry."""
        return self._take(key, cost, debt=False)

    def charge(self, key: str, cost: float) -> None:
        """Take ``cost`` tokens even if that leaves the bucket in debt (for a cost known only afterwards)."""
        self._take(key, cost, debt=True)

    def in_debt(self, key: str) -> float:
        """0.0 while ``key``'s bucket holds a token, else the seconds until it does (nothing is taken)."""
        return self._take(key, 0.0, debt=False, need=1.0)

    def _take(self, key: str, cost: float, *, debt: bool, need: float | None = None) -> float:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            wait = 0.0
            needed = cost if need is None else need
            if debt or tokens >= needed:
                tokens -= cost
            else:
                wait = (needed - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


def client_address(scope: Scope) -> str:
    """The peer address of a request (behind a proxy, run uvicorn with ``--proxy-headers``)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RateLimit:
    """429 with ``Retry-After`` when a key (by default the client address) exceeds its :class:`RateLimiter`.

    ``exempt`` paths (health checks, metrics) are never limited.
    """

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        key: Callable[[Scope], str] = client_address,
        exempt: tuple[str, ...] = ("/healthz", "/metrics"),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.key = key
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        wait = self.limiter.acquire(self.key(scope))
        if wait > 0:
            retry = max(1, math.ceil(wait))
            await send_error(send, 429, f"too many requests; retry in {retry} s", {"Retry-After": str(retry)})
            return
        await self.app(scope, receive, send)
