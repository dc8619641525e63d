"""``indexer cf train``: the collaborative-filtering model from the stored events, published as a new version.

1. Every stored event on a product of the live catalog becomes a weight: its type's
   weight (``configs/personalization.yaml``) times ``exp(-age / tau)``, the age counted
   from the newest event. Weights of the same shopper and product add up.
2. Implicit-feedback ALS (``implicit``, CPU, fixed seed, ``cf.threads`` threads, BLAS
   limited to one thread) factorises the shopper x product matrix.
3. Item-item similarity: cosine between products' shopper vectors (``log1p`` of the
   weights), only pairs seen together by ``similar.min_support`` shoppers, top ``top_k``.
4. Popularity: the decayed weights per product.
5. Profiles and affinities in the events store are recomputed with the current config
   and catalog (the online updates between trainings use the same rules).

The version is written to ``cf/<version>.partial``, renamed and made live by switching
``cf/CURRENT``; the service picks it up without a restart.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from indexer.progress import Progress
from search.config import Settings
from search.db import open_database
from search.errors import InputError
from search.personal.catalog import live_catalog_keys
from search.personal.config import PersonalConfig, load_personal_config
from search.personal.model import save_model
from search.personal.store import EventStore
from search.personal.versions import CFVersions
from search.replica import CF, share
from search.store.layout import DataDir


class TrainingError(InputError):
    """Nothing to train on."""


def _progress(progress: Progress | bool) -> Progress:
    return progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))


def interaction_matrix(
    rows: list[tuple[int, str, str, str, float]], config: PersonalConfig, known: set[str] | None
) -> tuple[sp.csr_matrix, list[str], list[str], float]:
    """The shopper x product matrix of decayed, weighted events, with its row and column keys.

    Returns ``(matrix, users, items, reference_ts)``; events on products outside ``known``
    (when given) and event types of weight 0 are left out.
    """
    weights = config.events.weights
    kept = [r for r in rows if (known is None or r[2] in known) and weights.of(r[3]) > 0]
    if not kept:
        raise TrainingError("no events on catalog products to train on: import events first")
    users, user_codes = np.unique(np.array([r[1] for r in kept]), return_inverse=True)
    items, item_codes = np.unique(np.array([r[2] for r in kept]), return_inverse=True)
    ts = np.array([r[4] for r in kept], dtype=np.float64)
    ref = float(ts.max())
    base = np.array([weights.of(r[3]) for r in kept], dtype=np.float64)
    values = base * np.exp(-(ref - ts) / config.events.tau_s)
    matrix = sp.csr_matrix((values, (user_codes, item_codes)), shape=(len(users), len(items)), dtype=np.float64)
    matrix.sum_duplicates()
    return matrix, users.tolist(), items.tolist(), ref


def fit_als(matrix: sp.csr_matrix, config: PersonalConfig) -> tuple[np.ndarray, np.ndarray]:
    """ALS user and item factors (deterministic for a given seed)."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    cfg = config.cf
    with threadpool_limits(limits=1, user_api="blas"):
        model = AlternatingLeastSquares(
            factors=cfg.factors,
            regularization=cfg.regularization,
            alpha=cfg.alpha,
            iterations=cfg.iterations,
            calculate_training_loss=False,
            num_threads=cfg.threads,
            random_state=cfg.seed,
        )
        model.fit(matrix.astype(np.float32).tocsr(), show_progress=False)
    return np.asarray(model.user_factors, dtype=np.float32), np.asarray(model.item_factors, dtype=np.float32)


def item_similarity(matrix: sp.csr_matrix, top_k: int, min_support: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-k cosine neighbours of every product (CSR arrays, best first per row, no self-pairs)."""
    x = matrix.copy()
    x.data = np.log1p(x.data)
    x = x.tocsc()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0))).ravel()
    norms[norms == 0] = 1.0
    xn = x @ sp.diags(1.0 / norms)
    sim = (xn.T @ xn).tocsr()
    binary = (matrix > 0).astype(np.float32)
    support = (binary.T @ binary).tocsr()
    sim = sim.multiply(support >= min_support).tocsr()
    sim.setdiag(0)
    sim.eliminate_zeros()
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for i in range(sim.shape[0]):
        lo, hi = sim.indptr[i], sim.indptr[i + 1]
        cols, vals = sim.indices[lo:hi], sim.data[lo:hi]
        if len(vals) > top_k:
            keep = np.argpartition(-vals, top_k)[:top_k]
            cols, vals = cols[keep], vals[keep]
        order = np.lexsort((cols, -vals))
        indices.append(cols[order])
        data.append(vals[order])
        indptr.append(indptr[-1] + len(order))
    return (
        np.asarray(indptr, dtype=np.int64),
        np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, np.int32),
        np.concatenate(data).astype(np.float32) if data else np.zeros(0, np.float32),
    )


ENGINES = ("implicit", "spark")


def train_cf(
    data_dir: Path,
    configs_dir: Path,
    progress: Progress | bool = True,
    settings: Settings | None = None,
    *,
    engine: str = "implicit",
    spark_master: str = "local[2]",
) -> dict[str, Any]:
    """Train and publish a CF model version from the events in ``data_dir``.

    Returns:
        ``version``, ``seconds``, ``events`` (used), ``users``, ``items``, ``profiles``,
        ``events_until``, ``timings``.

    Raises:
        TrainingError: No usable events.
        IndexLockedError: Another training holds the lock.
    """
    if engine not in ENGINES:
        raise TrainingError(f"unknown CF engine {engine!r}: one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    wall_start = time.time()
    prog = _progress(progress)
    config = load_personal_config(Path(configs_dir))
    data = DataDir(Path(data_dir))
    # reads pseudonyms only, never makes one
    store = EventStore(open_database(settings or Settings(), sqlite_path=data.events_db), fingerprint=None)
    if not store.exists():
        raise TrainingError(f"no events in {data.root}: run `indexer events import EVENTS.jsonl` first")
    versions = CFVersions(data.cf_dir)
    try:
        with versions.lock():
            with prog.stage("read"):
                items = live_catalog_keys(data.root, settings)
                rows = store.read_events()
            if items is None:
                prog.log(f"no index in {data.root}: training on every product seen in events")
            with prog.stage("matrix"):
                matrix, users, products, ref = interaction_matrix(rows, config, set(items) if items else None)
            with prog.stage("als"):
                if engine == "spark":
                    from indexer.cf_spark import fit_als_spark

                    user_factors, item_factors = fit_als_spark(matrix, config, spark_master)
                else:
                    user_factors, item_factors = fit_als(matrix, config)
            with prog.stage("similar"):
                similar = item_similarity(matrix, config.similar.top_k, config.similar.min_support)
            popularity = np.asarray(matrix.sum(axis=0)).ravel()
            with prog.stage("profiles"):
                profiles = store.rebuild(rows, items or {}, config.events)
            events_until = max(r[0] for r in rows)
            sharing, keep = settings or Settings(), config.keep_versions

            def published(final: Path) -> None:  # with a shared database, every API node gets it from there
                share(sharing, CF, final, keep)

            with prog.stage("write"), versions.publishing(keep=keep, published=published) as version:
                manifest = {
                    "version": version.name,
                    "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "events_until": events_until,
                    "reference_ts": ref,
                    "events": int(sum(1 for r in rows if items is None or r[2] in items)),
                    "users": len(users),
                    "items": len(products),
                    "similar_pairs": int(len(similar[1])),
                    "engine": engine,
                    "config": config.model_dump(mode="json"),
                    "timings": dict(prog.timings),
                }
                # shoppers forgotten while we trained must not come back with this version
                gone = set(store.forgotten_since(wall_start))
                if gone:
                    for i, u in enumerate(users):
                        if u in gone:
                            user_factors[i] = 0.0
                save_model(version.path, users, products, user_factors, item_factors, popularity, similar, manifest)
    finally:
        store.close()
    seconds = round(time.perf_counter() - started, 3)
    prog.log(f"CF model {version.name}: {len(users)} shoppers x {len(products)} products")
    return {
        "version": version.name,
        "seconds": seconds,
        "events": manifest["events"],
        "users": len(users),
        "items": len(products),
        "similar_pairs": manifest["similar_pairs"],
        "engine": engine,
        "profiles": profiles,
        "events_until": events_until,
        "timings": dict(prog.timings),
    }
