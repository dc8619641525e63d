"""``GET /admin/analytics``: what shoppers searched, missed and clicked (admin only)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from search.analytics.searchlog import SearchLog
from search.analytics.summary import DEFAULT_DAYS, analytics
from search.api.auth import require_admin
from search.api.deps import get_search_log
from search.api.errors import error_responses

router = APIRouter(tags=["admin"])
log = logging.getLogger(__name__)


@router.get(
    "/admin/analytics",
    dependencies=[Depends(require_admin)],
    responses=error_responses(401, 403, 422, 429, 503),
)
def get_analytics(
    search_log: Annotated[SearchLog | None, Depends(get_search_log)],
    days: Annotated[float, Query(gt=0, le=3660, description="the last N days")] = DEFAULT_DAYS,
) -> dict[str, Any]:
    """Searches, top queries with click-through and conversion, zero-result queries, queries never
    clicked, click-through by position, suggestion use and per-variant rates with 95% intervals.

    Includes every search queued before the request (the log is flushed first).
    """
    if search_log is None:
        raise HTTPException(status_code=503, detail="the search log is off on this service (SEARCH_LOG_SEARCHES)")
    search_log.flush(timeout_s=5.0)
    try:
        return analytics(search_log.store, days)
    except sqlite3.OperationalError as exc:
        log.error("analytics failed: %s", exc)
        raise HTTPException(status_code=503, detail="the search log is busy; retry") from None
