"""What personalization needs to know about the catalog: each product's brand and category keys."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.config import Settings
from search.personal.scoring import item_keys
from search.store.base import Store
from search.store.layout import DataDir, NoIndexError

log = logging.getLogger(__name__)

FIELDS = ("id", "brand", "brand_key", "category", "sales")

ItemKeyMap = dict[str, tuple[str | None, str | None]]


def catalog_keys(store: Store) -> ItemKeyMap:
    """Brand and category keys of every product in an open index."""
    return {p["id"]: item_keys(p) for p in store.payloads(FIELDS) if p.get("id")}


def live_catalog_keys(data_dir: Path, settings: Settings | None = None) -> ItemKeyMap | None:
    """Keys of the live build's products (None when no index has been built yet)."""
    from search.index import open_build

    try:
        build = DataDir(data_dir).require_build()
    except NoIndexError:
        return None
    handle = open_build(build, settings)
    try:
        return catalog_keys(handle.store)
    finally:
        handle.close()


@dataclass(frozen=True)
class ItemTable:
    """Every product of one index version as arrays, for scoring the whole catalog at once.

    Attributes:
        version: The index version it was read from.
        ids: Product ids.
        brands: Brand code per product (-1: none), codes index ``brand_names``.
        categories: Category code per product (-1: none).
        sales: Monthly sales (0 when unknown), the popularity fallback without a CF model.
    """

    version: str
    ids: list[str]
    brands: np.ndarray
    brand_names: list[str]
    categories: np.ndarray
    category_names: list[str]
    sales: np.ndarray

    @classmethod
    def from_store(cls, store: Store, version: str) -> ItemTable:
        """Read the table from an open index."""
        ids: list[str] = []
        brand_codes: dict[str, int] = {}
        cat_codes: dict[str, int] = {}
        brands, cats, sales = [], [], []
        for p in store.payloads(FIELDS):
            if not p.get("id"):
                continue
            brand, cat = item_keys(p)
            ids.append(p["id"])
            brands.append(brand_codes.setdefault(brand, len(brand_codes)) if brand else -1)
            cats.append(cat_codes.setdefault(cat, len(cat_codes)) if cat else -1)
            sales.append(float(p.get("sales") or 0))
        return cls(
            version,
            ids,
            np.asarray(brands, dtype=np.int64),
            list(brand_codes),
            np.asarray(cats, dtype=np.int64),
            list(cat_codes),
            np.asarray(sales, dtype=np.float64),
        )

    def lookup(self, values: dict[str, float], names: Sequence[str], codes: np.ndarray) -> np.ndarray:
        """Per product: the value of its code's name in ``values`` (0 when absent)."""
        table = np.zeros(len(names) + 1)
        index = {n: i for i, n in enumerate(names)}
        for name, v in values.items():
            i = index.get(name)
            if i is not None:
                table[i] = v
        return table[codes]  # code -1 reads the trailing 0
