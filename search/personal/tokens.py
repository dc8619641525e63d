"""Signed shopper tokens: the shop's backend vouches for who the shopper is.

A shop identifies its shoppers itself. With ``SEARCH_SHOPPER_TOKEN_SECRET`` set, the
service accepts a shopper only as a token the shop's backend signed with that secret
(HMAC-SHA256) and refuses a bare ``user_id``: nobody can read or write another
shopper's profile by guessing an id. Without the secret, a bare ``user_id`` is accepted
(a trusted network) and tokens are refused, since they cannot be checked.

Token: ``v1.<shopper id, base64url>.<expiry, unix seconds>.<signature, base64url>``, the
signature over ``v1.<id>.<expiry>``. Make one with :func:`sign_token` (or
``search shopper-token ID``); any language's HMAC-SHA256 can, see docs/privacy.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from search.errors import InputError

VERSION = "v1"
MAX_TOKEN_CHARS = 512


class ShopperTokenError(InputError):
    """A shopper token or id that must not be accepted; the message says why (never the secret)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, message: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest())


def sign_token(user_id: str, secret: str, ttl_s: float = 3600.0, now: float | None = None) -> str:
    """A token for ``user_id`` valid for ``ttl_s`` seconds."""
    if not secret:
        raise ValueError("a shopper token needs a secret")
    expiry = int((time.time() if now is None else now) + ttl_s)
    body = f"{VERSION}.{_b64(user_id.encode('utf-8'))}.{expiry}"
    return f"{body}.{_signature(secret, body)}"


def verify_token(token: str, secret: str, now: float | None = None) -> str:
    """The shopper id a valid token carries; :class:`ShopperTokenError` otherwise."""
    if len(token) > MAX_TOKEN_CHARS:
        raise ShopperTokenError("shopper_token is too long")
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != VERSION:
        raise ShopperTokenError("shopper_token is malformed")
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_signature(secret, body).encode("ascii"), parts[3].encode("ascii", "replace")):
        raise ShopperTokenError("shopper_token has an invalid signature")
    try:
        expiry = int(parts[2])
        user_id = _unb64(parts[1]).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise ShopperTokenError("shopper_token is malformed") from None
    if expiry < (time.time() if now is None else now):
        raise ShopperTokenError("shopper_token has expired")
    if not user_id.strip():
        raise ShopperTokenError("shopper_token names no shopper")
    return user_id


def resolve_shopper(user_id: str | None, token: str | None, secret: str | None) -> str | None:
    """The shopper of a request, from a signed token or (without signing configured) a bare id."""
    if token is not None:
        if secret is None:
            raise ShopperTokenError("shopper tokens are not enabled on this service: send user_id")
        shopper = verify_token(token, secret)
        if user_id is not None and user_id != shopper:
            raise ShopperTokenError("user_id does not match shopper_token")
        return shopper
    if user_id is not None and secret is not None:
        raise ShopperTokenError("this service needs a signed shopper_token, not a bare user_id")
    return user_id
