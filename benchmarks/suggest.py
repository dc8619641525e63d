"""Autocomplete quality on held-out real queries, and /suggest latency against /search.

    python -m benchmarks.suggest [--catalog ../shared/data/catalog.jsonl] [--json]
    python -m benchmarks.suggest --latency --data-dir DIR [--requests 500]

Quality: the shared query log is split 95/5 (every 20th distinct query held out, in
file order); the suggester is built from the catalog and the 95 %. For each held-out
query it types three things and asks for 10 suggestions:

- ``chars``: the first half of the query (at least one character; queries of 2+
  characters): a hit when a suggestion starts with the typed characters and continues
  with the character the shopper typed next;
- ``pinyin``: the first two characters in full pinyin (queries starting with two
  Chinese characters): a hit when a suggestion starts with those two characters;
- ``initials``: the initials of the first three characters (queries starting with three
  Chinese characters): a hit when a suggestion starts with those three characters.

Pinyin comes from ``search.text.pinyin`` (each character's most common reading).

Latency (``--latency``): in one process over an existing index, the API through
FastAPI's test client, alternating one /suggest (a held-out prefix) and one /search
(the whole query), reporting p50/p99 of each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks.common import machine, percentile, shared


def split_log(path: Path) -> tuple[list[str], list[str]]:
    """(indexed 95 %, held out 5 %): distinct queries in file order, every 20th held out."""
    seen: dict[str, None] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            q = line.strip()
            if q:
                seen[q] = None
    queries = list(seen)
    held = [q for i, q in enumerate(queries) if i % 20 == 19]
    kept = [q for i, q in enumerate(queries) if i % 20 != 19]
    return kept, held


def _han(text: str) -> bool:
    return bool(text) and all("\u4e00" <= c <= "\u9fff" for c in text)


def probes(held: list[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Per kind: (typed, what a hit starts with, next character or '') for each usable held-out query."""
    from search.text.normalize import normalize
    from search.text.pinyin import readings

    def reading(ch: str) -> str:
        rs = readings(ch)
        return rs[0] if rs else ch

    out: dict[str, list[tuple[str, str, str]]] = {"chars": [], "pinyin": [], "initials": []}
    for raw in held:
        q = normalize(raw).replace(" ", "")
        if len(q) >= 2:
            half = max(1, len(q) // 2)
            out["chars"].append((q[:half], q[:half], q[half]))
        if _han(q[:2]):
            out["pinyin"].append(("".join(reading(c) for c in q[:2]), q[:2], ""))
        if _han(q[:3]):
            out["initials"].append(("".join(reading(c)[0] for c in q[:3]), q[:3], ""))
    return out


def hit(suggestions: list[str], start: str, nxt: str) -> bool:
    for s in suggestions:
        s = s.replace(" ", "")
        if s.startswith(start) and (not nxt or s[len(start) : len(start) + 1] == nxt):
            return True
    return False


def quality(catalog: Path) -> dict:
    from indexer.build import prepare_vocabulary
    from indexer.catalog import read_catalog
    from search.config import load_index_config
    from search.suggest.querylog import clean_query
    from search.suggest.source import catalog_phrases
    from search.suggest.suggester import Suggester

    root = Path(__file__).resolve().parent.parent
    t = time.perf_counter()
    products = read_catalog(catalog).products
    vocab = prepare_vocabulary(products, load_index_config(None, root / "configs"), root / "configs")
    phrases = catalog_phrases(products, vocab.analyzer, vocab.lexicon)
    t_phrases = time.perf_counter() - t
    kept, held = split_log(shared("queries", "multicpr_train_queries.txt"))
    t = time.perf_counter()
    suggester = Suggester.build(phrases, ((clean_query(q), 1) for q in kept), vocab.analyzer)
    t_build = time.perf_counter() - t
    results: dict = {}
    for kind, rows in probes(held).items():
        hits = 0
        times = []
        for typed, start, nxt in rows:
            t0 = time.perf_counter()
            got = [s.text for s in suggester.suggest(typed, 10)]
            times.append((time.perf_counter() - t0) * 1000)
            hits += hit(got, start, nxt)
        results[kind] = {
            "hit@10": round(hits / max(len(rows), 1), 4),
            "probes": len(rows),
            "p50_ms": round(percentile(times, 50), 3),
        }
    return {
        "machine": machine(),
        "products": len(products),
        "log_indexed": len(kept),
        "held_out": len(held),
        "entries": len(suggester),
        "catalog_phrases_s": round(t_phrases, 1),
        "suggester_build_s": round(t_build, 1),
        "results": results,
    }


def latency(data_dir: Path, requests: int) -> dict:
    from fastapi.testclient import TestClient

    from search.api.app import build_engine, create_app
    from search.config import Settings

    _, held = split_log(shared("queries", "multicpr_train_queries.txt"))
    engine = build_engine(Settings(data_dir=data_dir))
    engine.suggester()  # built in the background at start; wait for it
    sug, sea = [], []
    with TestClient(create_app(engine=engine)) as client:
        for q in held[:20]:  # warm up
            client.get("/search", params={"q": q})
            client.get("/suggest", params={"q": q[: max(1, len(q) // 2)]})
        for q in held[20 : 20 + requests]:
            t = time.perf_counter()
            r = client.get("/suggest", params={"q": q[: max(1, len(q) // 2)]})
            sug.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
            t = time.perf_counter()
            r = client.get("/search", params={"q": q})
            sea.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
    engine.close()
    out = {
        "machine": machine(),
        "requests": len(sug),
        "suggest_p50_ms": round(percentile(sug, 50), 2),
        "suggest_p99_ms": round(percentile(sug, 99), 2),
        "search_p50_ms": round(percentile(sea, 50), 2),
        "search_p99_ms": round(percentile(sea, 99), 2),
    }
    out["ratio_p50"] = round(out["suggest_p50_ms"] / out["search_p50_ms"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", default=None)
    ap.add_argument("--latency", action="store_true")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.latency:
        if not args.data_dir:
            ap.error("--latency needs --data-dir")
        out = latency(Path(args.data_dir), args.requests)
    else:
        out = quality(Path(args.catalog) if args.catalog else shared("catalog.jsonl"))
    print(json.dumps(out, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
