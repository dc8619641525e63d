"""Request and response models of the HTTP API (the OpenAPI schema at ``/docs`` comes from these)."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from search.understand.parsed import ParsedQuery

MAX_QUERY_CHARS = 256
MAX_SIZE = 100
MAX_PAGE = 1000
MAX_ID_CHARS = 128
#: ``source`` of a search (analytics): a short lowercase word such as ``suggest``
SOURCE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"

SortParam = Literal["relevance", "price_asc", "price_desc", "sales"]


class SearchBody(BaseModel):
    """``POST /search``: the same search as ``GET /search``, with structured filters."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="the shopper's query; empty browses by popularity")
    user_id: str | None = Field(None, min_length=1, max_length=MAX_ID_CHARS)
    shopper_token: str | None = Field(
        None, min_length=1, max_length=512, description="the shopper, signed by the shop's backend (instead of user_id)"
    )
    brands: list[str] = Field(default_factory=list, max_length=20)
    categories: list[str] = Field(default_factory=list, max_length=20)
    price_min: float | None = Field(None, ge=0)
    price_max: float | None = Field(None, ge=0)
    attributes: dict[str, str] = Field(default_factory=dict, max_length=20)
    sort: SortParam | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    size: int = Field(10, ge=1, le=MAX_SIZE)
    profile: str | None = Field(None, max_length=64)
    explain: bool = False
    source: str | None = Field(
        None,
        pattern=SOURCE_PATTERN,
        description="how the search started, for analytics: `suggest` when the shopper chose a suggestion",
    )
    highlight: bool = Field(False, description="add highlight.title to each item: matched words in <em>")
    session_id: str | None = Field(None, min_length=1, max_length=MAX_ID_CHARS, description="anonymous session")

    @field_validator("price_min", "price_max")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("brands", "categories")
    @classmethod
    def _short(cls, values: list[str]) -> list[str]:
        for v in values:
            if len(v) > 100:
                raise ValueError("each value must be at most 100 characters")
        return values

    @model_validator(mode="after")
    def _bounds(self) -> SearchBody:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("price_min must not exceed price_max")
        return self


class SourceScore(BaseModel):
    """A retrieval source's view of one result (``rank`` is None when it scored the result outside its top list)."""

    rank: int | None
    score: float


class FusionExplain(BaseModel):
    """How the sources' scores were fused for one result."""

    method: str
    score: float
    weights: dict[str, float]
    contributions: dict[str, float]
    relevance: float = Field(description="fused score relative to the best result's")


class Explain(BaseModel):
    """Every stage's rank and score for one result (``explain=true``).

    One entry per retrieval source of the profile (``bm25``, ``ngram``, ``dense``...;
    null when the source did not match the result), then the fusion, boosts,
    personalization and final score.
    """

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, SourceScore | None] = Field(init=False)  # type: ignore[assignment]

    fusion: FusionExplain
    boosts: dict[str, float]
    personalization: dict[str, float]
    final: float
    rules: list[str] | None = Field(None, description="merchandising rules that moved this result (pin, boost, ...)")


class Item(BaseModel):
    """One result."""

    id: str
    title: str | None
    brand: str | None
    category: str | None
    price: float | None
    score: float
    explain: Explain | None = None
    highlight: dict[str, str] | None = Field(
        None, description='with highlight=true: {"title": the title HTML-escaped, matched words in <em>}'
    )


class FacetValue(BaseModel):
    """A brand or category and how many results have it."""

    value: str
    count: int


class PriceBand(BaseModel):
    """A price band (``max`` null for the open top band) and how many results fall in it."""

    value: str
    min: float
    max: float | None
    count: int


class Facets(BaseModel):
    """Facet counts over the results (empty when the profile turns facets off)."""

    brand: list[FacetValue] = Field(default_factory=list)
    category: list[FacetValue] = Field(default_factory=list)
    price: list[PriceBand] = Field(default_factory=list)


class SearchResult(BaseModel):
    """The response of ``/search``."""

    query: str
    parsed: ParsedQuery
    total: int = Field(description="results that can be paged through (the fused candidate pool after filters)")
    page: int
    size: int
    items: list[Item]
    facets: Facets
    took_ms: float
    profile: str
    index_version: str
    search_id: str = Field(description="this search's id (uuid4 hex): send it back with click events")
    experiment: str | None = Field(None, description="the experiment this search ran in, if any")
    variant: str | None = Field(None, description="the experiment variant (its profile is `profile`)")
    rules: list[str] = Field(default_factory=list, description="merchandising rules that moved results")
    synonyms: list[str] = Field(default_factory=list, description="synonyms and rewrites applied to the query")
    related: list[Item] | None = Field(
        None, description="when nothing in the catalog matches (total 0): the nearest products, to show apart"
    )
    nomatch: dict[str, Any] | None = Field(None, description="with explain=true: the no-match decision and evidence")


class Suggestion(BaseModel):
    """One autocomplete suggestion: ``text`` is what to put in the search box."""

    text: str
    kind: Literal["query", "brand", "category", "product"]
    score: float


class SuggestResult(BaseModel):
    """The response of ``/suggest``."""

    query: str
    suggestions: list[Suggestion]


class Product(BaseModel):
    """A catalog product as stored."""

    id: str
    title: str
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    price: float | None = None
    sales: int | None = None


class Health(BaseModel):
    """``/healthz``."""

    status: Literal["ok", "degraded"]
    index_version: str
    products: int
    embedder: str
    profiles: list[str]
    problems: dict[str, str] = Field(default_factory=dict, description="what is failing, by component (degraded)")
    llm: dict[str, Any] | None = Field(
        None, description="the language-model circuit breaker: state (closed, open, half_open), recent_failures, ..."
    )


# ---------------------------------------------------------------------------- personalization


class EventsAccepted(BaseModel):
    """``POST /events``: what was stored (events on products missing from the catalog are stored and counted)."""

    accepted: int = Field(description="events received in this request")
    stored: int = Field(description="new events stored")
    duplicates: int = Field(description="exact repeats of stored events (same shopper, product, type and ts), skipped")
    unknown_products: int = Field(description="stored events whose product is not in the live index")


class Recommendations(BaseModel):
    """``GET /recommend``."""

    source: Literal["personal", "popular"] | None = Field(
        None, description="popular: the shopper has no history (shown to the admin only)"
    )
    items: list[Item]


class SimilarProducts(BaseModel):
    """``GET /products/{id}/similar``."""

    product_id: str
    items: list[Item]
