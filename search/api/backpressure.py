"""Bounded concurrency for write routes, so that a flood of writes cannot starve searches.

Sync routes run in a shared pool of worker threads. Event writes are serialised by the
database's write lock, so a client that floods ``POST /events`` would otherwise park
every pool thread on that lock and searches would queue behind them. At most
``SEARCH_EVENTS_MAX_INFLIGHT`` event requests are let in at once; the next ones wait on
the event loop (no thread held, body not yet read) for up to ``SEARCH_EVENTS_WAIT_S`` and
are then refused with 429 and ``Retry-After``: nothing is stored, the client retries.

``SEARCH_EVENTS_PER_S`` optionally bounds the events this process accepts a second, all
clients together (:func:`events_budget`): the CPU that parsing, validating and storing events
takes from searches on the same process. A batch is charged after it is validated (its size
is known then) and may leave the budget in debt; while it is in debt, further event requests
are refused with 429 before their body is read.

In the app the slot is taken by :class:`search.api.gate.WriteGate` before the body is
read; :func:`events_slot` takes it for a route used without the gate (and is a no-op when
the gate already holds one).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from typing import Any

from fastapi import HTTPException, Request

from search.api import metrics
from search.api.limits import RateLimiter

#: key in the request's ``scope["state"]`` set while the gate holds an events slot for it
SLOT_HELD = "events_slot_held"
BUSY_MESSAGE = "too many event requests in progress; retry shortly"
BUDGET_KEY = "events"


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

    async def acquire(self) -> bool:
        """Take a slot, waiting up to ``wait_s``; False (and counted) when none freed up."""
        try:
            await asyncio.wait_for(self.semaphore().acquire(), timeout=self.wait_s)
        except TimeoutError:
            metrics.EVENTS_BUSY.inc()
            return False
        return True

    def release(self) -> None:
        self.semaphore().release()


def events_limit(state: Any) -> InflightLimit | None:
    """The app's events limit (from the engine's settings; None while no engine is loaded)."""
    limit: InflightLimit | None = getattr(state, "events_limit", None)
    if limit is None:
        engine = getattr(state, "engine", None)
        if engine is None:
            return None
        limit = state.events_limit = InflightLimit(engine.settings.events_max_inflight, engine.settings.events_wait_s)
    return limit


def events_budget(state: Any) -> RateLimiter | None:
    """The app's events-per-second budget (None when ``events_per_s`` is off or no engine is loaded)."""
    budget: RateLimiter | bool | None = getattr(state, "events_budget", None)
    if budget is None:
        engine = getattr(state, "engine", None)
        if engine is None:
            return None
        rate = engine.settings.events_per_s
        budget = state.events_budget = RateLimiter(rate, max(1, math.ceil(rate))) if rate else False
    return budget if isinstance(budget, RateLimiter) else None


def budget_wait(state: Any) -> float:
    """0.0 while the events budget holds a token (or is off), else the seconds until it does."""
    budget = events_budget(state)
    return 0.0 if budget is None else budget.in_debt(BUDGET_KEY)


def charge_events(state: Any, n: int) -> None:
    """Charge ``n`` validated events to the budget (a no-op when it is off)."""
    budget = events_budget(state)
    if budget is not None:
        budget.charge(BUDGET_KEY, n)


async def events_slot(request: Request) -> AsyncIterator[None]:
    """Dependency: hold one of the event writers' slots for the request (429 when none frees up in time)."""
    limit = events_limit(request.app.state)
    if limit is None or request.scope.get("state", {}).get(SLOT_HELD):
        yield
        return
    if not await limit.acquire():
        raise HTTPException(status_code=429, detail=BUSY_MESSAGE, headers={"Retry-After": "1"})
    try:
        yield
    finally:
        limit.release()
