"""Facet counts (brand, category, price band) over a set of products. Pure functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any


def price_bands(bounds: Sequence[float]) -> list[tuple[float, float | None]]:
    """``[50, 100]`` -> ``[(0, 50), (50, 100), (100, None)]`` (the last band is open)."""
    edges = [0.0, *bounds]
    return [(edges[i], edges[i + 1] if i + 1 < len(edges) else None) for i in range(len(edges))]


def band_label(lo: float, hi: float | None) -> str:
    """``0-50``, ``50-100``, ``5000+``."""
    return f"{lo:g}+" if hi is None else f"{lo:g}-{hi:g}"


def facet_counts(payloads: Iterable[dict[str, Any]], bounds: Sequence[float], size: int) -> dict[str, list[dict]]:
    """Brand, category and price-band counts over ``payloads``.

    Brands and categories are the ``size`` most frequent values (ties by value);
    every price band is listed, empty ones included, so a front end can render a stable widget.
    """
    brands: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    bands = price_bands(bounds)
    band_counts = [0] * len(bands)
    for p in payloads:
        if p.get("brand"):
            brands[p["brand"]] += 1
        if p.get("category"):
            categories[p["category"]] += 1
        price = p.get("price")
        if price is not None:
            for i, (lo, hi) in enumerate(bands):
                if price >= lo and (hi is None or price < hi):
                    band_counts[i] += 1
                    break

    def top(counter: Counter[str]) -> list[dict]:
        items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
        return [{"value": v, "count": c} for v, c in items]

    return {
        "brand": top(brands),
        "category": top(categories),
        "price": [
            {"value": band_label(lo, hi), "min": lo, "max": hi, "count": n}
            for (lo, hi), n in zip(bands, band_counts, strict=True)
        ],
    }
