"""The shared-state database layer behaves the same on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading

import pytest

from search.db import DatabaseError, DatabaseUnavailable, Migration, Tx, connect, public_url
from search.db.base import translate
from tests.pg import free_port

M1 = Migration(1, "items", ["CREATE TABLE items (id {id}, name TEXT NOT NULL UNIQUE, price {float})"])
M2 = Migration(2, "tags", ["CREATE TABLE tags (item BIGINT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (item, tag))"])


def test_placeholders_are_translated_outside_literals():
    assert translate("SELECT ? , '?', 'a%' WHERE x = ?") == "SELECT %s , '?', 'a%%' WHERE x = %s"


def test_public_url_hides_the_password():
    assert public_url("postgresql://app:hunter2@db:5432/search") == "postgresql://app@db:5432/search"


def test_migrations_run_once_and_in_order(database_url):
    db = connect(database_url)
    assert db.migrate("shop", [M1, M2]) == 2
    again = connect(database_url)
    assert again.migrate("shop", [M1, M2]) == 2  # nothing to do
    with again.read() as tx:
        rows = tx.execute("SELECT component, version FROM schema_migrations ORDER BY version").fetchall()
    assert [tuple(r) for r in rows] == [("shop", 1), ("shop", 2)]
    with pytest.raises(DatabaseError, match="newer than this program"):
        connect(database_url).migrate("shop", [M1])
    db.close()
    again.close()


def test_an_interrupted_migration_reruns_cleanly(database_url):
    def boom(tx: Tx) -> None:
        raise RuntimeError("killed half-way")

    db = connect(database_url)
    broken = Migration(2, "tags", [M2.steps[0], "CREATE INDEX tags_tag ON tags (tag)", boom])
    with pytest.raises(RuntimeError):
        db.migrate("shop", [M1, broken])
    fixed = Migration(2, "tags", [M2.steps[0], "CREATE INDEX tags_tag ON tags (tag)"])
    db2 = connect(database_url)
    assert db2.migrate("shop", [M1, fixed]) == 2  # the half-done version left nothing behind
    with db2.transaction() as tx:
        tx.execute("INSERT INTO tags (item, tag) VALUES (?, ?)", (1, "x"))
    db.close()
    db2.close()


def test_transactions_commit_or_roll_back_whole(database_url):
    db = connect(database_url)
    db.migrate("shop", [M1])
    with db.transaction() as tx:
        first = tx.execute("INSERT INTO items (name, price) VALUES (?, ?) RETURNING id", ("a", 1.5)).fetchone()[0]
        tx.executemany("INSERT INTO items (name, price) VALUES (?, ?)", [("b", 2.0), ("c", None)])
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("INSERT INTO items (name, price) VALUES (?, ?)", ("d", 3.0))
        raise RuntimeError
    with db.transaction() as tx:  # upsert syntax both share; greatest() exists in both
        assert (
            tx.execute("INSERT INTO items (name) VALUES (?) ON CONFLICT DO NOTHING RETURNING id", ("a",)).fetchone()
            is None
        )
        tx.execute(
            "INSERT INTO items (name, price) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET price = greatest(items.price, excluded.price)",
            ("a", 0.5),
        )
    with db.read() as tx:
        rows = tx.execute("SELECT id, name, price FROM items ORDER BY id").fetchall()
    assert [(r[1], r[2]) for r in rows] == [("a", 1.5), ("b", 2.0), ("c", None)]
    assert rows[0][0] == first
    db.close()


def test_concurrent_starters_migrate_once(database_url):
    errors: list[BaseException] = []

    def start() -> None:
        try:
            db = connect(database_url)
            db.migrate("shop", [M1, M2])
            db.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    db = connect(database_url)
    with db.read() as tx:
        assert tx.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 2
    db.close()


@pytest.mark.integration
def test_an_unreachable_server_is_named_without_its_password(postgres_server):
    db = connect(f"postgresql://app:hunter2@127.0.0.1:{free_port()}/search", timeout_s=1)
    with pytest.raises(DatabaseUnavailable, match=r"postgresql://app@127\.0\.0\.1:\d+/search") as err:
        db.ping()
    assert "hunter2" not in str(err.value)
    db.close()
