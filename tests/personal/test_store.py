"""The events store: durability, pseudonyms, duplicates, unknown products, online affinities, forgetting.

Tests taking ``database_url`` run on SQLite and on a real PostgreSQL server (congruence).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from search.config import ConfigError
from search.db import connect
from search.personal.config import EventsConfig
from search.personal.pseudonym import Pseudonymizer
from search.personal.scoring import relative
from search.personal.store import EventStore, NewEvent
from tests.conftest import ROOT

CFG = EventsConfig()
ITEMS = {"p1": ("olay", "美妆/面霜"), "p2": ("nike", "运动/跑步鞋"), "p3": ("olay", "美妆/精华")}
T0 = 1.79e9


def _store(url: str, secret: str = "s1") -> EventStore:
    return EventStore(connect(url), Pseudonymizer(secret).fingerprint())


def test_pseudonyms_are_keyed_and_stable():
    a, b = Pseudonymizer("secret-a"), Pseudonymizer("secret-b")
    assert a("u0001") == a("u0001") and len(a("u0001")) == 32
    assert a("u0001") != b("u0001") and a("u0001") != a("u0002")
    assert "u0001" not in a("u0001")
    assert Pseudonymizer("change-me-in-production").is_default
    with pytest.raises(ValueError):
        Pseudonymizer("")


def test_nothing_is_created_before_the_first_write(database_url):
    store = _store(database_url)
    assert store.profile("x") is None and store.touched("x") == {} and store.read_events() == []
    assert store.forget("x") == 0
    if database_url.startswith("sqlite"):
        assert not store.exists()


def test_append_updates_profile_and_affinities_at_once(database_url):
    store = _store(database_url)
    res = store.append(
        [NewEvent("k1", "p1", "click", T0), NewEvent("k1", "p2", "view", T0 + 10), NewEvent("k2", "p3", "view", T0)],
        ITEMS,
        CFG,
    )
    assert (res.stored, res.duplicates, res.unknown_products, res.users) == (3, 0, 0, 2)
    assert res.outcomes == {("click", "stored"): 1, ("view", "stored"): 2}
    prof = store.profile("k1")
    assert prof is not None and prof.events == 2
    assert set(prof.brands) == {"olay", "nike"} and set(prof.categories) == {"美妆/面霜", "运动/跑步鞋"}
    aff = relative(prof.brands, CFG.tau_s)
    assert aff["olay"] == pytest.approx(1.0) and aff["nike"] == pytest.approx(0.5, rel=1e-3)  # click 2 vs view 1
    assert store.touched("k1") == {"p1": {"click"}, "p2": {"view"}}
    assert store.counts() == {"events": 3, "users": 2}


def test_duplicates_are_skipped_and_unknown_products_stored_without_affinity(database_url):
    store = _store(database_url)
    store.append([NewEvent("k1", "p1", "view", T0)], ITEMS, CFG)
    res = store.append([NewEvent("k1", "p1", "view", T0), NewEvent("k1", "gone", "purchase", T0)], ITEMS, CFG)
    assert (res.stored, res.duplicates, res.unknown_products) == (1, 1, 1)
    prof = store.profile("k1")
    assert prof.events == 2 and set(prof.brands) == {"olay"}
    assert len(store.read_events()) == 2


def test_incremental_and_rebuilt_affinities_agree(database_url):
    """Online updates (one event at a time, out of order) equal the batch recomputation of `cf train`."""
    store = _store(database_url)
    rows = [("p1", "view", 50), ("p2", "cart", 0), ("p3", "click", 99)]
    events = [NewEvent("k1", p, e, T0 + dt) for p, e, dt in rows]
    for e in events:
        store.append([e], ITEMS, CFG)
    online = store.profile("k1")
    store.rebuild(store.read_events(), ITEMS, CFG)
    rebuilt = store.profile("k1")
    for kind in ("brands", "categories"):
        a, b = relative(getattr(online, kind), CFG.tau_s), relative(getattr(rebuilt, kind), CFG.tau_s)
        assert a.keys() == b.keys() and all(a[k] == pytest.approx(b[k]) for k in a)
    assert (online.events, online.first_event) == (rebuilt.events, rebuilt.first_event)


def test_forget_removes_everything_of_one_shopper(database_url):
    store = _store(database_url)
    store.append([NewEvent("k1", "p1", "view", T0), NewEvent("k2", "p2", "view", T0)], ITEMS, CFG)
    before = time.time()
    assert store.forget("k1") == 1
    assert store.profile("k1") is None and store.touched("k1") == {}
    assert store.profile("k2") is not None
    assert store.forgotten_since(before) == ["k1"]
    with store.db.read() as tx:
        assert tx.execute("SELECT count(*) FROM affinity WHERE shopper = 'k1'").fetchone()[0] == 0
    # back after being forgotten: a new profile, starting after every earlier event
    store.append([NewEvent("k1", "p3", "view", T0 + 5)], ITEMS, CFG)
    assert store.profile("k1").first_event > 2


def test_a_secret_change_is_refused(database_url):
    store = _store(database_url, "s1")
    store.append([NewEvent("k1", "p1", "view", T0)], ITEMS, CFG)
    store.close()
    other = _store(database_url, "s2")
    with pytest.raises(ConfigError, match="another user_id_secret"):
        other.profile("k1")
    reader = EventStore(connect(database_url), None)  # training: no pseudonyms, no check
    assert len(reader.read_events()) == 1


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = EventStore(tmp_path / "events.sqlite", "fp")
    store.append([NewEvent("k1", "p1", "view", T0)], ITEMS, CFG)
    store.close()
    conn = sqlite3.connect(tmp_path / "events.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


LEGACY = """
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, product TEXT NOT NULL,
    event TEXT NOT NULL, ts REAL NOT NULL, query TEXT);
CREATE UNIQUE INDEX events_key ON events (user, product, event, ts);
CREATE TABLE profiles (user TEXT PRIMARY KEY, events INTEGER NOT NULL, first_event INTEGER NOT NULL,
    last_ts REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE affinity (user TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, score REAL NOT NULL,
    ref REAL NOT NULL, PRIMARY KEY (user, kind, key)) WITHOUT ROWID;
CREATE TABLE forgotten (user TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES ('schema', '1'), ('fingerprint', 'fp');
INSERT INTO events (user, product, event, ts) VALUES ('k1', 'p1', 'view', 1.79e9);
INSERT INTO profiles VALUES ('k1', 1, 1, 1.79e9);
"""


def test_a_file_from_before_the_migrations_is_upgraded(tmp_path):
    conn = sqlite3.connect(tmp_path / "events.sqlite")
    conn.executescript(LEGACY)
    conn.close()
    store = EventStore(tmp_path / "events.sqlite", "fp")
    assert store.profile("k1").events == 1
    store.append([NewEvent("k1", "p2", "view", T0 + 1)], ITEMS, CFG)
    assert store.counts() == {"events": 2, "users": 1}


WRITER = """
import sys, time
from search.personal.config import EventsConfig
from search.personal.store import EventStore, NewEvent
store = EventStore(sys.argv[1], "fp")
n = 0
while True:
    store.append([NewEvent("k%d" % (n % 7), "p1", "view", 1.79e9 + n)], {"p1": ("olay", None)}, EventsConfig())
    n += 1
    print(n, flush=True)
"""


def test_committed_appends_survive_a_killed_writer(tmp_path):
    """Kill -9 a process appending one event per transaction: every acknowledged event is on disk."""
    db = tmp_path / "events.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, env=env)
    acked = 0
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while acked < 150 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked = int(line)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert acked >= 150, "the writer did not get going"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert stored >= acked
    profiles = conn.execute("SELECT sum(events) FROM profiles").fetchone()[0]
    assert profiles == stored  # events and profiles were committed together
    conn.close()
    store = EventStore(db, "fp")  # and it can be written again
    assert store.append([NewEvent("k1", "p1", "click", 1.8e9)], {}, EventsConfig()).stored == 1
