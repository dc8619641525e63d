/*
 * The zhsearch storefront: InstantSearch.js widgets over the zhsearch adapter.
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
  const KINDS = { query: "热搜", brand: "品牌", category: "类目", product: "商品" };
  const $ = (sel) => document.querySelector(sel);

  /** A DOM element; strings among the children become text nodes, never markup. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
    return node;
  }

  function formatPrice(p) {
    return typeof p === "number" ? "¥" + (Number.isInteger(p) ? p : p.toFixed(2)) : "价格待定";
  }
  function priceLabel(min, max) {
    if (min != null && max != null) return `${min}–${max}元`;
    if (max != null) return `≤ ${max}元`;
    if (min != null) return `≥ ${min}元`;
    return "";
  }
  function shortBrand(brand) {
    const parts = String(brand).split("/");
    return parts[parts.length - 1] || String(brand);
  }

  // ------------------------------------------------------------------ shopper (picker, event id)
  function stored(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) {
      /* storage disabled: the page still works, without memory */
    }
    return null;
  }
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

  // ------------------------------------------------------------------ URL <-> search state
  const router = is.routers.history({
    cleanUrlOnDispose: false,
    createURL({ routeState, location }) {
      const qs = new URLSearchParams();
      if (routeState.q) qs.set("q", routeState.q);
      (routeState.brand || []).forEach((b) => qs.append("brand", b));
      (routeState.category || []).forEach((c) => qs.append("category", c));
      if (routeState.price) qs.set("price", routeState.price);
      if (routeState.sort) qs.set("sort", routeState.sort);
      if (routeState.page) qs.set("page", String(routeState.page));
      const text = qs.toString();
      return location.pathname + (text ? "?" + text : "");
    },
    parseURL({ location }) {
      const qs = new URLSearchParams(location.search);
      const route = {};
      if (qs.get("q")) route.q = qs.get("q");
      if (qs.getAll("brand").length) route.brand = qs.getAll("brand");
      if (qs.getAll("category").length) route.category = qs.getAll("category");
      if (qs.get("price")) route.price = qs.get("price");
      if (qs.get("sort")) route.sort = qs.get("sort");
      if (qs.get("page")) route.page = qs.get("page");
      return route;
    },
  });
  const stateMapping = {
    stateToRoute(uiState) {
      const s = uiState[INDEX] || {};
      const r = {};
      if (s.query) r.q = s.query;
      if (s.refinementList && s.refinementList.brand) r.brand = s.refinementList.brand;
      if (s.refinementList && s.refinementList.category) r.category = s.refinementList.category;
      if (s.range && s.range.price) r.price = s.range.price;
      if (s.sortBy && s.sortBy !== INDEX) r.sort = s.sortBy.slice(INDEX.length + 1);
      if (s.page && s.page > 1) r.page = s.page;
      return r;
    },
    routeToState(r) {
      const s = {};
      if (r.q) s.query = String(r.q);
      const lists = {};
      if (r.brand) lists.brand = [].concat(r.brand).map(String);
      if (r.category) lists.category = [].concat(r.category).map(String);
      if (Object.keys(lists).length) s.refinementList = lists;
      if (r.price && /^[0-9.]*:[0-9.]*$/.test(r.price)) s.range = { price: r.price };
      if (r.sort && SORTS[r.sort] && r.sort !== "relevance") s.sortBy = INDEX + ":" + r.sort;
      const page = parseInt(r.page, 10);
      if (page > 1 && page <= 1000) s.page = page;
      return { [INDEX]: s };
    },
  };

  const search = is({
    indexName: INDEX,
    searchClient: client,
    routing: { router, stateMapping },
    insights: false,
    future: { preserveSharedStateOnUnmount: true },
  });
  const mainHelper = () => search.mainIndex.getHelper();
  function currentResults() {
    return search.mainIndex.getResults();
  }

  // ------------------------------------------------------------------ search box with suggestions
  function searchBoxWithSuggestions(container) {
    let input, list, refine, composing = false, timer = null, seq = 0, active = -1, items = [], suggestOff = false;
    let shownQuery = null;

    function setOpen(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
      }
    }
    function renderOptions() {
      list.replaceChildren(
        ...items.map((s, i) =>
          el("li", {
            id: `q-option-${i}`, role: "option", class: "suggestion", "aria-selected": i === active ? "true" : "false",
            onmousedown: (e) => e.preventDefault(), // keep focus in the input
            onclick: () => pick(i),
          }, el("span", { class: "s-text", text: s.text }), el("span", { class: "s-kind", text: KINDS[s.kind] || "" }))
        )
      );
      if (active >= 0) input.setAttribute("aria-activedescendant", `q-option-${active}`);
      else input.removeAttribute("aria-activedescendant");
      setOpen(items.length > 0 && document.activeElement === input);
    }
    function fetchSuggestions() {
      const text = input.value.trim();
      const mine = ++seq;
      if (!text || suggestOff) {
        items = [];
        renderOptions();
        return;
      }
      client.suggest(text, { size: 8 }).then(
        (list) => {
          if (mine !== seq) return;
          items = list.filter((s) => s && typeof s.text === "string" && s.text);
          active = -1;
          renderOptions();
        },
        (err) => {
          if (err && (err.status === 404 || err.status === 405)) suggestOff = true; // an API without /suggest
          if (mine === seq) {
            items = [];
            renderOptions();
          }
        }
      );
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 120);
    }
    function submit(text, fromSuggestion) {
      clearTimeout(timer);
      seq++;
      items = [];
      setOpen(false);
      input.value = Z.truncateQuery(text);
      shownQuery = input.value.trim();
      suggested = fromSuggestion ? Z.truncateQuery(shownQuery) : null;
      refine(shownQuery);
    }
    function pick(i) {
      if (items[i]) submit(items[i].text, true);
    }
    function onKey(e) {
      if (composing || e.isComposing) return;
      const open = !list.hidden && items.length > 0;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!items.length) return;
        e.preventDefault();
        const n = items.length;
        if (e.key === "ArrowDown") active = active + 1 >= n ? -1 : active + 1;
        else active = active - 1 < -1 ? n - 1 : active - 1;
        renderOptions();
        setOpen(true);
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (open && active >= 0) pick(active);
        else submit(input.value);
      } else if (e.key === "Escape") {
        if (open) {
          e.preventDefault();
          setOpen(false);
        } else if (input.value) {
          e.preventDefault();
          input.value = "";
        }
      } else if (e.key === "Tab") {
        setOpen(false);
      }
    }

    return is.connectors.connectSearchBox((opts, isFirst) => {
      refine = opts.refine;
      if (isFirst) {
        input = el("input", {
          id: "q", type: "text", name: "q", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
          "aria-controls": "q-suggestions", autocomplete: "off", autocapitalize: "off", spellcheck: "false",
          maxlength: "256", enterkeyhint: "search", placeholder: "搜索商品或品牌，支持拼音（如 lanzhi）",
        });
        list = el("ul", { id: "q-suggestions", role: "listbox", "aria-label": "搜索建议", class: "suggestions", hidden: true });
        input.addEventListener("input", () => { if (!composing) schedule(); });
        input.addEventListener("compositionstart", () => { composing = true; });
        input.addEventListener("compositionend", () => { composing = false; schedule(); });
        input.addEventListener("keydown", onKey);
        input.addEventListener("blur", () => setOpen(false));
        input.addEventListener("focus", () => { if (items.length) setOpen(true); });
        const form = el("form", { role: "search", class: "sb-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(input.value); } },
          el("label", { for: "q", class: "visually-hidden", text: "搜索商品" }),
          el("div", { class: "sb-field" }, input, list),
          el("button", { type: "submit", class: "sb-submit", text: "搜索" }));
        document.querySelector(container).append(form);
      }
      if (opts.query !== shownQuery) {
        shownQuery = opts.query;
        if (document.activeElement !== input || isFirst) input.value = opts.query;
      }
    })({});
  }

  // ------------------------------------------------------------------ price: bands and a min/max form
  function priceRange(container) {
    let root = null;
    function apply(min, max) {
      let h = mainHelper().removeNumericRefinement("price");
      if (min != null && min > 0) h = h.addNumericRefinement("price", ">=", min);
      if (max != null) h = h.addNumericRefinement("price", "<=", max);
      h.setPage(0).search();
    }
    function bandsFrom(results) {
      if (!results) return [];
      const raws = results._rawResults || [];
      const unfiltered = raws.find((r) => r.zhsearch && !/price_(min|max)=/.test(r.params || ""));
      const chosen = unfiltered || raws[0] || results;
      return (chosen.zhsearch && chosen.zhsearch.priceBands) || [];
    }
    return is.connectors.connectRange((opts, isFirst) => {
      if (isFirst) {
        root = document.querySelector(container);
        return;
      }
      const [lo, hi] = opts.start;
      const min = Number.isFinite(lo) ? lo : null;
      const max = Number.isFinite(hi) ? hi : null;
      const bands = bandsFrom(currentResults());
      const list = el("ul", { class: "bands" },
        bands.filter((b) => b.count > 0 || (b.min === min && b.max === max)).map((b) => {
          const on = (min || 0) === b.min && max === (b.max == null ? null : b.max);
          return el("li", {}, el("button", {
            type: "button", class: "band", "aria-pressed": on ? "true" : "false",
            onclick: () => (on ? apply(null, null) : apply(b.min, b.max)),
          }, el("span", { text: b.max == null ? `${b.min}元以上` : `${b.min}–${b.max}元` }), el("span", { class: "count", text: String(b.count) })));
        }));
      const minInput = el("input", { id: "price-min", type: "number", min: "0", step: "1", inputmode: "decimal", value: min == null ? "" : min });
      const maxInput = el("input", { id: "price-max", type: "number", min: "0", step: "1", inputmode: "decimal", value: max == null ? "" : max });
      const form = el("form", {
        class: "price-form", novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          const a = minInput.value === "" ? null : Math.max(0, Number(minInput.value));
          const b = maxInput.value === "" ? null : Math.max(0, Number(maxInput.value));
          if ((a !== null && !Number.isFinite(a)) || (b !== null && !Number.isFinite(b))) return;
          if (a !== null && b !== null && a > b) apply(b, a);
          else apply(a, b);
        },
      },
        el("label", { for: "price-min", text: "最低价（元）" }), minInput,
        el("label", { for: "price-max", text: "最高价（元）" }), maxInput,
        el("button", { type: "submit", text: "确定" }),
        min != null || max != null ? el("button", { type: "button", class: "link", onclick: () => apply(null, null), text: "不限价格" }) : null);
      root.replaceChildren(list, form);
    })({ attribute: "price" });
  }

  // ------------------------------------------------------------------ parsed intent and filters as chips
  function rebuiltQuery(parsed, drop) {
    let text = parsed.rewritten != null ? parsed.rewritten : (parsed.keywords || []).join(" ") || parsed.normalized || "";
    if (drop.kind === "brand") {
      for (const alias of String(drop.value).split("/").filter(Boolean)) {
        text = text.replace(new RegExp(alias.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), " ");
      }
    }
    const keep = (parsed.exclude || []).filter((x) => !(drop.kind === "exclude" && drop.value === x));
    if (keep.length) text += " " + keep.map((x) => "不要" + x).join(" ");
    return text.replace(/\s+/g, " ").trim();
  }

  function dropIntent(parsed, drop) {
    const helper = mainHelper();
    let state = helper.state.setQuery(rebuiltQuery(parsed, drop)).setPage(0);
    const hasPrice = (state.getNumericRefinements("price") || {});
    const explicitPrice = Object.keys(hasPrice).some((op) => (hasPrice[op] || []).length);
    if (drop.kind !== "price" && !explicitPrice && (parsed.price_min != null || parsed.price_max != null)) {
      if (parsed.price_min != null) state = state.addNumericRefinement("price", ">=", parsed.price_min);
      if (parsed.price_max != null) state = state.addNumericRefinement("price", "<=", parsed.price_max);
    }
    if (drop.kind === "sort") state = state.setIndex(INDEX);
    else if (parsed.sort && parsed.sort !== "relevance" && state.index === INDEX) state = state.setIndex(INDEX + ":" + parsed.sort);
    helper.setState(state).search();
  }

  function chip(label, aria, onRemove, kind) {
    return el("li", {}, el("button", { type: "button", class: `chip chip-${kind}`, "aria-label": aria, onclick: onRemove },
      el("span", { text: label }), el("span", { class: "x", "aria-hidden": "true", text: "×" })));
  }

  const intentChips = {
    $$type: "zhsearch.intentChips",
    init() {},
    render({ results, helper }) {
      const root = $("#chips");
      const items = [];
      const parsed = results && results.query && results.zhsearch ? results.zhsearch.parsed : null;
      if (parsed) {
        (parsed.brands || []).forEach((b) =>
          items.push(chip(`${shortBrand(b)}`, `移除品牌条件 ${b}`, () => dropIntent(parsed, { kind: "brand", value: b }), "intent")));
        if (parsed.price_min != null || parsed.price_max != null) {
          const label = priceLabel(parsed.price_min, parsed.price_max);
          items.push(chip(label, `移除价格条件 ${label}`, () => dropIntent(parsed, { kind: "price" }), "intent"));
        }
        (parsed.exclude || []).forEach((x) =>
          items.push(chip(`不要 ${x}`, `移除排除条件 不要${x}`, () => dropIntent(parsed, { kind: "exclude", value: x }), "intent")));
        if (parsed.sort && parsed.sort !== "relevance" && SORTS[parsed.sort]) {
          items.push(chip(SORTS[parsed.sort], `移除排序 ${SORTS[parsed.sort]}`, () => dropIntent(parsed, { kind: "sort" }), "intent"));
        }
      }
      const state = helper.state;
      for (const attr of ["brand", "category"]) {
        for (const value of state.getDisjunctiveRefinements(attr) || []) {
          const name = attr === "brand" ? "品牌" : "类目";
          items.push(chip(`${name}：${value}`, `移除${name} ${value}`,
            () => mainHelper().removeDisjunctiveFacetRefinement(attr, value).setPage(0).search(), "filter"));
        }
      }
      const num = state.getNumericRefinements("price") || {};
      const lo = (num[">="] || [])[0];
      const hi = (num["<="] || [])[0];
      if (lo != null || hi != null) {
        const label = priceLabel(lo, hi);
        items.push(chip(`价格：${label}`, `移除价格 ${label}`, () => mainHelper().removeNumericRefinement("price").setPage(0).search(), "filter"));
      }
      root.replaceChildren(items.length ? el("ul", { class: "chip-list" }, items) : "");
    },
  };

  const didYouMean = {
    $$type: "zhsearch.didYouMean",
    init() {},
    render({ results }) {
      const root = $("#didyoumean");
      const corrected = results && results.zhsearch ? results.zhsearch.corrected : null;
      if (!corrected || corrected === results.query) {
        root.replaceChildren();
        return;
      }
      root.replaceChildren(el("p", {}, "您是不是要找：",
        el("button", { type: "button", class: "link corrected", onclick: () => mainHelper().setQuery(corrected).setPage(0).search() }, corrected),
        el("span", { class: "hint", text: "（已显示更正后的结果）" })));
    },
  };

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
    searchBoxWithSuggestions("#searchbox"),
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
    priceRange("#price"),
    intentChips,
    didYouMean,
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
