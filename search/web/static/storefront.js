/*
 * The zhsearch storefront: InstantSearch.js widgets over the zhsearch adapter. This script
 * holds the page's state (shopper, search, product view) and wires the parts together:
 * storefront-kit.js (DOM helpers, URL routing) and storefront-widgets.js (search box,
 * price, chips, did-you-mean) load before it.
 * Every catalog string reaches the DOM as text (InstantSearch's html templates, or
 * textContent here); the only markup taken from the API is <em> in highlights, which the
 * adapter turns into InstantSearch's highlight tags after reading everything else as text.
 */
(function () {
  "use strict";

  const cfg = JSON.parse(document.getElementById("zhsearch-config").textContent || "{}");
  const is = window.instantsearch;
  const Z = window.ZhsearchInstantSearch;
  const INDEX = "products";
  const SORTS = { relevance: "综合排序", price_asc: "价格从低到高", price_desc: "价格从高到低", sales: "销量优先" };
  const $ = (sel) => document.querySelector(sel);
  const S = window.ZhsearchStorefront; // storefront-kit.js and storefront-widgets.js
  const { el, formatPrice, stored } = S;

  // ------------------------------------------------------------------ shopper (picker, event id)
  const shoppers = Array.isArray(cfg.shoppers) ? cfg.shoppers.map(String) : [];
  let shopper = stored("zhsearch-shopper") || "";
  if (shoppers.indexOf(shopper) < 0) shopper = "";
  let anonymous = stored("zhsearch-anon");
  if (!anonymous || !/^anon-[0-9a-f]{16}$/.test(anonymous)) {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    anonymous = "anon-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    stored("zhsearch-anon", anonymous);
  }

  const client = Z.createSearchClient({
    url: cfg.apiBase || "",
    apiKey: cfg.apiKey || null,
    userId: () => shopper || null,
    hitsPerPage: cfg.hitsPerPage || 12,
    source: (query) => (query && query === suggested ? "suggest" : null), // search analytics: a picked suggestion
  });
  let suggested = null; // the last suggestion the shopper picked

  // ------------------------------------------------------------------ messages
  const banner = $("#banner");
  function showError(err) {
    const reason = err && err.status === 0 ? "搜索服务暂时无法访问，请稍后再试。" : "搜索出错了，请稍后再试。";
    const detail = err && err.message ? `（${err.message}）` : "";
    banner.replaceChildren(el("strong", { text: reason }), " ", el("span", { class: "detail", text: detail }),
      el("button", { type: "button", class: "retry", onclick: () => { client.clearCache(); search.refresh(); } }, "重试"));
    banner.hidden = false;
  }
  function hideError() {
    banner.hidden = true;
  }

  // ------------------------------------------------------------------ events (closing the loop)
  function track(event, productId, origin) {
    const o = origin || {};
    client
      .sendEvent({ event, productId, userId: shopper || anonymous, searchId: o.searchId, position: o.position, query: o.query })
      .catch(() => {}); // behaviour tracking never gets in the shopper's way
  }

  // ------------------------------------------------------------------ the search, its URL and widgets
  const search = is({
    indexName: INDEX,
    searchClient: client,
    routing: S.routing(is, INDEX, SORTS),
    insights: false,
    future: { preserveSharedStateOnUnmount: true },
  });
  const mainHelper = () => search.mainIndex.getHelper();
  function currentResults() {
    return search.mainIndex.getResults();
  }
  const widgets = S.widgets({
    is, Z, client, INDEX, SORTS, helper: mainHelper, results: currentResults,
    picked: (query) => { suggested = query; },
  });

  // ------------------------------------------------------------------ product view
  const dialog = $("#product");
  let viewing = null; // {id, origin, pushed}
  function productURL(id) {
    const url = new URL(window.location.href);
    url.searchParams.set("product", id);
    return url.pathname + url.search;
  }
  function miniList(target, hits, onOpen) {
    target.replaceChildren(
      ...hits.map((h) =>
        el("li", {}, el("a", { href: productURL(h.objectID), onclick: (e) => { e.preventDefault(); onOpen(h); } },
          el("span", { class: "t", text: h.title || h.objectID }),
          el("span", { class: "p", text: formatPrice(h.price) }))))
    );
    if (!hits.length) target.replaceChildren(el("li", { class: "empty", text: "暂无" }));
  }
  function openProduct(id, origin, push) {
    viewing = { id, origin: origin || {}, pushed: !!push };
    if (push) window.history.pushState({ product: id }, "", productURL(id));
    $("#product-title").textContent = "加载中…";
    for (const sel of ["#product-brand", "#product-price", "#product-category", "#product-status"]) $(sel).textContent = "";
    $("#product-attributes").replaceChildren();
    $("#similar").replaceChildren(el("li", { class: "empty", text: "加载中…" }));
    $("#foryou").replaceChildren(el("li", { class: "empty", text: "加载中…" }));
    if (!dialog.open) dialog.showModal();
    $("#product-title").focus();
    client.getProduct(id).then(
      (p) => {
        if (!viewing || viewing.id !== id) return;
        $("#product-title").textContent = p.title;
        $("#product-brand").textContent = p.brand || "";
        $("#product-price").textContent = formatPrice(p.price);
        $("#product-category").textContent = p.category || "";
        $("#product-attributes").replaceChildren(
          ...Object.entries(p.attributes || {}).flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
      },
      (err) => {
        if (viewing && viewing.id === id) $("#product-title").textContent = err && err.status === 404 ? "没有这件商品" : "商品信息加载失败";
      }
    );
    const fromShelf = (shelf) => (h) => {
      track("click", h.objectID, { position: h.__position });
      openProduct(h.objectID, { position: h.__position, shelf }, true);
    };
    client.similar(id, 8).then((hits) => viewing && viewing.id === id && miniList($("#similar"), hits, fromShelf("similar")),
      () => $("#similar").replaceChildren(el("li", { class: "empty", text: "暂无" })));
    client.recommend(8, shopper || anonymous).then(
      (rec) => viewing && viewing.id === id && miniList($("#foryou"), rec.items.filter((h) => h.objectID !== id), fromShelf("foryou")),
      () => $("#foryou").replaceChildren(el("li", { class: "empty", text: "暂无" })));
  }
  function closeProduct(fromHistory) {
    const v = viewing;
    viewing = null;
    if (dialog.open) dialog.close();
    if (!fromHistory && v) {
      if (v.pushed) window.history.back();
      else {
        const url = new URL(window.location.href);
        url.searchParams.delete("product");
        window.history.replaceState(window.history.state, "", url.pathname + url.search);
      }
    }
    returnFocus = v ? v.id : null;
    restoreFocus();
    setTimeout(() => { returnFocus = null; }, 1500);
  }
  let returnFocus = null; // the result to focus once the list is drawn again after the view closes
  function restoreFocus() {
    const target = returnFocus && document.querySelector(`[data-product="${CSS.escape(returnFocus)}"]`);
    if (target) target.focus();
  }
  $("#product-close").addEventListener("click", () => closeProduct(false));
  dialog.addEventListener("cancel", (e) => { e.preventDefault(); closeProduct(false); });
  dialog.addEventListener("click", (e) => { if (e.target === dialog) closeProduct(false); });
  function cartAction(event, label) {
    return () => {
      if (!viewing) return;
      track(event, viewing.id, viewing.origin);
      $("#product-status").textContent = label;
    };
  }
  $("#product-cart").addEventListener("click", cartAction("cart", "已加入购物车"));
  $("#product-buy").addEventListener("click", cartAction("purchase", "已下单，谢谢！"));
  window.addEventListener("popstate", () => {
    const id = new URLSearchParams(window.location.search).get("product");
    if (id) openProduct(id, {}, false);
    else if (viewing) closeProduct(true);
  });

  function openFromHit(e, hit, results) {
    if (e && (e.metaKey || e.ctrlKey || e.shiftKey || e.button === 1)) return; // a new tab: let the browser do it
    if (e) e.preventDefault();
    const origin = { searchId: hit.__queryID || null, position: hit.__position, query: results ? results.query : "" };
    track("click", hit.objectID, origin);
    openProduct(hit.objectID, origin, true);
  }

  // ------------------------------------------------------------------ hits and the no-results state
  function hitTemplate(hit, { html, components }) {
    const results = currentResults();
    return html`<article class="hit">
      <h3 class="hit-title">
        <a href=${productURL(hit.objectID)} data-product=${hit.objectID} onClick=${(e) => openFromHit(e, hit, results)}>${components.Highlight({ hit, attribute: "title" })}</a>
      </h3>
      <p class="hit-meta">
        ${hit.brand ? html`<span class="brand">${components.Highlight({ hit, attribute: "brand" })}</span>` : ""}
        <span class="price">${formatPrice(hit.price)}</span>
      </p>
      ${hit.category ? html`<p class="hit-category">${hit.category}</p>` : ""}
    </article>`;
  }
  function emptyTemplate(results, { html }) {
    const related = (results.zhsearch && results.zhsearch.related) || [];
    const clear = () => mainHelper().setState(mainHelper().state.setQuery("").clearRefinements().setIndex(INDEX).setPage(0)).search();
    return html`<div class="no-results" role="status">
      <h2>没有找到${results.query ? html`与“<span class="q">${results.query}</span>”` : ""}相关的商品</h2>
      <ul class="tips"><li>检查一下有没有错别字</li><li>换个说法，或者减少筛选条件</li></ul>
      <button type="button" class="link" onClick=${clear}>清除搜索和筛选</button>
      ${related.length
        ? html`<section class="related" aria-labelledby="h-related"><h3 id="h-related">你可能感兴趣</h3>
            <ul class="mini-list">${related.map((h) => html`<li><a href=${productURL(h.objectID)} onClick=${(e) => openFromHit(e, h, results)}><span class="t">${h.title}</span><span class="p">${formatPrice(h.price)}</span></a></li>`)}</ul></section>`
        : ""}
    </div>`;
  }

  // ------------------------------------------------------------------ "for you" on the landing page
  function renderHomeShelf() {
    const shelf = $("#foryou-home");
    if (!shopper) {
      shelf.hidden = true;
      return;
    }
    client.recommend(6, shopper).then((rec) => {
      miniList(shelf.querySelector("ul"), rec.items, (h) => { track("click", h.objectID, { position: h.__position }); openProduct(h.objectID, { position: h.__position }, true); });
      shelf.hidden = rec.items.length === 0;
    }, () => { shelf.hidden = true; });
  }

  // ------------------------------------------------------------------ shopper picker
  const picker = $("#shopper");
  picker.replaceChildren(el("option", { value: "", text: "匿名访客" }), ...shoppers.map((u) => el("option", { value: u, text: `样例购物者 ${u}` })));
  picker.value = shopper;
  picker.addEventListener("change", () => {
    shopper = shoppers.indexOf(picker.value) >= 0 ? picker.value : "";
    stored("zhsearch-shopper", shopper || null);
    client.clearCache();
    search.refresh();
    renderHomeShelf();
  });

  // ------------------------------------------------------------------ filters on a phone
  const toggle = $("#filters-toggle");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.body.classList.toggle("filters-open", open);
  });

  search.addWidgets([
    is.widgets.configure({ hitsPerPage: cfg.hitsPerPage || 12 }),
    widgets.searchBoxWithSuggestions("#searchbox"),
    is.widgets.stats({
      container: "#stats",
      templates: { text: (d, { html }) => (d.nbHits ? html`共 ${d.nbHits} 件商品 · ${d.processingTimeMS} 毫秒` : html`没有结果`) },
    }),
    is.widgets.sortBy({
      container: "#sort-by",
      items: Object.keys(SORTS).map((s) => ({ value: s === "relevance" ? INDEX : INDEX + ":" + s, label: SORTS[s] })),
    }),
    is.widgets.refinementList({
      container: "#brand-list", attribute: "brand", limit: 8, showMore: true, showMoreLimit: 40,
      templates: { showMoreText: ({ isShowingMore }, { html }) => html`${isShowingMore ? "收起" : "更多品牌"}` },
    }),
    is.widgets.refinementList({
      container: "#category-list", attribute: "category", limit: 8, showMore: true, showMoreLimit: 40,
      templates: {
        item: (item, { html }) => html`<label class="ais-RefinementList-label"><input type="checkbox" class="ais-RefinementList-checkbox" value=${item.value} checked=${item.isRefined} /><span class="ais-RefinementList-labelText" title=${item.label}>${item.label.split("/").slice(-2).join(" › ")}</span><span class="ais-RefinementList-count">${item.count}</span></label>`,
        showMoreText: ({ isShowingMore }, { html }) => html`${isShowingMore ? "收起" : "更多类目"}`,
      },
    }),
    widgets.priceRange("#price"),
    widgets.intentChips,
    widgets.didYouMean,
    is.widgets.hits({ container: "#hits", templates: { item: hitTemplate, empty: emptyTemplate } }),
    is.widgets.pagination({
      container: "#pagination", padding: 2, scrollTo: "#results",
      templates: { previous: (_, { html }) => html`‹ 上一页`, next: (_, { html }) => html`下一页 ›`, first: (_, { html }) => html`«`, last: (_, { html }) => html`»` },
    }),
  ]);
  search.on("error", ({ error }) => showError(error));
  search.on("render", () => {
    if (search.status !== "error") hideError();
    if (returnFocus && !viewing && search.status === "idle") {
      restoreFocus();
      returnFocus = null;
    }
    document.body.dataset.status = search.status;
  });
  search.start();
  renderHomeShelf();
  const initial = new URLSearchParams(window.location.search).get("product");
  if (initial) openProduct(initial, {}, false);
})();
