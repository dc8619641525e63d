"""``indexer users rekey``: move the stored shopper pseudonyms to a new ``SEARCH_USER_ID_SECRET``.

A pseudonym is a keyed hash of the shopper id, so it cannot be turned into the new secret's
pseudonym without the id: the shop supplies its shopper ids (one per line). Every table that
names a shopper (events, profiles, affinities, forgotten shoppers, event ids) is re-keyed in one
transaction, and the database's secret fingerprint is updated. Pseudonyms of shoppers not in the
list would be unreachable under the new secret: the command refuses to run while there are any,
unless ``--drop-unmapped`` deletes them. CF models are keyed by pseudonyms too: train a new one
(``indexer cf train``) afterwards.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from search.errors import InputError
from search.personal.pseudonym import Pseudonymizer

TABLES = ("events", "profiles", "affinity", "forgotten", "event_keys")


def rekey_users(
    db: Path, old_secret: str, new_secret: str, users: list[str], drop_unmapped: bool = False
) -> dict[str, Any]:
    """Re-key ``db`` from ``old_secret`` to ``new_secret``; returns what was done."""
    if not db.exists():
        raise InputError(f"no events database at {db}: nothing to re-key")
    old, new = Pseudonymizer(old_secret), Pseudonymizer(new_secret)
    if old.fingerprint() == new.fingerprint():
        raise InputError("the old and the new secret are the same")
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("fingerprint") != old.fingerprint():
            raise InputError("the events database was not written with the old secret: check --old-secret-env")
        tables = [t for t in TABLES if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (t,)).fetchone()]
        mapping = {old(u): new(u) for u in dict.fromkeys(u.strip() for u in users) if u}
        stored: set[str] = set()
        for table in tables:
            stored.update(r[0] for r in conn.execute(f"SELECT DISTINCT user FROM {table}"))  # noqa: S608
        unmapped = stored - set(mapping)
        if unmapped and not drop_unmapped:
            raise InputError(
                f"{len(unmapped)} stored shoppers are not in the list of shopper ids: they would be unreachable; "
                "add their ids, or pass --drop-unmapped to delete them"
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in tables:
                conn.executemany(f"DELETE FROM {table} WHERE user = ?", [(u,) for u in unmapped])  # noqa: S608
                conn.executemany(
                    f"UPDATE {table} SET user = ? WHERE user = ?",  # noqa: S608
                    [(n, o) for o, n in mapping.items() if o in stored],
                )
            conn.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (new.fingerprint(),))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {"rekeyed": len(stored & set(mapping)), "dropped": len(unmapped), "next": "indexer cf train"}
