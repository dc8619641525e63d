"""Versions shared through the database reach another node's data dir (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from search.config import Settings
from search.db import connect
from search.db.blobs import BlobStore
from search.personal.model import save_model
from search.personal.versions import CFVersions, ModelLoader
from search.replica import (
    BUILD,
    CF,
    QUERIES,
    Follower,
    catch_up,
    follower_for,
    scrub_shared,
    share,
    share_build,
    share_queries,
)
from search.store.layout import DataDir
from search.suggest.querylog import import_queries
from search.suggest.shared import read_snapshot, shared_versions
from search.versioned import write_json_atomic
from tests.conftest import CONFIGS


def _settings(data, url):
    return Settings(data_dir=data, configs_dir=CONFIGS, db_url=url, reload_interval_s=0)


def _train(data, users=("u1", "u2")):
    """A CF version published in ``data`` as ``indexer cf train`` does, shared through the settings' database."""
    versions = CFVersions(DataDir(data).cf_dir)
    with versions.lock(), versions.publishing() as version:
        sim = (np.zeros(3, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        factors = np.ones((len(users), 4), dtype=np.float32)
        save_model(version.path, users, ["p1", "p2"], factors, np.ones((2, 4)), np.ones(2), sim, {"engine": "t"})
    return version.final


def test_a_cf_version_shared_by_one_node_goes_live_on_another(database_url, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    first = _train(a)
    assert share(_settings(a, database_url), CF, first) > 0
    db = connect(database_url)
    follower = Follower(db, DataDir(b), [CF, QUERIES])
    loader = ModelLoader(DataDir(b).cf_dir, interval_s=0)
    assert loader.get() is None
    assert follower.poll() == [f"cf:{first.name}"]
    assert loader.get() is not None and loader.get().version == first.name  # picked up without a restart
    for name in ("users.json", "user_factors.npy", "manifest.json"):
        assert (b / "cf" / first.name / name).read_bytes() == (first / name).read_bytes()
    assert follower.poll() == []  # nothing changed since
    second = _train(a, users=("u1", "u2", "u3"))
    share(_settings(a, database_url), CF, second)
    assert follower.poll() == [f"cf:{second.name}"]
    assert len(loader.get().user_index) == 3
    assert not list((b / "cf").glob("*.partial"))
    # the node that trained already has the version: following it copies nothing
    assert Follower(db, DataDir(a), [CF]).poll() == []
    db.close()


def test_a_node_busy_copying_retries_on_the_next_poll(database_url, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    share(_settings(a, database_url), CF, _train(a))
    db = connect(database_url)
    follower = Follower(db, DataDir(b), [CF])
    with CFVersions(DataDir(b).cf_dir).lock():  # another worker process of node B holds the lock
        assert follower.poll() == []
    assert len(follower.poll()) == 1  # the counter did not move, the follower still remembers to retry
    db.close()


def test_only_builds_on_a_server_are_shared(database_url, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    builds = DataDir(a).builds
    made = []
    for backend in ("edge", "server"):
        with builds.lock(), builds.publishing() as version:
            (version.path / "lexicon.json").write_text('{"brands": {}}', encoding="utf-8")
            write_json_atomic(version.path / "manifest.json", {"store": {"backend": backend}})
        made.append(version.final)
    settings = _settings(a, database_url)
    assert share_build(settings, made[0]) is None  # an embedded build's points stay in its own shard
    assert share_build(settings, made[1]) > 0
    db = connect(database_url)
    assert Follower(db, DataDir(b), [BUILD]).poll() == [f"build:{made[1].name}"]
    assert DataDir(b).current_build() == b / "index" / "builds" / made[1].name
    assert (DataDir(b).current_build() / "lexicon.json").read_text(encoding="utf-8") == '{"brands": {}}'
    db.close()


def test_imported_queries_add_up_in_the_shared_log(database_url, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    old = tmp_path / "old.txt"
    old.write_text("面霜\t5\n口红\n", encoding="utf-8")
    import_queries(a, old)  # imported before the database was configured: the first share takes it
    new = tmp_path / "new.txt"
    new.write_text("面霜\t2\n防晒霜\t3\n", encoding="utf-8")
    import_queries(a, new)
    from search.suggest.querylog import read_query_file

    first = share_queries(_settings(a, database_url), a, read_query_file(new))
    assert dict(read_snapshot(shared_versions(a).current_dir())) == {"面霜": 7, "口红": 1, "防晒霜": 3}
    more = tmp_path / "more.txt"
    more.write_text("口红\t4\n", encoding="utf-8")
    second = share_queries(_settings(b, database_url), b, read_query_file(more))  # another node's import
    assert second != first
    db = connect(database_url)
    assert Follower(db, DataDir(a), [QUERIES]).poll() == [f"queries:{second}"]
    assert dict(read_snapshot(shared_versions(a).current_dir())) == {"面霜": 7, "口红": 5, "防晒霜": 3}
    db.close()


def test_forgetting_scrubs_the_shared_versions_and_every_copy(database_url, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    version = _train(a)
    settings = _settings(a, database_url)
    share(settings, CF, version)
    db = connect(database_url)
    follower = Follower(db, DataDir(b), [CF])
    assert follower.poll() == [f"cf:{version.name}"]
    assert scrub_shared(settings, db, ["u2", "nobody"]) == 1
    assert follower.poll() == [f"cf:{version.name}/user_factors.npy"]  # node B's copy is scrubbed too
    copy = np.load(b / "cf" / version.name / "user_factors.npy")
    assert copy[0].any() and not copy[1].any()
    assert follower.poll() == []
    out = tmp_path / "copy"
    BlobStore(db).fetch(CF, version.name, out)
    factors = np.load(out / "user_factors.npy")
    assert factors[0].any() and not factors[1].any()
    assert json.loads((out / "users.json").read_text()) == ["u1", "u2"]
    db.close()


def test_nothing_is_shared_or_followed_without_a_shared_database(tmp_path):
    settings = Settings(data_dir=tmp_path, configs_dir=CONFIGS)
    version = _train(tmp_path)
    assert share(settings, CF, version) is None
    assert share_queries(settings, tmp_path, [("面霜", 1)]) is None
    assert catch_up(settings) == []
    db = connect(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert follower_for(settings, db) is None
    db.close()
    assert not (tmp_path / "events.sqlite").exists()  # the embedded database is not touched


@pytest.mark.parametrize("kind", [CF, QUERIES])
def test_a_damaged_version_is_not_copied_and_not_retried(database_url, tmp_path, kind):
    a, b = tmp_path / "a", tmp_path / "b"
    version = _train(a) if kind == CF else None
    if kind == QUERIES:
        share_queries(_settings(a, database_url), a, [("面霜", 1)])
        version = shared_versions(a).current_dir()
    share(_settings(a, database_url), kind, version)
    db = connect(database_url)
    with db.transaction() as tx:
        tx.execute("UPDATE blob_chunks SET data = ? WHERE path = 'manifest.json'", (b"{broken",))
    follower = Follower(db, DataDir(b), [kind])
    assert [follower.poll() for _ in range(4)] == [[]] * 4  # tried three times, then skipped
    assert follower._broken == {(kind, version.name)}
    target = DataDir(b).cf_dir if kind == CF else shared_versions(b).root
    assert not target.exists() or not any(p.name.endswith(".partial") for p in target.rglob("*"))
    db.close()
