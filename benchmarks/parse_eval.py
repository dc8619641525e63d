"""Evaluate the rule query parser on the shared query-understanding labels.

Usage::

    python benchmarks/parse_eval.py --data-dir DATA_DIR [--shared ../shared/data] [--queries 5000] [--json]
        [--query-log FILE [--query-log-skip N]]

``DATA_DIR`` holds a built index (``indexer build``); the parser is built from its
lexicon and analyzer (``load_build_parts`` + ``RuleParser.with_spelling``). Data comes from
``SHARED/query_understanding/`` and ``SHARED/queries/``; when the folder is missing the
script says so and exits 0 without numbers.

Metrics (strings are compared after :func:`search.text.normalize.normalize` and the
matcher's folding, so case, width and spaces do not matter):

* **Titles** (``title_entities.jsonl``; spelling correction off: titles are not typed
  queries): per title, the set of brand strings the parser recognised (the alias as
  written, e.g. ``欧达可``) against the set of annotated brands; same for product words
  (the product word the parser reports). Micro precision, recall and F1 over all titles.
* **Query attributes** (``query_attributes.jsonl``): a query's answer span is *recovered
  as an attribute* when it equals the text or the value of an attribute the parser
  reported, and *recovered* when, in addition, it may equal a recognised brand or product
  phrase, one keyword, or several consecutive keywords joined. Shares over all items.
* **Spelling** (``query_spelling.jsonl``): *fixed* = share of misspelled queries (query !=
  corrected) whose parsed ``normalized`` equals the normalised correction (normalisation
  alone fixes Traditional and full-width forms; reported separately); *false changes* =
  share of correct queries that the corrector changed. Also the share of the first N real
  queries it changes (no labels: a bound on how invasive it is).
* **Query log** (``--query-log``): the spelling corrector reads a file of past queries as
  evidence of correct spellings (as ``analysis.query_log`` does at indexing time), instead
  of the index's own log. ``--query-log-skip N`` leaves out the file's first N lines:
  when the log is ``multicpr_train_queries.txt``, skip the real-query stream (the first
  ``--queries`` lines), or the stream would be scored against itself.
* **Latency**: single-thread ``parse`` time over the first N queries of
  ``queries/multicpr_train_queries.txt`` after one warm-up pass; p50, p99, mean, max of
  the wall clock and of the thread's CPU time (the machine's load shows in the first).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from search.index import load_build_parts
from search.store.layout import DataDir
from search.text.normalize import normalize
from search.understand.matcher import fold
from search.understand.rules import Reading, RuleParser
from search.understand.spelling import SpellCorrector, query_word_counts

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _key(text: str) -> str:
    return fold(normalize(text))


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "pred": n_pred,
        "gold": n_gold,
    }


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def brand_surfaces(reading: Reading) -> set[str]:
    """Brand phrases as written in the text."""
    return {_key(m.text) for m in reading.mentions if m.of("brand")}


def product_words(reading: Reading) -> set[str]:
    """Product words reported."""
    return {_key(w) for w in reading.parsed.product_words}


def eval_titles(parser: RuleParser, path: Path) -> dict[str, Any]:
    """Brand and product-word extraction on annotated titles."""
    rows = _read_jsonl(path)
    counts: Counter[str] = Counter()
    for row in rows:
        reading = parser.read(row["title"])
        for name, pred, gold_list in (
            ("brands", brand_surfaces(reading), row.get("brands") or []),
            ("product_words", product_words(reading), row.get("product_words") or []),
        ):
            gold = {k for k in (_key(g) for g in gold_list) if k}
            counts[name + ".tp"] += len(pred & gold)
            counts[name + ".pred"] += len(pred)
            counts[name + ".gold"] += len(gold)
    return {
        "titles": len(rows),
        **{n: _prf(counts[n + ".tp"], counts[n + ".pred"], counts[n + ".gold"]) for n in ("brands", "product_words")},
    }


def eval_attributes(parser: RuleParser, path: Path) -> dict[str, Any]:
    """Recovery of annotated attribute spans (see the module docstring)."""
    rows = _read_jsonl(path)
    as_attribute = recovered = 0
    by_type: dict[str, list[int]] = {}
    for row in rows:
        answer = _key(row["answer"])
        reading = parser.read(row["query"])
        attr_texts = {_key(m.text) for m in reading.mentions if m.of("attribute")}
        attr_texts |= {_key(v) for v in reading.parsed.attributes.values()}
        hit_attr = answer in attr_texts
        phrases = {_key(m.text) for m in reading.mentions}
        kws = [_key(k) for k in reading.parsed.keywords]
        runs = {"".join(kws[i:j]) for i in range(len(kws)) for j in range(i + 1, len(kws) + 1)}
        hit = hit_attr or answer in phrases or answer in runs
        as_attribute += hit_attr
        recovered += hit
        stats = by_type.setdefault(row["attribute"], [0, 0, 0])
        stats[0] += 1
        stats[1] += hit_attr
        stats[2] += hit
    n = len(rows) or 1
    return {
        "items": len(rows),
        "recovered_as_attribute": round(as_attribute / n, 4),
        "recovered": round(recovered / n, 4),
        "by_type": {t: {"items": s[0], "as_attribute": s[1], "recovered": s[2]} for t, s in sorted(by_type.items())},
    }


def eval_spelling(parser: RuleParser, path: Path, queries: list[str]) -> dict[str, Any]:
    """Fixed and falsely changed shares (see the module docstring)."""
    rows = _read_jsonl(path)
    misspelled = [r for r in rows if r["query"] != r["corrected"]]
    correct = [r for r in rows if r["query"] == r["corrected"]]
    fixed = by_normalisation = 0
    for row in misspelled:
        gold = parser.analyzer.normalize(row["corrected"])
        fixed += parser.parse(row["query"]).normalized == gold
        by_normalisation += parser.analyzer.normalize(row["query"]) == gold
    changed = sum(parser.parse(r["query"]).corrected is not None for r in correct)
    stream_changed = sum(parser.parse(q).corrected is not None for q in queries)
    return {
        "misspelled": len(misspelled),
        "fixed": round(fixed / max(1, len(misspelled)), 4),
        "fixed_count": fixed,
        "fixed_by_normalisation_only": by_normalisation,
        "correct": len(correct),
        "false_changes": round(changed / max(1, len(correct)), 4),
        "false_change_count": changed,
        "real_queries": len(queries),
        "real_queries_changed": round(stream_changed / max(1, len(queries)), 4),
    }


def eval_latency(parser: RuleParser, queries: list[str]) -> dict[str, Any]:
    """Single-thread parse latency in milliseconds: wall clock, and this thread's CPU time.

    CPU time is what the parser costs; wall time also counts waiting for a core, which
    dominates the tail on a busy machine.
    """
    for q in queries:
        parser.parse(q)
    wall, cpu = [], []
    for q in queries:
        w0, c0 = time.perf_counter(), time.thread_time()
        parser.parse(q)
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    out: dict[str, Any] = {"queries": len(queries)}
    for name, times in (("wall", wall), ("cpu", cpu)):
        times.sort()
        if not times:
            continue
        for label, p in (("p50", 0.50), ("p99", 0.99)):
            out[f"{name}_{label}_ms"] = round(times[min(len(times) - 1, int(p * len(times)))], 4)
        out[f"{name}_mean_ms"] = round(statistics.fmean(times), 4)
        out[f"{name}_max_ms"] = round(times[-1], 4)
    return out


def markdown(result: dict[str, Any]) -> str:
    """The headline numbers as a Markdown table."""
    t, a, s, lat = result["titles"], result["attributes"], result["spelling"], result["latency"]

    def prf(d: dict[str, float]) -> str:
        return f"{d['precision']:.3f} / {d['recall']:.3f} / {d['f1']:.3f}"

    fixed = f"{s['fixed_count']}/{s['misspelled']}, {s['fixed_by_normalisation_only']} by normalisation alone"
    rows = [
        ("brand P / R / F1 (titles)", prf(t["brands"])),
        ("product word P / R / F1 (titles)", prf(t["product_words"])),
        ("attribute span found (attribute / anywhere)", f"{a['recovered_as_attribute']:.3f} / {a['recovered']:.3f}"),
        ("spelling: misspelled queries fixed", f"{s['fixed']:.3f} ({fixed})"),
        ("spelling: correct queries changed", f"{s['false_changes']:.3f} ({s['false_change_count']}/{s['correct']})"),
        (f"spelling: real queries changed (first {s['real_queries']})", f"{s['real_queries_changed']:.3f}"),
        (
            "latency wall p50 / p99 / max (ms)",
            f"{lat['wall_p50_ms']:.3f} / {lat['wall_p99_ms']:.3f} / {lat['wall_max_ms']:.3f}",
        ),
        (
            "latency CPU p50 / p99 / max (ms)",
            f"{lat['cpu_p50_ms']:.3f} / {lat['cpu_p99_ms']:.3f} / {lat['cpu_max_ms']:.3f}",
        ),
        ("parser build (s)", f"{result['build_seconds']:.2f}"),
    ]
    lines = ["| metric | value |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in rows)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=Path("data"), help="data directory of a built index")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    ap.add_argument("--queries", type=int, default=5000, help="real queries for latency and change rate")
    ap.add_argument("--no-spelling", action="store_true", help="parse without spelling correction")
    ap.add_argument("--json", action="store_true", help="print one JSON document to stdout")
    ap.add_argument("--query-log", type=Path, help="past queries (one per line) for the spelling corrector")
    ap.add_argument("--query-log-skip", type=int, default=0, help="leave out the first N lines of --query-log")
    args = ap.parse_args(argv)

    folder = args.shared / "query_understanding"
    if not folder.is_dir():
        print(f"skipped: {folder} not found (the shared query-understanding labels are needed)", file=sys.stderr)
        return 0
    build = DataDir(args.data_dir).require_build()
    t0 = time.perf_counter()
    _, _, lexicon, analyzer = load_build_parts(build)
    parser = RuleParser.with_spelling(lexicon, analyzer, spelling=not args.no_spelling and args.query_log is None)
    if args.query_log is not None and not args.no_spelling:
        with args.query_log.open(encoding="utf-8") as f:
            log = [line.strip() for i, line in enumerate(f) if i >= args.query_log_skip and line.strip()]
        terms = query_word_counts(log, parser.analyzer)
        corrector = SpellCorrector.from_lexicon(parser.lexicon, parser.analyzer, query_terms=terms)
        parser = RuleParser(parser.lexicon, parser.analyzer, spelling=corrector, vocabulary=parser.vocabulary)
        print(f"query log: {len(log)} queries, {len(terms)} words", file=sys.stderr)
    build_seconds = time.perf_counter() - t0
    print(f"parser ready in {build_seconds:.1f}s (build {build.name})", file=sys.stderr)
    queries_file = args.shared / "queries" / "multicpr_train_queries.txt"
    queries: list[str] = []
    if queries_file.exists():
        with queries_file.open(encoding="utf-8") as f:
            for line in f:
                if len(queries) >= args.queries:
                    break
                if line.strip():
                    queries.append(line.strip())
    no_spelling = RuleParser(parser.lexicon, parser.analyzer, vocabulary=parser.vocabulary)
    result: dict[str, Any] = {"build": build.name, "build_seconds": round(build_seconds, 2)}
    print("titles...", file=sys.stderr)
    result["titles"] = eval_titles(no_spelling, folder / "title_entities.jsonl")
    print("attributes...", file=sys.stderr)
    result["attributes"] = eval_attributes(parser, folder / "query_attributes.jsonl")
    print("spelling...", file=sys.stderr)
    result["spelling"] = eval_spelling(parser, folder / "query_spelling.jsonl", queries)
    print("latency...", file=sys.stderr)
    result["latency"] = eval_latency(parser, queries)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
