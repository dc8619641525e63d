"""``DELETE /users/{id}``: forget a shopper (admin only)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Response

from search.analytics.searchlog import SearchLog
from search.api.auth import require_admin
from search.api.deps import get_search_log
from search.api.errors import error_responses
from search.api.routes.events import get_personalization
from search.api.schemas import MAX_ID_CHARS
from search.personal.service import Personalization

router = APIRouter(tags=["personalization"])
log = logging.getLogger(__name__)


@router.delete(
    "/users/{user_id}",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(require_admin)],
    responses=error_responses(401, 403, 422, 429, 503),
)
def forget_user(
    user_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)],
    personal: Annotated[Personalization, Depends(get_personalization)],
    search_log: Annotated[SearchLog | None, Depends(get_search_log)] = None,
) -> Response:
    """Forget a shopper: their events, profile, affinities and logged searches are deleted, their CF factors zeroed.

    They get the anonymous ranking from the next request on. Always 204, also for an
    id with no history: deleting is idempotent (a retry after a timeout succeeds) and
    the answer does not reveal whether an id was known.
    """
    deleted = personal.forget(user_id)
    try:
        searches = search_log.forget(user_id) if search_log is not None else 0
    except Exception as exc:  # the shopper must be gone from the log too: say so, the client retries
        log.error("forgetting a shopper's searches failed: %s", exc)
        raise HTTPException(status_code=503, detail="the search log is unavailable; retry") from None
    log.info("forgot a shopper (%d events, %d logged searches deleted)", deleted, searches)
    return Response(status_code=204)
