"""``GET /`` and ``/static/...``: the page, its config block and its assets (no browser, no index)."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from fastapi.testclient import TestClient

from search.api.app import create_app
from search.api.routes.web import CONFIG_MARK, embed_json, render_page
from search.config import Settings
from search.web import STATIC_DIR
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("empty"), storefront_key="pk-</script><b>&")
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def config_of(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="zhsearch-config">(.*?)</script>', html, re.S)
    assert m, "no config block"
    return json.loads(m.group(1))


def test_page_is_served_without_an_index(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert CONFIG_MARK not in r.text and "__ZHSEARCH_VERSION__" not in r.text
    cfg = config_of(r.text)
    assert cfg["apiKey"] == "pk-</script><b>&"  # the configured key, intact after JSON decoding
    assert cfg["shoppers"] == ["u0002", "u0005", "u0011", "u0010"]
    for src in re.findall(r'<script src="([^"]+)"', r.text) + re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', r.text
    ):
        asset = client.get("/" + src)
        assert asset.status_code == 200, src
    assert client.head("/").status_code == 200
    # without an index the API answers 503, which the page shows as a message
    assert client.get("/search", params={"q": "x"}).status_code == 503


def test_config_cannot_close_its_script_element():
    text = embed_json({"k": "</script><script>alert(1)</script><!--&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"k": "</script><script>alert(1)</script><!--&"}
    html = render_page(Settings(storefront_key="</script>x"))
    assert html.count("</script>") == html.count("<script")  # nothing closed early


def test_assets_have_types_and_only_shipped_files_are_served(client):
    js = client.get("/static/zhsearch-instantsearch.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert js.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/storefront.css").headers["content-type"].startswith("text/css")
    bundle = client.get("/static/vendor/instantsearch.production.min.js")  # the client accepts gzip
    assert bundle.status_code == 200 and "InstantSearch.js 4.118.1" in bundle.text[:200]
    assert bundle.headers["content-encoding"] == "gzip" and int(bundle.headers["content-length"]) < 250_000
    plain = client.get("/static/vendor/instantsearch.production.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == bundle.text
    for bad in [
        "/static/../__init__.py",
        "/static/..%2F__init__.py",
        "/static/%2e%2e/%2e%2e/config.py",
        "/static/index.html",
        "/static/nope.js",
        "/static//etc/passwd",
        "/static/vendor",
    ]:
        assert client.get(bad).status_code == 404, bad


def test_vendored_bundle_version_and_licence_are_noted():
    readme = (STATIC_DIR / "vendor" / "README.md").read_text(encoding="utf-8")
    bundle = (STATIC_DIR / "vendor" / "instantsearch.production.min.js").read_text(encoding="utf-8")[:200]
    version = re.search(r"InstantSearch\.js (\d+\.\d+\.\d+)", bundle).group(1)
    assert f"**{version}**" in readme
    assert "MIT" in (STATIC_DIR / "vendor" / "instantsearch.LICENSE").read_text(encoding="utf-8")


def test_assets_are_package_data():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["search.web"]
    shipped = {p.relative_to(STATIC_DIR.parent).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()}
    from fnmatch import fnmatch

    missing = {f for f in shipped if not any(fnmatch(f, pat) for pat in patterns)}
    assert not missing, f"not in package-data: {missing}"
