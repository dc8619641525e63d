"""``kill -9`` of a real ``search serve`` while shoppers' events stream in over HTTP: every event the server
acknowledged is stored after a restart (the store-level twin is ``tests/personal/test_store.py``)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from search.personal.pseudonym import Pseudonymizer
from search.store.layout import DataDir
from tests.conftest import CONFIGS, ROOT
from tests.personal.helpers import SECRET
from tests.pg import free_port

pytestmark = pytest.mark.integration


def _serve(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SEARCH_USER_ID_SECRET": SECRET,
        "SEARCH_TORCH_THREADS": "1",
        "SEARCH_EMBEDDER": "none",
    }
    env.pop("SEARCH_DB_URL", None)  # the embedded SQLite events store
    cmd = [sys.executable, "-m", "search.cli", "serve", "--data-dir", str(data), "--configs-dir", str(CONFIGS)]
    with open(log, "ab") as out:
        return subprocess.Popen([*cmd, "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not become healthy:\n" + log.read_text(errors="replace")[-2000:])


def test_events_acknowledged_before_a_kill_9_are_all_stored(built_sample, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_sample, data)
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    proc = _serve(data, port, log)
    acked: list[tuple[str, str, float]] = []  # (user, product, ts) of every event answered 200
    stop = threading.Event()

    def stream(n: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            i = 0
            while not stop.is_set():
                event = {"user_id": f"k{n}-{i % 9}", "product_id": f"S{(i % 300) + 1:05d}", "event": "view"}
                event["ts"] = 1.79e9 + n * 1e6 + i
                i += 1
                try:
                    res = client.post("/events", json={"events": [event]})
                except httpx.HTTPError:  # the server is gone: this one was never acknowledged
                    time.sleep(0.05)
                    continue
                if res.status_code == 200 and res.json()["stored"] == 1:
                    acked.append((event["user_id"], event["product_id"], event["ts"]))

    try:
        _wait_healthy(base, proc, log)
        writers = [threading.Thread(target=stream, args=(n,)) for n in range(3)]
        for t in writers:
            t.start()
        deadline = time.monotonic() + 120
        while len(acked) < 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)  # mid-stream: requests are in flight
        proc.wait()
        before_kill = len(acked)
        time.sleep(0.5)
        proc = _serve(data, port, log)  # the same data dir and port, like a supervisor's restart
        _wait_healthy(base, proc, log)
        while len(acked) < before_kill + 50 and time.monotonic() < deadline + 120:
            time.sleep(0.02)
        stop.set()
        for t in writers:
            t.join(30)
    finally:
        stop.set()
        proc.kill()
        proc.wait()
    assert before_kill >= 200, "the events did not get going"
    assert len(acked) >= before_kill + 50, "writes did not resume after the restart"
    conn = sqlite3.connect(DataDir(data).events_db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = set(conn.execute("SELECT shopper, product, ts FROM events").fetchall())
    profiles = conn.execute("SELECT sum(events) FROM profiles").fetchone()[0]
    conn.close()
    key = Pseudonymizer(SECRET)
    missing = [a for a in acked if (key(a[0]), a[1], a[2]) not in stored]
    assert missing == [], f"{len(missing)} of {len(acked)} acknowledged events were lost"
    assert profiles == len(stored)  # events and profiles were committed together
