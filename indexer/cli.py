"""The ``indexer`` command line.

Exit codes: 0 success; 1 unexpected error; 2 usage error; 3 bad input (catalog,
config, dictionary, events, or a refresh that would delete too much); 4 another
indexer holds the data directory; 5 no index yet; 6 no space left on the device
(the previous index is left serving); 7 the Qdrant server or the shared-state database cannot be
reached (the message names it; nothing was written); 130 interrupted (the previous index is left serving).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from search.errors import (
    EXIT_ERROR,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_NO_INDEX,
    EXIT_NO_SPACE,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    run_command,
)

__all__ = [
    "EXIT_ERROR",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_LOCKED",
    "EXIT_NO_INDEX",
    "EXIT_NO_SPACE",
    "EXIT_OK",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "main",
    "parser",
]


def _emit(args: argparse.Namespace, payload: dict[str, Any], human: Callable[[dict[str, Any]], str]) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(human(payload))


def _configs_dir(args: argparse.Namespace) -> Path:
    from search.config import Settings

    return Path(args.configs_dir) if args.configs_dir else Settings().configs_dir


def cmd_build(args: argparse.Namespace) -> int:
    from indexer.build import build_index
    from indexer.progress import Progress
    from search.config import load_index_config

    configs_dir = _configs_dir(args)
    config = load_index_config(Path(args.config) if args.config else None, configs_dir)
    result = build_index(
        Path(args.catalog),
        Path(args.data_dir),
        config,
        configs_dir,
        progress=Progress(enabled=not args.quiet),
    )
    _emit(
        args,
        result.to_dict(),
        lambda r: (
            f"indexed {r['indexed']} products ({r['rejected']} rejected"
            + (f", see {r['rejects_file']}" if r["rejects_file"] else "")
            + f") in {r['seconds']}s -> build {r['build']}"
        ),
    )
    return EXIT_OK


def cmd_refresh(args: argparse.Namespace) -> int:
    from indexer.progress import Progress
    from indexer.refresh import refresh_index

    result = refresh_index(
        Path(args.catalog),
        Path(args.data_dir),
        _configs_dir(args),
        delete_missing=args.delete_missing,
        max_delete_share=args.max_delete_share,
        allow_mass_delete=args.allow_mass_delete,
        progress=Progress(enabled=not args.quiet),
    )
    _emit(
        args,
        result.to_dict(),
        lambda r: (
            f"added {r['added']}, updated {r['updated']}, deleted {r['deleted']}, "
            f"unchanged {r['unchanged']}, rejected {r['rejected']}"
            + (f" (kept {r['missing_kept']} products missing from the catalog)" if r["missing_kept"] else "")
            + (f" -> build {r['build']}" if r["build"] else " (index unchanged)")
        ),
    )
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from indexer.stats import index_stats

    stats = index_stats(Path(args.data_dir))

    def human(s: dict[str, Any]) -> str:
        lines = [
            f"build        {s['build']} ({s['kind']}, {s['created_at']})",
            f"catalog      {s['catalog']}",
            f"products     {s['products']} ({s['with_price']} with price, {s['brands']} brands, "
            f"{s['categories']} categories)",
            f"dense        {s['dense']['model']} ({s['dense']['dim']}-d)",
        ]
        for name, f in s["lexical"].items():
            lines.append(f"lexical      {name}: vocabulary {f['vocabulary']}, avgdl {f['avgdl']}")
        disk = s["disk_bytes"]
        lines.append(
            f"disk         index {disk['index'] / 1e6:.1f} MB, all builds {disk['all_builds'] / 1e6:.1f} MB, "
            f"embedding cache {disk['embedding_cache'] / 1e6:.1f} MB"
        )
        return "\n".join(lines)

    _emit(args, stats, human)
    return EXIT_OK


def cmd_events_import(args: argparse.Namespace) -> int:
    from indexer.events import import_events

    result = import_events(
        Path(args.events), Path(args.data_dir), progress=not args.quiet, configs_dir=_configs_dir(args)
    )
    _emit(
        args,
        result,
        lambda r: (
            f"imported {r['imported']} events ({r['rejected']} rejected, {r['unknown_products']} for unknown products)"
        ),
    )
    return EXIT_OK


def cmd_cf_train(args: argparse.Namespace) -> int:
    from indexer.cf import train_cf

    result = train_cf(
        Path(args.data_dir),
        _configs_dir(args),
        progress=not args.quiet,
        engine=args.engine,
        spark_master=args.spark_master,
    )
    _emit(args, result, lambda r: f"trained CF model {r['version']} in {r['seconds']}s")
    return EXIT_OK


def cmd_users_rekey(args: argparse.Namespace) -> int:
    import os

    from indexer.rekey import rekey_users
    from search.config import Settings
    from search.errors import InputError
    from search.store.layout import DataDir

    old = os.environ.get(args.old_secret_env)
    if not old:
        raise InputError(f"the environment variable {args.old_secret_env} (the old secret) is not set")
    users = Path(args.users).read_text(encoding="utf-8").splitlines()
    new = Settings().user_id_secret.get_secret_value()
    from search.db import open_database

    database = open_database(Settings(), sqlite_path=DataDir(Path(args.data_dir)).events_db)
    result = rekey_users(database, old, new, users, args.drop_unmapped)
    _emit(
        args,
        result,
        lambda r: f"re-keyed {r['rekeyed']} shoppers ({r['dropped']} dropped); now run `indexer cf train`",
    )
    return EXIT_OK


def cmd_queries_import(args: argparse.Namespace) -> int:
    from search.suggest.querylog import import_queries

    result = import_queries(Path(args.data_dir), Path(args.queries))
    from search.config import Settings
    from search.replica import share_queries  # with a shared database, every API node's autocomplete gets them
    from search.suggest.querylog import read_query_file

    shared = share_queries(Settings(), Path(args.data_dir), read_query_file(Path(args.queries)))
    output: dict[str, object] = {**result, **({"shared_version": shared} if shared else {})}
    _emit(args, output, lambda r: f"imported {r['imported']} queries ({r['skipped']} empty); log: {r['queries']}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default="data", help="data directory (default: ./data)")
    common.add_argument("--configs-dir", default=None, help="configs folder (default: ./configs)")
    common.add_argument("--json", action="store_true", help="print one JSON document to stdout")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output on stderr")

    p = argparse.ArgumentParser(prog="indexer", description="Build and maintain the product search index.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", parents=[common], help="index a catalog into a new index version")
    b.add_argument("catalog", help="catalog file: .jsonl, .csv, .tsv or .parquet")
    b.add_argument("--config", default=None, help="indexing config (default: configs/indexing.yaml)")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser("refresh", parents=[common], help="apply catalog changes to the live index")
    r.add_argument("catalog")
    r.add_argument("--delete-missing", action="store_true", help="delete products absent from the catalog")
    r.add_argument(
        "--max-delete-share",
        type=float,
        default=0.2,
        help="refuse (exit 3) when more than this share of the indexed products would be deleted (default 0.2)",
    )
    r.add_argument(
        "--allow-mass-delete",
        action="store_true",
        help="publish even when the catalog has no valid row or more than --max-delete-share would be deleted",
    )
    r.set_defaults(func=cmd_refresh)

    s = sub.add_parser("stats", parents=[common], help="describe the live index")
    s.set_defaults(func=cmd_stats)

    ev = sub.add_parser("events", help="shopper behaviour events")
    ev_sub = ev.add_subparsers(dest="events_command", required=True)
    imp = ev_sub.add_parser("import", parents=[common], help="import events from JSONL")
    imp.add_argument("events", help="JSONL of {user_id, product_id, event, ts}")
    imp.set_defaults(func=cmd_events_import)

    us = sub.add_parser("users", help="stored shoppers")
    us_sub = us.add_subparsers(dest="users_command", required=True)
    rk = us_sub.add_parser(
        "rekey", parents=[common], help="re-key stored pseudonyms from an old secret to SEARCH_USER_ID_SECRET"
    )
    rk.add_argument("--old-secret-env", required=True, help="the environment variable holding the old secret")
    rk.add_argument("--users", required=True, help="file of shopper ids, one per line")
    rk.add_argument("--drop-unmapped", action="store_true", help="delete stored shoppers missing from --users")
    rk.set_defaults(func=cmd_users_rekey)

    cf = sub.add_parser("cf", help="collaborative filtering")
    cf_sub = cf.add_subparsers(dest="cf_command", required=True)
    tr = cf_sub.add_parser("train", parents=[common], help="train the CF model from the stored events")
    tr.add_argument(
        "--engine", choices=["implicit", "spark"], default="implicit", help="ALS on this machine (default) or Spark"
    )
    tr.add_argument("--spark-master", default="local[2]", help="Spark master URL for --engine spark (default local[2])")
    tr.set_defaults(func=cmd_cf_train)

    qu = sub.add_parser("queries", help="the shop's query log (autocomplete)")
    qu_sub = qu.add_subparsers(dest="queries_command", required=True)
    qi = qu_sub.add_parser("import", parents=[common], help="add a query file to the log")
    qi.add_argument("queries", help="one query a line, optionally query<TAB>count")
    qi.set_defaults(func=cmd_queries_import)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``indexer`` command."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    return run_command(args.func, args, interrupted="interrupted: the previous index is still live")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
