"""The operations store behaves the same on SQLite and PostgreSQL; two nodes share admin-made rules."""

from __future__ import annotations

import shutil

from search.config import Settings
from search.db import connect
from search.ops.snapshot import ConfigHolder
from search.ops.store import OpsStore
from search.profiles import ProfileRegistry
from tests.conftest import CONFIGS


def test_changes_history_and_audit_log(database_url):
    store = OpsStore(connect(database_url))
    try:
        assert store.live("rules") == {}
        a = store.put("rules", "a", {"id": "a"}, "ops")
        store.put("rules", "a", {"id": "a", "v": 2}, "ops")
        store.put("rules", "b", {"id": "b"}, "ops")
        last = store.put("rules", "b", None, "ops")
        store.put("synonyms", "a", {"id": "a", "terms": ["x", "y"]}, "ops")
        assert last > a and store.version() == last + 1
        assert store.live("rules") == {"a": {"id": "a", "v": 2}}
        assert list(store.live("synonyms")) == ["a"]
        store.audit("ops", "POST", "/admin/rules", '{"rule": "a"}', "10.0.0.1", 201)
        store.audit("web", "GET", "/admin/rules", "", "10.0.0.2", 403)
        log = store.audit_log()
        assert [(e.actor, e.status) for e in log] == [("web", 403), ("ops", 201)]
        assert [e.actor for e in store.audit_log(actor="ops")] == ["ops"]
        assert store.audit_log(limit=1)[0].actor == "web"
    finally:
        store.close()


def test_two_nodes_on_one_database_share_admin_made_rules(database_url, tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(CONFIGS, configs)
    settings = Settings(data_dir=tmp_path / "data", configs_dir=configs)
    profiles = ProfileRegistry.load(configs)
    one = ConfigHolder(settings, profiles, store=OpsStore(connect(database_url)))
    two = ConfigHolder(settings, profiles, store=OpsStore(connect(database_url)))
    try:
        one.store.put("rules", "r", {"id": "r", "match": {"query": "手机"}, "hide": ["S00002"]}, "ops")
        assert one.poll() and two.poll()
        assert [r.id for r in two.current.rules] == ["r"]
        assert not two.poll()
        two.store.put("rules", "r", None, "ops")
        assert one.poll() and one.current.rules == ()
    finally:
        one.store.close()
        two.store.close()
