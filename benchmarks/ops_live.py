"""Synonyms and rules changed at run time on a built index: do results change at once, and at what cost?

For each synonym, the script searches before and after adding it through the operations
store (as ``POST /admin/synonyms`` does), and reports how many of the top 10 changed, how
many top-10 results contain the added term, and how long the change took to go live.
Then it pins a product for a query and checks it is first on the next search, and
measures search latency with and without a set of synonyms and rules live.

    python benchmarks/ops_live.py --data-dir /tmp/dmain [--json]

The index is opened read-only: the operations store goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, machine, percentile  # noqa: E402

SYNONYMS = [
    ({"id": "xiaomi", "from": ["xiaomi shouji"], "to": "小米手机"}, "xiaomi shouji", "小米"),
    ({"id": "case", "terms": ["保护套", "手机壳"]}, "保护套", "手机壳"),
    ({"id": "laptop", "terms": ["手提电脑", "笔记本电脑"]}, "手提电脑", "笔记本"),
    ({"id": "powerbank", "terms": ["充电宝", "移动电源"]}, "充电宝", "移动电源"),
    ({"id": "dryer", "terms": ["电吹风", "吹风机"]}, "电吹风", "吹风机"),
]
LATENCY_QUERIES = ["保护套", "手提电脑", "充电宝", "电吹风", "连衣裙", "跑步鞋", "面霜", "小米手机", "运动鞋", "t恤"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default="/tmp/dmain")
    ap.add_argument("--repeat", type=int, default=10, help="latency: passes over the queries")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest
    from search.ops.snapshot import ConfigHolder
    from search.ops.store import OpsStore

    tmp = Path(tempfile.mkdtemp(prefix="ops-live-"))
    configs = tmp / "configs"
    shutil.copytree(ROOT / "configs", configs)
    settings = Settings(data_dir=Path(args.data_dir), configs_dir=configs, reload_interval_s=0.0)
    engine = build_engine(settings)
    engine.configs = ConfigHolder(settings, engine.profiles, store=OpsStore(tmp / "ops.sqlite"))
    store = engine.configs.store

    def top(q: str, n: int = 10) -> list[dict]:
        return engine.search(SearchRequest(q=q, size=n)).items

    out: dict = {"machine": machine(), "index": args.data_dir, "synonyms": [], "latency_ms": {}}
    try:
        for syn, query, term in SYNONYMS:
            before = top(query)
            t = time.perf_counter()
            store.put("synonyms", syn["id"], syn, "benchmark")
            engine.configs.poll()
            live_ms = (time.perf_counter() - t) * 1000
            after = top(query)
            changed = len({i["id"] for i in after} - {i["id"] for i in before})
            out["synonyms"].append(
                {
                    "synonym": syn,
                    "query": query,
                    "changed_in_top10": changed,
                    "with_term_before": sum(term.lower() in (i["title"] or "").lower() for i in before),
                    "with_term_after": sum(term.lower() in (i["title"] or "").lower() for i in after),
                    "live_ms": round(live_ms, 2),
                }
            )
        # a pin posted at run time is first on the next search
        target = top("面霜", 50)[-1]["id"]
        rule = {"id": "pin", "match": {"query": "连衣裙"}, "pin": {target: 1}, "hide": [top("连衣裙", 1)[0]["id"]]}
        store.put("rules", "pin", rule, "benchmark")
        engine.configs.poll()
        out["pin_first"] = top("连衣裙", 1)[0]["id"] == target

        # latency with and without the synonyms and the rule live, interleaved query by query
        # (the machine is shared: alternating keeps both sides under the same load)
        with_config = engine.configs.current
        for syn, _, _ in SYNONYMS:
            store.put("synonyms", syn["id"], None, "benchmark")
        store.put("rules", "pin", None, "benchmark")
        engine.configs.poll()
        without_config = engine.configs.current
        times: dict[str, list[float]] = {"with_5_synonyms_1_rule": [], "without": []}
        for q in LATENCY_QUERIES:  # warm the caches (query vectors, payloads) on both sides
            for snap in (with_config, without_config):
                engine.configs.current = snap
                top(q)
        for _ in range(args.repeat):
            for q in LATENCY_QUERIES:
                for name, snap in (("with_5_synonyms_1_rule", with_config), ("without", without_config)):
                    engine.configs.current = snap
                    t = time.perf_counter()
                    top(q)
                    times[name].append((time.perf_counter() - t) * 1000)
        for name, values in times.items():
            out["latency_ms"][name] = {
                "p50": round(statistics.median(values), 2),
                "p95": round(percentile(values, 95), 2),
                "n": len(values),
            }
    finally:
        engine.close()
        shutil.rmtree(tmp, ignore_errors=True)

    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"machine: {out['machine']}")
    print("| synonym | query | new in top 10 | top 10 with the term (before → after) | live after |")
    print("|---|---|---|---|---|")
    for s in out["synonyms"]:
        syn = s["synonym"]
        shown = f"{' / '.join(syn['from'])} → {syn['to']}" if "to" in syn else " ⇔ ".join(syn["terms"])
        print(
            f"| {shown} | {s['query']} | {s['changed_in_top10']} | "
            f"{s['with_term_before']} → {s['with_term_after']} | {s['live_ms']} ms |"
        )
    print(f"pin posted at run time first on the next search: {out['pin_first']}")
    for k, v in out["latency_ms"].items():
        print(f"latency {k}: p50 {v['p50']} ms, p95 {v['p95']} ms ({v['n']} searches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
