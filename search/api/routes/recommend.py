"""``GET /recommend`` and ``GET /products/{id}/similar``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from search.api import metrics
from search.api.access import is_admin, shopper
from search.api.deps import get_engine
from search.api.errors import error_responses
from search.api.routes.events import get_personalization
from search.api.schemas import MAX_ID_CHARS, MAX_SIZE, Item, Recommendations, SimilarProducts
from search.engine import SearchEngine
from search.personal.service import Personalization
from search.personal.tokens import MAX_TOKEN_CHARS
from search.store.base import Store

router = APIRouter(tags=["personalization"])


def _items(store: Store, scored: list[tuple[str, float]], size: int) -> list[Item]:
    payloads = store.get([pid for pid, _ in scored])
    out = []
    for (pid, score), p in zip(scored, payloads, strict=True):
        if p is None:  # the model knows a product the live catalog no longer has
            continue
        out.append(
            Item(
                id=pid,
                title=p.get("title"),
                brand=p.get("brand"),
                category=p.get("category"),
                price=p.get("price"),
                score=round(score, 6),
            )
        )
        if len(out) == size:
            break
    return out


@router.get(
    "/recommend",
    response_model=Recommendations,
    response_model_exclude_none=True,
    responses=error_responses(422, 503),
)
def recommend(
    request: Request,
    engine: Annotated[SearchEngine, Depends(get_engine)],
    personal: Annotated[Personalization, Depends(get_personalization)],
    user_id: Annotated[str | None, Query(min_length=1, max_length=MAX_ID_CHARS, description="the shopper")] = None,
    shopper_token: Annotated[
        str | None, Query(min_length=1, max_length=MAX_TOKEN_CHARS, description="the shopper, signed")
    ] = None,
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = 10,
) -> Recommendations:
    """The shopper's top products by CF and brand/category affinity, never ones they bought.

    A shopper without history gets the popular products (``source: popular``, shown to the admin only).
    """
    who = shopper(engine.settings, user_id, shopper_token)
    if who is None:
        raise HTTPException(status_code=422, detail=[{"field": "user_id", "message": "user_id or shopper_token"}])
    with engine.lease() as index:
        rec = personal.recommend(who, size + 10, index.store, index.version)
        items = _items(index.store, rec.items, size)
    metrics.RECOMMENDATIONS.labels("recommend", rec.source).inc()
    source = rec.source if is_admin(request, engine.settings) else None
    return Recommendations(source=source, items=items)  # type: ignore[arg-type]


@router.get(
    "/products/{product_id}/similar",
    response_model=SimilarProducts,
    response_model_exclude_none=True,
    responses=error_responses(404, 422, 503),
)
def similar(
    product_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)],
    engine: Annotated[SearchEngine, Depends(get_engine)],
    personal: Annotated[Personalization, Depends(get_personalization)],
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = 10,
) -> SimilarProducts:
    """Products like this one: co-occurrence in shoppers' histories blended with embedding similarity.

    A product nobody interacted with still gets its embedding neighbours.
    """
    with engine.lease() as index:
        if index.store.get([product_id])[0] is None:
            raise HTTPException(status_code=404, detail=f"no product {product_id!r}")
        ef = engine.profiles.get(None).sources.get("dense")
        scored = personal.similar(product_id, size, index.store, ef.ef if ef else None)
        items = _items(index.store, scored, size)
    metrics.RECOMMENDATIONS.labels("similar", "blend").inc()
    return SimilarProducts(product_id=product_id, items=items)
