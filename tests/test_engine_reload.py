"""Index reloads: a new build is loaded before it goes live, a replaced one is closed after its last
request, and reloading never leaks the language-model parser's worker threads."""

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


def _twins(data_dir, n: int) -> list[str]:
    """The live build and ``n`` copies of it under new names (published builds to switch between)."""
    live = DataDir(data_dir).require_build()
    names = [live.name]
    for i in range(n):
        twin = live.with_name(f"{live.name[:15]}-eeee{i:02d}")
        shutil.copytree(live, twin)
        names.append(twin.name)
    return names


def _publish(data_dir, name: str) -> None:
    write_text_atomic(DataDir(data_dir).current_file, name + "\n")


def _engine(data_dir, configs_dir, embedder, interval: float = 0) -> SearchEngine:
    settings = Settings(data_dir=data_dir, configs_dir=configs_dir, reload_interval_s=interval)
    profiles = ProfileRegistry.load(configs_dir, settings.default_profile)
    return SearchEngine(settings, profiles, open_build(DataDir(data_dir).require_build()), embedder, _Factory(settings))


def test_a_search_in_flight_finishes_on_its_build_which_is_closed_after_it(sample_data_dir, configs_dir, embedder):
    from search.engine import SearchRequest

    names = _twins(sample_data_dir, 2)
    engine = _engine(sample_data_dir, configs_dir, embedder, interval=3600)  # only this test switches
    first = engine.live.current
    entered, go = threading.Event(), threading.Event()
    real_rank = first.handle.store.rank

    def slow_rank(*args, **kwargs):
        entered.set()
        assert go.wait(30)
        return real_rank(*args, **kwargs)

    first.handle.store.rank = slow_rank  # type: ignore[method-assign]
    result = {}
    searching = threading.Thread(target=lambda: result.update(r=engine.search(SearchRequest(q="面霜"))))
    searching.start()
    try:
        assert entered.wait(60)
        for name in names[1:]:  # two builds go live while the search is running on the first
            _publish(sample_data_dir, name)
            assert engine.reload_if_changed(force=True)
        assert engine.index.version == names[2]
        assert not first.closed.is_set() and first in engine.live.open_builds()
        assert len(engine.live.open_builds()) == 2  # the middle build had no request: released at once
    finally:
        go.set()
        searching.join(60)
    assert result["r"].index_version == names[0] and result["r"].total > 0
    assert first.closed.wait(10)  # released by the end of its last request, not by a timer
    assert [b.version for b in engine.live.open_builds()] == [names[2]]
    engine.close()


def test_repeated_reloads_under_load_give_no_errors_and_keep_one_build_open(sample_data_dir, configs_dir, embedder):
    from search.engine import SearchRequest

    names = _twins(sample_data_dir, 2)
    engine = _engine(sample_data_dir, configs_dir, embedder, interval=3600)  # only this test switches
    errors: list[BaseException] = []
    versions: set[str] = set()
    done = threading.Event()

    def client(q: str) -> None:
        while not done.is_set():
            try:
                versions.add(engine.search(SearchRequest(q=q)).index_version)
                assert engine.product("S00111") is not None
            except BaseException as exc:  # noqa: BLE001 - every failure is what this test counts
                errors.append(exc)

    clients = [threading.Thread(target=client, args=(q,)) for q in ("面霜", "蓝牙耳机", "")]
    for t in clients:
        t.start()
    try:
        for i in range(1, 21):
            _publish(sample_data_dir, names[i % 3])
            assert engine.reload_if_changed(force=True)
            time.sleep(0.05)
    finally:
        done.set()
        for t in clients:
            t.join(60)
    assert errors == []
    assert len(versions) >= 2
    deadline = time.monotonic() + 10
    while len(engine.live.open_builds()) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [b.version for b in engine.live.open_builds()] == [names[20 % 3]]
    engine.close()


def test_requests_keep_answering_from_the_old_build_while_the_new_one_loads(sample_data_dir, configs_dir, embedder):
    from search.engine import SearchRequest

    names = _twins(sample_data_dir, 1)
    engine = _engine(sample_data_dir, configs_dir, embedder, interval=0.01)
    loading, go = threading.Event(), threading.Event()
    real_open = engine.live._open_build

    def slow_open(build):
        loading.set()
        assert go.wait(30)
        return real_open(build)

    engine.live._open_build = slow_open
    _publish(sample_data_dir, names[1])
    time.sleep(0.02)
    try:
        started = time.monotonic()
        assert engine.search(SearchRequest(q="面霜")).index_version == names[0]
        assert loading.wait(10)  # the load runs in the background ...
        assert engine.search(SearchRequest(q="面霜")).index_version == names[0]  # ... and nobody waits for it
        assert time.monotonic() - started < 10
    finally:
        go.set()
    deadline = time.monotonic() + 30
    while engine.search(SearchRequest(q="面霜")).index_version != names[1]:
        assert time.monotonic() < deadline, "the new build never went live"
        time.sleep(0.05)
    new = engine.live.current
    assert len(new.payloads) > 0  # warmed before it went live
    engine.close()
