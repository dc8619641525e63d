"""The work one long query causes: a 256-character random CJK query against normal queries.

    python -m benchmarks.long_query --data-dir DIR [--runs 30] [--seed 7] [--unbounded]

Opens the engine in-process over an existing index (no HTTP) and reports the median
latency and per-stage timings of each kind of query. Every timed query is new to the
engine (no cache helps): real queries from ``../shared/data/queries`` and fresh random
strings. ``--unbounded`` switches off the per-query work bounds
(:mod:`search.retrieve.bounds`) to measure what they save, in the same process.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from benchmarks.common import machine, shared


def random_cjk(n: int, rng: random.Random) -> str:
    """``n`` random characters from the common CJK block."""
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", default="hybrid")
    ap.add_argument("--unbounded", action="store_true", help="switch the query work bounds off")
    args = ap.parse_args()

    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest

    if args.unbounded:
        import search.engine
        import search.retrieve.query

        search.engine.bound_text = str.strip  # type: ignore[assignment]
        search.retrieve.query.bound_terms = lambda tokens: tokens  # type: ignore[assignment]
    engine = build_engine(Settings(data_dir=args.data_dir))
    rng = random.Random(args.seed)
    logged = shared("queries", "multicpr_train_queries.txt").read_text(encoding="utf-8").splitlines()
    kinds = {
        "normal": rng.sample(logged, args.runs),
        "random CJK x256": [random_cjk(256, rng) for _ in range(args.runs)],
    }
    print(machine(), "bounds off" if args.unbounded else "bounds on")
    for q in ["华为手机", random_cjk(256, rng)]:
        engine.search(SearchRequest(q=q, profile=args.profile))  # warm-up (lazy loads)
    for name, queries in kinds.items():
        times: list[float] = []
        stages: dict[str, list[float]] = {}
        for i in range(args.runs):
            q = queries[i]
            t = time.perf_counter()
            resp = engine.search(SearchRequest(q=q, profile=args.profile))
            times.append((time.perf_counter() - t) * 1000)
            for stage, ms in resp.timings.items():
                stages.setdefault(stage, []).append(ms)
        detail = ", ".join(f"{s} {statistics.median(v):.1f}" for s, v in stages.items())
        print(f"{name:>16}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms ({detail})")
    engine.close()


if __name__ == "__main__":
    main()
