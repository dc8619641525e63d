"""``indexer events import`` and ``indexer cf train`` on the sample data, and the model's hot reload."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from indexer.cf import TrainingError, train_cf
from indexer.cli import main as indexer_main
from indexer.events import EventsError, import_events
from search.personal.config import EVENT_TYPES
from search.personal.model import load_model
from search.personal.pseudonym import Pseudonymizer
from search.personal.versions import CFVersions, ModelLoader
from search.store.layout import DataDir
from tests.conftest import CONFIGS, SAMPLE
from tests.personal.helpers import SECRET, personal_settings


def test_import_reports_counts(personal_built):
    _, result = personal_built
    imp = result["import"]
    lines = (SAMPLE / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert imp["imported"] == len(lines) and imp["rejected"] == 0 and imp["unknown_products"] == 0
    assert imp["catalog_checked"] is True and imp["rejects_file"] is None
    assert imp["users"] == len({json.loads(line)["user_id"] for line in lines})


def test_raw_user_ids_are_never_stored(personal_built):
    data_dir, _ = personal_built
    db = DataDir(data_dir).events_db
    conn = sqlite3.connect(db)
    users = {u for (u,) in conn.execute("SELECT DISTINCT shopper FROM events")}
    conn.close()
    assert "u0001" not in users and Pseudonymizer(SECRET)("u0001") in users
    blob = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file() and "index" not in p.parts)
    assert b"u0001" not in blob and b"u0021" not in blob


def test_import_rejects_bad_lines_and_counts_unknown_products(personal_dir, tmp_path):
    path = tmp_path / "events.jsonl"
    rows = [
        {"user_id": "new1", "product_id": "S00001", "event": "click", "ts": 1790871465},
        "not json",
        {"user_id": "new1", "product_id": "S00002", "event": "like", "ts": 1790871465},
        {"user_id": "new1", "product_id": "NOPE", "event": "view", "ts": 1790871466},
        [1, 2],
        {"user_id": "new2", "product_id": "S00003", "event": "view", "ts": 1790871465000},
    ]
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    settings = personal_settings(personal_dir)
    res = import_events(path, personal_dir, progress=False, configs_dir=CONFIGS, settings=settings)
    assert (res["imported"], res["rejected"], res["unknown_products"]) == (2, 4, 1)
    rejects = [json.loads(line) for line in Path(res["rejects_file"]).read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [2, 3, 5, 6]
    assert "event" in rejects[1]["reason"] and "milliseconds" in rejects[3]["reason"]
    assert all("new2" not in json.dumps(r) for r in rejects)  # rejects carry no shopper ids
    again = import_events(path, personal_dir, progress=False, configs_dir=CONFIGS, settings=settings)
    assert again["imported"] == 0 and again["duplicates"] == 2


def test_import_of_nothing_valid_fails(personal_dir, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"user_id": "x"}\n', encoding="utf-8")
    with pytest.raises(EventsError, match="no valid events"):
        import_events(path, personal_dir, progress=False, configs_dir=CONFIGS, settings=personal_settings(personal_dir))
    with pytest.raises(EventsError, match="not found"):
        import_events(tmp_path / "missing.jsonl", personal_dir, progress=False)


def test_cli_exit_codes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEARCH_USER_ID_SECRET", SECRET)
    assert indexer_main(["events", "import", str(tmp_path / "missing.jsonl"), "--data-dir", str(tmp_path)]) == 3
    assert indexer_main(["cf", "train", "--data-dir", str(tmp_path), "--configs-dir", str(CONFIGS)]) == 3
    assert "indexer events import" in capsys.readouterr().err


def test_training_publishes_a_version(personal_built):
    data_dir, result = personal_built
    train = result["train"]
    versions = CFVersions(DataDir(data_dir).cf_dir)
    assert versions.current_version() == train["version"]
    model = load_model(versions.current_dir())
    assert model.user_factors.shape == (train["users"], 64)
    assert model.item_factors.shape == (train["items"], 64)
    assert model.manifest["events_until"] == train["events_until"] and train["seconds"] < 30
    assert model.user_vector(Pseudonymizer(SECRET)("u0001")) is not None
    assert model.user_vector(Pseudonymizer(SECRET)("u0010")) is None  # no history
    # neighbours are sorted, symmetric in support, and never the product itself
    pid = max(model.item_ids, key=lambda p: len(model.neighbours(p)))
    sims = model.neighbours(pid)
    assert sims and pid not in [p for p, _ in sims]
    assert [s for _, s in sims] == sorted((s for _, s in sims), reverse=True)
    assert set(EVENT_TYPES) == set(model.manifest["config"]["events"]["weights"])


def test_training_is_deterministic_and_hot_reloaded(personal_dir):
    versions = CFVersions(DataDir(personal_dir).cf_dir)
    loader = ModelLoader(versions.dir, interval_s=0.0)
    first = loader.get()
    assert first is not None
    second = train_cf(personal_dir, CONFIGS, progress=False)
    reloaded = loader.get()
    assert reloaded is not None and reloaded.version == second["version"] != first.version
    assert np.allclose(first.item_factors, reloaded.item_factors, atol=1e-4)
    train_cf(personal_dir, CONFIGS, progress=False)
    assert len(versions.versions()) == 2  # keep_versions


def test_a_broken_version_keeps_the_previous_one(personal_dir):
    versions = CFVersions(DataDir(personal_dir).cf_dir)
    loader = ModelLoader(versions.dir, interval_s=0.0)
    good = loader.get()
    broken = versions.dir / "20990101-000000-broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{}", encoding="utf-8")
    versions.current_file.write_text(broken.name + "\n", encoding="utf-8")
    assert loader.get() is good


def test_training_without_events_fails(sample_data_dir):
    with pytest.raises(TrainingError):
        train_cf(sample_data_dir, CONFIGS, progress=False)


def test_import_verifies_shopper_tokens_and_rejects_bad_ones_by_line(personal_dir, tmp_path):
    from search.personal.tokens import sign_token

    secret = "shop-token-secret"
    good = sign_token("tok1", secret)
    rows = [
        {"shopper_token": good, "product_id": "S00001", "event": "click", "ts": 1790871465},
        {"shopper_token": sign_token("tok2", "another-secret"), "product_id": "S00002", "event": "view"},
        {"shopper_token": sign_token("tok3", secret, ttl_s=-10), "product_id": "S00002", "event": "view"},
        {"user_id": "tok9", "shopper_token": good, "product_id": "S00003", "event": "view"},
        {"user_id": "plain", "product_id": "S00004", "event": "cart", "ts": 1790871465},
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    settings = personal_settings(personal_dir, shopper_token_secret=secret)
    res = import_events(path, personal_dir, progress=False, configs_dir=CONFIGS, settings=settings)
    rejects = [json.loads(line) for line in Path(res["rejects_file"]).read_text(encoding="utf-8").splitlines()]
    assert (res["imported"], res["rejected"]) == (2, 3), rejects
    assert [(r["line"], r["reason"]) for r in rejects] == [
        (2, "shopper_token has an invalid signature"),
        (3, "shopper_token has expired"),
        (4, "user_id does not match shopper_token"),
    ]
    conn = sqlite3.connect(DataDir(personal_dir).events_db)
    shoppers = {u for (u,) in conn.execute("SELECT DISTINCT shopper FROM events")}
    conn.close()
    named = Pseudonymizer(SECRET)
    assert {named("tok1"), named("plain")} <= shoppers  # the token's shopper, pseudonymised
    assert named("tok2") not in shoppers and named("tok3") not in shoppers
    # without signing configured, a token cannot be verified: the line is rejected, the rest imported
    path.write_text(
        json.dumps(rows[0]) + "\n" + json.dumps({**rows[4], "product_id": "S00005"}) + "\n", encoding="utf-8"
    )
    res = import_events(
        path, personal_dir, progress=False, configs_dir=CONFIGS, settings=personal_settings(personal_dir)
    )
    assert (res["imported"], res["rejected"]) == (1, 1)
