"""One error body for every 4xx and 5xx the API sends.

``{"detail": [{"field": str | null, "message": str}]}``: a list of problems, each naming
the request field it is about (``null`` when it is about the request as a whole). Routes
raise :class:`fastapi.HTTPException` with a plain message (or a list of such dicts); the
handlers installed by :func:`install` turn it, and request validation errors, into this
shape. The shape is declared in OpenAPI through :data:`ERROR_RESPONSES`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class Problem(BaseModel):
    """One thing wrong with a request."""

    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: list[Problem]


def _describe(status: int) -> str:
    return {
        400: "Malformed request",
        401: "No or unknown API key",
        403: "The key lacks the scope this route needs",
        404: "Not found",
        413: "Request body too large",
        422: "Invalid input",
        429: "Too many requests",
        503: "Not ready (no index loaded, or a backing service is down)",
    }.get(status, "Error")


#: OpenAPI ``responses=`` for routes: each status with the real error schema
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": _describe(status)} for status in (401, 403, 404, 413, 422, 429, 503)
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that can answer with these error statuses."""
    return {status: ERROR_RESPONSES[status] for status in statuses}


def problems(detail: Any) -> list[dict[str, Any]]:
    """Normalise an ``HTTPException.detail`` to the list-of-problems shape."""
    if isinstance(detail, list):
        out = []
        for item in detail:
            if isinstance(item, dict) and "message" in item:
                out.append({"field": item.get("field"), "message": str(item["message"])})
            else:
                out.append({"field": None, "message": str(item)})
        return out
    if isinstance(detail, dict) and "message" in detail:
        return [{"field": detail.get("field"), "message": str(detail["message"])}]
    return [{"field": None, "message": str(detail)}]


def error_response(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    """A response in the one error shape."""
    return JSONResponse(status_code=status, content={"detail": problems(detail)}, headers=headers)


def install(app: FastAPI) -> None:
    """Install the handlers that give every error the one shape."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
            details.append({"field": loc or None, "message": err.get("msg", "invalid")})
        return JSONResponse(status_code=422, content={"detail": details})
