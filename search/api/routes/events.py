"""``POST /events``: behaviour events, one or a batch; shopper affinities update at once."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException
from pydantic import Discriminator, Tag

from search.api import metrics
from search.api.deps import get_engine
from search.api.schemas import EventsAccepted
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


@router.post("/events", response_model=EventsAccepted)
def post_events(
    body: Annotated[EventsBody, Body(description='one event, or {"events": [...]} (at most 1000)')],
    engine: Annotated[SearchEngine, Depends(get_engine)],
    personal: Annotated[Personalization, Depends(get_personalization)],
) -> EventsAccepted:
    """Record behaviour events (``view``, ``click``, ``cart``, ``purchase``, ``search_click``).

    The whole request is validated first: one malformed event fails it with 422 and
    nothing is stored. Events on products missing from the catalog are stored and
    counted in ``unknown_products``. Shopper ids are pseudonymised before storage.
    """
    events = body.events if isinstance(body, EventBatch) else [body]
    try:
        result = personal.record(events, engine.index.store, time.time())
    except sqlite3.OperationalError as exc:  # e.g. the database stayed locked past the busy timeout
        log.error("events not stored: %s", exc)
        raise HTTPException(status_code=503, detail="the events store is busy; retry") from None
    except DatabaseUnavailable as exc:  # nothing was committed: the client retries (duplicates are skipped)
        log.error("events not stored: %s", exc)
        raise HTTPException(status_code=503, detail=f"events not stored: {exc}; retry") from None
    for (event, outcome), n in result.outcomes.items():
        metrics.EVENTS.labels(event, outcome).inc(n)
    return EventsAccepted(
        accepted=len(events),
        stored=result.stored,
        duplicates=result.duplicates,
        unknown_products=result.unknown_products,
    )
