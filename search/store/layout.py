"""The data directory of the embedded deployment, and atomic publication of index builds.

::

    DATA_DIR/
      index/
        CURRENT               name of the live build (replaced atomically)
        .lock                 held by the indexer while it builds or refreshes
        builds/<id>/          a complete build: shard/, manifest.json, lexicon.json, analysis/
        builds/<id>.partial/  a build in progress (never read; removed by the next build)
      cache/embeddings.sqlite vectors keyed by model and text
      rejects/                rejected catalog rows, one JSONL file per run
      events.sqlite           shopper behaviour (personalization)
      searchlog.sqlite        the search log and attributed clicks (analytics)
      cf/                     collaborative-filtering model versions

A build is written into ``<id>.partial``, renamed to ``<id>`` when complete, and
only then does ``CURRENT`` switch to it (write a temp file, fsync, rename). A crash
or Ctrl-C at any point before the rename leaves the previous build serving.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
PARTIAL = ".partial"
#: the layout of a build this version reads and writes (2: integer point keys, see ``search.store.base.point_key``)
BUILD_FORMAT = 2


class IndexLockedError(RuntimeError):
    """Another indexer process is building or refreshing this data directory."""


class NoIndexError(FileNotFoundError):
    """The data directory has no published index yet."""


class BuildFormatError(NoIndexError):
    """The live build was written in a layout this version does not read: it must be built again."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` so that readers see either the old or the new file, never a mix."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class DataDir:
    """Paths and build publication for one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.index_dir = self.root / "index"
        self.builds_dir = self.index_dir / "builds"
        self.current_file = self.index_dir / "CURRENT"
        self.cache_dir = self.root / "cache"
        self.rejects_dir = self.root / "rejects"
        self.cf_dir = self.root / "cf"
        self.events_db = self.root / "events.sqlite"
        self.search_log_db = self.root / "searchlog.sqlite"

    # ------------------------------------------------------------------ reading
    def current_build(self) -> Path | None:
        """The live build directory, or None if nothing was published yet."""
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.builds_dir / name
        return path if name and (path / MANIFEST).exists() else None

    def require_build(self) -> Path:
        """The live build directory; raises :class:`NoIndexError` with a hint if there is none."""
        build = self.current_build()
        if build is None:
            raise NoIndexError(f"no index in {self.root}: run `indexer build CATALOG --data-dir {self.root}` first")
        return build

    def current_version(self) -> str | None:
        """The live build's name (cheap: one small file read), for reload checks."""
        try:
            return self.current_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the indexer lock (non-blocking: a second indexer fails fast)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexLockedError(f"another indexer is working on {self.root}") from None
            yield

    def new_build(self) -> Path:
        """Create an empty ``<id>.partial`` directory for a new build (call under :meth:`writer_lock`)."""
        self.builds_dir.mkdir(parents=True, exist_ok=True)
        build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        path = self.builds_dir / (build_id + PARTIAL)
        path.mkdir()
        return path

    def publish(self, partial: Path) -> Path:
        """Make a finished build live: rename it, then switch ``CURRENT`` atomically."""
        if not partial.name.endswith(PARTIAL) or not (partial / MANIFEST).exists():
            raise ValueError(f"{partial} is not a finished partial build")
        final = partial.with_name(partial.name[: -len(PARTIAL)])
        _fsync_dir(partial)
        os.rename(partial, final)
        _fsync_dir(self.builds_dir)
        tmp = self.current_file.with_name(f".CURRENT.{uuid.uuid4().hex}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(final.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.current_file)
        _fsync_dir(self.index_dir)
        return final

    def discard(self, partial: Path) -> None:
        """Remove an unfinished build directory."""
        shutil.rmtree(partial, ignore_errors=True)

    def cleanup(self, keep: int = 2, before_remove: Callable[[Path], None] | None = None) -> list[Path]:
        """Remove stale partial builds and all but the newest ``keep`` finished ones (never the live one).

        Call under :meth:`writer_lock`. Readers that still have an old build open keep
        working: on POSIX, removed files stay readable until they are closed.
        """
        if not self.builds_dir.exists():
            return []
        live = self.current_build()
        removed = []
        finished = sorted(
            (p for p in self.builds_dir.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL)),
            key=lambda p: p.name,
            reverse=True,
        )
        doomed = [p for p in self.builds_dir.iterdir() if p.name.endswith(PARTIAL)]
        doomed += [p for p in finished[keep:] if p != live]
        for path in doomed:
            if before_remove is not None:
                before_remove(path)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        return removed


def read_manifest(build: Path) -> dict[str, Any]:
    """The manifest of a build."""
    return json.loads((build / MANIFEST).read_text(encoding="utf-8"))


def check_format(build: Path, manifest: dict[str, Any]) -> None:
    """Raise :class:`BuildFormatError` unless the build has this version's layout."""
    found = manifest.get("format")
    if found != BUILD_FORMAT:
        raise BuildFormatError(
            f"{build}: index layout {found!r}, this version reads {BUILD_FORMAT}: "
            f"run `indexer build CATALOG --data-dir {build.parents[2]}` again"
        )


def dir_size(path: Path) -> int:
    """Bytes the files under ``path`` occupy on disk (preallocated sparse files count only what is used)."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())
