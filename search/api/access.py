"""Who is calling: the shop's admin (``Authorization: Bearer <admin token>``) or the public, and for which
shopper (a signed shopper token, or a bare ``user_id`` where signing is not configured).

Personalization details (whether a shopper has history, per-item CF and affinity terms) are
shown to the admin only: a public caller must not learn what a shopper likes.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import HTTPException, Request

from search.config import ConfigError, Settings
from search.personal.pseudonym import Pseudonymizer
from search.personal.tokens import ShopperTokenError, resolve_shopper

#: explain stages that describe the shopper rather than the product
PRIVATE_EXPLAIN = ("personalization",)


def is_admin(request: Request, settings: Settings) -> bool:
    """True when the request carries the admin token (compared in constant time)."""
    expected = settings.admin_token
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if expected is None or scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode("utf-8"), expected.get_secret_value().encode("utf-8"))


def shopper(settings: Settings, user_id: str | None, token: str | None) -> str | None:
    """The shopper of a request (401 for a token that must not be accepted)."""
    secret = settings.shopper_token_secret.get_secret_value() if settings.shopper_token_secret else None
    try:
        return resolve_shopper(user_id, token, secret)
    except ShopperTokenError as exc:
        field = "user_id" if token is None else "shopper_token"
        raise HTTPException(status_code=401, detail=[{"field": field, "message": str(exc)}]) from None


def redact(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items with the explain stages that describe the shopper emptied."""
    out = []
    for item in items:
        explain = item.get("explain")
        if isinstance(explain, dict) and any(explain.get(k) for k in PRIVATE_EXPLAIN):  # the shape stays
            item = {**item, "explain": {**explain, **{k: {} for k in PRIVATE_EXPLAIN if k in explain}}}
        out.append(item)
    return out


def check_production(settings: Settings) -> None:
    """Refuse to run in production with the default pseudonymisation secret."""
    if settings.env == "production" and Pseudonymizer(settings.user_id_secret.get_secret_value()).is_default:
        raise ConfigError(
            "SEARCH_ENV=production with the default SEARCH_USER_ID_SECRET: set a secret of your own "
            "(to change it later without losing profiles, see `indexer users rekey`)"
        )
