"""``/healthz`` and ``/metrics``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from search.api import metrics
from search.api.deps import get_engine
from search.api.errors import error_responses
from search.api.schemas import Health
from search.api.status import service_status
from search.engine import SearchEngine
from search.understand.breaker import STATE_VALUE

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, responses=error_responses(503))
def healthz(engine: Annotated[SearchEngine, Depends(get_engine)], request: Request) -> Health:
    """Liveness and readiness: 200 with the live index (``degraded`` names what is failing), 503 while none is
    loaded or the shared database is down."""
    check = getattr(engine.personalizer, "health", None)
    problem = check() if check is not None else None
    if problem:
        raise HTTPException(status_code=503, detail=problem)
    problems = service_status(request).problems()
    llm = llm_status(engine)
    if llm is not None and llm["state"] != "closed":
        problems["llm"] = f"the language-model server keeps failing: skipped for {llm['retry_in_s']:.0f} s more"
    with engine.lease() as index:
        count = index.store.count()
    metrics.INDEX_PRODUCTS.set(count)
    return Health(
        status="degraded" if problems else "ok",
        problems=problems,
        llm=llm,
        index_version=index.version,
        products=count,
        embedder=engine.embedder.name if engine.embedder else "none",
        profiles=engine.profiles.names(),
    )


def llm_status(engine: Any) -> dict[str, Any] | None:
    """The language-model circuit breaker's state (None without a language-model server); sets its gauges."""
    breaker = getattr(getattr(engine, "parser_factory", None), "breaker", None)
    if breaker is None:
        return None
    status = breaker.status()
    metrics.LLM_BREAKER.set(STATE_VALUE[status.state])
    metrics.LLM_BREAKER_OPENED.set(status.opened)
    return asdict(status)


@router.get("/metrics", include_in_schema=True)
def prometheus_metrics(request: Request) -> Response:
    """Prometheus text format."""
    llm_status(getattr(request.app.state, "engine", None))
    body, content_type = metrics.render()
    return Response(content=body, media_type=content_type)
