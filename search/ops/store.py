"""Where admin-made changes and the audit log persist (``DATA_DIR/ops.sqlite``).

All SQL of the operations features lives in this module, in portable SQL (no
SQLite-only statements besides the connection pragmas), so that several API nodes
can share one database. Tables::

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
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS ops_changes (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        item_id TEXT NOT NULL,
        body TEXT,
        at REAL NOT NULL,
        actor TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS ops_changes_item ON ops_changes (kind, item_id, seq)",
    """CREATE TABLE IF NOT EXISTS ops_audit (
        seq INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL,
        remote TEXT NOT NULL,
        status INTEGER NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS ops_audit_at ON ops_audit (at)",
)

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
    """The operations database of one data directory (thread-safe; one shared connection).

    Args:
        path: The SQLite file (``DATA_DIR/ops.sqlite``).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> OpsStore:
        """The store of a data directory."""
        return cls(Path(data_dir) / "ops.sqlite")

    @contextmanager
    def _db(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        with self._lock:
            if self._conn is None:
                if not create and not self.path.exists():
                    yield None
                    return
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                for statement in SCHEMA:
                    conn.execute(statement)
                self._conn = conn
            yield self._conn

    def close(self) -> None:
        """Close the connection (it reopens on the next call)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ------------------------------------------------------------------ rules and synonyms
    def version(self) -> int:
        """The latest change's sequence number (0 before any change)."""
        with self._db(create=False) as db:
            if db is None:
                return 0
            row = db.execute("SELECT MAX(seq) FROM ops_changes").fetchone()
            return int(row[0] or 0)

    def live(self, kind: str) -> dict[str, dict[str, Any]]:
        """The current admin-made items of a kind, by id."""
        with self._db(create=False) as db:
            if db is None:
                return {}
            return {item_id: json.loads(body) for item_id, body in db.execute(_LIVE, (kind,))}

    def put(self, kind: str, item_id: str, body: dict[str, Any] | None, actor: str) -> int:
        """Record a new version of an item (``None`` deletes it); returns the change's sequence number."""
        text = None if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True)
        with self._db(create=True) as db:
            assert db is not None
            cur = db.execute(
                "INSERT INTO ops_changes (kind, item_id, body, at, actor) VALUES (?, ?, ?, ?, ?)",
                (kind, item_id, text, time.time(), actor),
            )
            return int(cur.lastrowid or 0)

    # ------------------------------------------------------------------ audit log
    def audit(self, actor: str, action: str, target: str, detail: str, remote: str, status: int) -> None:
        """Append one entry to the audit log."""
        with self._db(create=True) as db:
            assert db is not None
            db.execute(
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
        with self._db(create=False) as db:
            if db is None:
                return []
            return [AuditEntry(*row) for row in db.execute(sql, params)]
