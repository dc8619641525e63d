"""``DELETE /users/{id}``: forget a shopper (admin only)."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response

from search.analytics.searchlog import SearchLog
from search.api.deps import get_engine, get_search_log
from search.api.routes.events import get_personalization
from search.api.schemas import MAX_ID_CHARS
from search.engine import SearchEngine
from search.personal.service import Personalization

router = APIRouter(tags=["personalization"])
log = logging.getLogger(__name__)


def require_admin(request: Request, engine: Annotated[SearchEngine, Depends(get_engine)]) -> None:
    """``Authorization: Bearer <admin_token>``: 401 without credentials, 403 when wrong or when no token is set."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status_code=401,
            detail="admin credentials required: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    expected = engine.settings.admin_token
    if expected is None:
        raise HTTPException(status_code=403, detail="the admin API is disabled (no admin token is configured)")
    if not hmac.compare_digest(token.strip().encode("utf-8"), expected.get_secret_value().encode("utf-8")):
        raise HTTPException(status_code=403, detail="invalid admin token")


@router.delete(
    "/users/{user_id}",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "no credentials"}, 403: {"description": "wrong token, or admin API disabled"}},
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
    searches = search_log.forget(user_id) if search_log is not None else 0
    log.info("forgot a shopper (%d events, %d logged searches deleted)", deleted, searches)
    return Response(status_code=204)
