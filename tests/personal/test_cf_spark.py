"""CF training on Spark MLlib (``local[2]``) writes the same model version format, and agrees with ``implicit``."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from indexer.cf import train_cf
from indexer.cli import EXIT_OK
from indexer.cli import main as indexer
from search.personal.model import load_model
from search.personal.versions import CFVersions
from search.store.layout import DataDir
from tests.conftest import CONFIGS

pytestmark = pytest.mark.integration


def _top(model, k: int = 20) -> dict[str, set[int]]:
    scores = model.user_factors @ model.item_factors.T
    return {u: set(np.argsort(-scores[i])[:k].tolist()) for u, i in model.user_index.items()}


def test_spark_trains_the_same_model_format(personal_dir):
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for Spark")
    versions = CFVersions(DataDir(personal_dir).cf_dir)
    default = load_model(versions.current_dir())
    assert (
        indexer(
            ["cf", "train", "--engine", "spark", "--data-dir", str(personal_dir), "--configs-dir", str(CONFIGS), "-q"]
        )
        == EXIT_OK
    )
    spark = load_model(versions.current_dir())
    assert spark.version != default.version and spark.manifest["engine"] == "spark"
    assert spark.item_ids == default.item_ids and spark.user_index == default.user_index
    assert spark.user_factors.shape == default.user_factors.shape and np.isfinite(spark.user_factors).all()
    assert np.abs(spark.item_factors).sum(axis=1).min() > 0  # every product got factors
    # the two engines broadly agree on what each shopper likes
    a, b = _top(default), _top(spark)
    overlap = np.mean([len(a[u] & b[u]) / len(a[u]) for u in a])
    assert overlap > 0.3


def test_an_unknown_engine_is_refused(personal_dir):
    from indexer.cf import TrainingError

    with pytest.raises(TrainingError, match="unknown CF engine"):
        train_cf(personal_dir, CONFIGS, progress=False, engine="mahout")
