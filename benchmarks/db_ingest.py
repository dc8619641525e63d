"""Events ingest rate of the behaviour store on SQLite and on PostgreSQL.

Appends the first ``--events`` shared behaviour events (pseudonymised like the API does),
one event per transaction (``POST /events`` with one event) and in batches (``{"events":
[...]}`` of ``--batch``), with the catalog's brand/category keys so affinities update too::

    python -m benchmarks.db_ingest --db sqlite:////tmp/ingest.sqlite
    python -m benchmarks.db_ingest --db postgresql://postgres@127.0.0.1:PORT/bench

Every run starts from an empty database (SQLite: the file is removed; PostgreSQL: the
behaviour tables are dropped first).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import machine, shared


def _reset(url: str) -> None:
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///") :] + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("events", "profiles", "affinity", "forgotten", "meta", "schema_migrations"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://...")
    p.add_argument("--events", type=int, default=3000)
    p.add_argument("--batch", type=int, default=100)
    args = p.parse_args(argv)

    from search.db import connect
    from search.personal.config import EventsConfig
    from search.personal.pseudonym import Pseudonymizer
    from search.personal.scoring import item_keys
    from search.personal.store import EventStore, NewEvent

    items: dict[str, Any] = {}
    with open(shared("catalog.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            items[row["id"]] = item_keys(row)
    pseudo = Pseudonymizer("benchmark")
    events = []
    with open(shared("behavior", "events.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            e = json.loads(line)
            events.append(NewEvent(pseudo(e["user_id"]), e["product_id"], e["event"], float(e["ts"])))
            if len(events) >= 2 * args.events:
                break
    config = EventsConfig()
    report: dict[str, Any] = {"machine": machine(), "load_average": os.getloadavg(), "events": args.events}
    _reset(args.db)
    store = EventStore(connect(args.db), pseudo.fingerprint())
    store.check()
    single, batched = events[: args.events], events[args.events :]
    start = time.perf_counter()
    for e in single:
        store.append([e], items, config)
    report["one_per_request_events_per_s"] = round(len(single) / (time.perf_counter() - start), 1)
    start = time.perf_counter()
    for lo in range(0, len(batched), args.batch):
        store.append(batched[lo : lo + args.batch], items, config)
    report[f"batches_of_{args.batch}_events_per_s"] = round(len(batched) / (time.perf_counter() - start), 1)
    report["database"] = store.db.url.split(":", 1)[0]
    report["stored"] = store.counts()
    store.close()
    report["load_average_after"] = os.getloadavg()
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
