"""The behaviour store: events, shopper profiles and online affinities in SQLite (``DATA_DIR/events.sqlite``).

Tables (every ``user`` is a pseudonymous key, see :mod:`search.personal.pseudonym`)::

    events    id (autoincrement, never reused), user, product, event, ts, query
              unique (user, product, event, ts): importing a file twice stores it once
    profiles  user, events, first_event, last_ts        one row per shopper with events
    affinity  user, kind (brand|category), key, score, ref   decayed sums (score as of time ref)
    forgotten user, at                                   shoppers deleted through the admin API
    meta      schema version, fingerprint of the pseudonymisation secret
    event_keys user, key                                 clients' event ids: a retried event is stored once

The database is in WAL mode with ``synchronous=FULL``: a call that returned has its
events on disk, and a writer killed mid-way leaves every committed batch intact.
Events, the profile and the affinities change in one transaction, so they never
disagree. Nothing is created until the first write: a service without events
leaves the data directory untouched.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from search.config import ConfigError
from search.personal.config import EventsConfig
from search.personal.scoring import BRAND, CATEGORY, Decayed, merge

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    product TEXT NOT NULL,
    event TEXT NOT NULL,
    ts REAL NOT NULL,
    query TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (user, product, event, ts);
CREATE TABLE IF NOT EXISTS profiles (
    user TEXT PRIMARY KEY,
    events INTEGER NOT NULL,
    first_event INTEGER NOT NULL,
    last_ts REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS affinity (
    user TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    score REAL NOT NULL,
    ref REAL NOT NULL,
    PRIMARY KEY (user, kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS forgotten (user TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_keys (user TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (user, key)) WITHOUT ROWID;
"""

_INSERT_EVENT = "INSERT OR IGNORE INTO events (user, product, event, ts, query) VALUES (?, ?, ?, ?, ?) RETURNING id"
_INSERT_KEY = "INSERT OR IGNORE INTO event_keys (user, key) VALUES (?, ?) RETURNING 1"
_UPSERT_AFFINITY = """
INSERT INTO affinity (user, kind, key, score, ref) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (user, kind, key) DO UPDATE SET
    score = decayed_merge(score, ref, excluded.score, excluded.ref, ?),
    ref = max(ref, excluded.ref)
"""

ItemKeys = Mapping[str, tuple[str | None, str | None]]


class EventStoreError(ConfigError):
    """The events database belongs to another secret or schema; the message says what to do."""


@dataclass(frozen=True)
class NewEvent:
    """An event ready for storage (the shopper already pseudonymised)."""

    user: str
    product: str
    event: str
    ts: float
    query: str | None = None
    #: the client's idempotency key (``event_id``): a second event with the same key is a duplicate
    key: str | None = None


@dataclass
class AppendResult:
    """What :meth:`EventStore.append` did."""

    stored: int = 0
    duplicates: int = 0
    unknown_products: int = 0
    users: int = 0
    #: (event type, outcome) -> count, outcome in stored / duplicate / unknown_product
    outcomes: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Profile:
    """One shopper's stored profile."""

    user: str
    events: int
    first_event: int
    last_ts: float
    brands: dict[str, Decayed]
    categories: dict[str, Decayed]


def _merge_sql(s_old: float, r_old: float, s_new: float, r_new: float, tau: float) -> float:
    return merge((s_old, r_old), (s_new, r_new), tau)[0]


def affinity_contributions(
    rows: Sequence[tuple[str, str, str, float]], items: ItemKeys, config: EventsConfig
) -> dict[tuple[str, str, str], Decayed]:
    """Decayed affinity sums per ``(user, kind, key)`` from ``(user, product, event, ts)`` rows.

    Events on products missing from ``items`` (not in the catalog) contribute nothing.
    """
    tau = config.tau_s
    out: dict[tuple[str, str, str], Decayed] = {}
    for user, product, event, ts in rows:
        keys = items.get(product)
        weight = config.weights.of(event)
        if keys is None or weight <= 0:
            continue
        for kind, key in ((BRAND, keys[0]), (CATEGORY, keys[1])):
            if key:
                k = (user, kind, key)
                prev = out.get(k)
                out[k] = (weight, ts) if prev is None else merge(prev, (weight, ts), tau)
    return out


class EventStore:
    """Thread-safe access to the events database (one SQLite connection per thread).

    Args:
        path: The database file (``DataDir.events_db``).
        fingerprint: Fingerprint of the pseudonymisation secret; a database written
            under another secret is refused (its keys would never match again). None
            skips the check, for tools that never pseudonymise (CF training).
        timeout_s: How long a writer waits for another one (SQLite busy timeout).
    """

    def __init__(self, path: Path, fingerprint: str | None, timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.timeout_s = timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._checked = False

    # ------------------------------------------------------------------ connections
    def exists(self) -> bool:
        """True once something was written."""
        return self.path.exists()

    def _conn(self, create: bool = False) -> sqlite3.Connection | None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if not create and not self.path.exists():
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")  # forgotten shoppers' rows are overwritten, not just unlinked
        conn.create_function("decayed_merge", 5, _merge_sql, deterministic=True)
        with self._lock:
            if not self._checked:
                self._init_schema(conn)
                self._checked = True
            self._all.append(conn)
        self._local.conn = conn
        return conn

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        with self._write(conn):
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if "schema" not in meta:
                conn.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
                meta["schema"] = SCHEMA_VERSION
            if "fingerprint" not in meta and self.fingerprint is not None:
                conn.execute("INSERT INTO meta (key, value) VALUES ('fingerprint', ?)", (self.fingerprint,))
                meta["fingerprint"] = self.fingerprint
        if meta.get("schema") != SCHEMA_VERSION:
            raise EventStoreError(f"{self.path}: schema {meta.get('schema')!r}, expected {SCHEMA_VERSION}")
        if self.fingerprint is not None and meta.get("fingerprint") != self.fingerprint:
            raise EventStoreError(
                f"{self.path} was written with another user_id_secret: its pseudonyms would match no shopper. "
                "Use the original secret, or move the file away to start over."
            )

    @contextlib.contextmanager
    def _write(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite has already rolled back on e.g. SQLITE_FULL: keep the real error
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def check(self) -> None:
        """Open an existing database now, so a wrong secret or schema fails here rather than later."""
        self._conn(create=False)

    def close(self) -> None:
        """Close every connection opened by this store."""
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    # ------------------------------------------------------------------ writing
    def append(self, events: Sequence[NewEvent], items: ItemKeys, config: EventsConfig) -> AppendResult:
        """Store events and update the shoppers' profiles and affinities, in one transaction.

        ``items`` maps the catalog's products to their (brand, category) keys; events on
        other products are stored (the catalog may catch up) and counted as unknown, but
        add no affinity. Exact duplicates of stored events are skipped.
        """
        result = AppendResult()
        if not events:
            return result
        conn = self._conn(create=True)
        assert conn is not None
        outcomes: dict[tuple[str, str], int] = defaultdict(int)
        with self._write(conn):
            inserted: list[tuple[int, NewEvent]] = []
            for e in events:
                fresh = e.key is None or conn.execute(_INSERT_KEY, (e.user, e.key)).fetchone() is not None
                row = (
                    conn.execute(_INSERT_EVENT, (e.user, e.product, e.event, e.ts, e.query)).fetchone()
                    if fresh
                    else None
                )
                if row is None:
                    result.duplicates += 1
                    outcomes[(e.event, "duplicate")] += 1
                    continue
                inserted.append((row[0], e))
                known = e.product in items
                result.stored += 1
                result.unknown_products += not known
                outcomes[(e.event, "stored" if known else "unknown_product")] += 1
            self._apply(conn, inserted, items, config)
        result.users = len({e.user for _, e in inserted})
        result.outcomes = dict(outcomes)
        return result

    def _apply(
        self, conn: sqlite3.Connection, inserted: Sequence[tuple[int, NewEvent]], items: ItemKeys, config: EventsConfig
    ) -> None:
        """Fold newly stored events into profiles and affinities (inside the caller's transaction)."""
        profiles: dict[str, list[float]] = {}
        for event_id, e in inserted:
            p = profiles.get(e.user)
            if p is None:
                profiles[e.user] = [1, event_id, e.ts]
            else:
                p[0] += 1
                p[1] = min(p[1], event_id)
                p[2] = max(p[2], e.ts)
        conn.executemany(
            """INSERT INTO profiles (user, events, first_event, last_ts) VALUES (?, ?, ?, ?)
               ON CONFLICT (user) DO UPDATE SET events = events + excluded.events,
                   last_ts = max(last_ts, excluded.last_ts)""",
            [(u, int(n), int(first), ts) for u, (n, first, ts) in profiles.items()],
        )
        sums = affinity_contributions([(e.user, e.product, e.event, e.ts) for _, e in inserted], items, config)
        tau = config.tau_s
        conn.executemany(_UPSERT_AFFINITY, [(u, k, key, s, r, tau) for (u, k, key), (s, r) in sums.items()])

    def forget(self, user: str) -> int:
        """Delete a shopper's events, profile and affinities and remember the deletion; returns events deleted."""
        conn = self._conn(create=False)
        if conn is None:
            return 0
        with self._write(conn):
            deleted = conn.execute("DELETE FROM events WHERE user = ?", (user,)).rowcount
            conn.execute("DELETE FROM profiles WHERE user = ?", (user,))
            conn.execute("DELETE FROM affinity WHERE user = ?", (user,))
            conn.execute("DELETE FROM event_keys WHERE user = ?", (user,))
            conn.execute("INSERT OR REPLACE INTO forgotten (user, at) VALUES (?, ?)", (user, time.time()))
        with contextlib.suppress(sqlite3.Error):  # old page images leave the WAL file (best effort under readers)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(deleted)

    def rebuild(self, rows: Sequence[tuple[int, str, str, str, float]], items: ItemKeys, config: EventsConfig) -> int:
        """Recompute every profile and affinity from ``rows`` (all events up to some id) with ``config``.

        Events stored after ``rows`` were read are folded in inside the write
        transaction, and shoppers forgotten meanwhile are dropped, so concurrent
        writers lose nothing. Returns the number of shoppers with a profile.
        """
        last = max((r[0] for r in rows), default=0)
        sums = affinity_contributions([(u, p, e, ts) for _, u, p, e, ts in rows], items, config)
        conn = self._conn(create=True)
        assert conn is not None
        tau = config.tau_s
        with self._write(conn):
            tail = conn.execute("SELECT user, product, event, ts FROM events WHERE id > ?", (last,)).fetchall()
            for key, value in affinity_contributions(tail, items, config).items():
                prev = sums.get(key)
                sums[key] = value if prev is None else merge(prev, value, tau)
            conn.execute("DELETE FROM profiles")
            conn.execute(
                """INSERT INTO profiles (user, events, first_event, last_ts)
                   SELECT user, count(*), min(id), max(ts) FROM events GROUP BY user"""
            )
            live = {u for (u,) in conn.execute("SELECT user FROM profiles")}
            conn.execute("DELETE FROM affinity")
            conn.executemany(
                "INSERT INTO affinity (user, kind, key, score, ref) VALUES (?, ?, ?, ?, ?)",
                [(u, k, key, s, r) for (u, k, key), (s, r) in sums.items() if u in live],
            )
        return len(live)

    # ------------------------------------------------------------------ reading
    def profile(self, user: str) -> Profile | None:
        """A shopper's profile and affinities (None without stored events)."""
        conn = self._conn()
        if conn is None:
            return None
        row = conn.execute("SELECT events, first_event, last_ts FROM profiles WHERE user = ?", (user,)).fetchone()
        if row is None or row[0] <= 0:
            return None
        brands: dict[str, Decayed] = {}
        categories: dict[str, Decayed] = {}
        for kind, key, score, ref in conn.execute("SELECT kind, key, score, ref FROM affinity WHERE user = ?", (user,)):
            (brands if kind == BRAND else categories)[key] = (score, ref)
        return Profile(user, int(row[0]), int(row[1]), float(row[2]), brands, categories)

    def touched(self, user: str) -> dict[str, set[str]]:
        """The products a shopper interacted with, and how (event types)."""
        conn = self._conn()
        if conn is None:
            return {}
        out: dict[str, set[str]] = defaultdict(set)
        for product, event in conn.execute("SELECT product, event FROM events WHERE user = ?", (user,)):
            out[product].add(event)
        return dict(out)

    def read_events(self, after_id: int = 0) -> list[tuple[int, str, str, str, float]]:
        """``(id, user, product, event, ts)`` of every event after ``after_id``, in id order."""
        conn = self._conn()
        if conn is None:
            return []
        return conn.execute(
            "SELECT id, user, product, event, ts FROM events WHERE id > ? ORDER BY id", (after_id,)
        ).fetchall()

    def forgotten_since(self, at: float) -> list[str]:
        """Shoppers forgotten at or after ``at`` (epoch seconds)."""
        conn = self._conn()
        if conn is None:
            return []
        return [u for (u,) in conn.execute("SELECT user FROM forgotten WHERE at >= ?", (at,))]

    def counts(self) -> dict[str, int]:
        """Events and shoppers stored."""
        conn = self._conn()
        if conn is None:
            return {"events": 0, "users": 0}
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        users = conn.execute("SELECT count(*) FROM profiles").fetchone()[0]
        return {"events": int(events), "users": int(users)}
