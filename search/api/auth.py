"""API keys with scopes, and the audit of admin requests.

Keys are configured by the operator and stored only as SHA-256 hashes:

* ``SEARCH_API_KEYS``: entries ``ID:SCOPES:SHA256[:RATE]`` separated by commas or
  whitespace, ``SCOPES`` joined by ``+`` (``web:search:9f86…,ops:admin:2c26…``);
* ``SEARCH_API_KEYS_FILE``: a YAML file ``keys: [{id, sha256, scopes, rate_limit?, burst?}]``;
* ``SEARCH_ADMIN_TOKEN`` is always an admin key (id ``admin-token``).

``search keys new ID --scope S`` makes a random key and prints its entry. Scopes:
``search`` (the shop page: search, suggest, events), ``events`` (server-to-server event
import) and ``admin`` (rules, synonyms, analytics, forget-me, reload, audit; an admin key
may call every route). With no key configured the public routes stay open; admin routes
always need an admin key. A request sends ``Authorization: Bearer KEY`` (or ``X-API-Key``):
401 without a key or with an unknown one, 403 with a key that lacks the scope, 429 over the
key's rate limit. Every request to an admin route is appended to the audit log, refused
ones included (who = the key id, never the key).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from fastapi import HTTPException, Request
from pydantic import Field, field_validator

from search.api.limits import RateLimiter
from search.config import ConfigError, Settings, StrictModel
from search.ops import yamlconf
from search.ops.store import OpsStore

log = logging.getLogger(__name__)

Scope = Literal["search", "events", "admin"]
SCOPES: tuple[str, ...] = get_args(Scope)
ADMIN_TOKEN_ID = "admin-token"
ANONYMOUS = "anonymous"
#: key in the request's ``scope["state"]``: the caller already admitted by :class:`search.api.gate.WriteGate`
GATE_PRINCIPAL = "gate_principal"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeySpec(StrictModel):
    """One configured key (its hash, never the key)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    sha256: str
    scopes: list[Scope] = Field(min_length=1)
    rate_limit: float | None = Field(None, gt=0, description="requests per second")
    burst: int | None = Field(None, ge=1, description="largest burst (default: the rate)")

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        value = value.strip().lower()
        if not _HEX64.match(value):
            raise ValueError("must be the 64 hex digits of the key's SHA-256 (see `search keys new`)")
        return value


class KeysFile(StrictModel):
    """``SEARCH_API_KEYS_FILE``."""

    keys: list[KeySpec] = []


def parse_inline(text: str) -> list[KeySpec]:
    """Entries of ``SEARCH_API_KEYS`` (see the module docstring)."""
    specs = []
    for n, entry in enumerate(e for e in re.split(r"[\s,]+", text.strip()) if e):
        parts = entry.split(":")
        if len(parts) not in (3, 4):
            raise ConfigError(f"SEARCH_API_KEYS entry {n + 1}: expected ID:SCOPES:SHA256[:RATE]")
        data: dict[str, Any] = {"id": parts[0], "scopes": parts[1].split("+"), "sha256": parts[2]}
        if len(parts) == 4:
            data["rate_limit"] = parts[3]
        try:
            specs.append(KeySpec.model_validate(data))
        except ValueError as exc:
            raise ConfigError(f"SEARCH_API_KEYS entry {n + 1} ({parts[0]}): {exc}") from None
    return specs


@dataclass
class Principal:
    """Who is calling: a key id (``anonymous`` on open public routes) and its scopes.

    Admin routes may put what they changed into ``detail``; it goes into the audit entry.
    """

    key_id: str
    scopes: frozenset[str]
    detail: dict[str, Any] = field(default_factory=dict)


class KeyRing:
    """The configured keys, looked up by hash in constant time."""

    def __init__(self, specs: list[KeySpec], admin_token: str | None = None) -> None:
        ids = [s.id for s in specs]
        dupes = sorted({i for i in ids if ids.count(i) > 1} | ({ADMIN_TOKEN_ID} & set(ids) if admin_token else set()))
        if dupes:
            raise ConfigError(f"API key ids must be unique: {', '.join(dupes)}")
        self.public_open = not specs  # with no keys, the public routes need none
        self._specs = list(specs)
        if admin_token:
            self._specs.append(KeySpec(id=ADMIN_TOKEN_ID, sha256=hash_key(admin_token), scopes=["admin"]))
        self._limiters = {
            s.id: RateLimiter(s.rate_limit, s.burst or max(1, math.ceil(s.rate_limit)))
            for s in self._specs
            if s.rate_limit is not None
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """Keys from ``SEARCH_API_KEYS``, ``SEARCH_API_KEYS_FILE`` and ``SEARCH_ADMIN_TOKEN``."""
        specs: list[KeySpec] = []
        if settings.api_keys:
            specs += parse_inline(settings.api_keys)
        if settings.api_keys_file is not None:
            specs += yamlconf.load(Path(settings.api_keys_file), KeysFile).keys
        token = settings.admin_token.get_secret_value() if settings.admin_token is not None else None
        return cls(specs, token or None)

    def ids(self) -> list[str]:
        """The configured key ids."""
        return [s.id for s in self._specs]

    def identify(self, key: str) -> KeySpec | None:
        """The key's spec, or None. Every configured hash is compared, in constant time."""
        digest = hash_key(key).encode("ascii")
        found = None
        for spec in self._specs:
            if hmac.compare_digest(digest, spec.sha256.encode("ascii")):
                found = spec
        return found

    def throttle(self, key_id: str) -> float:
        """0.0 when the key may call now, else seconds to wait (keys without a limit: always 0)."""
        limiter = self._limiters.get(key_id)
        return 0.0 if limiter is None else limiter.acquire(key_id)


def presented_key(request: Request) -> str | None:
    """The key a request sends: ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    key = request.headers.get("x-api-key", "").strip()
    return key or None


def keyring_of(request: Request) -> KeyRing:
    """The app's key ring (built from the settings on first use)."""
    state = request.app.state
    ring = getattr(state, "keyring", None)
    if ring is None:
        ring = state.keyring = KeyRing.from_settings(_settings_of(request))
    return ring


def _settings_of(request: Request) -> Settings:
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        return engine.settings  # type: ignore[no-any-return]
    return getattr(request.app.state, "settings", None) or Settings()


def ops_store_of(request: Request) -> OpsStore:
    """The operations store (audit log, admin-made rules and synonyms) of this app."""
    state = request.app.state
    store = getattr(state, "ops_store", None)
    if store is None:
        engine = getattr(state, "engine", None)
        configs = getattr(engine, "configs", None)
        store = getattr(configs, "store", None) or OpsStore.open(_settings_of(request))
        state.ops_store = store
    return store  # type: ignore[no-any-return]


def authenticate(request: Request, allowed: frozenset[str]) -> Principal:
    """The caller if it may use a route needing one of ``allowed`` scopes; else 401, 403 or 429."""
    ring = keyring_of(request)
    key = presented_key(request)
    if key is None:
        if ring.public_open and "admin" not in allowed:
            return Principal(ANONYMOUS, frozenset(SCOPES) - {"admin"})
        raise HTTPException(
            status_code=401,
            detail="an API key is required: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    spec = ring.identify(key)
    if spec is None and ring.public_open and "admin" not in allowed:
        return Principal(ANONYMOUS, frozenset(SCOPES) - {"admin"})  # open routes ignore a stray header
    if spec is None:
        raise HTTPException(status_code=401, detail="unknown API key", headers={"WWW-Authenticate": "Bearer"})
    scopes = frozenset(SCOPES) if "admin" in spec.scopes else frozenset(spec.scopes)
    principal = Principal(spec.id, scopes)
    if not scopes & allowed:
        request.state.principal = principal
        needed = " or ".join(sorted(allowed))
        raise HTTPException(status_code=403, detail=f"API key {spec.id!r} lacks the scope this route needs ({needed})")
    wait = ring.throttle(spec.id)
    if wait > 0:
        request.state.principal = principal
        raise HTTPException(
            status_code=429,
            detail=f"rate limit of API key {spec.id!r} exceeded; retry in {wait:.2f} s",
            headers={"Retry-After": str(max(1, round(wait + 0.5)))},
        )
    return principal


def audit(request: Request, principal: Principal | None, status: int) -> None:
    """Append an admin request to the audit log (never fails the request; a failure is logged)."""
    actor = principal.key_id if principal is not None else ANONYMOUS
    detail = ""
    if principal is not None and principal.detail:
        detail = json.dumps(principal.detail, ensure_ascii=False, sort_keys=True, default=str)
    target = _target(request)
    remote = request.client.host if request.client is not None else ""
    try:
        ops_store_of(request).audit(actor, request.method, target, detail, remote, status)
    except Exception:  # the audit must not take the admin API down; the failure itself is logged
        log.exception("could not write the audit log entry for %s %s by %s", request.method, target, actor)


def _target(request: Request) -> str:
    """The request's path and query, with shopper ids pseudonymised (they are never stored raw)."""
    from urllib.parse import urlencode

    from search.personal.pseudonym import Pseudonymizer

    pseudonym = Pseudonymizer(_settings_of(request).user_id_secret.get_secret_value())
    path = request.url.path
    for name, value in request.path_params.items():
        if name in _SHOPPER_PARAMS:
            path = path.replace(str(value), f"~{pseudonym(str(value))}")
    query = [(k, f"~{pseudonym(v)}" if k in _SHOPPER_PARAMS else v) for k, v in request.query_params.multi_items()]
    return path + (f"?{urlencode(query)}" if query else "")


_SHOPPER_PARAMS = {"user_id", "user", "session_id"}


@functools.cache
def require_scope(scope: Scope, *also: Scope) -> Callable[..., Any]:
    """A FastAPI dependency admitting keys with any of the scopes; yields the :class:`Principal`.

    Cached per scope set, so a router-level and a route-level use of the same scopes run once
    per request. Routes needing ``admin`` are audited (see :func:`audit`).
    """
    allowed = frozenset((scope, *also))
    for s in allowed:
        if s not in SCOPES:
            raise ValueError(f"unknown scope {s!r}; valid: {', '.join(SCOPES)}")

    if "admin" not in allowed:

        async def public(request: Request) -> Principal:
            admitted = request.scope.get("state", {}).get(GATE_PRINCIPAL)
            if isinstance(admitted, Principal) and admitted.scopes & allowed:
                return admitted  # checked (and counted against its rate limit) before the body was read
            return authenticate(request, allowed)

        return public

    def admin(request: Request) -> Iterator[Principal]:
        try:
            principal = authenticate(request, allowed)
        except HTTPException as exc:
            audit(request, getattr(request.state, "principal", None), exc.status_code)
            raise
        status = 200
        try:
            yield principal
        except HTTPException as exc:
            status = exc.status_code
            raise
        except Exception:
            status = 500
            raise
        finally:
            audit(request, principal, status)

    return admin


require_admin = require_scope("admin")
