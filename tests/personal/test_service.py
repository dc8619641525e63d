"""The service object: startup checks, graceful degradation, and working without a CF model."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from search.config import ConfigError
from search.index import open_build
from search.personal.service import Personalization
from search.profiles import PersonalizationConfig
from search.rank.candidate import Candidate
from search.store.layout import DataDir
from tests.personal.helpers import personal_settings


def test_a_wrong_secret_fails_at_startup(personal_dir):
    with pytest.raises(ConfigError, match="user_id_secret"):
        Personalization.open(personal_settings(personal_dir, user_id_secret="another-secret"))


def test_startup_leaves_an_empty_data_dir_untouched(sample_data_dir):
    personal = Personalization.open(personal_settings(sample_data_dir))
    assert personal.model() is None
    assert personal.signals("u0001", ["S00001"]).is_empty()
    assert not DataDir(sample_data_dir).events_db.exists()


def test_database_errors_degrade_to_the_anonymous_ranking(personal_dir, monkeypatch):
    personal = Personalization.open(personal_settings(personal_dir))
    cands = [Candidate("S00001", {"brand": "x"}, {}, final=1.0)]
    assert personal.rerank("u0001", cands, PersonalizationConfig()) is not cands  # personalized normally

    def broken(user):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(personal.store, "profile", broken)
    assert personal.rerank("u0001", cands, PersonalizationConfig()) is cands


def test_without_a_cf_model_affinities_still_personalize(personal_dir):
    shutil.rmtree(DataDir(personal_dir).cf_dir)
    personal = Personalization.open(personal_settings(personal_dir))
    assert personal.model() is None
    signals = personal.signals("u0001", ["S00001"])
    assert signals.cf is None and signals.brands
    handle = open_build(DataDir(personal_dir).require_build())
    try:
        rec = personal.recommend("u0001", 10, handle.store, handle.version)
        assert rec.source == "personal" and len(rec.items) == 10
        popular = personal.recommend("nobody", 5, handle.store, handle.version)
        assert popular.source == "popular" and len(popular.items) == 5  # by catalog sales
        assert personal.similar("S00001", 5, handle.store)  # embeddings alone
    finally:
        handle.close()
        personal.close()
