"""The blob store behaves the same on SQLite and PostgreSQL (``database_url`` runs each test on both)."""

from __future__ import annotations

import os

import pytest

from search.db import blobs as blobs_module
from search.db import connect
from search.db.blobs import BlobError, BlobStore
from search.db.changes import ChangeWatcher


def _folder(root, files):
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def test_a_version_round_trips_in_chunks_and_goes_live(database_url, tmp_path):
    big = os.urandom(2_500)  # three chunks of 1,000 bytes
    src = _folder(tmp_path / "src", {"manifest.json": b"{}", "a/big.npy": big, "empty": b""})
    db = connect(database_url)
    blobs = BlobStore(db, chunk_bytes=1000)
    assert blobs.live("cf") is None and blobs.versions("cf") == []
    assert blobs.put("cf", "v1", src) == len(big) + 2
    assert blobs.live("cf") == "v1"
    with db.read() as tx:
        assert tx.execute("SELECT count(*) FROM blob_chunks WHERE path = 'a/big.npy'").fetchone()[0] == 3
    out = tmp_path / "out"
    assert blobs.fetch("cf", "v1", out) == len(big) + 2
    assert (out / "a" / "big.npy").read_bytes() == big
    assert (out / "empty").read_bytes() == b"" and (out / "manifest.json").read_bytes() == b"{}"
    assert blobs.live("queries") is None  # kinds are separate
    db.close()


def test_another_connection_sees_each_put_once_through_the_change_counter(database_url, tmp_path):
    src = _folder(tmp_path / "src", {"manifest.json": b"{}"})
    writer, reader = BlobStore(connect(database_url)), BlobStore(connect(database_url))
    watcher = ChangeWatcher(reader.db, "blobs", interval_s=0)
    assert watcher.changed() is True and watcher.changed() is False
    writer.put("cf", "v1", src)
    assert watcher.changed() is True and reader.live("cf") == "v1"
    assert watcher.changed() is False
    writer.put("cf", "v2", src)
    writer.put("cf", "v1", src)  # storing an existing version again makes it live again
    assert watcher.changed() is True and reader.live("cf") == "v1"
    assert reader.versions("cf") == ["v2", "v1"]
    writer.db.close()
    reader.db.close()


def test_prune_keeps_the_newest_and_the_live_version(database_url, tmp_path):
    src = _folder(tmp_path / "src", {"manifest.json": b"{}", "x": b"1" * 50})
    blobs = BlobStore(connect(database_url), chunk_bytes=16)
    for name in ("v1", "v2", "v3", "v4"):
        blobs.put("cf", name, src)
    blobs.put("cf", "v1", src)  # an old version made live again (a rollback)
    assert sorted(blobs.prune("cf", keep=2)) == ["v2"]
    assert blobs.versions("cf") == ["v4", "v3", "v1"]
    with blobs.db.read() as tx:
        assert {r[0] for r in tx.execute("SELECT DISTINCT version FROM blob_chunks").fetchall()} == {"v1", "v3", "v4"}
    with pytest.raises(BlobError, match="no cf version v2"):
        blobs.fetch("cf", "v2", tmp_path / "gone")
    blobs.db.close()


def test_replace_file_rewrites_one_file_of_a_stored_version(database_url, tmp_path):
    src = _folder(tmp_path / "src", {"manifest.json": b"{}", "factors": b"secret" * 100})
    blobs = BlobStore(connect(database_url), chunk_bytes=64)
    blobs.put("cf", "v1", src)
    blobs.replace_file("cf", "v1", "factors", b"\0" * 10)
    assert blobs.read_file("cf", "v1", "factors") == b"\0" * 10
    assert {f.path: f.size for f in blobs.files("cf", "v1")} == {"factors": 10, "manifest.json": 2}
    with blobs.db.read() as tx:
        assert tx.execute("SELECT count(*) FROM blob_chunks WHERE path = 'factors'").fetchone()[0] == 1
    with pytest.raises(BlobError, match="no file nope"):
        blobs.replace_file("cf", "v1", "nope", b"")
    blobs.db.close()


def test_a_failed_put_stores_nothing(database_url, tmp_path, monkeypatch):
    src = _folder(tmp_path / "src", {"manifest.json": b"{}", "a": b"1"})
    blobs = BlobStore(connect(database_url))
    blobs.put("cf", "v1", src)
    real = blobs_module._files

    def vanishing(folder):  # the second file disappears while the version is being stored
        yield from real(folder)
        yield "b", folder / "b"

    monkeypatch.setattr(blobs_module, "_files", vanishing)
    with pytest.raises(OSError):
        blobs.put("cf", "v2", src)
    assert blobs.live("cf") == "v1" and blobs.versions("cf") == ["v1"]
    with blobs.db.read() as tx:
        assert tx.execute("SELECT count(*) FROM blob_chunks WHERE version = 'v2'").fetchone()[0] == 0
    blobs.db.close()
