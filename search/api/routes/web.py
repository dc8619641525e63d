"""``GET /``: the shopper's storefront page; ``GET /static/{path}``: its assets, from the package.

The page is one HTML file (``search/web/static/index.html``) with a JSON block the server
fills in: where the API is, the public search key when one is configured
(``SEARCH_STOREFRONT_KEY``) and the shoppers the picker offers (``SEARCH_STOREFRONT_SHOPPERS``).
Everything else is a file under ``search/web/static``: the InstantSearch.js bundle (vendored),
the adapter that connects it to this API and the page's script and styles. No CDN, no build.

Only files that exist in that folder when the app first serves one are served: a request
path is looked up in that table and never joined to a file system path. The page sends a
Content-Security-Policy that allows scripts and requests to this origin only, so catalog
text that slipped through as markup still could not load or run anything.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from search import __version__
from search.config import Settings
from search.web import STATIC_DIR

router = APIRouter(include_in_schema=False)

CONFIG_MARK = "__ZHSEARCH_CONFIG__"
VERSION_MARK = "__ZHSEARCH_VERSION__"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".LICENSE": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}


@functools.cache
def _assets() -> dict[str, Path]:
    """Servable files by their path under ``static/`` (the page itself is served at ``/``)."""
    return {
        p.relative_to(STATIC_DIR).as_posix(): p
        for p in STATIC_DIR.rglob("*")
        if p.is_file() and p.suffix in MEDIA_TYPES
    }


@functools.cache
def _template() -> str:
    return (STATIC_DIR / "index.html").read_text(encoding="utf-8")


def page_config(settings: Settings, root_path: str = "") -> dict[str, Any]:
    """What the page needs to know about this server."""
    key = settings.storefront_key.get_secret_value() if settings.storefront_key is not None else ""
    return {
        "apiBase": root_path.rstrip("/"),
        "apiKey": key or None,
        "shoppers": list(settings.storefront_shoppers),
        "hitsPerPage": 12,
        "version": __version__,
    }


def embed_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can end it or open a comment."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(settings: Settings, root_path: str = "") -> str:
    """The storefront HTML with this server's config."""
    html = _template().replace(VERSION_MARK, __version__)
    return html.replace(CONFIG_MARK, embed_json(page_config(settings, root_path)))


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def storefront(request: Request) -> HTMLResponse:
    """The shopper's search page (it reads ``?q=``, filters, sort and page from its URL)."""
    settings = getattr(request.app.state, "settings", None) or Settings()
    body = render_page(settings, request.scope.get("root_path", ""))
    return HTMLResponse(
        body,
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


@functools.cache
def _gzipped(path: str) -> bytes:
    """A text asset compressed once (the InstantSearch.js bundle: 563 kB, about 150 kB gzipped)."""
    return gzip.compress(_assets()[path].read_bytes(), compresslevel=9, mtime=0)


@router.get("/static/{path:path}", response_model=None)
def static_asset(path: str, request: Request) -> Response:
    """One file of the page (404 for anything not shipped in ``search/web/static``), gzipped when accepted."""
    file = _assets().get(path)
    if file is None:
        raise HTTPException(status_code=404, detail=f"no file {path[:100]!r}")
    headers = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
    media_type = MEDIA_TYPES[file.suffix]
    if media_type.startswith("text/") and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(_gzipped(path), media_type=media_type, headers=headers)
    return FileResponse(file, media_type=media_type, headers=headers)
