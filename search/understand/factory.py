"""Builds the query parser a profile asks for, over the live index's vocabulary.

The rule parser (and its spelling corrector) is built once per index build; with
``understanding.llm`` set to ``fallback`` or ``always`` and a language-model server
configured (``SEARCH_LLM_URL``, ``SEARCH_LLM_MODEL``), it is wrapped in a
:class:`~search.understand.hybrid.LanguageModelParser` under the profile's time budget.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from search.config import Settings
from search.profiles import Profile
from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon
from search.understand.breaker import CircuitBreaker
from search.understand.parsed import QueryParser

log = logging.getLogger(__name__)


class Build(Protocol):
    """What a parser needs of an index build (``search.index.IndexHandle`` has it): the
    vocabulary and analyzer the index was made with, and the build's name to cache by."""

    @property
    def version(self) -> str: ...

    @property
    def lexicon(self) -> Lexicon: ...

    @property
    def analyzer(self) -> ChineseAnalyzer: ...


class ParserFactory:
    """Callable ``(index, profile) -> QueryParser`` used by the search engine (it caches per profile)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._rules: dict[tuple[str, bool], QueryParser] = {}
        self._vocabularies: dict[str, object] = {}
        self._backend = None
        self._cache = None
        self.breaker: CircuitBreaker | None = None
        self._warned = False

    def rules(self, index: Build, spelling: bool) -> QueryParser:
        """The rule parser for an index build (with or without spelling correction)."""
        from search.understand.rules import RuleParser, correctors

        key = (index.version, spelling)
        with self._lock:
            parser = self._rules.get(key)
            if parser is None:
                corrector = correctors(index.lexicon, index.analyzer) if spelling else None
                vocabulary = self._vocabulary(index)
                parser = RuleParser(index.lexicon, index.analyzer, spelling=corrector, vocabulary=vocabulary)
                self._rules = {k: v for k, v in self._rules.items() if k[0] == index.version}
                self._rules[key] = parser
            return parser

    def _vocabulary(self, index: Build):
        """The one query vocabulary of a build, shared by its rule parsers and grounding (under the lock)."""
        from search.understand.vocab import QueryVocabulary

        cached = self._vocabularies.get(index.version)
        if cached is None:
            cached = QueryVocabulary.from_lexicon(index.lexicon)
            self._vocabularies = {index.version: cached}
        return cached

    def backend(self):
        """The OpenAI-compatible backend from settings, or None when none is configured."""
        with self._lock:
            if self._backend is None and self.settings.llm_url and self.settings.llm_model:
                from search.understand.llm import OpenAIChatBackend

                key = self.settings.llm_api_key.get_secret_value() if self.settings.llm_api_key else None
                self._backend = OpenAIChatBackend(self.settings.llm_url, self.settings.llm_model, key)
                self.breaker = CircuitBreaker(
                    self.settings.llm_breaker_failures,
                    self.settings.llm_breaker_window_s,
                    self.settings.llm_breaker_cooldown_s,
                )
            return self._backend

    def cache(self):
        """The parse cache under the data dir."""
        with self._lock:
            if self._cache is None:
                from search.understand.cache import ParseCache

                path = self.settings.data_dir / "cache" / "parse.sqlite"
                path.parent.mkdir(parents=True, exist_ok=True)
                self._cache = ParseCache(path)
            return self._cache

    def close(self) -> None:
        """Close the language-model backend's HTTP client and the parse cache (made again on next use)."""
        with self._lock:
            backend, cache = self._backend, self._cache
            self._backend = self._cache = None
        for resource in (backend, cache):
            if resource is not None:
                resource.close()

    def __call__(self, index: Build, profile: Profile) -> QueryParser:
        understanding = profile.understanding
        rules = self.rules(index, understanding.spelling)
        if understanding.llm == "off":
            return rules
        backend = self.backend()
        if backend is None:
            if not self._warned:
                log.warning("profile %s asks for a language model but SEARCH_LLM_URL/MODEL are not set", profile.name)
                self._warned = True
            return rules
        from search.understand.hybrid import LanguageModelParser

        return LanguageModelParser(
            rules,
            backend,
            getattr(rules, "vocabulary", None) or index.lexicon,
            mode=understanding.llm,
            budget_ms=understanding.llm_budget_ms,
            cache=self.cache(),
            min_confidence=understanding.min_confidence,
            breaker=self.breaker,
        )
