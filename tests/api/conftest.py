import pytest
from fastapi.testclient import TestClient

from search.api.app import build_engine, create_app
from search.config import Settings


@pytest.fixture(scope="session")
def engine(built_sample, configs_dir):
    engine = build_engine(Settings(data_dir=built_sample, configs_dir=configs_dir))
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def client(engine):
    with TestClient(create_app(engine=engine), raise_server_exceptions=False) as c:
        yield c
