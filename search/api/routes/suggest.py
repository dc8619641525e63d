"""``GET /suggest``: autocomplete for the search box (characters, full pinyin, initials, mixed)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from search.api.deps import get_engine
from search.api.errors import error_responses
from search.api.schemas import MAX_ID_CHARS, SuggestResult
from search.engine import SearchEngine
from search.suggest.suggester import MAX_SIZE

router = APIRouter(tags=["search"])
log = logging.getLogger(__name__)

MAX_PREFIX_CHARS = 64
#: a known shopper's favourite brands put first
PREFERRED_BRANDS = 3


def preferred_brands(engine: SearchEngine, user_id: str | None) -> list[str]:
    """Every alias of the shopper's strongest brands (none for an anonymous or unknown shopper)."""
    personal = engine.personalizer
    signals = getattr(personal, "signals", None)
    if not user_id or signals is None:
        return []
    try:
        brands = signals(user_id, [], popularity=False).brands
    except Exception:  # personalization is a nicety here: never fail autocomplete for it
        log.warning("no shopper signals for autocomplete", exc_info=True)
        return []
    lexicon = engine.index.lexicon
    out: list[str] = []
    for key, _ in sorted(brands.items(), key=lambda kv: -kv[1])[:PREFERRED_BRANDS]:
        brand = lexicon.brands.get(key)
        out.extend(part for alias in (brand.aliases if brand else [key]) for part in alias.split("/") if part)
    return out


@router.get("/suggest", response_model=SuggestResult, responses=error_responses(422, 503))
def suggest(
    engine: Annotated[SearchEngine, Depends(get_engine)],
    q: Annotated[
        str, Query(max_length=MAX_PREFIX_CHARS, description="what the shopper typed: characters, pinyin or initials")
    ] = "",
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = 10,
    user_id: Annotated[str | None, Query(min_length=1, max_length=MAX_ID_CHARS)] = None,
) -> JSONResponse:
    """Completions for the search box, best first: logged queries, brands, categories and product words
    that find products. ``q`` may be characters (``兰芝``), full pinyin (``lanzhi``), initials (``lzgl``)
    or mixed (``兰zhi``), with one pinyin typo; a known ``user_id`` puts the shopper's brands first."""
    prefer = preferred_brands(engine, user_id)
    found = engine.suggester().suggest(q, size, prefer)
    return JSONResponse(
        {"query": q, "suggestions": [{"text": s.text, "kind": s.kind, "score": s.score} for s in found]}
    )
