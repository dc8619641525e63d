"""Operator commands: ``search audit`` (read the audit log) and ``search keys new`` (make an API key)."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from pathlib import Path

EXIT_OK = 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the latest audit entries, newest first."""
    from search.config import Settings
    from search.ops.store import OpsStore

    since = time.time() - args.days * 86400 if args.days is not None else None
    store = OpsStore.open(Settings(data_dir=Path(args.data_dir)))  # SEARCH_DB_URL, else the data dir's file
    try:
        entries = store.audit_log(limit=args.limit, since=since, actor=args.actor)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"entries": [e.to_dict() for e in entries]}, ensure_ascii=False))
        return EXIT_OK
    if not entries:
        print("no audit entries", file=sys.stderr)
    for e in entries:
        d = e.to_dict()
        detail = f"  {e.detail}" if e.detail else ""
        print(f"{d['time']}  {e.actor:<16} {e.status:>3}  {e.action:<6} {e.target}  from {e.remote or '-'}{detail}")
    return EXIT_OK


def cmd_keys_new(args: argparse.Namespace) -> int:
    """Make a random key; print it once, with the entries that configure it (hash only)."""
    from search.api.auth import KeySpec, hash_key

    key = f"zk_{secrets.token_urlsafe(32)}"
    spec = KeySpec(id=args.id, sha256=hash_key(key), scopes=args.scope, rate_limit=args.rate_limit)
    inline = f"{spec.id}:{'+'.join(spec.scopes)}:{spec.sha256}" + (f":{args.rate_limit:g}" if args.rate_limit else "")
    entry = spec.model_dump(exclude_none=True)
    if args.json:
        print(json.dumps({"key": key, "entry": entry, "env": inline}))
        return EXIT_OK
    print(f"key (shown once, give it to the client): {key}")
    print(f"SEARCH_API_KEYS entry: {inline}")
    print("keys file entry:")
    print(f"  - id: {spec.id}\n    sha256: {spec.sha256}\n    scopes: [{', '.join(spec.scopes)}]", end="")
    print(f"\n    rate_limit: {args.rate_limit:g}" if args.rate_limit else "")
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register the operator commands on the ``search`` parser."""
    a = sub.add_parser("audit", parents=[common], help="show the audit log of admin requests")
    a.add_argument("--limit", type=int, default=100)
    a.add_argument("--days", type=float, default=None, help="only the last N days")
    a.add_argument("--actor", default=None, help="only this key id")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_audit)

    k = sub.add_parser("keys", help="API keys")
    ksub = k.add_subparsers(dest="keys_command", required=True)
    n = ksub.add_parser("new", help="make a random API key and print its configuration entry")
    n.add_argument("id", help="the key's id (names it in the audit log)")
    n.add_argument("--scope", action="append", choices=["search", "events", "admin"], required=True)
    n.add_argument("--rate-limit", type=float, default=None, help="requests per second")
    n.add_argument("--json", action="store_true")
    n.set_defaults(func=cmd_keys_new)
