"""ALS on Spark MLlib, the distributed counterpart of ``implicit`` (``indexer cf train --engine spark``).

The shopper x product matrix built from the events in the store (the same decayed,
weighted values ``implicit`` trains on, see :func:`indexer.cf.interaction_matrix`) is
exported to Parquet as ``(user, item, value)`` rows; Spark reads it, fits
``ALS(implicitPrefs=True)`` (confidence ``1 + alpha * value``, as ``implicit``) and the
factors come back in the matrix's row and column order, so the model version is
written exactly as for the default engine and the API loads it the same way.

Differences to keep in mind: Spark scales ``regParam`` by each shopper's and product's
number of events (ALS-WR), and its random initialisation differs; the measured recall
of both engines is in ``BENCHMARKS.md``. The Parquet folder must be readable by every
executor: with a cluster master, pass a shared ``staging`` folder.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp

from search.personal.config import PersonalConfig

log = logging.getLogger(__name__)


def export_interactions(matrix: sp.csr_matrix, folder: Path) -> Path:
    """Write the matrix's non-zero cells as Parquet ``(user int, item int, value float)``; returns the file."""
    coo = matrix.tocoo()
    table = pa.table(
        {
            "user": pa.array(coo.row.astype(np.int32)),
            "item": pa.array(coo.col.astype(np.int32)),
            "value": pa.array(coo.data.astype(np.float32)),
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "interactions.parquet"
    pq.write_table(table, path)
    return path


def _factors(rows: list[tuple[int, list[float]]], n: int, rank: int) -> np.ndarray:
    out = np.zeros((n, rank), dtype=np.float32)
    for i, features in rows:
        out[int(i)] = np.asarray(features, dtype=np.float32)
    return out


def fit_als_spark(
    matrix: sp.csr_matrix, config: PersonalConfig, master: str = "local[2]", staging: Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """ALS user and item factors trained by Spark MLlib (rows and columns in the matrix's order)."""
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import SparkSession

    cfg = config.cf
    own = staging is None
    folder = Path(tempfile.mkdtemp(prefix="zhsearch-cf-")) if staging is None else Path(staging)
    try:
        path = export_interactions(matrix, folder)
        builder = SparkSession.builder.master(master).appName("zhsearch-cf-train")
        builder = builder.config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8")
        if master.startswith("local"):  # nothing listens beyond this machine
            builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        try:
            frame = spark.read.parquet(str(path))
            als = ALS(
                rank=cfg.factors,
                maxIter=cfg.iterations,
                regParam=cfg.regularization,
                alpha=cfg.alpha,
                implicitPrefs=True,
                userCol="user",
                itemCol="item",
                ratingCol="value",
                seed=cfg.seed,
                coldStartStrategy="drop",
            )
            model = als.fit(frame)
            users = [(r["id"], r["features"]) for r in model.userFactors.collect()]
            items = [(r["id"], r["features"]) for r in model.itemFactors.collect()]
        finally:
            spark.stop()
        return _factors(users, matrix.shape[0], cfg.factors), _factors(items, matrix.shape[1], cfg.factors)
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)
