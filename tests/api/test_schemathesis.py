"""OpenAPI fuzzing: every operation, generated from the schema, answers without a 5xx (bounded examples)."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.api.app import create_app
from search.engine import SearchEngine
from search.index import open_build
from search.personal.service import Personalization
from search.profiles import ProfileRegistry
from search.store.layout import DataDir
from search.understand.factory import ParserFactory
from tests.personal.helpers import personal_settings


@pytest.fixture(scope="module")
def fuzz_schema(built_sample, embedder, tmp_path_factory):
    """The app over a private copy of the sample index (fuzzed events land there)."""
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(built_sample, data_dir)
    s = personal_settings(data_dir)
    engine = SearchEngine(
        s,
        ProfileRegistry.load(s.configs_dir, s.default_profile),
        open_build(DataDir(data_dir).require_build()),
        embedder,
        ParserFactory(s),
        Personalization.open(s),
    )
    app = create_app(s, engine=engine)
    app.state.settings, app.state.engine = s, engine  # what the lifespan does
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    engine.close()


def test_no_operation_answers_5xx(fuzz_schema):
    strategies = [result.ok().as_strategy() for result in fuzz_schema.get_all_operations()]
    assert len(strategies) >= 6

    @given(case=st.one_of(strategies))
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case):
        response = case.call()
        assert response.status_code < 500, (case.method, case.path, case.path_parameters, response.text[:300])
        if response.status_code >= 400:
            detail = response.json()["detail"]
            assert isinstance(detail, list) and all("message" in d for d in detail)

    run()
