"""The storefront in headless Chromium against ``search serve`` on the sample index.

Features that depend on API routes this server may not have yet (``/suggest``,
``highlight``, ``related``, ``search_id`` stored with events) are checked whenever the
API offers them; the page must work without them either way.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import httpx
import pytest

from tests.web.conftest import PUBLIC_KEY, screenshot

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)").expect

HITS = ".ais-Hits-list .hit, .no-results"


def open_page(pg: Any, server: Any, query: str = "", **params: str) -> None:
    qs = "&".join([f"q={quote(query)}"] * bool(query) + [f"{k}={quote(v)}" for k, v in params.items()])
    pg.goto(server.url + "/" + ("?" + qs if qs else ""))
    pg.wait_for_selector(HITS)


def hit_ids(page: Any) -> list[str]:
    return page.locator(".hit-title a").evaluate_all("els => els.map(e => e.dataset.product)")


def url_params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def wait_url(page: Any, predicate: Any, what: str) -> None:
    deadline = time.monotonic() + 15
    while not predicate(url_params(page)):
        if time.monotonic() > deadline:
            raise AssertionError(f"URL never {what}: {page.url}")
        page.wait_for_timeout(100)


def wait_results_change(page: Any, before: list[str]) -> list[str]:
    deadline = time.monotonic() + 20
    while True:
        page.wait_for_selector(HITS)
        ids = hit_ids(page)
        if ids != before:
            return ids
        if time.monotonic() > deadline:
            raise AssertionError("results did not change")
        page.wait_for_timeout(100)


def test_pinyin_suggestion_by_keyboard_then_highlighted_results(page, server):
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/search?" in r.url else None)
    page.goto(server.url + "/")
    page.wait_for_selector("#q")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # logo
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator("label[for=q]").count() == 1
    if server.has("/suggest", q="lanzhi"):
        page.keyboard.type("lanzhi")
        page.wait_for_selector("#q-suggestions [role=option]")
        first = page.locator("#q-suggestions [role=option] .s-text").first.inner_text()
        page.keyboard.press("ArrowDown")
        screenshot(page, "desktop-suggestions")
        assert page.get_attribute("#q", "aria-activedescendant") == "q-option-0"
        assert page.get_attribute("#q", "aria-expanded") == "true"
        page.keyboard.press("Enter")
        wait_url(page, lambda p: p.get("q") == [first], f"q={first}")
        assert page.input_value("#q") == first
        assert page.get_attribute("#q", "aria-expanded") == "false"
        assert any("source=suggest" in u for u in searches)  # analytics learn it was a picked suggestion
        # Escape closes an open list without searching
        page.keyboard.press("Control+A")
        page.keyboard.type("gl")
        page.wait_for_selector("#q-suggestions [role=option]")
        page.keyboard.press("Escape")
        assert page.locator("#q-suggestions").is_hidden()
        assert url_params(page).get("q") == [first]
        page.keyboard.press("Control+A")
        typed = "lanzhi"
    else:  # an API without suggestions: the box still searches on Enter
        typed = "兰芝"
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    wait_url(page, lambda p: p.get("q") == [typed], f"q={typed}")
    try:  # the new results, once rendered (not the previous query's list being replaced)
        page.wait_for_function(
            "() => { const t = [...document.querySelectorAll('.hit-title')];"
            " return t.length > 0 && t.every(e => e.innerText.trim()); }",
            timeout=15000,
        )
    finally:
        screenshot(page, "desktop-results-typed")
    titles = page.locator(".hit-title").all_inner_texts()
    assert any("兰芝" in t or "蘭芝" in t or "laneige" in t.lower() for t in titles[:5]), titles[:5]
    probe = server.get("/search", q="兰芝隔离霜", highlight="true", size=1).json()
    if probe["items"] and "highlight" in probe["items"][0]:
        open_page(page, server, "兰芝隔离霜")
        marks = page.locator(".hit-title mark").all_inner_texts()
        assert marks and any("兰芝" in m or "隔离霜" in m for m in marks), marks
    screenshot(page, "desktop-results")


def test_brand_facet_price_band_and_chips(page, server):
    open_page(page, server, "隔离霜")
    before = hit_ids(page)
    page.locator("#brand-list label", has_text="Laneige/兰芝").first.click()
    wait_url(page, lambda p: p.get("brand") == ["Laneige/兰芝"], "has the brand")
    wait_results_change(page, before)
    brands = page.locator(".hit .brand").all_inner_texts()
    assert brands and all(b == "Laneige/兰芝" for b in brands), brands
    page.locator("#price .band", has_text="200–500元").click()
    wait_url(page, lambda p: p.get("price") == ["200:500"], "has the price range")
    page.wait_for_selector("#price .band[aria-pressed=true]")
    page.wait_for_selector(".chip-filter >> text=价格：200–500元")
    prices = [float(p.lstrip("¥")) for p in page.locator(".hit .price").all_inner_texts() if p.startswith("¥")]
    assert prices and all(200 <= p <= 500 for p in prices), prices
    chips = page.locator(".chip-filter").all_inner_texts()
    assert any("Laneige/兰芝" in c for c in chips), chips
    page.locator(".chip-filter", has_text="价格").click()
    wait_url(page, lambda p: "price" not in p and p.get("brand") == ["Laneige/兰芝"], "drops the price only")


def test_parsed_intent_chips_are_removable(page, server):
    open_page(page, server, "300元以下的兰芝隔离霜 不要日本产的")
    page.wait_for_selector(".chip-intent")
    chips = [c.replace("\n", "").replace(" ", "") for c in page.locator(".chip-intent").all_inner_texts()]
    assert "兰芝×" in chips and "≤300元×" in chips and "不要日本产×" in chips, chips
    screenshot(page, "desktop-intent")
    page.locator(".chip-intent", has_text="不要").click()
    wait_url(page, lambda p: "日本" not in p.get("q", [""])[0], "drops the exclusion")
    params = url_params(page)
    assert params["q"] == ["兰芝隔离霜"] and params.get("price") == [":300"], params
    page.wait_for_selector(".chip-filter >> text=价格：≤ 300元")
    prices = [float(p.lstrip("¥")) for p in page.locator(".hit .price").all_inner_texts() if p.startswith("¥")]
    assert prices and max(prices) <= 300


def test_sort_by_price(page, server):
    open_page(page, server, "面霜")
    page.select_option("#sort-by select", label="价格从低到高")
    wait_url(page, lambda p: p.get("sort") == ["price_asc"], "has the sort")
    page.wait_for_timeout(300)
    page.wait_for_selector(HITS)
    prices = [float(p.lstrip("¥")) for p in page.locator(".hit .price").all_inner_texts() if p.startswith("¥")]
    assert prices == sorted(prices), prices
    assert page.locator("label.sort select").count() == 1  # the select is labelled


def test_page_two_and_back(page, server):
    open_page(page, server, "面霜")
    first = hit_ids(page)
    page.locator(".ais-Pagination-item--page a", has_text="2").click()
    wait_url(page, lambda p: p.get("page") == ["2"], "has page=2")
    second = wait_results_change(page, first)
    assert not set(first) & set(second)
    page.go_back()
    wait_url(page, lambda p: "page" not in p and p.get("q") == ["面霜"], "is back on page 1")
    assert wait_results_change(page, second) == first
    page.go_forward()
    wait_url(page, lambda p: p.get("page") == ["2"], "is forward on page 2")
    assert wait_results_change(page, first) == second


def test_shared_url_restores_the_search(page, server):
    open_page(page, server, "隔离霜", brand="Laneige/兰芝", price="100:300", sort="price_desc", page="1")
    assert page.input_value("#q") == "隔离霜"
    assert page.locator("#brand-list input:checked").count() == 1
    assert page.input_value("#sort-by select") == "products:price_desc"
    prices = [float(p.lstrip("¥")) for p in page.locator(".hit .price").all_inner_texts() if p.startswith("¥")]
    assert prices == sorted(prices, reverse=True) and all(100 <= p <= 300 for p in prices)


def test_product_view_similar_and_events_reach_the_store(page, server):
    sent: list[dict] = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/events") else None)
    after_id = last_event_id(server)
    open_page(page, server, "兰芝隔离霜")
    search_id = server.get("/search", q="兰芝隔离霜").json().get("search_id")
    link = page.locator(".hit-title a").first
    pid = link.get_attribute("data-product")
    link.click()
    page.wait_for_selector("#product[open]")
    wait_url(page, lambda p: p.get("product") == [pid], "names the product")
    expect(page.locator("#product-title")).not_to_have_text("加载中…")
    page.wait_for_selector("#similar li a")
    expect(page.locator("#foryou li").first).not_to_have_text("加载中…")
    page.click("#product-cart")
    page.wait_for_selector("#product-status >> text=已加入购物车")
    deadline = time.monotonic() + 10
    while len(sent) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    click, cart = sent[0], sent[1]
    assert click["event"] == "click" and click["product_id"] == pid and click["position"] == 1
    assert cart["event"] == "cart" and cart["product_id"] == pid and cart["position"] == 1
    if search_id is not None:
        assert re.fullmatch(r"[0-9a-f]{32}", click["search_id"]) and cart["search_id"] == click["search_id"]
    rows = events_in_store(server, pid, after_id, wanted=2)
    assert {"click", "cart"} <= {r["event"] for r in rows}, rows
    logged = search_events_logged(server, click["search_id"]) if search_id is not None else None
    if logged is not None:  # the search log attributes both to the search and its rank
        assert {("click", 1, pid), ("cart", 1, pid)} <= set(logged), logged
    # Escape closes the view and the URL forgets the product; focus goes back to the result
    page.keyboard.press("Escape")
    page.wait_for_selector("#product", state="hidden")
    wait_url(page, lambda p: "product" not in p, "forgets the product")
    assert page.evaluate("document.activeElement.dataset.product") == pid
    # a similar product opens from the view, and the back button returns to the first one
    link.click()
    page.wait_for_selector("#similar li a")
    other = page.locator("#similar li a").first
    other.click()
    wait_url(page, lambda p: p.get("product", [pid])[0] != pid, "names the similar product")
    page.go_back()
    wait_url(page, lambda p: p.get("product") == [pid], "is back on the first product")


def events_in_store(server: Any, product_id: str, after_id: int = 0, wanted: int = 1) -> list[dict]:
    """Rows of the server's event store for one product, newer than ``after_id``."""
    db = server.data_dir / "events.sqlite"
    deadline = time.monotonic() + 10
    while True:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        try:
            sql = "SELECT * FROM events WHERE product = ? AND id > ? ORDER BY id"
            rows = [dict(r) for r in con.execute(sql, (product_id, after_id))]
        finally:
            con.close()
        if len(rows) >= wanted or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def search_events_logged(server: Any, search_id: str) -> list[tuple[str, int, str]] | None:
    """(event, position, product) the search log attributed to a search; None without a search log."""
    db = server.data_dir / "searchlog.sqlite"
    if not db.exists():
        return None
    deadline = time.monotonic() + 10
    while True:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            sql = "SELECT event, position, product FROM search_events WHERE search_id = ?"
            rows = [tuple(r) for r in con.execute(sql, (search_id,))]
        except sqlite3.OperationalError:  # no such table yet
            rows = []
        finally:
            con.close()
        if len(rows) >= 2 or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def last_event_id(server: Any) -> int:
    con = sqlite3.connect(f"file:{server.data_dir / 'events.sqlite'}?mode=ro", uri=True)
    try:
        return int(con.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
    finally:
        con.close()


def test_no_results_state(page, server):
    open_page(page, server, "兰芝", price="90000:")
    page.wait_for_selector(".no-results")
    assert "没有找到" in page.inner_text(".no-results")
    assert "兰芝" in page.inner_text(".no-results .q")
    assert page.locator(".ais-Pagination-item--page").count() <= 1
    nonsense = "zzqxj乱码不存在商品"
    api = server.get("/search", q=nonsense).json()
    if api["total"] == 0:
        open_page(page, server, nonsense)
        page.wait_for_selector(".no-results")
        if api.get("related"):
            page.wait_for_selector(".no-results .related li a")
    page.click(".no-results .link")
    wait_url(page, lambda p: not p, "is cleared")


def test_did_you_mean(page, server):
    api = server.get("/search", q="小米手几").json()
    if not api["parsed"]["corrected"]:
        pytest.skip("the parser does not correct this query")
    open_page(page, server, "小米手几")
    page.wait_for_selector(".didyoumean .corrected")
    page.click(".didyoumean .corrected")
    wait_url(page, lambda p: p.get("q") == [api["parsed"]["corrected"]], "has the corrected query")


def test_catalog_markup_renders_as_text(page, server):
    open_page(page, server, "测试款样品")
    page.wait_for_selector(".hit-title a[data-product=X90001]")
    title = page.inner_text(".hit-title a[data-product=X90001]")
    assert "<script>window.__xss = 1</script>" in title and "<img src=x" in title
    assert page.locator(".hit img, .hit script, .hit b, .hit i").count() == 0
    assert page.evaluate("window.__xss") is None
    brand = page.locator(".hit-title a[data-product=X90001]").locator("xpath=../..").locator(".brand").inner_text()
    assert brand == "<b>Evil</b>测试"
    other = page.inner_text(".hit-title a[data-product=X90002]")
    assert "&lt;em&gt;双重转义&lt;/em&gt;" in other and "<em>假高亮</em>" in other
    assert (
        "<i>" in page.locator(".hit-title a[data-product=X90002]").locator("xpath=../..").locator(".brand").inner_text()
    )
    page.click(".hit-title a[data-product=X90001]")
    expect(page.locator("#product-title")).to_contain_text("<script>")
    assert page.inner_text("#product-brand") == "<b>Evil</b>测试"
    assert "<i>韩国</i>" in page.inner_text("#product-attributes")
    assert page.locator("#product script, #product img, #product b").count() == 0
    assert page.evaluate("window.__xss") is None
    # the brand facet shows it as text too
    assert page.locator("#brand-list b, #brand-list script").count() == 0


@pytest.mark.parametrize(
    "query",
    ["💄兰芝😀隔离霜", "蘭芝隔離霜", "兰" * 1000, "<script>alert(1)</script>", "%00%ZZ&page=abc", "   "],
    ids=["emoji", "traditional", "1000-chars", "markup", "url-junk", "blank"],
)
def test_odd_queries_do_not_break_the_page(page, server, query):
    page.goto(server.url + "/?q=" + quote(query))
    page.wait_for_selector(HITS)
    assert page.locator("#banner").is_hidden()
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_timeout(300)
    page.wait_for_selector(HITS)
    assert page.locator("#banner").is_hidden()
    assert len(page.input_value("#q")) <= 256


@pytest.mark.console_errors_ok
def test_api_down_shows_a_message(page, server):
    page.route(re.compile(r".*/search\?.*"), lambda route: route.abort("connectionrefused"))
    page.goto(server.url + "/?q=" + quote("兰芝"))
    page.wait_for_selector("#banner:not([hidden])")
    assert "无法访问" in page.inner_text("#banner")
    assert page.locator("#q").is_visible()  # the page is there, not blank
    page.unroute(re.compile(r".*/search\?.*"))
    page.route(
        re.compile(r".*/search\?.*"),
        lambda route: route.fulfill(status=503, json={"detail": [{"field": None, "message": "no index loaded"}]}),
    )
    page.click("#banner .retry")
    expect(page.locator("#banner")).to_contain_text("no index loaded")
    page.unroute(re.compile(r".*/search\?.*"))
    page.click("#banner .retry")
    page.wait_for_selector(".ais-Hits-list .hit")
    page.wait_for_selector("#banner", state="hidden")


def test_phone_viewport(browser, server, console):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2, locale="zh-CN"
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    console.attach(page)
    try:
        open_page(page, server, "兰芝隔离霜")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.locator("#filters").is_hidden()
        page.tap("#filters-toggle")
        page.wait_for_selector("#brand-list label")
        assert page.get_attribute("#filters-toggle", "aria-expanded") == "true"
        page.tap("#filters-toggle")
        box = page.locator(".hit").first.bounding_box()
        assert box and box["width"] <= 390
        screenshot(page, "phone-results")
        page.locator(".hit-title a").first.tap()
        page.wait_for_selector("#similar li a")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, "phone-product")
    finally:
        context.close()
    assert console.errors == [], console.errors


def test_page_shows_the_apis_top_products(page, server):
    query = "兰芝 隔离霜"
    open_page(page, server, query)
    api = server.get("/search", q=query, size=12).json()
    assert hit_ids(page)[:10] == [i["id"] for i in api["items"]][:10]


def test_public_routes_need_the_key_the_page_sends(server):
    assert httpx.get(server.url + "/search", params={"q": "兰芝"}, timeout=30).status_code == 401
    assert httpx.get(server.url + "/", timeout=30).status_code == 200  # the page itself is public


def test_public_key_and_shopper_reach_the_api(page, server):
    calls: list[Any] = []
    page.on("request", lambda r: calls.append(r) if "/search?" in r.url or "/recommend" in r.url else None)
    open_page(page, server, "奶粉")
    assert calls and all(c.headers.get("authorization") == f"Bearer {PUBLIC_KEY}" for c in calls)
    assert all("user_id=" not in c.url for c in calls)  # anonymous
    assert page.locator("label[for=shopper]").count() == 1
    page.select_option("#shopper", "u0002")
    page.wait_for_selector("#foryou-home:not([hidden]) li a")
    deadline = time.monotonic() + 10
    while not any("/search?" in c.url and "user_id=u0002" in c.url for c in calls) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert any("/search?" in c.url and "user_id=u0002" in c.url for c in calls)
    screenshot(page, "desktop-shopper")
    page.reload()
    page.wait_for_selector(HITS)
    assert page.input_value("#shopper") == "u0002"  # remembered in this browser
    page.select_option("#shopper", "")


def test_adapter_speaks_algolia(page, server):
    page.goto(server.url + "/")
    page.wait_for_selector("#q")
    out = page.evaluate(
        """async () => {
        const Z = window.ZhsearchInstantSearch;
        const hl = Z.toHighlight('<em>兰芝</em>&lt;b&gt;x&amp;y<script>', 'ignored', '[', ']');
        const cfg = JSON.parse(document.getElementById('zhsearch-config').textContent);
        const client = Z.createSearchClient({ url: '', apiKey: cfg.apiKey });
        const res = await client.search([
          { indexName: 'products:price_asc', params: { query: '隔离霜', page: 1, hitsPerPage: 5,
            facets: ['brand', 'category', 'price'], facetFilters: [['brand:Laneige/兰芝']],
            numericFilters: ['price>=100', 'price<=400'],
            highlightPreTag: '__ais-highlight__', highlightPostTag: '__/ais-highlight__' } },
          { indexName: 'products', params: { query: '隔离霜', hitsPerPage: 0, facets: ['brand'] } },
        ]);
        let error = null;
        try { await client.search([{ indexName: 'nope', params: {} }]); } catch (e) { error = e.message; }
        return { hl, res, error };
      }"""
    )
    assert out["hl"] == {
        "value": "[兰芝]<b>x&y<script>",
        "matchLevel": "partial",
        "matchedWords": ["兰芝"],
        "fullyHighlighted": False,
    }
    first, facets_only = out["res"]["results"]
    assert first["page"] == 1 and first["hitsPerPage"] == 5 and first["index"] == "products:price_asc"
    assert "sort=price_asc" in first["params"] and "page=2" in first["params"]
    prices = [h["price"] for h in first["hits"]]
    assert prices == sorted(prices) and all(100 <= p <= 400 for p in prices)
    assert all(h["brand"] == "Laneige/兰芝" and h["objectID"] == h["id"] for h in first["hits"])
    assert [h["__position"] for h in first["hits"]] == list(range(6, 6 + len(first["hits"])))
    assert set(first["facets"]) == {"brand", "category"} and first["facets_stats"]["price"]["min"] >= 0
    assert first["nbPages"] == -(-first["nbHits"] // 5)
    assert facets_only["hits"] == [] and facets_only["facets"]["brand"]
    assert "unknown index" in out["error"]
