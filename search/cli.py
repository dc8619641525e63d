"""The ``search`` command line: serve the API, query, parse and evaluate in-process.

Exit codes: 0 success; 1 unexpected error; 2 usage error; 3 bad input (judgments,
config, unknown profile); 5 no index yet; 6 the Qdrant server or the shared-state database
cannot be reached (the message names it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from search import __version__
from search.errors import EXIT_ERROR, EXIT_INPUT, EXIT_NO_INDEX, EXIT_OK, EXIT_UNAVAILABLE, run_command

__all__ = ["EXIT_ERROR", "EXIT_INPUT", "EXIT_NO_INDEX", "EXIT_OK", "EXIT_UNAVAILABLE", "main", "parser"]


def _settings(args: argparse.Namespace):
    from search.config import Settings

    overrides: dict[str, Any] = {"data_dir": Path(args.data_dir)}
    if getattr(args, "configs_dir", None):
        overrides["configs_dir"] = Path(args.configs_dir)
    return Settings(**overrides)


def _engine(args: argparse.Namespace):
    from search.api.app import build_engine

    return build_engine(_settings(args))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    os.environ["SEARCH_DATA_DIR"] = str(Path(args.data_dir).resolve())
    if args.configs_dir:
        os.environ["SEARCH_CONFIGS_DIR"] = str(Path(args.configs_dir).resolve())
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = Path(args.data_dir).resolve() / ".prometheus"
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    uvicorn.run(
        "search.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        # access logs would carry raw shopper ids (user_id=...); requests are counted in /metrics instead
        access_log=False,
    )
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from search.engine import SearchRequest

    engine = _engine(args)
    try:
        if args.profile and args.profile not in engine.profiles.names():
            print(
                f"error: unknown profile {args.profile!r}; valid: {', '.join(engine.profiles.names())}", file=sys.stderr
            )
            return EXIT_INPUT
        res = engine.search(
            SearchRequest(
                q=args.text,
                user_id=args.user,
                profile=args.profile,
                size=args.size,
                page=args.page,
                explain=args.explain,
                brands=tuple(args.brand or ()),
                price_min=args.price_min,
                price_max=args.price_max,
            )
        )
    finally:
        engine.close()
    if args.json:
        out = {
            "query": res.query,
            "parsed": res.parsed.model_dump(),
            "total": res.total,
            "items": res.items,
            "facets": res.facets,
            "took_ms": res.took_ms,
            "profile": res.profile,
            "search_id": res.search_id,
            "related": res.related,
            "nomatch": res.nomatch,
        }
        print(json.dumps(out, ensure_ascii=False))
        return EXIT_OK
    p = res.parsed
    print(f"{res.total} results ({res.took_ms:.1f} ms, profile {res.profile}, parser {p.parser})")
    if res.nomatch is not None and not res.nomatch["matched"]:
        print(f"nothing in the catalog matches ({res.nomatch['reason']}); related:")
        for item in res.related:
            print(f"     {item['score']:.3f}  {item['title']}  [{item['id']}]")
    intent = {k: v for k, v in p.model_dump().items() if v and k in ("brands", "price_min", "price_max", "exclude")}
    if intent or p.sort != "relevance":
        print(f"understood: {json.dumps({**intent, 'sort': p.sort}, ensure_ascii=False)}")
    for rank, item in enumerate(res.items, start=(args.page - 1) * args.size + 1):
        price = f"¥{item['price']:g}" if item["price"] is not None else "-"
        print(f"{rank:3d}. {item['score']:.3f}  {price:>9}  {item['title']}  [{item['id']}]")
    return EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        parser = engine.parser(engine.index, engine.profiles.get(args.profile))
        texts = (line.rstrip("\n") for line in sys.stdin) if args.text == ["-"] else iter(args.text)
        for text in texts:
            parsed = parser.parse(text)
            if args.json:
                print(json.dumps(parsed.model_dump(), ensure_ascii=False), flush=True)
            else:
                fields = {k: v for k, v in parsed.model_dump().items() if v not in (None, [], {}, "") and k != "text"}
                print(f"{text}\t{json.dumps(fields, ensure_ascii=False)}", flush=True)
    finally:
        engine.close()
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from search.engine import SearchRequest
    from search.evaluate import METRIC_NAMES, evaluate, paired_tests, read_judgments

    judgments = read_judgments(Path(args.judgments))
    engine = _engine(args)
    try:
        default = engine.profiles.default
        profiles = args.profile or [default]
        unknown = [p for p in profiles if p not in engine.profiles.names()]
        if unknown:
            valid = ", ".join(engine.profiles.names())
            print(f"error: unknown profile(s) {', '.join(unknown)}; valid: {valid}", file=sys.stderr)
            return EXIT_INPUT

        def searcher(j, profile: str) -> list[str]:
            res = engine.search(SearchRequest(q=j.query, user_id=j.user_id, profile=profile, size=args.depth))
            return [item["id"] for item in res.items]

        results = evaluate(judgments, profiles, searcher)
    finally:
        engine.close()
    summary: dict[str, Any] = {"profiles": {r.profile: r.summary() for r in results}}
    tests = paired_tests(results, rounds=args.rounds)
    if tests:
        summary["significance"] = tests
    if args.report:
        from search.report import write_report

        compare = tuple(args.compare) if args.compare else None
        path = write_report(
            results,
            judgments,
            Path(args.report),
            args.judgments,
            compare,
            baseline=default,  # type: ignore[arg-type]
            tests=tests,
        )
        summary["report"] = str(path)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"{'profile':<16} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8} {'R@100':>8} {'queries':>8}")
        for name, s in summary["profiles"].items():
            print(
                f"{name:<16} {s['ndcg@10']:>8.4f} {s['mrr@10']:>8.4f} {s['recall@10']:>8.4f} "
                f"{s['recall@100']:>8.4f} {s['queries']:>8}"
            )
        for t in tests:  # each profile against the first: mean difference and its p-value
            cells = " ".join(f"{t['metrics'][m]['delta']:>+8.4f}" for m in METRIC_NAMES)
            pvals = " ".join(f"{t['metrics'][m]['p']:>8.4f}" for m in METRIC_NAMES)
            print(f"{'Δ ' + t['b'] + '-' + t['a']:<16} {cells} {t['queries']:>8}")
            print(f"{'  p (paired)':<16} {pvals}")
        if args.report:
            print(f"report: {summary['report']}")
    return EXIT_OK


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        default=os.environ.get("SEARCH_DATA_DIR", "data"),
        help="data directory with the index (default: $SEARCH_DATA_DIR or ./data)",
    )
    common.add_argument("--configs-dir", default=None, help="profiles folder (default: ./configs)")

    p = argparse.ArgumentParser(prog="search", description="Serve, query and evaluate the product search.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--log-level", default="info")
    s.set_defaults(func=cmd_serve)

    q = sub.add_parser("query", parents=[common], help="run one search in-process")
    q.add_argument("text", help="the query as a shopper types it")
    q.add_argument("--user", default=None, help="shopper id: personalizes the ranking when known")
    q.add_argument("--profile", default=None, help="relevance profile (default: the configured default)")
    q.add_argument("--size", type=positive_int, default=10, help="results per page (default 10)")
    q.add_argument("--page", type=positive_int, default=1, help="page number, from 1 (default 1)")
    q.add_argument("--brand", action="append", help="only this brand (repeatable)")
    q.add_argument("--price-min", type=float, default=None, help="lowest price")
    q.add_argument("--price-max", type=float, default=None, help="highest price")
    q.add_argument("--explain", action="store_true", help="show every stage's rank and score (with --json)")
    q.add_argument("--json", action="store_true", help="print the result as one JSON document")
    q.set_defaults(func=cmd_query)

    pa = sub.add_parser("parse", parents=[common], help="parse queries (TEXT... or - for stdin, one per line)")
    pa.add_argument("text", nargs="+")
    pa.add_argument("--profile", default=None)
    pa.add_argument("--json", action="store_true")
    pa.set_defaults(func=cmd_parse)

    e = sub.add_parser("eval", parents=[common], help="evaluate profiles on a judgment file")
    e.add_argument("judgments", help="TSV (qid, query, product_id[, grade]) or JSONL sessions")
    e.add_argument("--profile", action="append", help="profile to evaluate (repeatable)")
    e.add_argument("--json", action="store_true")
    e.add_argument("--report", default=None, help="write report.md and metrics.png into this folder")
    e.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="only these two profiles in the wins/losses tables (default: the default profile against each other)",
    )
    e.add_argument("--depth", type=int, default=100, help="results fetched per query (default 100)")
    e.add_argument("--rounds", type=int, default=10_000, help="paired randomisation test rounds (default 10000)")
    e.set_defaults(func=cmd_eval)

    from search.analytics.cli import add_commands as add_analytics_commands
    from search.ops.cli import add_commands as add_ops_commands

    add_analytics_commands(sub, common)
    add_ops_commands(sub, common)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``search`` command."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    return run_command(args.func, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
