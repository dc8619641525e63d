"""``indexer events import``: behaviour events from JSONL into the events store.

Each line is validated like ``POST /events``. A bad line becomes a reject (line
number and reason; the raw line is not copied, it holds a shopper id) and the rest
is imported. A line may name its shopper by a signed ``shopper_token`` instead of
``user_id``: the token is verified as the API verifies it (``SEARCH_SHOPPER_TOKEN_SECRET``,
signature, expiry); a bare ``user_id`` is accepted from this operator's tool even when the
API requires tokens. Events on products missing from the live index are stored and counted
as ``unknown_products``: the catalog may catch up, and ``indexer cf train`` uses them
once it does. Shopper ids are pseudonymised before anything is written.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from indexer.progress import Progress
from search.config import Settings
from search.db import open_database
from search.errors import InputError
from search.personal.catalog import live_catalog_keys
from search.personal.config import load_personal_config
from search.personal.events import EventIn, describe_error
from search.personal.pseudonym import Pseudonymizer
from search.personal.store import EventStore, NewEvent
from search.personal.tokens import ShopperTokenError, resolve_shopper
from search.store.layout import DataDir

log = logging.getLogger(__name__)

BATCH = 5000


class EventsError(InputError):
    """The events file as a whole cannot be imported."""


def _progress(progress: Progress | bool) -> Progress:
    return progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))


def import_events(
    path: Path,
    data_dir: Path,
    progress: Progress | bool = True,
    configs_dir: Path | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Import a JSONL file of events into ``data_dir``.

    Args:
        path: JSONL, one ``{user_id, product_id, event, ts?, query?}`` per line.
        data_dir: The data directory (``events.sqlite`` is created there).
        progress: A :class:`Progress`, or whether to print progress to stderr.
        configs_dir: Where ``personalization.yaml`` is (default: the settings' configs dir).
        settings: For the pseudonymisation secret (default: from the environment).

    Returns:
        ``imported``, ``duplicates``, ``rejected``, ``rejects_file``, ``unknown_products``,
        ``users``, ``catalog_checked``, ``seconds``.

    Raises:
        EventsError: The file is missing, or not one of its lines is a valid event.
    """
    started = time.perf_counter()
    prog = _progress(progress)
    path = Path(path)
    if not path.is_file():
        raise EventsError(f"events file not found: {path}")
    settings = settings or Settings()
    config = load_personal_config(configs_dir or settings.configs_dir)
    pseudonymize = Pseudonymizer(settings.user_id_secret.get_secret_value())
    secret = settings.shopper_token_secret
    token_secret = secret.get_secret_value() if secret is not None else None
    data = DataDir(Path(data_dir))
    with prog.stage("catalog"):
        items = live_catalog_keys(data.root)
    if items is None:
        prog.log(f"no index in {data.root}: products cannot be checked, every event counts as unknown")
    store = EventStore(open_database(settings, sqlite_path=data.events_db), pseudonymize.fingerprint())
    totals = {"imported": 0, "duplicates": 0, "unknown_products": 0}
    users: set[str] = set()
    rejects: list[dict[str, Any]] = []
    lines = 0
    now = time.time()
    try:
        with prog.stage("import", unit="events") as advance, open(path, encoding="utf-8", errors="replace") as fh:
            batch: list[NewEvent] = []

            def flush() -> None:
                res = store.append(batch, items or {}, config.events)
                totals["imported"] += res.stored
                totals["duplicates"] += res.duplicates
                totals["unknown_products"] += res.unknown_products
                users.update(e.user for e in batch)
                advance(len(batch))
                batch.clear()

            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                lines += 1
                try:
                    raw = json.loads(line)
                    if not isinstance(raw, dict):
                        raise TypeError("expected a JSON object")
                    event = EventIn.model_validate(raw)
                except json.JSONDecodeError as exc:
                    rejects.append({"line": number, "reason": f"invalid JSON: {exc.msg}"})
                    continue
                except TypeError as exc:
                    rejects.append({"line": number, "reason": str(exc)})
                    continue
                except ValidationError as exc:
                    rejects.append({"line": number, "reason": describe_error(exc)})
                    continue
                if event.shopper_token is not None:  # verified as POST /events does (signature, expiry, match)
                    try:
                        who = resolve_shopper(event.user_id, event.shopper_token, token_secret)
                    except ShopperTokenError as exc:
                        rejects.append({"line": number, "reason": str(exc)})
                        continue
                    event = event.model_copy(update={"user_id": who, "shopper_token": None})
                batch.append(event.to_new(pseudonymize, now))
                if len(batch) >= BATCH:
                    flush()
            if batch:
                flush()
    finally:
        store.close()
    if lines and not totals["imported"] and not totals["duplicates"]:
        first = f" (line {rejects[0]['line']}: {rejects[0]['reason']})" if rejects else ""
        raise EventsError(f"{path}: no valid events in {lines} lines{first}; nothing imported")
    rejects_file = None
    if rejects:
        data.rejects_dir.mkdir(parents=True, exist_ok=True)
        out = data.rejects_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.name.replace('.', '_')}.rejects.jsonl"
        with open(out, "w", encoding="utf-8") as fh:
            for r in rejects:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        rejects_file = str(out)
        prog.log(f"{len(rejects)} lines rejected, see {out}")
    return {
        **totals,
        "rejected": len(rejects),
        "rejects_file": rejects_file,
        "users": len(users),
        "catalog_checked": items is not None,
        "seconds": round(time.perf_counter() - started, 3),
    }
