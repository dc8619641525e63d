"""The search pipeline: parse -> filter -> encode -> retrieve -> fuse -> boost -> personalize -> sort -> page.

:class:`SearchEngine` owns the live index (switched when the indexer publishes a
new build, see :mod:`search.live`), the embedder, the profiles and the parsers. ``search`` is the only
entry point the API and the CLI use, so both run exactly the same pipeline.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np

from search.browse import browse_candidates, browse_facets
from search.caches import LRU, ParserCache, ParserFactory
from search.config import Settings
from search.index import IndexHandle, open_build
from search.live import LiveBuild, LiveIndex
from search.ops.snapshot import ConfigHolder
from search.personal.pseudonym import Pseudonymizer
from search.profiles import Profile, ProfileRegistry
from search.rank.adaptive import adapt_weights, query_shape
from search.rank.candidate import Candidate
from search.rank.explain import result_item
from search.rank.facets import facet_counts
from search.rank.fusion import fuse
from search.rank.highlight import highlight, highlight_terms
from search.rank.intent import is_excluded, resolve_intent
from search.rank.merchandising import adjust_scores, arrange, pinned_ids, select_rules
from search.rank.nomatch import assess
from search.rank.personalize import Personalizer
from search.rank.score import order_candidates, score_candidates
from search.replica import catch_up, follower_for
from search.request import SearchRequest, SearchResponse, merge_filters, request_filter
from search.retrieve.bounds import bound_text
from search.retrieve.embed import Embedder, make_embedder
from search.retrieve.filters import intent_filter
from search.retrieve.query import check_sources, complete_scores, lexical_vectors, source_queries, typed_fallback
from search.store.backend import make_backend
from search.store.base import DENSE, RANKING_FIELDS, Filter
from search.store.layout import DataDir
from search.suggest.service import SuggestService
from search.suggest.suggester import Suggester
from search.understand.parsed import ParsedQuery, QueryParser, Sort

log = logging.getLogger(__name__)


class SearchEngine:
    """Runs searches against the live index (see the module docstring).

    Args:
        settings: Infrastructure settings (data dir, reload interval).
        profiles: The relevance profiles.
        index: The opened live build.
        embedder: The query embedder (None for a BM25-only index).
        parser_factory: Builds the query parser for an index and a profile.
        personalizer: Personalized reranking (None: anonymous ranking for everyone).
    """

    def __init__(
        self,
        settings: Settings,
        profiles: ProfileRegistry,
        index: IndexHandle,
        embedder: Embedder | None,
        parser_factory: ParserFactory,
        personalizer: Personalizer | None = None,
    ) -> None:
        self.settings = settings
        self.configs = ConfigHolder(settings, profiles)  # profiles, rules, synonyms, experiments; hot-reloaded
        self._pseudonymize = Pseudonymizer(settings.user_id_secret.get_secret_value())
        self.embedder = embedder
        self._parser_factory = parser_factory
        self._parsers = ParserCache(parser_factory)
        self.personalizer = personalizer
        self._query_vectors = LRU(4096)
        self._suggest = SuggestService(settings.data_dir, settings.reload_interval_s)
        self._follower = follower_for(settings, self.configs.store.db)  # versions shared by other nodes
        self.live = LiveIndex(
            DataDir(settings.data_dir),
            index,
            lambda build: open_build(build, settings),
            settings.reload_interval_s,
            warm=self._warm_build,
            released=self._release_build,
            checked=self._on_check,
        )

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(
        cls, settings: Settings, parser_factory: ParserFactory, personalizer: Personalizer | None = None
    ) -> SearchEngine:
        """Load profiles, the live build and its embedder."""
        profiles = ProfileRegistry.load(settings.configs_dir, settings.default_profile)
        make_backend(settings)  # the configured store answers, else StoreUnavailable names it (before "no index")
        catch_up(settings)  # a new node gets the shared versions (a cluster build, CF model, query log) first
        index = open_build(DataDir(settings.data_dir).require_build(), settings)
        spec = settings.embedder or index.embedder_spec
        embedder = None if spec == "none" else make_embedder(spec, threads=settings.torch_threads)
        return cls(settings, profiles, index, embedder, parser_factory, personalizer)

    @property
    def parser_factory(self) -> ParserFactory:
        """What builds the query parsers (it holds the language-model circuit breaker)."""
        return self._parser_factory

    @property
    def profiles(self) -> ProfileRegistry:
        """The live relevance profiles."""
        return self.configs.current.profiles

    @property
    def index(self) -> IndexHandle:
        """The live index (after a reload check). Hold :meth:`lease` instead to use its store across a request."""
        self.live.poll()
        return self.live.current.handle

    @contextlib.contextmanager
    def lease(self) -> Iterator[IndexHandle]:
        """The live index, kept open until the ``with`` block ends even if a new build goes live meanwhile."""
        self.live.poll()
        with self.live.lease() as build:
            yield build.handle

    def warm_up(self) -> None:
        """Load the embedder, the live build's caches (see :meth:`_warm_build`) and the autocomplete now."""
        if self.embedder is not None:
            self.embedder.warm_up()
        self._warm_build(self.live.current)
        self._suggest.warm_up(self.live.current.handle)

    def reload_if_changed(self, force: bool = False) -> bool:
        """Switch to a newly published build (loaded and warmed before it goes live); True if it did.

        Without ``force`` this checks at most every ``reload_interval_s`` and loads in the background.
        """
        if not force:
            self.live.poll()
            return False
        switched = self.live.reload()
        if switched:
            self._suggest.warm_up(self.live.current.handle)
        return switched

    def _on_check(self) -> None:
        """At each version check: re-read the configuration, then copy versions other nodes shared
        (CF model, cluster build, query log) into the data dir, where the loaders pick them up."""
        try:
            self.configs.poll()
        finally:
            if self._follower is not None:
                self._follower.poll()

    def _warm_build(self, build: LiveBuild) -> None:
        """Everything a first search on this build would otherwise load: the analyzer's dictionary,
        the ranking fields, the landing page's facets, and the default parser with its spelling correctors.

        The query embedder is not run here: it belongs to no build, and a model run from the
        loader's thread starts a second pool of torch worker threads beside the request threads'
        one, which doubled the sequential search p50 on a 2-core machine (``benchmarks.latency``).
        """
        index = build.handle
        index.analyzer.warm_up()
        build.payloads.preload(index.store)
        profile = self.profiles.get(None)
        self._browse_facets(index, Filter(), profile)
        try:
            first = next(iter(index.store.payloads(("title",))), {})
            self.parser(index, profile).parse(str(first.get("title") or "手机")[:32])
        except Exception:  # the build still goes live; its first real search will report the problem
            log.warning("the first query on build %s failed", index.version, exc_info=True)

    def _release_build(self, build: LiveBuild) -> None:
        """A replaced build's last request ended: close its query parsers (unless a build of that name is open)."""
        if all(b.version != build.version for b in self.live.open_builds()):
            self._parsers.drop(build.version)

    def close(self) -> None:
        """Close every open index, the query parsers and the personalizer's stores."""
        self.live.close()
        self._parsers.close()
        self.configs.store.close()
        close = getattr(self.personalizer, "close", None)
        if close is not None:
            close()

    # ------------------------------------------------------------------ helpers
    def parser(self, index: IndexHandle, profile: Profile) -> QueryParser:
        """The query parser for this index and profile (cached)."""
        return self._parsers.get(index, profile)

    def embed_query(self, text: str) -> np.ndarray:
        """The query's dense vector (cached by text)."""
        assert self.embedder is not None
        vec = self._query_vectors.get(text)
        if vec is None:
            vec = self.embedder.embed_queries([text])[0]
            self._query_vectors.put(text, vec)
        return vec

    def suggester(self) -> Suggester:
        """The autocomplete of the live build and query log (see :mod:`search.suggest`)."""
        return self._suggest.get(self.index)

    def product(self, product_id: str) -> dict[str, Any] | None:
        """A product's stored record."""
        with self.lease() as index:
            return index.store.get([product_id])[0]

    request_filter = staticmethod(request_filter)
    merge_filters = staticmethod(merge_filters)

    # ------------------------------------------------------------------ search
    def search(self, req: SearchRequest) -> SearchResponse:
        """Run the pipeline for one request on the build live when it starts. ``KeyError`` for an unknown profile."""
        with self.lease() as index:
            return self._search(req, index)

    def _search(self, req: SearchRequest, index: IndexHandle) -> SearchResponse:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        snap = self.configs.current  # one config for the whole search
        arm = None if req.profile else snap.experiments.assign(req.user_id, req.session_id, self._pseudonymize)
        if arm is not None and arm.profile not in snap.profiles.names():
            arm = None
        profile = snap.profiles.get(req.profile or (arm.profile if arm else None))
        experiment, variant = (arm.experiment, arm.variant) if arm else (None, None)

        def lap(stage: str, since: float) -> float:
            now = time.perf_counter()
            timings[stage] = round((now - since) * 1000, 3)
            return now

        t = time.perf_counter()
        text, rewrites = snap.synonyms.rewrite(bound_text(req.q).strip())
        parsed = (
            self.parser(index, profile).parse(text)
            if text
            else ParsedQuery(text=req.q, normalized="", parser="rules", confidence=1.0)
        )
        intent = resolve_intent(parsed, index.lexicon)
        uses = profile.understanding.intent
        flt = self.merge_filters(self.request_filter(req, index), intent_filter(intent, uses))
        sort: Sort = req.sort or (parsed.sort if uses.sort else "relevance")
        t = lap("parse", t)

        if not parsed.search_text.strip():
            t = time.perf_counter()
            total, items, facets = self._browse(index, profile, req, flt, sort)
            if req.highlight:
                self._highlight(items, index, parsed)
            lap("browse", t)
            took = round((time.perf_counter() - t0) * 1000, 3)
            return SearchResponse(
                req.q, parsed, total, items, facets, took, profile.name, timings, index.version, experiment, variant
            )

        lexical_text, groups = snap.synonyms.expand(parsed.search_text)
        candidates, weights = self._retrieve(index, profile, parsed, flt, timings, lexical_text)
        t = time.perf_counter()
        candidates = (
            [c for c in candidates if not is_excluded(c.payload, intent)] if uses.exclude == "filter" else candidates
        )
        score_candidates(candidates, intent, profile)
        resolve_brand = index.lexicon.resolve_brand
        now = datetime.now(UTC)
        rules = (
            select_rules(snap.rules, now, (req.q, text), intent.categories, intent.brand_keys, resolve_brand)
            if snap.rules
            else []
        )
        notes = adjust_scores(candidates, rules, resolve_brand) if rules else {}
        t = lap("rank", t)
        if req.user_id and self.personalizer is not None and profile.personalization.enabled:
            candidates = self.personalizer.rerank(req.user_id, candidates, profile.personalization)
            t = lap("personalize", t)
        ordered = order_candidates(candidates, sort, profile)
        verdict, related = None, []
        if profile.nomatch.enabled:
            n_docs = int(index.manifest.get("products") or len(self.live.caches(index).payloads) or 1)
            best_first = sorted(candidates, key=lambda c: -c.total)
            verdict = assess(parsed, best_first, index.analyzer, index.lexicon, n_docs, profile.nomatch)
            if not verdict.matched:
                keep = ordered[: profile.nomatch.related]
                related = [result_item(c, req.explain, profile, weights) for c in keep]
                ordered = []
        if rules:
            have = {c.id for c in ordered}
            # a pinned product the query did not retrieve is added, unless the shopper filtered explicitly
            priced = req.price_min is not None or req.price_max is not None
            filtered = priced or bool(req.brands or req.categories or req.attributes)
            missing = [pid for pid in pinned_ids(rules) if pid not in have] if not filtered else []
            found = index.store.get(missing) if missing else []
            ordered, notes = arrange(ordered, rules, {p["id"]: p for p in found if p}, notes)
        facets = facet_counts((c.payload for c in ordered), profile.facets.price_bands, profile.facets.size)
        start = (req.page - 1) * req.size
        page = ordered[start : start + req.size]
        items = [result_item(c, req.explain, profile, weights) for c in page]
        if req.highlight:
            self._highlight(items, index, parsed)
        if req.explain and notes:
            for item in items:
                item["explain"]["rules"] = notes.get(item["id"], [])
        lap("finish", t)
        took = round((time.perf_counter() - t0) * 1000, 3)
        return SearchResponse(
            req.q,
            parsed,
            len(ordered),
            items,
            facets if profile.facets.enabled else {},
            took,
            profile.name,
            timings,
            index.version,
            rules=tuple(r.id for r in rules if any(n["rule"] == r.id for ns in notes.values() for n in ns)),
            synonyms=tuple(rewrites + groups),
            experiment=experiment,
            variant=variant,
            related=related,
            nomatch=verdict.to_dict() if verdict is not None else None,
        )

    @staticmethod
    def _highlight(items: list[dict[str, Any]], index: IndexHandle, parsed: ParsedQuery) -> None:
        """Add ``highlight: {title}`` to each item (see :mod:`search.rank.highlight`)."""
        text = parsed.search_text
        terms = highlight_terms(index.analyzer.analyze(text), parsed.brands, index.lexicon) if text.strip() else []
        for item in items:
            item["highlight"] = {"title": highlight(item.get("title") or "", terms)}

    def _browse(
        self, index: IndexHandle, profile: Profile, req: SearchRequest, flt: Filter, sort: Sort
    ) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
        """An empty query: products by popularity; for a known shopper the popular pool is personalized."""
        total, candidates = browse_candidates(index.store, flt, sort, req, profile, self.personalizer)
        items = [result_item(c, req.explain, profile, {}) for c in candidates]
        return total, items, self._browse_facets(index, flt, profile)

    def _browse_facets(self, index: IndexHandle, flt: Filter, profile: Profile) -> dict[str, Any]:
        """Facets of a browse, kept per build and filter: exact counts over a whole catalog take the
        engine tens of milliseconds, and a build never changes (treat the result as read-only)."""
        cfg = profile.facets
        key = (index.version, flt, cfg.enabled, cfg.size, tuple(cfg.price_bands))
        cache = self.live.caches(index).facets
        facets = cache.get(key)
        if facets is None:
            facets = browse_facets(index.store, flt, profile)
            cache.put(key, facets)
        return cast(dict[str, Any], facets)

    def _retrieve(
        self,
        index: IndexHandle,
        profile: Profile,
        parsed: ParsedQuery,
        flt: Filter,
        timings: dict[str, float],
        lexical_text: str | None = None,
    ) -> tuple[list[Candidate], dict[str, float]]:
        sources = profile.active_sources()
        check_sources(list(sources), index.config, self.embedder is not None)
        text = parsed.search_text
        t = time.perf_counter()
        lexical_names = [n for n in sources if n != DENSE]
        analysis = index.analyzer.analyze(text)
        lexical = lexical_vectors(index.analyzer, index.config, lexical_text or text, lexical_names)
        shape = query_shape(
            analysis.normalized,
            analysis.words,
            analysis.models,
            parsed.brands,
            profile.adaptive.descriptive_min_words,
        )
        weights = adapt_weights(
            {n: s.weight for n, s in sources.items()}, shape, profile.adaptive, dense_sources=(DENSE,)
        )
        timings["encode_lexical"] = round((time.perf_counter() - t) * 1000, 3)
        dense = None
        if DENSE in sources:
            t = time.perf_counter()
            dense = self.embed_query(text)
            timings["embed"] = round((time.perf_counter() - t) * 1000, 3)
        t = time.perf_counter()
        queries = source_queries(sources, lexical, dense)
        fallback = (
            typed_fallback(index.analyzer, index.config, parsed.text, sources, weights) if parsed.corrected else None
        )
        if fallback is not None:
            queries.append(fallback[0])
            weights[fallback[0].source] = fallback[1]
        results = index.store.rank(queries, flt)
        timings["retrieve"] = round((time.perf_counter() - t) * 1000, 3)
        # products are point keys until fusion has picked the pool; then their payloads name them
        ranks: dict[int, dict[str, tuple[int | None, float]]] = {}
        scored: dict[str, list[tuple[int, float]]] = {}
        for q, hits in zip(queries, results, strict=True):
            scored[q.source] = hits
            for rank, (key, score) in enumerate(hits, start=1):
                ranks.setdefault(key, {})[q.source] = (rank, score)
        if profile.fusion.complete and profile.fusion.method.value != "rrf" and len(queries) > 1:
            t = time.perf_counter()
            wanted = profile.fusion.complete_sources
            completing = [q for q in queries if not wanted or q.source in wanted]
            complete_scores(index.store, completing, flt, list(ranks), scored, ranks)
            timings["rescore"] = round((time.perf_counter() - t) * 1000, 3)
        t = time.perf_counter()
        fused = fuse(
            profile.fusion.method.value,
            scored,
            weights,
            k=profile.fusion.rrf_k,
            normalize=profile.fusion.normalize,
        )[: profile.pool]
        payloads = self._ranking_payloads(index, [f.id for f in fused])
        candidates = []
        for f in fused:
            payload = payloads.get(f.id)
            if payload is not None:
                candidates.append(Candidate(payload["id"], payload, ranks.get(f.id, {}), f.score, f.contributions))
        timings["fuse"] = round((time.perf_counter() - t) * 1000, 3)
        return candidates, weights

    def _ranking_payloads(self, index: IndexHandle, keys: list[int]) -> dict[int, dict[str, Any]]:
        """The ranking fields of these points: from memory, the rest in one request (then kept)."""
        cache = self.live.caches(index).payloads
        payloads = {k: p for k, p in zip(keys, cache.get_many(keys), strict=True) if p is not None}
        missing = [k for k in keys if k not in payloads]
        if missing:
            fetched = index.store.get_keys(missing, fields=RANKING_FIELDS)
            found = [(k, p) for k, p in zip(missing, fetched, strict=True) if p is not None]
            payloads.update(found)
            cache.put_many(found)
        return payloads
