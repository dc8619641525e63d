"""One way to choose the store, through the command lines: with ``QDRANT_URL`` every command uses the server.

The server is qdrant-client's local mode behind the same setting (``qdrant+local://PATH``);
an unreachable server is a closed port on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.cli import EXIT_NO_INDEX, EXIT_OK, EXIT_UNAVAILABLE
from indexer.cli import main as indexer
from search.api.app import create_app
from search.cli import main as search
from search.config import Settings
from search.store.layout import DataDir, read_manifest
from tests.conftest import CONFIGS, SAMPLE
from tests.pg import free_port

pytestmark = [
    pytest.mark.integration,  # builds indexes and runs every command against a store server
    pytest.mark.filterwarnings("ignore:Payload indexes have no effect in the local Qdrant:UserWarning"),
    pytest.mark.filterwarnings("ignore:Local mode performs exact:UserWarning"),
]


@pytest.fixture
def catalog(tmp_path: Path) -> tuple[Path, Path, Path]:
    """200 sample products, the same plus 20 more, and a BM25-only indexing config (fast)."""
    rows = (SAMPLE / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(rows[:200]) + "\n", encoding="utf-8")
    second.write_text("\n".join(rows[:220]) + "\n", encoding="utf-8")
    config = tmp_path / "indexing.yaml"
    config.write_text("dense:\n  model: none\n", encoding="utf-8")
    return first, second, config


def _run(main, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_every_command_uses_the_server(tmp_path, catalog, monkeypatch, capsys):
    first, second, config = catalog
    data = tmp_path / "data"
    monkeypatch.setenv("QDRANT_URL", f"qdrant+local://{tmp_path / 'qdrant'}")
    common = ["--data-dir", str(data), "--configs-dir", str(CONFIGS)]

    code, out, err = _run(indexer, ["build", str(first), *common, "--config", str(config), "--json", "-q"], capsys)
    assert code == EXIT_OK, err
    build = DataDir(data).require_build()
    store = read_manifest(build)["store"]
    assert store["backend"] == "server" and store["collection"] == f"products_{build.name}"
    assert not (build / "shard").exists()  # nothing embedded

    code, out, err = _run(indexer, ["refresh", str(second), *common, "--json", "-q"], capsys)
    assert code == EXIT_OK, err
    assert json.loads(out)["added"] == 20
    build = DataDir(data).require_build()
    assert read_manifest(build)["store"]["backend"] == "server" and not (build / "shard").exists()

    code, out, err = _run(indexer, ["stats", *common, "--json"], capsys)
    assert code == EXIT_OK, err
    assert json.loads(out)["products"] == 220

    code, out, err = _run(search, ["query", "兰芝隔离霜", *common, "--profile", "bm25", "--json"], capsys)
    assert code == EXIT_OK, err
    assert json.loads(out)["items"]

    judgments = SAMPLE / "judgments.tsv"
    code, out, err = _run(search, ["eval", str(judgments), *common, "--profile", "bm25", "--json"], capsys)
    assert code == EXIT_OK, err
    assert json.loads(out)["profiles"]["bm25"]["queries"] > 0

    events = tmp_path / "events.jsonl"
    events.write_text("\n".join((SAMPLE / "events.jsonl").read_text(encoding="utf-8").splitlines()[:3000]) + "\n")
    code, out, err = _run(indexer, ["events", "import", str(events), *common, "--json", "-q"], capsys)
    assert code == EXIT_OK, err
    assert json.loads(out)["unknown_products"] < json.loads(out)["imported"]  # products checked on the server
    code, out, err = _run(indexer, ["cf", "train", *common, "--json", "-q"], capsys)
    assert code == EXIT_OK, err

    with TestClient(create_app(Settings(data_dir=data, configs_dir=CONFIGS, default_profile="bm25"))) as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["products"] == 220


def test_an_unreachable_server_fails_every_command_and_never_falls_back(tmp_path, catalog, monkeypatch, capsys):
    first, _, config = catalog
    data = tmp_path / "data"
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("QDRANT_URL", url)
    common = ["--data-dir", str(data), "--configs-dir", str(CONFIGS)]

    code, _, err = _run(indexer, ["build", str(first), *common, "--config", str(config), "-q"], capsys)
    assert code == EXIT_UNAVAILABLE and url in err
    assert not (data / "index" / "builds").exists() or not any((data / "index" / "builds").iterdir())

    monkeypatch.delenv("QDRANT_URL")  # an embedded index exists ...
    assert indexer(["build", str(first), *common, "--config", str(config), "-q"]) == EXIT_OK
    monkeypatch.setenv("QDRANT_URL", url)  # ... and is not served while the server is configured
    code, _, err = _run(search, ["query", "面霜", *common, "--profile", "bm25"], capsys)
    assert code == EXIT_UNAVAILABLE and url in err
    local = f"qdrant+local://{tmp_path / 'qdrant'}"
    monkeypatch.setenv("QDRANT_URL", local)  # a reachable server without this build
    code, _, err = _run(search, ["query", "面霜", *common, "--profile", "bm25"], capsys)
    assert code == EXIT_NO_INDEX and "embedded" in err and local in err
    code, _, err = _run(indexer, ["refresh", str(first), *common, "-q"], capsys)
    assert code == EXIT_NO_INDEX and local in err
    monkeypatch.setenv("QDRANT_URL", url)

    settings = Settings(data_dir=tmp_path / "empty", configs_dir=CONFIGS, reload_interval_s=60)
    monkeypatch.setenv("QDRANT_PATH", str(tmp_path / "unused"))  # QDRANT_URL wins
    assert indexer(["stats", "--data-dir", str(tmp_path / "empty")]) == EXIT_NO_INDEX
    code, _, err = _run(indexer, ["build", str(first), "--data-dir", str(tmp_path / "empty"), "-q"], capsys)
    assert code == EXIT_UNAVAILABLE and url in err
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 503
        assert url in json.dumps(health.json())


def test_a_new_api_node_gets_the_cluster_build_from_the_shared_database(tmp_path, catalog, monkeypatch, database_url):
    first, second, config = catalog
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("QDRANT_URL", f"qdrant+local://{tmp_path / 'qdrant'}")
    monkeypatch.setenv("SEARCH_DB_URL", database_url)
    common = ["--configs-dir", str(CONFIGS), "--json", "-q"]
    assert indexer(["build", str(first), "--data-dir", str(a), "--config", str(config), *common]) == EXIT_OK
    assert indexer(["refresh", str(second), "--data-dir", str(a), *common]) == EXIT_OK
    live = DataDir(a).require_build()
    # node B starts with an empty data dir: it copies the live build's files before it serves
    settings = Settings(data_dir=b, configs_dir=CONFIGS, default_profile="bm25")
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 200, health.text
        assert health.json()["index_version"] == live.name and health.json()["products"] == 220
        assert client.get("/search", params={"q": "兰芝隔离霜"}).json()["items"]
    copied = DataDir(b).require_build()
    assert sorted(p.name for p in copied.iterdir()) == sorted(p.name for p in live.iterdir())
    assert (copied / "lexicon.json").read_bytes() == (live / "lexicon.json").read_bytes()
