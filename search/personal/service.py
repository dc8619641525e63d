"""Personalization as the service runs it: the :class:`Personalizer` of the search pipeline,
event recording, forgetting, recommendations and similar products.

Startup is cheap: nothing is read until the first request that needs it. Without a
CF model (before the first ``indexer cf train``) shoppers are personalized by their
online affinities alone; without events nobody is (everyone gets the anonymous ranking).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from search.config import Settings
from search.db import DatabaseError, DatabaseUnavailable, open_database
from search.personal.catalog import ItemKeyMap, ItemTable
from search.personal.config import PersonalConfig, load_personal_config
from search.personal.events import EventIn
from search.personal.model import CFModel
from search.personal.pseudonym import Pseudonymizer
from search.personal.recommend import blend_scores, log_normalised, rank_top, similar_blend
from search.personal.scoring import ITEM_KEY_FIELDS, ShopperSignals, item_keys, relative, rerank
from search.personal.store import AppendResult, EventStore, Profile
from search.personal.versions import ModelLoader
from search.profiles import PersonalizationConfig
from search.rank.candidate import Candidate
from search.store.base import DENSE, SourceQuery, Store
from search.store.layout import DataDir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recommendation:
    """Recommended product ids with scores, and whether they are personal or the popular fallback."""

    items: list[tuple[str, float]]
    source: str


class Personalization:
    """Personalized reranking and everything around it, over one data directory.

    Args:
        settings: Data dir, pseudonymisation secret, reload interval.
        config: The personalization config (``configs/personalization.yaml``).
    """

    def __init__(self, settings: Settings, config: PersonalConfig) -> None:
        self.settings = settings
        self.config = config
        data = DataDir(settings.data_dir)
        self.pseudonymize = Pseudonymizer(settings.user_id_secret.get_secret_value())
        if self.pseudonymize.is_default:
            log.warning("user_id_secret is the default: set SEARCH_USER_ID_SECRET in production")
        self.store = EventStore(open_database(settings, sqlite_path=data.events_db), self.pseudonymize.fingerprint())
        self.models = ModelLoader(data.cf_dir, settings.reload_interval_s)
        self._tables: dict[str, ItemTable] = {}
        self._table_lock = threading.Lock()
        self._maps: dict[tuple[str, str], np.ndarray] = {}

    @classmethod
    def open(cls, settings: Settings) -> Personalization:
        """Read the config and check an existing events database (the model loads lazily).

        Raises:
            ConfigError: Invalid ``personalization.yaml``, or an events database written
                under another ``user_id_secret`` (better to fail at startup than per request).
        """
        personal = cls(settings, load_personal_config(settings.configs_dir))
        try:
            personal.store.check()
        except DatabaseUnavailable as exc:  # start anyway: /healthz says why, the pool reconnects when it is back
            log.error("shared-state database unavailable at start: %s", exc)
        return personal

    def health(self) -> str | None:
        """None when the shared-state database answers, else why not (for ``/healthz``)."""
        try:
            self.store.db.ping()
            self.store.check()
        except DatabaseError as exc:
            return str(exc)
        return None

    def close(self) -> None:
        """Close the events database."""
        self.store.close()

    # ------------------------------------------------------------------ signals
    def model(self) -> CFModel | None:
        """The live CF model (None before the first training)."""
        return self.models.get()

    def _user_vector(self, profile: Profile, model: CFModel | None) -> np.ndarray | None:
        # A profile that started after the training (e.g. a shopper forgotten then back) is not the model's row.
        if model is None or profile.first_event > model.events_until:
            return None
        return model.user_vector(profile.user)

    def signals(self, user_id: str, ids: Sequence[str], popularity: bool = True) -> ShopperSignals:
        """What is known about a shopper, for scoring ``ids`` (empty without history)."""
        profile = self.store.profile(self.pseudonymize(user_id))
        if profile is None:
            return ShopperSignals()
        tau, prior = self.config.events.tau_s, self.config.affinity.prior
        model = self.model()
        vector = self._user_vector(profile, model)
        return ShopperSignals(
            brands=relative(profile.brands, tau, prior),
            categories=relative(profile.categories, tau, prior),
            cf=model.scores(vector, ids) if model is not None and vector is not None else None,
            popularity=model.popularity_of(ids) if model is not None and popularity else {},
        )

    def rerank(self, user_id: str, candidates: list[Candidate], config: PersonalizationConfig) -> list[Candidate]:
        """The :class:`search.rank.personalize.Personalizer` entry point."""
        if not candidates:
            return candidates
        try:
            signals = self.signals(user_id, [c.id for c in candidates], popularity=config.popularity > 0)
        except (
            sqlite3.Error,
            OSError,
            DatabaseError,
        ) as exc:  # degrade to the anonymous ranking, never fail the search
            log.warning("personalization skipped: %s", exc)
            return candidates
        return rerank(candidates, signals, config, self.config.affinity)

    # ------------------------------------------------------------------ events
    def record(self, events: Sequence[EventIn], store: Store, now: float) -> AppendResult:
        """Store events (pseudonymised) and update the shoppers' affinities at once."""
        keys: dict[str, str] = {}  # a batch usually repeats its shoppers: one keyed hash each

        def pseudonymize(user_id: str) -> str:
            key = keys.get(user_id)
            if key is None:
                key = keys[user_id] = self.pseudonymize(user_id)
            return key

        new = [e.to_new(pseudonymize, now) for e in events]
        products = list(dict.fromkeys(e.product for e in new))
        payloads = store.get(products, ITEM_KEY_FIELDS)
        items: ItemKeyMap = {pid: item_keys(p) for pid, p in zip(products, payloads, strict=True) if p is not None}
        return self.store.append(new, items, self.config.events)

    def forget(self, user_id: str) -> int:
        """Remove a shopper: events, profile, affinities, and their factors (served and on disk)."""
        key = self.pseudonymize(user_id)
        deleted = self.store.forget(key)
        self.models.forget(key)
        self.models.versions.scrub([key])
        from search.replica import scrub_shared  # and in the versions other nodes copy from the database

        scrub_shared(self.settings, self.store.db, [key])
        return deleted

    # ------------------------------------------------------------------ recommendations
    def item_table(self, store: Store, version: str) -> ItemTable:
        """The catalog as arrays (read once per index version)."""
        table = self._tables.get(version)
        if table is None:
            with self._table_lock:
                table = self._tables.get(version)
                if table is None:
                    table = ItemTable.from_store(store, version)
                    self._tables = {version: table}
                    self._maps.clear()
        return table

    def _model_rows(self, model: CFModel, table: ItemTable) -> np.ndarray:
        """Per catalog product: its row in the model (-1 when the model has not seen it)."""
        key = (model.version, table.version)
        rows = self._maps.get(key)
        if rows is None:
            rows = np.asarray([model.item_index.get(pid, -1) for pid in table.ids], dtype=np.int64)
            self._maps = {key: rows}
        return rows

    def _popularity(self, model: CFModel | None, table: ItemTable) -> np.ndarray:
        if model is None:
            return table.sales
        rows = self._model_rows(model, table)
        return np.where(rows >= 0, model.popularity[np.maximum(rows, 0)], 0.0)

    def recommend(self, user_id: str, size: int, store: Store, version: str) -> Recommendation:
        """A shopper's top products: CF plus affinity, never what they bought; popular ones without history."""
        table = self.item_table(store, version)
        model = self.model()
        popularity = self._popularity(model, table)
        key = self.pseudonymize(user_id)
        profile = self.store.profile(key)
        if profile is None:
            nothing = np.zeros(len(table.ids), bool)
            return Recommendation(rank_top(table.ids, log_normalised(popularity), nothing, size), "popular")
        touched = self.store.touched(key)
        cfg = self.config
        exclude = np.asarray(
            [pid in touched and (cfg.recommend.exclude == "seen" or "purchase" in touched[pid]) for pid in table.ids],
            dtype=bool,
        )
        vector = self._user_vector(profile, model)
        cf = None
        if model is not None and vector is not None:
            rows = self._model_rows(model, table)
            cf = np.where(rows >= 0, model.all_scores(vector)[np.maximum(rows, 0)], 0.0)
        tau, prior = cfg.events.tau_s, cfg.affinity.prior
        brands = table.lookup(relative(profile.brands, tau, prior), table.brand_names, table.brands)
        categories = table.lookup(relative(profile.categories, tau, prior), table.category_names, table.categories)
        scores = blend_scores(cf, brands, categories, popularity, cfg.recommend, cfg.affinity)
        return Recommendation(rank_top(table.ids, scores, exclude, size), "personal")

    def similar(self, product_id: str, size: int, store: Store, ef: int | None = None) -> list[tuple[str, float]]:
        """Products like ``product_id``: co-occurrence neighbours blended with embedding neighbours."""
        model = self.model()
        cf = [(pid, s) for pid, s in model.neighbours(product_id)] if model is not None else []
        dense: list[tuple[str, float]] = []
        vectors = store.dense_vectors([product_id])
        if product_id in vectors:
            depth = max(2 * size, 20) + 1
            hits = store.search([SourceQuery(DENSE, DENSE, vectors[product_id], depth, ef=ef)])[0]
            dense = [(h.id, h.score) for h in hits if h.id != product_id]
        return similar_blend(cf, dense, self.config.similar, product_id)[: size * 2]
