"""The CF versions folder (publication, cleanup, scrubbing) and the service's hot-reloading loader.

See :mod:`search.personal.model` for the layout of ``DATA_DIR/cf``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from search.personal.model import CFModel, load_model
from search.versioned import PARTIAL, VersionedDir

log = logging.getLogger(__name__)


class CFVersions(VersionedDir):
    """The versions folder (``DataDir.cf_dir``): publication and cleanup (:class:`VersionedDir`), scrubbing."""

    def __init__(self, cf_dir: Path) -> None:
        super().__init__(cf_dir, busy=f"another CF training is running in {cf_dir}")

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
