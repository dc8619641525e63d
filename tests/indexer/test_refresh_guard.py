"""A refresh never loses products silently: bad rows keep their product, mass deletes are refused."""

import json

import pytest

from indexer.cli import EXIT_INPUT, main
from indexer.guard import MassDeleteError, check_publish, missing_ids
from indexer.refresh import refresh_index
from search.index import open_build
from search.store.layout import DataDir


def _rows(catalog):
    return [json.loads(line) for line in catalog.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path, rows, encoding="utf-8"):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding=encoding)
    return path


def _count(data_dir):
    handle = open_build(DataDir(data_dir).require_build())
    try:
        return handle.store.count()
    finally:
        handle.close()


def test_check_publish_rules():
    check_publish(indexed=100, valid_rows=90, rejected_rows=0, deleting=20)  # exactly 20 %: allowed
    with pytest.raises(MassDeleteError, match="21 of 100") as exc:
        check_publish(indexed=100, valid_rows=79, rejected_rows=0, deleting=21)
    assert exc.value.numbers["would_delete"] == 21
    with pytest.raises(MassDeleteError, match="no valid row"):
        check_publish(indexed=100, valid_rows=0, rejected_rows=3, deleting=0)
    check_publish(indexed=100, valid_rows=0, rejected_rows=0, deleting=100, allow_mass_delete=True)
    check_publish(indexed=100, valid_rows=50, rejected_rows=0, deleting=50, max_delete_share=0.5)
    assert missing_ids(["a", "b", "c"], {"a"}, {"b"}) == ["c"]


@pytest.mark.parametrize("kind", ["empty", "gbk", "blank-lines"])
def test_refresh_of_an_unreadable_catalog_is_refused(
    sample_data_dir, sample_catalog, tmp_path, configs_dir, capsys, kind
):
    before = DataDir(sample_data_dir).current_version()
    count = _count(sample_data_dir)
    path = tmp_path / "bad.jsonl"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "gbk":
        _write(path, _rows(sample_catalog), encoding="gbk")
    else:
        path.write_text("\n\n  \n", encoding="utf-8")
    argv = ["refresh", str(path), "--delete-missing", "--data-dir", str(sample_data_dir), "-q"]
    assert main([*argv, "--configs-dir", str(configs_dir)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "no valid row" in err and f"{count} products indexed" in err
    assert DataDir(sample_data_dir).current_version() == before
    assert _count(sample_data_dir) == count


def test_a_rejected_row_never_deletes_its_product(sample_data_dir, sample_catalog, tmp_path, configs_dir, embedder):
    rows = _rows(sample_catalog)
    rows[0]["price"] = "面议"  # not a price: the row is rejected
    rows[1]["price"] = "1,299"
    rows[2]["title"] += " 新款"
    kept_ids = [rows[0]["id"], rows[1]["id"]]
    path = _write(tmp_path / "c.jsonl", rows)
    result = refresh_index(path, sample_data_dir, configs_dir, delete_missing=True, embedder=embedder)
    assert result.deleted == 0
    assert result.rejected_kept >= 1
    handle = open_build(DataDir(sample_data_dir).require_build())
    try:
        assert handle.store.count() == len(rows)
        assert all(p is not None for p in handle.store.get(kept_ids))
    finally:
        handle.close()


def test_mass_delete_is_refused_unless_allowed(
    sample_data_dir, sample_catalog, tmp_path, configs_dir, embedder, capsys
):
    rows = _rows(sample_catalog)
    half = rows[: len(rows) // 2]
    path = _write(tmp_path / "half.jsonl", half)
    before = DataDir(sample_data_dir).current_version()
    argv = ["refresh", str(path), "--delete-missing", "--data-dir", str(sample_data_dir), "-q"]
    argv += ["--configs-dir", str(configs_dir)]
    assert main(argv) == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"{len(rows) - len(half)} of {len(rows)}" in err and "--allow-mass-delete" in err
    assert DataDir(sample_data_dir).current_version() == before
    with pytest.raises(MassDeleteError):
        refresh_index(path, sample_data_dir, configs_dir, delete_missing=True, embedder=embedder, max_delete_share=0.4)
    result = refresh_index(
        path, sample_data_dir, configs_dir, delete_missing=True, embedder=embedder, allow_mass_delete=True
    )
    assert result.deleted == len(rows) - len(half)
    assert _count(sample_data_dir) == len(half)
