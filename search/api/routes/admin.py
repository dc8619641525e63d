"""Admin routes: merchandising rules, synonyms, configuration reload and the audit log.

Every route needs an API key with the ``admin`` scope and is audited (see
:mod:`search.api.auth`). Rules and synonyms made here are stored in the operations
database (shared by every API node, which re-reads them within its reload interval)
and are live on this node at once; the operator's ``configs/*.yaml`` stay untouched.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Response

from search.api.auth import Principal, require_admin
from search.api.deps import get_engine
from search.api.errors import ERROR_RESPONSES, error_responses
from search.engine import SearchEngine
from search.ops.rules import RULE_ID, Rule
from search.ops.snapshot import RULES, SYNONYMS
from search.ops.synonyms import SYNONYM_ID, Synonym

router = APIRouter(prefix="/admin", tags=["admin"], responses=error_responses(401, 403, 422, 429))
log = logging.getLogger(__name__)

Admin = Annotated[Principal, Depends(require_admin)]
Engine = Annotated[SearchEngine, Depends(get_engine)]


def _items(engine: SearchEngine, kind: str) -> list[dict[str, Any]]:
    snap = engine.configs.current
    admin_made = engine.configs.store.live(kind)
    out = []
    for item in snap.rules if kind == RULES else snap.synonyms.entries:
        data = item.to_dict() if isinstance(item, Synonym) else item.model_dump(mode="json", exclude_none=True)
        data["source"] = "admin" if item.id in admin_made else str(engine.configs.path(kind))
        out.append(data)
    return out


def _put(engine: SearchEngine, who: Principal, kind: str, item_id: str, body: dict[str, Any] | None) -> None:
    engine.configs.store.put(kind, item_id, body, who.key_id)
    engine.configs.poll()  # live on this node now; the others follow within their reload interval
    who.detail.update({kind.rstrip("s"): item_id, "change": "delete" if body is None else "put"})


def _delete(engine: SearchEngine, who: Principal, kind: str, item_id: str) -> Response:
    if item_id in engine.configs.store.live(kind):
        _put(engine, who, kind, item_id, None)
        return Response(status_code=204)
    snap = engine.configs.current
    ids = {r.id for r in snap.rules} if kind == RULES else {s.id for s in snap.synonyms.entries}
    if item_id in ids:
        raise HTTPException(
            status_code=409, detail=f"{item_id!r} comes from {engine.configs.path(kind)}; change it in that file"
        )
    raise HTTPException(status_code=404, detail=f"no {kind.rstrip('s')} {item_id!r}")


# ---------------------------------------------------------------------------- rules


@router.get("/rules")
def list_rules(who: Admin, engine: Engine) -> dict[str, Any]:
    """The live merchandising rules, each with its source (the rules file or ``admin``)."""
    return {"rules": _items(engine, RULES)}


@router.post("/rules", status_code=201, responses={409: ERROR_RESPONSES[404] | {"description": "conflict"}})
def put_rule(rule: Annotated[Rule, Body()], who: Admin, engine: Engine) -> dict[str, Any]:
    """Create or replace a rule (by ``id``); live at once. A pinned id missing from the catalog: 422."""
    if rule.pin:
        ids = list(rule.pin)
        with engine.lease() as index:
            found = index.store.get(ids)
        unknown = [pid for pid, p in zip(ids, found, strict=True) if p is None]
        if unknown:
            raise HTTPException(
                status_code=422, detail=[{"field": "pin", "message": f"unknown product id(s): {', '.join(unknown)}"}]
            )
    data = rule.model_dump(mode="json", exclude_none=True)
    _put(engine, who, RULES, rule.id, data)
    return data


@router.delete("/rules/{rule_id}", status_code=204, response_class=Response)
def delete_rule(rule_id: Annotated[str, Path(pattern=RULE_ID)], who: Admin, engine: Engine) -> Response:
    """Delete an admin-made rule (rules from the rules file are changed in that file: 409)."""
    return _delete(engine, who, RULES, rule_id)


# ---------------------------------------------------------------------------- synonyms


@router.get("/synonyms")
def list_synonyms(who: Admin, engine: Engine) -> dict[str, Any]:
    """The live synonyms and rewrites, each with its source."""
    return {"synonyms": _items(engine, SYNONYMS)}


@router.post("/synonyms", status_code=201)
def put_synonym(synonym: Annotated[Synonym, Body()], who: Admin, engine: Engine) -> dict[str, Any]:
    """Create or replace a synonym (by ``id``): ``{"id", "from": [...], "to"}`` or ``{"id", "terms": [...]}``."""
    data = synonym.to_dict()
    _put(engine, who, SYNONYMS, synonym.id, data)
    return data


@router.delete("/synonyms/{synonym_id}", status_code=204, response_class=Response)
def delete_synonym(synonym_id: Annotated[str, Path(pattern=SYNONYM_ID)], who: Admin, engine: Engine) -> Response:
    """Delete an admin-made synonym."""
    return _delete(engine, who, SYNONYMS, synonym_id)


# ---------------------------------------------------------------------------- config and audit


@router.get("/config")
def get_config(who: Admin, engine: Engine) -> dict[str, Any]:
    """What configuration is live, and the errors of sources whose last version stays live."""
    return engine.configs.describe()


@router.post("/reload")
def reload_config(who: Admin, engine: Engine) -> dict[str, Any]:
    """Re-read profiles, rules, synonyms and experiments now; ``errors`` lists the files that failed."""
    engine.configs.reload()
    out = engine.configs.describe()
    who.detail["errors"] = len(out["errors"])
    return out


@router.get("/audit")
def get_audit(
    who: Admin,
    engine: Engine,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    since: Annotated[float | None, Query(ge=0, description="unix time")] = None,
    actor: Annotated[str | None, Query(max_length=64, description="a key id")] = None,
) -> dict[str, Any]:
    """The latest audit entries, newest first."""
    entries = engine.configs.store.audit_log(limit=limit, since=since, actor=actor)
    return {"entries": [e.to_dict() for e in entries]}
