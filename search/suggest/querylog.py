"""The shop's query log for autocomplete: query -> how often it was searched, kept in the data dir.

It lives outside the index builds (``DATA/suggest/queries.sqlite``), so builds and
refreshes keep it. ``indexer queries import`` fills it from a file. Every build and refresh
also counts it for the spelling correctors (``Lexicon.query_terms``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.db.sqlite import use_wal
from search.errors import InputError
from search.text.normalize import normalize

#: longer lines are not queries a shopper typed
MAX_QUERY_CHARS = 100


class QueryLogError(InputError):
    """A query file cannot be read; the message names the file and line."""


def log_path(data_dir: Path) -> Path:
    """Where a data dir keeps its query log."""
    return Path(data_dir) / "suggest" / "queries.sqlite"


def clean_query(text: str) -> str:
    """The form a query is counted under (normalised: width, case, script, spaces)."""
    return normalize(text)[:MAX_QUERY_CHARS].strip()


class QueryLog:
    """Query counts in SQLite (safe for several processes; every write is one transaction)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        use_wal(self._db, 30)
        self._db.execute("CREATE TABLE IF NOT EXISTS queries (query TEXT PRIMARY KEY, count INTEGER NOT NULL)")
        self._db.commit()

    @classmethod
    def open(cls, data_dir: Path) -> QueryLog:
        """The query log of a data dir (created empty if needed)."""
        return cls(log_path(data_dir))

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def add(self, query: str, count: int = 1) -> bool:
        """Count ``query`` searched ``count`` more times; False when nothing is left of it after cleaning."""
        return self.add_many([(query, count)]) == 1

    def add_many(self, rows: Iterable[tuple[str, int]]) -> int:
        """Add several (query, count) rows in one transaction; returns how many were counted."""
        cleaned = [(q, n) for q, n in ((clean_query(q), int(n)) for q, n in rows) if q and n > 0]
        with self._db:
            self._db.executemany(
                "INSERT INTO queries (query, count) VALUES (?, ?) "
                "ON CONFLICT(query) DO UPDATE SET count = count + excluded.count",
                cleaned,
            )
        return len(cleaned)

    def counts(self) -> Iterator[tuple[str, int]]:
        """Every (query, count)."""
        yield from self._db.execute("SELECT query, count FROM queries")

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM queries").fetchone()[0])

    def total(self) -> int:
        """All searches counted."""
        return int(self._db.execute("SELECT COALESCE(SUM(count), 0) FROM queries").fetchone()[0])


def read_query_file(path: Path) -> Iterator[tuple[str, int]]:
    """Rows of a query file: one query a line, optionally ``query<TAB>count``; blank lines are skipped."""
    path = Path(path)
    if not path.is_file():
        raise QueryLogError(f"query file not found: {path}")
    with open(path, encoding="utf-8") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                query, sep, count = line.rpartition("\t")
                if not sep:
                    yield line, 1
                    continue
                try:
                    n = int(count)
                except ValueError:
                    raise QueryLogError(f"{path}:{number}: count {count!r} is not a whole number") from None
                if n < 0:
                    raise QueryLogError(f"{path}:{number}: count must not be negative")
                yield query, n
        except UnicodeDecodeError:
            raise QueryLogError(f"{path}: not UTF-8 text") from None


def import_queries(data_dir: Path, path: Path) -> dict[str, int]:
    """Add a query file to the data dir's log (the whole file or nothing). Returns counts for ``--json``."""
    rows = list(read_query_file(path))
    log = QueryLog.open(data_dir)
    try:
        imported = log.add_many(rows)
        return {"lines": len(rows), "imported": imported, "skipped": len(rows) - imported, "queries": len(log)}
    finally:
        log.close()
