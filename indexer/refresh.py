"""``indexer refresh``: bring the live index up to date with a changed catalog.

Products are compared by content hash. New and changed products are embedded
(through the embedding cache) and upserted; products missing from the catalog
are deleted only with ``--delete-missing``. BM25 statistics stay exact: Qdrant
computes IDF over the live points itself, and when the average document length
or the analyzer's vocabulary changes, every document's sparse vector is
rewritten. The work happens on a private copy of the live shard that is
published atomically, like a build. A refresh with nothing to do changes
nothing (no new build), so running it twice is safe.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from indexer.build import (
    NO_DENSE,
    UPSERT_BATCH,
    analyze_all,
    corpus_stats,
    open_cache,
    prepare_vocabulary,
    publishing,
    seal,
    write_points,
    writing,
)
from indexer.catalog import read_catalog
from indexer.documents import Analyzed, DocumentBuilder, sparse_vectors
from indexer.guard import DEFAULT_MAX_DELETE_SHARE, check_publish, missing_ids
from indexer.progress import Progress
from search.config import Settings
from search.errors import InputError
from search.index import load_build_parts
from search.product import Product
from search.retrieve.embed import Embedder, make_embedder
from search.store.backend import Backend, backend_for_build
from search.store.base import point_key
from search.store.layout import DataDir
from search.suggest.source import write_source as write_suggest_source

_PRODUCT_FIELDS = ("id", "title", "brand", "category", "attributes", "price", "sales")


@dataclass
class RefreshResult:
    """What a refresh did (printed by ``indexer refresh --json``)."""

    added: int
    updated: int
    deleted: int
    unchanged: int
    rejected: int
    missing_kept: int = 0
    #: indexed products whose new row was rejected: they keep their previous version
    rejected_kept: int = 0
    rewritten_sparse: int = 0
    rejects_file: str | None = None
    build: str | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary."""
        return asdict(self)


def refresh_index(
    catalog_path: Path,
    data_dir: Path,
    configs_dir: Path,
    *,
    delete_missing: bool = False,
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE,
    allow_mass_delete: bool = False,
    embedder: Embedder | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> RefreshResult:
    """Refresh the live build from a catalog (see the module docstring)."""
    progress = progress or Progress(enabled=False)
    start = time.perf_counter()
    data = DataDir(data_dir)
    with data.writer_lock():
        live = data.require_build()
        manifest, config, _, old_analyzer = load_build_parts(live)
        backend: Backend = backend_for_build(manifest, settings or Settings())
        with progress.stage("read"):
            catalog = read_catalog(catalog_path)
        reader = backend.open(live)
        try:
            existing = {p["id"]: p for p in reader.payloads(["hash", *_PRODUCT_FIELDS])}
        finally:
            reader.close()
        # a new id whose store key is already another product's would overwrite it
        known_keys = {point_key(pid): pid for pid in existing}
        for product in [p for p in catalog.products if p.id not in existing]:
            other = known_keys.get(point_key(product.id))
            if other is not None:
                catalog.reject(
                    product, f"id {product.id!r} maps to the same store key as indexed {other!r}: rename one"
                )
        rejects_file = catalog.write_rejects(data.rejects_dir)
        incoming = {p.id: p for p in catalog.products}
        added = [p for pid, p in incoming.items() if pid not in existing]
        updated = [p for pid, p in incoming.items() if pid in existing and existing[pid]["hash"] != p.content_hash()]
        unchanged = len(incoming) - len(added) - len(updated)
        rejected_ids = {r.id for r in catalog.rejects if r.id}
        missing = missing_ids(existing, incoming, rejected_ids)
        held = [pid for pid in existing if pid not in incoming and pid in rejected_ids]
        check_publish(
            indexed=len(existing),
            valid_rows=len(incoming),
            rejected_rows=len(catalog.rejects),
            deleting=len(missing) if delete_missing else 0,
            max_delete_share=max_delete_share,
            allow_mass_delete=allow_mass_delete,
        )
        result = RefreshResult(
            added=len(added),
            updated=len(updated),
            deleted=len(missing) if delete_missing else 0,
            unchanged=unchanged,
            rejected=len(catalog.rejects),
            missing_kept=0 if delete_missing else len(missing),
            rejected_kept=len(held),
            rejects_file=str(rejects_file) if rejects_file else None,
        )
        if not added and not updated and not result.deleted:
            progress.log("index is up to date: nothing to refresh")
            result.seconds = round(time.perf_counter() - start, 2)
            return result

        kept_ids = held if delete_missing else [*held, *missing]
        kept = [Product(**{k: existing[pid][k] for k in _PRODUCT_FIELDS}) for pid in kept_ids]
        products = [*incoming.values(), *kept]
        with progress.stage("vocabulary"):
            vocab = prepare_vocabulary(products, config, configs_dir, data_dir)
        builder = DocumentBuilder(vocab.analyzer, vocab.lexicon, config)
        analyzed, vocab.lexicon.terms = analyze_all(builder, products, progress)
        stats = corpus_stats(analyzed, config)
        old_stats = manifest["lexical"]
        same_analysis = vocab.analyzer.user_words_digest() == old_analyzer.user_words_digest()
        same_stats = all(
            abs(stats[n].avgdl - (old_stats[n]["total_length"] / max(old_stats[n]["n_docs"], 1))) < 1e-9
            for n in config.lexical.fields
        )
        changed_ids = {p.id for p in added} | {p.id for p in updated}
        changed = [i for i, p in enumerate(products) if p.id in changed_ids]
        others = [i for i, p in enumerate(products) if p.id not in changed_ids]
        embedder = _embedder(manifest, embedder)
        if embedder is not None:
            embedder.warm_up()
        cache = open_cache(embedder, data.cache_dir / "embeddings.sqlite", config)

        with publishing(data, backend) as version:
            with progress.stage("copy"):
                writer = backend.copy(live, version.path)
            with writing(writer, cache, progress):
                rewrite = not (same_analysis and same_stats)
                pending: list[Analyzed | None] = list(analyzed)
                del analyzed
                computed = write_points(writer, builder, products, pending, changed, stats, embedder, cache, progress)
                if delete_missing:
                    writer.delete(missing)
                if rewrite:
                    with progress.stage("rewrite sparse", total=len(others), unit="products") as advance:
                        for lo in range(0, len(others), UPSERT_BATCH):
                            chunk = others[lo : lo + UPSERT_BATCH]
                            vectors = []
                            for i in chunk:
                                a = pending[i]
                                assert a is not None
                                vectors.append((products[i].id, sparse_vectors(a, config, stats)))
                            writer.set_sparse(vectors)
                            advance(len(chunk))
                    result.rewritten_sparse = len(others)
            with progress.stage("autocomplete"):
                write_suggest_source(version.path, products, vocab.analyzer, vocab.lexicon)
            extra = {"refreshed_from": live.name, "embedded": computed}
            seal(
                version.path,
                vocab,
                backend,
                catalog,
                config,
                stats,
                embedder,
                len(products),
                progress,
                "refresh",
                extra,
            )
    result.build = version.name
    result.seconds = round(time.perf_counter() - start, 2)
    result.timings = dict(progress.timings)
    return result


def _embedder(manifest: dict[str, Any], embedder: Embedder | None) -> Embedder | None:
    """The live build's embedding model (a refresh must not mix models)."""
    spec = manifest["dense"]["model"]
    if spec == NO_DENSE:
        return None
    if embedder is not None:
        if embedder.name != spec:
            raise InputError(f"the index was built with {spec!r}; cannot refresh it with {embedder.name!r}")
        return embedder
    return make_embedder(spec)
