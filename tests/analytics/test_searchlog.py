"""The search log's queue and writer: never blocks or fails a search, counts what it drops, pseudonymises."""

from __future__ import annotations

import threading
import time

import pytest

from search.analytics.searchlog import LoggedEvent, LoggedSearch, SearchLog, parsed_summary
from search.analytics.stats import paired_randomization, two_proportion_p, wilson
from search.analytics.store import SearchLogStore
from search.personal.pseudonym import Pseudonymizer
from search.understand.parsed import ParsedQuery

PSEUDO = Pseudonymizer("test-secret")


def logged(sid: str, user: str | None = "alice", q: str = "ＶＩＶＯ 手机", total: int = 3) -> LoggedSearch:
    parsed = ParsedQuery(text=q, normalized=q.lower(), keywords=["手机"], brands=["vivo"], parser="rules")
    ids = [f"P{i}" for i in range(min(total, 10))]
    return LoggedSearch(sid, time.time(), user, q, parsed, "hybrid", None, None, 1, 10, ids, total, 4.2)


class StuckStore(SearchLogStore):
    """A database that hangs (a lock held elsewhere) until released."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.release = threading.Event()

    def write(self, searches, events) -> None:
        self.release.wait(10)
        super().write(searches, events)


class BrokenStore(SearchLogStore):
    def write(self, searches, events) -> None:
        raise OSError("disk I/O error")


def test_records_are_written_pseudonymised_and_summarised(tmp_path):
    store = SearchLogStore(tmp_path / "log.sqlite")
    slog = SearchLog(store, PSEUDO).start()
    assert slog.search(logged("s1"))
    slog.events([LoggedEvent("s1", 2, "P1", "click", "alice", time.time())])
    assert slog.flush()
    row = store.search("s1")
    assert row["shopper"] == PSEUDO("alice") and "alice" not in str(row)
    assert row["norm"] == "vivo 手机"  # width and case normalised: what analytics groups by
    assert row["top_ids"] == '["P0", "P1", "P2"]' and row["shown"] == 3 and row["first_position"] == 1
    assert store.counts() == {"searches": 1, "events": 1}
    assert slog.counters.written == 2
    assert slog.forget("alice") == 1
    assert store.counts() == {"searches": 0, "events": 0}
    slog.close()


def test_a_full_queue_drops_and_counts_without_blocking(tmp_path):
    store = StuckStore(tmp_path / "log.sqlite")
    outcomes: list[tuple[str, str, int]] = []
    slog = SearchLog(store, PSEUDO, queue_size=5, on_outcome=lambda *a: outcomes.append(a)).start()
    slog.search(logged("first"))
    time.sleep(0.1)  # the writer took it and is stuck in the database
    t0 = time.perf_counter()
    accepted = [slog.search(logged(f"s{i}")) for i in range(20)]
    assert time.perf_counter() - t0 < 0.05  # never waits for the database
    assert accepted.count(True) == 5 and slog.counters.dropped == 15
    assert ("search", "dropped", 1) in outcomes
    store.release.set()
    assert slog.flush()
    assert store.counts()["searches"] == 6
    slog.close()


def test_a_failing_database_never_raises_into_the_caller(tmp_path, caplog):
    slog = SearchLog(BrokenStore(tmp_path / "log.sqlite"), PSEUDO).start()
    assert slog.search(logged("s1"))
    assert slog.flush()
    assert slog.counters.failed == 1 and slog.counters.written == 0
    assert "not written" in caplog.text
    assert slog.search(logged("s2")) and slog.flush()  # the writer carries on
    slog.close()


def test_retention_purges_old_rows(tmp_path):
    store = SearchLogStore(tmp_path / "log.sqlite")
    slog = SearchLog(store, PSEUDO, retention_days=1).start()
    slog.search(logged("s1"))
    slog.flush()
    assert slog.purge(now=time.time() + 2 * 86400) == {"searches": 1, "events": 0}
    slog.close()


def test_parsed_summary_keeps_only_found_intent():
    p = ParsedQuery(text="x", normalized="x", keywords=["x"], brands=["vivo"], price_max=100.0, parser="rules")
    assert parsed_summary(p) == '{"keywords":["x"],"brands":["vivo"],"price_max":100.0,"parser":"rules"}'


# ---------------------------------------------------------------------------- statistics


def test_wilson_interval_matches_the_textbook_values():
    lo, hi = wilson(40, 100)
    assert lo == pytest.approx(0.3094, abs=1e-4) and hi == pytest.approx(0.4980, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(0, 0) == (0.0, 0.0)


def test_two_proportion_test():
    assert two_proportion_p(50, 1000, 50, 1000) == pytest.approx(1.0)
    assert two_proportion_p(50, 1000, 90, 1000) < 0.001
    assert two_proportion_p(1, 0, 1, 1) is None


def test_paired_randomization_separates_a_real_difference_from_noise():
    rng = __import__("numpy").random.default_rng(1)
    a = rng.random(200)
    assert paired_randomization(a, a + 0.05, rounds=2000) < 0.01
    noise = a + rng.normal(0, 0.05, 200)
    noise = noise - (noise - a).mean()  # mean difference exactly 0
    assert paired_randomization(a, noise, rounds=2000) > 0.5
    assert paired_randomization(a, a) == 1.0
    b = a + 0.05
    assert paired_randomization(a, b, rounds=500, seed=3) == paired_randomization(a, b, rounds=500, seed=3)
