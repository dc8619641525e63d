"""Behaviour events as clients send them: validation shared by ``POST /events`` and ``indexer events import``."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from search.personal.config import EventType
from search.personal.store import NewEvent
from search.text.values import clean_text, has_control

MAX_ID_CHARS = 128
MAX_QUERY_CHARS = 256
MAX_BATCH = 1000
#: the earliest accepted timestamp (2000-01-01) and how far into the future a clock may drift
MIN_TS = 946684800.0
MAX_FUTURE_S = 86400.0


class EventIn(BaseModel):
    """One behaviour event. Unknown extra fields are ignored (trackers add their own)."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {"user_id": "u0001", "product_id": "S00012", "event": "click", "ts": 1790871465, "query": "机械键盘"}
            ]
        },
    )

    user_id: str | None = Field(
        None, min_length=1, max_length=MAX_ID_CHARS, description="the shopper's id (pseudonymised)"
    )
    shopper_token: str | None = Field(
        None, min_length=1, max_length=512, description="the shopper, signed by the shop's backend (instead of user_id)"
    )
    product_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    event: EventType
    ts: float | datetime | None = Field(
        None, description="unix seconds or ISO 8601 (with a timezone); default: when it is received"
    )
    query: str | None = Field(None, max_length=MAX_QUERY_CHARS, description="the search that led to it, if any")
    event_id: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_ID_CHARS,
        description="the client's id of this event: a retry with the same event_id (for this shopper) is stored once",
    )
    search_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the `search_id` of the search it came from (analytics)"
    )
    position: int | None = Field(None, ge=1, le=100_000, description="1-based rank of the product in that search")

    @field_validator("user_id", "product_id", "event_id")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError("must not be blank")
        if has_control(value):
            raise ValueError("must not contain control characters")
        return value

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | None) -> str | None:
        return None if value is None else clean_text(value)

    @field_validator("ts")
    @classmethod
    def _ts(cls, value: float | datetime | None) -> float | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError("an ISO timestamp needs a timezone (e.g. 2026-10-31T12:00:00+08:00)")
            value = value.astimezone(UTC).timestamp()
        if isinstance(value, bool) or not math.isfinite(value):
            raise ValueError("must be a finite number of unix seconds")
        if 1e11 < value < 1e14:
            raise ValueError("looks like milliseconds; send unix seconds")
        if value < MIN_TS:
            raise ValueError("must be unix seconds after 2000-01-01")
        if value > time.time() + MAX_FUTURE_S:
            raise ValueError("is in the future")
        return float(value)

    @model_validator(mode="after")
    def _shopper(self) -> EventIn:
        if self.user_id is None and self.shopper_token is None:
            raise ValueError("user_id or shopper_token is required")
        return self

    def to_new(self, pseudonymize: Callable[[str], str], now: float) -> NewEvent:
        """The storable event: the shopper replaced by their pseudonymous key."""
        if self.user_id is None:
            raise ValueError("the event's shopper_token was not resolved to a shopper")
        ts = self.ts if isinstance(self.ts, float) else now
        user = pseudonymize(self.user_id)
        return NewEvent(user, self.product_id, self.event, ts, self.query or None, key=self.event_id)


class EventBatch(BaseModel):
    """Several events in one request."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


def describe_error(exc: ValidationError) -> str:
    """One line naming each invalid field and why (no input values: they may hold personal data)."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(event)"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)
