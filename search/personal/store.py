"""The behaviour store: events, shopper profiles and online affinities in the shared-state database.

The database is SQLite (``DATA_DIR/events.sqlite``, the embedded default) or PostgreSQL
(``SEARCH_DB_URL``, several API nodes), through :mod:`search.db`; the SQL is the same.
Tables (every ``shopper`` is a pseudonymous key, see :mod:`search.personal.pseudonym`)::

    events    id (autoincrement, never reused), shopper, product, event, ts, query
              unique (shopper, product, event, ts): importing a file twice stores it once
    profiles  shopper, events, first_event, last_ts        one row per shopper with events
    affinity  shopper, kind (brand|category), key, score, ref   decayed sums (score as of time ref)
    forgotten shopper, at                                   shoppers deleted through the admin API
    meta      fingerprint of the pseudonymisation secret

A call that returned has its events committed (SQLite: WAL with ``synchronous=FULL``;
PostgreSQL: a committed transaction). Events, the profile and the affinities change in
one transaction, so they never disagree. With SQLite nothing is created until the first
write: a service without events leaves the data directory untouched.

Schema versions are migrations of the ``personal`` component (:data:`MIGRATIONS`);
version 1 also upgrades files written before the shared-state layer (column ``user``).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from search.config import ConfigError
from search.db import Database, Migration, Tx
from search.db.sqlite import SQLiteDatabase
from search.personal.config import EventsConfig
from search.personal.scoring import BRAND, CATEGORY, Decayed, merge

COMPONENT = "personal"


def _rename_legacy_columns(tx: Tx) -> None:
    """SQLite files from before the shared-state layer named the shopper column ``user`` (reserved in PostgreSQL)."""
    if tx.dialect != "sqlite":
        return
    for table in ("events", "profiles", "affinity", "forgotten"):
        columns = [row[1] for row in tx.execute(f"PRAGMA table_info({table})").fetchall()]
        if "user" in columns:
            tx.execute(f'ALTER TABLE {table} RENAME COLUMN "user" TO shopper')
    exists = tx.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
    if exists:  # the version now lives in schema_migrations
        tx.execute("DELETE FROM meta WHERE key = 'schema'")


MIGRATIONS = [
    Migration(
        1,
        "events, profiles, affinities, forget-me log",
        [
            _rename_legacy_columns,
            """CREATE TABLE IF NOT EXISTS events (
                id {id},
                shopper TEXT NOT NULL,
                product TEXT NOT NULL,
                event TEXT NOT NULL,
                ts {float} NOT NULL,
                query TEXT
            )""",
            "CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (shopper, product, event, ts)",
            """CREATE TABLE IF NOT EXISTS profiles (
                shopper TEXT PRIMARY KEY,
                events INTEGER NOT NULL,
                first_event BIGINT NOT NULL,
                last_ts {float} NOT NULL
            ) {without_rowid}""",
            """CREATE TABLE IF NOT EXISTS affinity (
                shopper TEXT NOT NULL,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                score {float} NOT NULL,
                ref {float} NOT NULL,
                PRIMARY KEY (shopper, kind, key)
            ) {without_rowid}""",
            "CREATE TABLE IF NOT EXISTS forgotten (shopper TEXT PRIMARY KEY, at {float} NOT NULL) {without_rowid}",
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) {without_rowid}",
            {
                # SQLite gets decayed_merge as a Python function (EventStore registers it)
                "postgresql": """CREATE OR REPLACE FUNCTION decayed_merge(
                    s_old DOUBLE PRECISION, r_old DOUBLE PRECISION, s_new DOUBLE PRECISION,
                    r_new DOUBLE PRECISION, tau DOUBLE PRECISION) RETURNS DOUBLE PRECISION
                LANGUAGE sql IMMUTABLE AS $$
                    SELECT CASE WHEN r_new >= r_old
                        THEN s_old * exp(greatest(-(r_new - r_old) / tau, -700)) + s_new
                        ELSE s_old + s_new * exp(greatest(-(r_old - r_new) / tau, -700)) END
                $$"""
            },
        ],
    ),
]

_INSERT_EVENT = (
    "INSERT INTO events (shopper, product, event, ts, query) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"
)
_UPSERT_AFFINITY = """
INSERT INTO affinity (shopper, kind, key, score, ref) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (shopper, kind, key) DO UPDATE SET
    score = decayed_merge(affinity.score, affinity.ref, excluded.score, excluded.ref, ?),
    ref = greatest(affinity.ref, excluded.ref)
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
    """Thread-safe access to the behaviour tables of the shared-state database.

    Args:
        db: The database (:func:`search.db.open_database`), or a SQLite file path.
        fingerprint: Fingerprint of the pseudonymisation secret; a database written
            under another secret is refused (its keys would never match again). None
            skips the check, for tools that never pseudonymise (CF training).
    """

    def __init__(self, db: Database | Path | str, fingerprint: str | None) -> None:
        self.db: Database = SQLiteDatabase(Path(db)) if isinstance(db, (str, Path)) else db
        self.fingerprint = fingerprint
        self.db.add_function("decayed_merge", 5, _merge_sql)
        self._lock = threading.Lock()
        self._checked = False

    # ------------------------------------------------------------------ schema
    def exists(self) -> bool:
        """True once something was written (always for a server database)."""
        return self.db.exists()

    def _ready(self, create: bool = False) -> bool:
        """Migrate and check the database once; False for an embedded database not created yet."""
        if self._checked:
            return True
        if not create and not self.db.exists():
            return False
        with self._lock:
            if not self._checked:
                self.db.migrate(COMPONENT, MIGRATIONS)
                self._check_fingerprint()
                self._checked = True
        return True

    def _check_fingerprint(self) -> None:
        with self.db.transaction() as tx:
            row = tx.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            if row is None and self.fingerprint is not None:
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('fingerprint', ?) ON CONFLICT DO NOTHING",
                    (self.fingerprint,),
                )
                row = tx.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if self.fingerprint is not None and row is not None and row[0] != self.fingerprint:
            raise EventStoreError(
                f"{self.db.url} was written with another user_id_secret: its pseudonyms would match no shopper. "
                "Use the original secret, or move the database away to start over."
            )

    def check(self) -> None:
        """Open an existing database now, so a wrong secret or schema fails here rather than later."""
        self._ready(create=False)

    def close(self) -> None:
        """Close the database's connections."""
        self.db.close()

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
        self._ready(create=True)
        outcomes: dict[tuple[str, str], int] = defaultdict(int)
        with self.db.transaction() as tx:
            inserted: list[tuple[int, NewEvent]] = []
            for e in events:
                row = tx.execute(_INSERT_EVENT, (e.user, e.product, e.event, e.ts, e.query)).fetchone()
                if row is None:
                    result.duplicates += 1
                    outcomes[(e.event, "duplicate")] += 1
                    continue
                inserted.append((int(row[0]), e))
                known = e.product in items
                result.stored += 1
                result.unknown_products += not known
                outcomes[(e.event, "stored" if known else "unknown_product")] += 1
            self._apply(tx, inserted, items, config)
        result.users = len({e.user for _, e in inserted})
        result.outcomes = dict(outcomes)
        return result

    def _apply(self, tx: Tx, inserted: Sequence[tuple[int, NewEvent]], items: ItemKeys, config: EventsConfig) -> None:
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
        # sorted: concurrent writers lock rows in the same order (no deadlock on PostgreSQL)
        tx.executemany(
            """INSERT INTO profiles (shopper, events, first_event, last_ts) VALUES (?, ?, ?, ?)
               ON CONFLICT (shopper) DO UPDATE SET events = profiles.events + excluded.events,
                   last_ts = greatest(profiles.last_ts, excluded.last_ts)""",
            sorted((u, int(n), int(first), ts) for u, (n, first, ts) in profiles.items()),
        )
        sums = affinity_contributions([(e.user, e.product, e.event, e.ts) for _, e in inserted], items, config)
        tau = config.tau_s
        tx.executemany(_UPSERT_AFFINITY, sorted((u, k, key, s, r, tau) for (u, k, key), (s, r) in sums.items()))

    def forget(self, user: str) -> int:
        """Delete a shopper's events, profile and affinities and remember the deletion; returns events deleted."""
        if not self._ready(create=False):
            return 0
        with self.db.transaction() as tx:
            deleted = tx.execute("DELETE FROM events WHERE shopper = ?", (user,)).rowcount
            tx.execute("DELETE FROM profiles WHERE shopper = ?", (user,))
            tx.execute("DELETE FROM affinity WHERE shopper = ?", (user,))
            tx.execute(
                "INSERT INTO forgotten (shopper, at) VALUES (?, ?)"
                " ON CONFLICT (shopper) DO UPDATE SET at = excluded.at",
                (user, time.time()),
            )
        self.db.purge()  # old page images leave the WAL file (SQLite)
        return int(deleted)

    def rebuild(self, rows: Sequence[tuple[int, str, str, str, float]], items: ItemKeys, config: EventsConfig) -> int:
        """Recompute every profile and affinity from ``rows`` (all events up to some id) with ``config``.

        Events stored after ``rows`` were read are folded in inside the write
        transaction, and shoppers forgotten meanwhile are dropped, so concurrent
        writers lose nothing. Returns the number of shoppers with a profile.
        """
        last = max((r[0] for r in rows), default=0)
        sums = affinity_contributions([(u, p, e, ts) for _, u, p, e, ts in rows], items, config)
        self._ready(create=True)
        tau = config.tau_s
        with self.db.transaction() as tx:
            if tx.dialect == "postgresql":  # wait for appends in flight; new ones wait for us
                tx.execute("LOCK TABLE events, profiles, affinity IN SHARE ROW EXCLUSIVE MODE")
            tail = tx.execute("SELECT shopper, product, event, ts FROM events WHERE id > ?", (last,)).fetchall()
            for key, value in affinity_contributions(tail, items, config).items():
                prev = sums.get(key)
                sums[key] = value if prev is None else merge(prev, value, tau)
            tx.execute("DELETE FROM profiles")
            tx.execute(
                """INSERT INTO profiles (shopper, events, first_event, last_ts)
                   SELECT shopper, count(*), min(id), max(ts) FROM events GROUP BY shopper"""
            )
            live = {u for (u,) in tx.execute("SELECT shopper FROM profiles").fetchall()}
            tx.execute("DELETE FROM affinity")
            tx.executemany(
                "INSERT INTO affinity (shopper, kind, key, score, ref) VALUES (?, ?, ?, ?, ?)",
                [(u, k, key, s, r) for (u, k, key), (s, r) in sums.items() if u in live],
            )
        return len(live)

    # ------------------------------------------------------------------ reading
    def profile(self, user: str) -> Profile | None:
        """A shopper's profile and affinities (None without stored events)."""
        if not self._ready():
            return None
        with self.db.read() as tx:
            row = tx.execute("SELECT events, first_event, last_ts FROM profiles WHERE shopper = ?", (user,)).fetchone()
            if row is None or row[0] <= 0:
                return None
            rows = tx.execute("SELECT kind, key, score, ref FROM affinity WHERE shopper = ?", (user,)).fetchall()
        brands: dict[str, Decayed] = {}
        categories: dict[str, Decayed] = {}
        for kind, key, score, ref in rows:
            (brands if kind == BRAND else categories)[key] = (float(score), float(ref))
        return Profile(user, int(row[0]), int(row[1]), float(row[2]), brands, categories)

    def touched(self, user: str) -> dict[str, set[str]]:
        """The products a shopper interacted with, and how (event types)."""
        if not self._ready():
            return {}
        out: dict[str, set[str]] = defaultdict(set)
        with self.db.read() as tx:
            for product, event in tx.execute("SELECT product, event FROM events WHERE shopper = ?", (user,)).fetchall():
                out[product].add(event)
        return dict(out)

    def read_events(self, after_id: int = 0) -> list[tuple[int, str, str, str, float]]:
        """``(id, user, product, event, ts)`` of every event after ``after_id``, in id order."""
        if not self._ready():
            return []
        with self.db.read() as tx:
            rows = tx.execute(
                "SELECT id, shopper, product, event, ts FROM events WHERE id > ? ORDER BY id", (after_id,)
            ).fetchall()
        return [(int(i), u, p, e, float(ts)) for i, u, p, e, ts in rows]

    def forgotten_since(self, at: float) -> list[str]:
        """Shoppers forgotten at or after ``at`` (epoch seconds)."""
        if not self._ready():
            return []
        with self.db.read() as tx:
            return [u for (u,) in tx.execute("SELECT shopper FROM forgotten WHERE at >= ?", (at,)).fetchall()]

    def counts(self) -> dict[str, int]:
        """Events and shoppers stored."""
        if not self._ready():
            return {"events": 0, "users": 0}
        with self.db.read() as tx:
            events = tx.execute("SELECT count(*) FROM events").fetchone()[0]
            users = tx.execute("SELECT count(*) FROM profiles").fetchone()[0]
        return {"events": int(events), "users": int(users)}
