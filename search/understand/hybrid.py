"""``LanguageModelParser``: the rules parse, improved by a grounded language-model answer when it helps.

Flow of :meth:`LanguageModelParser.parse`:

1. The rules parse runs first (fast, never raises).
2. The mode decides whether to ask the model: ``off`` never, ``fallback`` when the rules'
   confidence is below ``min_confidence``, ``always`` for every non-empty query.
3. The answer comes from the cache, or from the backend in a worker thread with a
   deadline of ``budget_ms``; on timeout, error or an invalid answer the rules parse is
   returned as is (``parser="rules"``). The call itself may run on up to ``call_timeout_ms``
   in the background: an answer that arrives after the deadline is still cached for next time.
4. The answer is grounded (:func:`~search.understand.grounding.ground`). When grounding
   accepts some of the model's typo fixes (``corrected``), the rules parse the corrected
   query instead, and the result carries it in ``corrected``. Then the two are merged:

   * prices: the rules' bounds when they read any (explicit phrases), else the model's;
   * sort: the rules' when not ``relevance``, else the model's;
   * categories: the rules' when they found any, else the model's;
   * brands, product words, exclusions: union, rules first (an excluded brand is no wanted
     brand); attributes: rules win per name;
   * keywords: the rules' keywords plus the model's that add something;
   * ``parser="llm"`` when the rules added nothing to the model's structured fields,
     else ``"llm+rules"``; confidence is the model's (0.9, minus 0.1 per grounding
     correction, at least 0.3), or the larger of both when merged.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from enum import StrEnum
from typing import Any

from search.text.lexicon import Lexicon
from search.text.normalize import normalize
from search.understand.breaker import CircuitBreaker
from search.understand.cache import ParseCache
from search.understand.grounding import (
    PATCH_FIELDS,
    Grounded,
    InvalidAnswer,
    ModelAnswer,
    ground,
    validate_answer,
)
from search.understand.llm import LLMBackend, LLMTimeout
from search.understand.parsed import ParsedQuery, QueryParser
from search.understand.prompt import ANSWER_SCHEMA, PROMPT_VERSION, SYSTEM_PROMPT, user_message
from search.understand.vocab import QueryVocabulary

__all__ = ["COUNTERS", "LLMMode", "LanguageModelParser", "merge", "model_confidence"]

log = logging.getLogger(__name__)

_MAX_MODEL_QUERY = 200
#: What :meth:`LanguageModelParser.stats` counts.
COUNTERS = (
    "queries", "skipped", "calls", "cache_hits", "timeouts", "errors", "rejected", "grounding_corrections",
    "spelling_corrections", "breaker_skips",
)  # fmt: skip


class LLMMode(StrEnum):
    """When the language model is asked."""

    OFF = "off"
    FALLBACK = "fallback"
    ALWAYS = "always"

    @classmethod
    def from_str(cls, value: str | LLMMode) -> LLMMode:
        """Parse a mode name; the error lists the valid ones."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown llm mode {value!r}; expected one of: {valid}") from None


class LanguageModelParser:
    """A :class:`~search.understand.parsed.QueryParser` that asks a language model when the rules are unsure.

    Args:
        rules: The rule-based parser (its parse is the fallback and the base of every merge).
        backend: The language model; None behaves like ``mode="off"``.
        lexicon: Catalog vocabulary for grounding (a prebuilt ``QueryVocabulary`` is accepted too).
        mode: ``off``, ``fallback`` or ``always``.
        budget_ms: Time budget of one model call, cache lookup excluded.
        cache: Parse cache; None disables caching.
        min_confidence: In ``fallback`` mode, the model is asked below this rules confidence.
        max_workers: Concurrent model calls; further calls queue (and time out) behind them.
        call_timeout_ms: How long a model call may run in the background (default twice the
            budget): the caller stops waiting after ``budget_ms``, an answer that arrives
            before ``call_timeout_ms`` still fills the cache for the next identical query.
        breaker: Stops asking a server that keeps timing out or failing (see
            :mod:`search.understand.breaker`); shared by every parser on the same server.
    """

    def __init__(
        self,
        rules: QueryParser,
        backend: LLMBackend | None,
        lexicon: Lexicon | QueryVocabulary,
        *,
        mode: str | LLMMode = LLMMode.FALLBACK,
        budget_ms: int = 800,
        cache: ParseCache | None = None,
        min_confidence: float = 0.7,
        max_workers: int = 4,
        call_timeout_ms: int | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        if budget_ms <= 0:
            raise ValueError(f"budget_ms must be positive, got {budget_ms}")
        self.call_timeout_ms = max(budget_ms, call_timeout_ms or 2 * budget_ms)
        self.rules = rules
        self.backend = backend
        if isinstance(lexicon, QueryVocabulary):
            self.vocabulary = lexicon
        else:  # the rules parser's vocabulary when it has one: one vocabulary per build
            found = getattr(rules, "vocabulary", None)
            self.vocabulary = found if isinstance(found, QueryVocabulary) else QueryVocabulary.from_lexicon(lexicon)
        self.mode = LLMMode.from_str(mode)
        self.budget_ms = budget_ms
        self.cache = cache
        self.min_confidence = min_confidence
        self.model_id = f"{getattr(backend, 'model_id', type(backend).__name__)}@{PROMPT_VERSION}"
        self._executor = ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="llm-parse")
        self._lock = threading.Lock()
        self._counters = dict.fromkeys(COUNTERS, 0)
        self.breaker = breaker

    # ------------------------------------------------------------------ public
    def parse(self, text: str) -> ParsedQuery:
        """Parse one query. Never raises (see the module docstring for the flow)."""
        try:
            return self._parse(text)
        except Exception:  # the last safety net: a search must never fail on parsing
            log.exception("llm parser failed; using the rules parse")
            self._count("errors")
            return self._rules_parse(text)

    def stats(self) -> dict[str, int]:
        """Counters for metrics (:data:`COUNTERS`): queries parsed, skipped (model not asked),
        calls (model asked), cache_hits, timeouts, errors, rejected (invalid answers) and
        grounding_corrections (changes grounding made)."""
        with self._lock:
            return dict(self._counters)

    def close(self) -> None:
        """Stop the worker threads (queued calls are cancelled)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ steps
    def _parse(self, text: str) -> ParsedQuery:
        text = text if isinstance(text, str) else ("" if text is None else str(text))
        self._count("queries")
        rules = self._rules_parse(text)
        norm = normalize(text)
        if not self._should_ask(rules, norm):
            self._count("skipped")
            return rules
        answer = self._answer(norm[:_MAX_MODEL_QUERY])
        if answer is None:
            return rules
        grounded = ground(answer, norm, self.vocabulary)
        self._count("grounding_corrections", len(grounded.corrections))
        if grounded.corrected is not None:
            # the model fixed a typo the grounding accepted: the rules read the corrected query
            self._count("spelling_corrections")
            fixed = self._rules_parse(grounded.corrected)  # which may correct further
            rules = fixed.model_copy(update={"text": text, "corrected": fixed.corrected or grounded.corrected})
        return merge(rules, grounded)

    def _rules_parse(self, text: Any) -> ParsedQuery:
        text = text if isinstance(text, str) else ("" if text is None else str(text))
        try:
            return self.rules.parse(text)
        except Exception:
            log.exception("rules parser raised")
            try:
                norm = normalize(text)
            except Exception:
                norm = ""
            return ParsedQuery(text=text, normalized=norm, keywords=[norm] if norm else [], confidence=0.0)

    def _should_ask(self, rules: ParsedQuery, norm: str) -> bool:
        if self.backend is None or self.mode is LLMMode.OFF or not norm.strip():
            return False
        return self.mode is LLMMode.ALWAYS or rules.confidence < self.min_confidence

    def _answer(self, query: str) -> ModelAnswer | None:
        if self.cache is not None:
            cached = self.cache.get(query, self.model_id)
            if cached is not None:
                try:
                    answer = validate_answer(cached)
                except InvalidAnswer:
                    answer = None
                if answer is not None:
                    self._count("cache_hits")
                    return answer
        breaker = self.breaker
        if breaker is not None and not breaker.allow():  # the server keeps failing: the rules' parse at once
            self._count("breaker_skips")
            return None
        self._count("calls")
        future: Future[ModelAnswer] = self._executor.submit(self._call, query)
        answer, failed = None, False
        try:
            answer = future.result(timeout=self.budget_ms / 1000)
        except (FutureTimeout, LLMTimeout):
            future.cancel()
            self._count("timeouts")
            failed = True
        except InvalidAnswer as exc:  # the server answered, with something unusable
            log.info("model answer rejected: %s", exc)
            self._count("rejected")
        except Exception as exc:
            log.warning("model call failed: %s: %s", type(exc).__name__, exc)
            self._count("errors")
            failed = True
        if breaker is not None and failed:
            breaker.failure()
        elif breaker is not None:
            breaker.success()
        return answer

    def _call(self, query: str) -> ModelAnswer:
        assert self.backend is not None
        timeout_s = self.call_timeout_ms / 1000
        raw = self.backend.complete_json(SYSTEM_PROMPT, user_message(query), ANSWER_SCHEMA, timeout_s)
        answer = validate_answer(raw)
        if self.cache is not None:
            self.cache.put(query, self.model_id, answer.to_dict())
        return answer

    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counters[name] += n


def model_confidence(grounded: Grounded) -> float:
    """Confidence in a grounded answer: 0.9 minus 0.1 per correction, at least 0.3."""
    return max(0.3, 0.9 - 0.1 * len(grounded.corrections))


def merge(rules: ParsedQuery, grounded: Grounded) -> ParsedQuery:
    """Apply a grounded model answer, a patch, to the rules parse (policy in the module docstring)."""
    model = {name: grounded.value(name) for name in PATCH_FIELDS}
    rule_price = rules.price_min is not None or rules.price_max is not None
    exclude = _union(rules.exclude, model["exclude"])
    fields: dict[str, Any] = {
        "brands": [b for b in _union(rules.brands, model["brands"]) if b not in exclude],
        "categories": list(rules.categories or model["categories"]),
        "product_words": _union(rules.product_words, model["product_words"]),
        "price_min": rules.price_min if rule_price else model["price_min"],
        "price_max": rules.price_max if rule_price else model["price_max"],
        "attributes": {**model["attributes"], **rules.attributes},
        "exclude": exclude,
        "sort": rules.sort if rules.sort != "relevance" else model["sort"],
    }
    joined = " ".join(rules.keywords)
    extra = [k for k in model["keywords"] if k not in joined and not any(k in e for e in exclude)]
    # "llm" when the rules added nothing to the model's structured fields
    same = all(_same(value, model[name]) for name, value in fields.items())
    confidence = model_confidence(grounded)
    return ParsedQuery.model_validate(
        {
            **rules.model_dump(),
            **fields,
            "keywords": _union(rules.keywords, extra),
            "parser": "llm" if same else "llm+rules",
            "confidence": confidence if same else max(confidence, rules.confidence),
        }
    )


def _union(first: Any, second: Any) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return set(a) == set(b)
    return bool(a == b)
