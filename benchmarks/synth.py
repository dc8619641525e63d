"""Synthetic catalogs grown from a real catalog's vocabulary, for scale tests.

    python -m benchmarks.synth --size 1000000 --out /tmp/synth-1m [--data-dir DIR_OF_A_REAL_INDEX]

Writes ``OUT/catalog.jsonl`` and ``OUT/vectors.npy``. Each synthetic product recombines
two real "parent" products: a brand (from the first parent, or another real brand), 4-9
words drawn from the parents' segmented titles in a new order, a new model number,
the first parent's category and attributes, and a price and sales count drawn around
the parents' (or from the catalog's distributions). No real title is reproduced: every
title is a new word sequence, and nothing is written into the project.

Embeddings are derived cheaply instead of running the model on a million titles:
``normalize(0.65 * v(parent A) + 0.35 * v(parent B) + 0.05 * noise)`` from the real
index's stored vectors, which keeps the vector distribution (and so the HNSW cost and
search behaviour) close to real e5-small vectors. The scale benchmark feeds them to the
indexer through a lookup embedder.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from pathlib import Path

import numpy as np

from benchmarks.common import shared


def _real_vectors(data_dir: Path, ids: list[str]) -> np.ndarray:
    from search.index import open_build
    from search.store.layout import DataDir

    handle = open_build(DataDir(data_dir).require_build())
    try:
        out = np.zeros((len(ids), handle.manifest["dense"]["dim"]), dtype=np.float32)
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            found = handle.store.dense_vectors(chunk)
            for i, pid in enumerate(chunk):
                if pid in found:
                    out[start + i] = found[pid]
        return out
    finally:
        handle.close()


def _model_number(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(1, 3)))
    digits = "".join(rng.choice(string.digits) for _ in range(rng.randint(2, 5)))
    tail = f"-{rng.choice(string.ascii_uppercase)}{rng.randint(1, 9)}" if rng.random() < 0.3 else ""
    return letters + digits + tail


def generate(size: int, out_dir: Path, data_dir: Path, seed: int = 7) -> None:
    """Write ``size`` synthetic products and their vectors to ``out_dir``."""
    import jieba

    jieba.setLogLevel(60)
    rng = random.Random(seed)
    real = [json.loads(line) for line in shared("catalog.jsonl").read_text(encoding="utf-8").splitlines() if line]
    words = [[w for w in jieba.lcut(r["title"]) if w.strip() and len(w) <= 8] for r in real]
    brands = sorted({r["brand"] for r in real if r.get("brand")})
    prices = [r["price"] for r in real if r.get("price")]
    vectors = _real_vectors(data_dir, [r["id"] for r in real])
    has_vec = np.linalg.norm(vectors, axis=1) > 0
    by_category: dict[str | None, list[int]] = {}
    for i, r in enumerate(real):
        by_category.setdefault(r.get("category"), []).append(i)
    out_dir.mkdir(parents=True, exist_ok=True)
    dim = vectors.shape[1]
    out_vectors = np.lib.format.open_memmap(out_dir / "vectors.npy", mode="w+", dtype=np.float32, shape=(size, dim))
    noise_rng = np.random.default_rng(seed)
    with open(out_dir / "catalog.jsonl", "w", encoding="utf-8") as fh:
        for n in range(size):
            a = rng.randrange(len(real))
            pool = by_category.get(real[a].get("category")) or range(len(real))
            b = rng.choice(pool) if real[a].get("category") else rng.randrange(len(real))
            mixed = words[a] + words[b]
            k = min(len(mixed), rng.randint(4, 9))
            body = rng.sample(mixed, k) if mixed else ["商品"]
            brand = real[a].get("brand") or (rng.choice(brands) if rng.random() < 0.5 else None)
            title = " ".join(filter(None, [brand.split("/")[-1] if brand else None, "".join(body), _model_number(rng)]))
            base_price = real[a].get("price") or rng.choice(prices)
            row = {
                "id": f"syn{n:07d}",
                "title": title,
                "brand": brand,
                "category": real[a].get("category"),
                "attributes": real[a].get("attributes") or {},
                "price": round(base_price * rng.uniform(0.6, 1.4), 1) if rng.random() < 0.7 else None,
                "sales": int(rng.paretovariate(1.2) * 10) if rng.random() < 0.6 else None,
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            va = vectors[a] if has_vec[a] else vectors[b]
            vb = vectors[b] if has_vec[b] else va
            noise = np.asarray(noise_rng.standard_normal(dim), dtype=np.float32)
            v = 0.65 * va + 0.35 * vb + 0.05 * noise / np.sqrt(dim)
            out_vectors[n] = v / max(float(np.linalg.norm(v)), 1e-9)
    out_vectors.flush()


def copy_real(out_dir: Path, data_dir: Path) -> None:
    """The real catalog with its real vectors, in the same layout (the baseline of the scale test)."""
    lines = [line for line in shared("catalog.jsonl").read_text(encoding="utf-8").splitlines() if line]
    ids = [json.loads(line)["id"] for line in lines]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "catalog.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    np.save(out_dir / "vectors.npy", _real_vectors(data_dir, ids))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, required=True, help="products to generate (0: copy the real catalog)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data-dir", required=True, help="an index of the real catalog (for its vectors)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.size == 0:
        copy_real(Path(args.out), Path(args.data_dir))
    else:
        generate(args.size, Path(args.out), Path(args.data_dir), args.seed)
    print(f"wrote the catalog and vectors to {args.out}")


if __name__ == "__main__":
    main()
