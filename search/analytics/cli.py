"""``search analytics``: the analytics of the search log, as a table, JSON, or a report with plots.

Reads the same database the API logs to (``SEARCH_DB_URL``, else ``DATA_DIR/searchlog.sqlite``);
needs no index and loads no model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from search.analytics.summary import DEFAULT_DAYS


def _store(args: argparse.Namespace) -> Any:
    from search.analytics.store import SearchLogStore
    from search.config import Settings
    from search.db import open_database
    from search.store.layout import DataDir

    settings = Settings(data_dir=Path(args.data_dir))
    return settings, SearchLogStore(open_database(settings, sqlite_path=DataDir(settings.data_dir).search_log_db))


def cmd_analytics(args: argparse.Namespace) -> int:
    """Print (or write) the analytics of the last ``--days`` days."""
    from search.analytics.summary import analytics

    if args.days <= 0:
        print("error: --days must be positive", file=sys.stderr)
        return 2
    settings, store = _store(args)
    try:
        purged = None
        if args.purge:
            import time

            purged = store.purge(time.time() - settings.log_retention_days * 86400.0)
            print(f"purged {purged} older than {settings.log_retention_days:g} days", file=sys.stderr)
        doc = analytics(store, args.days, top=args.top)
    finally:
        store.close()
    if purged is not None:
        doc["purged"] = purged
    if args.report:
        from search.analytics.report import write_report

        md, page = write_report(doc, Path(args.report))
        doc["report"] = {"markdown": str(md), "html": str(page)}
        print(f"report: {md} and {page}", file=sys.stderr)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print_table(doc)
    return 0


def print_table(doc: dict[str, Any]) -> None:
    """The human-readable summary."""
    n = doc["searches"]
    print(
        f"{n} searches in the last {doc['days']:g} days: CTR {doc['ctr']:.1%}, conversion {doc['conversion']:.1%}, "
        f"zero results {doc['zero_result_rate']:.1%}"
    )
    print("\ntop queries                      searches      CTR  convers.")
    for q in doc["top_queries"]:
        print(f"  {q['query'][:30]:<30} {q['count']:>8} {q['ctr']:>8.1%} {q['conversion']:>8.1%}")
    print("\nzero-result queries              searches")
    for z in doc["zero_result_queries"]:
        print(f"  {z['query'][:30]:<30} {z['count']:>8}")
    if doc["no_click_queries"]:
        print("\nsearched often, never clicked    searches")
        for q in doc["no_click_queries"]:
            print(f"  {q['query'][:30]:<30} {q['count']:>8}")
    print("\nCTR by position: " + "  ".join(f"{i}:{c:.1%}" for i, c in enumerate(doc["ctr_by_position"], 1)))
    s = doc["suggestions"]
    print(f"suggestions chosen: {s['searches']} searches ({s['share']:.1%}), CTR {s['ctr']:.1%}")
    if doc["variants"]:
        print("\nvariant / profile           searches   CTR [95% CI]            conversion [95% CI]")
        for v in doc["variants"]:
            label = f"{v['variant'] or '-'} / {v['profile']}"
            ctr = f"{v['ctr']:.1%} [{v['ctr_ci'][0]:.1%}, {v['ctr_ci'][1]:.1%}]"
            conv = f"{v['conversion']:.1%} [{v['conversion_ci'][0]:.1%}, {v['conversion_ci'][1]:.1%}]"
            print(f"  {label[:24]:<24} {v['searches']:>8}   {ctr:<23} {conv}")


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``search analytics`` on the ``search`` command's subparsers."""
    a = sub.add_parser("analytics", parents=[common], help="search-log analytics (top and zero-result queries, CTR)")
    a.add_argument("--days", type=float, default=DEFAULT_DAYS, help=f"the last N days (default {DEFAULT_DAYS:g})")
    a.add_argument("--top", type=int, default=20, help="queries listed per table (default 20)")
    a.add_argument("--json", action="store_true")
    a.add_argument("--report", default=None, help="write report.md, report.html and plots into this folder")
    a.add_argument("--purge", action="store_true", help="first delete rows older than SEARCH_LOG_RETENTION_DAYS")
    a.set_defaults(func=cmd_analytics)
