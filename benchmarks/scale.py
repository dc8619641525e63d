"""Scale test: build time, memory and disk per product, and query latency at growing catalog sizes.

    python -m benchmarks.synth --size 100000 --out /tmp/synth-100k --data-dir DATA_DIR_OF_SHARED_INDEX
    python -m benchmarks.scale --catalog /tmp/synth-100k [--quantization int8] [--queries 500]

Builds the embedded index of a synthetic catalog (``benchmarks.synth``; its vectors are
fed through a lookup embedder, so no model runs) in a child process, then opens it
in-process and times hybrid searches over real queries. Query embeddings are computed
once and cached before timing, so the numbers measure the index (parse, lexical
encoding, retrieval, rescoring, fusion, ranking, facets), not the embedding model.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT, machine, shared, summary_ms


class LookupEmbedder:
    """Passage vectors looked up by (normalised) title; queries use the real model."""

    name = "e5-small"
    dim = 384

    def __init__(self, catalog: Path, vectors: Path) -> None:
        from search.text.normalize import normalize

        self._vectors = np.load(vectors, mmap_mode="r")
        self._row: dict[str, int] = {}
        with open(catalog, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                self._row.setdefault(normalize(json.loads(line)["title"]), i)

    def warm_up(self) -> None:
        pass

    def embed_passages(self, texts, batch_size=64, progress=None):
        out = np.stack([self._vectors[self._row[t]] for t in texts]).astype(np.float32)
        if progress:
            progress(len(texts))
        return out

    def embed_queries(self, texts):  # pragma: no cover - never used at build time
        raise NotImplementedError


def _build(catalog_dir: Path, data_dir: Path, quantization: str, on_disk: bool) -> None:
    from indexer.build import build_index
    from indexer.progress import Progress
    from search.config import load_index_config

    config = load_index_config(None, ROOT / "configs")
    store = config.store.model_copy(update={"quantization": quantization, "dense_on_disk": on_disk})
    dense = config.dense.model_copy(update={"cache": False})
    config = config.model_copy(update={"store": store, "dense": dense})
    embedder = LookupEmbedder(catalog_dir / "catalog.jsonl", catalog_dir / "vectors.npy")
    result = build_index(
        catalog_dir / "catalog.jsonl", data_dir, config, ROOT / "configs", embedder=embedder, progress=Progress()
    )
    print(json.dumps(result.to_dict()))


def _latency(data_dir: Path, n_queries: int) -> dict:
    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest

    lines = shared("queries", "multicpr_train_queries.txt").read_text(encoding="utf-8").splitlines()
    queries = [q.strip() for q in lines[5000 : 5000 + n_queries] if q.strip()]
    engine = build_engine(Settings(data_dir=data_dir, configs_dir=ROOT / "configs"))
    try:
        for q in queries:  # warm: parse caches, query embeddings, pages
            engine.search(SearchRequest(q=q))
        total, store = [], []
        for q in queries:
            t = time.perf_counter()
            res = engine.search(SearchRequest(q=q))
            total.append(time.perf_counter() - t)
            store.append((res.timings.get("retrieve", 0) + res.timings.get("rescore", 0)) / 1000)
        return {"pipeline_ms": summary_ms(total), "store_ms": summary_ms(store), "queries": len(queries)}
    finally:
        engine.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--catalog", required=True, help="folder written by benchmarks.synth")
    ap.add_argument("--data-dir", default=None, help="where to build (default: a temporary folder)")
    ap.add_argument("--quantization", default="none", choices=["none", "int8"])
    ap.add_argument("--on-disk", action="store_true", help="original dense vectors on disk (mmap)")
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    catalog = Path(args.catalog)
    if args.build_only:
        _build(catalog, Path(args.data_dir), args.quantization, args.on_disk)
        return
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        data_dir = Path(args.data_dir or tmp) / "data"
        cmd = [sys.executable, "-m", "benchmarks.scale", "--catalog", str(catalog), "--data-dir", str(data_dir)]
        cmd += ["--quantization", args.quantization, "--build-only"] + (["--on-disk"] if args.on_disk else [])
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        build = json.loads(proc.stdout.strip().splitlines()[-1])
        stats = json.loads(
            subprocess.run(
                [sys.executable, "-m", "indexer.cli", "stats", "--data-dir", str(data_dir), "--json"],
                capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        n = build["indexed"]
        out = {
            "machine": machine(),
            "products": n,
            "quantization": args.quantization,
            "dense_on_disk": args.on_disk,
            "build_s": round(wall, 1),
            "build_stages_s": build["timings"],
            "peak_rss_mb": round(peak_mb),
            "disk_bytes_per_product": round(stats["disk_bytes"]["index"] / n),
            "latency": _latency(data_dir, args.queries),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
