"""The search-log store: every SQL statement of the search log and its analytics, in one module.

Tables (``shopper`` is a pseudonymous key, see :mod:`search.personal.pseudonym`)::

    searches       search_id (primary key), ts, day, shopper, query, norm, parsed, profile,
                   variant, source, page, first_position, shown, total, top_ids, took_ms
    search_events  search_id, position, product, event, shopper, ts
                   behaviour events that named the search (and rank) they came from
    searchlog_meta schema version

The SQL is portable (SQLite and PostgreSQL): no database-specific functions; per-day
volume groups by the ``day`` column written with each row instead of a date function.
Outcomes are counted per search, not per event: a search that got two clicks is one
clicked search, and an event sent twice counts once.

Embedded deployments keep the log in ``DATA_DIR/searchlog.sqlite``, beside the behaviour
events, so that a burst of log writes never holds the events database's write lock.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import astuple
from pathlib import Path
from typing import Any

from search.analytics.records import CART_EVENTS, CLICK_EVENTS, CONVERSION_EVENTS, AttributedEvent, SearchRecord
from search.config import ConfigError

SCHEMA_VERSION = "1"

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS searches (
        search_id TEXT PRIMARY KEY,
        ts REAL NOT NULL,
        day TEXT NOT NULL,
        shopper TEXT,
        query TEXT NOT NULL,
        norm TEXT NOT NULL,
        parsed TEXT NOT NULL,
        profile TEXT NOT NULL,
        variant TEXT,
        source TEXT,
        page INTEGER NOT NULL,
        first_position INTEGER NOT NULL,
        shown INTEGER NOT NULL,
        total INTEGER NOT NULL,
        top_ids TEXT NOT NULL,
        took_ms REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS searches_ts ON searches (ts)",
    "CREATE INDEX IF NOT EXISTS searches_shopper ON searches (shopper)",
    """CREATE TABLE IF NOT EXISTS search_events (
        search_id TEXT NOT NULL,
        position INTEGER,
        product TEXT NOT NULL,
        event TEXT NOT NULL,
        shopper TEXT,
        ts REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS search_events_search ON search_events (search_id)",
    "CREATE INDEX IF NOT EXISTS search_events_ts ON search_events (ts)",
    "CREATE INDEX IF NOT EXISTS search_events_shopper ON search_events (shopper)",
    "CREATE TABLE IF NOT EXISTS searchlog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_INSERT_SEARCH = (
    "INSERT INTO searches (search_id, ts, day, shopper, query, norm, parsed, profile, variant, source, page,"
    " first_position, shown, total, top_ids, took_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (search_id) DO NOTHING"
)
_INSERT_EVENT = "INSERT INTO search_events (search_id, position, product, event, shopper, ts) VALUES (?, ?, ?, ?, ?, ?)"


def _in(values: Sequence[str]) -> str:
    return "(" + ", ".join("?" for _ in values) + ")"


#: per group: searches, searches with a click, with an add-to-cart, with a purchase (joined on search_events)
_OUTCOMES = f"""COUNT(DISTINCT s.search_id) AS searches,
    COUNT(DISTINCT CASE WHEN e.event IN {_in(CLICK_EVENTS)} THEN e.search_id END) AS clicked,
    COUNT(DISTINCT CASE WHEN e.event IN {_in(CART_EVENTS)} THEN e.search_id END) AS carted,
    COUNT(DISTINCT CASE WHEN e.event IN {_in(CONVERSION_EVENTS)} THEN e.search_id END) AS converted"""
_OUTCOME_PARAMS: tuple[str, ...] = (*CLICK_EVENTS, *CART_EVENTS, *CONVERSION_EVENTS)
_JOIN = "FROM searches s LEFT JOIN search_events e ON e.search_id = s.search_id"


class SearchLogError(ConfigError):
    """The search-log database has another schema; the message says what to do."""


class SearchLogStore:
    """Thread-safe access to the search-log database (one SQLite connection per thread).

    Nothing is created until the first write, so a service that never logs leaves the
    data directory untouched.

    Args:
        path: The database file (``DataDir.search_log_db``).
        timeout_s: How long a writer waits for another one (SQLite busy timeout).
    """

    def __init__(self, path: Path, timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.timeout_s = timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._checked = False

    # ------------------------------------------------------------------ connections
    def _conn(self, create: bool = False) -> sqlite3.Connection | None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if not create and not self.path.exists():
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # the log is analytics: a power cut may lose the last batch
        conn.execute("PRAGMA secure_delete=ON")  # forgotten shoppers' rows are overwritten, not just unlinked
        with self._lock:
            if not self._checked:
                self._init_schema(conn)
                self._checked = True
            self._all.append(conn)
        self._local.conn = conn
        return conn

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        with self._write(conn):
            for statement in SCHEMA:
                conn.execute(statement)
            row = conn.execute("SELECT value FROM searchlog_meta WHERE key = 'schema'").fetchone()
            if row is None:
                conn.execute("INSERT INTO searchlog_meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
        if row is not None and row[0] != SCHEMA_VERSION:
            raise SearchLogError(f"{self.path}: search log schema {row[0]!r}, expected {SCHEMA_VERSION}")

    @contextlib.contextmanager
    def _write(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        conn = self._conn()
        if conn is None:
            return []
        return conn.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        """Close every connection opened by this store."""
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    # ------------------------------------------------------------------ writing
    def write(self, searches: Sequence[SearchRecord], events: Sequence[AttributedEvent]) -> None:
        """Store a batch in one transaction (a search id seen before is kept as first written)."""
        if not searches and not events:
            return
        conn = self._conn(create=True)
        assert conn is not None
        with self._write(conn):
            if searches:
                conn.executemany(_INSERT_SEARCH, [astuple(r) for r in searches])
            if events:
                conn.executemany(_INSERT_EVENT, [astuple(e) for e in events])

    def purge(self, before_ts: float) -> dict[str, int]:
        """Delete searches and attributed events older than ``before_ts``; returns the rows deleted."""
        conn = self._conn()
        if conn is None:
            return {"searches": 0, "events": 0}
        with self._write(conn):
            searches = conn.execute("DELETE FROM searches WHERE ts < ?", (before_ts,)).rowcount
            events = conn.execute("DELETE FROM search_events WHERE ts < ?", (before_ts,)).rowcount
        return {"searches": int(searches), "events": int(events)}

    def forget(self, shopper: str) -> int:
        """Delete a shopper's searches and the events attributed to them; returns the searches deleted."""
        conn = self._conn()
        if conn is None:
            return 0
        with self._write(conn):
            conn.execute(
                "DELETE FROM search_events WHERE shopper = ? OR search_id IN"
                " (SELECT search_id FROM searches WHERE shopper = ?)",
                (shopper, shopper),
            )
            deleted = conn.execute("DELETE FROM searches WHERE shopper = ?", (shopper,)).rowcount
        with contextlib.suppress(sqlite3.Error):  # old page images leave the WAL file (best effort under readers)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(deleted)

    # ------------------------------------------------------------------ reading (aggregations run in SQL)
    def totals(self, since: float) -> dict[str, Any]:
        """Searches, zero-result searches, searches with a click/cart/purchase, shoppers, mean latency."""
        row = self._rows(
            f"""SELECT {_OUTCOMES},
                COUNT(DISTINCT CASE WHEN s.total = 0 THEN s.search_id END) AS zero,
                COUNT(DISTINCT s.shopper) AS shoppers
            {_JOIN} WHERE s.ts >= ?""",
            (*_OUTCOME_PARAMS, since),
        )
        mean = self._rows("SELECT AVG(took_ms) FROM searches WHERE ts >= ?", (since,))
        searches, clicked, carted, converted, zero, shoppers = row[0] if row else (0, 0, 0, 0, 0, 0)
        return {
            "searches": int(searches),
            "clicked": int(clicked),
            "carted": int(carted),
            "converted": int(converted),
            "zero_result": int(zero),
            "shoppers": int(shoppers),
            "mean_took_ms": float(mean[0][0]) if mean and mean[0][0] is not None else None,
        }

    def per_day(self, since: float) -> list[tuple[str, int, int, int]]:
        """``(day, searches, zero-result searches, searches with a click)`` per UTC day, oldest first."""
        return self._rows(
            f"""SELECT s.day, COUNT(DISTINCT s.search_id),
                COUNT(DISTINCT CASE WHEN s.total = 0 THEN s.search_id END),
                COUNT(DISTINCT CASE WHEN e.event IN {_in(CLICK_EVENTS)} THEN e.search_id END)
            {_JOIN} WHERE s.ts >= ? GROUP BY s.day ORDER BY s.day""",
            (*CLICK_EVENTS, since),
        )

    def queries(
        self, since: float, limit: int, min_searches: int = 1, unclicked: bool = False
    ) -> list[tuple[str, int, int, int, int, int]]:
        """``(query, searches, clicked, carted, converted, zero-result)`` per normalised query, most searched first.

        With ``unclicked``: only queries that returned results but were never clicked.
        """
        having = "HAVING COUNT(DISTINCT s.search_id) >= ?"
        params: list[Any] = [*_OUTCOME_PARAMS, since, min_searches]
        if unclicked:
            having += (
                f" AND COUNT(DISTINCT CASE WHEN e.event IN {_in(CLICK_EVENTS)} THEN e.search_id END) = 0"
                " AND MAX(s.total) > 0"
            )
            params += CLICK_EVENTS
        return self._rows(
            f"""SELECT s.norm, {_OUTCOMES}, COUNT(DISTINCT CASE WHEN s.total = 0 THEN s.search_id END) AS zero
            {_JOIN} WHERE s.ts >= ? AND s.norm <> ''
            GROUP BY s.norm {having}
            ORDER BY COUNT(DISTINCT s.search_id) DESC, s.norm LIMIT ?""",
            (*params, limit),
        )

    def zero_result_queries(self, since: float, limit: int) -> list[tuple[str, int, str]]:
        """``(query, zero-result searches, one raw spelling)``, most frequent first."""
        return self._rows(
            """SELECT norm, COUNT(*), MIN(query) FROM searches
            WHERE ts >= ? AND total = 0 AND norm <> ''
            GROUP BY norm ORDER BY COUNT(*) DESC, norm LIMIT ?""",
            (since, limit),
        )

    def clicks_by_position(self, since: float, positions: int) -> list[tuple[int, int, int]]:
        """``(position, searches that showed it, searches with a click at it)`` for positions 1..``positions``."""
        shown = ", ".join(
            f"SUM(CASE WHEN first_position <= {p} AND first_position + shown > {p} THEN 1 ELSE 0 END)"
            for p in range(1, positions + 1)
        )
        denominators = self._rows(f"SELECT {shown} FROM searches WHERE ts >= ?", (since,))
        clicks = dict(
            self._rows(
                f"""SELECT e.position, COUNT(DISTINCT e.search_id)
                FROM search_events e JOIN searches s ON s.search_id = e.search_id
                WHERE s.ts >= ? AND e.event IN {_in(CLICK_EVENTS)} AND e.position BETWEEN 1 AND ?
                GROUP BY e.position""",
                (since, *CLICK_EVENTS, positions),
            )
        )
        row = denominators[0] if denominators else (None,) * positions
        return [(p, int(row[p - 1] or 0), int(clicks.get(p, 0))) for p in range(1, positions + 1)]

    def by_source(self, since: float) -> list[tuple[str, int, int, int, int]]:
        """``(source, searches, clicked, carted, converted)``; typed searches have the source ``typed``."""
        return self._rows(
            f"""SELECT COALESCE(s.source, 'typed') AS src, {_OUTCOMES}
            {_JOIN} WHERE s.ts >= ? GROUP BY COALESCE(s.source, 'typed') ORDER BY src""",
            (*_OUTCOME_PARAMS, since),
        )

    def by_variant(self, since: float) -> list[tuple[str | None, str, int, int, int, int]]:
        """``(variant, profile, searches, clicked, carted, converted)`` per experiment variant and profile."""
        return self._rows(
            f"""SELECT s.variant, s.profile, {_OUTCOMES}
            {_JOIN} WHERE s.ts >= ? GROUP BY s.variant, s.profile ORDER BY s.variant, s.profile""",
            (*_OUTCOME_PARAMS, since),
        )

    def counts(self) -> dict[str, int]:
        """Rows stored (all time)."""
        searches = self._rows("SELECT COUNT(*) FROM searches")
        events = self._rows("SELECT COUNT(*) FROM search_events")
        return {
            "searches": int(searches[0][0]) if searches else 0,
            "events": int(events[0][0]) if events else 0,
        }

    def search(self, search_id: str) -> dict[str, Any] | None:
        """One logged search as a dict (None when unknown)."""
        conn = self._conn()
        if conn is None:
            return None
        cur = conn.execute("SELECT * FROM searches WHERE search_id = ?", (search_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))
