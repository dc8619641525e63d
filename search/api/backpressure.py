"""Bounded concurrency for write routes, so that a flood of writes cannot starve searches.

Sync routes run in a shared pool of worker threads. Event writes are serialised by the
database's write lock, so a client that floods ``POST /events`` would otherwise park
every pool thread on that lock and searches would queue behind them. :func:`events_slot`
lets at most ``SEARCH_EVENTS_MAX_INFLIGHT`` event requests into the pool at once; the
next ones wait on the event loop (no thread held) for up to ``SEARCH_EVENTS_WAIT_S``
and are then refused with 429 and ``Retry-After``: nothing is stored, the client retries.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import HTTPException, Request

from search.api import metrics


class InflightLimit:
    """A semaphore created on first use (inside the running event loop)."""

    def __init__(self, limit: int, wait_s: float) -> None:
        self.limit = limit
        self.wait_s = wait_s
        self._sem: asyncio.Semaphore | None = None

    def semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.limit)
        return self._sem


async def events_slot(request: Request) -> AsyncIterator[None]:
    """Dependency: hold one of the event writers' slots for the request (429 when none frees up in time)."""
    limit: InflightLimit | None = getattr(request.app.state, "events_limit", None)
    if limit is None:
        engine = getattr(request.app.state, "engine", None)
        if engine is None:
            yield
            return
        limit = request.app.state.events_limit = InflightLimit(
            engine.settings.events_max_inflight, engine.settings.events_wait_s
        )
    sem = limit.semaphore()
    try:
        await asyncio.wait_for(sem.acquire(), timeout=limit.wait_s)
    except TimeoutError:
        metrics.EVENTS_BUSY.inc()
        raise HTTPException(
            status_code=429,
            detail="too many event requests in progress; retry shortly",
            headers={"Retry-After": "1"},
        ) from None
    try:
        yield
    finally:
        sem.release()
