"""The query log as versions shared between API nodes (with a shared database, see :mod:`search.replica`).

::

    DATA_DIR/suggest/shared/
      CURRENT                 the live snapshot
      <version>/              manifest.json, queries.json ([[query, count], ...], every count of the shop)

``indexer queries import`` with ``SEARCH_DB_URL`` set adds the file to the database's live
snapshot (or, for the first one, takes this data dir's whole log), publishes the result
here and in the database; every node copies it into its own folder and its autocomplete
uses it instead of the local log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

from search.suggest.querylog import clean_query
from search.versioned import MANIFEST, VersionedDir, write_json_atomic

KIND = "queries"
FILE = "queries.json"


def shared_versions(data_dir: Path) -> VersionedDir:
    """The versions folder of shared query-log snapshots in a data dir."""
    root = Path(data_dir) / "suggest" / "shared"
    return VersionedDir(root, busy=f"another process is writing the shared query log in {root}")


def merge_counts(base: Iterable[tuple[str, int]], rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """``base`` plus ``rows`` (cleaned like the local log; empty queries and non-positive counts skipped)."""
    counts: dict[str, int] = {}
    for rows_ in (base, rows):
        for query, n in rows_:
            q, n = clean_query(query), int(n)
            if q and n > 0:
                counts[q] = counts.get(q, 0) + n
    return counts


def write_snapshot(folder: Path, counts: dict[str, int]) -> None:
    """Write a snapshot's files into a version folder being published."""
    rows = sorted(counts.items())
    (Path(folder) / FILE).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    manifest = {"queries": len(rows), "searches": sum(counts.values()), "created_at": time.time()}
    write_json_atomic(Path(folder) / MANIFEST, manifest)


def read_snapshot(folder: Path) -> list[tuple[str, int]]:
    """The (query, count) rows of a snapshot folder."""
    return parse_snapshot((Path(folder) / FILE).read_bytes())


def parse_snapshot(data: bytes) -> list[tuple[str, int]]:
    """The (query, count) rows of a snapshot's ``queries.json`` as stored in the database."""
    return [(str(q), int(n)) for q, n in json.loads(data.decode("utf-8"))]
