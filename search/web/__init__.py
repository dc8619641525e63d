"""The shopper's storefront page: static assets served by :mod:`search.api.routes.web`.

``static/`` holds the page (``index.html``, ``storefront.js``, ``storefront.css``), the
InstantSearch.js adapter for this API (``zhsearch-instantsearch.js``, documented in
``docs/frontend.md``) and the vendored InstantSearch.js bundle (``static/vendor``, see its
README for version and licence). Nothing is built at install or run time.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
