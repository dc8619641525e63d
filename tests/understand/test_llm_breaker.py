"""The language-model circuit breaker: a hung server is skipped after a few timeouts, then tried again."""

from __future__ import annotations

import time

import pytest

from search.understand.breaker import CircuitBreaker
from search.understand.hybrid import LanguageModelParser
from search.understand.llm import OpenAIChatBackend
from tests.understand.test_llm_parser import LEX, ScriptedServer, StandInRules, answer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_states():
    clock = Clock()
    b = CircuitBreaker(failures=3, window_s=10, cooldown_s=30, clock=clock)
    b.failure()
    b.failure()
    clock.now += 11  # the first two fall out of the window
    b.failure()
    assert b.allow() and b.status().state == "closed" and b.status().recent_failures == 1
    b.failure()
    b.failure()
    assert not b.allow() and b.status().state == "open" and b.status().opened == 1
    clock.now += 30
    assert b.status().state == "half_open"
    assert b.allow() and not b.allow()  # one trial call only
    b.failure()  # the trial failed: another cool-down
    assert not b.allow() and b.status().opened == 2
    clock.now += 30
    assert b.allow()
    b.success()
    assert b.status().state == "closed" and b.allow() and b.allow()


@pytest.fixture
def hung():
    srv = ScriptedServer()
    yield srv
    srv.close()


def test_a_hung_server_is_skipped_after_a_few_timeouts(hung):
    clock = Clock()
    breaker = CircuitBreaker(failures=3, window_s=60, cooldown_s=30, clock=clock)
    backend = OpenAIChatBackend(hung.url, "test-model")
    parser = LanguageModelParser(StandInRules(), backend, LEX, mode="fallback", budget_ms=150, breaker=breaker)
    queries = [f"送给妈妈的生日礼物{i}" for i in range(8)]
    for q in queries:
        hung.script[q] = {"sleep": 5, "answer": answer()}
    took = []
    for q in queries:
        t = time.perf_counter()
        parsed = parser.parse(q)
        took.append(time.perf_counter() - t)
        assert parsed.parser == "rules"
    stats = parser.stats()
    assert stats["calls"] == 3 and stats["timeouts"] == 3 and stats["breaker_skips"] == 5
    assert min(took[:3]) >= 0.14  # the first three paid the budget ...
    assert max(took[3:]) < 0.05  # ... the rest had the rules' parse at once
    assert breaker.status().state == "open"
    # after the cool-down one trial call goes through; the server answers now, so the breaker closes
    clock.now += 31
    hung.script["面霜"] = {"answer": answer(product_words=["面霜"])}
    parser.parse("面霜")
    assert parser.stats()["calls"] == 4
    assert breaker.status().state == "closed"
    parser.close()
