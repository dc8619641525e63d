"""Starting without an index: answer 503 until the first build is published, then load it.

A deployment may start the API before the indexer has published anything (compose starts
both at once). The service then watches the data directory and loads the first build as
soon as it appears, with no restart. The 503 message tells a client what to do without
naming paths on the server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from search.config import Settings
from search.store.layout import BuildFormatError, DataDir, NoIndexError

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
    if isinstance(exc, BuildFormatError):
        return OLD_FORMAT
    if isinstance(exc, NoIndexError):
        return NO_INDEX
    return UNREADABLE


async def wait_for_first_build(state: Any, settings: Settings, build: Callable[[Settings], Any]) -> None:
    """Poll the data directory; once a build is published, build the engine into ``state.engine``.

    Runs as a task of the app's lifespan; a build that fails to open is retried at the
    next new version (or after a minute), so one bad build does not end the watch.
    """
    data = DataDir(settings.data_dir)
    interval = max(settings.reload_interval_s, 0.2)
    tried: str | None = None
    waited = 0.0
    while getattr(state, "engine", None) is None:
        version = await asyncio.to_thread(data.current_version)
        if version is not None and (version != tried or waited >= 60):
            tried, waited = version, 0.0
            try:
                state.engine = await asyncio.to_thread(build, settings)
            except Exception as exc:
                state.startup_error = public_reason(exc)
                log.error("could not open index build %s: %s", version, exc)
            else:
                state.startup_error = None
                log.info("loaded the first index build %s", version)
                return
        await asyncio.sleep(interval)
        waited += interval
