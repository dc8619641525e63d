"""Collaborative-filtering model versions: the files ``indexer cf train`` writes, and their loading.

::

    DATA_DIR/cf/
      CURRENT                 name of the live version (replaced atomically)
      .lock                   held by a training run
      <version>/              manifest.json, users.json, items.json, user_factors.npy,
                              item_factors.npy, popularity.npy, similar.npz
      <version>.partial/      a version being written (never read)

Versions are published like index builds (:class:`search.versioned.VersionedDir`): written
into ``<version>.partial``, fsynced, renamed, then ``CURRENT`` switches. The service checks ``CURRENT`` at
most every ``reload_interval_s`` and loads a new version without a restart. Serving needs
numpy only (no ``implicit``, no scipy). Publication and reloading: :mod:`search.personal.versions`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from search.versioned import MANIFEST, write_json_atomic

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass
class CFModel:
    """One loaded model version.

    Attributes:
        version: The version's directory name.
        manifest: Its manifest (config, counts, timings).
        user_index: Pseudonymous shopper key -> row of ``user_factors``.
        item_ids: Product ids, by row of ``item_factors``.
        user_factors: Shopper factors (float32); a zero row means forgotten.
        item_factors: Product factors (float32).
        popularity: Decayed, weighted interactions per product.
        sim_indptr: Item-item similarity (CSR rows: the neighbours of each product, best first).
        events_until: The last event id the training saw.
    """

    version: str
    manifest: dict[str, Any]
    user_index: dict[str, int]
    item_ids: list[str]
    user_factors: np.ndarray
    item_factors: np.ndarray
    popularity: np.ndarray
    sim_indptr: np.ndarray
    sim_indices: np.ndarray
    sim_data: np.ndarray
    item_index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.item_index = {pid: i for i, pid in enumerate(self.item_ids)}

    @property
    def events_until(self) -> int:
        """The last event id the training saw."""
        return int(self.manifest.get("events_until", 0))

    def user_vector(self, user: str) -> np.ndarray | None:
        """The shopper's factors (None when absent or forgotten)."""
        row = self.user_index.get(user)
        if row is None:
            return None
        vec = self.user_factors[row]
        return vec if vec.any() else None

    def scores(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """User-item scores for the products the model knows."""
        rows = [(pid, self.item_index[pid]) for pid in ids if pid in self.item_index]
        if not rows:
            return {}
        values = self.item_factors[[r for _, r in rows]] @ vector
        return {pid: float(v) for (pid, _), v in zip(rows, values, strict=True)}

    def all_scores(self, vector: np.ndarray) -> np.ndarray:
        """User-item scores for every product of the model (by row)."""
        return self.item_factors @ vector

    def popularity_of(self, ids: Sequence[str]) -> dict[str, float]:
        """Popularity of the given products (0 when unseen)."""
        return {pid: float(self.popularity[self.item_index[pid]]) if pid in self.item_index else 0.0 for pid in ids}

    def neighbours(self, product_id: str) -> list[tuple[str, float]]:
        """Products co-occurring with ``product_id`` in shoppers' histories, most similar first."""
        row = self.item_index.get(product_id)
        if row is None:
            return []
        lo, hi = int(self.sim_indptr[row]), int(self.sim_indptr[row + 1])
        return [
            (self.item_ids[int(j)], float(s))
            for j, s in zip(self.sim_indices[lo:hi], self.sim_data[lo:hi], strict=True)
        ]

    def drop_user(self, user: str) -> None:
        """Forget a shopper in this loaded copy."""
        row = self.user_index.get(user)
        if row is not None:
            self.user_factors[row] = 0.0


def save_model(
    folder: Path,
    users: Sequence[str],
    items: Sequence[str],
    user_factors: np.ndarray,
    item_factors: np.ndarray,
    popularity: np.ndarray,
    similar: tuple[np.ndarray, np.ndarray, np.ndarray],
    manifest: dict[str, Any],
) -> None:
    """Write a model version's files into ``folder`` (the manifest last: it marks the version complete)."""
    (folder / "users.json").write_text(json.dumps(list(users)), encoding="utf-8")
    (folder / "items.json").write_text(json.dumps(list(items), ensure_ascii=False), encoding="utf-8")
    np.save(folder / "user_factors.npy", np.ascontiguousarray(user_factors, dtype=np.float32))
    np.save(folder / "item_factors.npy", np.ascontiguousarray(item_factors, dtype=np.float32))
    np.save(folder / "popularity.npy", np.asarray(popularity, dtype=np.float32))
    indptr, indices, data = similar
    np.savez(
        folder / "similar.npz",
        indptr=indptr.astype(np.int64),
        indices=indices.astype(np.int32),
        data=data.astype(np.float32),
    )
    write_json_atomic(folder / MANIFEST, {"format": FORMAT, **manifest})


def load_model(folder: Path) -> CFModel:
    """Load a published model version."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{folder}: CF model format {manifest.get('format')!r}, expected {FORMAT}")
    users = json.loads((folder / "users.json").read_text(encoding="utf-8"))
    items = json.loads((folder / "items.json").read_text(encoding="utf-8"))
    with np.load(folder / "similar.npz") as sim:
        indptr, indices, data = sim["indptr"], sim["indices"], sim["data"]
    return CFModel(
        version=folder.name,
        manifest=manifest,
        user_index={u: i for i, u in enumerate(users)},
        item_ids=items,
        user_factors=np.load(folder / "user_factors.npy"),
        item_factors=np.load(folder / "item_factors.npy"),
        popularity=np.load(folder / "popularity.npy"),
        sim_indptr=indptr,
        sim_indices=indices,
        sim_data=data,
    )
