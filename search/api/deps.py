"""Dependencies: the engine and settings built in the app's lifespan."""

from __future__ import annotations

from fastapi import HTTPException, Request

from search.analytics.searchlog import SearchLog
from search.engine import SearchEngine


async def get_engine(request: Request) -> SearchEngine:
    """The search engine of this app (503 while no index is loaded; async: no worker thread for a lookup)."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        reason = getattr(request.app.state, "startup_error", None) or "the service is starting"
        raise HTTPException(status_code=503, detail=f"no index loaded: {reason}")
    return engine


async def get_search_log(request: Request) -> SearchLog | None:
    """The search log (None when logging is off or the service has no index)."""
    return getattr(request.app.state, "search_log", None)
