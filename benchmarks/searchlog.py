"""Search-log benchmarks on a built index (the shared catalog): logging overhead, a scripted session, an events flood.

    python -m benchmarks.searchlog overhead --data-dir /tmp/dmain-opslog [--queries 300] [--rounds 5]
    python -m benchmarks.searchlog session  --data-dir /tmp/dmain-opslog [--searches 120]
    python -m benchmarks.searchlog flood    --data-dir /tmp/dmain-opslog [--seconds 20] [--threads 6]

``overhead`` runs the same queries through the API in-process with the search log on and off,
in alternating blocks (drift cancels out), and reports p50/p95 of each. ``session`` plays a
scripted shopping session (searches from the shared query file, clicks with a position bias,
some purchases, suggestions, nonsense queries) against the API, for ``search analytics``.
``flood`` starts a real server and measures search latency while other clients flood ``POST /events``,
with the events concurrency limit at its default and effectively off.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.common import machine, percentile, shared

ADMIN = "bench-admin-token"


def _queries(n: int, seed: int = 7) -> list[str]:
    lines = shared("queries", "multicpr_train_queries.txt").read_text(encoding="utf-8").splitlines()
    unique = list(dict.fromkeys(q.strip() for q in lines if q.strip()))
    random.Random(seed).shuffle(unique)
    return unique[:n]


def _settings(data_dir: Path, **extra):
    from search.config import Settings

    return Settings(data_dir=data_dir, admin_token=ADMIN, user_id_secret="bench-secret", **extra)


def overhead(args: argparse.Namespace) -> dict:
    from fastapi.testclient import TestClient

    from search.api.app import build_engine, create_app

    engine = build_engine(_settings(Path(args.data_dir)))
    queries = _queries(args.queries)
    lat: dict[str, list[float]] = {"on": [], "off": []}
    app = create_app(engine=engine)
    with TestClient(app) as client:
        log = app.state.search_log
        for q in queries:  # warm the query caches: both modes then see the same engine work
            client.get("/search", params={"q": q, "user_id": "warm"})
        order = random.Random(3)
        paired: list[float] = []
        for _ in range(args.rounds):
            for i, q in enumerate(queries):  # each query on and off back to back, in random order: same load
                took = {}
                for mode in order.sample(["on", "off"], 2):
                    app.state.search_log = log if mode == "on" else None
                    t = time.perf_counter()
                    resp = client.get("/search", params={"q": q, "user_id": f"u{i % 50}"})
                    took[mode] = (time.perf_counter() - t) * 1000
                    assert resp.status_code == 200
                    lat[mode].append(took[mode])
                paired.append(took["on"] - took["off"])
        app.state.search_log = log
        log.flush()
        log.flush()
        # the request-path cost alone: building the record and queueing it (a writer that is not running)
        from search.analytics.searchlog import LoggedSearch, SearchLog
        from search.engine import SearchRequest

        res = engine.search(SearchRequest(q=queries[0], user_id="x"))
        n = 20000
        idle = SearchLog(log.store, log.pseudonymize, queue_size=n)
        t = time.perf_counter()
        for _ in range(n):
            idle.search(
                LoggedSearch(
                    res.search_id,
                    time.time(),
                    "x",
                    res.query,
                    res.parsed,
                    res.profile,
                    None,
                    None,
                    1,
                    10,
                    [it["id"] for it in res.items],
                    res.total,
                    res.took_ms,
                )  # fmt: skip
            )
        enqueue_us = (time.perf_counter() - t) / n * 1e6
        counters = dict(log.counters.by_outcome)
    engine.close()
    out = {
        "queries": len(queries),
        "rounds": args.rounds,
        "p50_on_ms": round(percentile(lat["on"], 50), 3),
        "p50_off_ms": round(percentile(lat["off"], 50), 3),
        "p95_on_ms": round(percentile(lat["on"], 95), 3),
        "p95_off_ms": round(percentile(lat["off"], 95), 3),
        "enqueue_us": round(enqueue_us, 2),
        "median_paired_delta_ms": None,
        "log_records": counters,
    }
    out["p50_delta_ms"] = round(out["p50_on_ms"] - out["p50_off_ms"], 3)
    out["median_paired_delta_ms"] = round(percentile(paired, 50), 3)
    return out


def session(args: argparse.Namespace) -> dict:
    from fastapi.testclient import TestClient

    from search.api.app import build_engine, create_app

    rng = random.Random(11)
    engine = build_engine(_settings(Path(args.data_dir)))
    queries = _queries(args.searches // 2)
    nonsense = [f"qzx{rng.randrange(10**6)}vk" for _ in range(6)]
    plan = [rng.choice(queries) if rng.random() < 0.5 else queries[i % len(queries)] for i in range(args.searches)]
    plan += nonsense + nonsense[:3]  # a few zero-result queries, some repeated
    counts = {"searches": 0, "clicks": 0, "purchases": 0, "zero": 0}
    with TestClient(create_app(engine=engine)) as client:
        for i, q in enumerate(plan):
            user = f"shopper-{i % 25}"
            params = {"q": q, "user_id": user}
            if i % 9 == 0:
                params["source"] = "suggest"
            body = client.get("/search", params=params).json()
            counts["searches"] += 1
            counts["zero"] += body["total"] == 0
            if not body["items"] or rng.random() > 0.55:
                continue
            weights = [1 / p for p in range(1, len(body["items"]) + 1)]
            position = rng.choices(range(1, len(body["items"]) + 1), weights)[0]
            event = {"user_id": user, "product_id": body["items"][position - 1]["id"], "event": "click"}
            event |= {"search_id": body["search_id"], "position": position}
            assert client.post("/events", json=event).status_code == 200
            counts["clicks"] += 1
            if rng.random() < 0.2:
                assert client.post("/events", json={**event, "event": "purchase"}).status_code == 200
                counts["purchases"] += 1
        analytics = client.get("/admin/analytics", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    engine.close()
    return {"played": counts, "analytics_searches": analytics["searches"], "ctr": analytics["ctr"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SEARCH_KEY, IMPORT_KEY = "bench-search-key", "bench-import-key"


def _flood_run(
    data_dir: Path, inflight: int, seconds: float, threads: int, queries: list[str], key_rate: float | None = None
) -> dict:
    """One server; searches alone, then during the flood. With ``key_rate`` the flooding client
    sends an ``events`` key limited to that many requests a second and the searches a ``search`` key."""
    import httpx

    from search.api.auth import hash_key

    port = _free_port()
    env = {**os.environ, "SEARCH_EVENTS_MAX_INFLIGHT": str(inflight), "SEARCH_USER_ID_SECRET": "bench-secret"}
    search_headers: dict[str, str] = {}
    flood_headers: dict[str, str] = {}
    if key_rate is not None:
        env["SEARCH_API_KEYS"] = (
            f"web:search:{hash_key(SEARCH_KEY)} importer:events:{hash_key(IMPORT_KEY)}:{key_rate:g}"
        )
        search_headers = {"Authorization": f"Bearer {SEARCH_KEY}"}
        flood_headers = {"Authorization": f"Bearer {IMPORT_KEY}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "search.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        first = httpx.get(
            f"{base}/search", params={"q": "手机", "size": 100}, headers=search_headers, timeout=120
        ).json()
        products = [it["id"] for it in first["items"]]
        with httpx.Client(base_url=base, timeout=30, headers=search_headers) as c:
            for q in queries:  # warm
                c.get("/search", params={"q": q})

        def measure(duration: float) -> list[float]:
            out: list[float] = []
            end = time.monotonic() + duration
            with httpx.Client(base_url=base, timeout=30, headers=search_headers) as c:
                i = 0
                while time.monotonic() < end:
                    t = time.perf_counter()
                    c.get("/search", params={"q": queries[i % len(queries)]})
                    out.append((time.perf_counter() - t) * 1000)
                    i += 1
            return out

        quiet = measure(seconds / 2)
        stop = threading.Event()
        status: dict[int, int] = {}
        lock = threading.Lock()

        def flood(k: int) -> None:
            rng = random.Random(k)
            with httpx.Client(base_url=base, timeout=60, headers=flood_headers) as c:
                while not stop.is_set():
                    batch = [
                        {
                            "user_id": f"flood-{k}",
                            "product_id": rng.choice(products),
                            "event": "view",
                            "ts": time.time() - rng.random() * 1000,
                        }  # fmt: skip
                        for _ in range(200)
                    ]
                    code = c.post("/events", json={"events": batch}).status_code
                    with lock:
                        status[code] = status.get(code, 0) + 1

        workers = [threading.Thread(target=flood, args=(k,)) for k in range(threads)]
        for w in workers:
            w.start()
        time.sleep(1)
        loud = measure(seconds)
        stop.set()
        for w in workers:
            w.join()
    finally:
        server.terminate()
        server.wait(30)
    return {
        "events_max_inflight": inflight,
        "flood_key_rate_per_s": key_rate,
        "quiet_p50_ms": round(percentile(quiet, 50), 2),
        "quiet_p95_ms": round(percentile(quiet, 95), 2),
        "flood_p50_ms": round(percentile(loud, 50), 2),
        "flood_p95_ms": round(percentile(loud, 95), 2),
        "searches_during_flood": len(loud),
        "event_requests_by_status": status,
    }


def flood(args: argparse.Namespace) -> dict:
    queries = _queries(100)
    if args.key_rate:  # the same default server without and with a rate-limited key for the flooding client
        runs = [
            _flood_run(Path(args.data_dir), 2, args.seconds, args.threads, queries, rate)
            for rate in (None, args.key_rate)
        ]
    else:
        runs = [_flood_run(Path(args.data_dir), n, args.seconds, args.threads, queries) for n in (2, 1000)]
    return {"threads": args.threads, "batch": 200, "seconds": args.seconds, "runs": runs}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["overhead", "session", "flood"])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--searches", type=int, default=120)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--threads", type=int, default=6)
    p.add_argument(
        "--key-rate", type=float, default=None, help="flood: also run with the flooding client's key limited to R req/s"
    )
    args = p.parse_args()
    result = {"overhead": overhead, "session": session, "flood": flood}[args.what](args)
    result["machine"] = machine() + "; shared with other work"
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
