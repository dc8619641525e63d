"""The FastAPI application. Models, the index and configs load once, in the lifespan."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from search import __version__
from search.api import metrics
from search.api.routes import events, health, products, recommend, users
from search.api.routes import search as search_routes
from search.config import Settings
from search.engine import SearchEngine

log = logging.getLogger(__name__)


def build_engine(settings: Settings) -> SearchEngine:
    """The engine with the query parsers (and personalization when its model exists)."""
    from search.personal.service import Personalization
    from search.understand.factory import ParserFactory

    engine = SearchEngine.open(settings, ParserFactory(settings), personalizer=Personalization.open(settings))
    engine.warm_up()
    return engine


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    """Build the app. ``engine`` may be injected (tests); otherwise it is built at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings or Settings()
        app.state.engine = engine
        if app.state.engine is None:
            try:
                app.state.engine = build_engine(app.state.settings)
            except FileNotFoundError as exc:  # no index yet: serve 503s until one is built
                app.state.startup_error = str(exc)
                log.error("starting without an index: %s", exc)
        yield
        if app.state.engine is not None and engine is None:
            app.state.engine.close()

    app = FastAPI(
        title="zhsearch",
        version=__version__,
        description="Semantic product search for Chinese e-commerce.",
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def observe(request: Request, call_next):
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.LATENCY.labels(path).observe(time.perf_counter() - start)
        metrics.REQUESTS.labels(path, request.method, str(response.status_code)).inc()
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
            details.append({"field": loc, "message": err.get("msg", "invalid")})
        return JSONResponse(status_code=422, content={"detail": details})

    app.include_router(search_routes.router)
    app.include_router(products.router)
    app.include_router(health.router)
    app.include_router(events.router)
    app.include_router(recommend.router)
    app.include_router(users.router)
    return app
