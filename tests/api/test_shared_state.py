"""Several API nodes on one PostgreSQL, and PostgreSQL faults: down at start, restarted under load.

Every test here runs a real PostgreSQL server of its own (``tests/pg.py``), never a mock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from search.api.app import create_app
from search.db import DatabaseUnavailable, connect
from search.personal.config import EventsConfig
from search.personal.store import EventStore, NewEvent
from tests.conftest import CONFIGS, ROOT
from tests.pg import PostgresServer, _bin_dir, free_port

pytestmark = pytest.mark.integration

SECRET, ADMIN = "two-node-secret", "two-node-admin"


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A server of this test's own (initialised, not started), so it can be stopped and restarted."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("needs PostgreSQL's server binaries (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="zhsearch-pg-"))
    server = PostgresServer(root, bin_dir)
    server.init()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def test_a_restart_under_load_loses_no_acknowledged_event(own_postgres):
    own_postgres.start()
    store = EventStore(connect(own_postgres.url(), timeout_s=2), "fp")
    acked: list[float] = []
    failed = 0
    stop = threading.Event()

    def writer() -> None:
        nonlocal failed
        i = 0
        while not stop.is_set():
            ts = 1.79e9 + i
            try:
                store.append([NewEvent(f"k{i % 5}", "p1", "view", ts)], {"p1": ("olay", "美妆")}, EventsConfig())
                acked.append(ts)
            except DatabaseUnavailable:
                failed += 1
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(acked) < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        own_postgres.restart()
        before = len(acked)
        while len(acked) < before + 100 and time.monotonic() < deadline + 60:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join()
    assert len(acked) >= before + 100, "writes did not resume after the restart"
    with store.db.read() as tx:
        stored = {float(ts) for (ts,) in tx.execute("SELECT ts FROM events").fetchall()}
        profiles = tx.execute("SELECT sum(events) FROM profiles").fetchone()[0]
    assert set(acked) <= stored  # every acknowledged event survived
    assert profiles == len(stored)  # events and profiles committed together
    store.close()


def test_the_api_starts_unhealthy_without_postgres_and_recovers(own_postgres, built_sample, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_sample, data)
    url = own_postgres.url()
    settings_kw = {"data_dir": data, "configs_dir": CONFIGS, "db_url": url, "db_timeout_s": 1.0}
    from search.config import Settings

    with TestClient(create_app(Settings(**settings_kw, user_id_secret=SECRET))) as client:
        down = client.get("/healthz")
        assert down.status_code == 503 and url in down.text  # says which database, and that it is unreachable
        own_postgres.start()
        deadline = time.monotonic() + 30
        while client.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "did not recover once PostgreSQL was up"
            time.sleep(0.5)
        res = client.post("/events", json={"user_id": "u1", "product_id": "S00111", "event": "click"})
        assert res.status_code == 200 and res.json()["stored"] == 1


def _serve(data: Path, port: int, db_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SEARCH_DB_URL": db_url,
        "SEARCH_USER_ID_SECRET": SECRET,
        "SEARCH_ADMIN_TOKEN": ADMIN,
        "SEARCH_RELOAD_INTERVAL_S": "0.5",
        "SEARCH_TORCH_THREADS": "1",
    }
    cmd = [sys.executable, "-m", "search.cli", "serve", "--data-dir", str(data), "--configs-dir", str(CONFIGS)]
    with open(log, "wb") as out:
        return subprocess.Popen([*cmd, "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)


def _ids(base: str, user: str | None = None) -> list[str]:
    params = {"q": "面霜", "size": "20", **({"user_id": user} if user else {})}
    res = httpx.get(f"{base}/search", params=params, timeout=60)
    res.raise_for_status()
    return [item["id"] for item in res.json()["items"]]


def _indexer(data: Path, db_url: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SEARCH_DB_URL": db_url, "SEARCH_USER_ID_SECRET": SECRET}
    cmd = [sys.executable, "-m", "indexer.cli", *args, "--data-dir", str(data), "--configs-dir", str(CONFIGS)]
    done = subprocess.run([*cmd, "--json", "-q"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _until(check, seconds: float) -> float:
    """Seconds until ``check()`` is true (polled every 0.1 s); fails after ``seconds``."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - start


def _similar(base: str, product: str) -> list[str]:
    res = httpx.get(f"{base}/products/{product}/similar", params={"size": "10"}, timeout=60)
    res.raise_for_status()
    return [item["id"] for item in res.json()["items"]]


def _suggest(base: str, q: str) -> list[tuple[str, str]]:
    res = httpx.get(f"{base}/suggest", params={"q": q}, timeout=60)
    res.raise_for_status()
    return [(s["text"], s["kind"]) for s in res.json()["suggestions"]]


def test_two_nodes_share_events_forgetting_rules_models_and_queries(postgres_server, built_sample, tmp_path):
    db_url = postgres_server.create_database()
    nodes, procs = [], []
    try:
        for name in ("a", "b"):
            data = tmp_path / name
            shutil.copytree(built_sample, data)  # each node its own copy of the embedded index
            port = free_port()
            procs.append(_serve(data, port, db_url, tmp_path / f"{name}.log"))
            nodes.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 240
        for base, proc in zip(nodes, procs, strict=True):
            while True:
                assert proc.poll() is None, (tmp_path / "a.log").read_text(errors="replace")[-2000:]
                try:
                    if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "a node did not become healthy"
                time.sleep(1)
        a, b = nodes
        anonymous = _ids(b)
        assert _ids(b, "shopper-1") == anonymous  # nobody knows this shopper yet
        # the shopper's taste, recorded on node A: the lowest-ranked brand of the page, many times
        last = httpx.get(f"{a}/search", params={"q": "面霜", "size": "20"}, timeout=60).json()["items"][-3:]
        events = [
            {"user_id": "shopper-1", "product_id": item["id"], "event": "purchase", "ts": 1.79e9 + i}
            for i, item in enumerate(last * 3)
        ]
        assert httpx.post(f"{a}/events", json={"events": events}, timeout=30).json()["stored"] == len(events)
        personalized = _ids(b, "shopper-1")
        assert personalized != anonymous  # node B personalizes from node A's events
        headers = {"Authorization": f"Bearer {ADMIN}"}
        assert httpx.delete(f"{b}/users/shopper-1", headers=headers, timeout=30).status_code == 204
        assert _ids(a, "shopper-1") == anonymous  # forgotten on B, forgotten on A

        # a rule posted on A is live on B within the reload interval (0.5 s; polled by B's requests)
        target = "S00003"  # a hair dryer, never retrieved for 面霜
        rule = {"id": "pin-dryer", "match": {"contains": "面霜"}, "pin": [target]}
        assert httpx.post(f"{a}/admin/rules", json=rule, headers=headers, timeout=30).status_code == 201
        _until(lambda: _ids(b)[0] == target, 5)

        # a CF model trained after both nodes started reaches both through the database, without a restart
        counts: dict[str, int] = {}
        for line in (ROOT / "sample" / "events.jsonl").read_text(encoding="utf-8").splitlines():
            pid = json.loads(line)["product_id"]
            counts[pid] = counts.get(pid, 0) + 1
        busiest = max(counts, key=lambda p: counts[p])
        before = [_similar(base, busiest) for base in nodes]
        _indexer(tmp_path / "a", db_url, "events", "import", str(ROOT / "sample" / "events.jsonl"))
        trained = _indexer(tmp_path / "a", db_url, "cf", "train")["version"]
        for name, base, old in zip(("a", "b"), nodes, before, strict=True):
            cf_current = tmp_path / name / "cf" / "CURRENT"
            # co-purchases now blend into "similar"
            _until(lambda base=base, old=old: _similar(base, busiest) != old, 10)
            assert cf_current.read_text(encoding="utf-8").strip() == trained

        # queries imported into A's data dir reach B's autocomplete
        assert ("面霜推荐", "query") not in _suggest(b, "面霜")
        queries = tmp_path / "queries.txt"
        queries.write_text("面霜推荐\t100000\n", encoding="utf-8")
        assert _indexer(tmp_path / "a", db_url, "queries", "import", str(queries))["shared_version"]
        _until(lambda: ("面霜推荐", "query") in _suggest(b, "面霜"), 10)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
