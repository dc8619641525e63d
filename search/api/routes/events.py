"""``POST /events``: behaviour events, one or a batch; shopper affinities update at once."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from pydantic import Discriminator, Tag

from search.analytics.searchlog import LoggedEvent, SearchLog
from search.api import metrics
from search.api.access import shopper
from search.api.backpressure import charge_events, events_slot
from search.api.deps import get_engine, get_search_log
from search.api.errors import error_responses
from search.api.schemas import EventsAccepted
from search.api.status import service_status, store_failure
from search.db import DatabaseUnavailable
from search.engine import SearchEngine
from search.personal.events import EventBatch, EventIn
from search.personal.service import Personalization

router = APIRouter(tags=["personalization"])
log = logging.getLogger(__name__)


def get_personalization(engine: Annotated[SearchEngine, Depends(get_engine)]) -> Personalization:
    """The engine's personalization (503 when the service runs without it)."""
    personal = engine.personalizer
    if not isinstance(personal, Personalization):
        raise HTTPException(status_code=503, detail="personalization is not enabled on this service")
    return personal


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "batch" if "events" in value else "event"
    if isinstance(value, EventBatch | EventIn):
        return "batch" if isinstance(value, EventBatch) else "event"
    return None


EventsBody = Annotated[
    Annotated[EventIn, Tag("event")] | Annotated[EventBatch, Tag("batch")],
    Discriminator(
        _kind, custom_error_type="invalid_events", custom_error_message='expected an event object or {"events": [...]}'
    ),
]


@router.post(
    "/events",
    response_model=EventsAccepted,
    responses=error_responses(422, 429, 503),
    dependencies=[Depends(events_slot)],
)
def post_events(
    body: Annotated[EventsBody, Body(description='one event, or {"events": [...]} (at most 1000)')],
    engine: Annotated[SearchEngine, Depends(get_engine)],
    personal: Annotated[Personalization, Depends(get_personalization)],
    request: Request,
    search_log: Annotated[SearchLog | None, Depends(get_search_log)] = None,
) -> EventsAccepted:
    """Record behaviour events (``view``, ``click``, ``cart``, ``purchase``, ``search_click``).

    The whole request is validated first: one malformed event fails it with 422 and
    nothing is stored. Events on products missing from the catalog are stored and
    counted in ``unknown_products``. Shopper ids are pseudonymised before storage.
    """
    events = body.events if isinstance(body, EventBatch) else [body]
    charge_events(request.app.state, len(events))
    if engine.settings.shopper_token_secret is not None or any(e.shopper_token for e in events):
        events = [
            e.model_copy(
                update={"user_id": shopper(engine.settings, e.user_id, e.shopper_token), "shopper_token": None}
            )
            for e in events
        ]
    status = service_status(request)
    now = time.time()
    try:
        with engine.lease() as index:
            result = personal.record(events, index.store, now)
    except (sqlite3.Error, OSError) as exc:  # locked past the busy timeout, disk full, read-only, ...
        code, message = store_failure(exc, "events store")
        log.error("events not stored: %s", exc)
        status.report("events", message)
        raise HTTPException(status_code=code, detail=message) from None
    except DatabaseUnavailable as exc:  # nothing was committed: the client retries (duplicates are skipped)
        log.error("events not stored: %s", exc)
        status.report("events", "the shared-state database cannot be reached")
        raise HTTPException(
            status_code=503, detail="events not stored: the shared-state database cannot be reached; retry"
        ) from None
    status.clear("events")
    for (event, outcome), n in result.outcomes.items():
        metrics.EVENTS.labels(event, outcome).inc(n)
    if search_log is not None:
        search_log.events(attributed(events, now))
    return EventsAccepted(
        accepted=len(events),
        stored=result.stored,
        duplicates=result.duplicates,
        unknown_products=result.unknown_products,
    )


def attributed(events: list[EventIn], now: float) -> list[LoggedEvent]:
    """The events that name their search, for the search log (clicks, carts and purchases by search and rank)."""
    return [
        LoggedEvent(e.search_id, e.position, e.product_id, e.event, e.user_id, e.ts if isinstance(e.ts, float) else now)
        for e in events
        if e.search_id is not None
    ]
