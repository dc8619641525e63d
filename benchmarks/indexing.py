"""Indexing throughput, index size and peak memory on the shared catalog; analyzer throughput.

    python -m benchmarks.indexing [--catalog PATH] [--skip-full]

Runs ``indexer build`` as a child process twice on a fresh data directory: BM25 only
(``dense.model: none``) and full (BM25 + embeddings, with an empty embedding cache so
every title is embedded), and reports wall time, products/s, the child's peak RSS and
the index size on disk. Then times the analyzer against raw jieba.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, machine, shared, titles


def _build(catalog: Path, config_text: str, workdir: Path) -> dict:
    data_dir = workdir / "data"
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "indexing.yaml"
    config.write_text(config_text, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "indexer.cli",
            "build",
            str(catalog),
            "--data-dir",
            str(data_dir),
            "--config",
            str(config),
            "--configs-dir",
            str(ROOT / "configs"),
            "--json",
            "-q",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads(proc.stdout)
    stats = json.loads(
        subprocess.run(
            [sys.executable, "-m", "indexer.cli", "stats", "--data-dir", str(data_dir), "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    return {
        "products": summary["indexed"],
        "rejected": summary["rejected"],
        "wall_s": round(wall, 1),
        "products_per_s": round(summary["indexed"] / wall, 1),
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 0),
        "index_mb": round(stats["disk_bytes"]["index"] / 1e6, 1),
        "stages_s": summary["timings"],
        "vocabulary": {k: v["vocabulary"] for k, v in stats["lexical"].items()},
    }


def _analyzer_speed(sample: list[str]) -> dict:
    import jieba

    from indexer.build import prepare_vocabulary
    from indexer.catalog import read_catalog
    from search.config import load_index_config

    jieba.setLogLevel(60)
    jieba.lcut_for_search("预热")
    t = time.perf_counter()
    for s in sample:
        jieba.lcut_for_search(s)
    raw = len(sample) / (time.perf_counter() - t)

    products = read_catalog(shared("catalog.jsonl")).products
    vocab = prepare_vocabulary(products, load_index_config(None, ROOT / "configs"), ROOT / "configs")
    an = vocab.analyzer
    an.warm_up()
    t = time.perf_counter()
    tokens = 0
    for s in sample:
        tokens += len(an.analyze(s).words)
    words = len(sample) / (time.perf_counter() - t)
    t = time.perf_counter()
    for s in sample:
        a = an.analyze(s)
        tokens += len(a.words) + len(a.models) + len(a.chars)
    full = len(sample) / (time.perf_counter() - t)
    return {
        "raw_jieba_lcut_for_search": round(raw),
        "analyzer_words": round(words),
        "analyzer_all_features": round(full),
        "user_words": len(vocab.user_words),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--catalog", default=None)
    ap.add_argument("--skip-full", action="store_true", help="only the BM25-only build")
    args = ap.parse_args()
    catalog = Path(args.catalog) if args.catalog else shared("catalog.jsonl")
    out: dict = {"catalog": str(catalog), "machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        out["bm25_only"] = _build(catalog, "dense: {model: none}\n", Path(tmp) / "bm25")
        if not args.skip_full:
            out["full"] = _build(catalog, "", Path(tmp) / "full")
    out["analyzer_titles_per_s"] = _analyzer_speed(titles(catalog, 10000))
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
