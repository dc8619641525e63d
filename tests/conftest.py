"""Shared fixtures: the project's sample catalog, a real embedder, and a built sample index."""

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
