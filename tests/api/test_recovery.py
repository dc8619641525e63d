"""Recovery without restarts: the first build is picked up, 503s name no server paths, a full disk is
reported as such (507 on /events, degraded /healthz, exit 6 from the indexer)."""

from __future__ import annotations

import errno
import json
import shutil
import sqlite3
import time

import pytest
from fastapi.testclient import TestClient

from indexer.cli import EXIT_NO_SPACE, main
from search.api.app import create_app
from search.engine import SearchEngine
from search.index import open_build
from search.personal.service import Personalization
from search.profiles import ProfileRegistry
from search.store.layout import DataDir
from search.understand.breaker import CircuitBreaker
from search.understand.factory import ParserFactory
from tests.personal.helpers import personal_settings


def test_a_server_started_before_the_first_build_picks_it_up(built_sample, tmp_path, configs_dir):
    data_dir = tmp_path / "data"
    settings = personal_settings(data_dir, reload_interval_s=0.2)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        r = c.get("/healthz")
        assert r.status_code == 503
        message = r.json()["detail"][0]["message"]
        assert "indexer build" in message and str(tmp_path) not in message and "/" not in message
        # publish: the build first, then CURRENT (as the indexer does)
        shutil.copytree(built_sample / "index" / "builds", data_dir / "index" / "builds")
        shutil.copy(built_sample / "index" / "CURRENT", data_dir / "index" / "CURRENT")
        deadline = time.monotonic() + 180
        while (r := c.get("/healthz")).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert r.status_code == 200, r.text
        assert r.json()["products"] > 0
        assert c.get("/search", params={"q": "手机"}).json()["items"]


@pytest.fixture
def events_client(built_sample, embedder, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(built_sample, data_dir)
    settings = personal_settings(data_dir)
    engine = SearchEngine(
        settings,
        ProfileRegistry.load(settings.configs_dir, settings.default_profile),
        open_build(DataDir(data_dir).require_build()),
        embedder,
        ParserFactory(settings),
        Personalization.open(settings),
    )
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as c:
        yield c, engine
    engine.close()


def _batch(n, start=0):
    return {"events": [{"user_id": f"u{i}", "product_id": f"P{i}", "event": "view"} for i in range(start, start + n)]}


def test_events_on_a_full_disk_answer_507_and_health_is_degraded(events_client, monkeypatch):
    client, engine = events_client
    assert client.post("/events", json=_batch(5)).status_code == 200
    store = engine.personalizer.store
    pages = sqlite3.connect(store.db.path).execute("PRAGMA page_count").fetchone()[0]
    real_connect = sqlite3.connect

    def small_disk(*args, **kwargs):  # every new connection sees a database that cannot grow
        conn = real_connect(*args, **kwargs)
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    store.close()
    monkeypatch.setattr(sqlite3, "connect", small_disk)
    r = client.post("/events", json=_batch(1000, start=100))
    assert r.status_code == 507, r.text
    assert "out of disk space" in r.json()["detail"][0]["message"]
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and "disk space" in health["problems"]["events"]
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    store.close()
    assert client.post("/events", json=_batch(3, start=5000)).status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"


def test_refresh_on_a_full_disk_exits_6_with_one_line(
    sample_data_dir, sample_catalog, configs_dir, monkeypatch, capsys
):
    import indexer.refresh

    before = DataDir(sample_data_dir).current_version()

    def full(*args, **kwargs):
        raise shutil.Error([("a", "b", str(OSError(errno.ENOSPC, "No space left on device")))])

    monkeypatch.setattr(indexer.refresh, "prepare_vocabulary", full)
    rows = [json.loads(line) for line in sample_catalog.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows[0]["title"] += " 新款"
    changed = sample_data_dir.parent / "c.jsonl"
    changed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    code = main(["refresh", str(changed), "--data-dir", str(sample_data_dir), "--configs-dir", str(configs_dir), "-q"])
    assert code == EXIT_NO_SPACE == 6
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no space left" in err
    assert DataDir(sample_data_dir).current_version() == before
    assert not [p for p in (sample_data_dir / "index" / "builds").iterdir() if p.name.endswith(".partial")]


def test_healthz_and_metrics_report_the_breaker(client, engine):
    factory = engine.parser_factory
    saved = factory.breaker
    factory.breaker = CircuitBreaker(failures=1, window_s=10, cooldown_s=60)
    try:
        assert client.get("/healthz").json()["llm"]["state"] == "closed"
        factory.breaker.failure()
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and health["llm"]["state"] == "open" and "llm" in health["problems"]
        assert "search_llm_breaker_state 2.0" in client.get("/metrics").text
    finally:
        factory.breaker = saved
    assert client.get("/healthz").json()["llm"] is None
