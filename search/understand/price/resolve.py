"""Resolution of the phrases found in a query: the longest non-overlapping ones, bounds combined in text order.

Part of :mod:`search.understand.price`; the rules are in its docstring.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from search.understand.parsed import Sort

__all__ = ["Candidate", "merge_bounds", "select_non_overlapping"]


@dataclass(frozen=True)
class Candidate:
    """One matched phrase, before overlap resolution and merging."""

    start: int
    end: int
    confidence: float
    low: float | None = None
    high: float | None = None
    sort: Sort | None = None


def select_non_overlapping(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the longest phrases that do not overlap each other, in text order."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.start))
    starts: list[int] = []
    chosen: list[Candidate] = []
    for c in ordered:
        if c.end <= c.start:
            continue
        index = bisect.bisect_left(starts, c.start)
        if index > 0 and chosen[index - 1].end > c.start:
            continue
        if index < len(chosen) and chosen[index].start < c.end:
            continue
        starts.insert(index, c.start)
        chosen.insert(index, c)
    return chosen


def merge_bounds(chosen: list[Candidate]) -> tuple[float | None, float | None]:
    """Combine the bounds of all price phrases in text order (later phrases win conflicts)."""
    low: float | None = None
    high: float | None = None
    for c in chosen:
        if c.low is None and c.high is None:
            continue
        if c.low is not None and c.high is not None:
            low, high = c.low, c.high
        elif c.low is not None:
            low = c.low
            if high is not None and high < low:
                high = None
        elif c.high is not None:
            high = c.high
            if low is not None and low > high:
                low = None
    return _clean(low), _clean(high)


def _clean(value: float | None) -> float | None:
    """Guard against non-finite or negative values."""
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return value
