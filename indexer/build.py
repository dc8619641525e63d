"""``indexer build``: a complete new index version from a catalog, published atomically."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from indexer.catalog import Catalog, CatalogError, read_catalog
from indexer.documents import Analyzed, DocumentBuilder, field_stats, stored_point
from indexer.progress import Progress
from search.config import IndexConfig, Settings, resolve_config_path
from search.index import make_analyzer, save_analysis
from search.product import Product
from search.replica import share_build
from search.retrieve.bm25 import FieldStats
from search.retrieve.embed import Embedder, EmbeddingCache, embed_passages_cached, make_embedder
from search.store.backend import Backend, make_backend
from search.store.base import IndexWriter
from search.store.layout import BUILD_FORMAT, MANIFEST, DataDir, write_json_atomic
from search.suggest.querylog import QueryLog, log_path
from search.suggest.source import write_source as write_suggest_source
from search.text.analyzer import ChineseAnalyzer
from search.text.dictionaries import load_attributes, load_brands, load_words
from search.text.lexicon import Lexicon
from search.understand.spelling import query_word_counts
from search.versioned import Publication

UPSERT_BATCH = 1000
WRITE_CHUNK = 4096
NO_DENSE = "none"


@dataclass
class BuildResult:
    """What a build did (printed by ``indexer build --json``)."""

    indexed: int
    rejected: int
    rejects_file: str | None
    seconds: float
    build: str
    embedded: int = 0
    embeddings_cached: int = 0
    ignored_fields: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary."""
        return asdict(self)


@dataclass
class Vocabulary:
    """The analyzer and lexicon for one catalog under one config."""

    lexicon: Lexicon
    analyzer: ChineseAnalyzer
    user_words: list[str]
    stopwords: list[str]


def prepare_vocabulary(
    products: Sequence[Product], config: IndexConfig, configs_dir: Path, data_dir: Path | None = None
) -> Vocabulary:
    """Load the dictionary files and build the lexicon and analyzer for ``products``.

    The spelling correctors' query counts come from the shop's past queries: the files of
    ``analysis.query_log`` and the data dir's query log (``indexer queries import``), as it
    stands at this build.
    """
    analysis = config.analysis
    brands = [e for p in analysis.brands for e in load_brands(resolve_config_path(p, configs_dir))]
    words = [w for p in analysis.product_words for w in load_words(resolve_config_path(p, configs_dir))]
    synonyms: dict[str, list[tuple[str, ...]]] = {}
    for p in analysis.attributes:
        for name, groups in load_attributes(resolve_config_path(p, configs_dir)).items():
            synonyms.setdefault(name, []).extend(groups)
    stopwords = [w for p in analysis.stopwords for w in load_words(resolve_config_path(p, configs_dir))]
    lexicon = Lexicon.build(products, brands, words, synonyms)
    lexicon.count_latin(p.title for p in products)
    user_words = lexicon.user_words()
    analyzer = make_analyzer(analysis, user_words, stopwords)
    log = [q for p in analysis.query_log for q in load_words(resolve_config_path(p, configs_dir))]
    log.extend(shop_queries(data_dir))
    if log:
        lexicon.query_terms = query_word_counts(log, analyzer)
    return Vocabulary(lexicon, analyzer, user_words, stopwords)


def shop_queries(data_dir: Path | None) -> list[str]:
    """The distinct queries of a data dir's query log (none when it has no log)."""
    if data_dir is None or not log_path(data_dir).is_file():
        return []
    log = QueryLog.open(data_dir)
    try:
        return [query for query, _ in log.counts()]
    finally:
        log.close()


def analyze_all(
    builder: DocumentBuilder, products: Sequence[Product], progress: Progress
) -> tuple[list[Analyzed], dict[str, int]]:
    """Analyse every product; also count, per title word, how many titles contain it (for spelling)."""
    builder.analyzer.warm_up()
    terms: Counter[str] = Counter()
    with progress.stage("analyze", total=len(products), unit="products") as advance:
        analyzed = []
        for i, product in enumerate(products, start=1):
            a, title_words = builder.analyze(product)
            analyzed.append(a)
            terms.update(set(title_words))
            if i % 500 == 0:
                advance(500)
        advance(len(products) % 500)
    return analyzed, dict(terms)


def corpus_stats(analyzed: Sequence[Analyzed], config: IndexConfig) -> dict[str, FieldStats]:
    """Statistics of every lexical field."""
    return {name: field_stats(list(analyzed), name) for name in config.lexical.fields}


def open_cache(embedder: Embedder | None, cache_path: Path, config: IndexConfig) -> EmbeddingCache | None:
    """The embedding cache (None without a dense side or with ``dense.cache: false``)."""
    if embedder is None or not config.dense.cache:
        return None
    return EmbeddingCache(cache_path, embedder.name, embedder.dim)


def write_points(
    writer: IndexWriter,
    builder: DocumentBuilder,
    products: Sequence[Product],
    analyzed: list[Analyzed | None],
    positions: Sequence[int],
    stats: dict[str, FieldStats],
    embedder: Embedder | None,
    cache: EmbeddingCache | None,
    progress: Progress,
) -> int:
    """Embed and upsert the products at ``positions``, chunk by chunk; return how many vectors were computed.

    Each chunk's analysis is released once written (``analyzed[i] = None``), so memory
    falls as the build proceeds. Embedding and writing times go to the ``embed`` and
    ``write`` stages.
    """
    config = builder.config
    computed = 0
    embed_s = 0.0
    with progress.stage("write", total=len(positions), unit="products") as advance:
        for lo in range(0, len(positions), WRITE_CHUNK):
            chunk = positions[lo : lo + WRITE_CHUNK]
            vectors = None
            if embedder is not None:
                t = time.perf_counter()
                texts = [builder.dense_text(products[i]) for i in chunk]
                vectors, n = embed_passages_cached(embedder, texts, cache, batch_size=config.dense.batch_size)
                computed += n
                embed_s += time.perf_counter() - t
            points = []
            for j, i in enumerate(chunk):
                a = analyzed[i]
                assert a is not None
                product = products[i]
                dense = vectors[j] if vectors is not None else None
                points.append(stored_point(product.id, builder.payload(product), a, config, stats, dense))
                analyzed[i] = None
            for start in range(0, len(points), UPSERT_BATCH):
                writer.upsert(points[start : start + UPSERT_BATCH])
            advance(len(chunk))
    if embedder is not None:
        progress.timings["embed"] = round(progress.timings.get("embed", 0.0) + embed_s, 3)
        progress.timings["write"] = round(progress.timings["write"] - embed_s, 3)
        progress.log(f"  of which embedding: {embed_s:.1f}s ({computed} computed, {len(positions) - computed} cached)")
    return computed


def seal(
    build: Path,
    vocab: Vocabulary,
    backend: Backend,
    catalog: Catalog,
    config: IndexConfig,
    stats: dict[str, FieldStats],
    embedder: Embedder | None,
    products: int,
    progress: Progress,
    kind: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write a build's analysis files and, last, its manifest: the build is then complete and can be published."""
    save_analysis(build, vocab.user_words, vocab.stopwords, vocab.lexicon)
    manifest = {
        "format": BUILD_FORMAT,
        "kind": kind,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "catalog": str(catalog.path),
        "products": products,
        "rejected": len(catalog.rejects),
        "index_config": config.model_dump(mode="json"),
        "lexical": {name: asdict(s) for name, s in stats.items()},
        "dense": {"model": embedder.name if embedder else NO_DENSE, "dim": embedder.dim if embedder else 0},
        "store": backend.describe(build),
        "timings": progress.timings,
        **(extra or {}),
    }
    write_json_atomic(build / MANIFEST, manifest)


def publishing(data: DataDir, backend: Backend) -> contextlib.AbstractContextManager[Publication]:
    """A new build of ``data`` (call under its writer lock), published with the backend's hooks.

    The block fills ``version.path``; when it ends cleanly the build goes live and old builds
    are removed, when it raises the partial build (and the backend's side of it) is discarded.
    """

    def published(final: Path) -> None:
        backend.published(final)
        share_build(Settings(), final)  # a cluster build's files reach every API node through a shared database

    return data.builds.publishing(discard=backend.discard, published=published)


@contextlib.contextmanager
def writing(writer: IndexWriter, cache: EmbeddingCache | None, progress: Progress) -> Iterator[IndexWriter]:
    """Finish (optimize) ``writer`` when the block ends cleanly, abort it otherwise; close ``cache`` either way."""
    try:
        yield writer
        with progress.stage("optimize"):
            writer.finish()
    except BaseException:
        writer.abort()
        raise
    finally:
        if cache is not None:
            cache.close()


def resolve_embedder(config: IndexConfig, embedder: Embedder | None) -> Embedder | None:
    """The embedder to build with: the one given, else the config's (None for ``dense.model: none``)."""
    if embedder is not None:
        return embedder
    if config.dense.model == NO_DENSE:
        return None
    return make_embedder(config.dense.model)


def build_index(
    catalog_path: Path,
    data_dir: Path,
    config: IndexConfig,
    configs_dir: Path,
    *,
    embedder: Embedder | None = None,
    backend: Backend | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Index a catalog into a new build and publish it.

    The previous build keeps serving until the new one is complete; any failure
    (or Ctrl-C) discards the partial build and leaves the data directory as it was.
    """
    progress = progress or Progress(enabled=False)
    start = time.perf_counter()
    data = DataDir(data_dir)
    backend = backend or make_backend(Settings(), config.store)
    with progress.stage("read"):
        catalog = read_catalog(catalog_path)  # before the lock: a missing catalog leaves no trace in data_dir
    embedder = resolve_embedder(config, embedder)
    with data.writer_lock():
        rejects_file = catalog.write_rejects(data.rejects_dir)
        if catalog.rejects:
            progress.log(f"{len(catalog.rejects)} rows rejected, see {rejects_file}")
        products = catalog.products
        if not products:
            raise CatalogError(
                f"{catalog_path}: no valid products ({len(catalog.rejects)} rows rejected); index unchanged"
            )
        with progress.stage("vocabulary"):
            vocab = prepare_vocabulary(products, config, configs_dir, data_dir)
        builder = DocumentBuilder(vocab.analyzer, vocab.lexicon, config)
        analyzed, vocab.lexicon.terms = analyze_all(builder, products, progress)
        stats = corpus_stats(analyzed, config)
        if embedder is not None:
            embedder.warm_up()
        cache = open_cache(embedder, data.cache_dir / "embeddings.sqlite", config)

        with publishing(data, backend) as version:
            writer = backend.create(
                version.path, embedder.dim if embedder else 1, list(config.lexical.fields), config.store
            )
            with writing(writer, cache, progress):
                pending: list[Analyzed | None] = list(analyzed)
                del analyzed  # write_points releases each product's analysis once written
                computed = write_points(
                    writer, builder, products, pending, range(len(products)), stats, embedder, cache, progress
                )
            with progress.stage("autocomplete"):
                write_suggest_source(version.path, products, vocab.analyzer, vocab.lexicon)
            seal(version.path, vocab, backend, catalog, config, stats, embedder, len(products), progress, "build")
    return BuildResult(
        indexed=len(products),
        rejected=len(catalog.rejects),
        rejects_file=str(rejects_file) if rejects_file else None,
        seconds=round(time.perf_counter() - start, 2),
        build=version.name,
        embedded=computed,
        embeddings_cached=len(products) - computed if embedder is not None else 0,
        ignored_fields=dict(catalog.ignored_fields),
        timings=dict(progress.timings),
    )
