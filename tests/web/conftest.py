"""Browser tests of the storefront: a real ``search serve`` over the sample index, driven in Chromium.

The server is the ``search serve`` command in a subprocess on a free 127.0.0.1 port, over a
copy of the sample index with two products whose title and brand carry HTML and script
(added by ``indexer refresh``), the sample shopper behaviour imported and a CF model trained.
Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM``) driven by Playwright for
Python; tests skip with the reason when either is missing. Screenshots go to
``build/screenshots`` (or ``$STOREFRONT_SCREENSHOTS``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, SAMPLE

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("STOREFRONT_SCREENSHOTS", ROOT / "build" / "screenshots"))
PUBLIC_KEY = "pk-storefront-test-0123456789"
AUTH = {"Authorization": f"Bearer {PUBLIC_KEY}"}

#: products whose catalog text is markup: the page must show it as text
HOSTILE = [
    {
        "id": "X90001",
        "title": '<script>window.__xss = 1</script>测试款样品 <img src=x onerror="window.__xss = 2"> 转义',
        "brand": "<b>Evil</b>测试",
        "category": "测试/样品",
        "attributes": {"产地": "<i>韩国</i>"},
        "price": 99.0,
        "sales": 1,
    },
    {
        "id": "X90002",
        "title": "&lt;em&gt;双重转义&lt;/em&gt; <em>假高亮</em> \"引号\" '单引号' 测试款样品",
        "brand": "Tom & Jerry's <i>",
        "category": "测试/样品",
        "attributes": {},
        "price": 88.0,
        "sales": 1,
    },
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def storefront_data(request, tmp_path_factory, configs_dir) -> Path:
    """The sample index plus the hostile products, with behaviour imported and a CF model.

    ``STOREFRONT_TEST_DATA`` names a data dir this fixture made before (a copy is used):
    it saves building the sample index when iterating on the page.
    """
    from indexer.cf import train_cf
    from indexer.events import import_events
    from indexer.refresh import refresh_index

    root = tmp_path_factory.mktemp("storefront")
    data = root / "data"
    prepared = os.environ.get("STOREFRONT_TEST_DATA")
    if prepared:
        shutil.copytree(prepared, data)
        return data
    built_sample = request.getfixturevalue("built_sample")
    embedder = request.getfixturevalue("embedder")
    shutil.copytree(built_sample, data)
    catalog = root / "catalog.jsonl"
    lines = (SAMPLE / "catalog.jsonl").read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines += [json.dumps(p, ensure_ascii=False) for p in HOSTILE]
    catalog.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = refresh_index(catalog, data, configs_dir, embedder=embedder)
    assert result.added == len(HOSTILE), result
    import_events(SAMPLE / "events.jsonl", data, progress=False, configs_dir=configs_dir)
    train_cf(data, configs_dir, progress=False)
    return data


class Server:
    """A running ``search serve``."""

    def __init__(self, url: str, data_dir: Path, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.data_dir = data_dir
        self.proc = proc
        self.log = log

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(self.url + path, params=params, headers=AUTH, timeout=60)

    def has(self, path: str, **params: Any) -> bool:
        """Whether this API offers a route (a 404 means no such route)."""
        return self.get(path, **params).status_code != 404


@pytest.fixture(scope="session")
def server(storefront_data, tmp_path_factory) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    # Keys are configured, so every API call the page makes must carry its public key.
    key_entry = f"storefront:search:{hashlib.sha256(PUBLIC_KEY.encode()).hexdigest()}"
    env = dict(os.environ, SEARCH_STOREFRONT_KEY=PUBLIC_KEY, SEARCH_API_KEYS=key_entry)
    env["SEARCH_CONFIGS_DIR"] = str(ROOT / "configs")
    env.pop("SEARCH_API_KEYS_FILE", None)
    cmd = [sys.executable, "-c", "import sys; from search.cli import main; sys.exit(main())"]
    cmd += ["serve", "--data-dir", str(storefront_data), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"search serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"search serve did not become healthy:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        # warm the query path so the first browser test does not time out on model start-up
        httpx.get(url + "/search", params={"q": "兰芝"}, headers=AUTH, timeout=120)
        yield Server(url, storefront_data, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Console:
    """Console errors and uncaught exceptions of one page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser, server, console, request) -> Iterator[Any]:
    """A desktop-sized page; the test fails on any console error unless marked ``console_errors_ok``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(30_000)
    pg = context.new_page()
    console.attach(pg)
    yield pg
    context.close()
    if request.node.get_closest_marker("console_errors_ok") is None:
        assert console.errors == [], console.errors


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
