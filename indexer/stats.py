"""``indexer stats``: what the live index holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search.store.base import Filter
from search.store.layout import DataDir, dir_size, read_manifest


def index_stats(data_dir: Path) -> dict[str, Any]:
    """Counts, vocabulary sizes, BM25 statistics and sizes on disk of the live build."""
    from search.index import open_build

    data = DataDir(data_dir)
    build = data.require_build()
    manifest = read_manifest(build)
    handle = open_build(build)
    store = handle.store
    try:
        points = store.count()
        with_price = store.count(Filter(price_min=0.0))
        brands = len(store.facet("brand", None, limit=1_000_000))
        categories = len(store.facet("category", None, limit=1_000_000))
    finally:
        handle.close()
    cache = data.cache_dir / "embeddings.sqlite"
    return {
        "build": build.name,
        "created_at": manifest["created_at"],
        "kind": manifest["kind"],
        "catalog": manifest["catalog"],
        "products": points,
        "rejected_last_run": manifest["rejected"],
        "with_price": with_price,
        "brands": brands,
        "categories": categories,
        "dense": manifest["dense"],
        "lexical": {
            name: {
                "vocabulary": s["vocabulary"],
                "avgdl": round(s["total_length"] / s["n_docs"], 3) if s["n_docs"] else 0.0,
                "documents": s["n_docs"],
            }
            for name, s in manifest["lexical"].items()
        },
        "disk_bytes": {
            "index": dir_size(build),
            "store": manifest.get("store", {"backend": "edge"}),
            "all_builds": dir_size(data.builds_dir),
            "embedding_cache": cache.stat().st_size if cache.exists() else 0,
        },
        "builds": sorted(p.name for p in data.builds_dir.iterdir() if p.is_dir()),
    }
