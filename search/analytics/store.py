"""The search-log store: every SQL statement of the search log and its analytics, in one module.

Tables (``shopper`` is a pseudonymous key, see :mod:`search.personal.pseudonym`)::

    searches       search_id (primary key), ts, day, shopper, query, norm, parsed, profile,
                   variant, source, page, first_position, shown, total, top_ids, took_ms
    search_events  search_id, position, product, event, shopper, ts
                   behaviour events that named the search (and rank) they came from

Schema versions are migrations of the ``searchlog`` component (:data:`MIGRATIONS`).
The SQL is portable (SQLite and PostgreSQL): no database-specific functions; per-day
volume groups by the ``day`` column written with each row instead of a date function.
Outcomes are counted per search, not per event: a search that got two clicks is one
clicked search, and an event sent twice counts once.

Several API nodes share it through PostgreSQL (``SEARCH_DB_URL``), like the behaviour events.
Embedded deployments keep it in ``DATA_DIR/searchlog.sqlite``, beside ``events.sqlite``, so
that the log writer never holds the events database's write lock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path
from typing import Any

from search.analytics.records import CART_EVENTS, CLICK_EVENTS, CONVERSION_EVENTS, AttributedEvent, SearchRecord
from search.db import Database, Migration
from search.db.sqlite import SQLiteDatabase

COLUMNS = tuple(SearchRecord.__dataclass_fields__)

COMPONENT = "searchlog"

MIGRATIONS = [
    Migration(
        1,
        "searches and attributed events",
        [
            """CREATE TABLE IF NOT EXISTS searches (
                search_id TEXT PRIMARY KEY,
                ts {float} NOT NULL,
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
                took_ms {float} NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS searches_ts ON searches (ts)",
            "CREATE INDEX IF NOT EXISTS searches_shopper ON searches (shopper)",
            """CREATE TABLE IF NOT EXISTS search_events (
                search_id TEXT NOT NULL,
                position INTEGER,
                product TEXT NOT NULL,
                event TEXT NOT NULL,
                shopper TEXT,
                ts {float} NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS search_events_search ON search_events (search_id)",
            "CREATE INDEX IF NOT EXISTS search_events_ts ON search_events (ts)",
            "CREATE INDEX IF NOT EXISTS search_events_shopper ON search_events (shopper)",
        ],
    )
]

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


class SearchLogStore:
    """The search-log tables of a shared-state database (:mod:`search.db`).

    Nothing is created until the first write, so a service that never logs leaves an
    embedded data directory untouched.

    Args:
        db: The database (:func:`search.db.open_database`), or a SQLite file path.
    """

    def __init__(self, db: Database | Path | str) -> None:
        self.db: Database = SQLiteDatabase(Path(db)) if isinstance(db, (str, Path)) else db
        self._lock = threading.Lock()
        self._ready_done = False

    def _ready(self, create: bool = False) -> bool:
        """Migrate once; False for an embedded database not created yet."""
        if self._ready_done:
            return True
        if not create and not self.db.exists():
            return False
        with self._lock:
            if not self._ready_done:
                self.db.migrate(COMPONENT, MIGRATIONS)
                self._ready_done = True
        return True

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if not self._ready():
            return []
        with self.db.read() as tx:
            return [tuple(r) for r in tx.execute(sql, tuple(params)).fetchall()]

    def close(self) -> None:
        """Close the database connections."""
        self.db.close()

    # ------------------------------------------------------------------ writing
    def write(self, searches: Sequence[SearchRecord], events: Sequence[AttributedEvent]) -> None:
        """Store a batch in one transaction (a search id seen before is kept as first written)."""
        if not searches and not events:
            return
        self._ready(create=True)
        with self.db.transaction() as tx:
            if searches:
                tx.executemany(_INSERT_SEARCH, [astuple(r) for r in searches])
            if events:
                tx.executemany(_INSERT_EVENT, [astuple(e) for e in events])

    def purge(self, before_ts: float) -> dict[str, int]:
        """Delete searches and attributed events older than ``before_ts``; returns the rows deleted."""
        if not self._ready():
            return {"searches": 0, "events": 0}
        with self.db.transaction() as tx:
            searches = tx.execute("DELETE FROM searches WHERE ts < ?", (before_ts,)).rowcount
            events = tx.execute("DELETE FROM search_events WHERE ts < ?", (before_ts,)).rowcount
        return {"searches": int(searches), "events": int(events)}

    def forget(self, shopper: str) -> int:
        """Delete a shopper's searches and the events attributed to them; returns the searches deleted."""
        if not self._ready():
            return 0
        with self.db.transaction() as tx:
            tx.execute(
                "DELETE FROM search_events WHERE shopper = ? OR search_id IN"
                " (SELECT search_id FROM searches WHERE shopper = ?)",
                (shopper, shopper),
            )
            deleted = tx.execute("DELETE FROM searches WHERE shopper = ?", (shopper,)).rowcount
        self.db.purge()  # deleted rows unrecoverable from the files too
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
        rows = self._rows(f"SELECT {', '.join(COLUMNS)} FROM searches WHERE search_id = ?", (search_id,))
        return dict(zip(COLUMNS, rows[0], strict=True)) if rows else None
