"""The cluster deployment file, checked without a container engine.

The structure is asserted on the parsed YAML. When Debian's ``docker-compose``
(1.29, ``apt-get install -y docker-compose``) is on PATH, it also validates the file
against the Compose schema with variable interpolation (``config -q``), which needs
no engine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
NODES = ("qdrant-1", "qdrant-2", "qdrant-3")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _default(value: str) -> str:
    """``${VAR:-default}`` -> ``default`` (what compose substitutes when VAR is unset)."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


def test_three_node_cluster(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in NODES:
        node = services[name]
        image = _default(node["image"])
        assert re.fullmatch(r"qdrant/qdrant:v\d+\.\d+\.\d+", image), f"{name}: pin the Qdrant version ({image})"
        assert node["environment"]["QDRANT__CLUSTER__ENABLED"] == "true"
        assert any(v.endswith(":/qdrant/storage") for v in node["volumes"]), name
        storage = next(v.split(":")[0] for v in node["volumes"] if v.endswith(":/qdrant/storage"))
        assert storage in compose["volumes"], f"{name}: storage must be a named (persistent) volume"
        check = " ".join(node["healthcheck"]["test"])
        assert "/readyz" in check and "6333" in check, name
    assert services["qdrant-1"]["command"] == ["./qdrant", "--uri", "http://qdrant-1:6335"]
    for name in NODES[1:]:
        cmd = services[name]["command"]
        assert cmd[cmd.index("--bootstrap") + 1] == "http://qdrant-1:6335"
        assert cmd[cmd.index("--uri") + 1] == f"http://{name}:6335"
        assert services[name]["depends_on"]["qdrant-1"]["condition"] == "service_healthy"
    storages = {next(v for v in services[n]["volumes"] if v.endswith(":/qdrant/storage")) for n in NODES}
    assert len(storages) == 3, "each node needs its own storage volume"


def test_api_service(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["build"]["dockerfile"] == "Dockerfile"
    env = {k: _default(v) for k, v in api["environment"].items()}
    assert env["QDRANT_URL"] == "http://qdrant-1:6333"
    assert env["SEARCH_DATA_DIR"] == "/data"
    assert env["SEARCH_SHARD_NUMBER"] == "3" and env["SEARCH_REPLICATION_FACTOR"] == "2"
    assert int(env["SEARCH_WORKERS"]) > 1
    assert "search-data:/data" in api["volumes"] and "search-data" in compose["volumes"]
    assert {n: api["depends_on"][n]["condition"] for n in NODES} == dict.fromkeys(NODES, "service_healthy")
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    for key, value in api["environment"].items():
        assert str(value).startswith("${") or key == "SEARCH_DATA_DIR", f"{key} should be configurable with a default"


def test_postgres_service(compose: dict[str, Any]) -> None:
    pg = compose["services"]["postgres"]
    assert re.fullmatch(r"postgres:15\.\d+(-\w+)?", _default(pg["image"])), "pin the PostgreSQL version"
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    data = next(v.split(":")[0] for v in pg["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    assert data in compose["volumes"], "PostgreSQL needs a named (persistent) volume"
    for name in ("api", "indexer"):
        service = compose["services"][name]
        env = {k: _default(v) for k, v in service["environment"].items()}
        assert env["SEARCH_DB_URL"] == "postgresql://search@postgres:5432/search", name
        assert env["PGPASSWORD"] == _default(pg["environment"]["POSTGRES_PASSWORD"]), name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name


def test_indexer_job(compose: dict[str, Any]) -> None:
    job = compose["services"]["indexer"]
    assert set(job["profiles"]) & {"jobs", "tools"}, "the job must not start with a plain `up`"
    assert job["image"] == compose["services"]["api"]["image"], "same image as the API"
    assert [_default(a) for a in job["command"]] == [
        "indexer",
        "build",
        "/catalog/catalog.jsonl",
        "--data-dir",
        "/data",
    ]
    assert "search-data:/data" in job["volumes"]
    catalog = next(v for v in job["volumes"] if ":/catalog" in v)
    assert _default(catalog) == "./sample:/catalog:ro"
    env = {k: _default(v) for k, v in job["environment"].items()}
    assert env["QDRANT_URL"] == "http://qdrant-1:6333"
    assert env["SEARCH_SHARD_NUMBER"] == "3" and env["SEARCH_REPLICATION_FACTOR"] == "2"


def test_llm_profile(compose: dict[str, Any]) -> None:
    llm = compose["services"]["llm"]
    assert llm["profiles"] == ["llm"]
    assert any(v.endswith(":/models:ro") for v in llm["volumes"])
    assert "/health" in " ".join(llm["healthcheck"]["test"])
    assert "profiles" not in compose["services"]["api"]


def test_dockerfile() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "torch==${TORCH_VERSION}" in text and "ARG TORCH_VERSION=2.13.0" in text
    assert "download.pytorch.org/whl/cpu" in text
    assert re.search(r"^USER (?!root)\S+", text, re.M), "run as a non-root user"
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "search serve --host 0.0.0.0 --port 8000 --workers" in text


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose not installed (Debian: apt-get install -y docker-compose); structure checked above",
)
def test_docker_compose_validates(tmp_path: Path) -> None:
    """``docker-compose config -q`` parses, interpolates and validates the file (no engine needed)."""
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "--project-directory", str(ROOT), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
