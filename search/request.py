"""What a search receives and returns (:class:`SearchRequest`, :class:`SearchResponse`), and the
request's explicit filters merged with the ones the query parser found."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from search.store.base import Filter
from search.text.normalize import normalize
from search.understand.parsed import ParsedQuery, Sort

if TYPE_CHECKING:
    from search.index import IndexHandle


@dataclass(frozen=True)
class SearchRequest:
    """A search as the API and CLI receive it (already validated for ranges and lengths)."""

    q: str = ""
    user_id: str | None = None
    brands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    sort: Sort | None = None
    page: int = 1
    size: int = 10
    profile: str | None = None
    explain: bool = False
    #: add ``highlight: {title}`` to each item (matched words in ``<em>``, the rest HTML-escaped)
    highlight: bool = False
    #: an anonymous shopper's session (experiments assign by it when there is no user id)
    session_id: str | None = None


def new_search_id() -> str:
    """A fresh id for one search (clicks and the search log refer to it)."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class SearchResponse:
    """The result of one search."""

    query: str
    parsed: ParsedQuery
    total: int
    items: list[dict[str, Any]]
    facets: dict[str, Any]
    took_ms: float
    profile: str
    timings: dict[str, float]
    index_version: str
    #: the experiment and variant this search ran in (None outside any experiment)
    experiment: str | None = None
    variant: str | None = None
    #: the merchandising rules and synonyms that changed this search
    rules: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    search_id: str = field(default_factory=new_search_id)
    #: when nothing in the catalog matches (``total`` 0, no items): candidates to show as related
    related: list[dict[str, Any]] = field(default_factory=list)
    #: the no-match decision and its evidence (None when the profile does not judge)
    nomatch: dict[str, Any] | None = None


def request_filter(req: SearchRequest, index: IndexHandle) -> Filter:
    """Explicit filters from the request, resolved against the catalog vocabulary."""
    brands = tuple(index.lexicon.resolve_brand(b) or normalize(b) for b in req.brands if b.strip())
    categories = tuple(c for c in (normalize(c).strip("/") for c in req.categories) if c)
    attributes = tuple((normalize(k), normalize(v)) for k, v in req.attributes)
    return Filter(
        brands=brands,
        categories=categories,
        price_min=req.price_min,
        price_max=req.price_max,
        attributes=attributes,
    )


def merge_filters(explicit: Filter, parsed: Filter) -> Filter:
    """Explicit request filters win; parsed intent fills only what the request left open."""
    return replace(
        explicit,
        brands=explicit.brands or parsed.brands,
        categories=explicit.categories or parsed.categories,
        price_min=explicit.price_min if explicit.price_min is not None else parsed.price_min,
        price_max=explicit.price_max if explicit.price_max is not None else parsed.price_max,
        # an explicit bound is the shopper's own filter: unknown prices fail it
        price_unknown_ok=parsed.price_unknown_ok and explicit.price_min is None and explicit.price_max is None,
        attributes=explicit.attributes or parsed.attributes,
        exclude_brands=tuple(b for b in parsed.exclude_brands if b not in explicit.brands),
    )
