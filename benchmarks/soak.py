"""Soak: a steady query load while new index versions are published, with the server's memory sampled.

    python -m benchmarks.soak --data-dir /tmp/dfull-copy [--reloads 20] [--clients 3] [--every 8]
                              [--mode copy|refresh] [--json out.json]

Starts ``search serve`` on a free local port over an existing index (the data dir is written
to: use a copy), sends real shared queries (``../shared/data/queries``) from ``--clients``
threads on keep-alive connections, and publishes a new index version every ``--every`` seconds,
``--reloads`` times:

- ``copy`` (default): the live build copied into a new version and published the way the
  indexer publishes (``<id>.partial`` -> ``<id>`` -> ``CURRENT``; the two newest kept), so
  the server loads a complete build of the same catalog each time;
- ``refresh``: ``indexer refresh`` of the shared catalog with the price of a few products
  changed (the real path, slower: it also analyses the catalog).

It reads the server's RSS (``/proc/PID/status``) every 0.2 s and reports: requests, errors,
p50/p99 overall and within a window around each switch (requests running at any time from the
publication until 2 s after the server answers with the new version), the maximum latency, and RSS after each reload.
``--src DIR`` runs the server from another checkout of the project (a before/after comparison).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import machine, percentile, shared
from benchmarks.latency import _free_port, _wait

#: requests started this long after the server switched still count as "around the switch"
AFTER_SWITCH_S = 2.0


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def publish_copy(data_dir: Path) -> str:
    """Publish a copy of the live build as a new version (the indexer's own publication path)."""
    from search.store.layout import DataDir

    data = DataDir(data_dir)
    with data.writer_lock():
        live = data.require_build()
        partial = data.new_build()
        shutil.copytree(live, partial, dirs_exist_ok=True)
        build = data.publish(partial)
        data.cleanup(keep=2)
    return build.name


def publish_refresh(data_dir: Path, catalog: Path, round_no: int, work: Path) -> str:
    """``indexer refresh`` of the catalog with the prices of 20 products changed; returns the new version."""
    rows = catalog.read_text(encoding="utf-8").splitlines()
    rng = random.Random(round_no)
    for i in rng.sample(range(len(rows)), 20):
        row = json.loads(rows[i])
        if isinstance(row.get("price"), (int, float)):
            row["price"] = round(float(row["price"]) * (1 + round_no / 100), 2)
        rows[i] = json.dumps(row, ensure_ascii=False)
    changed = work / "catalog.jsonl"
    changed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "indexer.cli", "refresh", str(changed), "--data-dir", str(data_dir), "-q"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return (data_dir / "index" / "CURRENT").read_text(encoding="utf-8").strip()


class Load:
    """Client threads sending queries until stopped; every request as (start, ms, status)."""

    def __init__(self, port: int, queries: list[str], clients: int) -> None:
        self.port = port
        self.queries = queries
        self.clients = clients
        self.records: list[tuple[float, float, int]] = []
        self.stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def join(self) -> None:
        self.stop.set()
        for t in self._threads:
            t.join()

    def _run(self, n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        i = n
        while not self.stop.is_set():
            q = self.queries[i % len(self.queries)]
            i += self.clients
            start = time.monotonic()
            try:
                conn.request("GET", "/search?" + urllib.parse.urlencode({"q": q, "size": 10}))
                res = conn.getresponse()
                res.read()
                status = res.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.records.append((start, (time.monotonic() - start) * 1000, status))
        conn.close()


def served_version(url: str) -> str | None:
    try:
        return str(httpx.get(url + "/healthz", timeout=30).json()["index_version"])
    except (httpx.HTTPError, KeyError, ValueError):
        return None


def stats(records: list[tuple[float, float, int]]) -> dict[str, Any]:
    ms = [r[1] for r in records]
    return {
        "requests": len(records),
        "errors": sum(1 for r in records if r[2] != 200),
        "p50_ms": round(percentile(ms, 50), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms, default=float("nan")), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", required=True, help="a copy of a built data dir (new versions are published here)")
    ap.add_argument("--configs-dir", default=None)
    ap.add_argument("--reloads", type=int, default=20)
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--every", type=float, default=8.0, help="seconds between publications")
    ap.add_argument("--warmup", type=float, default=10.0, help="seconds of load before the first publication")
    ap.add_argument("--mode", choices=["copy", "refresh"], default="copy")
    ap.add_argument("--reload-interval", type=float, default=1.0, help="the server's SEARCH_RELOAD_INTERVAL_S")
    ap.add_argument("--src", default=None, help="run the server from this checkout (PYTHONPATH)")
    ap.add_argument("--json", default=None, help="also write the report here")
    args = ap.parse_args()

    data_dir = Path(args.data_dir)
    lines = shared("queries", "multicpr_train_queries.txt").read_text(encoding="utf-8").splitlines()
    queries = [q.strip() for q in lines if q.strip()][:2000]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "search.cli", "serve", "--data-dir", str(data_dir), "--port", str(port)]
    cmd += ["--log-level", "warning"] + (["--configs-dir", args.configs_dir] if args.configs_dir else [])
    env = {**os.environ, "SEARCH_RELOAD_INTERVAL_S": str(args.reload_interval)}
    if args.src:
        env["PYTHONPATH"] = str(Path(args.src).resolve())
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    rss: list[tuple[float, float]] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            rss.append((time.monotonic(), rss_mb(server.pid)))
            time.sleep(0.2)

    switches: list[dict[str, Any]] = []
    work = data_dir.parent / f"{data_dir.name}-soak-work"
    work.mkdir(exist_ok=True)
    try:
        _wait(url)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        load = Load(port, queries, args.clients)
        load.start()
        time.sleep(args.warmup)
        start_rss = rss[-1][1]
        for n in range(1, args.reloads + 1):
            begun = time.monotonic()
            if args.mode == "copy":
                version = publish_copy(data_dir)
            else:
                version = publish_refresh(data_dir, shared("catalog.jsonl"), n, work)
            published = time.monotonic()
            while served_version(url) != version:
                if time.monotonic() - published > 120:
                    raise SystemExit(f"the server did not switch to {version}")
                time.sleep(0.05)
            switched = time.monotonic()
            time.sleep(max(0.0, args.every - (switched - begun)))
            switches.append(
                {"n": n, "version": version, "published": published, "switched": switched, "rss_mb": rss[-1][1]}
            )
            print(f"reload {n}: switch {switched - published:.2f}s after publishing, RSS {rss[-1][1]:.0f} MB")
        load.join()
    finally:
        sampling.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)

    records = sorted(load.records)
    window = [
        r
        for r in records
        if any(r[0] <= s["switched"] + AFTER_SWITCH_S and r[0] + r[1] / 1000 >= s["published"] for s in switches)
    ]
    report = {
        "machine": machine() + " (2 cores shared with other work)",
        "mode": args.mode,
        "reloads": len(switches),
        "clients": args.clients,
        "overall": stats(records),
        "around_switch": stats(window),
        "switch_s": {
            "p50": round(percentile([s["switched"] - s["published"] for s in switches], 50), 2),
            "max": round(max(s["switched"] - s["published"] for s in switches), 2),
        },
        "rss_mb": {
            "before_first_reload": round(start_rss),
            "after_each_reload": [round(s["rss_mb"]) for s in switches],
            "max": round(max(v for _, v in rss)),
        },
    }
    report["rss_mb"]["growth"] = report["rss_mb"]["after_each_reload"][-1] - report["rss_mb"]["before_first_reload"]
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
