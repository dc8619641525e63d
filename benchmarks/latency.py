"""End-to-end HTTP latency of ``/search`` against the query embedding alone, in one run.

    python -m benchmarks.latency --data-dir DIR [--queries 1000] [--profile hybrid] [--workers 1]

Starts ``search serve`` on a free local port over an existing index, sends real queries
from ``../shared/data/queries/multicpr_train_queries.txt`` sequentially and then from 4
concurrent clients, and reports p50/p99 latency, QPS and errors. In the same run it
times the embedder's own query encoding (the goal: the whole pipeline's p50 within
twice the embedding p50).

The embedding is timed in blocks interleaved with the sequential requests (``--block``
queries of HTTP, then the same queries through the embedder in this process, and so on):
the embedder's p50 alone moves by more than a millisecond from one minute to the next on
a shared machine, so both sides of the ratio are measured under the same conditions.
The client is the standard library's keep-alive ``http.client``: a heavier client
(``httpx``) adds about a millisecond of its own Python per request (``--client httpx``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.common import machine, shared, summary_ms


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                # the autocomplete is built in the background at start; a first /suggest waits for it,
                # so the searches are timed in the steady state, not beside that build
                httpx.get(url + "/suggest", params={"q": "手"}, timeout=max(1.0, deadline - time.monotonic()))
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become healthy")


class Client:
    """GET ``/search`` over one keep-alive connection; returns the status code."""

    def __init__(self, port: int, kind: str = "stdlib") -> None:
        self.kind = kind
        self.port = port
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._httpx = httpx.Client(timeout=30) if kind == "httpx" else None

    def get(self, params: dict[str, str | int]) -> int:
        if self._httpx is not None:
            return self._httpx.get(f"http://127.0.0.1:{self.port}/search", params=params).status_code
        self._conn.request("GET", "/search?" + urllib.parse.urlencode(params))
        response = self._conn.getresponse()
        response.read()
        return response.status

    def close(self) -> None:
        self._conn.close()
        if self._httpx is not None:
            self._httpx.close()


def _run(client: Client, queries: list[str], profile: str, user: str | None) -> tuple[list[float], int]:
    lat, errors = [], 0
    for q in queries:
        params: dict[str, str | int] = {"q": q, "profile": profile, "size": 10}
        if user:
            params["user_id"] = user
        t = time.perf_counter()
        status = client.get(params)
        lat.append(time.perf_counter() - t)
        if status != 200:
            errors += 1
    return lat, errors


def _encode_times(encode: Callable[[list[str]], object], queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        encode([q])
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--configs-dir", default=None)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--profile", default="hybrid")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--user", default=None, help="send this user id with every query")
    ap.add_argument("--block", type=int, default=100, help="queries per block of HTTP, then of embedding")
    ap.add_argument("--client", choices=["stdlib", "httpx"], default="stdlib")
    args = ap.parse_args()

    lines = shared("queries", "multicpr_train_queries.txt").read_text(encoding="utf-8").splitlines()
    queries = [q.strip() for q in lines if q.strip()][: args.queries]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "search.cli",
        "serve",
        "--data-dir",
        args.data_dir,
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    if args.configs_dir:
        cmd += ["--configs-dir", args.configs_dir]
    from search.retrieve.embed import make_embedder
    from search.store.layout import DataDir, read_manifest

    spec = read_manifest(DataDir(Path(args.data_dir)).require_build())["dense"]["model"]
    emb = make_embedder(spec)
    emb.warm_up()
    server = subprocess.Popen(cmd, env={**os.environ}, stdout=subprocess.DEVNULL)
    try:
        _wait(url)
        client = Client(port, args.client)
        _run(client, queries[:50], args.profile, args.user)  # warm up
        _encode_times(emb.embed_queries, queries[:50])
        seq: list[float] = []
        enc: list[float] = []
        seq_err = 0
        for start in range(0, len(queries), args.block):
            block = queries[start : start + args.block]
            lat, err = _run(client, block, args.profile, args.user)
            seq += lat
            seq_err += err
            enc += _encode_times(emb.embed_queries, block)
        client.close()
        chunks = [queries[i :: args.clients] for i in range(args.clients)]
        t = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:

            def worker(chunk: list[str]) -> tuple[list[float], int]:
                c = Client(port, args.client)
                try:
                    return _run(c, chunk, args.profile, args.user)
                finally:
                    c.close()

            results = list(pool.map(worker, chunks))
        wall = time.perf_counter() - t
        con = [x for lat, _ in results for x in lat]
        con_err = sum(e for _, e in results)
    finally:
        server.terminate()
        server.wait(timeout=30)

    out = {
        "machine": machine(),
        "queries": len(queries),
        "profile": args.profile,
        "workers": args.workers,
        "client": args.client,
        "block": args.block,
        "sequential": {**summary_ms(seq), "qps": round(len(seq) / sum(seq), 1), "errors": seq_err},
        f"concurrent_{args.clients}": {**summary_ms(con), "qps": round(len(con) / wall, 1), "errors": con_err},
        "embed_query_only": summary_ms(enc),
    }
    out["ratio_p50_pipeline_to_embedding"] = round(out["sequential"]["p50"] / out["embed_query_only"]["p50"], 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
