"""Change counters: how one API node learns that another changed shared state (rules, synonyms, models).

A writer bumps its component's counter inside the transaction that changes the data;
every node polls the counter (one indexed row read) at most every ``interval_s`` and
reloads what it caches when the number moved::

    with db.transaction() as tx:
        tx.execute("INSERT INTO rules ...")
        bump(tx, "rules")

    watcher = ChangeWatcher(db, "rules", interval_s=settings.reload_interval_s)
    if watcher.changed():          # cheap; True once after each change elsewhere (and on first call)
        reload_rules()

This is the hook for operations data (rules live on every node within the reload
interval) and for anything else a node caches from the database.
"""

from __future__ import annotations

import threading
import time

from search.db.base import Database, DatabaseError, Migration, Tx

COMPONENT = "changes"
MIGRATIONS = [
    Migration(
        1,
        "change counters",
        ["CREATE TABLE IF NOT EXISTS state_versions (component TEXT PRIMARY KEY, version BIGINT NOT NULL)"],
    )
]


def bump(tx: Tx, component: str) -> None:
    """Count one change of ``component`` (call inside the transaction that makes it; migrate first)."""
    tx.execute(
        "INSERT INTO state_versions (component, version) VALUES (?, 1)"
        " ON CONFLICT (component) DO UPDATE SET version = state_versions.version + 1",
        (component,),
    )


def version(db: Database, component: str) -> int:
    """The component's change count (0 before its first change)."""
    with db.read() as tx:
        row = tx.execute("SELECT version FROM state_versions WHERE component = ?", (component,)).fetchone()
    return int(row[0]) if row else 0


class ChangeWatcher:
    """Polls one component's counter at most every ``interval_s`` (thread-safe)."""

    def __init__(self, db: Database, component: str, interval_s: float) -> None:
        self.db = db
        self.component = component
        self.interval_s = interval_s
        self._seen: int | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()

    def changed(self) -> bool:
        """True on the first call and whenever the counter moved since the last True; False while unreachable."""
        now = time.monotonic()
        if now - self._checked < self.interval_s or not self._lock.acquire(blocking=False):
            return False
        try:
            self._checked = now
            self.db.migrate(COMPONENT, MIGRATIONS)
            current = version(self.db, self.component)
        except DatabaseError:
            return False  # keep serving what is cached; /healthz reports the database
        finally:
            self._lock.release()
        moved, self._seen = current != self._seen, current
        return moved
