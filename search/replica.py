"""Versions every API node needs, shared through the database: writers publish, nodes follow.

With a shared database (``SEARCH_DB_URL``), what a node serves from files travels as a
blob per version (:class:`search.db.blobs.BlobStore`) announced by the ``blobs`` change
counter:

- ``cf``: written by ``indexer cf train`` (both engines), copied into ``DATA_DIR/cf``;
- ``build``: ``indexer build|refresh`` on a Qdrant server: the build's files (manifest,
  lexicon, analyzer inputs, autocomplete phrases; the points are in the cluster), copied
  into ``DATA_DIR/index/builds``;
- ``queries``: ``indexer queries import``: the shop's query counts, copied into
  ``DATA_DIR/suggest/shared``.

Writers publish locally first (:class:`~search.versioned.VersionedDir`), then :func:`share`
stores the finished folder under the same name. A node's :class:`Follower` (polled from the
engine's reload loop) reads the counter; when it moved, it copies each kind's live version
into its own versions folder with the same publication rule (a ``.partial`` folder, fsync,
rename, ``CURRENT``), so the loaders already watching ``CURRENT`` pick it up without a restart.

An embedded build is not shared: its points live in its own shard, and each node builds
or copies its own index. Without ``SEARCH_DB_URL`` nothing here runs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from search.config import Settings
from search.db import Database, DatabaseError, open_database
from search.db.blobs import BlobError, BlobStore
from search.db.changes import ChangeWatcher
from search.store.layout import DataDir, read_manifest
from search.suggest import shared as shared_queries
from search.versioned import MANIFEST, IndexLockedError, VersionedDir, fsync_path, write_text_atomic

log = logging.getLogger(__name__)

CF, BUILD, QUERIES = "cf", "build", shared_queries.KIND
#: kinds whose stored files can change after publication (CF: forgotten shoppers' factors zeroed)
RESYNC = (CF,)
#: versions of each kind kept in the database (and on each node)
KEEP = 2
#: a version that fails its checksums this often is skipped until another one is published
MAX_ATTEMPTS = 3


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def db_url_set(settings: Settings) -> bool:
    """True when a shared database is configured (``SEARCH_DB_URL``)."""
    return settings.db_url is not None and bool(settings.db_url.get_secret_value())


def versions_dir(data: DataDir, kind: str) -> VersionedDir:
    """Where a node keeps the versions of ``kind``."""
    if kind == CF:
        from search.personal.versions import CFVersions

        return CFVersions(data.cf_dir)
    if kind == BUILD:
        return data.builds
    if kind == QUERIES:
        return shared_queries.shared_versions(data.root)
    raise ValueError(f"unknown shared kind {kind!r}")


def _with_blobs(settings: Settings, work: Callable[[BlobStore], Any]) -> Any:
    db = open_database(settings)
    try:
        return work(BlobStore(db))
    finally:
        db.close()


def share(settings: Settings, kind: str, folder: Path, keep: int = KEEP) -> int | None:
    """Store a published version folder in the shared database and make it live there.

    Returns the bytes stored, or None without a shared database (nothing to do).
    Raises :class:`~search.db.DatabaseError` when the database refuses (the local version stays live).
    """
    if not db_url_set(settings):
        return None

    def put(blobs: BlobStore) -> int:
        stored = blobs.put(kind, Path(folder).name, folder)
        blobs.prune(kind, keep)
        log.info("shared %s version %s (%d bytes) through %s", kind, Path(folder).name, stored, blobs.db.url)
        return stored

    return int(_with_blobs(settings, put))


def share_build(settings: Settings, build: Path) -> int | None:
    """Share a build's files when its points live on a Qdrant server (an embedded build stays local)."""
    if read_manifest(build).get("store", {}).get("backend") != "server":
        return None
    return share(settings, BUILD, build)


def share_queries(settings: Settings, data_dir: Path, rows: Iterable[tuple[str, int]]) -> str | None:
    """Add imported query counts to the shared log and publish it (here and in the database).

    The first publication takes this data dir's whole local log (``rows`` are in it already).
    Returns the new version's name, or None without a shared database.
    """
    if not db_url_set(settings):
        return None
    from search.suggest.querylog import QueryLog, log_path

    def counts(blobs: BlobStore) -> dict[str, int]:
        live = blobs.live(QUERIES)
        if live is not None:
            base = shared_queries.parse_snapshot(blobs.read_file(QUERIES, live, shared_queries.FILE))
            return shared_queries.merge_counts(base, rows)
        if not log_path(data_dir).exists():
            return shared_queries.merge_counts([], rows)
        local = QueryLog.open(data_dir)
        try:
            return shared_queries.merge_counts(local.counts(), [])
        finally:
            local.close()

    merged = _with_blobs(settings, counts)
    versions = shared_queries.shared_versions(data_dir)
    with versions.lock(), versions.publishing(keep=KEEP) as version:
        shared_queries.write_snapshot(version.path, merged)
    assert version.final is not None
    share(settings, QUERIES, version.final)
    return version.name


class Follower:
    """Copies the live shared versions into a node's data dir (see the module docstring).

    Args:
        db: The shared database.
        data: This node's data directory.
        kinds: What to follow (``build`` only on nodes whose store is a Qdrant server).
        interval_s: How often the change counter is read at most.
    """

    def __init__(self, db: Database, data: DataDir, kinds: Iterable[str], interval_s: float = 0.0) -> None:
        self.blobs = BlobStore(db)
        self.data = data
        self.kinds = tuple(kinds)
        self._watcher = ChangeWatcher(db, "blobs", interval_s)
        self._retry = False
        self._broken: set[tuple[str, str]] = set()
        self._failures: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def poll(self) -> list[str]:
        """Copy what changed; returns ``kind:version`` of each version made live here. Never raises."""
        if not self._lock.acquire(blocking=False):
            return []
        try:
            if not self._watcher.changed() and not self._retry:
                return []
            self._retry = False
            done = []
            for kind in self.kinds:
                name = None
                try:
                    name = self.blobs.live(kind)
                    if kind in RESYNC:
                        done += [f"{kind}:{n}/{f}" for n, f in self.resync(kind)]
                    if name is not None and self.install(kind, name):
                        done.append(f"{kind}:{name}")
                except IndexLockedError:
                    self._retry = True  # another worker of this node is copying it
                except BlobError as exc:  # damaged, or a file replaced while we read it: retried a few times
                    log.error("cannot copy shared %s: %s", kind, exc)
                    self._retry = True
                    if name is not None:
                        key = (kind, name)
                        self._failures[key] = self._failures.get(key, 0) + 1
                        if self._failures[key] >= MAX_ATTEMPTS:
                            self._broken.add(key)
                except (DatabaseError, OSError) as exc:
                    log.warning("cannot copy shared %s yet: %s", kind, exc)
                    self._retry = True
            return done
        finally:
            self._lock.release()

    def resync(self, kind: str) -> list[tuple[str, str]]:
        """Replace local files that changed in the database since they were copied (forget-me scrubbing).

        Returns (version, file) of each file replaced.
        """
        versions = versions_dir(self.data, kind)
        local = {p.name for p in versions.versions()}
        stored = [n for n in self.blobs.versions(kind) if n in local]
        if not stored:
            return []
        replaced = []
        with versions.lock():
            for name in stored:
                for item in self.blobs.files(kind, name):
                    path = versions.dir / name / item.path
                    if path.exists() and _sha256(path) == item.sha256:
                        continue
                    data = self.blobs.read_file(kind, name, item.path)
                    tmp = path.with_name(f".{path.name}.resync")
                    tmp.write_bytes(data)
                    fsync_path(tmp)
                    os.replace(tmp, path)
                    fsync_path(path.parent)
                    replaced.append((name, item.path))
        return replaced

    def install(self, kind: str, name: str) -> bool:
        """Make ``name`` the live version of ``kind`` here, copying it from the database if needed."""
        versions = versions_dir(self.data, kind)
        if versions.current_version() == name or (kind, name) in self._broken:
            return False
        with versions.lock():
            if (versions.dir / name / MANIFEST).exists():  # a version this node has already
                write_text_atomic(versions.current_file, name + "\n")
            else:
                with versions.publishing(keep=KEEP, name=name) as version:
                    self.blobs.fetch(kind, name, version.path)
        log.info("%s version %s from the shared database is live", kind, name)
        return True


def scrub_shared(settings: Settings, db: Database, users: Iterable[str]) -> int:
    """Zero the factor rows of ``users`` in every CF version stored in the shared database; returns rows zeroed."""
    if not db_url_set(settings):
        return 0
    import io
    import json

    import numpy as np

    wanted, zeroed = set(users), 0
    blobs = BlobStore(db)
    for name in blobs.versions(CF):
        keys = json.loads(blobs.read_file(CF, name, "users.json"))
        rows = [i for i, u in enumerate(keys) if u in wanted]
        if not rows:
            continue
        factors = np.load(io.BytesIO(blobs.read_file(CF, name, "user_factors.npy")))
        factors[rows] = 0.0
        out = io.BytesIO()
        np.save(out, factors)
        blobs.replace_file(CF, name, "user_factors.npy", out.getvalue())
        zeroed += len(rows)
    return zeroed


def catch_up(settings: Settings) -> list[str]:
    """Copy the live shared versions into this node's data dir now (at start; never raises)."""
    if not db_url_set(settings):
        return []
    try:
        db = open_database(settings)
    except DatabaseError as exc:
        log.warning("cannot reach the shared database yet: %s", exc)
        return []
    try:
        follower = follower_for(settings, db)
        return follower.poll() if follower is not None else []
    finally:
        db.close()


def follower_for(settings: Settings, db: Database) -> Follower | None:
    """The follower of an API node (None without a shared database)."""
    if not db_url_set(settings):
        return None
    from search.store.backend import store_url

    kinds = [CF, QUERIES] + ([BUILD] if store_url(settings) else [])
    return Follower(db, DataDir(settings.data_dir), kinds)
