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

from pathlib import Path
from typing import Any

from search.db import Database
from search.db.sqlite import SQLiteDatabase
from search.errors import InputError
from search.personal.pseudonym import Pseudonymizer

TABLES = ("events", "profiles", "affinity", "forgotten", "event_keys")


def _tables(db: Database) -> list[str]:
    """The shopper tables that exist (event ids came with a later schema version)."""
    out = []
    for table in TABLES:
        try:
            with db.read() as tx:
                tx.execute(f"SELECT 1 FROM {table} WHERE 1 = 0").fetchall()  # noqa: S608
        except Exception:  # the table is not there (yet)
            continue
        out.append(table)
    return out


def rekey_users(
    db: Database | Path, old_secret: str, new_secret: str, users: list[str], drop_unmapped: bool = False
) -> dict[str, Any]:
    """Re-key the shared-state database from ``old_secret`` to ``new_secret``; returns what was done."""
    if isinstance(db, Path):
        db = SQLiteDatabase(db)
    if not db.exists():
        raise InputError("no events database: nothing to re-key")
    old, new = Pseudonymizer(old_secret), Pseudonymizer(new_secret)
    if old.fingerprint() == new.fingerprint():
        raise InputError("the old and the new secret are the same")
    with db.read() as tx:
        meta = dict(tx.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("fingerprint") != old.fingerprint():
        raise InputError("the events database was not written with the old secret: check --old-secret-env")
    tables = _tables(db)
    mapping = {old(u): new(u) for u in dict.fromkeys(u.strip() for u in users) if u}
    stored: set[str] = set()
    with db.read() as tx:
        for table in tables:
            stored.update(r[0] for r in tx.execute(f"SELECT DISTINCT shopper FROM {table}").fetchall())  # noqa: S608
    unmapped = stored - set(mapping)
    if unmapped and not drop_unmapped:
        raise InputError(
            f"{len(unmapped)} stored shoppers are not in the list of shopper ids: they would be unreachable; "
            "add their ids, or pass --drop-unmapped to delete them"
        )
    with db.transaction() as tx:
        for table in tables:
            tx.executemany(f"DELETE FROM {table} WHERE shopper = ?", [(u,) for u in unmapped])  # noqa: S608
            tx.executemany(
                f"UPDATE {table} SET shopper = ? WHERE shopper = ?",  # noqa: S608
                [(n, o) for o, n in mapping.items() if o in stored],
            )
        tx.execute("UPDATE meta SET value = ? WHERE key = 'fingerprint'", (new.fingerprint(),))
    return {"rekeyed": len(stored & set(mapping)), "dropped": len(unmapped), "next": "indexer cf train"}
