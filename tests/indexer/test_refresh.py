import json
import re
from pathlib import Path

import pytest

from indexer.refresh import refresh_index
from search.index import open_build
from search.retrieve.bm25 import FieldStats
from search.store.layout import DataDir, NoIndexError, read_manifest


def _rows(catalog):
    return [json.loads(line) for line in catalog.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def changed_catalog(tmp_path, sample_catalog):
    rows = _rows(sample_catalog)
    rows[0]["title"] += " 2025新款"
    rows[1]["price"] = 1.0
    removed = [rows[2]["id"], rows[3]["id"]]
    rows = rows[:2] + rows[4:]
    rows.append({"id": "NEW-1", "title": "雪花秀滋阴生肌精华 60ml", "brand": "Sulwhasoo/雪花秀", "price": 1280})
    return _write(tmp_path / "changed.jsonl", rows), removed, rows


def test_refresh_adds_updates_keeps_missing_and_is_idempotent(sample_data_dir, changed_catalog, configs_dir, embedder):
    path, removed, rows = changed_catalog
    data = DataDir(sample_data_dir)
    first = refresh_index(path, sample_data_dir, configs_dir, embedder=embedder)
    assert (first.added, first.updated, first.deleted, first.missing_kept) == (1, 2, 0, 2)
    assert first.unchanged == len(rows) - 3
    handle = open_build(data.require_build())
    try:
        assert handle.store.count() == len(rows) + 2  # missing products are kept without --delete-missing
        assert handle.store.get(["NEW-1"])[0]["title"].startswith("雪花秀")
        assert handle.store.get([rows[1]["id"]])[0]["price"] == 1.0
    finally:
        handle.close()
    version = data.current_version()
    second = refresh_index(path, sample_data_dir, configs_dir, embedder=embedder)
    assert (second.added, second.updated, second.deleted, second.build) == (0, 0, 0, None)
    assert data.current_version() == version  # nothing changed, no new build


def test_delete_missing_and_exact_bm25_statistics(sample_data_dir, changed_catalog, configs_dir, embedder):
    path, removed, rows = changed_catalog
    data = DataDir(sample_data_dir)
    result = refresh_index(path, sample_data_dir, configs_dir, delete_missing=True, embedder=embedder)
    assert result.deleted == 2
    build = data.require_build()
    handle = open_build(build)
    try:
        assert handle.store.count() == len(rows)
        assert handle.store.get(removed) == [None, None]
        # the manifest's statistics equal a from-scratch computation over the refreshed catalog
        from indexer.build import analyze_all, corpus_stats, prepare_vocabulary
        from indexer.catalog import read_catalog
        from indexer.documents import DocumentBuilder
        from indexer.progress import Progress

        products = read_catalog(path).products
        vocab = prepare_vocabulary(products, handle.config, configs_dir)
        builder = DocumentBuilder(vocab.analyzer, vocab.lexicon, handle.config)
        analyzed, _ = analyze_all(builder, products, Progress(False))
        expected = corpus_stats(analyzed, handle.config)
        manifest = read_manifest(build)
        for name, stats in expected.items():
            got = FieldStats(**manifest["lexical"][name])
            assert got.n_docs == stats.n_docs and got.total_length == pytest.approx(stats.total_length)
    finally:
        handle.close()
    again = refresh_index(path, sample_data_dir, configs_dir, delete_missing=True, embedder=embedder)
    assert (again.added, again.updated, again.deleted) == (0, 0, 0)


def test_refresh_reuses_stored_embeddings(sample_data_dir, changed_catalog, configs_dir, embedder):
    path, _, _ = changed_catalog
    result = refresh_index(path, sample_data_dir, configs_dir, embedder=embedder)
    manifest = read_manifest(DataDir(sample_data_dir).require_build())
    assert manifest["embedded"] <= result.added + result.updated


def test_refresh_needs_an_index(tmp_path, sample_catalog, configs_dir):
    with pytest.raises(NoIndexError, match="indexer build"):
        refresh_index(sample_catalog, tmp_path / "empty", configs_dir)


def test_refresh_refuses_another_embedding_model(sample_data_dir, changed_catalog, configs_dir):
    class Other:
        name, dim = "st:other", 8

    with pytest.raises(ValueError, match="built with 'e5-small'"):
        refresh_index(changed_catalog[0], sample_data_dir, configs_dir, embedder=Other())


def test_a_running_engine_serves_refreshed_products(sample_data_dir, changed_catalog, configs_dir, embedder):
    """After a refresh the engine switches builds and shows the new data (nothing stale from memory)."""
    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest

    path, _, rows = changed_catalog
    target = rows[1]
    engine = build_engine(Settings(data_dir=sample_data_dir, configs_dir=configs_dir))
    try:

        def price_shown() -> float | None:
            items = engine.search(SearchRequest(q=target["title"], size=20)).items
            return next(i["price"] for i in items if i["id"] == target["id"])

        before = price_shown()
        assert before != 1.0
        assert price_shown() == before  # served twice from the same build
        refresh_index(path, sample_data_dir, configs_dir, embedder=embedder)
        assert engine.reload_if_changed(force=True)
        assert price_shown() == 1.0
    finally:
        engine.close()


def test_a_new_id_colliding_with_an_indexed_key_is_rejected(sample_data_dir, changed_catalog, configs_dir, embedder):
    import indexer.refresh as refresh_module
    from search.store.base import point_key

    path, _, rows = changed_catalog
    victim = rows[5]["id"]
    real = point_key.__wrapped__
    monkey = pytest.MonkeyPatch()
    monkey.setattr(refresh_module, "point_key", lambda pid: real(victim) if pid == "NEW-1" else real(pid))
    try:
        result = refresh_index(path, sample_data_dir, configs_dir, embedder=embedder)
    finally:
        monkey.undo()
    assert (result.added, result.updated, result.rejected) == (0, 2, 1)
    rejects = [json.loads(line) for line in Path(result.rejects_file).read_text(encoding="utf-8").splitlines()]
    assert rejects[0]["id"] == "NEW-1" and rejects[0]["line"] == len(rows)  # the last line
    assert f"same store key as indexed {victim!r}" in rejects[0]["reason"]
    handle = open_build(DataDir(sample_data_dir).require_build())
    try:
        assert handle.store.get([victim])[0]["id"] == victim
        assert handle.store.get(["NEW-1"]) == [None]
    finally:
        handle.close()


def test_a_build_in_an_older_layout_is_refused_with_a_hint(sample_data_dir, changed_catalog, configs_dir):
    from search.store.layout import BuildFormatError, write_json_atomic

    data = DataDir(sample_data_dir)
    live = data.require_build()
    manifest = read_manifest(live)
    write_json_atomic(live / "manifest.json", {**manifest, "format": 1})
    hint = re.escape(
        f"index layout 1, this version reads 2: run `indexer build CATALOG --data-dir {sample_data_dir}` again"
    )
    with pytest.raises(BuildFormatError, match=hint):
        open_build(live)
    with pytest.raises(BuildFormatError):
        refresh_index(changed_catalog[0], sample_data_dir, configs_dir)
