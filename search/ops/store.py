"""Where admin-made changes and the audit log persist: the shared-state database (:mod:`search.db`).

SQLite embedded (``DATA_DIR/events.sqlite``) or, with ``SEARCH_DB_URL``, the PostgreSQL
database every API node shares. Tables (component ``ops``, versioned migrations)::

    ops_changes  seq, kind (rule|synonym), item_id, body (JSON; NULL = deleted), at, actor
                 append-only: the live set is the latest body per (kind, item_id)
    ops_audit    seq, at, actor (key id, never the key), action, target, detail, remote, status
                 append-only: every admin request, allowed or refused

``version()`` is the highest change ``seq``: nodes compare it within their reload
interval and re-read the live set when it moved. Nothing is created until the first
write, so a service that is never administered leaves the data directory untouched.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from search.config import Settings
from search.db import Database, Migration, open_database
from search.db.sqlite import SQLiteDatabase

COMPONENT = "ops"
MIGRATIONS = [
    Migration(
        1,
        "admin-made rules and synonyms, audit log",
        (
            """CREATE TABLE IF NOT EXISTS ops_changes (
                seq {id},
                kind TEXT NOT NULL,
                item_id TEXT NOT NULL,
                body TEXT,
                at {float} NOT NULL,
                actor TEXT NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS ops_changes_item ON ops_changes (kind, item_id, seq)",
            """CREATE TABLE IF NOT EXISTS ops_audit (
                seq {id},
                at {float} NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                detail TEXT NOT NULL,
                remote TEXT NOT NULL,
                status INTEGER NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS ops_audit_at ON ops_audit (at)",
        ),
    )
]

_LIVE = """
SELECT c.item_id, c.body FROM ops_changes c
WHERE c.kind = ? AND c.seq = (SELECT MAX(d.seq) FROM ops_changes d WHERE d.kind = c.kind AND d.item_id = c.item_id)
  AND c.body IS NOT NULL
ORDER BY c.item_id
"""


@dataclass(frozen=True)
class AuditEntry:
    """One admin request: who (key id), what, when, from where, and the HTTP status it got."""

    seq: int
    at: float
    actor: str
    action: str
    target: str
    detail: str
    remote: str
    status: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data, with the time also as ISO 8601 (UTC)."""
        out = asdict(self)
        out["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at))
        return out


class OpsStore:
    """The operations tables of the shared-state database (thread-safe).

    Args:
        db: The database (:func:`search.db.open_database`), or a SQLite file path.
    """

    def __init__(self, db: Database | Path | str) -> None:
        self.db: Database = SQLiteDatabase(Path(db)) if isinstance(db, (str, Path)) else db
        self._lock = threading.Lock()
        self._ready = False

    @classmethod
    def open(cls, settings: Settings) -> OpsStore:
        """The store of a service: ``SEARCH_DB_URL``, else the data directory's SQLite file."""
        return cls(open_database(settings))

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> OpsStore:
        """The embedded store of a data directory (as :meth:`open` without ``SEARCH_DB_URL``)."""
        return cls(Path(data_dir) / "events.sqlite")

    @property
    def location(self) -> str:
        """Where the store is (a URL without credentials)."""
        return self.db.url

    def _usable(self, create: bool) -> bool:
        if self._ready:
            return True
        if not create and not self.db.exists():
            return False
        with self._lock:
            if not self._ready:
                self.db.migrate(COMPONENT, MIGRATIONS)
                self._ready = True
        return True

    def close(self) -> None:
        """Close the database's connections (they reopen on the next call)."""
        self.db.close()

    # ------------------------------------------------------------------ rules and synonyms
    def version(self) -> int:
        """The latest change's sequence number (0 before any change)."""
        if not self._usable(create=False):
            return 0
        with self.db.read() as tx:
            row = tx.execute("SELECT MAX(seq) FROM ops_changes").fetchone()
        return int(row[0] or 0)

    def live(self, kind: str) -> dict[str, dict[str, Any]]:
        """The current admin-made items of a kind, by id."""
        if not self._usable(create=False):
            return {}
        with self.db.read() as tx:
            rows = tx.execute(_LIVE, (kind,)).fetchall()
        return {item_id: json.loads(body) for item_id, body in rows}

    def put(self, kind: str, item_id: str, body: dict[str, Any] | None, actor: str) -> int:
        """Record a new version of an item (``None`` deletes it); returns the change's sequence number."""
        text = None if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True)
        self._usable(create=True)
        with self.db.transaction() as tx:
            row = tx.execute(
                "INSERT INTO ops_changes (kind, item_id, body, at, actor) VALUES (?, ?, ?, ?, ?) RETURNING seq",
                (kind, item_id, text, time.time(), actor),
            ).fetchone()
        return int(row[0])

    # ------------------------------------------------------------------ audit log
    def audit(self, actor: str, action: str, target: str, detail: str, remote: str, status: int) -> None:
        """Append one entry to the audit log."""
        self._usable(create=True)
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO ops_audit (at, actor, action, target, detail, remote, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), actor, action, target, detail, remote, status),
            )

    def audit_log(self, limit: int = 100, since: float | None = None, actor: str | None = None) -> list[AuditEntry]:
        """The latest entries, newest first."""
        sql = "SELECT seq, at, actor, action, target, detail, remote, status FROM ops_audit WHERE at >= ?"
        params: list[Any] = [since or 0.0]
        if actor is not None:
            sql += " AND actor = ?"
            params.append(actor)
        sql += " ORDER BY seq DESC LIMIT ?"
        params.append(limit)
        if not self._usable(create=False):
            return []
        with self.db.read() as tx:
            rows = tx.execute(sql, params).fetchall()
        return [AuditEntry(*row) for row in rows]
