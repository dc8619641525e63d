"""Rotating the pseudonymisation secret: stored shoppers are re-keyed by a command, not lost."""

import pytest

from indexer.cli import EXIT_INPUT, EXIT_OK, main
from search.personal.config import EventsConfig
from search.personal.pseudonym import Pseudonymizer
from search.personal.store import EventStore, EventStoreError, NewEvent

ITEMS = {"p1": ("olay", "美妆/面霜")}


def _fill(data_dir, secret):
    p = Pseudonymizer(secret)
    store = EventStore(data_dir / "events.sqlite", p.fingerprint())
    events = [NewEvent(p(u), "p1", "click", 1.79e9 + i, key=f"k{i}") for i, u in enumerate(["u1", "u2", "u3"])]
    store.append(events, ITEMS, EventsConfig())
    store.close()


def test_rekey_moves_every_shopper_to_the_new_secret(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    data.mkdir()
    _fill(data, "old-secret")
    with pytest.raises(EventStoreError):  # before: the new secret cannot open the database
        EventStore(data / "events.sqlite", Pseudonymizer("new-secret").fingerprint()).check()
    ids = tmp_path / "ids.txt"
    ids.write_text("u1\nu2\n", encoding="utf-8")
    monkeypatch.setenv("OLD_SECRET", "old-secret")
    monkeypatch.setenv("SEARCH_USER_ID_SECRET", "new-secret")
    argv = ["users", "rekey", "--old-secret-env", "OLD_SECRET", "--users", str(ids), "--data-dir", str(data)]
    assert main(argv) == EXIT_INPUT  # u3 is not in the list
    assert "1 stored shoppers are not in the list" in capsys.readouterr().err
    assert main([*argv, "--drop-unmapped", "--json"]) == EXIT_OK
    assert '"rekeyed": 2' in capsys.readouterr().out
    new = Pseudonymizer("new-secret")
    store = EventStore(data / "events.sqlite", new.fingerprint())
    assert store.profile(new("u1")).events == 1 and store.profile(new("u2")).events == 1
    assert store.profile(new("u3")) is None
    store.close()
