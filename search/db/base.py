"""The database protocol, migrations and the choice of implementation (see :mod:`search.db`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from search.errors import SearchError

log = logging.getLogger(__name__)

Params = Sequence[Any] | None

#: per-dialect pieces of DDL, used as ``{name}`` in migration statements
DDL_PIECES: dict[str, dict[str, str]] = {
    "sqlite": {"id": "INTEGER PRIMARY KEY AUTOINCREMENT", "float": "REAL", "without_rowid": "WITHOUT ROWID"},
    "postgresql": {
        "id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "float": "DOUBLE PRECISION",
        "without_rowid": "",
    },
}

MIGRATIONS_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    applied_at {float} NOT NULL,
    PRIMARY KEY (component, version)
)"""


class DatabaseError(SearchError):
    """The database refused an operation (schema from a newer version, a failed migration, ...)."""


class DatabaseUnavailable(DatabaseError):
    """The database server cannot be reached; the message names it (without credentials)."""


class Cursor(Protocol):
    """What :meth:`Tx.execute` returns (``sqlite3.Cursor`` and psycopg's cursor both are)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Tx(Protocol):
    """A connection inside a transaction (or a read): SQL with ``?`` placeholders."""

    @property
    def dialect(self) -> str: ...

    def execute(self, sql: str, params: Params = None) -> Cursor:
        """Run one statement."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        ...


Step = str | Mapping[str, str] | Callable[[Tx], None]


@dataclass(frozen=True)
class Migration:
    """One schema version of a component.

    ``steps`` run in order inside one transaction: a string is DDL/SQL for both
    dialects (``{id}``, ``{float}``, ``{without_rowid}`` filled per dialect), a mapping
    gives the statement per dialect (a dialect not named skips the step), a callable
    gets the transaction (for data moves and checks).
    """

    version: int
    description: str
    steps: Sequence[Step] = field(default_factory=tuple)


class Database(Protocol):
    """A relational database holding shared state (see the package docstring)."""

    dialect: str
    #: where it is, without credentials (for messages and ``/healthz``)
    url: str

    def exists(self) -> bool:
        """False for an embedded database nothing was written to yet (reads may then skip it)."""
        ...

    def transaction(self) -> AbstractContextManager[Tx]:
        """A write transaction: committed when the block exits, rolled back when it raises."""
        ...

    def read(self) -> AbstractContextManager[Tx]:
        """A connection for reads (autocommit)."""
        ...

    def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """Apply the pending migrations of ``component``; returns its schema version."""
        ...

    def ping(self) -> None:
        """Raise :class:`DatabaseUnavailable` unless the database answers now."""
        ...

    def add_function(self, name: str, nargs: int, fn: Callable[..., Any]) -> None:
        """Register a SQL function implemented in Python (SQLite; PostgreSQL gets it from a migration)."""
        ...

    def purge(self) -> None:
        """Make rows deleted just now unrecoverable from the files where the engine needs a nudge."""
        ...

    def close(self) -> None:
        """Close every connection."""
        ...


def ddl(dialect: str, statement: str) -> str:
    """A DDL statement with the dialect's pieces filled in."""
    return statement.format(**DDL_PIECES[dialect])


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """``?`` placeholders (outside string literals) to psycopg's ``%s``; literal ``%`` doubled."""
    out = []
    quoted = False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
            out.append(ch)
        elif ch == "?" and not quoted:
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


def run_migrations(
    db: Database, component: str, migrations: Sequence[Migration], lock: Callable[[Tx], None], now: float
) -> int:
    """Apply pending migrations, one transaction per version (each rechecks under ``lock``)."""
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise DatabaseError(f"{component}: migration versions must be increasing from 1: {versions}")
    current = 0
    for migration in migrations:
        with db.transaction() as tx:
            lock(tx)
            tx.execute(ddl(db.dialect, MIGRATIONS_TABLE))
            row = tx.execute("SELECT max(version) FROM schema_migrations WHERE component = ?", (component,)).fetchone()
            current = int(row[0] or 0)
            if current >= migration.version:
                continue
            for step in migration.steps:
                if callable(step):
                    step(tx)
                elif isinstance(step, str):
                    tx.execute(ddl(db.dialect, step))
                elif db.dialect in step:
                    tx.execute(step[db.dialect])
            tx.execute(
                "INSERT INTO schema_migrations (component, version, description, applied_at) VALUES (?, ?, ?, ?)",
                (component, migration.version, migration.description, now),
            )
            current = migration.version
            log.info("%s: %s schema version %d (%s)", db.url, component, current, migration.description)
    latest = versions[-1] if versions else 0
    if current > latest:
        raise DatabaseError(
            f"{db.url}: {component} schema version {current} is newer than this program's ({latest}): upgrade it"
        )
    return current


def public_url(url: str) -> str:
    """A database URL without its password (for messages and logs)."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def is_postgres_url(url: str | None) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs."""
    return bool(url) and str(url).split("://", 1)[0] in ("postgresql", "postgres")


def connect(url: str, *, pool_size: int = 10, timeout_s: float = 5.0) -> Database:
    """The database behind a URL: ``postgresql://…`` / ``postgres://…`` or ``sqlite:///PATH``."""
    if is_postgres_url(url):
        from search.db.postgres import PostgresDatabase

        return PostgresDatabase(url, pool_size=pool_size, timeout_s=timeout_s)
    if url.startswith("sqlite:///"):
        from search.db.sqlite import SQLiteDatabase

        return SQLiteDatabase(Path(url[len("sqlite:///") :]))
    raise DatabaseError(f"SEARCH_DB_URL must be postgresql://... or sqlite:///PATH, not {public_url(url)!r}")


def open_database(settings: Any, *, sqlite_path: Path | None = None) -> Database:
    """The shared-state database: ``settings.db_url`` when set, else the SQLite file of the data directory.

    Args:
        settings: :class:`search.config.Settings` (``db_url``, ``db_pool_size``, ``db_timeout_s``, ``data_dir``).
        sqlite_path: the SQLite file when no URL is set (default ``DATA_DIR/events.sqlite``).
    """
    secret = getattr(settings, "db_url", None)
    url = secret.get_secret_value() if secret is not None and hasattr(secret, "get_secret_value") else secret
    if url:
        return connect(url, pool_size=settings.db_pool_size, timeout_s=settings.db_timeout_s)
    from search.db.sqlite import SQLiteDatabase

    return SQLiteDatabase(sqlite_path or Path(settings.data_dir) / "events.sqlite")
