"""Sorted keys with prefix ranges: the best entries for any prefix without scanning the whole list.

Keys are kept sorted; a prefix is a contiguous range found by two binary searches.
Ranges too long to rank at query time (above ``scan_limit`` keys) have their best
entries computed once, when the index is built, for every such prefix.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

_END = "\U0010ffff"


class PrefixIndex:
    """Entry ids by key prefix, best first (by a fixed score per entry).

    Args:
        pairs: (key, entry id); an entry may have several keys.
        scores: The score of each entry id.
        top: How many entries to keep per precomputed prefix.
        scan_limit: Ranges up to this many keys are ranked when asked.
    """

    def __init__(self, pairs: list[tuple[str, int]], scores: Sequence[float], top: int = 64, scan_limit: int = 256):
        pairs = sorted(set(p for p in pairs if p[0]))
        self.keys = [k for k, _ in pairs]
        self.ids = np.array([i for _, i in pairs], dtype=np.int64)
        self._scores = np.asarray(scores, dtype=np.float64)[self.ids] if len(pairs) else np.zeros(0)
        self.top_n = top
        self.scan_limit = scan_limit
        self._top: dict[str, list[int]] = {}
        self._precompute("", 0, len(self.keys))

    def __len__(self) -> int:
        return len(self.keys)

    def _best(self, lo: int, hi: int, n: int) -> list[int]:
        scores = self._scores[lo:hi]
        part = np.argpartition(-scores, 2 * n)[: 2 * n] if hi - lo > 2 * n else np.arange(hi - lo)
        order = part[np.argsort(-scores[part], kind="stable")]
        return list(dict.fromkeys(int(self.ids[lo + i]) for i in order))[:n]

    def _precompute(self, prefix: str, lo: int, hi: int) -> None:
        # iterative: ranges above the scan limit get their best list, then split by one more character
        stack = [(prefix, lo, hi)]
        while stack:
            prefix, lo, hi = stack.pop()
            if hi - lo <= self.scan_limit:
                continue
            self._top[prefix] = self._best(lo, hi, self.top_n)
            depth = len(prefix) + 1
            i = lo
            while i < hi:
                key = self.keys[i]
                if len(key) < depth:  # the key equal to the prefix itself sorts first
                    i += 1
                    continue
                child = key[:depth]
                j = bisect_left(self.keys, child + _END, i, hi)
                stack.append((child, i, j))
                i = j

    def range(self, prefix: str) -> tuple[int, int]:
        """The key positions starting with ``prefix``."""
        lo = bisect_left(self.keys, prefix)
        return lo, bisect_left(self.keys, prefix + _END, lo)

    def count(self, prefix: str) -> int:
        """How many keys start with ``prefix``."""
        lo, hi = self.range(prefix)
        return hi - lo

    def best(self, prefix: str, n: int) -> list[int]:
        """Up to ``n`` entry ids whose key starts with ``prefix``, best first."""
        top = self._top.get(prefix)
        if top is not None:
            return top[:n]
        lo, hi = self.range(prefix)
        if lo >= hi:
            return []
        return self._best(lo, hi, n)
