"""How long the storefront page takes to show results, next to the API's own time.

    python -m benchmarks.storefront --url http://127.0.0.1:8000 [--key KEY] [--queries sample/judgments.tsv]

For each distinct query of the judgments file, in headless Chromium (Debian's
``/usr/bin/chromium`` driven by Playwright):

- ``open``: a fresh navigation to ``/?q=QUERY`` until the results (or the no-results
  message) are on screen: HTML, scripts from the browser cache after the first, one
  ``/search`` (InstantSearch sends one request without refinements);
- ``search``: typing the query into the box of an open page and pressing Enter, until the
  page shows that query's results;
- ``api``: the same ``GET /search?highlight=true`` over HTTP from Python (keep-alive).

It also reports what the first visit downloads (bytes over the wire, gzip included).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from benchmarks.common import machine, percentile

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def queries(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return list(dict.fromkeys(r["query"] for r in rows))


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50), 1), "p95_ms": round(percentile(values, 95), 1)}


def run(url: str, key: str | None, texts: list[str], chromium: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    headers = {"Authorization": f"Bearer {key}"} if key else {}
    api: list[float] = []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for q in texts:
            start = time.perf_counter()
            client.get("/search", params={"q": q, "size": 12, "highlight": "true"}).raise_for_status()
            api.append((time.perf_counter() - start) * 1000)

    opened: list[float] = []
    searched: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        received: list[int] = []
        page.on("response", lambda r: received.append(int(r.headers.get("content-length") or 0)))
        page.goto(url + "/")
        page.wait_for_selector(".ais-Hits-list .hit, .no-results")
        first_visit_bytes = sum(received)
        for q in texts:
            start = time.perf_counter()
            page.goto(url + "/?q=" + quote(q))
            page.wait_for_selector(".ais-Hits-list .hit, .no-results")
            opened.append((time.perf_counter() - start) * 1000)
        page.goto(url + "/")  # a fresh page: the adapter's cache knows none of the queries
        page.wait_for_selector(".ais-Hits-list .hit, .no-results")
        for q in texts:
            page.fill("#q", "")
            page.fill("#q", q)
            start = time.perf_counter()
            with page.expect_response(lambda r: "/search?" in r.url and "size=12" in r.url, timeout=60_000):
                page.press("#q", "Enter")
            page.wait_for_selector("body[data-status=idle] .ais-Hits-list .hit, body[data-status=idle] .no-results")
            searched.append((time.perf_counter() - start) * 1000)
        browser.close()
    return {
        "queries": len(texts),
        "api": summary(api),
        "open": summary(opened),
        "search": summary(searched),
        "first_visit_kb": round(first_visit_bytes / 1024, 1),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--key", default=None, help="the storefront's public key, when API keys are configured")
    ap.add_argument("--queries", type=Path, default=Path("sample/judgments.tsv"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = run(args.url.rstrip("/"), args.key, queries(args.queries), args.chromium)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for name in ("api", "open", "search"):
            print(f"{name:7s} p50 {result[name]['p50_ms']:7.1f} ms   p95 {result[name]['p95_ms']:7.1f} ms")
        print(f"first visit: {result['first_visit_kb']} kB over the wire; {result['queries']} queries", file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
