"""Shared fixtures (the project's sample catalog, a real embedder, a built sample index) and the test tiers.

Every test is marked ``unit`` or ``integration`` at collection. ``integration`` is any test that
uses (directly or through other fixtures) one of :data:`INTEGRATION_FIXTURES` or a fixture whose
name mentions a browser, a database or a server (:data:`INTEGRATION_WORDS`), or that carries one
of :data:`INTEGRATION_MARKS` or an explicit ``integration`` mark. ``scripts/test -m "not integration"``
runs the unit tier alone (quick work); CI runs both.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample"
CONFIGS = ROOT / "configs"
SHARED = Path(os.environ.get("SHARED_DATA", ROOT.parent / "shared" / "data"))

pytest_plugins = ["tests.pg"]  # PostgreSQL server fixtures

#: fixtures that load a model, build the sample index or stand up a store (Edge shard, Qdrant client)
INTEGRATION_FIXTURES = frozenset(
    {"embedder", "built_sample", "sample_data_dir", "personal_built", "stores", "corpus", "server_settings"}
)
#: a fixture whose name contains one of these needs a browser, a database or a server
INTEGRATION_WORDS = ("browser", "chromium", "playwright", "postgres", "database", "qdrant_server", "live_server")
#: marks that imply the integration tier
INTEGRATION_MARKS = frozenset({"integration", "slow", "llm", "shared"})


def _is_integration(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    if names & INTEGRATION_FIXTURES or any(word in name for name in names for word in INTEGRATION_WORDS):
        return True
    return any(mark.name in INTEGRATION_MARKS for mark in item.iter_markers())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test ``unit`` or ``integration`` (see the module docstring)."""
    for item in items:
        item.add_marker(pytest.mark.integration if _is_integration(item) else pytest.mark.unit)


def shared_path(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the shared research data ({path}); absent in a fresh clone")
    return path


@pytest.fixture(scope="session")
def configs_dir() -> Path:
    return CONFIGS


@pytest.fixture(scope="session")
def sample_catalog() -> Path:
    return SAMPLE / "catalog.jsonl"


@pytest.fixture(scope="session")
def embedder():
    """The default embedder (multilingual-e5-small on torch), loaded once."""
    from search.retrieve.embed import make_embedder

    e = make_embedder("e5-small")
    e.warm_up()
    return e


@pytest.fixture(scope="session")
def index_config(configs_dir):
    from search.config import load_index_config

    return load_index_config(None, configs_dir)


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory, sample_catalog, configs_dir, index_config, embedder) -> Path:
    """A data dir with the sample catalog indexed (built once per session; treat as read-only)."""
    from indexer.build import build_index

    data_dir = tmp_path_factory.mktemp("sample-index")
    build_index(sample_catalog, data_dir, index_config, configs_dir, embedder=embedder)
    return data_dir


@pytest.fixture
def sample_data_dir(built_sample, tmp_path) -> Path:
    """A private copy of the built sample data dir, free to modify."""
    target = tmp_path / "data"
    shutil.copytree(built_sample, target)
    return target
