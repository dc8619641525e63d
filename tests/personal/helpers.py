"""Shared set-up for personalization tests: settings and a sample data dir with events and a CF model."""

from __future__ import annotations

from pathlib import Path

from search.config import Settings
from tests.conftest import CONFIGS, SAMPLE

SECRET = "test-secret"
ADMIN = "test-admin-token"


def personal_settings(data_dir: Path, **overrides) -> Settings:
    """Settings for a test data dir: a known secret and admin token, no reload delay."""
    values = {
        "data_dir": data_dir,
        "configs_dir": CONFIGS,
        "user_id_secret": SECRET,
        "admin_token": ADMIN,
        "reload_interval_s": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


def prepare(data_dir: Path) -> dict:
    """Import the sample events into ``data_dir`` (a copy of the built sample) and train the CF model."""
    from indexer.cf import train_cf
    from indexer.events import import_events

    settings = personal_settings(data_dir)
    imported = import_events(SAMPLE / "events.jsonl", data_dir, progress=False, configs_dir=CONFIGS, settings=settings)
    trained = train_cf(data_dir, CONFIGS, progress=False)
    return {"import": imported, "train": trained}
