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

Builds are versions of a :class:`search.versioned.VersionedDir`: written into
``<id>.partial``, fsynced, renamed to ``<id>`` when complete, and only then does
``CURRENT`` switch to it. A crash or Ctrl-C at any point leaves the previous build serving.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from search.errors import EXIT_NO_INDEX, InputError
from search.versioned import MANIFEST, PARTIAL, IndexLockedError, VersionedDir, write_json_atomic

__all__ = [
    "BUILD_FORMAT",
    "MANIFEST",
    "PARTIAL",
    "BuildFormatError",
    "DataDir",
    "IndexLockedError",
    "NoIndexError",
    "check_format",
    "dir_size",
    "read_manifest",
    "write_json_atomic",
]

#: the layout of a build this version reads and writes (2: integer point keys, see ``search.store.base.point_key``)
BUILD_FORMAT = 2


class NoIndexError(InputError, FileNotFoundError):
    """The data directory has no published index yet."""

    exit_code = EXIT_NO_INDEX


class BuildFormatError(NoIndexError):
    """The live build was written in a layout this version does not read: it must be built again."""


class DataDir:
    """Paths of one data directory; its index builds are a :class:`~search.versioned.VersionedDir`."""

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
        self.builds = VersionedDir(self.index_dir, self.builds_dir, busy=f"another indexer is working on {self.root}")

    # ------------------------------------------------------------------ reading
    def current_build(self) -> Path | None:
        """The live build directory, or None if nothing was published yet."""
        return self.builds.current_dir()

    def require_build(self) -> Path:
        """The live build directory; raises :class:`NoIndexError` with a hint if there is none."""
        build = self.current_build()
        if build is None:
            raise NoIndexError(f"no index in {self.root}: run `indexer build CATALOG --data-dir {self.root}` first")
        return build

    def current_version(self) -> str | None:
        """The live build's name (cheap: one small file read), for reload checks."""
        return self.builds.current_version()

    # ------------------------------------------------------------------ writing
    def writer_lock(self) -> contextlib.AbstractContextManager[None]:
        """Hold the indexer lock (non-blocking: a second indexer fails fast)."""
        return self.builds.lock()

    def new_build(self) -> Path:
        """Create an empty ``<id>.partial`` directory for a new build (call under :meth:`writer_lock`)."""
        return self.builds.new_partial()

    def publish(self, partial: Path) -> Path:
        """Make a finished build live (see :meth:`search.versioned.VersionedDir.publish`)."""
        return self.builds.publish(partial)

    def discard(self, partial: Path) -> None:
        """Remove an unfinished build directory."""
        self.builds.discard(partial)

    def cleanup(self, keep: int = 2, before_remove: Callable[[Path], None] | None = None) -> list[Path]:
        """Remove stale partial builds and all but the newest ``keep`` finished ones (never the live one)."""
        return self.builds.cleanup(keep, before_remove)


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
