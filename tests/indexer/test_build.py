import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.catalog import CatalogError
from search.index import open_build
from search.retrieve.query import lexical_vectors
from search.store.base import SourceQuery
from search.store.layout import DataDir, IndexLockedError, read_manifest


def _lexical_top(data_dir, text, k=5):
    handle = open_build(DataDir(data_dir).require_build())
    try:
        vec = lexical_vectors(handle.analyzer, handle.config, text, ["bm25"])["bm25"]
        return [h.id for h in handle.store.search([SourceQuery("bm25", "bm25", vec, k)])[0]]
    finally:
        handle.close()


def test_sample_build(built_sample, sample_catalog):
    data = DataDir(built_sample)
    build = data.require_build()
    manifest = read_manifest(build)
    n = sum(1 for line in sample_catalog.read_text(encoding="utf-8").splitlines() if line.strip())
    assert manifest["products"] == n and manifest["rejected"] == 0
    assert manifest["dense"] == {"model": "e5-small", "dim": 384}
    assert set(manifest["lexical"]) == {"bm25", "ngram"}
    handle = open_build(build)
    try:
        assert handle.store.count() == n
        # every product carries the payload the query side needs
        p = handle.store.get(["S00001"])[0]
        assert p["id"] == "S00001" and p["title"] and "hash" in p and isinstance(p["brand_keys"], list)
    finally:
        handle.close()


def test_broken_rows_go_to_the_rejects_file_and_good_rows_are_searchable(tmp_path, configs_dir, index_config, embedder):
    rows = [
        {"id": "G1", "title": "兰芝雪纱防晒隔离霜 30ml", "brand": "Laneige/兰芝", "price": 199},
        {"id": "G2", "title": "海尔双开门冰箱 BCD-470WDPG", "brand": "Haier/海尔", "price": 3999},
        {"title": "没有编号"},
        {"id": "G4", "title": "负价格商品", "price": -1},
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8")
    result = build_index(path, tmp_path / "data", index_config, configs_dir, embedder=embedder)
    assert (result.indexed, result.rejected) == (2, 3)
    rejects = [json.loads(x) for x in Path(result.rejects_file).read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [3, 4, 5]
    assert _lexical_top(tmp_path / "data", "隔离霜")[0] == "G1"
    assert _lexical_top(tmp_path / "data", "bcd-470wdpg")[0] == "G2"


def test_a_catalog_with_no_valid_rows_never_replaces_the_index(sample_data_dir, tmp_path, configs_dir, index_config):
    before = DataDir(sample_data_dir).current_version()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "x"}\nnot json\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="no valid products"):
        build_index(bad, sample_data_dir, index_config, configs_dir)
    assert DataDir(sample_data_dir).current_version() == before


class _FailingEmbedder:
    name = "e5-small"
    dim = 384

    def warm_up(self):
        pass

    def embed_queries(self, texts):
        raise RuntimeError("model crashed")

    def embed_passages(self, texts, batch_size=64, progress=None):
        raise RuntimeError("model crashed")


def test_a_failed_build_leaves_the_previous_index_serving(sample_data_dir, sample_catalog, configs_dir, index_config):
    data = DataDir(sample_data_dir)
    before = data.current_version()
    config = index_config.model_copy(update={"dense": index_config.dense.model_copy(update={"cache": False})})
    with pytest.raises(RuntimeError, match="model crashed"):
        build_index(sample_catalog, sample_data_dir, config, configs_dir, embedder=_FailingEmbedder())
    assert data.current_version() == before
    assert not [p for p in data.builds_dir.iterdir() if p.name.endswith(".partial")]
    assert _lexical_top(sample_data_dir, "兰芝隔离霜")


def test_only_one_indexer_at_a_time(sample_data_dir, sample_catalog, configs_dir, index_config):
    data = DataDir(sample_data_dir)
    with data.writer_lock(), pytest.raises(IndexLockedError):
        build_index(sample_catalog, sample_data_dir, index_config, configs_dir)


def _start_build(data_dir, catalog, configs_dir):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "indexer.cli",
            "build",
            str(catalog),
            "--data-dir",
            str(data_dir),
            "--configs-dir",
            str(configs_dir),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_stage(proc, stage, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith(stage):
            return
        if not line and proc.poll() is not None:
            break
    pytest.fail(f"the build never reached {stage!r}")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killing_a_build_midway_leaves_the_previous_index_intact(sig, sample_data_dir, sample_catalog, configs_dir):
    data = DataDir(sample_data_dir)
    before = data.current_version()
    # a fresh embedding cache makes the build long enough to be killed while it embeds
    for f in data.cache_dir.glob("*"):
        f.unlink()
    proc = _start_build(sample_data_dir, sample_catalog, configs_dir)
    _wait_for_stage(proc, "analyze")
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    assert code == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    assert data.current_version() == before
    assert _lexical_top(sample_data_dir, "兰芝隔离霜")
    if sig == signal.SIGINT:  # a clean interrupt removes its partial build at once
        assert not [p for p in data.builds_dir.iterdir() if p.name.endswith(".partial")]
