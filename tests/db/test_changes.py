"""Change counters reach another process's watcher (SQLite and PostgreSQL)."""

from __future__ import annotations

from search.db import connect
from search.db.changes import COMPONENT, MIGRATIONS, ChangeWatcher, bump, version


def test_a_change_on_one_node_is_seen_once_by_another(database_url):
    writer, reader = connect(database_url), connect(database_url)
    writer.migrate(COMPONENT, MIGRATIONS)
    watcher = ChangeWatcher(reader, "rules", interval_s=0)
    assert watcher.changed() is True  # first look: load what is there
    assert watcher.changed() is False
    with writer.transaction() as tx:
        bump(tx, "rules")
        bump(tx, "synonyms")
    assert version(writer, "rules") == 1
    assert watcher.changed() is True
    assert watcher.changed() is False
    slow = ChangeWatcher(reader, "rules", interval_s=3600)
    assert slow.changed() is True and slow.changed() is False  # polls at most once per interval
    writer.close()
    reader.close()
