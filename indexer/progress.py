"""Progress reporting on stderr (bars on a terminal, a line per stage otherwise)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Progress:
    """Stage timings plus optional tqdm bars, all on stderr."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.timings: dict[str, float] = {}

    def log(self, message: str) -> None:
        """Print a status line to stderr."""
        if self.enabled:
            print(message, file=sys.stderr, flush=True)

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "it") -> Iterator[Callable[[int], None]]:
        """Time a stage; yields an ``advance(n)`` callback that drives a bar when ``total`` is given."""
        start = time.perf_counter()
        bar = None
        if self.enabled and total and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=total, desc=name, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)
        try:
            yield (bar.update if bar is not None else (lambda n: None))
        finally:
            if bar is not None:
                bar.close()
            elapsed = time.perf_counter() - start
            self.timings[name] = round(self.timings.get(name, 0.0) + elapsed, 3)
            suffix = f" ({total} {unit})" if total else ""
            self.log(f"{name}: {elapsed:.1f}s{suffix}")
