"""The analytics document of ``GET /admin/analytics`` and ``search analytics``.

Every count comes from an SQL aggregation in :mod:`search.analytics.store`; this module
only turns counts into rates, intervals and the documented shape::

    {"days", "since", "searches", "zero_result_searches", "zero_result_rate", "ctr", "conversion",
     "shoppers", "mean_took_ms",
     "per_day": [{"day", "searches", "zero_result", "clicked"}],
     "top_queries": [{"query", "count", "ctr", "conversion", "zero_result"}],
     "zero_result_queries": [{"query", "count", "example"}],
     "no_click_queries": [{"query", "count"}],
     "ctr_by_position": [float],            # position 1 first
     "positions": [{"position", "shown", "clicks", "ctr"}],
     "suggestions": {"searches", "share", "ctr", "conversion", "by_source": [...]},
     "variants": [{"variant", "profile", "searches", "ctr", "ctr_ci", "conversion", "conversion_ci",
                   "ctr_p_vs_first"}]}

Rates are per search: the share of searches with at least one click (``ctr``) or purchase
(``conversion``) attributed to them through ``search_id``.
"""

from __future__ import annotations

import time
from typing import Any

from search.analytics.stats import two_proportion_p, wilson
from search.analytics.store import SearchLogStore

DEFAULT_DAYS = 30.0
TOP = 20
POSITIONS = 10
#: a query needs this many searches before "never clicked" means something
MIN_SEARCHES_NO_CLICK = 3


def _rate(n: int, d: int) -> float:
    return round(n / d, 4) if d else 0.0


def _ci(n: int, d: int) -> list[float]:
    lo, hi = wilson(n, d)
    return [round(lo, 4), round(hi, 4)]


def analytics(
    store: SearchLogStore,
    days: float = DEFAULT_DAYS,
    now: float | None = None,
    top: int = TOP,
    positions: int = POSITIONS,
    min_searches_no_click: int = MIN_SEARCHES_NO_CLICK,
) -> dict[str, Any]:
    """The analytics of the last ``days`` days."""
    now = time.time() if now is None else now
    since = now - days * 86400.0
    t = store.totals(since)
    out: dict[str, Any] = {
        "days": days,
        "since": since,
        "searches": t["searches"],
        "zero_result_searches": t["zero_result"],
        "zero_result_rate": _rate(t["zero_result"], t["searches"]),
        "ctr": _rate(t["clicked"], t["searches"]),
        "add_to_cart_rate": _rate(t["carted"], t["searches"]),
        "conversion": _rate(t["converted"], t["searches"]),
        "shoppers": t["shoppers"],
        "mean_took_ms": round(t["mean_took_ms"], 2) if t["mean_took_ms"] is not None else None,
    }
    out["per_day"] = [
        {"day": day, "searches": int(n), "zero_result": int(z), "clicked": int(c)}
        for day, n, z, c in store.per_day(since)
    ]
    out["top_queries"] = [
        {
            "query": q,
            "count": int(n),
            "ctr": _rate(c, n),
            "conversion": _rate(b, n),
            "zero_result": int(z),
        }
        for q, n, c, _cart, b, z in store.queries(since, top)
    ]
    out["zero_result_queries"] = [
        {"query": q, "count": int(n), "example": example} for q, n, example in store.zero_result_queries(since, top)
    ]
    out["no_click_queries"] = [
        {"query": q, "count": int(n)}
        for q, n, *_ in store.queries(since, top, min_searches=min_searches_no_click, unclicked=True)
    ]
    by_position = store.clicks_by_position(since, positions)
    out["ctr_by_position"] = [_rate(c, s) for _, s, c in by_position]
    out["positions"] = [{"position": p, "shown": s, "clicks": c, "ctr": _rate(c, s)} for p, s, c in by_position]
    out["suggestions"] = _suggestions(store.by_source(since), t["searches"])
    out["variants"] = _variants(store.by_variant(since))
    return out


def _suggestions(rows: list[tuple[str, int, int, int, int]], searches: int) -> dict[str, Any]:
    by_source = [
        {"source": src, "searches": int(n), "ctr": _rate(c, n), "conversion": _rate(b, n)}
        for src, n, c, _cart, b in rows
    ]
    chosen = next((r for r in rows if r[0] == "suggest"), None)
    n, c, b = (int(chosen[1]), int(chosen[2]), int(chosen[4])) if chosen else (0, 0, 0)
    return {
        "searches": n,
        "share": _rate(n, searches),
        "ctr": _rate(c, n),
        "conversion": _rate(b, n),
        "by_source": by_source,
    }


def _variants(rows: list[tuple[str | None, str, int, int, int, int]]) -> list[dict[str, Any]]:
    """Per variant (and profile): rates with 95% Wilson intervals, and a test against the first variant."""
    rows = sorted(rows, key=lambda r: (r[0] is not None, r[0] or "", r[1]))
    out = []
    first = rows[0] if rows else None
    for variant, profile, n, c, _cart, b in rows:
        entry: dict[str, Any] = {
            "variant": variant,
            "profile": profile,
            "searches": int(n),
            "clicked": int(c),
            "converted": int(b),
            "ctr": _rate(c, n),
            "ctr_ci": _ci(c, n),
            "conversion": _rate(b, n),
            "conversion_ci": _ci(b, n),
        }
        if first is not None and (variant, profile) != (first[0], first[1]):
            p_ctr = two_proportion_p(first[3], first[2], c, n)
            p_conv = two_proportion_p(first[5], first[2], b, n)
            entry["ctr_p_vs_first"] = round(p_ctr, 4) if p_ctr is not None else None
            entry["conversion_p_vs_first"] = round(p_conv, 4) if p_conv is not None else None
        out.append(entry)
    return out
