"""The catalog bad-input corpus (tests/fixtures/catalog_corpus.jsonl): every row is either indexed with the
values a real Chinese catalog means (``"¥99"``, ``"1.2万"``, nested attributes, control characters stripped)
or rejected with the right reason, and nothing else is lost. Rows indexed from it are all reachable over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.catalog import read_catalog

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "catalog_corpus.jsonl"


def _cases() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_corpus(path: Path) -> Path:
    """The corpus as a catalog file, one case per line (line n = case n)."""
    lines = []
    for case in _cases():
        if "row" in case:
            lines.append(json.dumps(case["row"], ensure_ascii=False).encode("utf-8"))
        elif "raw" in case:
            lines.append(case["raw"].encode("utf-8"))
        else:
            lines.append(bytes.fromhex(case["raw_hex"]))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_every_corpus_row_is_indexed_or_rejected_for_its_reason(tmp_path):
    cat = read_catalog(write_corpus(tmp_path / "corpus.jsonl"))
    by_line = {line: p for p, line in ((p, cat.lines[p.id]) for p in cat.products)}
    rejects = {r.line: r.reason for r in cat.rejects}
    for line, case in enumerate(_cases(), start=1):
        if case["expect"] == "ok":
            assert line in by_line, (line, case, rejects.get(line))
            product = by_line[line].model_dump()
            for field, value in case["check"].items():
                assert product[field] == value, (line, field, product[field])
        else:
            assert line in rejects, (line, case)
            assert case["reason"] in rejects[line], (line, rejects[line])
    assert cat.rows == len(_cases())


@pytest.fixture(scope="module")
def corpus_app(tmp_path_factory, configs_dir):
    from indexer.build import build_index
    from search.api.app import build_engine, create_app
    from search.config import DenseConfig, IndexConfig, Settings

    root = tmp_path_factory.mktemp("corpus")
    data_dir = root / "data"
    config = IndexConfig(dense=DenseConfig(model="none"))
    build_index(write_corpus(root / "corpus.jsonl"), data_dir, config, configs_dir)
    engine = build_engine(Settings(data_dir=data_dir, configs_dir=configs_dir, default_profile="bm25"))
    with TestClient(create_app(engine=engine), raise_server_exceptions=False) as client:
        yield client
    engine.close()


@pytest.mark.integration  # builds an index of the corpus and serves it
def test_indexed_corpus_products_are_all_served(corpus_app):
    ids = [str(c["row"]["id"]) for c in _cases() if c["expect"] == "ok"]
    for pid in ids:
        r = corpus_app.get(f"/products/{pid}")
        assert r.status_code == 200, (pid, r.text)
    assert corpus_app.get("/products/V3").json()["sales"] == 12000
    r = corpus_app.get("/search", params={"q": "键盘"})
    assert r.status_code == 200 and r.json()["items"][0]["title"] == "机械键盘 青轴 87键"
