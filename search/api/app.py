"""The FastAPI application. Models, the index and configs load once, in the lifespan."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from search import __version__
from search.analytics.searchlog import SearchLog, open_search_log
from search.api import errors, metrics
from search.api.access import check_production
from search.api.auth import require_scope
from search.api.gate import WriteGate
from search.api.limits import BodySizeLimit, RateLimit, RateLimiter
from search.api.routes import admin, admin_analytics, events, health, products, recommend, users, web
from search.api.routes import search as search_routes
from search.api.routes import suggest as suggest_routes
from search.api.startup import public_reason
from search.config import Settings
from search.engine import SearchEngine
from search.store.backend import StoreUnavailable

log = logging.getLogger(__name__)


def build_engine(settings: Settings) -> SearchEngine:
    """The engine with the query parsers (and personalization when its model exists)."""
    from search.personal.service import Personalization
    from search.understand.factory import ParserFactory

    engine = SearchEngine.open(settings, ParserFactory(settings), personalizer=Personalization.open(settings))
    engine.warm_up()
    return engine


def start_retrying(app: FastAPI, build: Callable[[Settings], SearchEngine]) -> None:
    """Try to open the engine again every ``reload_interval_s`` (at least 1 s) until it works or the app stops.

    Until then every request gets a 503 naming the reason (no index yet, store unreachable).
    """

    def loop() -> None:
        interval = max(1.0, app.state.settings.reload_interval_s)
        while not getattr(app.state, "stopping", False) and app.state.engine is None:
            time.sleep(interval)
            try:
                app.state.engine = build(app.state.settings)
                log.info("index loaded: the service is ready")
            except (FileNotFoundError, StoreUnavailable) as exc:
                app.state.startup_error = public_reason(exc)

    threading.Thread(target=loop, name="engine-start", daemon=True).start()


class ObserveRequests:
    """Request count and latency per route, as plain ASGI (no per-request task or stream around the app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")  # the router records the matched route
            metrics.LATENCY.labels(path).observe(time.perf_counter() - start)
            metrics.REQUESTS.labels(path, scope["method"], str(status)).inc()


#: responses at least this large are gzipped when the client accepts it
GZIP_MIN_BYTES = 1000


def add_web_middleware(app: FastAPI, settings: Settings) -> None:
    """gzip for large responses; CORS for the shop's own origins (``SEARCH_CORS_ORIGINS``)."""
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.middleware.gzip import GZipMiddleware

    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    origins = settings.cors_origin_list()
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization"],
            max_age=600,
        )


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    """Build the app. ``engine`` may be injected (tests); otherwise it is built at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings or Settings()
        check_production(app.state.settings)
        app.state.engine = engine
        if app.state.engine is None:
            try:
                app.state.engine = build_engine(app.state.settings)
            except (FileNotFoundError, StoreUnavailable) as exc:  # no index / store: 503s, retried in the background
                app.state.startup_error = public_reason(exc)
                log.error("starting without an index: %s", exc)
                start_retrying(app, build_engine)
        # an injected engine brings its own settings (its data dir holds the search log)
        app.state.search_log = open_app_search_log(engine.settings if engine is not None else app.state.settings)
        yield
        app.state.stopping = True
        if app.state.search_log is not None:
            app.state.search_log.close()
        if app.state.engine is not None and engine is None:
            app.state.engine.close()

    app = FastAPI(
        title="zhsearch",
        version=__version__,
        description="Semantic product search for Chinese e-commerce.",
        lifespan=lifespan,
    )

    limits = settings or Settings()
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(WriteGate)  # key, scope, key rate and writer slot of write routes before their body is read
    if limits.rate_limit_per_s:  # outside the size limit: a flood of oversized bodies is limited too
        app.add_middleware(RateLimit, limiter=RateLimiter(limits.rate_limit_per_s, limits.rate_limit_burst))
    add_web_middleware(app, limits)
    app.add_middleware(ObserveRequests)

    errors.install(app)

    public = [Depends(require_scope("search"))]  # open while no API key is configured
    app.include_router(search_routes.router, dependencies=public)
    app.include_router(suggest_routes.router, dependencies=public)
    app.include_router(products.router, dependencies=public)
    app.include_router(health.router)
    app.include_router(events.router, dependencies=[Depends(require_scope("search", "events"))])
    app.include_router(recommend.router, dependencies=public)
    app.include_router(users.router)
    app.include_router(admin_analytics.router)
    app.include_router(admin.router)
    app.include_router(web.router)  # the storefront page at / and its assets
    return app


def open_app_search_log(settings: Settings) -> SearchLog | None:
    """The search log (None when ``log_searches`` is off)."""
    if not settings.log_searches:
        return None
    return open_search_log(settings, on_outcome=metrics.count_log)
