"""``/healthz`` and ``/metrics``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response

from search.api import metrics
from search.api.deps import get_engine
from search.api.schemas import Health
from search.engine import SearchEngine

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
def healthz(engine: Annotated[SearchEngine, Depends(get_engine)]) -> Health:
    """Liveness and readiness: 200 with the live index, 503 while none is loaded or the shared database is down."""
    check = getattr(engine.personalizer, "health", None)
    problem = check() if check is not None else None
    if problem:
        raise HTTPException(status_code=503, detail=problem)
    index = engine.index
    count = index.store.count()
    metrics.INDEX_PRODUCTS.set(count)
    return Health(
        status="ok",
        index_version=index.version,
        products=count,
        embedder=engine.embedder.name if engine.embedder else "none",
        profiles=engine.profiles.names(),
    )


@router.get("/metrics", include_in_schema=True)
def prometheus_metrics() -> Response:
    """Prometheus text format."""
    body, content_type = metrics.render()
    return Response(content=body, media_type=content_type)
