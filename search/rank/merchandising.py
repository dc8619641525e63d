"""Merchandising rules as a ranking step: boost and bury by filter, then hide and pin.

Pure functions over candidates (the rules come from :mod:`search.ops.rules`):

1. :func:`select_rules` picks the rules that apply to this query now;
2. :func:`adjust_scores` adds each ``boost`` (and subtracts each ``bury``) to the scores
   of the candidates it matches, before the pipeline orders them;
3. :func:`arrange` removes hidden products and puts pinned ones at their positions in the
   ordered list (a pinned product the query did not retrieve is inserted from its payload).

Every change is noted per product id, so that ``explain`` names the rule that moved an item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from search.ops.rules import ItemFilter, Rule
from search.rank.candidate import Candidate
from search.store.base import attr_key
from search.text.normalize import normalize

#: notes per product id: ``[{"rule": id, "action": "pin"|"hide"|"boost"|"bury", ...}]``
Notes = dict[str, list[dict[str, Any]]]
BrandResolver = Callable[[str], str | None]


def select_rules(
    rules: Iterable[Rule],
    now: datetime,
    queries: Sequence[str],
    categories: Sequence[str],
    brand_keys: Sequence[str],
    resolve_brand: BrandResolver = lambda _: None,
) -> list[Rule]:
    """The rules active at ``now`` whose match holds for this query and its parsed intent.

    ``queries``: the query as typed and after synonym rewrites (normalised here).
    """
    texts = tuple(dict.fromkeys(normalize(q).strip() for q in queries))
    cats, brands = tuple(categories), tuple(brand_keys)
    return [r for r in rules if r.active(now) and r.matches(texts, cats, brands, resolve_brand)]


def _category(value: str) -> str:
    return "/".join(p.strip() for p in normalize(value).replace(">", "/").split("/") if p.strip())


def filter_matcher(f: ItemFilter, resolve_brand: BrandResolver) -> Callable[[dict[str, Any]], bool]:
    """A predicate on product payloads for one boost/bury filter."""
    brands = {k for b in f.brand for k in (normalize(b), resolve_brand(b)) if k}
    category = _category(f.category) if f.category else None
    attrs = [attr_key(normalize(k), normalize(v)) for k, v in f.attributes.items()]

    def matches(payload: dict[str, Any]) -> bool:
        if brands and brands.isdisjoint(payload.get("brand_keys") or ()):
            return False
        if category is not None and category not in (payload.get("category_path") or ()):
            return False
        if attrs and not set(attrs) <= set(payload.get("attr_keys") or ()):
            return False
        if f.price_min is not None or f.price_max is not None:
            price = payload.get("price")
            if price is None:
                return False
            if (f.price_min is not None and price < f.price_min) or (f.price_max is not None and price > f.price_max):
                return False
        return True

    return matches


def adjust_scores(candidates: Sequence[Candidate], rules: Sequence[Rule], resolve_brand: BrandResolver) -> Notes:
    """Apply the rules' boosts and buries to the candidates' scores (in place)."""
    notes: Notes = {}
    for rule in rules:
        for action, filters, sign in (("boost", rule.boost, 1.0), ("bury", rule.bury, -1.0)):
            for f in filters:
                matches = filter_matcher(f, resolve_brand)
                for c in candidates:
                    if matches(c.payload):
                        key = f"rule:{rule.id}"
                        c.boosts[key] = c.boosts.get(key, 0.0) + sign * f.by
                        c.final += sign * f.by
                        notes.setdefault(c.id, []).append({"rule": rule.id, "action": action, "by": sign * f.by})
    return notes


def pinned_ids(rules: Sequence[Rule]) -> list[str]:
    """Every product the rules pin (the pipeline fetches those it did not retrieve)."""
    return list(dict.fromkeys(pid for r in rules for pid in r.pin))


def arrange(
    ordered: Sequence[Candidate],
    rules: Sequence[Rule],
    pinned_payloads: dict[str, dict[str, Any]],
    notes: Notes | None = None,
) -> tuple[list[Candidate], Notes]:
    """Hide, then pin. The first rule to pin a product or to claim a position wins.

    Args:
        ordered: The candidates in their final order.
        rules: The rules that apply (from :func:`select_rules`).
        pinned_payloads: Payloads of pinned products, for those not among ``ordered``
            (pinned ids missing here and from ``ordered`` are not in the catalog: skipped).
        notes: Notes to add to (from :func:`adjust_scores`).
    """
    notes = {} if notes is None else notes
    hidden: dict[str, str] = {}
    for rule in rules:
        for pid in rule.hide:
            hidden.setdefault(pid, rule.id)
    pins: dict[str, tuple[int, str]] = {}
    taken: set[int] = set()
    for rule in rules:
        for pid, pos in sorted(rule.pin.items(), key=lambda kv: kv[1]):
            if pid in pins or pid in hidden or pos in taken:
                continue
            pins[pid] = (pos, rule.id)
            taken.add(pos)
    if not hidden and not pins:
        return list(ordered), notes
    by_id = {c.id: c for c in ordered}
    rest = [c for c in ordered if c.id not in hidden and c.id not in pins]
    for pid, rule_id in hidden.items():
        if pid in by_id:
            notes.setdefault(pid, []).append({"rule": rule_id, "action": "hide"})
    for pid, (pos, rule_id) in sorted(pins.items(), key=lambda kv: kv[1][0]):
        c = by_id.get(pid)
        if c is None:
            payload = pinned_payloads.get(pid)
            if payload is None:
                continue
            c = Candidate(pid, payload, {})
        at = min(pos - 1, len(rest))
        rest.insert(at, c)
        notes.setdefault(pid, []).append({"rule": rule_id, "action": "pin", "position": at + 1})
    return rest, notes
