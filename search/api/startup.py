"""Starting without an index: answer 503 until the first build is published, then load it.

A deployment may start the API before the indexer has published anything (compose starts
both at once). The service then watches the data directory and loads the first build as
soon as it appears, with no restart. The 503 message tells a client what to do without
naming paths on the server.
"""

from __future__ import annotations

import logging

from search.store.layout import BuildFormatError, NoIndexError

log = logging.getLogger(__name__)

NO_INDEX = (
    "no index has been built yet: run `indexer build CATALOG` on this service's data directory; "
    "it is picked up without a restart"
)
OLD_FORMAT = (
    "the live index was built by an older version: run `indexer build` again; it is picked up without a restart"
)
UNREADABLE = "the index could not be opened (the server log says why); retrying"


def public_reason(exc: BaseException) -> str:
    """Why no engine could be built, for clients: what to do, never a server path."""
    from search.store.backend import StoreUnavailable

    if isinstance(exc, StoreUnavailable):  # names the server (never its credentials): the operator must see which
        return str(exc)
    if isinstance(exc, BuildFormatError):
        return OLD_FORMAT
    if isinstance(exc, NoIndexError):
        return NO_INDEX
    return UNREADABLE
