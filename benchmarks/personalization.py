"""Personalization benchmark: relevance with and without the shopper, recommendations, latency, training time.

Run on demand, never in the unit suite. On the shared data (see benchmarks/results/personalization.md)::

    cp -a /tmp/dfull /tmp/p-shared            # or: indexer build ../shared/data/catalog.jsonl --data-dir /tmp/p-shared
    python -m benchmarks.personalization --data-dir /tmp/p-shared --prepare --retrain

``--prepare`` imports ``--events`` and trains the CF model when the data dir has no
events / no model yet (``--retrain`` trains again anyway, and times it). Sessions are
split by ``history_events > 0``; each group is evaluated anonymously (``user_id``
null) and personalized, with the same metrics as ``search eval``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import machine, shared


def read_sessions(path: Path) -> list[dict[str, Any]]:
    """The sessions file (``user_id``, ``query``, ``relevant``, ``history_events``)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def prepare(data_dir: Path, events: Path, retrain: bool, engine: str = "implicit") -> dict[str, Any]:
    """Import events and train when missing (or ``retrain``); returns what was done.

    The events go to the shared-state database (``SEARCH_DB_URL``, else the data dir's SQLite file).
    """
    from indexer.cf import train_cf
    from indexer.events import import_events
    from search.config import Settings
    from search.db import open_database
    from search.personal.store import EventStore
    from search.personal.versions import CFVersions
    from search.store.layout import DataDir

    out: dict[str, Any] = {}
    data = DataDir(data_dir)
    store = EventStore(open_database(Settings(), sqlite_path=data.events_db), None)
    if store.counts()["events"] == 0:
        out["import"] = import_events(events, data_dir, progress=False)
        out["import"]["events_per_s"] = round(out["import"]["imported"] / out["import"]["seconds"], 1)
    store.close()
    if retrain or CFVersions(data.cf_dir).current_dir() is None:
        out["train"] = train_cf(data_dir, Settings().configs_dir, progress=False, engine=engine)
    return out


def relevance(engine: Any, sessions: list[dict[str, Any]], profile: str | None) -> dict[str, Any]:
    """nDCG@10 / MRR@10 / recall per history group, anonymous vs personalized, plus per-session deltas."""
    from search.engine import SearchRequest
    from search.evaluate import query_metrics

    groups: dict[str, dict[str, list[dict[str, float]]]] = defaultdict(lambda: defaultdict(list))
    identical = {"with_history": 0, "no_history": 0}
    for s in sessions:
        group = "with_history" if s["history_events"] > 0 else "no_history"
        relevant = {str(r): 1.0 for r in s["relevant"]}
        runs = {}
        for mode, user in (("anonymous", None), ("personalized", s["user_id"])):
            res = engine.search(SearchRequest(q=s["query"], user_id=user, profile=profile, size=100))
            runs[mode] = [(i["id"], i["score"]) for i in res.items]
            groups[group][mode].append(query_metrics([i for i, _ in runs[mode]], relevant))
        identical[group] += runs["anonymous"] == runs["personalized"]
    out: dict[str, Any] = {}
    for group, modes in groups.items():
        out[group] = {
            mode: {m: round(statistics.fmean(q[m] for q in qs), 4) for m in qs[0]} | {"sessions": len(qs)}
            for mode, qs in modes.items()
        }
        out[group]["identical_rankings"] = identical[group]
        anon, pers = out[group]["anonymous"]["ndcg@10"], out[group]["personalized"]["ndcg@10"]
        out[group]["ndcg_ratio"] = round(pers / anon, 3) if anon else None
    return out


def recommendations(engine: Any, personal: Any, sessions: list[dict[str, Any]], k: int = 20) -> dict[str, Any]:
    """Recall@k of /recommend per session: the session's relevant items minus the shopper's history.

    The baseline is the k most popular products (decayed interactions) minus the shopper's history.
    """
    from search.personal.recommend import rank_top

    index = engine.index
    table = personal.item_table(index.store, index.version)
    popularity = personal._popularity(personal.model(), table)
    recalls: dict[str, list[float]] = {"recommend": [], "popular": []}
    cache: dict[str, tuple[set[str], set[str], set[str]]] = {}
    for s in sessions:
        if s["history_events"] <= 0:
            continue
        user = s["user_id"]
        if user not in cache:
            touched = set(personal.store.touched(personal.pseudonymize(user)))
            rec = personal.recommend(user, k, index.store, index.version)
            exclude = np.asarray([pid in touched for pid in table.ids], dtype=bool)
            popular = rank_top(table.ids, popularity, exclude, k)
            cache[user] = (touched, {i for i, _ in rec.items}, {i for i, _ in popular})
        touched, recommended, popular_ids = cache[user]
        target = set(s["relevant"]) - touched
        if not target:
            continue
        recalls["recommend"].append(len(target & recommended) / len(target))
        recalls["popular"].append(len(target & popular_ids) / len(target))
    return {
        f"recall@{k}": {n: round(statistics.fmean(v), 4) for n, v in recalls.items()},
        "sessions": len(recalls["recommend"]),
        "shoppers": len(cache),
    }


def latency(
    engine: Any, sessions: list[dict[str, Any]], profile: str | None, rounds: int, limit: int
) -> dict[str, Any]:
    """Search latency in-process, the same queries with and without the user (interleaved)."""
    from search.engine import SearchRequest

    users = [s for s in sessions if s["history_events"] > 0][:limit]
    for s in users[:50]:  # warm the query-vector cache and the model
        engine.search(SearchRequest(q=s["query"], user_id=s["user_id"], profile=profile, size=10))
    times: dict[str, list[float]] = {"anonymous": [], "personalized": [], "personalize_stage": []}
    for _ in range(rounds):
        for s in users:
            for mode, user in (("anonymous", None), ("personalized", s["user_id"])):
                t = time.perf_counter()
                res = engine.search(SearchRequest(q=s["query"], user_id=user, profile=profile, size=10))
                times[mode].append((time.perf_counter() - t) * 1000)
                if user:
                    times["personalize_stage"].append(res.timings.get("personalize", 0.0))

    def pct(values: list[float]) -> dict[str, float]:
        a = np.asarray(values)
        return {"p50": round(float(np.percentile(a, 50)), 3), "p99": round(float(np.percentile(a, 99)), 3)}

    out: dict[str, Any] = {k: pct(v) for k, v in times.items()}
    out["p99_added_ms"] = round(out["personalized"]["p99"] - out["anonymous"]["p99"], 3)
    out["searches"] = len(times["anonymous"])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--sessions", type=Path, default=None, help="default: ../shared/data/behavior/sessions_dev.jsonl")
    p.add_argument("--events", type=Path, default=None, help="default: ../shared/data/behavior/events.jsonl")
    p.add_argument("--prepare", action="store_true", help="import events and train when missing")
    p.add_argument("--retrain", action="store_true", help="train again (and time it)")
    p.add_argument("--cf-engine", default="implicit", choices=["implicit", "spark"], help="engine for --retrain")
    p.add_argument("--profile", default=None)
    p.add_argument("--latency-rounds", type=int, default=3, help="0 skips the latency measurement")
    p.add_argument("--latency-sessions", type=int, default=500, help="sessions (with history) timed per round")
    p.add_argument("--skip", action="append", default=[], choices=["relevance", "recommend"])
    args = p.parse_args(argv)

    from search.api.app import build_engine
    from search.config import Settings

    sessions_path = args.sessions or shared("behavior", "sessions_dev.jsonl")
    report: dict[str, Any] = {
        "machine": machine(),
        "load_average": os.getloadavg(),
        "data_dir": str(args.data_dir),
        "sessions": str(sessions_path),
    }
    if args.prepare or args.retrain:
        events = args.events or shared("behavior", "events.jsonl")
        report["prepare"] = prepare(args.data_dir, events, args.retrain, args.cf_engine)
    report["database"] = "postgresql" if os.environ.get("SEARCH_DB_URL") else "sqlite"
    engine = build_engine(Settings(data_dir=args.data_dir))
    try:
        sessions = read_sessions(sessions_path)
        personal = engine.personalizer
        if "relevance" not in args.skip:
            report["relevance"] = relevance(engine, sessions, args.profile)
        if "recommend" not in args.skip:
            report["recommendations"] = recommendations(engine, personal, sessions)
        if args.latency_rounds > 0:
            report["latency_ms"] = latency(engine, sessions, args.profile, args.latency_rounds, args.latency_sessions)
    finally:
        engine.close()
    report["load_average_after"] = os.getloadavg()
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
