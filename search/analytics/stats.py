"""Interval estimates and significance tests (pure functions, no I/O).

- :func:`wilson` — the Wilson score interval of a rate (click-through, conversion). It stays
  inside [0, 1] and behaves with few searches or rates near 0, where the normal
  approximation does not.
- :func:`two_proportion_p` — two-sided p-value that two variants share one rate (pooled z-test).
- :func:`paired_randomization` — two-sided p-value of a paired comparison (two profiles on
  the same queries): the sign of each query's difference is flipped at random; the p-value
  is the share of flips whose mean difference is at least as large as the observed one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: z for a two-sided 95% interval
Z95 = 1.959963984540054


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes / trials`` ((0, 0) without trials)."""
    if trials <= 0:
        return (0.0, 0.0)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def two_proportion_p(s1: int, n1: int, s2: int, n2: int) -> float | None:
    """Two-sided p-value that rates ``s1/n1`` and ``s2/n2`` are equal (None when undefined)."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = abs(s1 / n1 - s2 / n2) / se
    return math.erfc(z / math.sqrt(2))


def paired_randomization(a: Sequence[float], b: Sequence[float], rounds: int = 10_000, seed: int = 0) -> float:
    """Two-sided paired randomisation test of ``mean(b - a) == 0``.

    Args:
        a: Per-query metric of the first system.
        b: The same queries' metric of the second system (same order).
        rounds: Random sign flips drawn.
        seed: Seed of the generator (the result is reproducible).

    Returns:
        The p-value, ``(hits + 1) / (rounds + 1)`` (never 0: the observed assignment counts).
    """
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    diffs = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    if diffs.size == 0 or not np.any(diffs):
        return 1.0
    observed = abs(diffs.mean())
    rng = np.random.default_rng(seed)
    hits = 0
    chunk = max(1, 2_000_000 // diffs.size)  # bounded memory on large judgment sets
    done = 0
    while done < rounds:
        n = min(chunk, rounds - done)
        signs = rng.integers(0, 2, size=(n, diffs.size), dtype=np.int8) * 2 - 1
        means = np.abs(signs @ diffs) / diffs.size
        hits += int(np.count_nonzero(means >= observed - 1e-12))
        done += n
    return (hits + 1) / (rounds + 1)
