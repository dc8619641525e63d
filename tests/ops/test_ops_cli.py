"""``search audit`` and ``search keys new``."""

from __future__ import annotations

import json

from search.api.auth import KeyRing, hash_key, parse_inline
from search.cli import main
from search.ops.store import OpsStore


def test_search_audit_prints_the_log(tmp_path, capsys):
    store = OpsStore.in_data_dir(tmp_path)
    store.audit("ops", "POST", "/admin/rules", '{"rule": "a"}', "10.0.0.1", 201)
    store.audit("web", "GET", "/admin/rules", "", "10.0.0.2", 403)
    assert main(["audit", "--data-dir", str(tmp_path), "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    assert [(e["actor"], e["status"]) for e in entries] == [("web", 403), ("ops", 201)]
    assert main(["audit", "--data-dir", str(tmp_path), "--actor", "ops"]) == 0
    out = capsys.readouterr().out
    assert "ops" in out and "/admin/rules" in out and "10.0.0.1" in out and "web" not in out


def test_search_keys_new_prints_a_key_and_its_hash_only_entry(capsys):
    assert main(["keys", "new", "importer", "--scope", "events", "--rate-limit", "50", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["entry"]["sha256"] == hash_key(out["key"]) and out["key"] not in out["env"]
    ring = KeyRing(parse_inline(out["env"]))
    assert ring.identify(out["key"]).scopes == ["events"] and ring.identify(out["key"]).rate_limit == 50
