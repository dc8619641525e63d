"""Reloading builds does not leak the language-model parser's worker threads; closing the engine stops them."""

from __future__ import annotations

import shutil
import threading
import time

from search.config import Settings
from search.engine import SearchEngine
from search.index import open_build
from search.profiles import ProfileRegistry
from search.store.layout import DataDir
from search.understand.factory import ParserFactory
from search.versioned import write_text_atomic


class _Backend:
    """A language model that answers at once with a fixed, valid answer."""

    model_id = "fixed"

    def __init__(self) -> None:
        self.closed = False

    def complete_json(self, system: str, user: str, schema: dict, timeout_s: float) -> dict:
        return {"brands": [], "keywords": ["隔离霜"], "confidence": 0.9}

    def close(self) -> None:
        self.closed = True


class _Factory(ParserFactory):
    """The real factory with a stand-in language model in place of the configured HTTP one."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.made = self._backend = _Backend()


def _llm_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("llm-parse")]


def test_fifty_reloads_keep_the_thread_count_flat(sample_data_dir, configs_dir, embedder):
    data = DataDir(sample_data_dir)
    live = data.require_build()
    builds = [live.name]
    for suffix in ("ffff01", "ffff02"):  # three builds to cycle through (a build is reopened only once closed)
        twin = live.with_name(f"{live.name[:15]}-{suffix}")
        shutil.copytree(live, twin)
        builds.append(twin.name)
    settings = Settings(data_dir=sample_data_dir, configs_dir=configs_dir, reload_interval_s=0)
    profiles = ProfileRegistry.load(configs_dir, settings.default_profile)
    base = profiles.get(None)
    llm = base.model_copy(update={"understanding": base.understanding.model_copy(update={"llm": "always"})})
    factory = _Factory(settings)
    engine = SearchEngine(settings, profiles, open_build(live), embedder, factory)
    before = threading.active_count()
    peak = 0
    for i in range(1, 51):
        write_text_atomic(data.current_file, builds[i % 3] + "\n")
        assert engine.reload_if_changed(force=True)
        parser = engine.parser(engine.index, llm)
        assert parser is engine.parser(engine.index, llm)  # one parser per build and profile
        assert "隔离霜" in parser.parse("兰芝隔离霜").keywords
        peak = max(peak, len(_llm_threads()))
    # the parsers of the live and the previous build may hold workers; nothing older does
    assert peak <= 8 and len(_llm_threads()) <= 8
    assert threading.active_count() <= before + 8
    engine.close()
    deadline = time.monotonic() + 10
    while _llm_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _llm_threads() == [] and factory.made.closed
