/*
 * The storefront's small parts: DOM building, formatting, browser storage and the mapping
 * between the page URL and the search state. No state of its own; the page script
 * (storefront.js) and the widgets (storefront-widgets.js) take them from
 * window.ZhsearchStorefront.
 */
(function () {
  "use strict";

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

  /** URL <-> search state: ?q=&brand=&category=&price=lo:hi&sort=&page= for the products index. */
  function routing(is, INDEX, SORTS) {
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
    return { router, stateMapping };
  }

  window.ZhsearchStorefront = { el, formatPrice, priceLabel, shortBrand, stored, routing };
})();
