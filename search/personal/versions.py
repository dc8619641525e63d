"""The CF versions folder (publication, cleanup, scrubbing) and the service's hot-reloading loader.

See :mod:`search.personal.model` for the layout of ``DATA_DIR/cf``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from search.personal.model import MANIFEST, PARTIAL, CFModel, load_model
from search.store.layout import IndexLockedError

log = logging.getLogger(__name__)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class CFVersions:
    """The versions folder (``DataDir.cf_dir``): publication, cleanup, scrubbing."""

    def __init__(self, cf_dir: Path) -> None:
        self.dir = Path(cf_dir)
        self.current_file = self.dir / "CURRENT"

    def current_version(self) -> str | None:
        """The live version's name (one small file read)."""
        try:
            return self.current_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def current_dir(self) -> Path | None:
        """The live version's folder (None before the first training)."""
        name = self.current_version()
        path = self.dir / name if name else None
        return path if path is not None and (path / MANIFEST).exists() else None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the training lock (non-blocking: a second training fails fast)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexLockedError(f"another CF training is running in {self.dir}") from None
            yield

    def new_version(self) -> Path:
        """An empty ``<version>.partial`` folder (call under :meth:`lock`)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        name = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        path = self.dir / (name + PARTIAL)
        path.mkdir()
        return path

    def publish(self, partial: Path) -> Path:
        """Rename a finished version and switch ``CURRENT`` to it atomically."""
        if not partial.name.endswith(PARTIAL) or not (partial / MANIFEST).exists():
            raise ValueError(f"{partial} is not a finished partial CF version")
        final = partial.with_name(partial.name[: -len(PARTIAL)])
        for f in partial.iterdir():
            _fsync_path(f)
        os.rename(partial, final)
        _fsync_path(self.dir)
        tmp = self.dir / f".CURRENT.{uuid.uuid4().hex}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(final.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.current_file)
        _fsync_path(self.dir)
        return final

    def versions(self) -> list[Path]:
        """Finished versions, newest first."""
        if not self.dir.exists():
            return []
        done = [p for p in self.dir.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL)]
        return sorted(done, key=lambda p: p.name, reverse=True)

    def cleanup(self, keep: int) -> list[Path]:
        """Remove partial folders and all but the newest ``keep`` versions (never the live one)."""
        if not self.dir.exists():
            return []
        live = self.current_dir()
        doomed = [p for p in self.dir.iterdir() if p.is_dir() and p.name.endswith(PARTIAL)]
        doomed += [p for p in self.versions()[keep:] if p != live]
        for path in doomed:
            shutil.rmtree(path, ignore_errors=True)
        return doomed

    def scrub(self, users: Sequence[str]) -> int:
        """Zero the factor rows of ``users`` in every version on disk; returns rows zeroed."""
        wanted = set(users)
        zeroed = 0
        for folder in [*self.versions(), *(p for p in self.dir.glob("*" + PARTIAL) if p.is_dir())]:
            try:
                keys = json.loads((folder / "users.json").read_text(encoding="utf-8"))
                rows = [i for i, u in enumerate(keys) if u in wanted]
                if not rows:
                    continue
                factors = np.load(folder / "user_factors.npy", mmap_mode="r+")
                factors[rows] = 0.0
                factors.flush()
                del factors
                zeroed += len(rows)
            except (FileNotFoundError, ValueError, OSError):  # a version being removed or written
                continue
        return zeroed


class ModelLoader:
    """The live CF model, reloaded when ``CURRENT`` changes (checked at most every ``interval_s``).

    A reload happens on the calling thread; other threads keep serving the previous
    version meanwhile. A broken version is logged and skipped (the previous one stays).
    """

    def __init__(self, cf_dir: Path, interval_s: float) -> None:
        self.versions = CFVersions(cf_dir)
        self.interval_s = interval_s
        self._model: CFModel | None = None
        self._loaded: str | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._forgotten: set[str] = set()

    def get(self) -> CFModel | None:
        """The live model (None before the first training)."""
        now = time.monotonic()
        if now - self._checked >= self.interval_s and self._lock.acquire(blocking=False):
            try:
                self._checked = now
                name = self.versions.current_version()
                if name and name != self._loaded:
                    self._load(name)
            finally:
                self._lock.release()
        return self._model

    def _load(self, name: str) -> None:
        folder = self.versions.dir / name
        try:
            model = load_model(folder)
        except (OSError, ValueError, KeyError) as exc:
            log.error("cannot load CF model %s: %s", name, exc)
            self._loaded = name  # do not retry a broken version on every request
            return
        for user in self._forgotten:
            model.drop_user(user)
        self._model, self._loaded = model, name
        log.info("loaded CF model %s (%d shoppers, %d products)", name, len(model.user_index), len(model.item_ids))

    def forget(self, user: str) -> None:
        """Drop a shopper from the served model now and from every later load in this process."""
        with self._lock:
            self._forgotten.add(user)
            if self._model is not None:
                self._model.drop_user(user)
