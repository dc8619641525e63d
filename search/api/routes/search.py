"""``/search`` (GET and POST)."""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from search.analytics.searchlog import LoggedSearch, SearchLog
from search.api import metrics
from search.api.access import is_admin, redact, shopper
from search.api.deps import get_engine, get_search_log
from search.api.errors import error_responses
from search.api.schemas import (
    MAX_ID_CHARS,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    MAX_SIZE,
    SOURCE_PATTERN,
    SearchBody,
    SearchResult,
    SortParam,
)
from search.engine import SearchEngine, SearchRequest
from search.personal.tokens import MAX_TOKEN_CHARS
from search.retrieve.query import SourceUnavailableError

router = APIRouter(tags=["search"])
log = logging.getLogger(__name__)


def run_search(
    engine: SearchEngine, body: SearchBody, request: Request | None = None, search_log: SearchLog | None = None
) -> JSONResponse:
    """Validate against the live profiles, run the pipeline, and log the search (``request``: who is asking)."""
    if body.profile is not None and body.profile not in engine.profiles.names():
        raise HTTPException(
            status_code=422,
            detail=f"unknown profile {body.profile!r}; valid profiles: {', '.join(engine.profiles.names())}",
        )
    user_id = shopper(engine.settings, body.user_id, body.shopper_token)
    req = SearchRequest(
        q=body.q,
        user_id=user_id,
        brands=tuple(body.brands),
        categories=tuple(body.categories),
        price_min=body.price_min,
        price_max=body.price_max,
        attributes=tuple(body.attributes.items()),
        sort=body.sort,
        page=body.page,
        size=body.size,
        profile=body.profile,
        explain=body.explain,
        highlight=body.highlight,
        session_id=body.session_id,
    )
    try:
        res = engine.search(req)
    except SourceUnavailableError as exc:
        raise HTTPException(
            status_code=422, detail=f"profile {req.profile or engine.profiles.default!r}: {exc}"
        ) from None
    metrics.observe_stages(res.timings)
    metrics.RESULTS.observe(res.total)
    metrics.PARSER.labels(res.parsed.parser).inc()
    if res.total == 0:
        metrics.ZERO_RESULTS.labels(res.profile).inc()
    admin = request is None or is_admin(request, engine.settings)
    # The engine's result is already plain data of the documented shape; serialising it directly
    # (the route still declares SearchResult for the OpenAPI schema) saves a validation pass per request.
    body_out = {
        "query": res.query,
        "parsed": res.parsed.model_dump(),
        "total": res.total,
        "page": body.page,
        "size": body.size,
        "items": res.items if admin else redact(res.items),
        "facets": res.facets,
        "took_ms": res.took_ms,
        "profile": res.profile,
        "index_version": res.index_version,
        "search_id": res.search_id,
        "experiment": res.experiment,
        "variant": res.variant,
        "rules": list(res.rules),
        "synonyms": list(res.synonyms),
    }
    if search_log is not None:
        search_log.search(
            LoggedSearch(
                search_id=res.search_id,
                ts=time.time(),
                user_id=user_id,
                query=res.query,
                parsed=res.parsed,
                profile=res.profile,
                variant=res.variant,
                source=body.source,
                page=body.page,
                size=body.size,
                ids=[item["id"] for item in res.items],
                total=res.total,
                took_ms=res.took_ms,
            )
        )
    if res.nomatch is not None and not res.nomatch["matched"]:
        body_out["related"] = res.related if admin else redact(res.related)
    if body.explain and res.nomatch is not None:
        body_out["nomatch"] = res.nomatch
    return JSONResponse(body_out)


@router.get("/search", response_model=SearchResult, responses=error_responses(422, 503))
def search_get(
    request: Request,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="query; empty browses by popularity")] = "",
    user_id: Annotated[str | None, Query(min_length=1, max_length=MAX_ID_CHARS)] = None,
    shopper_token: Annotated[str | None, Query(min_length=1, max_length=MAX_TOKEN_CHARS)] = None,
    brand: Annotated[list[str] | None, Query(max_length=20, description="brand filter (repeatable)")] = None,
    category: Annotated[list[str] | None, Query(max_length=20, description="category path prefix (repeatable)")] = None,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    sort: SortParam | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = 10,
    profile: Annotated[str | None, Query(max_length=64)] = None,
    explain: bool = False,
    source: Annotated[str | None, Query(pattern=SOURCE_PATTERN, description="`suggest`: a chosen suggestion")] = None,
    search_log: Annotated[SearchLog | None, Depends(get_search_log)] = None,
    highlight: Annotated[bool, Query(description="add highlight.title: matched words in <em>")] = False,
    session_id: Annotated[str | None, Query(min_length=1, max_length=MAX_ID_CHARS)] = None,
) -> JSONResponse:
    """Search products. Filters: brand, category, price range; ``explain`` adds per-stage scores."""
    try:
        body = SearchBody(
            q=q,
            user_id=user_id,
            shopper_token=shopper_token,
            brands=brand or [],
            categories=category or [],
            price_min=price_min,
            price_max=price_max,
            sort=sort,
            page=page,
            size=size,
            profile=profile,
            explain=explain,
            source=source,
            highlight=highlight,
            session_id=session_id,
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return run_search(engine, body, request, search_log)


@router.post("/search", response_model=SearchResult, responses=error_responses(422, 503))
def search_post(
    body: SearchBody,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    request: Request,
    search_log: Annotated[SearchLog | None, Depends(get_search_log)] = None,
) -> JSONResponse:
    """Search with a JSON body (structured filters: brands, categories, attributes, price range)."""
    return run_search(engine, body, request, search_log)
