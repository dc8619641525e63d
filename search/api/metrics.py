"""Prometheus metrics: request counts and latencies, per-stage latencies, index and parser state.

With several uvicorn workers, ``search serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a
folder shared by the workers and ``/metrics`` aggregates them.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0, 2.5)

REQUESTS = Counter("search_http_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram("search_http_request_seconds", "HTTP request latency", ["route"], buckets=_BUCKETS)
STAGE = Histogram("search_stage_seconds", "Latency of each search pipeline stage", ["stage"], buckets=_BUCKETS)
RESULTS = Histogram("search_results_total", "Results per search", buckets=(0, 1, 5, 10, 50, 100, 200, 500))
ZERO_RESULTS = Counter("search_zero_results_total", "Searches that returned nothing", ["profile"])
PARSER = Counter("search_parser_total", "Queries by the parser that produced the final parse", ["parser"])
EVENTS = Counter("search_events_total", "Behaviour events received", ["event", "outcome"])
RECOMMENDATIONS = Counter("search_recommendations_total", "Recommendation requests", ["endpoint", "source"])
LLM_BREAKER = Gauge(
    "search_llm_breaker_state", "Language-model circuit breaker: 0 closed, 1 half open, 2 open", multiprocess_mode="max"
)
LLM_BREAKER_OPENED = Gauge("search_llm_breaker_opened", "Times the breaker has opened", multiprocess_mode="max")
SEARCH_LOG = Counter("search_log_records_total", "Search-log records by outcome", ["kind", "outcome"])
EVENTS_BUSY = Counter("search_events_busy_total", "POST /events requests refused (429) while the writers were busy")
GATE_REFUSED = Counter(
    "search_gate_refused_total", "Write requests refused before their body was read", ["route", "status"]
)
INDEX_PRODUCTS = Gauge("search_index_products", "Products in the live index", multiprocess_mode="liveall")


def render() -> tuple[bytes, str]:
    """The metrics page (aggregated across workers in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def observe_stages(timings_ms: dict[str, float]) -> None:
    """Record one search's stage timings."""
    for stage, ms in timings_ms.items():
        STAGE.labels(stage).observe(ms / 1000.0)


def count_log(kind: str, outcome: str, n: int) -> None:
    """Search-log records written, dropped (queue full) or failed (database error)."""
    SEARCH_LOG.labels(kind, outcome).inc(n)
