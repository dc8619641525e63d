"""The embedded implementation: one SQLite file, one connection per thread (see :mod:`search.db`).

WAL mode with ``synchronous=FULL``: a transaction that returned is on disk, and a
writer killed mid-way leaves every committed transaction intact. ``secure_delete``
overwrites deleted rows (forgotten shoppers). Nothing is created until the first
write transaction or migration: reads of a missing file see no database
(:meth:`SQLiteDatabase.exists`), so a service without state leaves its data directory untouched.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from search.db.base import DatabaseError, Migration, Params, run_migrations


def _greatest(*args: Any) -> Any:
    values = [a for a in args if a is not None]
    return max(values) if values else None


def _least(*args: Any) -> Any:
    values = [a for a in args if a is not None]
    return min(values) if values else None


def use_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """Switch a connection's file to WAL (readers go on while one writer writes).

    Several processes or threads opening a new file at once can get "database is locked" here
    without SQLite waiting (its busy timeout does not cover this switch): retry until ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class _SQLiteTx:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Params = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(params or ()))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)


class SQLiteDatabase:
    """A SQLite file (thread-safe: one connection per thread).

    Args:
        path: the database file.
        timeout_s: how long a writer waits for another one (busy timeout).
    """

    dialect = "sqlite"

    def __init__(self, path: Path, timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.timeout_s = timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._functions: dict[str, tuple[int, Callable[..., Any]]] = {
            "greatest": (-1, _greatest),
            "least": (-1, _least),
        }
        self._migrated: dict[str, int] = {}

    def exists(self) -> bool:
        """True once something was written."""
        return self.path.exists()

    def add_function(self, name: str, nargs: int, fn: Callable[..., Any]) -> None:
        """Register a deterministic SQL function on every connection (present and future)."""
        with self._lock:
            self._functions[name] = (nargs, fn)
            for conn in self._all:
                conn.create_function(name, nargs, fn, deterministic=True)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None, check_same_thread=False)
        use_wal(conn, self.timeout_s)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA secure_delete=ON")
        with self._lock:
            for name, (nargs, fn) in self._functions.items():
                conn.create_function(name, nargs, fn, deterministic=True)
            self._all.append(conn)
        self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_SQLiteTx]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (writers are serialised; readers go on)."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SQLiteTx(conn)
        except BaseException:
            if conn.in_transaction:  # SQLite has already rolled back on e.g. SQLITE_FULL: keep the real error
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[_SQLiteTx]:
        """This thread's connection, autocommit."""
        yield _SQLiteTx(self._conn())

    def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """Apply pending migrations (the write lock serialises concurrent starters)."""
        if component in self._migrated:
            return self._migrated[component]
        version = run_migrations(self, component, migrations, lambda tx: None, time.time())
        self._migrated[component] = version
        return version

    def ping(self) -> None:
        """A local file is always there."""

    def purge(self) -> None:
        """Move deleted pages' old images out of the WAL file (best effort while others read)."""
        with contextlib.suppress(sqlite3.Error):
            self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close every connection opened by this object."""
        with self._lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SQLiteDatabase({self.path})"


__all__ = ["DatabaseError", "SQLiteDatabase"]
