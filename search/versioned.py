"""A folder of immutable versions with one live version: index builds and CF models.

::

    ROOT/
      CURRENT              name of the live version (replaced atomically)
      .lock                held by the one process writing a new version
      VERSIONS/<id>/       a finished version (VERSIONS is ROOT itself or a sub-folder)
      VERSIONS/<id>.partial/  a version being written (never read; removed by the next cleanup)

One rule makes a version durable before anyone can see it: every file and folder
inside the partial version is fsynced, the partial folder is renamed to its final
name, the parent is fsynced, and only then is ``CURRENT`` replaced (temp file, fsync,
rename, fsync of ``ROOT``). A crash or kill at any point leaves ``CURRENT`` naming the
previous version, whose files are complete; at worst a partial folder or an unpublished
finished one stays behind until the next :meth:`VersionedDir.cleanup`.

Writers use :meth:`VersionedDir.publishing` under :meth:`VersionedDir.lock`::

    with versions.lock(), versions.publishing(keep=2) as version:
        write_files(version.path)          # any exception discards the partial folder
    print(version.final)                   # published and live
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.errors import EXIT_LOCKED, SearchError, raise_if_interrupted

MANIFEST = "manifest.json"
PARTIAL = ".partial"
CURRENT = "CURRENT"
_SUFFIX = re.compile(r"[0-9a-f]{6}")
_TOP = 0xFFFFFF


class IndexLockedError(SearchError):
    """Another process is writing a new version into this folder."""

    exit_code = EXIT_LOCKED


def fsync_path(path: Path) -> None:
    """fsync one file or folder."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """fsync every file and folder under ``path`` (deepest first), then ``path`` itself."""
    for folder, _, files in os.walk(path, topdown=False):
        for name in files:
            file = Path(folder, name)
            if not file.is_symlink():
                fsync_path(file)
        fsync_path(Path(folder))


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``path`` so that readers see either the old or the new file, never a mix, and it survives a crash."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))


@dataclass
class Publication:
    """A version being written by :meth:`VersionedDir.publishing`.

    Attributes:
        path: The partial folder to write into.
        final: The published folder (set once the ``with`` block ended and the version is live).
    """

    path: Path
    final: Path | None = None

    @property
    def name(self) -> str:
        """The version's name once published (the partial folder's name without ``.partial``)."""
        return self.path.name.removesuffix(PARTIAL)


class VersionedDir:
    """Versions of something under ``root`` (see the module docstring).

    Args:
        root: The folder holding ``CURRENT`` and ``.lock``.
        versions_dir: Where the versions' folders live (default: ``root``).
        busy: The message of :class:`IndexLockedError` when another writer holds the lock.
    """

    def __init__(self, root: Path, versions_dir: Path | None = None, busy: str | None = None) -> None:
        self.root = Path(root)
        self.dir = Path(versions_dir) if versions_dir is not None else self.root
        self.current_file = self.root / CURRENT
        self.busy = busy or f"another process is writing a new version in {self.root}"

    # ------------------------------------------------------------------ reading
    def current_version(self) -> str | None:
        """The live version's name (cheap: one small file read), or None before the first one."""
        try:
            return self.current_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def current_dir(self) -> Path | None:
        """The live version's folder, or None if nothing complete was published yet."""
        name = self.current_version()
        path = self.dir / name if name else None
        return path if path is not None and (path / MANIFEST).exists() else None

    def versions(self) -> list[Path]:
        """Finished versions, newest first."""
        if not self.dir.exists():
            return []
        done = [p for p in self.dir.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL)]
        return sorted(done, key=lambda p: p.name, reverse=True)

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the writer lock (non-blocking: a second writer fails fast with :class:`IndexLockedError`)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexLockedError(self.busy) from None
            yield

    def new_partial(self, name: str | None = None) -> Path:
        """Create an empty ``<id>.partial`` folder; ids sort by creation time (call under :meth:`lock`).

        ``name`` gives the id instead (a copy of a version published elsewhere keeps its name).
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / ((name or self._new_name()) + PARTIAL)
        if name:
            shutil.rmtree(path, ignore_errors=True)  # left over by an interrupted copy
        path.mkdir()
        return path

    def _new_name(self) -> str:
        """``YYYYmmdd-HHMMSS-xxxxxx``: a random hex suffix, above any other version's of the same second.

        The suffix keeps ids from two data directories apart (server collections are named by
        them); keeping it above its neighbours makes names sort in creation order.
        """
        while True:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            taken = [int(p.name[16:22], 16) for p in self.dir.glob(stamp + "-*") if _SUFFIX.fullmatch(p.name[16:22])]
            low = max(taken, default=-1) + 1
            if low <= _TOP:
                return f"{stamp}-{secrets.randbelow(_TOP + 1 - low) + low:06x}"
            time.sleep(0.05)

    def publish(self, partial: Path) -> Path:
        """Make a finished partial version durable and live (the one fsync rule; see the module docstring)."""
        if not partial.name.endswith(PARTIAL) or not (partial / MANIFEST).exists():
            raise ValueError(f"{partial} is not a finished partial version")
        final = partial.with_name(partial.name.removesuffix(PARTIAL))
        fsync_tree(partial)
        os.rename(partial, final)
        fsync_path(self.dir)
        write_text_atomic(self.current_file, final.name + "\n")
        return final

    def discard(self, partial: Path) -> None:
        """Remove an unfinished version's folder."""
        shutil.rmtree(partial, ignore_errors=True)

    def cleanup(self, keep: int = 2, before_remove: Callable[[Path], None] | None = None) -> list[Path]:
        """Remove partial folders and all but the newest ``keep`` versions (never the live one).

        Call under :meth:`lock`. ``before_remove`` is called with each folder first (to drop
        what lives outside it, such as a server collection). Readers that still have an old
        version open keep working: on POSIX, removed files stay readable until closed.
        """
        if not self.dir.exists():
            return []
        live = self.current_dir()
        doomed = [p for p in self.dir.iterdir() if p.is_dir() and p.name.endswith(PARTIAL)]
        doomed += [p for p in self.versions()[keep:] if p != live]
        for path in doomed:
            if before_remove is not None:
                before_remove(path)
            shutil.rmtree(path, ignore_errors=True)
        return doomed

    @contextlib.contextmanager
    def publishing(
        self,
        *,
        keep: int = 2,
        discard: Callable[[Path], None] | None = None,
        published: Callable[[Path], None] | None = None,
        name: str | None = None,
    ) -> Iterator[Publication]:
        """Write a new version: yields a :class:`Publication` whose ``path`` to fill (call under :meth:`lock`).

        When the block ends cleanly the version (which must contain ``manifest.json``) is
        published, ``published(final)`` is called and old versions are cleaned up (``keep``,
        with ``discard`` as ``before_remove``). When the block raises (Ctrl-C included),
        ``discard(partial)`` is called, the partial folder removed, and the error re-raised:
        the previous version stays live. ``name``: see :meth:`new_partial`.
        """
        version = Publication(self.new_partial(name))
        try:
            yield version
            raise_if_interrupted()  # a Ctrl-C swallowed somewhere inside the block still stops it here
            version.final = self.publish(version.path)
        except BaseException:
            if discard is not None:
                discard(version.path)
            self.discard(version.path)
            raise
        if published is not None:
            published(version.final)
        self.cleanup(keep, before_remove=discard)
