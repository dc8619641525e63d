"""Knowing when nothing matches: both sides, in one run over an existing index.

    python -m benchmarks.nomatch --data-dir DIR [--profile hybrid] [--judgments FILE]... [--json]

- ``benchmarks/queries/absent.txt``: queries for things the catalog does not sell; the share
  that now gets 0 results (goal: at least 80 %);
- ``benchmarks/queries/absent_more.txt``: more of them, written later and never used to tune the
  rule (a check that it was not fitted to the first list);
- ``benchmarks/queries/present.txt``: queries of many kinds for things it sells; the share
  that keeps results;
- each judgments file (default: ``../shared/data/eval/multicpr_dev.tsv``): the share of its
  queries that keep results (goal: at least 98 %) and nDCG@10 with the rule on and off
  (goal: within 0.005).

The same engine runs both ways: the profile as configured, then with ``nomatch.enabled``
false. Prints, per list, the queries on the wrong side.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.common import machine, shared

HERE = Path(__file__).resolve().parent


def read_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.lstrip().startswith("#")]


def run(data_dir: Path, profile: str | None, judgment_files: list[Path]) -> dict:
    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest
    from search.evaluate import evaluate, read_judgments

    engine = build_engine(Settings(data_dir=data_dir))
    name = profile or engine.profiles.default
    on = engine.profiles.get(name)
    off = on.model_copy(update={"nomatch": on.nomatch.model_copy(update={"enabled": False})})
    registry = engine.profiles._profiles  # the benchmark swaps the profile in place: same engine, same caches

    def total(q: str) -> int:
        return engine.search(SearchRequest(q=q, profile=name, size=10)).total

    out: dict = {"machine": machine(), "profile": name, "nomatch": on.nomatch.model_dump()}
    try:
        for key, file in (("absent", "absent.txt"), ("absent_more", "absent_more.txt")):
            absent = read_list(HERE / "queries" / file)
            kept_absent = [q for q in absent if total(q) > 0]
            out[key] = {
                "queries": len(absent),
                "zero_results": round(1 - len(kept_absent) / len(absent), 4),
                "still_answered": kept_absent,
            }
        present = read_list(HERE / "queries" / "present.txt")
        lost_present = [q for q in present if total(q) == 0]
        out["present"] = {
            "queries": len(present),
            "keep_results": round(1 - len(lost_present) / len(present), 4),
            "lost": lost_present,
        }
        for path in judgment_files:
            judgments = read_judgments(path)
            lost = [j.query for j in judgments if total(j.query) == 0]

            def searcher(j, p: str) -> list[str]:
                res = engine.search(SearchRequest(q=j.query, user_id=j.user_id, profile=p, size=100))
                return [i["id"] for i in res.items]

            with_rule = evaluate(judgments, [name], searcher)[0].summary()
            registry[name] = off
            try:
                without = evaluate(judgments, [name], searcher)[0].summary()
            finally:
                registry[name] = on
            out[path.name] = {
                "queries": len(judgments),
                "keep_results": round(1 - len(lost) / len(judgments), 4),
                "lost": lost,
                "ndcg@10": round(with_rule["ndcg@10"], 4),
                "ndcg@10_without_rule": round(without["ndcg@10"], 4),
            }
    finally:
        engine.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--profile", default=None)
    ap.add_argument("--judgments", action="append", default=None)
    ap.add_argument("--lists-only", action="store_true", help="only the query lists, no judgments")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    files = [Path(p) for p in args.judgments] if args.judgments else [shared("eval", "multicpr_dev.tsv")]
    if args.lists_only:
        files = []
    out = run(Path(args.data_dir), args.profile, files)
    print(json.dumps(out, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
