"""Search-log benchmarks on a built index (the shared catalog): logging overhead, a scripted session, an events flood.

    python -m benchmarks.searchlog overhead --data-dir /tmp/dmain-opslog [--queries 300] [--rounds 5]
    python -m benchmarks.searchlog session  --data-dir /tmp/dmain-opslog [--searches 120]
    python -m benchmarks.searchlog flood    --data-dir /tmp/dfull-flood [--seconds 16] [--threads 6] [--rounds 4]
                                            [--setups open,key,budget,split] [--key-rate 2] [--events-per-s 1000]
                                            [--server-path DIR]

``overhead`` runs the same queries through the API in-process with the search log on and off,
in alternating blocks (drift cancels out), and reports p50/p95 of each. ``session`` plays a
scripted shopping session (searches from the shared query file, clicks with a position bias,
some purchases, suggestions, nonsense queries) against the API, for ``search analytics``.
``flood`` starts real servers and measures search latency while other clients flood ``POST /events``,
alternating quiet and flood phases ``--rounds`` times per setup (see ``SETUPS``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

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
#: flood setups: how the server is run and who floods it
SETUPS = {
    "open": "one server, no keys: the flood is accepted (events writers bounded at the default 2)",
    "key": "one server; the flooding client's `events` key is rate-limited (--key-rate), searches send a `search` key",
    "budget": "one server, no keys, this process accepts at most --events-per-s events a second (SEARCH_EVENTS_PER_S)",
    "split": "two servers on the same data dir: searches go to one, events to the other (a proxy routing /events)",
}


class _Server:
    """``search serve`` in a subprocess on a free port (optionally from another checkout, for before/after)."""

    def __init__(self, data_dir: Path, env: dict[str, str], server_path: str | None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        if server_path:  # `python -m` puts the working directory first on the path
            env = {**env, "PYTHONPATH": server_path}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "search.cli", "serve", "--data-dir", str(data_dir), "--port", str(self.port)],
            env=env,
            cwd=server_path or None,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self) -> None:
        import httpx

        for _ in range(900):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited while starting")
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _flood_process(
    base: str, headers: dict[str, str], products: list[str], threads: int, stop: Any, results: Any
) -> None:
    """The flooding clients, in their own process (their work must not share a GIL with the measured searches).

    Each thread posts batches of 200 ``view`` events as fast as it can, ignoring ``Retry-After``;
    a batch is encoded once and given a fresh shopper per request (so every event is new)."""
    import httpx

    status: dict[int | str, int] = {}
    stored = [0]
    lock = threading.Lock()

    def flood(k: int) -> None:
        rng = random.Random(k)
        batch = [
            {"user_id": "FLOODER", "product_id": rng.choice(products), "event": "view", "ts": time.time() - i}
            for i in range(200)
        ]
        template = json.dumps({"events": batch}).replace("FLOODER", "flood-%d-%d")
        with httpx.Client(base_url=base, timeout=60, headers={**headers, "content-type": "application/json"}) as c:
            n = 0
            while not stop.is_set():
                n += 1
                body = (template % ((k, n) * 200)).encode()
                try:
                    r = c.post("/events", content=body)
                except httpx.TransportError as exc:  # counted under its name, then the client goes on
                    with lock:
                        status[type(exc).__name__] = status.get(type(exc).__name__, 0) + 1
                    continue
                with lock:
                    status[r.status_code] = status.get(r.status_code, 0) + 1
                    if r.status_code == 200:
                        stored[0] += r.json()["stored"]

    workers = [threading.Thread(target=flood, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    results.put((status, stored[0]))


def _flood_setup(args: argparse.Namespace, setup: str, queries: list[str]) -> dict:
    """One setup: ``rounds`` times searches alone for seconds/2, then during the flood for seconds.

    Quiet and flood phases alternate on the same server, so each round's ratio is paired (the
    machine's load drifts between rounds, not within one)."""
    import httpx

    from search.api.auth import hash_key

    env = {**os.environ, "SEARCH_USER_ID_SECRET": "bench-secret"}
    search_headers: dict[str, str] = {}
    flood_headers: dict[str, str] = {}
    if setup == "key":
        env["SEARCH_API_KEYS"] = (
            f"web:search:{hash_key(SEARCH_KEY)} importer:events:{hash_key(IMPORT_KEY)}:{args.key_rate:g}"
        )
        search_headers = {"Authorization": f"Bearer {SEARCH_KEY}"}
        flood_headers = {"Authorization": f"Bearer {IMPORT_KEY}"}
    if setup == "budget":
        env["SEARCH_EVENTS_PER_S"] = f"{args.events_per_s:g}"
    servers = [_Server(Path(args.data_dir), env, args.server_path)]
    if setup == "split":
        servers[0].wait_ready()  # one at a time: both load the index and the models
        servers.append(_Server(Path(args.data_dir), env, args.server_path))
    try:
        for server in servers:
            server.wait_ready()
        base, events_base = servers[0].base, servers[-1].base
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
                    assert c.get("/search", params={"q": queries[i % len(queries)]}).status_code == 200
                    out.append((time.perf_counter() - t) * 1000)
                    i += 1
            return out

        status: dict[int | str, int] = {}
        stored = 0
        quiet: list[list[float]] = []
        loud: list[list[float]] = []
        ctx = multiprocessing.get_context("fork")  # no thread is running yet
        pids = [server.proc.pid for server in servers]
        cpu = {"quiet": [0.0, 0.0], "flood": [0.0, 0.0], "flooder": [0.0, 0.0]}  # CPU s, wall s

        def used() -> float:
            return sum(_cpu_s(pid) for pid in pids)

        for _ in range(args.rounds):
            c0, t0 = used(), time.monotonic()
            quiet.append(measure(args.seconds / 2))
            cpu["quiet"][0] += used() - c0
            cpu["quiet"][1] += time.monotonic() - t0
            stop, results = ctx.Event(), ctx.Queue()
            flooder = ctx.Process(
                target=_flood_process, args=(events_base, flood_headers, products, args.threads, stop, results)
            )
            flooder.start()
            time.sleep(1)
            c0, f0, t0 = used(), _cpu_s(flooder.pid), time.monotonic()  # type: ignore[arg-type]
            loud.append(measure(args.seconds))
            cpu["flood"][0] += used() - c0
            cpu["flooder"][0] += _cpu_s(flooder.pid) - f0  # type: ignore[arg-type]
            cpu["flood"][1] = cpu["flooder"][1] = cpu["flood"][1] + time.monotonic() - t0
            stop.set()
            counts, n_stored = results.get(timeout=120)
            flooder.join(30)
            for code, n in counts.items():
                status[code] = status.get(code, 0) + n
            stored += n_stored
    finally:
        for server in servers:
            server.stop()
    q_all = [x for r in quiet for x in r]
    l_all = [x for r in loud for x in r]
    ratios = [percentile(b, 50) / percentile(a, 50) for a, b in zip(quiet, loud, strict=True)]
    return {
        "setup": setup,
        "flood_key_rate_per_s": args.key_rate if setup == "key" else None,
        "events_per_s": args.events_per_s if setup == "budget" else None,
        "quiet_p50_ms": round(percentile(q_all, 50), 2),
        "quiet_p99_ms": round(percentile(q_all, 99), 2),
        "flood_p50_ms": round(percentile(l_all, 50), 2),
        "flood_p99_ms": round(percentile(l_all, 99), 2),
        "p50_ratio_per_round": [round(r, 2) for r in ratios],
        "p50_ratio_median": round(percentile(ratios, 50), 2),
        "searches": {"quiet": len(q_all), "flood": len(l_all)},
        "server_cpu_per_s": {k: round(c / w, 2) for k, (c, w) in cpu.items() if k != "flooder"},
        "flooding_clients_cpu_per_s": round(cpu["flooder"][0] / cpu["flooder"][1], 2),
        "event_requests_by_status": status,
        "events_stored": stored,
    }


def flood(args: argparse.Namespace) -> dict:
    queries = _queries(100)
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    for s in setups:
        if s not in SETUPS:
            raise SystemExit(f"unknown setup {s!r}; valid: {', '.join(SETUPS)}")
    runs = [_flood_setup(args, s, queries) for s in setups]
    return {
        "threads": args.threads,
        "batch": 200,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "server_path": args.server_path,
        "setups": {s: SETUPS[s] for s in setups},
        "runs": runs,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["overhead", "session", "flood"])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--searches", type=int, default=120)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--threads", type=int, default=6)
    p.add_argument("--key-rate", type=float, default=2.0, help="flood, setup key: the flooding key's requests a second")
    p.add_argument("--events-per-s", type=float, default=1000.0, help="flood, setup budget: SEARCH_EVENTS_PER_S")
    p.add_argument("--setups", default="open,key,split", help=f"flood: comma-separated, of {', '.join(SETUPS)}")
    p.add_argument("--server-path", default=None, help="flood: run the servers from this checkout (PYTHONPATH)")
    args = p.parse_args()
    result = {"overhead": overhead, "session": session, "flood": flood}[args.what](args)
    result["machine"] = machine() + "; shared with other work"
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
