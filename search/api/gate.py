"""Refuse a write before its body is read: API key, scope, key rate limit and writer slot, as plain ASGI.

FastAPI reads and parses a request's body before it runs the route's dependencies, so a
refusal decided there (401, 403, 429) still costs the server the whole body read, JSON
parse and validation: a client that floods ``POST /events`` and ignores ``Retry-After``
keeps the event loop busy with bodies that are thrown away. :class:`WriteGate` makes the
same decisions as the routes' :func:`search.api.auth.require_scope` from the headers
alone, then checks the process's events budget and takes an events writer slot
(:mod:`search.api.backpressure`), and only then lets the request (and its body) through.
A refusal answers in the one error shape with ``Retry-After`` where it applies, and
``receive`` is never called.

The admitted caller is left in the request state, so the route's dependency neither
checks the key again nor takes a second token from its rate limit. Admin routes are not
gated here: their refusals are audited with the route's parameters (shopper ids
pseudonymised), which only the router knows; their bodies are small and bounded by
``SEARCH_MAX_BODY_BYTES``. The per-address limit (:class:`search.api.limits.RateLimit`)
is ASGI too and also runs before the body is read.
"""

from __future__ import annotations

import math

from fastapi import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from search.api import metrics
from search.api.auth import GATE_PRINCIPAL, SCOPES, authenticate
from search.api.backpressure import BUSY_MESSAGE, SLOT_HELD, budget_wait, events_limit
from search.api.limits import send_error

#: (method, path) -> the scopes the route admits, and whether it takes an events writer slot
GATED: dict[tuple[str, str], tuple[frozenset[str], bool]] = {
    ("POST", "/events"): (frozenset({"search", "events"}), True),
    ("POST", "/search"): (frozenset({"search"}), False),
}


class WriteGate:
    """Key, scope, key rate, events budget and writer slot for the :data:`GATED` routes, before the body is read."""

    def __init__(self, app: ASGIApp, gated: dict[tuple[str, str], tuple[frozenset[str], bool]] | None = None) -> None:
        self.app = app
        self.gated = GATED if gated is None else gated
        for allowed, _ in self.gated.values():
            if not allowed <= set(SCOPES) or "admin" in allowed:
                raise ValueError(f"only public scopes can be gated: {sorted(allowed)}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self.gated.get((scope.get("method", ""), scope.get("path", ""))) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        allowed, takes_slot = rule
        request = Request(scope)  # headers only: this Request has no body to read
        try:
            principal = authenticate(request, allowed)
        except HTTPException as exc:
            await self._refuse(scope, send, exc.status_code, str(exc.detail), dict(exc.headers or {}))
            return
        state = scope.setdefault("state", {})
        state[GATE_PRINCIPAL] = principal
        app_state = scope["app"].state if takes_slot and "app" in scope else None
        limit = events_limit(app_state) if app_state is not None else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        wait = budget_wait(app_state)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            message = f"events arrive faster than this service accepts them; retry in {retry} s"
            await self._refuse(scope, send, 429, message, {"Retry-After": str(retry)})
            return
        if not await limit.acquire():
            await self._refuse(scope, send, 429, BUSY_MESSAGE, {"Retry-After": "1"})
            return
        state[SLOT_HELD] = True
        try:
            await self.app(scope, receive, send)
        finally:
            limit.release()

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, message: str, headers: dict[str, str]) -> None:
        metrics.GATE_REFUSED.labels(scope["path"], str(status)).inc()
        await send_error(send, status, message, headers)
