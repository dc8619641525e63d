"""Calibrate the dense similarity above which a query's best match alone counts as a match.

    python -m benchmarks.nomatch_calibrate --data-dir DIR [--percentile 95] [--json]

The shared data holds judged query-product pairs (``eval/multicpr_dev_pairs.tsv`` and
``eval/ecomqa_relevance.tsv``: real queries, products annotators marked relevant or not).
For every pair whose product is in the index, this computes the dense similarity of the
query (as the engine embeds it) to the product, exactly as the store scores it. A product
annotators judged NOT relevant is the closest thing to "the catalog has nothing for this"
that is labelled; the threshold is the ``--percentile`` of those similarities (default 95:
only one in twenty judged-irrelevant products reaches it), rounded up to 0.005. The relevant
pairs are reported alongside, to show how much of them lies above it.

The result goes into ``configs/_base.yaml`` as ``nomatch.dense_threshold``.

The same run gives ``nomatch.rare_dense``: the 25th percentile of the judged-RELEVANT pairs,
rounded down to 0.005 (``--relevant-percentile``). A product further from the query than
that is less similar than three quarters of the products annotators found relevant; a word
only one or two titles hold is held by such a product by coincidence, not as a match.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

from benchmarks.common import machine, percentile, shared


def pairs() -> list[tuple[str, str, int]]:
    out = []
    for name in ("multicpr_dev_pairs.tsv", "ecomqa_relevance.tsv"):
        with open(shared("eval", name), encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                out.append((row["query"], row["product_id"], int(row["relevant"])))
    return out


def similarities(data_dir: Path) -> dict[int, list[float]]:
    from search.api.app import build_engine
    from search.config import Settings
    from search.store.base import DENSE, Filter, SourceQuery, point_key

    engine = build_engine(Settings(data_dir=data_dir))
    try:
        index = engine.index
        parser = engine.parser(index, engine.profiles.get(None))
        out: dict[int, list[float]] = {0: [], 1: []}
        for query, pid, relevant in pairs():
            text = parser.parse(query).search_text
            if not text.strip():
                continue
            vec = engine.embed_query(text)
            q = SourceQuery(DENSE, DENSE, vec, 1, keys=(point_key(pid),))
            hits = index.store.rank([q], Filter())[0]
            if hits:
                out[relevant].append(float(hits[0][1]))
        return out
    finally:
        engine.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--percentile", type=float, default=95.0)
    ap.add_argument("--relevant-percentile", type=float, default=25.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sims = similarities(Path(args.data_dir))
    neg, pos = sims[0], sims[1]
    threshold = math.ceil(percentile(neg, args.percentile) * 200) / 200
    out = {
        "machine": machine(),
        "pairs": {"relevant": len(pos), "not_relevant": len(neg)},
        "not_relevant": {p: round(percentile(neg, p), 4) for p in (5, 50, 95, 99)},
        "relevant": {p: round(percentile(pos, p), 4) for p in (5, 50, 95, 99)},
        "percentile": args.percentile,
        "dense_threshold": threshold,
        "relevant_above": round(sum(s >= threshold for s in pos) / max(len(pos), 1), 4),
        "rare_dense": math.floor(percentile(pos, args.relevant_percentile) * 200) / 200,
    }
    print(json.dumps(out, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
