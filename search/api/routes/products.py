"""``/products/{id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from search.api.deps import get_engine
from search.api.errors import error_responses
from search.api.schemas import MAX_ID_CHARS, Product
from search.engine import SearchEngine
from search.product import servable

router = APIRouter(tags=["products"])


@router.get("/products/{product_id}", response_model=Product, responses=error_responses(404, 422, 503))
def get_product(
    product_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)],
    engine: Annotated[SearchEngine, Depends(get_engine)],
) -> Product:
    """One product by id (404 when the catalog has none)."""
    payload = engine.product(product_id)
    if payload is None:
        raise HTTPException(status_code=404, detail=f"no product {product_id!r}")
    record = servable(payload)  # an older build may hold values the catalog checks now reject
    return Product.model_validate({k: record.get(k) for k in Product.model_fields if k in record})
