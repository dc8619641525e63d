"""Shared state in a relational database: SQLite embedded (default) or PostgreSQL for several API nodes.

One small API, two implementations with the same behaviour (the store test suites
run against both, ``tests/db``)::

    from search.db import Migration, open_database

    db = open_database(settings)            # SEARCH_DB_URL, else DATA_DIR/events.sqlite
    db.migrate("mystore", MIGRATIONS)       # versioned, once per component, on first use
    with db.transaction() as tx:            # one write transaction (serialised in SQLite)
        tx.execute("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING", (1, "x"))
    with db.read() as tx:                   # reads (a snapshot per statement)
        rows = tx.execute("SELECT a, b FROM t WHERE a > ?", (0,)).fetchall()

- :func:`open_database` picks the implementation: ``SEARCH_DB_URL=postgresql://…`` gives
  :class:`~search.db.postgres.PostgresDatabase` (psycopg 3, a ``psycopg_pool`` connection
  pool), ``sqlite:///PATH`` or no URL a :class:`~search.db.sqlite.SQLiteDatabase` file
  (``DATA_DIR/events.sqlite``). :func:`connect` does the same from a bare URL.
- **SQL is written once** with ``?`` placeholders and the syntax both dialects share
  (``INSERT … ON CONFLICT … DO UPDATE/NOTHING``, ``RETURNING``, ``excluded.col``,
  ``greatest``/``least`` — SQLite gets them as functions). PostgreSQL sees ``?`` turned
  into ``%s`` (:func:`search.db.base.translate`).
- **DDL and other per-dialect pieces** go through :meth:`Database.ddl`: ``{id}`` (an
  autoincrement key never reused), ``{float}`` (double precision), ``{without_rowid}``;
  a :class:`Migration` may also give a whole statement per dialect, or a Python step.
  Functions a store needs (e.g. ``decayed_merge``) are registered per connection in
  SQLite (:meth:`SQLiteDatabase.add_function`) and created by a migration in PostgreSQL.
- **Migrations** are ``(component, version)`` rows in ``schema_migrations``; each version
  runs in one transaction with its row, so a migration interrupted half-way leaves
  nothing and runs again from the start (PostgreSQL DDL is transactional; SQLite's too).
  Concurrent starters serialise on a lock (SQLite: the write lock; PostgreSQL: an
  advisory lock), so one of them migrates and the others see it done.
- Faults: an unreachable server raises :class:`DatabaseUnavailable` (an error naming
  the URL without its password); the pool reconnects by itself when the server is back.
  A transaction that raised is rolled back: nothing is acknowledged that is not committed.

Tables of other components (the search log, rules, synonyms, experiments, API keys,
the audit log) go into their own module with their own ``MIGRATIONS`` list and call
``db.migrate("<component>", MIGRATIONS)`` once before use.
"""

from search.db.base import (
    Database,
    DatabaseError,
    DatabaseUnavailable,
    Migration,
    Tx,
    connect,
    open_database,
    public_url,
)

__all__ = [
    "Database",
    "DatabaseError",
    "DatabaseUnavailable",
    "Migration",
    "Tx",
    "connect",
    "open_database",
    "public_url",
]
