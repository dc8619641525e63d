"""The server implementation: PostgreSQL through psycopg 3 and a ``psycopg_pool`` pool (see :mod:`search.db`).

Connections are autocommit; :meth:`PostgresDatabase.transaction` opens an explicit
transaction. The pool opens in the background: a server that is down at start makes
operations fail with :class:`DatabaseUnavailable` (after ``timeout_s``) until it is
back, then the pool reconnects by itself; connections are checked when taken from the
pool, so a server restart costs at most the requests that were in flight (which
fail: their transactions were not committed, nothing acknowledged is lost).

Migrations serialise on a transaction-level advisory lock, so several API nodes
starting together migrate once.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from search.db.base import DatabaseUnavailable, Migration, Params, Tx, public_url, run_migrations, translate

log = logging.getLogger(__name__)


class _PgTx:
    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Params = None) -> psycopg.Cursor[Any]:
        if params:
            return self.conn.execute(translate(sql), tuple(params))  # type: ignore[arg-type]
        return self.conn.execute(sql)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(translate(sql), [tuple(r) for r in rows])  # type: ignore[arg-type]


def _advisory_lock(tx: Tx, key: int) -> None:
    tx.execute("SELECT pg_advisory_xact_lock(?)", (key,))


def _lock_key(component: str) -> int:
    return int.from_bytes(hashlib.sha256(f"zhsearch:{component}".encode()).digest()[:8], "big", signed=True)


class PostgresDatabase:
    """A PostgreSQL database behind a connection pool.

    Args:
        url: ``postgresql://user:password@host:port/dbname`` (the password never appears in messages).
        pool_size: most connections this process holds.
        timeout_s: how long an operation waits for a connection before failing as unavailable.
    """

    dialect = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 10, timeout_s: float = 5.0) -> None:
        self.url = public_url(url)
        self.timeout_s = timeout_s
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs={"autocommit": True, "connect_timeout": max(1, int(timeout_s))},
            check=ConnectionPool.check_connection,
            reconnect_timeout=float("inf"),  # keep trying in the background while the server is down
            open=False,
            name="zhsearch",
        )
        self._pool.open(wait=False)
        self._migrated: dict[str, int] = {}
        self._migrate_lock = threading.Lock()

    def exists(self) -> bool:
        """A server database always exists (its tables come from migrations)."""
        return True

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self._pool.connection(timeout=self.timeout_s) as conn:
                yield conn
        except PoolTimeout as exc:
            raise DatabaseUnavailable(
                f"database {self.url} unreachable (no connection within {self.timeout_s}s)"
            ) from exc
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"database {self.url} unreachable: {str(exc).strip()}") from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[_PgTx]:
        """One transaction on a pooled connection (rolled back if the block raises)."""
        with self._connection() as conn, conn.transaction():
            yield _PgTx(conn)

    @contextlib.contextmanager
    def read(self) -> Iterator[_PgTx]:
        """A pooled connection, autocommit."""
        with self._connection() as conn:
            yield _PgTx(conn)

    def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """Apply pending migrations under an advisory lock (once per process and component)."""
        with self._migrate_lock:
            if component not in self._migrated:
                key = _lock_key(component)
                self._migrated[component] = run_migrations(
                    self,
                    component,
                    migrations,
                    lambda tx: _advisory_lock(tx, key),
                    time.time(),
                )
            return self._migrated[component]

    def ping(self) -> None:
        """``SELECT 1`` (raises :class:`DatabaseUnavailable`)."""
        with self.read() as tx:
            tx.execute("SELECT 1").fetchone()

    def add_function(self, name: str, nargs: int, fn: Callable[..., Any]) -> None:
        """Nothing: PostgreSQL functions are created by migrations."""

    def purge(self) -> None:
        """Nothing: autovacuum reclaims deleted rows."""

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.url})"
