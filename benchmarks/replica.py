"""How long a CF model version takes to reach another API node through the shared database.

Publishes a model version the way ``indexer cf train`` does (:func:`search.replica.share`:
chunks, live pointer and change counter in one transaction) and lets a second data dir's
:class:`search.replica.Follower` notice and copy it (fetch, checksums, fsync, rename,
``CURRENT``), ``--repeat`` times::

    python -m benchmarks.replica --db sqlite:////tmp/replica.sqlite
    python -m benchmarks.replica --db postgresql://postgres@127.0.0.1:PORT/bench

The model is synthetic, shaped like the one trained on the shared events (``--users``
3,600 shoppers x ``--items`` 2,700 products x 64 factors, 50 neighbours per product):
what is measured is bytes moved, not what they mean. A node sees a new version within
``SEARCH_RELOAD_INTERVAL_S`` (it polls the counter at most that often) plus the copy time
printed here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import machine


def _model(folder: Path, users: int, items: int, factors: int, top_k: int, seed: int) -> None:
    from search.personal.model import save_model

    rng = np.random.default_rng(seed)
    indptr = np.arange(0, (items + 1) * top_k, top_k, dtype=np.int64)
    indices = rng.integers(0, items, size=items * top_k).astype(np.int32)
    sim = (indptr, indices, rng.random(items * top_k).astype(np.float32))
    save_model(
        folder,
        [f"{i:016x}" for i in range(users)],
        [f"S{i:07d}" for i in range(items)],
        rng.standard_normal((users, factors)).astype(np.float32),
        rng.standard_normal((items, factors)).astype(np.float32),
        rng.random(items),
        sim,
        {"engine": "benchmark"},
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://...")
    p.add_argument("--users", type=int, default=3600)
    p.add_argument("--items", type=int, default=2700)
    p.add_argument("--factors", type=int, default=64)
    p.add_argument("--top-k", type=int, default=50)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)

    from search.config import Settings
    from search.db import connect
    from search.personal.versions import CFVersions
    from search.replica import CF, Follower, share
    from search.store.layout import DataDir

    root = Path(tempfile.mkdtemp(prefix="replica-bench-"))
    writer, reader = root / "writer", root / "reader"
    settings = Settings(data_dir=writer, db_url=args.db)
    db = connect(args.db)
    follower = Follower(db, DataDir(reader), [CF])
    follower.poll()  # migrations and the first look, outside the timings
    shared, copied, sizes = [], [], []
    for i in range(args.repeat):
        versions = CFVersions(DataDir(writer).cf_dir)
        with versions.lock(), versions.publishing() as version:
            _model(version.path, args.users, args.items, args.factors, args.top_k, seed=i)
        assert version.final is not None
        t = time.perf_counter()
        sizes.append(share(settings, CF, version.final) or 0)
        shared.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert follower.poll() == [f"cf:{version.name}"]
        copied.append(time.perf_counter() - t)
        time.sleep(1.0)  # version names have one-second resolution
    db.close()
    result = {
        "db": args.db.split("://")[0],
        "model": {"users": args.users, "items": args.items, "factors": args.factors, "top_k": args.top_k},
        "bytes": sizes[-1],
        "share_s_median": round(statistics.median(shared), 3),
        "copy_s_median": round(statistics.median(copied), 3),
        "share_s": [round(s, 3) for s in shared],
        "copy_s": [round(s, 3) for s in copied],
        "machine": machine(),
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
