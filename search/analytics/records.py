"""The rows of the search log, ready for storage (shoppers already pseudonymised)."""

from __future__ import annotations

from dataclasses import dataclass

#: event types that count as a click on a result, an add-to-cart, and a conversion
CLICK_EVENTS = ("click", "search_click")
CART_EVENTS = ("cart",)
CONVERSION_EVENTS = ("purchase",)


@dataclass(frozen=True)
class SearchRecord:
    """One logged search.

    Attributes:
        search_id: The id returned with the response (hex uuid).
        ts: When it ran (unix seconds).
        day: ``YYYY-MM-DD`` (UTC) of ``ts``: per-day volume is a plain GROUP BY on every database.
        shopper: The shopper's pseudonymous key (None: anonymous).
        query: The query as typed.
        norm: The normalised query (what analytics groups by).
        parsed: A JSON summary of the parsed intent (only the parts that were found).
        profile: The relevance profile that ranked it.
        variant: The experiment variant the shopper was assigned to (None outside experiments).
        source: How the search was started, e.g. ``suggest`` for a chosen suggestion (None: typed).
        page: The result page.
        first_position: Rank of the first item shown (1 on page 1; positions are 1-based over all pages).
        shown: Items shown on this page.
        total: Matching products (0: a zero-result search).
        top_ids: JSON list of the ids shown, in order.
        took_ms: Time the engine took.
    """

    search_id: str
    ts: float
    day: str
    shopper: str | None
    query: str
    norm: str
    parsed: str
    profile: str
    variant: str | None
    source: str | None
    page: int
    first_position: int
    shown: int
    total: int
    top_ids: str
    took_ms: float


@dataclass(frozen=True)
class AttributedEvent:
    """A behaviour event that names the search (and rank) it came from."""

    search_id: str
    position: int | None
    product: str
    event: str
    shopper: str | None
    ts: float
