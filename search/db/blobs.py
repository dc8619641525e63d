"""Versions of file folders stored in the shared database: how CF models, build metadata and the
query log reach every API node.

A *kind* (``cf``, ``build``, ``queries``) has versions; a version is a folder's files, each
split into chunks of at most :data:`CHUNK_BYTES` (one row each, so no row or parameter
grows with the model). One version per kind is *live*::

    blobs = BlobStore(db)
    blobs.put("cf", "20261203-101500-0a1b2c", folder)   # files, live pointer and change counter: one transaction
    blobs.live("cf")                                     # "20261203-101500-0a1b2c" (cheap: one indexed row)
    blobs.fetch("cf", name, partial_folder)              # the files again, checked against their SHA-256

``put`` writes the chunks, the version row, the live pointer and bumps the ``blobs``
change counter (:mod:`search.db.changes`) in one transaction: a node sees a version
completely or not at all. ``prune`` keeps the newest versions of a kind (never the
live one); ``replace_file`` rewrites one file of a stored version (forget-me scrubbing) and
bumps the counter too, so nodes holding a copy replace theirs.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from search.db.base import Database, DatabaseError, Migration, Tx
from search.db.changes import COMPONENT as CHANGES
from search.db.changes import MIGRATIONS as CHANGES_MIGRATIONS
from search.db.changes import bump

COMPONENT = "blobs"
#: the change counter every ``put`` bumps (nodes watch it)
COUNTER = "blobs"
#: bytes per stored chunk
CHUNK_BYTES = 1 << 20

MIGRATIONS = [
    Migration(
        1,
        "versioned file blobs",
        [
            """CREATE TABLE IF NOT EXISTS blob_versions (
                kind TEXT NOT NULL,
                version TEXT NOT NULL,
                files TEXT NOT NULL,
                bytes BIGINT NOT NULL,
                created_at {float} NOT NULL,
                PRIMARY KEY (kind, version)
            )""",
            {
                "sqlite": """CREATE TABLE IF NOT EXISTS blob_chunks (
                    kind TEXT NOT NULL, version TEXT NOT NULL, path TEXT NOT NULL, seq INTEGER NOT NULL,
                    data BLOB NOT NULL, PRIMARY KEY (kind, version, path, seq))""",
                "postgresql": """CREATE TABLE IF NOT EXISTS blob_chunks (
                    kind TEXT NOT NULL, version TEXT NOT NULL, path TEXT NOT NULL, seq INTEGER NOT NULL,
                    data BYTEA NOT NULL, PRIMARY KEY (kind, version, path, seq))""",
            },
            "CREATE TABLE IF NOT EXISTS blob_live (kind TEXT PRIMARY KEY, version TEXT NOT NULL)",
        ],
    )
]


class BlobError(DatabaseError):
    """A stored version is missing or damaged (the message names kind and version)."""


@dataclass(frozen=True)
class StoredFile:
    """One file of a stored version: its path inside the folder, size and SHA-256."""

    path: str
    size: int
    sha256: str


def _files(folder: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        yield path.relative_to(folder).as_posix(), path


def _chunks(data: bytes, size: int) -> Iterator[tuple[int, bytes]]:
    for seq, lo in enumerate(range(0, max(len(data), 1), size)):
        yield seq, data[lo : lo + size]


class BlobStore:
    """Versions of folders in a :class:`~search.db.Database` (see the module docstring)."""

    def __init__(self, db: Database, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.db = db
        self.chunk_bytes = chunk_bytes
        self._ready = False

    def _migrate(self) -> None:
        if not self._ready:
            self.db.migrate(CHANGES, CHANGES_MIGRATIONS)
            self.db.migrate(COMPONENT, MIGRATIONS)
            self._ready = True

    # ------------------------------------------------------------------ writing
    def put(self, kind: str, version: str, folder: Path) -> int:
        """Store every file under ``folder`` as ``version`` of ``kind`` and make it live; returns bytes stored.

        Storing a version that is already there only makes it live again.
        """
        self._migrate()
        folder = Path(folder)
        with self.db.transaction() as tx:
            have = tx.execute(
                "SELECT bytes FROM blob_versions WHERE kind = ? AND version = ?", (kind, version)
            ).fetchone()
            total = int(have[0]) if have else self._write(tx, kind, version, folder)
            tx.execute(
                "INSERT INTO blob_live (kind, version) VALUES (?, ?)"
                " ON CONFLICT (kind) DO UPDATE SET version = excluded.version",
                (kind, version),
            )
            bump(tx, COUNTER)
        return total

    def _write(self, tx: Tx, kind: str, version: str, folder: Path) -> int:
        listing = []
        for rel, path in _files(folder):
            data = path.read_bytes()
            listing.append(StoredFile(rel, len(data), hashlib.sha256(data).hexdigest()))
            rows = [(kind, version, rel, seq, chunk) for seq, chunk in _chunks(data, self.chunk_bytes)]
            tx.executemany("INSERT INTO blob_chunks (kind, version, path, seq, data) VALUES (?, ?, ?, ?, ?)", rows)
        total = sum(f.size for f in listing)
        tx.execute(
            "INSERT INTO blob_versions (kind, version, files, bytes, created_at) VALUES (?, ?, ?, ?, ?)",
            (kind, version, json.dumps([asdict(f) for f in listing]), total, time.time()),
        )
        return total

    def replace_file(self, kind: str, version: str, path: str, data: bytes) -> None:
        """Rewrite one file of a stored version (same name; its size and checksum are updated)."""
        self._migrate()
        with self.db.transaction() as tx:
            files = self._listing(tx, kind, version)
            if not any(f.path == path for f in files):
                raise BlobError(f"{self.db.url}: {kind} version {version} has no file {path}")
            tx.execute("DELETE FROM blob_chunks WHERE kind = ? AND version = ? AND path = ?", (kind, version, path))
            rows = [(kind, version, path, seq, chunk) for seq, chunk in _chunks(data, self.chunk_bytes)]
            tx.executemany("INSERT INTO blob_chunks (kind, version, path, seq, data) VALUES (?, ?, ?, ?, ?)", rows)
            new = StoredFile(path, len(data), hashlib.sha256(data).hexdigest())
            listing = [new if f.path == path else f for f in files]
            tx.execute(
                "UPDATE blob_versions SET files = ?, bytes = ? WHERE kind = ? AND version = ?",
                (json.dumps([asdict(f) for f in listing]), sum(f.size for f in listing), kind, version),
            )
            bump(tx, COUNTER)  # nodes holding a copy replace the file too

    def prune(self, kind: str, keep: int = 2) -> list[str]:
        """Delete all but the newest ``keep`` versions of ``kind`` (never the live one); returns their names."""
        self._migrate()
        with self.db.transaction() as tx:
            live = tx.execute("SELECT version FROM blob_live WHERE kind = ?", (kind,)).fetchone()
            names = [r[0] for r in tx.execute("SELECT version FROM blob_versions WHERE kind = ?", (kind,)).fetchall()]
            doomed = [n for n in sorted(names, reverse=True)[keep:] if not live or n != live[0]]
            for name in doomed:
                tx.execute("DELETE FROM blob_chunks WHERE kind = ? AND version = ?", (kind, name))
                tx.execute("DELETE FROM blob_versions WHERE kind = ? AND version = ?", (kind, name))
        return doomed

    # ------------------------------------------------------------------ reading
    def live(self, kind: str) -> str | None:
        """The live version of ``kind`` (None before the first ``put``)."""
        self._migrate()
        with self.db.read() as tx:
            row = tx.execute("SELECT version FROM blob_live WHERE kind = ?", (kind,)).fetchone()
        return str(row[0]) if row else None

    def versions(self, kind: str) -> list[str]:
        """Stored versions of ``kind``, newest first."""
        self._migrate()
        with self.db.read() as tx:
            rows = tx.execute("SELECT version FROM blob_versions WHERE kind = ?", (kind,)).fetchall()
        return sorted((str(r[0]) for r in rows), reverse=True)

    def _listing(self, tx: Tx, kind: str, version: str) -> list[StoredFile]:
        row = tx.execute("SELECT files FROM blob_versions WHERE kind = ? AND version = ?", (kind, version)).fetchone()
        if row is None:
            raise BlobError(f"{self.db.url}: no {kind} version {version}")
        return [StoredFile(f["path"], int(f["size"]), f["sha256"]) for f in json.loads(row[0])]

    def files(self, kind: str, version: str) -> list[StoredFile]:
        """The files of a stored version."""
        self._migrate()
        with self.db.read() as tx:
            return self._listing(tx, kind, version)

    def read_file(self, kind: str, version: str, path: str) -> bytes:
        """One file of a stored version, checked against its size and SHA-256."""
        self._migrate()
        with self.db.read() as tx:
            wanted = {f.path: f for f in self._listing(tx, kind, version)}.get(path)
            if wanted is None:
                raise BlobError(f"{self.db.url}: {kind} version {version} has no file {path}")
            rows = tx.execute(
                "SELECT data FROM blob_chunks WHERE kind = ? AND version = ? AND path = ? ORDER BY seq",
                (kind, version, path),
            ).fetchall()
        data = b"".join(bytes(r[0]) for r in rows)
        if len(data) != wanted.size or hashlib.sha256(data).hexdigest() != wanted.sha256:
            raise BlobError(f"{self.db.url}: {kind} version {version}: {path} is damaged or was replaced meanwhile")
        return data

    def fetch(self, kind: str, version: str, dest: Path) -> int:
        """Write the files of a stored version under ``dest`` (fsynced); returns bytes written."""
        total = 0
        for stored in self.files(kind, version):
            data = self.read_file(kind, version, stored.path)
            target = Path(dest) / stored.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            total += len(data)
        return total
